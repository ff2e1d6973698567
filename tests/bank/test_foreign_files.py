"""Files written the way Moodle and QTI tools write them, read into bank questions.

The samples in files/ were written by hand after those tools' exports: a Moodle XML and a
GIFT export of the same course (CDATA, entities, an image whose file is absent, a
response template, tags, a category path, question types quizsvc does not keep), and a
QTI 3.0 package (prefixed and default namespaces, LOM metadata, a scorer's rubric block,
a correct response with a mapping, a choice item, an image the package lacks).
"""

import pytest

from quizsvc.bank import formats
from quizsvc.bank.html_text import html_to_text, text_to_html
from tests.bank.conftest import FILES

SELF_ATTENTION_REFERENCE = (
    "自注意力機制讓序列中每個詞關注所有其他詞。\n\n"
    "- 以查詢（Query）、鍵（Key）和值（Value）向量計算注意力權重{}。\n"
    "- 可以並行計算，並捕捉長距離依賴。"
)


@pytest.fixture(scope="module")
def moodle():
    return formats.read((FILES / "moodle.xml").read_bytes(), source="course.xml")


@pytest.fixture(scope="module")
def gift():
    return formats.read((FILES / "moodle.gift").read_bytes(), source="course.gift.txt")


def _by_slug(bank):
    return {q["slug"]: q for q in bank.questions}


def test_moodle_essay_reads_html_as_plain_text(moodle):
    question = _by_slug(moodle)["self-attention"]
    assert (
        question["prompt"]
        == "什麼是自注意力機制（Self-Attention）？請說明它如何計算 注意力權重。\n\n[image: 注意力示意圖]"
    )
    assert question["references"] == [SELF_ATTENTION_REFERENCE.format(" & 加權求和")]
    assert "Write your answer here" not in str(question)  # the response template is ignored
    assert (question["category"], question["tags"]) == ("Transformer 基礎", ["transformer", "attention-mechanism"])
    assert (question["difficulty"], question["language"]) == ("medium", "zh-Hant")


def test_without_a_rubric_the_seed_rule_draws_key_points_and_keywords(moodle):
    question = _by_slug(moodle)["self-attention"]
    assert [p["text"] for p in question["key_points"]] == [
        "自注意力機制讓序列中每個詞關注所有其他詞。",
        "以查詢（Query）、鍵（Key）和值（Value）向量計算注意力權重 & 加權求和。",
        "可以並行計算，並捕捉長距離依賴。",
    ]
    keywords = {k["term"]: k["aliases"] for k in question["keywords"]}
    # Bold in the HTML (<strong>, <b>) and 中文（English） pairs, with Simplified forms.
    assert keywords["自注意力機制"] == ["自注意力机制", "Self-Attention"]
    assert keywords["並行計算"] == ["并行计算"]
    assert keywords["鍵"] == ["键", "Key"]


def test_moodle_short_answers_become_references_or_a_keyword(moodle):
    questions = _by_slug(moodle)
    kv = questions["kv-cache"]  # no general feedback: the full-credit answer is the reference
    assert kv["references"] == ["the keys and values of past tokens"]
    assert (kv["language"], kv["category"]) == ("en", "Transformer 基礎")
    rlhf = questions["rlhf-abbreviation"]  # a model answer: the accepted answers are a keyword
    assert rlhf["references"] == [
        "RLHF 是人類回饋強化學習（Reinforcement Learning from Human Feedback）：先訓練獎勵模型，再用 PPO 微調語言模型。"
    ]
    assert rlhf["keywords"] == [
        {
            "term": "Reinforcement Learning from Human Feedback",
            "aliases": ["人類回饋強化學習"],
            "weight": 1.0,
            "required": False,
        }
    ]
    assert moodle.skipped == ["line 117: multichoice"]


def test_gift_export_of_the_same_course_reads_alike(gift, moodle):
    g, m = _by_slug(gift), _by_slug(moodle)
    assert g["self-attention"]["prompt"] == m["self-attention"]["prompt"]
    assert g["self-attention"]["references"] == [SELF_ATTENTION_REFERENCE.format("")]
    assert g["self-attention"]["tags"] == ["transformer", "attention"]  # from // [id:...] [tag:...]
    assert g["kv-cache"]["references"] == m["kv-cache"]["references"]
    assert gift.skipped == ["line 23: multiple choice", "line 30: true/false"]


def test_gift_escapes_formats_and_feedback(gift):
    ratio = _by_slug(gift)["ratio"]
    assert ratio["prompt"] == "In a ratio a:b, what does {b} stand for?"
    assert ratio["references"] == ['It is the second term; see "a:b" \\ notation.']  # [markdown], bold dropped
    assert ratio["keywords"][0]["term"] == "the second term"


def test_qti_package(qti_package):
    bank = formats.read(qti_package, source="llm.zip")
    assert (bank.name, bank.format) == ("LLM screening & practice", "qti")
    assert bank.skipped == ["items/ITEM-CHOICE-3.xml: qti-choice-interaction"]
    essay, lora = bank.questions
    assert essay["slug"] == "item-essay-1"
    assert essay["prompt"] == (
        "Transformers read all tokens at once.\n\n[image: sine and cosine curves of different frequencies]\n\n"
        "Why does a Transformer need positional encoding, and how does the original paper compute it?"
    )
    # The scorer's rubric: its prose is the reference, its list the key points; the
    # candidate's instructions are not part of either.
    assert essay["references"] == [
        "Self-attention is order-blind: without positional encoding the model sees a bag of tokens."
    ]
    assert [p["text"] for p in essay["key_points"]] == [
        "Attention alone cannot tell token order apart.",
        "Sine and cosine functions of different frequencies encode each position \u2014 added to the embeddings.",
    ]
    assert [k["term"] for k in essay["keywords"]] == ["positional encoding"]  # bold, by the seed rule
    assert (essay["difficulty"], essay["language"], essay["tags"]) == (
        "hard",
        "en",
        ["transformer", "positional-encoding"],
    )
    # Correct response and mapping (negative entries are not keywords); qti: prefix throughout.
    assert lora["references"] == [
        "LoRA 冻结预训练权重，只训练注入的低秩矩阵 A 和 B（W + BA），可训练参数少 & 显存占用低。"
    ]
    assert [(k["term"], k["weight"]) for k in lora["keywords"]] == [("低秩", 2.0), ("LoRA", 1.0)]
    assert (lora["language"], lora["category"]) == ("zh-Hans", "general")


def test_a_single_qti_item_file():
    data = (FILES / "qti_package" / "items" / "ITEM-ESSAY-2.xml").read_bytes()
    bank = formats.read(data, source="ITEM-ESSAY-2.xml")
    assert [q["slug"] for q in bank.questions] == ["item-essay-2"]


@pytest.mark.parametrize(
    "markup, text",
    [
        ("<p>a&nbsp;&amp;&lt;b&gt;</p><p>c<br>d</p>", "a &<b>\n\nc\nd"),
        ("<ol start='3'><li>x<ul><li>y</li></ul></li><li>z</li></ol>", "3. x\n  - y\n4. z"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a\nb"),
        ("<p>x<script>alert(1)</script><!-- note --> y</p>", "x y"),
        ("<img src='absent.png'>", "[image]"),
    ],
)
def test_html_to_text(markup, text):
    assert html_to_text(markup) == text


def test_text_to_html_round_trips_spacing():
    text = "  leading\nline  with   runs \n\n- item\n  - nested <tag> & more"
    assert html_to_text(text_to_html(text)) == text
