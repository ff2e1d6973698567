"""Deterministic stand-ins for heavy dependencies."""

import hashlib

import numpy as np

from quizsvc.scoring.text import squash

DIMENSION = 256


class FakeEmbedder:
    """Bag of character bigrams hashed into a fixed vector: texts that share wording are
    close, unrelated texts are near-orthogonal. Deterministic across runs and machines.
    Counts its calls so tests can check what was encoded."""

    model_id = "fake-bigram-256"

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIMENSION), np.float32)

    @staticmethod
    def _vector(text: str) -> np.ndarray:
        letters = squash(text)
        vector = np.zeros(DIMENSION, np.float32)
        grams = [letters[i : i + 2] for i in range(len(letters) - 1)] or [letters]
        for gram in grams:
            digest = hashlib.blake2b(gram.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % DIMENSION] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    @property
    def encoded_texts(self) -> list[str]:
        return [t for call in self.calls for t in call]
