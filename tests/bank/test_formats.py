"""Every format: the seed bank's round trips, what survives where, guessing, limits, malformed files."""

import io
import zipfile

import pytest
from lxml import etree

from quizsvc.bank import EXPORT_FORMATS, formats
from quizsvc.bank.bank_file import MAX_QUESTIONS, BankError, read_bank
from quizsvc.bank.gift import read_gift
from quizsvc.bank.imported import complete
from quizsvc.bank.moodle_xml import read_moodle
from quizsvc.bank.qti import read_qti
from tests.bank.conftest import FILES

SEED = FILES.parents[2] / "seed" / "llm_interview_zh.yaml"
READERS = {
    "gift": lambda data: read_gift(data.decode())[0],
    "moodle": lambda data: read_moodle(data)[0],
    "qti": lambda data: read_qti(data)[0],
}


@pytest.fixture(scope="module")
def seed():
    return read_bank(SEED)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_the_seed_bank_round_trips(seed, fmt):
    name, questions = seed
    data = formats.write(fmt, name, questions)
    bank = formats.read(data, source=formats.filename(name, fmt))
    assert (bank.format, bank.skipped) == (fmt, [])
    assert bank.questions == questions


def _tricky(question_in):
    """Text each format must escape: its own syntax, HTML, CDATA's end, lines and spaces."""
    return {
        **question_in,
        "slug": "2-tricky",
        "prompt": "::Not a name:: {braces} #hash =eq ~tilde a\\nb \\ <b>not bold</b> ]]> &amp;\n  indented   twice",
        "references": ["First | bar\nsecond line\n\n  - nested item", "Second reference: {x} = 1 ~ #2", "Third"],
        "key_points": [
            {"text": "point | with bar \\ and backslash", "weight": 2.5},
            {"text": "not a Moodle comment: [id:other] [tag:x]", "weight": 0.1},
        ],
        "keywords": [
            {
                "term": "自注意力機制",
                "aliases": ["自注意力机制", "self-attention", "a|b"],
                "weight": 2.0,
                "required": True,
            },
            {"term": "C++", "aliases": [], "weight": 1.0, "required": False},
        ],
        "misconceptions": [{"text": "it reads tokens one by one", "aliases": ["順序處理", "sequential"]}],
        "examples": [
            {"answer": "It attends to every token.\nIn parallel.", "score": 85, "note": "good | complete"},
            {"answer": "BERT is autoregressive", "score": 5},
        ],
    }


@pytest.mark.parametrize("fmt", ["gift", "moodle", "qti"])
def test_everything_quizsvc_keeps_survives_the_format(question_in, fmt):
    question = _tricky(question_in)
    found = READERS[fmt](formats.write(fmt, "t", [question]))
    assert [complete(f, set()) for f in found] == [question]


def test_empty_rubric_lists_stay_empty(question_in):
    """No key points or keywords in quizsvc: none drawn by the seed rule on the way back."""
    bare = {**question_in, "key_points": [], "keywords": [], "misconceptions": []}
    for fmt in ("gift", "moodle", "qti"):
        assert formats.read(formats.write(fmt, "t", [bare]), source=f"t.{fmt}", format=fmt).questions == [bare]


def test_qti_export_is_valid_against_the_qti_3_schemas(seed, question_in, qti_schemas):
    item_schema, manifest_schema = qti_schemas
    name, questions = seed
    archive = zipfile.ZipFile(io.BytesIO(formats.write("qti", name, [*questions, _tricky(question_in)])))
    assert {"imsmanifest.xml", "items/q-2-tricky.xml"} <= set(archive.namelist())
    for member in archive.namelist():
        document = etree.fromstring(archive.read(member))
        schema = manifest_schema if member == "imsmanifest.xml" else item_schema
        assert schema.validate(document), (member, [str(e) for e in schema.error_log][:3])
    assert len(archive.namelist()) == len(questions) + 2


def test_the_schemas_do_reject_a_broken_item(question_in, qti_schemas):
    archive = zipfile.ZipFile(io.BytesIO(formats.write("qti", "t", [question_in])))
    item = etree.fromstring(archive.read("items/self-attention.xml"))
    assert qti_schemas[0].validate(item)
    del item.attrib["time-dependent"]
    assert not qti_schemas[0].validate(item)


