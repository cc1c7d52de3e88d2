"""Frozen records passed between the pipeline stages.

Offsets are character offsets into the article file as it is on disk (decoded as UTF-8),
so `file_text[start:end] == text` holds for every `Chunk` and every `Citation.quote`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    source: str  # path relative to the corpus folder, with forward slashes
    text: str
    title: str
    sha256: str


@dataclass(frozen=True)
class Chunk:
    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A retrieved passage. `score` is the fused (RRF) rank score; `dense` the cosine similarity."""

    chunk: Chunk
    title: str
    score: float
    dense: float
    bm25: float


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    start: int
    end: int
    quote: str
    score: float  # cosine similarity of the cited passage to the question


@dataclass(frozen=True)
class Timings:
    retrieve_ms: float
    generate_ms: float
    total_ms: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings: Timings = field(default_factory=lambda: Timings(0.0, 0.0, 0.0))
    hits: tuple[Hit, ...] = ()

    def to_json(self) -> dict:
        """The public JSON contract of `rag ask --json` (hits are internal and left out)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [
                {"n": c.n, "source": c.source, "start": c.start, "end": c.end,
                 "quote": c.quote, "score": round(c.score, 4)}
                for c in self.citations
            ],
            "timings": {
                "retrieve_ms": round(self.timings.retrieve_ms, 1),
                "generate_ms": round(self.timings.generate_ms, 1),
                "total_ms": round(self.timings.total_ms, 1),
            },
        }


@dataclass(frozen=True)
class Delta:
    """A piece of generated text, as it streams out of the model."""

    text: str
