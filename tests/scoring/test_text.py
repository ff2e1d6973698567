"""quizsvc.scoring.text: the one matching form everything is compared in."""

import pytest

from quizsvc.scoring.text import (
    SENTENCE_CHARS,
    clean,
    content_words,
    formulas,
    function_word_share,
    language_of,
    normalise,
    question_word_spans,
    readable,
    script_variants,
    split_units,
    squash,
    without_words,
)

# -- normalise / clean / squash -----------------------------------------------------------


def test_normalise_folds_full_width_forms_to_half_width():
    assert normalise("ＡＢＣ　１２３") == "abc 123"


def test_normalise_strips_markdown_emphasis_code_and_links():
    assert (
        normalise("**自注意力機制** uses `Query` and [keys](http://example.com)") == "自注意力机制 uses query and keys"
    )


def test_normalise_strips_markdown_headings_quotes_and_list_markers():
    assert normalise("# 標題\n- 項目一\n> 引用") == "标题\n项目一\n引用"


def test_normalise_drops_fenced_code_blocks():
    assert normalise("before ```print(1)``` after") == "before after"


def test_normalise_converts_traditional_to_simplified():
    assert normalise("自注意力機制讓每個詞關注所有詞") == "自注意力机制让每个词关注所有词"


def test_normalise_lower_cases_and_collapses_whitespace():
    assert normalise("  Self-Attention \t  IS   Great  ") == "self-attention is great"


@pytest.mark.parametrize(
    ("pasted", "typed"),
    [
        ("self\u00adattention", "selfattention"),  # soft hyphen
        ("自注\u200b意力机制", "自注意力机制"),  # zero-width space
        ("\ufeffKV cache", "KV cache"),  # byte order mark
        ("BERT\u200d 是\u200e编码器", "BERT 是编码器"),  # zero-width joiner, direction mark
    ],
)
def test_invisible_characters_of_pasted_text_are_dropped(pasted, typed):
    assert normalise(pasted) == normalise(typed)
    assert content_words(normalise(pasted)) == content_words(normalise(typed))
    assert clean(pasted) == clean(typed)


def test_rich_text_html_is_read_as_its_words_and_lines():
    html = "<p>自注意力让每个词关注所有词。</p><ul><li>用<strong>查询</strong>、键和值</li><li>复杂度 O(n&lt;sup&gt;2&lt;/sup&gt;)</li></ul>"
    assert readable(html).split() == ["自注意力让每个词关注所有词。", "用查询、键和值", "复杂度", "O(n<sup>2</sup>)"]
    assert split_units(clean(html)) == ["自注意力让每个词关注所有词。", "用查询、键和值", "复杂度 O(n<sup>2</sup>)"]
    assert normalise("<p>Self-attention&nbsp;relates every token.</p>") == "self-attention relates every token."
    assert readable("<table><tr><td>栈</td><td>后进先出</td></tr></table>").split() == ["栈", "后进先出"]


@pytest.mark.parametrize(
    "text",
    ["List<String> 是泛型", "当 a<b 且 b>c 时", "用 <div> 和 <span> 布局", "<b>粗体</b> 只是一个例子"],
)
def test_angle_brackets_outside_rich_text_markup_stay(text):
    assert readable(text) == text


def test_clean_keeps_case_but_normalises_script_and_width():
    assert clean("  **Transformer** 的自注意力機制 ＡＢＣ ") == "Transformer 的自注意力机制 ABC"


def test_clean_and_normalise_accept_none_and_empty():
    assert clean(None) == ""
    assert normalise("") == ""


def test_squash_keeps_only_letters_digits_and_cjk():
    assert squash("Self-Attention") == "selfattention"
    assert squash("self attention") == "selfattention"
    assert squash("GPT-3.5，自注意力機制！") == "gpt35自注意力机制"
    assert squash("。。。!!!") == ""


# -- language_of --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "自注意力机制让每个词关注所有其他词",
        "Transformer 使用 self-attention 机制",
        "用 query、key 和 value 计算 attention 权重",
        "微调 LoRA adapters",  # a tie: two characters against two words
    ],
)
def test_language_of_chinese_even_with_english_terms(text):
    assert language_of(text) == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "Self-attention lets every token attend to all the others",
        "The model uses 注意力 in every layer of the network",
        "",
        "12345",
    ],
)
def test_language_of_english_or_no_letters(text):
    assert language_of(text) == "en"


