import pytest

from rag.cite import REFUSAL
from rag.errors import InputError
from rag.pipeline import Pipeline
from rag.retrieve import Retriever
from rag.schema import Answer, Delta
from rag.store import load_index
from tests.conftest import ANSWER_KEYS, FakeGenerator, build_fake_index


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
    assert list(data) == ANSWER_KEYS
    assert data["extractive"] is False  # the model's own claim held
    assert set(data["citations"][0]) == {"n", "source", "title", "date", "url", "start", "end", "quote", "score"}


def test_irrelevant_question_is_refused_without_generating(make, monkeypatch):
    monkeypatch.setattr("rag.pipeline.MODEL_FLOOR", 0.95)  # the fake embedder's cosines run high
    pipe = make("Argentina [1].", min_relevance=0.9)
    answer = pipe.answer("Who won the football World Cup in Qatar?")
    assert answer.refused and answer.answer == REFUSAL and answer.timings.generate_ms == 0
    assert pipe.generator.prompts == []


def test_between_the_floor_and_the_gate_the_model_reads_when_nothing_can_be_quoted(make, monkeypatch):
    monkeypatch.setattr("rag.pipeline.MODEL_FLOOR", 0.0)
    pipe = make("The containers went by rail to a depot near Tikhoretsk [1].", min_relevance=0.99,
                reread=False)  # one reading: the second (tested below) would ask again
    answer = pipe.answer("What happened to the containers after they arrived?")  # no kind asked: nothing to quote
    assert len(pipe.generator.prompts) == 1 and not answer.extractive  # the reply is then checked as always
    assert answer.reply.startswith("The containers went by rail") and answer.timings.generate_ms > 0
    # a quotable sentence still comes first, without generating
    quoted = make("Argentina [1].", min_relevance=0.99)
    assert quoted.answer("How far is the depot from the Russian border?").extractive
    assert quoted.generator.prompts == []


def test_below_the_gate_a_sentence_that_answers_alone_is_quoted_without_generating(make):
    pipe = make("Argentina [1].", min_relevance=0.99)
    answer = pipe.answer("How far is the depot from the Russian border?")
    assert not answer.refused and answer.extractive and answer.timings.generate_ms == 0
    assert "290 kilometers" in answer.answer and answer.answer.startswith("\u201c")
    assert answer.reply is None and pipe.generator.prompts == []
    assert answer.citations[0].quote in answer.answer


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


class MarkersFirst:
    """Replies with markers alone, then (asked again) with words: the 0.5B model's typical slip."""

    def __init__(self, counter, replies):
        self.counter = counter
        self.replies = list(replies)
        self.prompts = []

    def stream(self, messages, max_new_tokens):
        self.prompts.append(messages[-1].content)
        yield self.replies.pop(0)


def test_a_reply_of_markers_alone_is_asked_again_for_words(make):
    from rag.prompt import NUDGE

    pipe = make("unused")
    pipe.generator = MarkersFirst(pipe.generator.counter, ["[1]", "The depot near Tikhoretsk is 290 kilometers away [1]."])
    answer = pipe.answer("How far is the depot near Tikhoretsk from the border?")
    assert not answer.refused and "290 kilometers" in answer.answer and answer.reply.startswith("The depot")
    first, second = pipe.generator.prompts
    assert second == f"{first}\n{NUDGE}"
    # a reply with words is not asked again
    pipe.generator = MarkersFirst(pipe.generator.counter, ["The articles do not say."])
    assert pipe.answer("How far is the depot near Tikhoretsk from the border?").refused
    assert len(pipe.generator.prompts) == 1


