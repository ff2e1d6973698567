"""The seed Markdown parser: on the real seed file and on small inline snippets."""

import re
from pathlib import Path

import pytest
import yaml

from quizsvc.bank.bank_file import FIELD_ORDER
from quizsvc.bank.seed_markdown import (
    DEFAULT_CATEGORY,
    extract_keywords,
    parse_seed_markdown,
    strip_emphasis,
    to_simplified,
)

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "llm_interview_zh.md"
BANK = Path(__file__).resolve().parents[2] / "seed" / "llm_interview_zh.yaml"
QUESTION_KEYS = set(FIELD_ORDER) - {"examples"}  # reviewed examples are optional in a bank file


@pytest.fixture(scope="module")
def seed_questions():
    if not SEED.is_file():
        pytest.skip(f"seed file not available: {SEED}")
    return parse_seed_markdown(SEED.read_text(encoding="utf-8"))


def _keyword(question, term):
    return next(k for k in question["keywords"] if k["term"] == term)


# --- the real seed ------------------------------------------------------------------


def test_seed_has_twenty_questions_in_two_categories(seed_questions):
    assert len(seed_questions) == 20
    assert [q["category"] for q in seed_questions] == ["基本概念與理論"] * 6 + ["LLM 技術進階"] * 14


def test_seed_listing_block_is_a_category_not_a_question(seed_questions):
    assert "基本概念與理論" not in [q["prompt"] for q in seed_questions]
    assert seed_questions[0]["references"][0].startswith("大型語言模型（LLM）的定義：\n- 大型語言模型（LLM, ")


def test_seed_keeps_both_what_is_an_llm_questions(seed_questions):
    first, second = seed_questions[0], seed_questions[6]
    assert first["prompt"] == "什麼是大型語言模型（LLM）？它們與傳統語言模型有什麼區別？"
    assert second["prompt"] == "什麼是大型語言模型（LLM），為什麼它們能夠在自然語言處理中表現出色？"
    assert first["slug"] != second["slug"]
    assert first["references"] != second["references"]


def test_seed_prompts_are_plain_text(seed_questions):
    assert seed_questions[5]["prompt"] == (
        "什麼是掩碼語言建模（Masked Language Modeling, MLM）和"
        "自回歸語言建模（Autoregressive Language Modeling, ARLM）？"
    )
    assert seed_questions[19]["prompt"] == "如何在大型語言模型中引入外部知識（如知識圖譜）來提高其回答準確性？"


def test_seed_emphasis_is_stripped_everywhere(seed_questions):
    for q in seed_questions:
        texts = [q["prompt"], *q["references"], *(p["text"] for p in q["key_points"])]
        for text in texts:
            assert "**" not in text and "__" not in text and "`" not in text
            assert not re.search(r"^\s*\* ", text, re.M), text  # bullets normalised to "- "
            assert not re.search(r" +$", text, re.M)
            assert "\n\n\n" not in text


def test_seed_self_attention_broken_line_is_repaired(seed_questions):
    reference = seed_questions[3]["references"][0]
    assert "- 自注意力機制是 Transformer 中的一個核心組件，它允許每個詞彙在序列中關注其他所有詞彙。" in reference
    assert "中的一\n" not in reference
    assert seed_questions[3]["key_points"][0]["text"].startswith("自注意力機制是 Transformer 中的一個核心組件")


def test_seed_chatbot_sign_off_is_dropped(seed_questions):
    last = seed_questions[-1]["references"][0]
    assert last.endswith("我們可以期待 LLM 在結合外部知識方面取得更大的進展。")
    for q in seed_questions:
        assert "希望這些回答對您有所幫助" not in q["references"][0]
        assert "歡迎隨時提問" not in q["references"][0]


def test_seed_keyword_pairs_get_simplified_and_english_aliases(seed_questions):
    self_attention = _keyword(seed_questions[3], "自注意力機制")
    assert self_attention == {
        "term": "自注意力機制",
        "aliases": ["自注意力机制", "Self-Attention"],
        "weight": 1.0,
        "required": False,
    }
    assert _keyword(seed_questions[5], "掩碼語言建模")["aliases"] == [
        "掩码语言建模",
        "Masked Language Modeling",
        "MLM",
    ]
    assert _keyword(seed_questions[0], "大型語言模型")["aliases"] == [
        "大型语言模型",
        "LLM",
        "Large Language Model",
    ]
    assert _keyword(seed_questions[2], "BERT")["aliases"] == [
        "Bidirectional Encoder Representations from Transformers",
    ]
    assert _keyword(seed_questions[0], "RNN")["aliases"] == ["循環神經網絡", "循环神经网络"]


def test_seed_keywords_drop_generic_and_sentence_labels(seed_questions):
    terms = {k["term"] for q in seed_questions for k in q["keywords"]}
    assert not terms & {"定義", "應用", "優勢", "目的", "方法", "結果", "架構", "訓練方法", "應用場景"}
    assert not [t for t in terms if t.endswith(("：", ":", "？")) or "，" in t]
    assert "梯度檢查點的優缺點" not in terms  # a bold sub-heading line


