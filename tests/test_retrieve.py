import pytest

from rag.retrieve import Retriever
from rag.store import load_index
from tests.conftest import build_fake_index


@pytest.fixture
def retriever(settings, fake_embedder):
    build_fake_index(settings, fake_embedder)
    return Retriever(load_index(settings.index), fake_embedder)


def test_finds_the_passage_with_the_answer(retriever):
    hits = retriever.retrieve("containers transported via train to a munitions depot near Tikhoretsk", 3)
    assert hits[0].chunk.source == "003_abfd0f9880f9ca5a.txt" and "Tikhoretsk" in hits[0].chunk.text
    assert hits[0].bm25 > 0 and -1.0 <= hits[0].dense <= 1.0


def test_close_scores_keep_several_articles(retriever):
    hits = retriever.retrieve("containers shipped Najin Dunay September October", 5)
    assert len({h.chunk.source for h in hits}) >= 3


def test_k_and_stopword_only_queries(retriever):
    assert len(retriever.retrieve("the of and", 4)) == 4  # dense still ranks
    assert len(retriever.retrieve("containers", 1)) == 1
    with pytest.raises(ValueError, match="top_k"):
        retriever.retrieve("x", 0)
    n = len(retriever.index.chunks)
    everything = retriever.retrieve("containers", 50)
    assert len(everything) == len({(h.chunk.source, h.chunk.start) for h in everything}) == min(50, n)
