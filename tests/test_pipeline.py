import pytest

from rag.cite import REFUSAL
from rag.errors import InputError
from rag.pipeline import Pipeline
from rag.retrieve import Retriever
from rag.schema import Answer, Delta
from rag.store import load_index
from tests.conftest import FakeGenerator, build_fake_index


@pytest.fixture
def make(settings, fake_embedder):
    build_fake_index(settings, fake_embedder)
    retriever = Retriever(load_index(settings.index), fake_embedder)
    return lambda reply, **kw: Pipeline(settings.replace(**kw), retriever, FakeGenerator(reply))


def test_streams_then_answers_with_citations(make):
    pipe = make("The depot near Tikhoretsk is approximately 290 kilometers from the border [1].")
    events = list(pipe.stream("How far is the depot near Tikhoretsk from the border?"))
    assert all(isinstance(e, Delta) for e in events[:-1]) and len(events) > 3
    final = events[-1]
    assert isinstance(final, Answer) and not final.refused
    assert "290 kilometers" in final.citations[0].quote
    assert final.timings.total_ms >= final.timings.retrieve_ms
    data = final.to_json()
    assert set(data) == {"question", "answer", "refused", "citations", "timings"}
    assert set(data["citations"][0]) == {"n", "source", "start", "end", "quote", "score"}


def test_irrelevant_question_is_refused_without_generating(make):
    pipe = make("Argentina [1].", min_relevance=0.9)
    answer = pipe.answer("Who won the football World Cup in Qatar?")
    assert answer.refused and answer.answer == REFUSAL and answer.timings.generate_ms == 0
    assert pipe.generator.prompts == []


def test_bad_questions(make):
    pipe = make("x")
    for q in ("", "   \n\t", None):
        with pytest.raises(InputError, match="question is empty"):
            pipe.answer(q)
    with pytest.raises(InputError, match="limit"):
        pipe.answer("why " * 1000)
    with pytest.raises(InputError, match="top_k"):
        pipe.answer("containers?", top_k=0)


def test_prompt_holds_numbered_passages(make):
    pipe = make("Dunay [1].")
    pipe.answer("Where did the containers arrive, Najin or Dunay?", top_k=3)
    prompt = pipe.generator.prompts[0]
    assert "[1]" in prompt and "[3]" in prompt and "[4]" not in prompt and "Dunay" in prompt
