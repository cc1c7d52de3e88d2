"""The on-disk index: a FAISS inner-product index, the chunk records and a manifest.

Layout under the index folder::

    CURRENT              name of the live version folder (replaced atomically)
    v-<time>-<pid>/      manifest.json, chunks.jsonl, vectors.faiss
    .lock                held by `rag index` while it builds

A build writes a complete new version folder beside the live one and only then swaps
CURRENT with `os.replace`, so a build that fails or is killed at any moment leaves the
previous index loadable. Re-running re-embeds only added or changed files (by sha256);
vectors of unchanged files are copied out of the previous FAISS index.
The FAISS index type is chosen by size: exact inner-product search (`IndexFlatIP`) below
`HNSW_FROM` chunks, an HNSW graph above it (recall against exact search is measured by
`bench/scale.py`; see docs/scaling.md). When a build only adds articles, the previous
FAISS index is extended in place of being rebuilt, so adding one article to a large
index costs that article's embedding plus writing the files.
Simplified on purpose: a changed or removed article rebuilds the FAISS index from the
stored vectors (HNSW cannot delete), and every version folder is a full copy.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.chunk import chunk, split_sentences
from rag.embed import TextEmbedder
from rag.errors import CorpusError, IndexBusyError, IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.guard import is_instruction
from rag.ingest import corpus_files, read_document
from rag.schema import Chunk, Document
from rag.settings import Settings
from rag.tokens import TokenCounter

log = logging.getLogger(__name__)

FORMAT = 2  # 2: publication dates in the manifest
HNSW_FROM = 250_000  # chunks; exact search measured 7 ms per query at 100k (bench/scale.py), 100 % recall
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
MANIFEST, CHUNKS, VECTORS, POINTER = "manifest.json", "chunks.jsonl", "vectors.faiss", "CURRENT"


@dataclass(frozen=True)
class Manifest:
    format: int
    embedder: str
    dim: int
    chunk_tokens: int
    chunk_overlap: int
    tokenizer: str
    corpus: str
    built_at: str
    files: dict[str, str]  # source -> sha256
    titles: dict[str, str]  # source -> title
    dates: dict[str, str] = field(default_factory=dict)  # source -> ISO date, for dated articles
    stats: dict[str, list[int]] = field(default_factory=dict)  # source -> [size, mtime_ns] when read
    chunking: str = "tokens"  # rag.chunk.CHUNKERS

    def settings_mismatch(self, settings: Settings, dim: int | None = None) -> str | None:
        """Why this index cannot serve `settings`, or None when it can."""
        if self.format != FORMAT:
            return f"it has format {self.format}, this version reads {FORMAT}"
        if self.embedder != settings.embedder:
            return f"it was built with embedder '{self.embedder}', settings ask for '{settings.embedder}'"
        if dim is not None and self.dim != dim:
            return f"its vectors have {self.dim} dimensions, the embedder gives {dim}"
        if self.chunking != settings.chunking:
            return f"it was chunked by {self.chunking}, settings say {settings.chunking}"
        if (self.chunk_tokens, self.chunk_overlap) != (settings.chunk_tokens, settings.chunk_overlap):
            return (f"it was chunked with chunk_tokens={self.chunk_tokens}, chunk_overlap={self.chunk_overlap}; "
                    f"settings say {settings.chunk_tokens}, {settings.chunk_overlap}")
        return None


class Index:
    """A loaded index version: chunks, their FAISS vectors and the manifest."""

    def __init__(self, path: Path, manifest: Manifest, chunks: list[Chunk], faiss_index) -> None:
        self.path = path
        self.manifest = manifest
        self.chunks = chunks
        self.faiss = faiss_index

    def title(self, source: str) -> str:
        return self.manifest.titles.get(source, "")

    def date(self, source: str) -> str | None:
        return self.manifest.dates.get(source)

    def search(self, vector: np.ndarray, k: int, among: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the `k` nearest chunks to one normalised query vector.

        `among`, when given, restricts the search to those chunk ids (a date filter).
        """
        import faiss

        k = min(k, len(self.chunks) if among is None else len(among))
        if k == 0:
            return []
        query = vector.reshape(1, -1).astype(np.float32)
        if among is None:
            scores, ids = self.faiss.search(query, k)
        else:
            selector = faiss.IDSelectorBatch(among.astype(np.int64))
            params = (faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
                      if hasattr(self.faiss, "hnsw") else faiss.SearchParameters(sel=selector))
            scores, ids = self.faiss.search(query, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def vectors(self, ids: list[int]) -> np.ndarray:
        if not ids:
            return np.zeros((0, self.manifest.dim), dtype=np.float32)
        return self.faiss.reconstruct_batch(np.asarray(ids, dtype=np.int64)).astype(np.float32)


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / POINTER
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    return index_dir / name if name else None


def load_index(index_dir: Path, settings: Settings | None = None) -> Index:
    """The live index under `index_dir`; clear errors when missing, stale or damaged."""
    import faiss

    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}; run: rag index --index {index_dir}")
    try:
        raw = json.loads((version / MANIFEST).read_text())
        manifest = Manifest(**raw)
        chunks = []
        with open(version / CHUNKS, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                chunks.append(Chunk(r["source"], r["start"], r["end"], r["text"]))
        vectors = faiss.read_index(str(version / VECTORS))
        if hasattr(vectors, "hnsw"):
            vectors.hnsw.efSearch = HNSW_EF_SEARCH
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(f"index in {index_dir} is damaged ({type(exc).__name__}); "
                                "rebuild it with: rag index --rebuild") from None
    if vectors.ntotal != len(chunks) or vectors.d != manifest.dim:
        raise IndexCorruptError(f"index in {index_dir} is inconsistent ({vectors.ntotal} vectors, "
                                f"{len(chunks)} chunks); rebuild it with: rag index --rebuild")
    if settings is not None:
        why = manifest.settings_mismatch(settings)
        if why:
            raise IndexMismatchError(f"index in {index_dir} does not match the settings: {why}; run: rag index --rebuild")
    return Index(version, manifest, chunks, vectors)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise IndexBusyError(f"another 'rag index' is building {index_dir}; wait for it to finish") from None
        yield


@dataclass(frozen=True)
class BuildReport:
    added: int
    changed: int
    removed: int
    unchanged: int
    chunks: int
    embedded: int
    seconds: float
    path: Path


def build_index(settings: Settings, counter: TokenCounter, embedder: TextEmbedder,
                rebuild: bool = False) -> BuildReport:
    """Bring the index at `settings.index` up to date with `settings.corpus`.

    `embedder.embed` maps chunk texts to normalised float32 vectors of width `embedder.dim`.
    """

    started = time.perf_counter()
    index_dir = settings.index
    dim = embedder.dim
    with build_lock(index_dir):
        previous = None if rebuild else _previous(index_dir, settings, dim)
        docs, stats = _read_changed(settings.corpus, previous.manifest if previous else None)
        old_files = previous.manifest.files if previous else {}
        by_source: dict[str, list[int]] = {}
        if previous:
            for i, c in enumerate(previous.chunks):
                by_source.setdefault(c.source, []).append(i)

        first_with_hash: dict[str, str] = {}
        for doc in docs:
            first_with_hash.setdefault(doc.sha256, doc.source)
        new_chunks: list[Chunk] = []
        added = changed = unchanged = 0
        kept_ids: list[int] = []
        for doc in docs:
            if old_files.get(doc.source) == doc.sha256 and previous is not None:
                kept_ids.extend(by_source.get(doc.source, []))
                unchanged += 1
                continue
            added += doc.source not in old_files
            changed += doc.source in old_files
            _warn_about(doc, first_with_hash)
            doc_chunks = chunk(doc, counter, settings.chunking, settings.chunk_tokens, settings.chunk_overlap)
            new_chunks.extend(doc_chunks)
        removed = len(set(old_files) - {d.source for d in docs})

        titles = {d.source: d.title for d in docs}
        dates = {d.source: d.date for d in docs if d.date}
        same_meta = previous is not None and (previous.manifest.titles, previous.manifest.dates) == (titles, dates)
        if previous is not None and not (added or changed or removed) and same_meta:
            log.info("index is up to date (%d articles, %d chunks)", len(docs), len(previous.chunks))
            return BuildReport(0, 0, 0, unchanged, len(previous.chunks), 0, time.perf_counter() - started,
                               previous.path)

        vectors = np.zeros((0, dim), dtype=np.float32)
        if new_chunks:
            vectors = embedder.embed([c.text for c in new_chunks])
            if vectors.shape != (len(new_chunks), dim):
                raise ValueError(f"embedder returned shape {vectors.shape}, expected ({len(new_chunks)}, {dim})")

        manifest = Manifest(
            format=FORMAT, embedder=embedder.name, dim=dim,
            chunk_tokens=settings.chunk_tokens, chunk_overlap=settings.chunk_overlap, chunking=settings.chunking,
            tokenizer=counter.name, corpus=str(settings.corpus.resolve()),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            files={d.source: d.sha256 for d in docs}, titles=titles, dates=dates, stats=stats,
        )
        appending = previous is not None and not (changed or removed) and (
            hasattr(previous.faiss, "hnsw") or len(previous.chunks) + len(new_chunks) < HNSW_FROM)
        if appending:
            # Only additions: keep the previous order and extend its FAISS index.
            chunks = previous.chunks + new_chunks
            vector_index = previous.faiss
            vector_index.add(vectors)
        else:
            chunks = [previous.chunks[i] for i in kept_ids] + new_chunks if previous else new_chunks
            kept = previous.vectors(kept_ids) if previous else np.zeros((0, dim), dtype=np.float32)
            vector_index = new_faiss_index(np.concatenate([kept, vectors]), dim)
        path = _write_version(index_dir, manifest, chunks, vector_index)
        return BuildReport(added, changed, removed, unchanged, len(chunks), len(new_chunks),
                           time.perf_counter() - started, path)


def _read_changed(corpus: Path, manifest: Manifest | None) -> tuple[list[Document], dict[str, list[int]]]:
    """The corpus's articles, reading only files whose size or mtime differ from the manifest's record.

    An unchanged file comes back as a Document without text (its sha256, title and date from
    the manifest): at 25,000 files, reading and hashing them all took 5 s of a 9 s update.
    """
    docs: list[Document] = []
    stats: dict[str, list[int]] = {}
    for path in corpus_files(corpus):
        source = path.relative_to(corpus).as_posix()
        try:
            st = path.stat()
        except OSError:
            st = None
        stamp = [st.st_size, st.st_mtime_ns] if st else None
        if manifest is not None and stamp and manifest.stats.get(source) == stamp and source in manifest.files:
            docs.append(Document(source, "", manifest.titles.get(source, ""), manifest.files[source],
                                 manifest.dates.get(source)))
        else:
            doc = read_document(path, source)
            if doc is None:
                continue
            docs.append(doc)
        if stamp:
            stats[source] = stamp
    if not docs:
        raise CorpusError(f"corpus folder {corpus} holds no readable .txt or .md article")
    return docs, stats


def new_faiss_index(matrix: np.ndarray, dim: int):
    """Exact search below HNSW_FROM vectors, an HNSW graph (inner product) from there on."""
    import faiss

    if len(matrix) < HNSW_FROM:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    index.add(matrix)
    return index


def _warn_about(doc: Document, first_with_hash: dict[str, str]) -> None:
    """One-line warnings for a new or changed article that is a copy or holds AI instructions."""
    original = first_with_hash.get(doc.sha256)
    if original and original != doc.source:
        log.warning("%s is an exact copy of %s; answers cite them together", doc.source, original)
    odd = sum(is_instruction(doc.text[s:e]) for s, e in split_sentences(doc.text))
    if odd:
        log.warning("%s: %d sentence(s) read like instructions to an AI; they are never shown to the model "
                    "or quoted", doc.source, odd)


def _previous(index_dir: Path, settings: Settings, dim: int) -> Index | None:
    if current_version(index_dir) is None:
        return None
    try:
        prev = load_index(index_dir)
    except (IndexCorruptError, IndexMissingError) as exc:
        log.warning("rebuilding from scratch: %s", exc)
        return None
    why = prev.manifest.settings_mismatch(settings, dim)
    if why:
        log.warning("rebuilding from scratch: %s", why)
        return None
    return prev


def _write_version(index_dir: Path, manifest: Manifest, chunks: list[Chunk], vectors) -> Path:
    import faiss

    # pid + random suffix: two builds in one second (or one process) must not collide.
    name = time.strftime("v-%Y%m%d-%H%M%S-") + f"{os.getpid()}-{secrets.token_hex(3)}"
    work = index_dir / f".build-{name}"
    work.mkdir(parents=True)
    try:
        with open(work / CHUNKS, "w", encoding="utf-8") as fh:
            for c in chunks:
                fh.write(json.dumps({"source": c.source, "start": c.start, "end": c.end, "text": c.text},
                                    ensure_ascii=False) + "\n")
        faiss.write_index(vectors, str(work / VECTORS))
        (work / MANIFEST).write_text(json.dumps(manifest.__dict__, indent=1, ensure_ascii=False))
        for f in (CHUNKS, VECTORS, MANIFEST):
            _fsync(work / f)
        final = index_dir / name
        os.replace(work, final)
        tmp_pointer = index_dir / f".{POINTER}.{os.getpid()}"
        tmp_pointer.write_text(name + "\n")
        _fsync(tmp_pointer)
        os.replace(tmp_pointer, index_dir / POINTER)  # the moment the new version goes live
        _fsync(index_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _remove_stale(index_dir, keep=name)
    return final


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(index_dir: Path, keep: str) -> None:
    # Only old versions and leftovers of killed builds; we hold the build lock here.
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name != keep and (entry.name.startswith("v-") or entry.name.startswith(".build-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f".{POINTER}."):
            entry.unlink(missing_ok=True)