def test_a_reply_of_a_headline_alone_is_asked_again(make):
    pipe = make("unused")
    title = pipe.retriever.retrieve("How far is the depot near Tikhoretsk from the border?", 4)[0].title
    assert not title.rstrip().endswith(".")
    pipe.generator = MarkersFirst(pipe.generator.counter, [f"[1] {title}", "The depot near Tikhoretsk is 290 kilometers away [1]."])
    answer = pipe.answer("How far is the depot near Tikhoretsk from the border?")
    assert not answer.refused and "290 kilometers" in answer.answer and len(pipe.generator.prompts) == 2
    # asked for the headline, the headline is the reply, not asked again for words (the checks then
    # refuse it, and the second reading, tested below, would ask for a copy)
    pipe.settings = pipe.settings.replace(reread=False)
    pipe.generator = MarkersFirst(pipe.generator.counter, [f"[1] {title}"])
    pipe.answer("What is the headline of the article about the depot near Tikhoretsk?")
    assert len(pipe.generator.prompts) == 1


def test_disputed_aid_figure_gives_both_versions_with_both_articles(make):
    pipe = make("The White House requested approximately $25 billion [1].")
    answer = pipe.answer("How much aid for Ukraine did the White House initially request?")
    assert "$25 billion" in answer.text and "$24 billion" in answer.text and "sources differ" in answer.text
    assert "sources differ" not in answer.answer and answer.to_json()["answer"] == answer.text
    (conflict,) = answer.conflicts
    sources = {v.value: v.sources for v in conflict.versions}
    assert sources == {"approximately $25 billion": ("000_7567e1b7e9e7013d.txt",),
                       "$24 billion": ("001_e28288bb11f4a347.txt",)}
    cited = {c.source for c in answer.citations}
    assert {"000_7567e1b7e9e7013d.txt", "001_e28288bb11f4a347.txt"} <= cited
    data = answer.to_json()
    assert data["conflicts"][0]["kind"] == "money"
    assert {v["value"] for v in data["conflicts"][0]["values"]} == {"approximately $25 billion", "$24 billion"}
    assert data["articles_indexed"] == 5


def test_agreeing_articles_are_cited_together_without_a_conflict(make):
    pipe = make("The containers were shipped between September 7 and October 1 [1].")
    answer = pipe.answer("When were the containers shipped from Najin to Dunay?")
    assert answer.conflicts == ()
    (claim,) = answer.claims
    assert len(claim.sources) >= 2 and len(claim.refs) == len(claim.sources)
    assert answer.answer.endswith("".join(f"[{n}]" for n in claim.refs) + ".")


def test_date_filter_and_dated_citations(make):
    from rag.dates import DateRange

    pipe = make("The containers were shipped from Najin to Dunay [1].")
    answer = pipe.answer("Where were the containers shipped?", dates=DateRange.parse("2023-10-14", None))
    assert answer.hits and all(h.date == "2023-10-14" for h in answer.hits)
    assert answer.citations and all(c.date == "2023-10-14" and c.title for c in answer.citations)
    refused = pipe.answer("Where were the containers shipped?", dates=DateRange.parse(None, "2020-01-01"))
    assert refused.refused and not refused.hits


def test_a_reply_that_fails_the_checks_gives_way_to_a_quoted_sentence(make):
    pipe = make("Kim Jong Un met Russia in Russia [1].")  # names no leader: dropped
    answer = pipe.answer("Which Russian leader did Kim Jong Un meet?")
    assert not answer.refused and answer.extractive and answer.to_json()["extractive"] is True
    assert "Putin" in answer.answer and answer.answer.startswith("\u201c")
    assert answer.citations[0].quote in answer.answer



