import json
import multiprocessing
import os

import pytest

from rag.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.indexer import build_index
from rag.store import build_lock, current_version, load_index
from tests.conftest import FakeEmbedder, WordCounter, build_fake_index


def test_build_and_load(settings, fake_embedder, corpus):
    report = build_fake_index(settings, fake_embedder)
    assert report.added == 5 and report.chunks == report.embedded > 5
    index = load_index(settings.index, settings)
    assert len(index.chunks) == report.chunks == index.faiss.ntotal
    for c in index.chunks:
        assert (corpus / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.text
    assert index.title("002_57e4e1cab6c92a8d.txt").startswith("North Korea Aids Russia")
    manifest = json.loads((current_version(settings.index) / "manifest.json").read_text())
    assert manifest["embedder"] == "fake-bow" and manifest["dim"] == 64 and manifest["chunk_tokens"] == 60
    assert len(manifest["files"]) == 5 and all(len(h) == 64 for h in manifest["files"].values())


def test_incremental_update_embeds_only_changes(settings, fake_embedder, corpus):
    first = build_fake_index(settings, fake_embedder)
    again = build_fake_index(settings, fake_embedder)
    assert again.embedded == 0 and again.unchanged == 5 and again.path == first.path

    (corpus / "new.txt").write_text("Fresh article\n\nThe zebra crossed the Dunay river on Monday.")
    (corpus / "001_e28288bb11f4a347.txt").unlink()
    with open(corpus / "000_7567e1b7e9e7013d.txt", "a") as fh:
        fh.write("\nAn added closing sentence.\n")
    fake_embedder.calls.clear()
    report = build_fake_index(settings, fake_embedder)
    assert (report.added, report.changed, report.removed, report.unchanged) == (1, 1, 1, 3)
    index = load_index(settings.index)
    sources = {c.source for c in index.chunks}
    assert "new.txt" in sources and "001_e28288bb11f4a347.txt" not in sources
    assert report.embedded == sum(fake_embedder.calls) == sum(
        c.source in ("new.txt", "000_7567e1b7e9e7013d.txt") for c in index.chunks)
    # the copied vectors of unchanged files equal freshly computed ones
    for i, c in enumerate(index.chunks):
        assert index.vectors([i])[0] == pytest.approx(fake_embedder.embed([c.text])[0], abs=1e-6)
    assert len([p for p in settings.index.iterdir() if p.name.startswith("v-")]) == 1


def test_failed_build_keeps_previous_index(settings, fake_embedder, corpus, monkeypatch):
    build_fake_index(settings, fake_embedder)
    before = load_index(settings.index)
    (corpus / "new.txt").write_text("Another article about something else entirely.")

    class Boom(FakeEmbedder):
        def embed(self, texts, **_):
            raise RuntimeError("killed mid-embedding")

    with pytest.raises(RuntimeError):
        build_index(settings, WordCounter(), Boom())
    import faiss

    monkeypatch.setattr(faiss, "write_index", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        build_fake_index(settings, fake_embedder)
    monkeypatch.undo()
    after = load_index(settings.index)
    assert after.path == before.path and len(after.chunks) == len(before.chunks)
    assert not [p for p in settings.index.iterdir() if p.name.startswith(".build-")]
    assert build_fake_index(settings, fake_embedder).added == 1


def _build_and_die(settings):
    class Die(FakeEmbedder):
        def embed(self, texts, **_):
            os._exit(9)  # like SIGKILL: no cleanup runs

    build_index(settings, WordCounter(), Die(), rebuild=True)


def test_killed_build_leaves_index_loadable(settings, fake_embedder):
    build_fake_index(settings, fake_embedder)
    before = load_index(settings.index)
    proc = multiprocessing.get_context("fork").Process(target=_build_and_die, args=(settings,))
    proc.start()
    proc.join(30)
    assert proc.exitcode == 9
    assert load_index(settings.index).path == before.path
    assert build_fake_index(settings, fake_embedder, rebuild=True).embedded == len(before.chunks)


def test_missing_mismatched_and_corrupt(settings, fake_embedder):
    with pytest.raises(IndexMissingError, match="rag index"):
        load_index(settings.index)
    build_fake_index(settings, fake_embedder)
    with pytest.raises(IndexMismatchError, match="embedder"):
        load_index(settings.index, settings.replace(embedder="all-MiniLM-L6-v2"))
    with pytest.raises(IndexMismatchError, match="chunk_tokens"):
        load_index(settings.index, settings.replace(chunk_tokens=100))
    vectors = current_version(settings.index) / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="--rebuild"):
        load_index(settings.index)
    # a later build notices and rebuilds from scratch
    assert build_fake_index(settings, fake_embedder).added == 5


def test_second_builder_fails_clearly(settings):
    with build_lock(settings.index):
        with pytest.raises(IndexBusyError, match="another 'rag index'"):
            with build_lock(settings.index):
                pass


def test_titles_and_dates_are_stored_and_refreshed_without_reembedding(settings, fake_embedder, corpus):
    build_fake_index(settings, fake_embedder)
    m = load_index(settings.index).manifest
    assert m.dates == {"002_57e4e1cab6c92a8d.txt": "2023-10-14", "003_abfd0f9880f9ca5a.txt": "2023-10-14"}
    assert m.titles["003_abfd0f9880f9ca5a.txt"].startswith("North Korea Sends Over a Thousand Containers")
    # an index written before dates were extracted is brought up to date by the next build
    version = load_index(settings.index).path
    raw = json.loads((version / "manifest.json").read_text())
    raw["dates"], raw["stats"] = {}, {}  # as written before dates (and file stats) were stored
    (version / "manifest.json").write_text(json.dumps(raw))
    calls = len(fake_embedder.calls)
    report = build_fake_index(settings, fake_embedder)
    assert report.embedded == 0 and len(fake_embedder.calls) == calls
    assert load_index(settings.index).manifest.dates == m.dates


def test_large_indexes_use_hnsw_and_grow_in_place(settings, fake_embedder, corpus, monkeypatch):
    import numpy as np

    from rag import store
    from rag.retrieve import Retriever

    monkeypatch.setattr(store, "HNSW_FROM", 10)  # the bundled articles make 20+ chunks
    build_fake_index(settings, fake_embedder)
    first = load_index(settings.index)
    assert hasattr(first.faiss, "hnsw") and first.faiss.ntotal == len(first.chunks)
    exact = Retriever(first, fake_embedder).retrieve("containers transported via train to Tikhoretsk", 1)
    assert "Tikhoretsk" in exact[0].chunk.text
    (corpus / "new.txt").write_text("Zebra news\n\nQuagga the zebra lives in a park in Tikhoretsk.\n")
    report = build_fake_index(settings, fake_embedder)
    grown = load_index(settings.index)
    assert report.added == 1 and grown.chunks[: len(first.chunks)] == first.chunks  # appended, order kept
    assert np.allclose(grown.vectors([0, len(first.chunks)]), np.stack(
        [first.vectors([0])[0], fake_embedder.embed([grown.chunks[-1].text])[0]]), atol=1e-6)
    hits = Retriever(grown, fake_embedder).retrieve("Quagga the zebra park", 1)
    assert hits[0].chunk.source == "new.txt"
    (corpus / "new.txt").unlink()  # a removal rebuilds the graph from the stored vectors
    assert build_fake_index(settings, fake_embedder).removed == 1
    assert load_index(settings.index).faiss.ntotal == len(first.chunks)


def test_update_reads_only_files_whose_size_or_mtime_changed(settings, fake_embedder, corpus, monkeypatch):
    from rag import indexer

    build_fake_index(settings, fake_embedder)
    read: list[str] = []
    real = indexer.read_file
    monkeypatch.setattr(indexer, "read_file", lambda path, source: read.append(source) or real(path, source))
    assert build_fake_index(settings, fake_embedder).embedded == 0 and read == []
    (corpus / "000_7567e1b7e9e7013d.txt").write_text("A rewritten article about containers.\n")
    report = build_fake_index(settings, fake_embedder)
    assert read == ["000_7567e1b7e9e7013d.txt"] and report.changed == 1