# -- split_units --------------------------------------------------------------------------


def test_split_units_chinese_sentences_and_merges_short_fragment():
    # "对吗？" is too short to be a clause of its own: it joins the one before it.
    assert split_units("自注意力让每个词关注所有词。它用查询、键和值计算权重！对吗？") == [
        "自注意力让每个词关注所有词。",
        "它用查询、键和值计算权重！对吗？",
    ]


def test_split_units_fragment_in_the_middle_joins_previous_clause():
    assert split_units("这是第一句话。好。这是第三句话。") == ["这是第一句话。好。", "这是第三句话。"]


def test_split_units_english_sentences():
    text = "Self-attention lets each token attend to all others. It uses queries, keys and values."
    assert split_units(text, longest=SENTENCE_CHARS) == [
        "Self-attention lets each token attend to all others.",
        "It uses queries, keys and values.",
    ]
    # Clauses: every comma cuts too (a fragment too short to compare joins the clause before it).
    assert split_units(text) == [
        "Self-attention lets each token attend to all others.",
        "It uses queries,",
        "keys and values.",
    ]


def test_split_units_does_not_cut_decimal_numbers():
    assert split_units("GPT-3.5 is a model. It is large.") == ["GPT-3.5 is a model.", "It is large."]


def test_split_units_semicolons_and_newlines_end_clauses():
    assert split_units("缓存键和值；避免重复计算\n代价是显存增长") == ["缓存键和值；", "避免重复计算", "代价是显存增长"]


def test_split_units_cuts_a_long_clause_at_commas():
    sentence = (
        "自注意力机制让序列中的每一个词都能够直接关注到序列里的所有其他词语，"
        "并且它用查询向量、键向量和值向量来计算注意力权重，"
        "最后再对值向量进行加权求和得到输出结果。"
    )
    assert len(sentence) > 60
    assert split_units(sentence) == [
        "自注意力机制让序列中的每一个词都能够直接关注到序列里的所有其他词语，",
        "并且它用查询向量、键向量和值向量来计算注意力权重，",
        "最后再对值向量进行加权求和得到输出结果。",
    ]


def test_split_units_keeps_a_short_sentence_with_commas_whole_and_cuts_clauses_at_them():
    assert split_units("缓存键和值，避免重复计算。", longest=SENTENCE_CHARS) == ["缓存键和值，避免重复计算。"]
    assert split_units("缓存键和值，避免重复计算。") == ["缓存键和值，", "避免重复计算。"]


def test_split_units_too_short_text_is_one_unit_and_empty_text_none():
    assert split_units("ok.") == ["ok."]
    assert split_units("") == []
    assert split_units("   ") == []


# -- content_words ------------------------------------------------------------------------


def test_content_words_chinese_are_jieba_words_without_stopwords():
    assert content_words(normalise("我们使用注意力机制")) == ("注意力", "机制")


def test_content_words_chinese_sentence():
    words = content_words(normalise("自注意力机制让每个词关注所有其他词"))
    assert words == ("自", "注意力", "机制", "每个", "词", "关注", "所有", "词")
    assert "让" not in words and "其他" not in words


def test_content_words_english_are_stems_without_stopwords():
    assert content_words(normalise("The models are attending to the tokens running")) == (
        "model",
        "attend",
        "token",
        "run",
    )


def test_content_words_drop_single_letters_but_keep_numbers_and_symbols():
    assert content_words(normalise("a 3 x GPT-4 C++")) == ("3", "gpt", "4", "c++")


def test_content_words_of_empty_text():
    assert content_words("") == ()


# -- script_variants ----------------------------------------------------------------------


def test_script_variants_of_traditional_text():
    assert script_variants("自注意力機制") == ["自注意力機制", "自注意力机制"]


def test_script_variants_of_simplified_text():
    assert script_variants("自注意力机制") == ["自注意力机制", "自注意力機制"]


