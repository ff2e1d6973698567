"""quizsvc.scoring.keywords: rubric terms found across scripts, spellings and small typos."""

import pytest

from quizsvc.scoring.keywords import Keyword, asserts, find_form, matched_form
from quizsvc.scoring.text import normalise


def found(text: str, form: str) -> bool:
    return find_form(normalise(text), form) >= 0


# -- Keyword ------------------------------------------------------------------------------


def test_keyword_forms_are_the_term_then_its_aliases():
    keyword = Keyword("自注意力機制", aliases=("自注意力机制", "self-attention"))
    assert keyword.forms == ("自注意力機制", "自注意力机制", "self-attention")
    assert keyword.weight == 1.0 and keyword.required is False


# -- find_form ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, form",
    [
        ("我们使用自注意力機制来建模", "自注意力机制"),
        ("我们使用自注意力机制来建模", "自注意力機制"),
        ("我們使用自注意力機制來建模", "自注意力机制"),
    ],
)
def test_chinese_forms_match_across_scripts(text, form):
    assert find_form(normalise(text), form) == 4


def test_chinese_form_matches_across_punctuation_and_spaces():
    assert found("自注意力 机制", "自注意力机制")


@pytest.mark.parametrize(
    "text", ["uses self attention", "uses Self-Attention", "uses self_attention", "uses self/attention"]
)
def test_latin_forms_match_spelling_variants(text):
    assert find_form(normalise(text), "Self-Attention") == 5


def test_spaced_or_hyphenated_form_matches_solid_spelling():
    assert found("uses selfattention", "self-attention")
    assert found("an autoregressive model", "auto regressive")


def test_latin_form_matches_english_plural():
    assert found("two transformers", "Transformer")
    assert found("several GPTs", "GPT")


def test_find_form_returns_index_into_the_normalised_text():
    text = normalise("The Transformer model")
    assert find_form(text, "transformer") == 4
    assert find_form(text, "LSTM") == -1


@pytest.mark.parametrize("typo", ["tranformer", "transfromer", "transformr"])
def test_long_latin_forms_tolerate_small_typos(typo):
    assert found(f"the {typo} model", "Transformer")


def test_typo_budget_grows_with_length():
    # 15 letters: two edits are tolerated, three are not.
    assert found("the bakpropagaton algorithm", "backpropagation")
    assert not found("the bkpropagaton algorithm", "backpropagation")
    # 9 letters: one edit, not two.
    assert found("the attenton mechanism", "attention")
    assert not found("the atenton mechanism", "attention")


@pytest.mark.parametrize("text", ["uses brt", "uses bart", "uses bertt"])
def test_short_forms_get_no_typo_budget(text):
    assert not found(text, "BERT")


def test_short_form_must_be_a_whole_word():
    assert not found("chatgptx is great", "gpt")
    assert not found("chatgpt is great", "gpt")
    assert found("gpt is great", "gpt")
    assert not found("the tokenizer", "token")


def test_empty_or_punctuation_only_form_never_matches():
    assert find_form(normalise("anything"), "") == -1
    assert find_form(normalise("anything"), "---") == -1


# -- matched_form -------------------------------------------------------------------------


def test_matched_form_names_the_form_that_matched():
    keyword = Keyword("自注意力機制", aliases=("self-attention",))
    assert matched_form(normalise("用 Self Attention 计算"), keyword) == "self-attention"
    assert matched_form(normalise("用自注意力机制计算"), keyword) == "自注意力機制"
    assert matched_form(normalise("用卷积计算"), keyword) is None


# -- asserts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, form",
    [
        ("BERT 是自回归模型", "自回归"),
        ("BERT 是自回歸模型", "自回归"),
        ("BERT is autoregressive", "autoregressive"),
        ("BERT is an AutoRegressive model", "auto-regressive"),
    ],
)
def test_affirmative_claim_is_asserted(text, form):
    assert asserts(normalise(text), form) is True


@pytest.mark.parametrize(
    "text, form",
    [
        ("BERT 不是自回歸", "自回归"),
        ("BERT 并非自回归模型", "自回归"),
        ("BERT 没有自回归", "自回归"),
        ("BERT is not autoregressive", "autoregressive"),
        ("BERT isn't autoregressive", "autoregressive"),
        ("BERT is never autoregressive", "autoregressive"),
    ],
)
def test_negated_claim_is_not_asserted(text, form):
    assert asserts(normalise(text), form) is False


@pytest.mark.parametrize(
    "text, form",
    [
        ("认为 BERT 是自回归模型是一种误解", "自回归"),
        ("BERT 是自回归模型，这是常见误区", "自回归"),
        ("A common misconception is that BERT is autoregressive", "autoregressive"),
        ("It is wrong to say that BERT is autoregressive", "autoregressive"),
    ],
)
def test_claim_reported_as_wrong_is_not_asserted(text, form):
    assert asserts(normalise(text), form) is False


def test_absent_claim_is_not_asserted():
    assert asserts(normalise("BERT is a bidirectional encoder"), "autoregressive") is False


@pytest.mark.parametrize(
    "text, form",
    [
        ("an auto-regressive model", "autoregressive"),
        ("we use fine tuning", "finetuning"),
        ("self attention layers", "selfattention"),
    ],
)
def test_a_one_word_form_matches_split_spellings(text, form):
    assert found(text, form)


@pytest.mark.parametrize(
    "text, form",
    [
        ("BERT is not an autoregressive model", "autoregressive"),
        ("BERT is never really autoregressive", "autoregressive"),
        ("BERT 不是一个自回归模型", "自回归"),
    ],
)
def test_a_denial_a_few_words_before_the_claim_counts(text, form):
    assert not asserts(normalise(text), form)


@pytest.mark.parametrize(
    "text, form",
    [("BERT 不仅是自回归模型", "自回归"), ("a nano autoregressive model", "autoregressive"), ("非常自回归", "自回归")],
)
def test_words_that_merely_contain_a_negation_do_not_deny(text, form):
    assert asserts(normalise(text), form)


@pytest.mark.parametrize(
    "text, form",
    [("a decoder model", "encoder"), ("GPT is a decoder", "GPT is an encoder"), ("bidirectional", "unidirectional")],
)
def test_a_different_word_one_letter_away_is_not_a_typo(text, form):
    assert not found(text, form)


def test_claims_are_matched_without_typo_tolerance():
    text = normalise("BERT is autoregresive")
    assert find_form(text, "autoregressive") >= 0  # a keyword forgives the typo
    assert find_form(text, "autoregressive", typos=False) == -1
    assert not asserts(text, "BERT is autoregressive")