def test_seed_keywords_merge_duplicates_within_a_question(seed_questions):
    for q in seed_questions:
        terms = [k["term"] for k in q["keywords"]]
        assert len(terms) == len(set(terms))
    assert _keyword(seed_questions[4], "微調")["aliases"] == ["微调", "fine-tuning"]


def test_seed_slugs_are_unique_ascii(seed_questions):
    slugs = [q["slug"] for q in seed_questions]
    assert len(set(slugs)) == 20
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)


def test_seed_questions_have_the_bank_shape(seed_questions):
    for q in seed_questions:
        assert set(q) == QUESTION_KEYS
        assert q["language"] == "zh-Hant"
        assert q["difficulty"] in {"easy", "medium", "hard"}
        assert q["misconceptions"] == []
        assert len(q["references"]) == 1
        assert len(q["key_points"]) >= 2
        assert all(p == {"text": p["text"], "weight": 1.0} and p["text"] for p in q["key_points"])


def test_seed_key_points_follow_top_level_items(seed_questions):
    multi_head = seed_questions[9]
    assert [p["text"] for p in multi_head["key_points"]] == [
        "在 Transformer 中，多頭注意力機制將輸入序列分成多個子空間，並在每個子空間中分別計算注意力。",
        "捕捉不同層面的信息：不同的注意力頭可以關注輸入序列的不同方面，例如語法結構、語義關係、指代關係等。"
        "這使得模型能夠更全面地理解輸入序列。",
        "提高模型的表達能力：多個注意力頭相當於多個獨立的注意力模型，它們的輸出可以融合在一起，提高模型的整體表達能力。",
        "穩定訓練過程：多個注意力頭可以起到一種集成學習的作用，減少模型對個別注意力頭的依賴，提高訓練的穩定性。",
    ]
    # Sub-bullets of a claim merge into it; a bare label ("優點：") hands over to its children.
    assert len(seed_questions[0]["key_points"]) == 6
    assert seed_questions[0]["key_points"][2]["text"].endswith("可以在更長的文本序列中進行推理和生成。")
    assert [p["text"] for p in seed_questions[18]["key_points"][5:7]] == [
        "優點：顯著減少內存佔用，允許訓練更大的模型。",
        "優點：實現相對簡單，易於集成到現有的深度學習框架中。",
    ]


def test_seed_answer_without_lists_uses_its_paragraphs(seed_questions):
    positional = seed_questions[10]
    assert [p["text"] for p in positional["key_points"]] == [
        "Transformer 模型中的自注意力機制本身不包含序列中詞的位置信息。為了讓模型能夠區分詞的順序，需要引入位置編碼。",
        "位置編碼是一種將詞的位置信息融入到詞向量中的方法。Transformer 中通常使用正弦和餘弦函數生成位置編碼，"
        "將不同位置的詞映射到不同的向量空間中。這樣，模型就能夠通過詞向量中包含的位置信息來理解詞的順序。",
    ]


# --- inline snippets -----------------------------------------------------------------

SNIPPET = """\
### 1. **基礎**

   - **什麼是甲？**
   - **什麼是乙？**

### 1. **什麼是甲？**

**甲的定義：**
- **定義**：甲是一種**注意力**方法，用於自然語言處理（NLP）任務。
- 例子包括 A 和 B。

### 2. **什麼是乙？**

乙是一種很長的方法名稱，它由兩部分組成，這裡要寫得夠長才

會被當成斷行的句子。另一句。
## 1. 丙與丁有什麼區別？

丙的說明很簡單，以下是要點：

* **並行計算**：丙使用掩碼語言建模（Masked Language Modeling, MLM）。   
* **優點**：
    * 速度快。
    * 實現簡單。



希望這些回答對您有所幫助！如果您還有其他問題，歡迎隨時提問。
"""


@pytest.fixture(scope="module")
def snippet():
    return parse_seed_markdown(SNIPPET)


def test_snippet_listing_names_the_category_until_the_heading_level_changes(snippet):
    assert [(q["prompt"], q["category"]) for q in snippet] == [
        ("什麼是甲？", "基礎"),
        ("什麼是乙？", "基礎"),
        ("丙與丁有什麼區別？", DEFAULT_CATEGORY),
    ]
    assert DEFAULT_CATEGORY == "LLM 技術進階"


def test_snippet_category_override():
    questions = parse_seed_markdown("## 1. 問題？\n\n- 一。\n- 二。\n", default_category="其他")
    assert questions[0]["category"] == "其他"


def test_snippet_reference_is_normalised_plain_text(snippet):
    assert snippet[0]["references"] == [
        "甲的定義：\n- 定義：甲是一種注意力方法，用於自然語言處理（NLP）任務。\n- 例子包括 A 和 B。"
    ]
    assert snippet[2]["references"] == [
        "丙的說明很簡單，以下是要點：\n\n"
        "- 並行計算：丙使用掩碼語言建模（Masked Language Modeling, MLM）。\n"
        "- 優點：\n  - 速度快。\n  - 實現簡單。"
    ]


