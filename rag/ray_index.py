"""Index builds on Ray (`rag index --ray [ADDRESS]`): read, chunk and embed with Ray Data.

`build_index_ray` runs the same stages as `rag.indexer.build_index` as a Ray Data pipeline:
the corpus's files are read (`rag.readers`) and chunked (`rag.chunk`) by Ray tasks, and
embedded in batches by `workers` embedder actors, each loading the model once. The chunk
records and their vectors are written as Parquet shards under the index folder; the
driver then reads the shards in corpus order, builds the FAISS index and writes a normal
index version with `rag.store.write_version`, atomically, so the result is the same as a
local full build of the same corpus (same chunks in the same order, vectors equal within
float tolerance) and every other command reads it as usual.
Without an address (and without `RAY_ADDRESS`) a local Ray runtime is started with this
machine's cores; with one, the job runs on that cluster, and the corpus and index folders
must then be on a filesystem every node sees (NFS or similar).
Simplified on purpose: always a full rebuild (no incremental update); the article texts
pass through the driver, which writes the stored texts and the FAISS index.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import Counter
from pathlib import Path

import numpy as np

from rag.errors import RagError
from rag.indexer import BuildReport, file_stamp, manifest_for, no_articles
from rag.ingest import corpus_files
from rag.readers import format_of
from rag.schema import Chunk, Document
from rag.settings import Settings
from rag.store import build_lock, new_faiss_index, write_version

BATCH = 64  # chunks per embedding call
CHUNKER_CPUS = 0.25  # chunking is ~100x cheaper than embedding: one actor with a share of a core
_DOC_FIELDS = ("source", "text", "title", "sha256", "date", "origin", "url", "author", "site")


def _read(row: dict) -> list[dict]:
    """Ray task: the articles of one corpus file, as rows numbered in file order."""
    from rag.readers import read_file

    docs = read_file(Path(row["path"]), row["name"])
    return [{"file_no": row["file_no"], "doc_no": i, **{f: getattr(d, f) for f in _DOC_FIELDS}}
            for i, d in enumerate(docs)]


class _Chunker:
    """Ray actor: loads the generator's tokenizer once and chunks articles with it."""

    def __init__(self, settings: Settings, tokenizer: str) -> None:
        from rag.tokens import load_counter

        self.settings = settings
        self.counter = load_counter(Path(tokenizer))

    def __call__(self, row: dict) -> list[dict]:
        from rag.chunk import chunk

        doc = Document(**{f: row[f] for f in _DOC_FIELDS})
        s = self.settings
        return [{"file_no": row["file_no"], "doc_no": row["doc_no"], "chunk_no": i, "source": c.source,
                 "start": c.start, "end": c.end, "text": c.text}
                for i, c in enumerate(chunk(doc, self.counter, s.chunking, s.chunk_tokens, s.chunk_overlap))]


class _Embedder:
    """Ray actor: loads the embedder once and adds a `vector` column to each batch of chunks."""

    def __init__(self, settings: Settings) -> None:
        from rag.embed import load_embedder

        self.embedder = load_embedder(settings)

    def __call__(self, batch: dict) -> dict:
        vectors = self.embedder.embed(list(batch["text"]), progress=False)
        return {**batch, "vector": vectors}


