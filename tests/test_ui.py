"""The chat UI's handlers with a fake pipeline (real index, fake models)."""

import dataclasses
import re
import threading

import pytest

from rag.pipeline import Pipeline
from tests.conftest import ANSWER_KEYS, fake_pipeline
from ui.app import STOPPED, Backend, add_articles, api_ask, chat, render_answer, render_sources, sources_of

REPLY = "The depot near Tikhoretsk is approximately 290 kilometers from the border [1]."


@pytest.fixture
def backend(settings):
    pipe = fake_pipeline(settings, REPLY, rewrite="How far is the depot near Tikhoretsk from the border?")
    return Backend(settings, loader=lambda s: pipe).start()


def last(gen):
    out = None
    for out in gen:
        pass
    return out


def test_streamed_turn_with_clickable_markers_and_sources(backend):
    steps = list(chat(backend, "How far is the depot near Tikhoretsk from the border?", [], [], 5, None))
    assert len(steps) > 3  # placeholder, streamed pieces, final
    final = steps[-1]
    assert [m["role"] for m in final.chat] == ["user", "assistant"] and not final.busy
    assert steps[0].box == "" and all(s.box is None for s in steps[1:])  # typing during an answer is kept
    assert all(s.busy for s in steps[:-1])
    assert 'href="#src-1-1"' in final.chat[-1]["content"] and "<sup>[1]</sup>" in final.chat[-1]["content"]
    sources = final.sources
    assert 'id="src-1-1"' in sources
    assert "This depot is approximately 290 kilometers" in re.search(r"<mark>(.*?)</mark>", sources, re.S).group(1)
    assert "003_abfd0f9880f9ca5a.txt" in sources and "2023-10-14" in sources
    assert "Open the whole article" in sources and sources.count("<mark>") == 2
    assert final.note == "" and [t["searched"] for t in final.turns] == [
        "How far is the depot near Tikhoretsk from the border?"]
    assert final.turns[0]["msg"] == 1 and final.turns[0]["sources"] == sources
    assert any("290" in s.chat[-1]["content"] and "href" not in s.chat[-1]["content"] for s in steps[1:-1])


def test_follow_up_is_resolved_by_the_pipeline_and_shown(backend):
    first = last(chat(backend, "Where is the depot?", [], [], 5, None))
    second = last(chat(backend, "How far is it from the border?", first.chat, first.turns, 5, None))
    assert second.note == "Searched for: *How far is the depot from the border?*"
    assert len(second.chat) == 4 and second.turns[-1]["searched"] == "How far is the depot from the border?"
    assert second.turns[-1]["question"] == "How far is it from the border?"
    assert 'id="src-2-1"' in second.sources
    # clicking an earlier answer (or its question) shows that answer's sources
    assert sources_of(second.turns, 1) == first.sources and sources_of(second.turns, 2) == second.sources
    assert sources_of(second.turns, 9) is None


def test_stop_ends_generation_and_keeps_what_was_written(settings):
    pipe = fake_pipeline(settings, REPLY)
    backend = Backend(settings, loader=lambda s: pipe).start()
    stop = threading.Event()
    steps = []
    for step in chat(backend, "How far is the depot from the border?", [], [], 5, None, stop=stop):
        steps.append(step)
        if len(steps) == 3:  # placeholder and two pieces written
            stop.set()
    final = steps[-1]
    assert final.chat[-1]["content"].endswith(STOPPED) and not final.busy
    written = final.chat[-1]["content"].removesuffix(STOPPED)
    assert written and REPLY.startswith(written) and written != REPLY
    assert pipe.generator.pieces_sent == 3  # the fake model was asked for nothing after Stop
    assert len(final.turns) == 1 and final.turns[0]["answer"] == ""


def test_refusal_is_shown_as_such(settings):
    pipe = fake_pipeline(settings.replace(min_relevance=0.99), REPLY)
    backend = Backend(settings, loader=lambda s: pipe).start()
    final = last(chat(backend, "Who won the World Cup?", [], [], 5, None))
    assert "Not in the articles" in final.chat[-1]["content"] and "No sources" in final.sources


def test_errors_become_chat_messages(backend, settings):
    final = last(chat(backend, "   ", [], [], 5, None))
    assert final.chat[-1]["content"].startswith("⚠️ question is empty") and final.box == "   "
    broken = Backend(settings, loader=lambda s: (_ for _ in ()).throw(RuntimeError("disk on fire"))).start()
    final = last(chat(broken, "Where?", [], [], 5, None))
    assert "loading failed" in final.chat[-1]["content"] and "Traceback" not in final.chat[-1]["content"]
    assert broken.info().startswith("⚠️")


