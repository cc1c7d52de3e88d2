"""Sentence embeddings with sentence-transformers, from a model shipped in a PyPI package.

Vectors are L2-normalised float32, so inner product == cosine similarity in FAISS.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from rag.models import embedder_path, set_offline

log = logging.getLogger(__name__)


class TextEmbedder(Protocol):
    """What the store and retriever need of an embedder (tests pass a fake one)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class Embedder:
    """Holds a loaded sentence-transformers model. Encoding is thread-safe in torch."""

    def __init__(self, name: str) -> None:
        set_offline()
        from sentence_transformers import SentenceTransformer

        self.name = name
        self._model = SentenceTransformer(str(embedder_path(name)), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension()) if hasattr(self._model, "get_embedding_dimension") \
            else int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool | None = None) -> np.ndarray:
        """Normalised vectors; a progress bar on long runs unless `progress` says otherwise."""
        if progress is None:
            progress = len(texts) > 64
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)
