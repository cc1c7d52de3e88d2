import hashlib

from hypothesis import given, settings as hsettings, strategies as st

from rag.chunk import chunk_document, split_sentences
from rag.ingest import read_corpus
from rag.schema import Document
from tests.conftest import ARTICLES, WordCounter


def doc(text: str) -> Document:
    return Document("x.txt", text, "t", hashlib.sha256(text.encode()).hexdigest())


def test_abbreviations_do_not_end_sentences():
    text = "Washington, D.C. — The U.S. Defense Secretary spoke. Mr. Kirby agreed! Then what? Next line\nNew line."
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["Washington, D.C. — The U.S. Defense Secretary spoke.", "Mr. Kirby agreed!", "Then what?",
                   "Next line", "New line."]


def test_quotes_close_sentences():
    text = "“We condemn it,” Kirby said. “It is bad.” The end."
    assert [text[s:e] for s, e in split_sentences(text)] == ["“We condemn it,” Kirby said.", "“It is bad.”", "The end."]


def test_bundled_articles_chunk_within_budget_and_overlap():
    counter = WordCounter()
    for d in read_corpus(ARTICLES):
        chunks = chunk_document(d, counter, max_tokens=60, overlap=10)
        assert len(chunks) >= 2
        for c in chunks:
            assert d.text[c.start:c.end] == c.text
            assert len(counter.encode_ordinary(c.text)) <= 60 + 2
        assert chunks[0].start == len(d.text) - len(d.text.lstrip())
        assert d.title.rstrip("…") in d.text
        # consecutive chunks overlap or are separated by whitespace only: no text is lost
        for a, b in zip(chunks, chunks[1:]):
            assert b.start > a.start and (b.start <= a.end or not d.text[a.end:b.start].strip())
        covered = {s for c in chunks for s, e in split_sentences(d.text) if c.start <= s and e <= c.end}
        assert covered == {s for s, e in split_sentences(d.text) if e - s <= 400}


def test_overlong_sentence_is_cut_at_words():
    text = " ".join(f"w{i}" for i in range(500)) + "."
    chunks = chunk_document(doc(text), WordCounter(), max_tokens=50, overlap=5)
    assert all(len(c.text.split()) <= 50 for c in chunks)
    assert "".join(c.text.replace(" ", "") for c in chunks) == text.replace(" ", "")


def test_one_huge_word_is_cut_by_characters():
    text = "x" * 5000

    class CharCounter(WordCounter):
        def encode_ordinary(self, t):
            return list(range(len(t) // 4 + 1))

    chunks = chunk_document(doc(text), CharCounter(), max_tokens=100, overlap=0)
    assert "".join(c.text for c in chunks) == text and len(chunks) > 10


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("abc XYZ.!?\n\t,“”’'0123é日") + ["U.S. ", "Mr. ", "\n\n"]), max_size=300).map("".join),
       st.integers(min_value=2, max_value=40), st.integers(min_value=0, max_value=30))
def test_offsets_are_exact(text, max_tokens, overlap):
    overlap = min(overlap, max_tokens - 1)
    d = doc(text)
    chunks = chunk_document(d, WordCounter(), max_tokens=max_tokens, overlap=overlap)
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert c.text.strip() == c.text and c.text
    for s, e in split_sentences(text):
        assert text[s:e].strip() == text[s:e] and e > s
    if text.strip():
        assert chunks


def test_paragraph_chunks_keep_whole_lines_and_the_offsets():
    from rag.chunk import chunk_paragraphs

    counter = WordCounter()
    for d in read_corpus(ARTICLES):
        chunks = chunk_paragraphs(d, counter, max_tokens=120)
        assert chunks and all(d.text[c.start:c.end] == c.text for c in chunks)
        assert all(len(counter.encode_ordinary(c.text)) <= 120 for c in chunks)
        assert all(len(c.text) >= 300 for c in chunks[:-1] if "\n" in c.text)
        joined = " ".join(" ".join(c.text.split()) for c in chunks)
        assert " ".join(d.text.split()) == joined  # every word once, in order, no overlap


@given(st.lists(st.text(alphabet="abc .\n", min_size=0, max_size=80), min_size=1, max_size=12))
@hsettings(max_examples=60, deadline=None)
def test_paragraph_chunks_cover_any_text(lines):
    from rag.chunk import chunk_paragraphs

    text = "\n".join(lines)
    if not text.strip():
        return
    chunks = chunk_paragraphs(doc(text), WordCounter(), max_tokens=8, min_chars=20)
    assert all(text[c.start:c.end] == c.text and c.text.strip() for c in chunks)
    assert "".join(text.split()) == "".join("".join(c.text.split()) for c in chunks)
