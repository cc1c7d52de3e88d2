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


def test_date_range_keeps_only_articles_dated_inside(retriever):
    from rag.dates import DateRange

    dated = {s for s, d in retriever.index.manifest.dates.items() if d == "2023-10-14"}
    assert dated == {"002_57e4e1cab6c92a8d.txt", "003_abfd0f9880f9ca5a.txt"}
    hits = retriever.retrieve("containers shipped Najin Dunay", 10, DateRange.parse("2023-10-14", "2023-10-14"))
    assert hits and {h.chunk.source for h in hits} <= dated
    assert all(h.date == "2023-10-14" for h in hits)
    assert retriever.retrieve("containers", 5, DateRange.parse("2024-01-01", None)) == []


def test_reprinted_story_is_given_once_and_kept_as_also(settings, fake_embedder):
    from rag.retrieve import Retriever

    original = (settings.corpus / "003_abfd0f9880f9ca5a.txt").read_text(encoding="utf-8")
    reprint = "Reprinted from our partners.\n\n" + original.replace("Kirby stated", "Kirby said")
    (settings.corpus / "reprint.txt").write_text(reprint, encoding="utf-8")
    build_fake_index(settings, fake_embedder)
    retriever = Retriever(load_index(settings.index), fake_embedder)
    hits = retriever.retrieve("containers transported via train to a munitions depot near Tikhoretsk", 5)
    # the prompt gets the story from one of the two files, not from both
    assert len({h.chunk.source for h in hits if "Tikhoretsk" in h.chunk.text}) == 1
    top = hits[0]
    assert "Tikhoretsk" in top.chunk.text
    assert [a.chunk.source for a in top.also if "Tikhoretsk" in a.chunk.text] == [
        ({"003_abfd0f9880f9ca5a.txt", "reprint.txt"} - {top.chunk.source}).pop()]


def test_passages_come_in_fused_rank_order_even_from_one_article(retriever):
    """No per-article penalty (eval/ablate.py): the best article's neighbouring paragraphs are all kept."""
    hits = retriever.retrieve("Kim Jong Un two-day parliamentary session constitution new Cold War nuclear weapons", 4)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert sum(h.chunk.source == "002_57e4e1cab6c92a8d.txt" for h in hits) >= 2