def test_upload_is_saved_safely_and_answerable_at_once(backend, settings, tmp_path):
    good = tmp_path / "Zebra news ä.txt"
    good.write_text("Zebra crossing\n\nA zebra named Quagga crossed the Dunay river on Monday.")
    bad = tmp_path / "evil.exe"
    bad.write_bytes(b"MZ")
    status, info = add_articles(backend, [str(good), str(bad)])
    assert "Added Zebra news ä.txt" in status and "only .txt, .md" in status and "6 articles" in info
    assert (settings.corpus / "Zebra news ä.txt").is_file() and not (settings.corpus / "evil.exe").exists()
    hits = backend.pipeline().retriever.retrieve("zebra named Quagga", 1)
    assert hits[0].chunk.source == "Zebra news ä.txt"
    # same name again: saved beside, never overwritten
    status, _ = add_articles(backend, [str(good)])
    assert (settings.corpus / "Zebra news ä-2.txt").is_file()


def test_article_viewer_serves_only_indexed_files(backend):
    pipe: Pipeline = backend.pipeline()
    assert pipe.article("003_abfd0f9880f9ca5a.txt").startswith(" date 2023-10-14")
    for bad in ("../../etc/passwd", "/etc/passwd", "nope.txt"):
        with pytest.raises(Exception, match="not an indexed article"):
            pipe.article(bad)


def test_api_ask_returns_the_cli_json(backend):
    data = api_ask(backend, "How far is the depot near Tikhoretsk from the border?")
    assert list(data) == ANSWER_KEYS
    assert "This depot is approximately 290" in data["citations"][0]["quote"]


def test_api_ask_resolves_follow_ups_from_history(backend):
    data = api_ask(backend, "How far is it from the border?", history=[
        {"question": "Where is the depot?", "answer": "The depot is near Tikhoretsk."}])
    assert data["question"] == "How far is it from the border?"
    assert data["searched"] == "How far is the depot from the border?"
    with pytest.raises(Exception, match="history must be a list"):
        api_ask(backend, "Where?", history=[{"answer": "no question"}])


def test_render_sources_tolerates_missing_article(backend):
    answer = backend.pipeline().answer("How far is the depot near Tikhoretsk from the border?")
    html = render_sources(answer, 1, lambda s: "")
    assert "<mark>" in html and "This depot is approximately 290" in html


def test_conflict_box_and_date_filter(backend):
    shown = last(chat(backend, "How much aid for Ukraine did the White House initially request?", [], [], 5,
                      None)).chat[-1]["content"]
    assert 'class="conflict"' in shown and "on this amount" in shown
    assert "$24 billion" in shown and "$25 billion" in shown and 'href="#src-1-' in shown
    final = last(chat(backend, "How far is the depot near Tikhoretsk from the border?", [], [], 5, None,
                      "2023-10-14", ""))
    sources = final.sources
    assert "Articles dated 2023-10-14" in final.note and "003_abfd0f9880f9ca5a.txt" in sources
    assert not any(f"{n}_" in sources for n in ("000", "001", "004"))
    shown = last(chat(backend, "Where?", [], [], 5, None, "yesterday", "")).chat[-1]["content"]
    assert "--since" in shown and "⚠️" in shown


def test_a_quoted_answer_says_so(settings):
    pipe = fake_pipeline(settings, "Kim Jong Un met Russia in Russia [1].")  # fails the checks: a sentence is quoted
    answer = pipe.answer("Which Russian leader did Kim Jong Un meet?")
    assert answer.extractive
    assert "quoted from an article" in render_answer(answer, 1)
    assert "quoted from an article" not in render_answer(dataclasses.replace(answer, extractive=False), 2)


def test_a_figure_reported_over_time_gets_a_timeline_box_not_a_warning():
    from rag.schema import Answer, Citation, Conflict, Version

    cites = (Citation(1, "b.txt", 0, 3, "5.5", 0.5), Citation(2, "a.txt", 0, 1, "4", 0.5))
    timeline = Conflict("q", "percent", (Version("4 percent", (2,), ("a.txt",)),
                                         Version("5.5 percent", (1,), ("b.txt",))), over_time=True)
    shown = render_answer(Answer("q", "The offer was 5.5 percent [1].", False, cites, conflicts=(timeline,)), 1)
    assert "Reported over time" in shown and 'class="conflict"' not in shown and "⚠️" not in shown
    dispute = dataclasses.replace(timeline, over_time=False)
    shown = render_answer(Answer("q", "The offer was 5.5 percent [1].", False, cites, conflicts=(dispute,)), 1)
    assert 'class="conflict"' in shown and "Reported over time" not in shown
