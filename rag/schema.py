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
    date: str | None = None  # ISO publication date, when the article gives one
    origin: str = ""  # the file it came from ("" = `source`); a feed or JSON export holds several articles
    url: str | None = None
    author: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class Chunk:
    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A retrieved passage. `score` is the fused (RRF) rank score; `dense` the cosine similarity.

    `also` holds near-copies of this passage from other articles (a retold wire story):
    they are kept out of the prompt but count as sources that report the same thing.
    """

    chunk: Chunk
    title: str
    score: float
    dense: float
    bm25: float
    date: str | None = None
    also: tuple[Hit, ...] = ()
    url: str | None = None


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    start: int
    end: int
    quote: str
    score: float  # cosine similarity of the cited passage to the question
    title: str = ""
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Claim:
    """One sentence of the answer, the citations behind it and how many articles report it."""

    text: str
    refs: tuple[int, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Version:
    """One value of a disputed fact, as the cited sources give it."""

    value: str
    refs: tuple[int, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """Retrieved articles that give different values (`kind`: money, count, date, period, percent)."""

    claim: str
    kind: str
    versions: tuple[Version, ...]
    over_time: bool = False  # not a dispute: the figure as articles of different days gave it, earliest first


def dispute_sentence(conflict: Conflict) -> str:
    """“The sources differ: “$24 billion” [2] vs. “approximately $25 billion” [1].”, or for a
    figure reported over time “Reported over time: “4 percent” [1], then “5.5 percent” [2].”"""
    said = (", then " if conflict.over_time else " vs. ").join(
        f"\u201c{v.value}\u201d " + "".join(f"[{n}]" for n in v.refs) for v in conflict.versions)
    return f"Reported over time: {said}." if conflict.over_time else f"The sources differ: {said}."


@dataclass(frozen=True)
class Timings:
    retrieve_ms: float
    generate_ms: float
    total_ms: float
    first_token_ms: float = 0.0  # from the start of generation to its first text


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings: Timings = field(default_factory=lambda: Timings(0.0, 0.0, 0.0))
    hits: tuple[Hit, ...] = ()
    claims: tuple[Claim, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    articles: int = 0  # articles in the index the answer was drawn from
    reply: str | None = None  # the model's raw reply; None when it was not run (nothing relevant found)
    searched: str = ""  # the standalone question retrieval used, when a follow-up was resolved ("" = `question`)
    extractive: bool = False  # the answer quotes an article's sentence because the model's reply did not hold up

    @property
    def text(self) -> str:
        """The answer as shown to a reader: its claims, then a sentence per fact the sources give differently."""
        return " ".join([self.answer] * bool(self.answer) + [dispute_sentence(c) for c in self.conflicts])

    def to_json(self) -> dict:
        """The public JSON contract of `rag ask --json` (hits are internal and left out)."""
        return {
            "question": self.question,
            "searched": self.searched or self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [
                {"n": c.n, "source": c.source, "title": c.title, "date": c.date, "url": c.url,
                 "start": c.start, "end": c.end, "quote": c.quote, "score": round(c.score, 4)}
                for c in self.citations
            ],
            "claims": [{"text": c.text, "citations": list(c.refs), "articles": len(c.sources)}
                       for c in self.claims],
            "conflicts": [
                {"claim": c.claim, "kind": c.kind, "over_time": c.over_time,
                 "values": [{"value": v.value, "sources": list(v.sources), "citations": list(v.refs)}
                            for v in c.versions]}
                for c in self.conflicts
            ],
            "extractive": self.extractive,
            "articles_indexed": self.articles,
            "timings": {
                "retrieve_ms": round(self.timings.retrieve_ms, 1),
                "generate_ms": round(self.timings.generate_ms, 1),
                "total_ms": round(self.timings.total_ms, 1),
                "first_token_ms": round(self.timings.first_token_ms, 1),
            },
        }


@dataclass(frozen=True)
class Turn:
    """One earlier turn of a conversation, as the follow-up resolver (`rag.followup`) needs it."""

    question: str  # as the user asked it
    searched: str  # its standalone form
    answer: str = ""  # the answer text ("" when refused)
    titles: tuple[str, ...] = ()  # titles of the articles it cited

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        titles = tuple(dict.fromkeys(c.title for c in answer.citations if c.title))
        return cls(answer.question, answer.searched or answer.question, "" if answer.refused else answer.answer,
                   titles)

    @classmethod
    def from_json(cls, data: dict) -> Turn:
        """A turn from `{"question": ..., "answer": ..., "searched": ..., "titles": [...]}` (all but question optional)."""
        return cls(data["question"], data.get("searched") or data["question"], str(data.get("answer") or ""),
                   tuple(data.get("titles") or ()))

    def to_json(self) -> dict:
        return {"question": self.question, "searched": self.searched, "answer": self.answer, "titles": list(self.titles)}


@dataclass(frozen=True)
class Delta:
    """A piece of generated text, as it streams out of the model."""

    text: str
