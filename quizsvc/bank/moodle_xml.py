"""Moodle XML: essay and short-answer questions, categories and tags, both ways.

Read: ``<question type="category">`` sets the category of the questions after it (the
last part of its path); question text, grader information and feedback are read as
plain text whatever their format (HTML with entities and CDATA, Moodle auto-format,
Markdown, plain); images they reference are left out (their files are not imported).
- ``essay``: ``graderinfo`` is the reference answer (``generalfeedback`` when there is no
  grader information); ``responsetemplate`` is ignored.
- ``shortanswer``: the answers with credit are the references when the question has no
  general feedback, and its keyword (first answer, the others as aliases) when it has.
- ``idnumber`` (else ``name``) gives the slug, ``tags`` the tags. Other question types
  are skipped and reported.

Write: one essay question per bank question: the prompt as question text, the first
reference and a "quizsvc rubric" section (``rubric_lines``: difficulty, language, the
other references, key points, keywords, misconceptions, reviewed examples) as grader
information, the slug as name and idnumber, tags as tags.
"""

from __future__ import annotations

from xml.sax.saxutils import escape as html_escape

from lxml import etree, html

from quizsvc.bank.gift import category_of, category_path
from quizsvc.bank.html_text import element_text, html_to_text, text_to_html
from quizsvc.bank.imported import Found, short_answer
from quizsvc.bank.rubric_lines import RubricLineError, parse_rubric_lines, rubric_lines
from quizsvc.bank.seed_markdown import strip_emphasis
from quizsvc.bank.xml_safe import XmlError, local, parse_xml

RUBRIC_CLASS = "quizsvc-rubric"
_KEPT = ("essay", "shortanswer")


class MoodleError(ValueError):
    """A Moodle XML file that cannot be read; the message names the line and element."""


def _child(element, name: str):
    return next((c for c in element if local(c) == name), None)


def _raw(element) -> tuple[str, str]:
    """(text, format) of a Moodle text element (<questiontext format="..."><text>)."""
    if element is None:
        return "", "plain_text"
    text_element = _child(element, "text")
    raw = (text_element.text or "") if text_element is not None else (element.text or "")
    fmt = element.get("format", "html")
    if fmt == "moodle_auto_format" and "<" not in raw:
        fmt = "plain_text"
    return raw, fmt


def _rich_text(element, *, bold: bool = False) -> str:
    """The plain text of a Moodle text element, whatever its format; bold as **term** if asked."""
    raw, fmt = _raw(element)
    if fmt == "plain_text":
        return raw.strip()
    if fmt == "markdown":
        return raw.strip() if bold else strip_emphasis(raw).strip()
    return html_to_text(raw, bold=bold)


def _grader_info(element) -> tuple[str, object, list[str] | None]:
    """The reference in a graderinfo element, its HTML without the rubric (or None), and the rubric lines."""
    raw, fmt = _raw(element)
    if fmt in ("plain_text", "markdown") or RUBRIC_CLASS not in raw:
        return _rich_text(element), None, None
    root = html.fragment_fromstring(raw, create_parent="div")
    lines = []
    for section in root.xpath(f'//*[contains(concat(" ", normalize-space(@class), " "), " {RUBRIC_CLASS} ")]'):
        lines += [node.text_content() for node in section.iter("p", "li")]
        section.drop_tree()
    return element_text(root), root, lines


def _plain(element, name: str) -> str:
    child = _child(element, name) if element is not None else None
    if child is None:
        return ""
    text = _child(child, "text")
    return ((text.text if text is not None else child.text) or "").strip()


