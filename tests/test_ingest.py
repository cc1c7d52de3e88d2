import logging
import os

import pytest

from rag.errors import CorpusError
from rag.ingest import read_corpus, title_of


def test_bundled_corpus_reads_as_on_disk():
    from tests.conftest import ARTICLES

    docs = read_corpus(ARTICLES)
    assert len(docs) == 5
    for d in docs:
        assert (ARTICLES / d.source).read_text(encoding="utf-8") == d.text
        assert d.title and "\n" not in d.title


def test_recursive_md_and_title(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("\n\n# Heading here\nbody\n")
    (tmp_path / "b.txt").write_text("Title B\nbody")
    (tmp_path / "c.csv").write_text("ignored")
    docs = read_corpus(tmp_path)
    assert [d.source for d in docs] == ["b.txt", "sub/a.md"]
    assert docs[1].title == "Heading here"


def test_bad_files_are_skipped_with_a_warning(tmp_path, caplog):
    (tmp_path / "good.txt").write_text("A good article.")
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("secret")
    os.symlink(outside, tmp_path / "link.txt")
    with caplog.at_level(logging.WARNING):
        docs = read_corpus(tmp_path)
    assert [d.source for d in docs] == ["good.txt"]
    for name in ("empty.txt", "binary.txt", "latin1.txt", "link.txt"):
        assert any(name in r.getMessage() for r in caplog.records), name


def test_empty_or_missing_corpus_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="no readable"):
        read_corpus(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        read_corpus(tmp_path / "nope")


def test_title_of():
    assert title_of("\n  \n  Hello world  \nmore") == "Hello world"
