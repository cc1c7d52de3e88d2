"""Would reranking by the best sentence put the answer's passage first? `python eval/sentence_rerank.py GOLD=INDEX ...`

For every answerable question of each gold set, the top 8 passages of today's retrieval
(`rag.retrieve`, RRF of dense and BM25) are ordered in several ways, and the script counts
how often a passage holding a gold answer string is first, and among the first four:
`fused` (today's order), `dense` (chunk cosine), `sentmax` (the best cosine of one of the
passage's sentences with the question, MiniLM), `fused+sent` (RRF of today's order and
`sentmax`), `fused+sent+dense`, `mix` (mean of chunk and best-sentence cosine), `sent4`
(today's top four reordered by `sentmax`). No generation: a proxy for what the model reads
first (it answers from passage [1]; `eval/prompt_variants.py nearest_last`).
Simplified on purpose: "holds the answer" is a case-insensitive substring test.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from rag.chunk import split_sentences
    from rag.embed import load_embedder
    from rag.retrieve import Retriever
    from rag.settings import load_settings
    from rag.store import load_index

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s.lower())

    embedder = None
    for spec in sys.argv[1:]:
        gold, _, index = spec.partition("=")
        settings = load_settings(None, index=Path(index))
        embedder = embedder or load_embedder(settings)
        retriever = Retriever(load_index(settings.index, settings), embedder)
        rows = []
        for line in Path(gold).read_text().splitlines():
            g = json.loads(line)
            if not g["answerable"]:
                continue
            hits = retriever.retrieve(g["question"], 8)
            qv = embedder.embed([g["question"]])[0]
            best = [float((embedder.embed([h.chunk.text[a:b] for a, b in split_sentences(h.chunk.text)]
                                          or [h.chunk.text]) @ qv).max()) for h in hits]
            has = [any(norm(a) in norm(h.chunk.text) for a in g["answers"]) for h in hits]
            idx = list(range(len(hits)))
            dense = [h.dense for h in hits]

            def rrf(*orders):
                score = [0.0] * len(hits)
                for order in orders:
                    for rank, i in enumerate(order):
                        score[i] += 1 / (60 + rank)
                return sorted(idx, key=lambda i: -score[i])

            by_dense, by_sent = sorted(idx, key=lambda i: -dense[i]), sorted(idx, key=lambda i: -best[i])
            orders = {"fused": idx, "dense": by_dense, "sentmax": by_sent, "fused+sent": rrf(idx, by_sent),
                      "fused+sent+dense": rrf(idx, by_sent, by_dense),
                      "mix": sorted(idx, key=lambda i: -(dense[i] + best[i])),
                      "sent4": sorted(idx[:4], key=lambda i: -best[i])}
            rows.append({k: next((j for j, i in enumerate(o[:4]) if has[i]), None) for k, o in orders.items()})
        print(f"{gold}: {len(rows)} answerable")
        for k in rows[0]:
            print(f"  {k:18} first {sum(r[k] == 0 for r in rows):3}  in top 4 {sum(r[k] is not None for r in rows):3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