def test_script_variants_of_latin_text_has_no_repeats():
    assert script_variants("self-attention") == ["self-attention"]


# -- function_word_share ------------------------------------------------------------------


def test_function_word_share_of_a_bare_term_list_is_zero():
    assert function_word_share(normalise("自注意力、查询、键、值")) == 0.0
    assert function_word_share(normalise("gradient descent, loss, learning rate")) == 0.0


def test_function_word_share_of_english_prose():
    # it, is, the: function words; model: content.
    assert function_word_share("it is the model") == pytest.approx(0.75)


def test_function_word_share_of_chinese_prose_is_positive():
    assert function_word_share(normalise("它是因为模型可以关注所有词")) > 0.2


def test_function_word_share_of_empty_text_is_zero():
    assert function_word_share("") == 0.0


def test_english_sentences_ending_in_capitals_are_split():
    assert split_units(clean("The encoder is BERT. The decoder is GPT. Both use attention.")) == [
        "The encoder is BERT.",
        "The decoder is GPT.",
        "Both use attention.",
    ]


def test_abbreviations_do_not_end_a_clause():
    assert split_units(clean("Heads attend differently, e.g. to syntax. They are cheap."), longest=SENTENCE_CHARS) == [
        "Heads attend differently, e.g. to syntax.",
        "They are cheap.",
    ]


# -- question words ---------------------------------------------------------------------------

ASKED = frozenset(content_words(normalise("How did you separate the salt from the water? 栈的插入操作是什么")))


def test_question_word_spans_find_english_words_by_their_stems_in_any_case():
    text = "Separating SALT from waters"
    assert [text[s:e] for s, e in question_word_spans(text, ASKED)] == ["Separating", "SALT", "waters"]


def test_question_word_spans_never_include_function_words():
    # "from" and "the" are in the question too, but they carry no content.
    assert question_word_spans("the from", ASKED) == []


def test_question_word_spans_find_chinese_words_as_jieba_segments_them():
    text = "栈的插入在栈顶"
    # 栈顶 is a word of its own, not the question's 栈.
    assert [text[s:e] for s, e in question_word_spans(text, ASKED)] == ["栈", "插入"]


def test_without_words_keeps_what_the_answer_says_beyond_the_question():
    assert without_words("The water evaporated, leaving the salt.", ASKED) == "The evaporated, leaving the ."
    assert without_words("栈的插入在栈顶进行", ASKED) == "的在栈顶进行"
    assert without_words("Salt and water", ASKED) == "and"


def test_without_words_of_no_question_words_is_the_text():
    assert without_words("  The  water evaporated ", frozenset()) == "The water evaporated"


# -- formulas ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("个数为2^(n-1)", {"2^(n-1)"}),
        ("2 ^ (n - 1) 个", {"2^(n-1)"}),  # spaces around operators
        ("2^（n−1）", {"2^(n-1)"}),  # full-width brackets, the minus sign
        ("2的n-1次方种二叉树", {"2^(n-1)"}),
        ("2的（n-1）次方", {"2^(n-1)"}),
        ("n的平方", {"n^2"}),
        ("(2*n+1)/3", {"(2n+1)/3"}),  # "2*n" is "2n"
        ("平均移动（n/2）个", {"n/2"}),  # enclosing brackets
        ("1.n/2 2.(2n+1)/3", {"n/2", "(2n+1)/3"}),  # list markers
        ("ai=3(n-i+1)", {"3(n-i+1)"}),
        ("O(nlogn)", set()),  # words are not variables
        ("a self-attention layer with top-k sampling", set()),
        ("插在ai与ai+1之间", set()),  # "ai": a subscripted name, not a one-letter variable
        ("3.14 and 42", set()),  # numbers alone make no formula
        ("", set()),
    ],
)
def test_formulas_in_one_canonical_form(text, expected):
    assert formulas(normalise(text)) == expected


def test_formulas_tell_apart_what_an_encoder_reads_alike():
    right = formulas(normalise("2^(n-1)"))
    assert not right & formulas(normalise("2^n-1"))
    assert not right & formulas(normalise("2n-1"))
    assert not right & formulas(normalise("2^(i-1)"))