def test_the_unanswered_part_of_a_two_part_question_is_asked_on_its_own(make):
    pipe = make("unused")
    pipe.generator = MarkersFirst(pipe.generator.counter, [
        "The North Korean containers left the port city of Najin [1].",  # answers the second part only
        "Moscow has received Iranian-made drones to target Ukrainian infrastructure [1]."])
    question = "What kind of drones has Russia received, and from which port did the North Korean containers leave?"
    answer = pipe.answer(question)
    first, second = pipe.generator.prompts
    assert "Question: What kind of drones has Russia received?" in second and "leave" not in second.split("Question:")[-1]
    assert "Najin" in answer.answer and "Iranian-made drones" in answer.answer and not answer.extractive
    # the second reply's [1] is its own prompt's first passage, renumbered into the answer's list
    drones = next(c for c in answer.claims if "drones" in c.text)
    (quote,) = [c.quote for c in answer.citations if c.n in drones.refs]
    assert "Iranian-made drones" in quote
    import re

    second_reply = answer.reply.split("\n")[1]
    (at,) = re.fullmatch(r"Moscow has received Iranian-made drones to target Ukrainian infrastructure \[(\d+)\]\.",
                         second_reply).groups()
    part_first = pipe.retriever.retrieve("What kind of drones has Russia received?", pipe.settings.top_k)[0]
    assert answer.hits[int(at) - 1].chunk == part_first.chunk
    # a part the model cannot answer alone either stays unanswered; a one-part question is asked once
    pipe.generator = MarkersFirst(pipe.generator.counter, [
        "The North Korean containers left the port city of Najin [1].", "The articles do not say."])
    answer = pipe.answer(question)
    assert "Najin" in answer.answer and "drones" not in answer.answer and len(pipe.generator.prompts) == 2
    pipe.generator = MarkersFirst(pipe.generator.counter, ["The North Korean containers left the port city of Najin [1]."])
    pipe.answer("From which port did the North Korean containers leave?")
    assert len(pipe.generator.prompts) == 1


def test_disagreements_are_looked_for_beyond_the_prompts_passages(make, monkeypatch):
    import rag.pipeline

    question = "Over what period did North Korea send the more than 1,000 containers to Russia?"
    pipe = make("North Korea sent the containers in the past few weeks [1].", top_k=4)
    answer = pipe.answer(question)
    (conflict,) = answer.conflicts  # "over the past month" is in a passage ranked below the prompt's four
    assert {v.value for v in conflict.versions} == {"Over the past month", "in the past few weeks / in recent weeks"}
    monkeypatch.setattr(rag.pipeline, "DISPUTE_DEPTH", 1)
    assert pipe.answer(question).conflicts == ()


def test_the_glossary_is_read_from_the_whole_index_once(make):
    pipe = make("unused")
    terms = pipe.glossary(pipe.retriever)  # the bundled articles: 001 writes "Democratic People’s Republic of Korea (DPRK)"
    assert terms["DPRK"] == "Democratic People’s Republic of Korea"
    assert pipe.glossary(pipe.retriever) is terms  # kept for the loaded index


def test_a_reply_the_checks_refuse_is_read_again_for_the_sentence_itself(make):
    from rag.prompt import COPY_PROMPT

    question = "How far is the depot near Tikhoretsk from the border?"
    wrong = "The containers were shipped from Najin to Dunay [1]."  # true, but no distance: refused
    right = "This depot is approximately 290 kilometers away from the Russian border with Ukraine [1]."
    pipe = make("unused")
    pipe.generator = Recording(pipe.generator.counter, [wrong, right])
    answer = pipe.answer(question)
    assert not answer.refused and "290 kilometers" in answer.answer and not answer.extractive
    assert [m[0].content == COPY_PROMPT for m in pipe.generator.asked] == [False, True]
    assert pipe.generator.asked[1][1] == pipe.generator.asked[0][1]  # the same passages and question
    assert answer.reply == f"{wrong}\n{right}"
    # a copy that does not hold up either leaves the refusal
    pipe.generator = Recording(pipe.generator.counter, [wrong, wrong])
    assert pipe.answer(question).refused and len(pipe.generator.asked) == 2
    # not when the model said the passages do not tell, nor with reread off, nor after an accepted reply
    for replies, kw in ((["The articles do not say."], {}), ([wrong], {"reread": False}), ([right], {})):
        pipe = make("unused", **kw)
        pipe.generator = Recording(pipe.generator.counter, replies)
        pipe.answer(question)
        assert len(pipe.generator.asked) == 1


class Recording(MarkersFirst):
    """Replies in turn and keeps each request's messages."""

    def __init__(self, counter, replies):
        super().__init__(counter, replies)
        self.asked = []

    def stream(self, messages, max_new_tokens):
        self.asked.append(list(messages))
        yield from super().stream(messages, max_new_tokens)
