"""How close two single words are in meaning, from the embedder: `WordSimilarity.best(...)`.

The answer checks (`rag.extract.coverage`, the counted noun in `rag.cite`) compare words
by their first letters, so a question asked in other words than the article's ("blaze"
for "fire", "houses" for "homes", "prize money" for "50,000 dollars") reads as not
addressed. The embedder already loaded for retrieval gives each word a vector; two words
whose vectors have a cosine of at least a threshold count as the same word. Measured
cosines (MiniLM-L6, single words): houses/homes 0.90, money/dollars 0.79, workers/people
0.67, blaze/fire 0.61, stock/shares 0.68, but drones/containers 0.26,
insured/destroyed 0.24, and men/women 0.72 (antonyms of one kind sit close). So a match
relaxes only the check of what a claim is about (`SIMILAR`, 0.6), and the counted-noun
check at a stricter `SAME_THING` (0.8) with the claim's own number in the quote; never the
support of what a claim states.

Simplified on purpose: one vector per word out of context; vectors are cached for the
process (a few thousand words at most in practice: question and quote words).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class _Embeds(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class WordSimilarity:
    """Cosines between single words, each word embedded once."""

    def __init__(self, embedder: _Embeds, limit: int = 50_000) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self._limit = limit

    def _vectors_of(self, words: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(w for w in words if w not in self._vectors))
        if new:
            if len(self._vectors) + len(new) > self._limit:
                self._vectors.clear()
            for word, vector in zip(new, self._embedder.embed(new)):
                self._vectors[word] = vector
        return np.stack([self._vectors[w] for w in words])

    def best(self, words: Sequence[str], others: Sequence[str]) -> list[float]:
        """For each of `words`, its highest cosine with any of `others` (0.0 when there are none)."""
        words = [w.lower() for w in words]
        others = list(dict.fromkeys(o.lower() for o in others))
        if not words:
            return []
        if not others:
            return [0.0] * len(words)
        return [float(x) for x in (self._vectors_of(words) @ self._vectors_of(others).T).max(axis=1)]