@pytest.mark.parametrize(
    "filename, start, expected",
    [
        ("bank.yaml", b"format: quizsvc-bank/1", "yaml"),
        ("bank.json", b"{}", "json"),
        ("bank.gift.txt", b"::a::b{}", "gift"),
        ("bank.xml", b'<?xml version="1.0"?>\n<!-- x -->\n<quiz>', "moodle"),
        ("item.xml", b"<qti-assessment-item xmlns='x'>", "qti"),
        ("bank.zip", b"PK\x03\x04rest", "qti"),
        ("seed.md", b"# Title", "markdown"),
        ("upload", b"\xef\xbb\xbf<quiz>", "moodle"),
        ("upload", b'{"format": "quizsvc-bank/1"}', "json"),
        ("upload", b"name: x\nformat: quizsvc-bank/1\n", "yaml"),
        ("upload", b"$CATEGORY: top/x\n\n::q:: text {}", "gift"),
        ("upload", b"## 1. What is attention?\n", "markdown"),
        ("upload", b"just some words", None),
        ("notes.xml", b"<html/>", None),
    ],
)
def test_format_is_guessed_from_extension_then_content(filename, start, expected):
    assert formats.guess_format(filename, start) == expected


def _error(data, source="bank.gift", **kwargs) -> str:
    with pytest.raises(BankError) as error:
        formats.read(data, source=source, **kwargs)
    return error.value.message