def _check_reachable(address: str) -> None:
    """A one-line error at once for a cluster address nobody answers at (ray.init would wait minutes)."""
    import socket
    from urllib.parse import urlsplit

    if address == "auto":
        return
    parts = urlsplit(address if "://" in address else f"ray://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or not port:
        raise RagError(f"Ray address {address!r} is not HOST:PORT (or ray://HOST:PORT, or auto)")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise RagError(f"Ray cluster at {address} is not reachable ({exc}); start it (ray start --head) "
                       "or leave out the address for a local Ray runtime") from None


def _init_ray(address: str | None, workers: int) -> None:
    import ray

    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address:
        _check_reachable(address)
    kwargs = {"address": address} if address else {"num_cpus": max(os.cpu_count() or 1, workers)}
    try:
        ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RagError(f"could not start or reach Ray{f' at {address}' if address else ''}: "
                       f"{' '.join(str(exc).split())[:200]}") from None


def build_index_ray(settings: Settings, tokenizer: Path, embedder_name: str, dim: int,
                    address: str | None = None, workers: int = 1) -> BuildReport:
    """Rebuild the index at `settings.index` from `settings.corpus` on Ray (see the module docstring).

    `tokenizer` is the generator's tokenizer folder (`rag.models.resolve_tokenizer`);
    `embedder_name` and `dim` are those of `rag.embed.load_embedder(settings)`.
    """
    import pyarrow.parquet as pq
    import ray.data

    if not logging.getLogger("rag").isEnabledFor(logging.DEBUG):  # rag -v shows Ray Data's progress lines
        logging.getLogger("ray.data").setLevel(logging.WARNING)

    from rag.tokens import load_counter

    started = time.perf_counter()
    files = corpus_files(settings.corpus)
    if not files:
        raise no_articles(settings.corpus)
    corpus = settings.corpus.resolve()
    items = [{"file_no": i, "path": str(p.resolve()), "name": p.relative_to(settings.corpus).as_posix()}
             for i, p in enumerate(files)]
    cores = os.cpu_count() or 1
    # the embedder actors share the machine: each gets its share of the cores (as threads, and
    # as Ray CPUs next to the small share the chunker holds, so that both stages run at once)
    worker_settings = settings.replace(threads=max(1, cores // workers), corpus=corpus)
    embed_cpus = max(0.25, (cores - CHUNKER_CPUS) / workers)
    _init_ray(address, workers)
    settings.index.mkdir(parents=True, exist_ok=True)
    with build_lock(settings.index):
        shards = settings.index / f".ray-shards-{os.getpid()}"
        shutil.rmtree(shards, ignore_errors=True)
        try:
            docs_ds = ray.data.from_items(items).flat_map(_read).materialize()
            (docs_ds.flat_map(_Chunker, fn_constructor_kwargs={"settings": worker_settings,
                                                               "tokenizer": str(tokenizer)},
                              compute=ray.data.ActorPoolStrategy(size=1), num_cpus=CHUNKER_CPUS)
             .map_batches(_Embedder, fn_constructor_kwargs={"settings": worker_settings}, batch_size=BATCH,
                          batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=embed_cpus)
             .write_parquet(str(shards)))
            rows = sorted(docs_ds.iter_rows(), key=lambda r: (r["file_no"], r["doc_no"]))
            docs = [Document(**{f: r[f] for f in _DOC_FIELDS}) for r in rows]
            if not docs:
                raise no_articles(settings.corpus)
            table = pq.read_table(str(shards), columns=["file_no", "doc_no", "chunk_no", "source", "start", "end",
                                                        "text", "vector"]) if any(shards.glob("*.parquet")) else None
            chunks, vectors = _in_corpus_order(table, dim)
        finally:
            shutil.rmtree(shards, ignore_errors=True)
        stats = {item["name"]: stamp for item, path in zip(items, files) if (stamp := file_stamp(path))}
        manifest = manifest_for(settings, docs, stats, embedder_name, dim, load_counter(tokenizer).name)
        path = write_version(settings.index, manifest, chunks, new_faiss_index(vectors, dim),
                             {d.source: d.text for d in docs})
    formats = dict(Counter(format_of(d.origin or d.source) for d in docs))
    return BuildReport(len(docs), 0, 0, 0, len(chunks), len(chunks), time.perf_counter() - started, path,
                       formats, sum(not d.date for d in docs))


def _in_corpus_order(table, dim: int) -> tuple[list[Chunk], np.ndarray]:
    """The shards' chunks and vectors sorted by file, article and position, as a local build orders them."""
    if table is None or table.num_rows == 0:
        return [], np.zeros((0, dim), dtype=np.float32)
    order = np.lexsort((table["chunk_no"].to_numpy(), table["doc_no"].to_numpy(), table["file_no"].to_numpy()))
    cols = {name: table[name].to_pylist() for name in ("source", "start", "end", "text")}
    chunks = [Chunk(cols["source"][i], cols["start"][i], cols["end"][i], cols["text"][i]) for i in order]
    vectors = np.asarray(table["vector"].to_pylist(), dtype=np.float32)[order]
    if vectors.shape != (len(chunks), dim):
        raise RagError(f"Ray shards hold vectors of shape {vectors.shape}, expected ({len(chunks)}, {dim})")
    return chunks, np.ascontiguousarray(vectors)
