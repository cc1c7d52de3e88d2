"""Hybrid retrieval: FAISS dense search and BM25, fused by reciprocal-rank fusion.

Each ranker proposes its top candidates; a candidate's fused score is the sum of
1/(60 + rank) over the rankers that found it (Cormack et al., 2009), and passages are taken
in that order. Measured (eval/ablate.py): a penalty per passage already taken from the same
article (to spread passages over more articles) cost 0.07 accuracy on the gold set, because
the best article's neighbouring paragraphs often hold the answer; it was removed.

Retold stories: a candidate that is a near-copy of a passage already chosen (same 3-word
shingles for most of the shorter one, or cosine >= NEAR_COPY_COSINE) is not given to the
model a second time; it is attached to the chosen hit as `also`, so the answer can still
cite that article. A `DateRange` restricts both rankers to articles dated inside it.
Simplified on purpose: the BM25 index is built in memory when the retriever is created
(fast at this corpus size); near-copies are found among the candidates of one question,
not precomputed over the whole index.
"""

from __future__ import annotations

import re

import numpy as np

from rag.dates import DateRange
from rag.embed import TextEmbedder
from rag.schema import Hit
from rag.store import Index
from rag.text import content_words

RRF_K = 60
# Paraphrased retellings of one story score 0.80-0.86 between articles here; a reprint scores
# above 0.95. Only reprints are merged: a paraphrase may carry a detail (or a figure) the
# chosen passage lacks.
NEAR_COPY_COSINE = 0.95
NEAR_COPY_SHINGLES = 0.6


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return frozenset(zip(words, words[1:], words[2:]))


def near_copy(a: frozenset, b: frozenset, cosine: float) -> bool:
    """Whether two passages are the same text (up to edits), by shingle overlap or embedding."""
    if cosine >= NEAR_COPY_COSINE:
        return True
    if not a or not b:
        return False
    return len(a & b) / min(len(a), len(b)) >= NEAR_COPY_SHINGLES


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

    def _bm25_ranking(self, query: list[str], n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        if not query or not self.index.chunks:
            return []
        docs, scores = self._bm25.retrieve([query], k=min(n, len(self.index.chunks)), show_progress=False,
                                           weight_mask=mask)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def allowed(self, dates: DateRange) -> np.ndarray:
        """Ids of the chunks whose article is dated inside `dates`."""
        ok = {src for src in self.index.manifest.files if dates.admits(self.index.date(src))}
        return np.array([i for i, c in enumerate(self.index.chunks) if c.source in ok], dtype=np.int64)

    def retrieve(self, question: str, k: int, dates: DateRange | None = None) -> list[Hit]:
        """The `k` best passages for `question`, best first, from articles inside `dates` if given."""
        if k < 1:
            raise ValueError(f"top_k must be at least 1, got {k}")
        n = max(50, 4 * k)
        ids = mask = None
        if dates is not None:
            ids = self.allowed(dates)
            if not len(ids):
                return []
            mask = np.zeros(len(self.index.chunks), dtype=np.float32)
            mask[ids] = 1.0
        qv = self.embedder.embed([question])[0]
        dense = self.index.search(qv, n, ids)
        sparse = self._bm25_ranking(content_words(question), n, mask)
        if mask is not None:
            sparse = [(cid, s) for cid, s in sparse if mask[cid]]

        fused: dict[int, float] = {}
        for ranking in (dense, sparse):
            for rank, (cid, _) in enumerate(ranking, start=1):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank)
        # One fetch of the candidates' vectors serves the cosine of BM25-only candidates and
        # the near-copy test below.
        vecs = dict(zip(fused, self.index.vectors(list(fused))))
        cosine = dict(dense)
        for cid in fused:
            if cid not in cosine:
                cosine[cid] = float(vecs[cid] @ qv)
        bm25 = dict(sparse)

        chunks = self.index.chunks
        shingled: dict[int, frozenset] = {}

        def sh(c: int) -> frozenset:
            if c not in shingled:
                shingled[c] = shingles(chunks[c].text)
            return shingled[c]

        def twin(c: int, among: list[int]) -> int | None:
            """A passage of `among` from another article that `c` is a near-copy of."""
            return next((h for h in among if chunks[h].source != chunks[c].source
                         and near_copy(sh(h), sh(c), float(vecs[h] @ vecs[c]))), None)

        chosen: list[int] = []
        copies: dict[int, list[int]] = {}
        pool = dict(fused)
        while pool and len(chosen) < k:
            best = max(pool, key=lambda c: (pool[c], -c))
            del pool[best]
            original = twin(best, chosen)
            if original is not None:
                copies[original].append(best)
                continue
            chosen.append(best)
            copies[best] = []
        for c in pool:  # copies ranked below the cut still count as reporting the story
            original = twin(c, chosen)
            if original is not None:
                copies[original].append(c)

        def hit(c: int, also: tuple[Hit, ...] = ()) -> Hit:
            src = chunks[c].source
            return Hit(chunk=chunks[c], title=self.index.title(src), score=fused[c], dense=cosine[c],
                       bm25=bm25.get(c, 0.0), date=self.index.date(src), also=also, url=self.index.url(src))

        return [hit(c, tuple(hit(d) for d in copies[c])) for c in chosen]