@pytest.mark.parametrize(
    "source, data, message",
    [
        (
            "b.gift",
            b"::q1::What? {=a\n\n::q2::Why?{}",
            "b.gift: line 1: field 'answers': unbalanced braces around the answers",
        ),
        ("b.gift", b"::q1 What? {}", "b.gift: line 1: field 'name': '::' opens a question name that is never closed"),
        ("b.gift", b"::q1::What?{=%0%no}", "b.gift: line 1: field 'answers': no answer earns credit"),
        ("b.gift", b"::q1::{}", "b.gift: question 1 (q1), line 1: field 'prompt': Length must be between 1 and 2000."),
        (
            "b.gift",
            b"::q1::Why?{}",
            "b.gift: question 1 (q1), line 1: field 'references': Length must be between 1 and 5.",
        ),
        (
            "b.gift",
            b"// quizsvc rubric\n// key point (weight heavy): x\n::q1::Why?{####because}",
            "b.gift: line 1: field 'key_points': weight 'heavy' is not a number",
        ),
        (
            "b.gift",
            b"// quizsvc rubric\n// key point (weight 11): x\n::q1::Why?{####because}",
            "b.gift: question 1 (q1), line 1: field 'key_points.0.weight': "
            "Must be greater than 0 and less than or equal to 10.",
        ),
        (
            "b.gift",
            b"::q1::Why?{####a}\n\n::q1::How?{####b}",
            "b.gift: question 2 (q1), line 3: field 'slug': duplicate slug 'q1'",
        ),
        (
            "b.gift",
            b"::q1::Wh\x00y?{####a}",
            "b.gift: question 1 (q1), line 1: field 'prompt': Must not contain NUL or unpaired surrogate characters.",
        ),
        ("b.gift", b"::q1::Why?{####\xff}", "b.gift: line 1: not UTF-8 text"),
        ("b.gift", b"::a::What?{~x =y}", "b.gift: no essay or short-answer question found (1 of other kinds skipped)"),
        ("b.xml", b"<quiz><question type='essay'>", "b.xml: line 1: not well-formed XML: "),
        (
            "b.xml",
            b"<!DOCTYPE quiz [<!ENTITY x 'y'>]><quiz/>",
            "b.xml: line 1: a DOCTYPE with declarations is not accepted",
        ),
        (
            "b.xml",
            b"<quiz><question type='essay'><name><text>q</text></name><questiontext format='html'><text>"
            b"&lt;p&gt;Why?&lt;/p&gt;</text></questiontext><graderinfo format='html'><text></text></graderinfo>"
            b"</question></quiz>",
            "b.xml: question 1 (q), <question type=\"essay\"> at line 1: field 'references' (<graderinfo>): "
            "Length must be between 1 and 5.",
        ),
        (
            "b.xml",
            b"<quiz>\n<question type='essay'><idnumber>q</idnumber><graderinfo format='plain_text'><text>yes</text>"
            b"</graderinfo></question></quiz>",
            "b.xml: question 1 (q), <question type=\"essay\"> at line 2: field 'prompt' (<questiontext>): "
            "Length must be between 1 and 2000.",
        ),
        (
            "b.xml",
            b"<quiz><question type='shortanswer'><answer fraction='x'/></question></quiz>",
            'b.xml: <question type="shortanswer"> at line 1: <answer fraction=...>: not a number',
        ),
        (
            "item.xml",
            b"<assessmentItem xmlns='http://www.imsglobal.org/xsd/imsqti_v2p1'/>",
            "item.xml: line 1: <assessmentItem> in http://www.imsglobal.org/xsd/imsqti_v2p1 is not a QTI 3.0 item",
        ),
        ("b.zip", b"PK\x03\x04 truncated", "b.zip: not a readable zip file"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(source, data, message):
    assert _error(data, source=source).startswith(message)


def test_qti_2_items_are_named_as_such():
    data = b"<assessmentItem xmlns='http://www.imsglobal.org/xsd/imsqti_v2p1' identifier='a'/>"
    assert _error(data, source="old.xml", format="qti") == (
        "old.xml: line 1: <assessmentItem> in http://www.imsglobal.org/xsd/imsqti_v2p1 is not a QTI 3.0 item"
    )


def test_a_package_without_its_items_is_refused(qti_package):
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(qti_package)) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            if info.filename != "items/ITEM-ESSAY-2.xml":
                target.writestr(info, source.read(info))
    assert _error(broken.getvalue(), source="p.zip") == (
        "p.zip: imsmanifest.xml: <resource href='items/ITEM-ESSAY-2.xml'>: the package has no such file"
    )
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").writestr("readme.txt", "no manifest")
    assert _error(empty.getvalue(), source="p.zip") == "p.zip: the package has no imsmanifest.xml at its top level"


def test_limits(question_in):
    assert _error(b"x" * 2048, source="big.gift", max_bytes=1024) == (
        "big.gift: 2,048 bytes; a bank file is at most 1,024 bytes"
    )
    many = [{**question_in, "slug": f"q{n}"} for n in range(MAX_QUESTIONS + 1)]
    assert _error(formats.write("gift", "t", many), source="many.gift") == (
        "many.gift: 5,001 questions; a bank file holds at most 5,000"
    )


@pytest.mark.parametrize("fmt", ["moodle", "qti"])
def test_the_xml_formats_leave_out_what_xml_cannot_carry(question_in, fmt):
    # A vertical tab or a form feed pasted into a stored question: XML 1.0 has no way to write it.
    question = {**question_in, "prompt": "Why\x0b self-attention?\x0c", "references": ["Tokens\x01 attend."]}
    bank = formats.read(formats.write(fmt, "t\x02", [question]), source=f"b.{fmt}", format=fmt)
    [read] = bank.questions
    assert (read["prompt"], read["references"][0]) == ("Why self-attention?", "Tokens attend.")


def test_lone_surrogates_are_refused_in_every_format(question_in):
    data = formats.write("json", "t", [question_in]).replace("每個詞".encode(), b"\\ud800")
    assert _error(data, source="b.json") == (
        "b.json: question 1 (self-attention): field 'key_points.0.text': "
        "Must not contain NUL or unpaired surrogate characters."
    )


MINI_PROMPT = "什麼是自注意力機制（Self-Attention）？"
MINI_BODY = "- **自注意力機制**讓每個詞關注序列中的所有詞。\n- 使用查詢（Query）和鍵（Key）計算權重。"


def test_markdown_is_imported_as_bank_from_markdown_reads_it():
    bank = formats.read(f"## 1. {MINI_PROMPT}\n\n{MINI_BODY}\n".encode(), source="mini.md")
    [question] = bank.questions
    assert (bank.name, bank.format, question["prompt"]) == ("mini", "markdown", MINI_PROMPT)


def test_other_formats_draw_the_rubric_by_the_seed_rule():
    """A GIFT question with the same Markdown gets the seed parser's key points and keywords."""
    [seeded] = formats.read(f"## 1. {MINI_PROMPT}\n\n{MINI_BODY}\n".encode(), source="mini.md").questions
    body = MINI_BODY.replace("\n", "\\n")
    [imported] = formats.read(
        f"::mini::[markdown]{MINI_PROMPT}{{####[markdown]{body}}}".encode(), source="m.gift"
    ).questions
    for field in ("references", "key_points", "keywords"):
        assert imported[field] == seeded[field], field
    assert [(k["term"], k["aliases"]) for k in imported["keywords"]] == [
        ("自注意力機制", ["自注意力机制", "Self-Attention"]),
        ("查詢", ["查询", "Query"]),
        ("鍵", ["键", "Key"]),
    ]