def test_snippet_broken_line_is_joined(snippet):
    assert snippet[1]["references"] == [
        "乙是一種很長的方法名稱，它由兩部分組成，這裡要寫得夠長才會被當成斷行的句子。另一句。"
    ]


def test_snippet_short_unpunctuated_line_is_not_joined():
    text = "## 1. 問題？\n\n小標題\n\n內容一。內容二。\n"
    assert parse_seed_markdown(text)[0]["references"] == ["小標題\n\n內容一。內容二。"]


def test_snippet_key_points(snippet):
    assert [p["text"] for p in snippet[0]["key_points"]] == [
        "定義：甲是一種注意力方法，用於自然語言處理（NLP）任務。",
        "例子包括 A 和 B。",
    ]
    # Without lists the sentences are the units; lead-ins ending in "：" never are.
    assert [p["text"] for p in snippet[1]["key_points"]] == [
        "乙是一種很長的方法名稱，它由兩部分組成，這裡要寫得夠長才會被當成斷行的句子。",
        "另一句。",
    ]


def test_snippet_key_points_skip_lead_in_and_split_bare_labels(snippet):
    assert [p["text"] for p in snippet[2]["key_points"]] == [
        "並行計算：丙使用掩碼語言建模（Masked Language Modeling, MLM）。",
        "優點：速度快。",
        "優點：實現簡單。",
    ]


def test_snippet_sign_off_is_dropped(snippet):
    assert "希望" not in snippet[2]["references"][0]


def test_snippet_keywords(snippet):
    assert snippet[0]["keywords"] == [
        {"term": "注意力", "aliases": [], "weight": 1.0, "required": False},
        {"term": "自然語言處理", "aliases": ["自然语言处理", "NLP"], "weight": 1.0, "required": False},
    ]
    assert snippet[2]["keywords"] == [
        {"term": "並行計算", "aliases": ["并行计算"], "weight": 1.0, "required": False},
        {
            "term": "掩碼語言建模",
            "aliases": ["掩码语言建模", "Masked Language Modeling", "MLM"],
            "weight": 1.0,
            "required": False,
        },
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LLM（Large Language Model）很大。", [("LLM", ["Large Language Model"])]),
        ("如 RNN（循環神經網絡）較差。", [("RNN", ["循環神經網絡", "循环神经网络"])]),
        ("什麼是「零樣本學習」（Zero-Shot Learning）？", [("零樣本學習", ["零样本学习", "Zero-Shot Learning"])]),
        ("梯度檢查點 (Gradient Checkpointing) 是技術。", [("梯度檢查點", ["梯度检查点", "Gradient Checkpointing"])]),
        ("由自注意力層和前饋神經網絡（FFNN）組成", [("前饋神經網絡", ["前馈神经网络", "FFNN"])]),
        ("使用文本數據（如書籍、網站文章等）訓練。", []),
        ("**BERT** 和 **BERT（Bidirectional Encoder）**", [("BERT", ["Bidirectional Encoder"])]),
        ("**訓練方法**：**應用場景**：**什麼是甲？** **很長很長很長很長很長很長的粗體句子**", []),
    ],
)
def test_extract_keywords(text, expected):
    assert [(k["term"], k["aliases"]) for k in extract_keywords([text])] == expected


def test_strip_emphasis_and_to_simplified():
    assert strip_emphasis("**粗體** 與 *斜體*、__底線__ 和 `code`，2 * 3") == "粗體 與 斜體、底線 和 code，2 * 3"
    assert to_simplified("自注意力機制與大型語言模型") == "自注意力机制与大型语言模型"
    assert to_simplified("Self-Attention") == "Self-Attention"


def test_placeholder_slugs_are_unique():
    text = (
        "## 1. 什麼是 LLM？\n\n- 一。\n- 二。\n## 2. 什麼是 LLM？\n\n- 三。\n- 四。\n## 3. 為什麼？\n\n- 五。\n- 六。\n"
    )
    assert [q["slug"] for q in parse_seed_markdown(text)] == ["llm", "llm-2", "question"]


# --- the reviewed bank file ------------------------------------------------------------


def test_reviewed_bank_keeps_the_parsed_text(seed_questions):
    bank = yaml.safe_load(BANK.read_text(encoding="utf-8"))
    assert (bank["format"], bank["name"]) == ("quizsvc-bank/1", "llm_interview_zh")
    questions = bank["questions"]
    assert len(questions) == 20
    assert [q["prompt"] for q in questions] == [q["prompt"] for q in seed_questions]
    assert [q["references"] for q in questions] == [q["references"] for q in seed_questions]
    assert len({q["slug"] for q in questions}) == 20
    for q in questions:
        assert set(q) == QUESTION_KEYS
        assert 2 <= len(q["tags"]) <= 4
        assert len(q["key_points"]) >= 2
        assert 1 <= sum(k["required"] for k in q["keywords"]) <= 3
