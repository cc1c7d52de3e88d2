"""Hybrid retrieval: FAISS dense search and BM25, fused by reciprocal-rank fusion.

Each ranker proposes its top candidates; a candidate's fused score is the sum of
1/(60 + rank) over the rankers that found it (Cormack et al., 2009). Selection is then
greedy with a soft penalty per passage already taken from the same article, so passages
from several articles are kept when scores are close, while a clearly better passage from
an article already chosen still wins. Simplified on purpose: the BM25 index is built in
memory when the retriever is created (fast at this corpus size).
"""

from __future__ import annotations


from rag.embed import TextEmbedder
from rag.schema import Hit
from rag.store import Index
from rag.text import content_words

RRF_K = 60
SAME_SOURCE_PENALTY = 0.85  # fused score multiplier per passage already chosen from that article


class Retriever:
    """Holds the loaded index, the embedder and a BM25 index over the same chunks."""

    def __init__(self, index: Index, embedder: TextEmbedder) -> None:
        import logging

        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
        self.index = index
        self.embedder = embedder
        self._bm25 = bm25s.BM25()
        corpus = [content_words(c.text) or ["\u2205"] for c in index.chunks]
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def _bm25_ranking(self, query: list[str], n: int) -> list[tuple[int, float]]:
        if not query or not self.index.chunks:
            return []
        docs, scores = self._bm25.retrieve([query], k=min(n, len(self.index.chunks)), show_progress=False)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def retrieve(self, question: str, k: int) -> list[Hit]:
        """The `k` best passages for `question`, best first."""
        if k < 1:
            raise ValueError(f"top_k must be at least 1, got {k}")
        n = max(50, 4 * k)
        qv = self.embedder.embed([question])[0]
        dense = self.index.search(qv, n)
        sparse = self._bm25_ranking(content_words(question), n)

        fused: dict[int, float] = {}
        for ranking in (dense, sparse):
            for rank, (cid, _) in enumerate(ranking, start=1):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank)
        cosine = dict(dense)
        missing = [cid for cid in fused if cid not in cosine]
        if missing:
            for cid, v in zip(missing, self.index.vectors(missing)):
                cosine[cid] = float(v @ qv)
        bm25 = dict(sparse)

        chosen: list[int] = []
        per_source: dict[str, int] = {}
        pool = dict(fused)
        while pool and len(chosen) < k:
            best = max(pool, key=lambda c: (pool[c] * SAME_SOURCE_PENALTY ** per_source.get(self.index.chunks[c].source, 0), -c))
            chosen.append(best)
            src = self.index.chunks[best].source
            per_source[src] = per_source.get(src, 0) + 1
            del pool[best]
        return [Hit(chunk=self.index.chunks[c], title=self.index.title(self.index.chunks[c].source),
                    score=fused[c], dense=cosine[c], bm25=bm25.get(c, 0.0)) for c in chosen]