def _question(element, category: str) -> Found:
    qtype = element.get("type")
    found = Found(
        location=f'<question type="{qtype}"> at line {element.sourceline}',
        prompt=_rich_text(_child(element, "questiontext")),
        references=[],
        identifier=_plain(element, "idnumber") or _plain(element, "name") or None,
        category=category,
        fields={"prompt": "questiontext", "references": "graderinfo" if qtype == "essay" else "answer"},
    )
    tags = _child(element, "tags")
    found.tags = [_plain(tag, "text") for tag in (tags if tags is not None else []) if local(tag) == "tag"]
    feedback_element = _child(element, "generalfeedback")
    feedback = _rich_text(feedback_element)

    # Bold is read again only for the seed rule, i.e. when the file carries no rubric.
    def marked_prompt() -> str:
        return _rich_text(_child(element, "questiontext"), bold=True)

    if qtype == "essay":
        grader = _child(element, "graderinfo")
        reference, root, lines = _grader_info(grader)
        source = grader
        if not reference and not lines:
            reference, source = feedback, feedback_element
        try:
            found.rubric = parse_rubric_lines(lines) if lines else None
        except RubricLineError as error:
            raise MoodleError(f"{found.location}: <graderinfo>: {error}") from None
        if reference:
            found.references = [reference]
        if found.rubric is None:
            marked = element_text(root, bold=True) if root is not None else _rich_text(source, bold=True)
            found.marked = [marked_prompt(), *([marked] if reference else [])]
        return found
    answers = []
    for answer in element:
        if local(answer) != "answer":
            continue
        try:
            fraction = float(answer.get("fraction", "0"))
        except ValueError:
            raise MoodleError(f"{found.location}: <answer fraction=...>: not a number") from None
        answers.append((fraction, _rich_text(answer)))
    if not any(fraction > 0 and text for fraction, text in answers):
        raise MoodleError(f"{found.location}: <answer>: field 'references': no answer earns credit")
    found.marked = [marked_prompt()]
    short_answer(found, answers, feedback, _rich_text(feedback_element, bold=True) if feedback else "")
    return found


def read_moodle(data: bytes | str) -> tuple[list[Found], list[str]]:
    """The questions of a Moodle XML file, and what was skipped ("line 12: multichoice")."""
    try:
        root = parse_xml(data)
    except XmlError as error:
        raise MoodleError(str(error)) from None
    if local(root) != "quiz":
        raise MoodleError(f"line {root.sourceline}: the root element is <{local(root)}>, not <quiz>")
    found, skipped, category = [], [], ""
    for element in root:
        if local(element) != "question":
            continue
        qtype = element.get("type")
        if qtype == "category":
            category = category_of(_plain(element, "category"))
        elif qtype in _KEPT:
            found.append(_question(element, category))
        else:
            skipped.append(f"line {element.sourceline}: {qtype}")
    return found, skipped


def _sub(parent, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        element.text = text
    return element


def _rich(parent, tag: str, markup: str) -> None:
    text = _sub(_sub(parent, tag, format="html"), "text")
    text.text = etree.CDATA(markup) if markup and "]]>" not in markup else markup


def _grader_html(question: dict) -> str:
    items = "".join(f"<li>{html_escape(line)}</li>" for line in rubric_lines(question)[1:])
    rubric = f'<div class="{RUBRIC_CLASS}"><p>quizsvc rubric</p><ul>{items}</ul></div>'
    return text_to_html(question["references"][0]) + rubric


def write_moodle(name: str, questions: list[dict]) -> bytes:
    quiz = etree.Element("quiz")
    quiz.append(etree.Comment(f" Question bank {name!r}, exported from quizsvc "))
    category = None
    for question in questions:
        if question["category"] != category:
            category = question["category"]
            element = _sub(quiz, "question", type="category")
            _sub(_sub(element, "category"), "text", category_path(category))
            _rich(element, "info", "")
        element = _sub(quiz, "question", type="essay")
        _sub(_sub(element, "name"), "text", question["slug"])
        _rich(element, "questiontext", text_to_html(question["prompt"]))
        _rich(element, "generalfeedback", "")
        for tag, value in (("defaultgrade", "1.0000000"), ("penalty", "0.0000000"), ("hidden", "0")):
            _sub(element, tag, value)
        _sub(element, "idnumber", question["slug"])
        for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15")):
            _sub(element, tag, value)
        for tag, value in (("attachments", "0"), ("attachmentsrequired", "0"), ("maxbytes", "0")):
            _sub(element, tag, value)
        _rich(element, "graderinfo", _grader_html(question))
        _rich(element, "responsetemplate", "")
        tags = _sub(element, "tags")
        for tag in question.get("tags", []):
            _sub(_sub(tags, "tag"), "text", tag)
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)
