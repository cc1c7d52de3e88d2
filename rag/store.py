"""The on-disk index: reading and writing index versions (FAISS vectors, chunks, manifest, texts).

Layout under the index folder::

    CURRENT              name of the live version folder (replaced atomically)
    v-<time>-<pid>/      manifest.json, chunks.jsonl, vectors.faiss, texts/<key>.txt
    .lock                held by `rag index` while it builds

`texts/` holds the text of every article as it was indexed (extracted from HTML, a feed, a
PDF or a JSON export, or the file's own text): chunk and citation offsets point into it,
and the article viewer shows it. `write_version` writes a complete new version folder
beside the live one and only then swaps CURRENT with `os.replace`, so a build that fails
or is killed at any moment leaves the previous index loadable. What goes into a version
(which articles changed, chunking, embedding) is decided by `rag.indexer`.
The FAISS index type is chosen by size: exact inner-product search (`IndexFlatIP`) below
`HNSW_FROM` chunks, an HNSW graph above it (recall against exact search is measured by
`bench/scale.py`; see docs/scaling.md). When a build only adds articles, the previous
FAISS index is extended in place of being rebuilt, so adding one article to a large
index costs that article's embedding plus writing the files.
Simplified on purpose: a changed or removed article rebuilds the FAISS index from the
stored vectors (HNSW cannot delete), and every version folder is a full copy (texts of
unchanged articles are hard-linked from the previous version when the file system allows).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
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

from rag.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.schema import Chunk
from rag.settings import Settings

log = logging.getLogger(__name__)

FORMAT = 3  # 2: publication dates in the manifest; 3: stored texts, origins and metadata
HNSW_FROM = 250_000  # chunks; exact search measured 7 ms per query at 100k (bench/scale.py), 100 % recall
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
MANIFEST, CHUNKS, VECTORS, POINTER, TEXTS = "manifest.json", "chunks.jsonl", "vectors.faiss", "CURRENT", "texts"


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
    origins: dict[str, str] = field(default_factory=dict)  # source -> its file, when several articles share one
    meta: dict[str, dict] = field(default_factory=dict)  # source -> {"url", "author", "site"} when given

    def origin(self, source: str) -> str:
        return self.origins.get(source, source)

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

    def url(self, source: str) -> str | None:
        return self.manifest.meta.get(source, {}).get("url")

    def text(self, source: str) -> str:
        """The article's text as indexed; chunk and citation offsets point into it."""
        return text_path(self.path, source).read_text(encoding="utf-8")

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


def text_path(version: Path, source: str) -> Path:
    """Where a version stores the text of `source` (a hash: ids may hold any character)."""
    return version / TEXTS / (hashlib.sha1(source.encode("utf-8")).hexdigest()[:24] + ".txt")


def write_version(index_dir: Path, manifest: Manifest, chunks: list[Chunk], vectors,
                  texts: dict[str, str | Path]) -> Path:
    """Write a new version (texts: the text of each article, or the stored file of an unchanged one)
    and make it live; returns its folder."""
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
        (work / TEXTS).mkdir()
        for source, text in texts.items():
            target = text_path(work, source)
            if isinstance(text, Path):
                try:
                    os.link(text, target)
                except OSError:
                    shutil.copyfile(text, target)
            else:
                target.write_text(text, encoding="utf-8")
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
