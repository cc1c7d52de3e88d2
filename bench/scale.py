"""Scale benchmark (`make bench-scale`): an index of 100,000+ chunks on this machine.

The corpus is the bundled articles replicated into N files, each perturbed (its own header
line, every digit changed), chunked for real with the generator's tokenizer. Embedding
100k chunks with MiniLM on 2 cores would take about half an hour, so a replica chunk's
vector is the real MiniLM vector of the original chunk at the same position plus Gaussian
noise (renormalised): the vectors keep the original's neighbourhood structure without
being identical. The index is then written in the real on-disk format, so loading,
retrieval (FAISS + BM25 + fusion, real query embeddings), and adding one real article
with `build_index` are measured exactly as a user meets them.

Prints: chunking and index build times (exact and HNSW), HNSW recall@10 against exact
search, load time, retrieval p50/p95, the time to add one article, resident memory and
index size on disk.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_gb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000, help="at least this many chunks (default 100000)")
    parser.add_argument("--noise", type=float, default=0.02, help="per-dimension noise on replica vectors")
    parser.add_argument("--keep", type=Path, help="keep the corpus and index in this folder")
    args = parser.parse_args()

    import faiss

    from rag import store
    from rag.chunk import chunk_document
    from rag.embed import load_embedder
    from rag.evaluate import load_gold
    from rag.evaluate import percentile as pct
    from rag.indexer import file_stamp
    from rag.ingest import read_corpus
    from rag.models import resolve_model
    from rag.retrieve import Retriever
    from rag.settings import Settings
    from rag.tokens import load_counter

    work = args.keep or Path(tempfile.mkdtemp(prefix="rag-scale-"))
    corpus, index_dir = work / "articles", work / "index"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    corpus.mkdir(parents=True)
    settings = Settings(corpus=corpus, index=index_dir, chunking="tokens")  # the chunker measured at scale
    counter = load_counter(resolve_model(settings.model, settings.cache_dir))
    embedder = load_embedder(settings)
    originals = read_corpus(ROOT / "data" / "articles")
    base_chunks = {d.source: chunk_document(d, counter, settings.chunk_tokens, settings.chunk_overlap)
                   for d in originals}
    base_vectors = {s: embedder.embed([c.text for c in cs], progress=False) for s, cs in base_chunks.items()}
    per_round = sum(len(cs) for cs in base_chunks.values())
    rounds = -(-args.chunks // per_round)
    rng = random.Random(7)
    nrng = np.random.default_rng(7)

    t0 = time.perf_counter()
    for r in range(rounds):
        for d in originals:
            text = re.sub(r"\d", lambda m: str(rng.randrange(10)), d.text)
            (corpus / f"r{r:05d}-{d.source}").write_text(f"Edition {r:05d}\n\n{text}", encoding="utf-8")
    t1 = time.perf_counter()
    docs = read_corpus(corpus)
    t2 = time.perf_counter()
    chunks, parts = [], []
    for d in docs:
        cs = chunk_document(d, counter, settings.chunk_tokens, settings.chunk_overlap)
        orig = d.source.split("-", 1)[1]
        base = base_vectors[orig]
        idx = [min(i, len(base) - 1) for i in range(len(cs))]
        noisy = base[idx] + nrng.normal(0, args.noise, (len(cs), base.shape[1])).astype(np.float32)
        parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
        chunks.extend(cs)
    matrix = np.concatenate(parts).astype(np.float32)
    t3 = time.perf_counter()
    print(f"corpus: {len(docs)} articles written in {t1 - t0:.1f} s, read and hashed in {t2 - t1:.1f} s; "
          f"{len(chunks)} chunks, chunked in {t3 - t2:.1f} s ({len(chunks) / (t3 - t2):.0f} chunks/s)")

    b0 = time.perf_counter()
    flat = faiss.IndexFlatIP(matrix.shape[1])
    flat.add(matrix)
    b1 = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(matrix.shape[1], store.HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = store.HNSW_EF_CONSTRUCTION
    hnsw.add(matrix)
    b2 = time.perf_counter()
    chosen = store.new_faiss_index(matrix, matrix.shape[1])
    kind = "HNSW" if hasattr(chosen, "hnsw") else "exact (flat)"
    print(f"FAISS build: exact (flat) {b1 - b0:.2f} s; HNSW M={store.HNSW_M}, efConstruction="
          f"{store.HNSW_EF_CONSTRUCTION}: {b2 - b1:.1f} s; chosen by size ({len(chunks)} chunks, HNSW from "
          f"{store.HNSW_FROM}): {kind}")

    gold = [g.question for g in load_gold(ROOT / "eval" / "gold.jsonl")]
    queries = embedder.embed(gold, progress=False)
    probe = matrix[nrng.choice(len(matrix), 200, replace=False)] + nrng.normal(0, args.noise, (200, matrix.shape[1]))
    probe = (probe / np.linalg.norm(probe, axis=1, keepdims=True)).astype(np.float32)
    allq = np.concatenate([queries, probe]).astype(np.float32)
    _, exact = flat.search(allq, 10)
    for ef in (64, store.HNSW_EF_SEARCH, 256):
        hnsw.hnsw.efSearch = ef
        s0 = time.perf_counter()
        _, approx = hnsw.search(allq, 10)
        per_q = (time.perf_counter() - s0) / len(allq) * 1000
        recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
        print(f"HNSW efSearch={ef}: recall@10 vs exact {recall:.3f} over {len(allq)} queries, {per_q:.2f} ms/query")
    del hnsw
    # IVF (inverted lists over k-means cells) and IVF-PQ (vectors compressed to 48 bytes): the
    # layouts for corpora beyond one machine's memory; trained on the vectors themselves.
    nlist = 1024
    for label, index in (("IVF-Flat", faiss.IndexIVFFlat(faiss.IndexFlatIP(matrix.shape[1]), matrix.shape[1],
                                                           nlist, faiss.METRIC_INNER_PRODUCT)),
                         ("IVF-PQ m=48", faiss.IndexIVFPQ(faiss.IndexFlatIP(matrix.shape[1]), matrix.shape[1],
                                                          nlist, 48, 8, faiss.METRIC_INNER_PRODUCT))):
        t_0 = time.perf_counter()
        index.train(matrix)
        index.add(matrix)
        built = time.perf_counter() - t_0
        codes = matrix.shape[0] * (48 if "PQ" in label else matrix.shape[1] * 4) / 2**20
        for nprobe in (8, 32, 128):
            index.nprobe = nprobe
            s0 = time.perf_counter()
            _, approx = index.search(allq, 10)
            per_q = (time.perf_counter() - s0) / len(allq) * 1000
            recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
            print(f"{label} nlist={nlist} nprobe={nprobe}: recall@10 vs exact {recall:.3f}, {per_q:.2f} ms/query "
                  f"(train+add {built:.1f} s, vectors {codes:.0f} MB)")
        del index
    s0 = time.perf_counter()
    flat.search(allq, 10)
    print(f"exact search: {(time.perf_counter() - s0) / len(allq) * 1000:.2f} ms/query")

    manifest = store.Manifest(
        format=store.FORMAT, embedder=embedder.name, dim=embedder.dim, chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap, chunking="tokens", tokenizer=counter.name, corpus=str(corpus.resolve()),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), files={d.source: d.sha256 for d in docs},
        titles={d.source: d.title for d in docs}, dates={d.source: d.date for d in docs if d.date},
        stats={d.source: file_stamp(corpus / d.source) for d in docs})
    w0 = time.perf_counter()
    index_dir.mkdir(parents=True)
    store.write_version(index_dir, manifest, chunks, chosen, {d.source: d.text for d in docs})
    w1 = time.perf_counter()
    size = sum(f.stat().st_size for f in store.current_version(index_dir).iterdir()) / 2**20
    print(f"index written in {w1 - w0:.1f} s, {size:.0f} MB on disk")
    del flat, chosen, matrix, parts

    before = rss_gb()
    l0 = time.perf_counter()
    index = store.load_index(index_dir, settings)
    l1 = time.perf_counter()
    retriever = Retriever(index, embedder)
    l2 = time.perf_counter()
    print(f"load: index {l1 - l0:.1f} s, BM25 over {len(index.chunks)} chunks {l2 - l1:.1f} s; "
          f"resident memory +{rss_gb() - before:.2f} GB (process {rss_gb():.2f} GB, "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB)")
    times = []
    for q in gold * 2:
        r0 = time.perf_counter()
        retriever.retrieve(q, 5)
        times.append((time.perf_counter() - r0) * 1000)
    print(f"retrieval at {len(index.chunks)} chunks (embed question + FAISS + BM25 + fusion), {len(times)} questions: "
          f"p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms (target p50 <= 50 ms)")
    del retriever, index

    new = corpus / "zz-new-article.txt"
    new.write_text("Zebra news\n\nQuagga the zebra lives in a park in Tikhoretsk and eats carrots. "
                   "Keepers say she arrived from Dunay by train in October.\n", encoding="utf-8")
    import logging

    logging.basicConfig(level=logging.WARNING)
    a0 = time.perf_counter()
    from rag.indexer import build_index

    report = build_index(settings, counter, embedder)
    a1 = time.perf_counter()
    loaded = time.perf_counter()
    store.load_index(index_dir, settings)
    load_s = time.perf_counter() - loaded
    grown = store.load_index(index_dir, settings)
    hits = Retriever(grown, embedder).retrieve("Where does Quagga the zebra live?", 3)
    print(f"add one article to the {report.chunks - report.embedded}-chunk index: {a1 - a0:.2f} s "
          f"({report.added} added, {report.embedded} chunks embedded; target <= 2 s; of which loading the "
          f"previous index about {load_s:.1f} s); "
          f"top hit for the new article's question: {hits[0].chunk.source}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
