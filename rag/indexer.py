"""Indexing: bring an index up to date with its corpus folder (`build_index`).

Reads only files whose size or modification time changed since the last build (each by
its format's reader, `rag.readers`), chunks and embeds only articles that are new or
changed (by sha256), copies the vectors and stored texts of unchanged ones from the
previous version, and writes a new version with `rag.store.write_version`. The summary
(`BuildReport`) counts articles per format and those without a date.
Simplified on purpose: a changed file re-reads every article it holds (a feed or a JSON
export), and near-duplicate detection is by exact text hash only.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag.chunk import chunk, split_sentences
from rag.embed import TextEmbedder
from rag.errors import CorpusError, IndexCorruptError, IndexMissingError
from rag.guard import is_instruction
from rag.ingest import EXTENSIONS, corpus_files
from rag.readers import format_of, read_file
from rag.schema import Chunk, Document
from rag.settings import Settings
from rag.store import (HNSW_FROM, FORMAT, Index, Manifest, build_lock, current_version, load_index,
                       new_faiss_index, text_path, write_version)
from rag.tokens import TokenCounter

log = logging.getLogger("rag.store")


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
    formats: dict[str, int] = field(default_factory=dict)  # articles per format ("html": 3)
    undated: int = 0  # articles whose date could not be found


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
        texts: dict[str, str | Path] = {}
        for doc in docs:
            if old_files.get(doc.source) == doc.sha256 and previous is not None:
                kept_ids.extend(by_source.get(doc.source, []))
                texts[doc.source] = text_path(previous.path, doc.source)
                unchanged += 1
                continue
            added += doc.source not in old_files
            changed += doc.source in old_files
            _warn_about(doc, first_with_hash)
            texts[doc.source] = doc.text
            new_chunks.extend(chunk(doc, counter, settings.chunking, settings.chunk_tokens, settings.chunk_overlap))
        removed = len(set(old_files) - {d.source for d in docs})
        formats = dict(Counter(format_of(d.origin or d.source) for d in docs))
        undated = sum(not d.date for d in docs)

        manifest = manifest_for(settings, docs, stats, embedder.name, dim, counter.name)
        same_meta = previous is not None and (previous.manifest.titles, previous.manifest.dates,
                                              previous.manifest.meta) == (manifest.titles, manifest.dates,
                                                                          manifest.meta)
        if previous is not None and not (added or changed or removed) and same_meta:
            log.info("index is up to date (%d articles, %d chunks)", len(docs), len(previous.chunks))
            return BuildReport(0, 0, 0, unchanged, len(previous.chunks), 0, time.perf_counter() - started,
                               previous.path, formats, undated)

        vectors = np.zeros((0, dim), dtype=np.float32)
        if new_chunks:
            vectors = embedder.embed([c.text for c in new_chunks])
            if vectors.shape != (len(new_chunks), dim):
                raise ValueError(f"embedder returned shape {vectors.shape}, expected ({len(new_chunks)}, {dim})")

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
        path = write_version(index_dir, manifest, chunks, vector_index, texts)
        return BuildReport(added, changed, removed, unchanged, len(chunks), len(new_chunks),
                           time.perf_counter() - started, path, formats, undated)


def manifest_for(settings: Settings, docs: list[Document], stats: dict[str, list[int]], embedder: str, dim: int,
                 tokenizer: str) -> Manifest:
    """The manifest of a version holding `docs` (in corpus order) built with these settings and models."""
    return Manifest(
        format=FORMAT, embedder=embedder, dim=dim,
        chunk_tokens=settings.chunk_tokens, chunk_overlap=settings.chunk_overlap, chunking=settings.chunking,
        tokenizer=tokenizer, corpus=str(settings.corpus.resolve()),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        files={d.source: d.sha256 for d in docs}, titles={d.source: d.title for d in docs},
        dates={d.source: d.date for d in docs if d.date}, stats=stats,
        origins={d.source: d.origin for d in docs if d.origin and d.origin != d.source},
        meta={d.source: m for d in docs if (m := {k: v for k, v in (("url", d.url), ("author", d.author),
                                                                     ("site", d.site)) if v})},
    )


def _read_changed(corpus: Path, manifest: Manifest | None) -> tuple[list[Document], dict[str, list[int]]]:
    """The corpus's articles, reading only files whose size or mtime differ from the manifest's record.

    The articles of an unchanged file come back as Documents without text (sha256, title,
    date and metadata from the manifest): at 25,000 files, reading and hashing them all
    took 5 s of a 9 s update.
    """
    held: dict[str, list[str]] = {}
    if manifest is not None:
        for source in manifest.files:
            held.setdefault(manifest.origin(source), []).append(source)
    docs: list[Document] = []
    stats: dict[str, list[int]] = {}
    for path in corpus_files(corpus):
        name = path.relative_to(corpus).as_posix()
        stamp = file_stamp(path)
        if manifest is not None and stamp and manifest.stats.get(name) == stamp and name in held:
            for source in held[name]:
                m = manifest.meta.get(source, {})
                docs.append(Document(source, "", manifest.titles.get(source, ""), manifest.files[source],
                                     manifest.dates.get(source), origin=name, url=m.get("url"),
                                     author=m.get("author"), site=m.get("site")))
        else:
            docs.extend(read_file(path, name))
        if stamp:
            stats[name] = stamp
    if not docs:
        raise no_articles(corpus)
    return docs, stats


def file_stamp(path: Path) -> list[int] | None:
    """[size, mtime in ns] of a corpus file, as the manifest records it (None if it cannot be read)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def no_articles(corpus: Path) -> CorpusError:
    """The error for a corpus folder without one readable article."""
    return CorpusError(f"corpus folder {corpus} holds no readable article ({', '.join(EXTENSIONS)})")


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
