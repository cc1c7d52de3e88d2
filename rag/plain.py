"""The plain pipeline, as a baseline: what an 80-line script with the same models does.

Paragraph chunks of at least 300 characters, BM25 and MiniLM rankings fused by RRF, the
top 4 passages shown whole in rank order, one plain prompt, and no checks: the reply is
the answer, and each `[n]` it writes cites passage n whole. `rag eval --baseline plain`
measures it on the gold set and `make bench` times it on the same runtime, so both
compare pipelines, not runtimes. Built over the articles the index holds, in memory.
Simplified on purpose: it is meant to be naive; nothing here is used by the real pipeline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import numpy as np

from rag.prompt import Message
from rag.schema import Answer, Chunk, Citation, Delta, Hit, Timings
from rag.settings import Settings

PROMPT = ("Answer the question in one or two sentences using only the sources. Cite the sources you use like [1]. "
          "If the sources do not contain the answer, reply exactly: I don't know.")
MIN_CHARS = 300
TOP_K = 4


def paragraphs(source: str, text: str) -> list[Chunk]:
    """Lines merged until each chunk holds at least MIN_CHARS characters, with their offsets."""
    chunks, start, end = [], None, None
    for m in re.finditer(r"[^\n]+", text):
        if not m.group().strip():
            continue
        start = m.start() if start is None else start
        end = m.end()
        if end - start >= MIN_CHARS:
            chunks.append(Chunk(source, start, end, text[start:end]))
            start = None
    if start is not None:
        chunks.append(Chunk(source, start, end, text[start:end]))
    return chunks


class PlainPipeline:
    """`answer`/`stream` like `rag.pipeline.Pipeline`, done the plain way."""

    def __init__(self, settings: Settings, generator, embedder, texts: dict[str, str]) -> None:
        import bm25s

        self.settings = settings
        self.generator = generator
        self.embedder = embedder
        self.chunks = [c for src, text in sorted(texts.items()) for c in paragraphs(src, text)]
        self.vectors = embedder.embed([c.text for c in self.chunks])
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize([c.text for c in self.chunks], show_progress=False), show_progress=False)

    @classmethod
    def load(cls, settings: Settings, generator=None, embedder=None) -> PlainPipeline:
        from rag.embed import load_embedder
        from rag.generate import load_generator
        from rag.store import load_index

        index = load_index(settings.index, settings)
        texts = {src: (settings.corpus / src).read_text(encoding="utf-8-sig") for src in index.manifest.files}
        return cls(settings, generator or load_generator(settings), embedder or load_embedder(settings), texts)

    def retrieve(self, question: str) -> list[Hit]:
        import bm25s

        q = self.embedder.embed([question])[0]
        cosine = self.vectors @ q
        dense = list(np.argsort(-cosine))
        ids, _ = self.bm25.retrieve(bm25s.tokenize([question], show_progress=False), k=len(self.chunks),
                                    show_progress=False)
        fused: dict[int, float] = {}
        for ranking in (dense, list(ids[0])):
            for rank, i in enumerate(ranking, start=1):
                fused[int(i)] = fused.get(int(i), 0.0) + 1 / (60 + rank)
        top = sorted(fused, key=lambda i: -fused[i])[:TOP_K]
        return [Hit(self.chunks[i], "", fused[i], float(cosine[i]), 0.0) for i in top]

    def stream(self, question: str, top_k: int | None = None, dates=None) -> Iterator[Delta | Answer]:  # noqa: ARG002
        t0 = time.perf_counter()
        hits = self.retrieve(question)
        t1 = time.perf_counter()
        sources = "\n\n".join(f"[{n}] {h.chunk.text}" for n, h in enumerate(hits, start=1))
        messages = [Message("system", PROMPT), Message("user", f"Sources:\n{sources}\n\nQuestion: {question}")]
        pieces, first = [], None
        for piece in self.generator.stream(messages, self.settings.max_new_tokens):
            first = first or time.perf_counter()
            pieces.append(piece)
            yield Delta(piece)
        t2 = time.perf_counter()
        reply = "".join(pieces).strip()
        refused = not reply or "don't know" in reply.lower()
        marks = dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", reply) if 1 <= int(n) <= len(hits))
        citations = tuple(Citation(n, hits[n - 1].chunk.source, hits[n - 1].chunk.start, hits[n - 1].chunk.end,
                                   hits[n - 1].chunk.text, hits[n - 1].dense) for n in marks) if not refused else ()
        yield Answer(question, reply, refused, citations,
                     Timings((t1 - t0) * 1000, (t2 - t1) * 1000, (t2 - t0) * 1000, ((first or t2) - t1) * 1000),
                     tuple(hits), reply=reply)

    def answer(self, question: str, top_k: int | None = None, dates=None) -> Answer:
        return [e for e in self.stream(question, top_k, dates) if isinstance(e, Answer)][-1]
