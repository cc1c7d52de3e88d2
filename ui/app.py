"""The chat UI: a thin Gradio layer over `rag.pipeline`.

Everything that decides what is retrieved, asked or cited lives in `rag` (follow-ups are
resolved by `Pipeline.stream(..., history=...)`); this file only turns pipeline events
into chat messages and HTML. Models load once, in a background thread started with the
app, while the page shows "Loading models…". Handlers are plain functions of a `Backend`
so they can be tested without a browser.
One answer at a time per conversation: while one is written, Ask (and Enter) is off and a
Stop button ends generation, keeping what was written, marked as stopped; what the user
types meanwhile stays in the box. The conversation (messages, turns and each answer's
sources) is kept in the browser's storage, so it survives a reload; clicking an answer
shows its own sources.
Simplified on purpose: one conversation per browser (tabs share the stored one; the last
answer written wins on reload); other generators load the first time they are picked.
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.conflicts import KIND_NAMES
from rag.dates import DateRange
from rag.errors import InputError, RagError
from rag.ingest import EXTENSIONS, MAX_UPLOAD_BYTES, save_upload
from rag.pipeline import Pipeline, check_question
from rag.schema import Answer, Delta, Turn
from rag.settings import Settings

log = logging.getLogger("rag.ui")

CSS = """
.src {border:1px solid #ddd; border-radius:8px; padding:8px 10px; margin-bottom:8px;}
.src-head {font-size:0.9em; margin-bottom:4px;}
.src mark {background:#ffe58a; padding:0 2px;}
.src .para {font-size:0.9em; margin:4px 0;}
.src .article {white-space:pre-wrap; font-size:0.85em; max-height:360px; overflow:auto;}
.refused {color:#8a4b00;}
.conflict {border-left:4px solid #d9822b; background:#fff6ec; padding:6px 10px; margin-top:8px;}
.reported {color:#555; font-size:0.9em;}
"""

STOPPED = " <em>⏹ stopped</em>"
LOADING = "⏳ Loading models… (questions wait until they are ready)"


class Backend:
    """The loaded pipeline(s), shared by every browser tab; loading starts in a thread."""

    def __init__(self, settings: Settings, loader: Callable[[Settings], Pipeline] = Pipeline.load) -> None:
        self.settings = settings
        self._loader = loader
        self.ready = threading.Event()
        self.error: str | None = None
        self.main: Pipeline | None = None
        self._others: dict[str, Pipeline] = {}
        self._lock = threading.Lock()
        self._stops: dict[str, threading.Event] = {}

    def stopper(self, session: str) -> threading.Event:
        """The Stop flag of one browser session (cleared when its next answer starts)."""
        with self._lock:
            return self._stops.setdefault(session, threading.Event())

    def start(self) -> Backend:
        threading.Thread(target=self._load, name="rag-load", daemon=True).start()
        return self

    def _load(self) -> None:
        try:
            self.main = self._loader(self.settings)
        except RagError as exc:
            self.error = str(exc)
        except Exception as exc:  # shown in the page instead of dying silently in a thread
            log.exception("loading failed")
            self.error = f"loading failed: {exc}"
        finally:
            self.ready.set()

    def pipeline(self, model: str | None = None) -> Pipeline:
        """The pipeline for `model` (default: the configured one), waiting for start-up."""
        self.ready.wait()
        if self.main is None:
            raise RagError(self.error or "models are not loaded")
        if not model or model == self.settings.model:
            return self.main
        with self._lock:
            if model not in self._others:
                from rag.generate import load_generator

                settings = self.settings.replace(model=model)
                self._others[model] = Pipeline(settings, self.main.retriever, load_generator(settings))
            other = self._others[model]
        other.retriever = self.main.retriever  # follow uploads made through the main pipeline
        return other

    def info(self) -> str:
        if not self.ready.is_set():
            return LOADING
        if self.main is None:
            return f"⚠️ {self.error}"
        m = self.main.retriever.index.manifest
        return (f"**{len(m.files)} articles**, {len(self.main.retriever.index.chunks)} passages indexed "
                f"(built {m.built_at.replace('T', ' ')[:16]}) · generator `{self.settings.model}` · offline")


# ---------------------------------------------------------------- rendering

def render_answer(answer: Answer, turn: int) -> str:
    """Markdown for the chat: `[n]` markers become links to the source cards."""
    if answer.refused:
        return f"🚫 **Not in the articles.** {html.escape(answer.answer)}"
    quotes = {c.n: c.quote for c in answer.citations}

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        title = html.escape(quotes.get(n, ""), quote=True).replace("\n", " ")[:300]
        return f'<a href="#src-{turn}-{n}" title="{title}"><sup>[{n}]</sup></a>'

    def linked(text: str) -> str:
        return re.sub(r"\[(\d+)\]", link, html.escape(text, quote=False))

    out = linked(answer.answer)
    if answer.extractive:
        out += '<div class="reported">“…” is quoted from an article: the model\'s own answer did not hold up.</div>'
    for claim in answer.claims:
        if len(claim.sources) > 1:
            out += (f'<div class="reported">📰 {len(claim.sources)} of {answer.articles} articles report: '
                    f'{linked(claim.text)}</div>')
    for conflict in answer.conflicts:
        rows = "".join(f"<li>{html.escape(v.value)} {linked(''.join(f'[{n}]' for n in v.refs))} "
                       f"({len(v.sources)} article{'s' if len(v.sources) > 1 else ''})</li>" for v in conflict.versions)
        kind = KIND_NAMES.get(conflict.kind, conflict.kind)
        if conflict.over_time:
            out += (f'<div class="reported">🕒 <b>Reported over time</b>, earliest first, on this {kind}:'
                    f'<ul>{rows}</ul></div>')
        else:
            out += f'<div class="conflict">⚠️ <b>The sources differ</b> on this {kind}:<ul>{rows}</ul></div>'
    return out


def _highlight(text: str, start: int, end: int) -> str:
    return f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}"


def render_sources(answer: Answer, turn: int, article: Callable[[str], str],
                   about: Callable[[str], dict] = lambda source: {}) -> str:
    """HTML cards: title (linked to its URL), file, date, site and author, the quote highlighted in its
    paragraph, and the whole article. `about(source)` gives the article's metadata ("site", "author")."""
    if answer.refused or not answer.citations:
        return "<p>No sources: the articles do not contain an answer.</p>" if answer.refused else ""
    cards = []
    for c in answer.citations:
        try:
            text = article(c.source)
        except RagError:
            text = ""
        name = html.escape(c.title or c.source)
        if c.url and c.url.startswith(("http://", "https://")):
            name = f'<a href="{html.escape(c.url, quote=True)}" target="_blank" rel="noopener noreferrer">{name}</a>'
        meta = about(c.source)
        by = "".join(f" · {html.escape(meta[k])}" for k in ("site", "author") if meta.get(k))
        head = (f"<b>[{c.n}] {name}</b><br>"
                f"<code>{html.escape(c.source)}</code>{' · ' + c.date if c.date else ''}{by} · relevance {c.score:.2f}")
        if text[c.start:c.end] == c.quote:
            p0 = max(text.rfind("\n", 0, c.start) + 1, c.start - 600)
            p1 = text.find("\n", c.end)
            p1 = min(len(text) if p1 < 0 else p1, c.end + 600)
            para = _highlight(text[p0:p1], c.start - p0, c.end - p0)
            whole = _highlight(text, c.start, c.end)
            body = (f'<p class="para">{para}</p><details><summary>Open the whole article</summary>'
                    f'<div class="article">{whole}</div></details>')
        else:
            body = f'<p class="para"><mark>{html.escape(c.quote)}</mark></p>'
        cards.append(f'<div class="src" id="src-{turn}-{c.n}"><div class="src-head">{head}</div>{body}</div>')
    return "\n".join(cards)


# ---------------------------------------------------------------- handlers

@dataclass(frozen=True)
class Step:
    """What one chat turn shows at one moment; `build_app` maps it onto the components."""

    chat: list[dict]  # the chat messages
    sources: str  # sources panel HTML
    note: str  # the "Searched for: …" line
    turns: list[dict]  # the conversation's turns (question, searched, answer, titles, sources, msg)
    box: str | None  # the question box: None leaves what the user is typing alone
    busy: bool  # an answer is being written: Ask off, Stop on


def chat(backend: Backend, message: str, history: list[dict], turns: list[dict], top_k: int, model: str | None,
         since: str = "", until: str = "", stop: threading.Event | None = None) -> Iterator[Step]:
    """Stream one chat turn. Follow-ups are resolved by the pipeline from `turns`; `stop` ends generation."""
    history = list(history or [])
    turns = list(turns or [])
    history.append({"role": "user", "content": message or ""})
    try:
        check_question(message)
        dates = DateRange.parse(since, until)
        pipeline = backend.pipeline(model)
        earlier = [Turn.from_json(t) for t in turns]
        history.append({"role": "assistant", "content": "…"})
        note = f"Articles dated {dates}" if dates is not None else ""
        yield Step(list(history), "", note, turns, "", True)
        text = ""
        events = pipeline.stream(message, int(top_k) if top_k else None, dates, earlier)
        for event in events:
            if stop is not None and stop.is_set():
                events.close()  # the model thread stops; nothing is generated after this
                history[-1] = {"role": "assistant", "content": html.escape(text) + STOPPED}
                turns.append(Turn(message.strip(), message.strip()).to_json() | {"sources": "", "msg": len(history) - 1})
                yield Step(history, "", note, turns, None, False)
                return
            if isinstance(event, Delta):
                text += event.text
                history[-1] = {"role": "assistant", "content": html.escape(text)}
                yield Step(list(history), "", note, turns, None, True)
            else:
                turn = len(turns) + 1
                if event.searched:
                    note = f"Searched for: *{html.escape(event.searched)}*" + (" · " + note if note else "")
                history[-1] = {"role": "assistant", "content": render_answer(event, turn)}
                sources = render_sources(event, turn, pipeline.article,
                                         lambda src: pipeline.retriever.index.manifest.meta.get(src, {}))
                turns.append(Turn.of(event).to_json() | {"sources": sources, "msg": len(history) - 1})
                yield Step(history, sources, note, turns, None, False)
    except RagError as exc:
        if history[-1]["role"] == "assistant":
            history.pop()
        history.append({"role": "assistant", "content": f"⚠️ {html.escape(str(exc))}"})
        yield Step(history, "", "", turns, message or "", False)
    except Exception as exc:  # never a stack trace in the chat
        log.exception("chat turn failed")
        if history[-1]["role"] == "assistant":
            history.pop()
        history.append({"role": "assistant", "content": f"⚠️ Something went wrong: {html.escape(type(exc).__name__)}"})
        yield Step(history, "", "", turns, message or "", False)


def sources_of(turns: list[dict], index: int) -> str | None:
    """The sources HTML of the answer at chat message `index` (or of the question just before it)."""
    for t in turns:
        if t.get("msg") in (index, index + 1):
            return t.get("sources") or "<p>No sources for this answer.</p>"
    return None


def add_articles(backend: Backend, files: list[str] | None, progress=None) -> tuple[str, str]:
    """Save uploaded files into the corpus and index them; returns (status markdown, info line)."""
    if not files:
        return "Choose one or more article files first.", backend.info()
    try:
        pipeline = backend.pipeline()
    except RagError as exc:
        return f"⚠️ {exc}", backend.info()
    saved, errors = [], []
    for path in files:
        p = Path(path)
        try:
            if p.stat().st_size > MAX_UPLOAD_BYTES:  # checked before reading it into memory
                raise InputError(f"upload '{p.name}' is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            saved.append(save_upload(pipeline.settings.corpus, p.name, p.read_bytes()).name)
        except (InputError, OSError) as exc:
            errors.append(str(exc))
    if progress is not None:
        progress(0.3, desc="Indexing new articles")
    lines = []
    if saved:
        try:
            report = pipeline.refresh_index()
            lines.append(f"✅ Added {', '.join(saved)}: {report.embedded} new passages indexed. Ask about it now.")
        except RagError as exc:
            lines.append(f"⚠️ saved {', '.join(saved)} but indexing failed: {exc}")
    lines += [f"⚠️ {e}" for e in errors]
    return "\n\n".join(lines), backend.info()


def api_ask(backend: Backend, question: str, since: str = "", until: str = "",
            history: list[dict] | None = None) -> dict:
    """The `/ask` endpoint: the same JSON object as `rag ask --json`.

    `history`: earlier turns, oldest first, each `{"question": ..., "answer": ...}` (and
    optionally the `searched` form an earlier answer returned), for follow-up questions.
    """
    import gradio as gr

    try:
        if not isinstance(history or [], list) or not all(
                isinstance(t, dict) and isinstance(t.get("question"), str) for t in history or []):
            raise InputError("history must be a list of {\"question\": ..., \"answer\": ...} objects")
        earlier = [Turn.from_json(t) for t in history or []]
        return backend.pipeline().answer(question, dates=DateRange.parse(since, until), history=earlier).to_json()
    except RagError as exc:
        raise gr.Error(str(exc)) from None


# ---------------------------------------------------------------- app

def build_app(backend: Backend):
    import gradio as gr

    from rag.models import installed_generators

    settings = backend.settings
    choices = installed_generators()
    if settings.model not in choices:
        choices = [settings.model] + choices
    with gr.Blocks(title="rag-news: cited answers from your articles", analytics_enabled=False) as demo:
        gr.Markdown("## Ask your news articles\nEvery claim is cited to the article it came from, with the exact quote. "
                    "Runs offline on this machine.")
        info = gr.Markdown(backend.info(), elem_id="info")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=480, elem_id="chat", sanitize_html=True)
                searched = gr.Markdown(elem_id="searched")
                with gr.Row():
                    box = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5, elem_id="question")
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    stop = gr.Button("Stop", variant="stop", scale=1, visible=False, elem_id="stop")
                new = gr.Button("New conversation", size="sm", elem_id="new")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML("<p>Sources of the latest answer appear here; click an answer to see its own.</p>",
                                  elem_id="sources")
        with gr.Accordion("Settings and articles", open=False, elem_id="settings"):
            with gr.Row():
                top_k = gr.Slider(1, 10, value=settings.top_k, step=1, label="Passages given to the model")
                model = gr.Dropdown(choices=choices, value=settings.model, label="Generator")
            with gr.Row():
                since = gr.Textbox(label="Only articles dated from (e.g. 2023-10-01)", elem_id="since")
                until = gr.Textbox(label="…until (inclusive; undated articles are left out)", elem_id="until")
            upload = gr.File(file_count="multiple", file_types=list(EXTENSIONS), type="filepath",
                             label="Add articles (.txt .md .html .xml/.rss/.atom .pdf .json/.jsonl, up to 5 MB each)",
                             elem_id="upload")
            add = gr.Button("Add and index", elem_id="add")
            added = gr.Markdown(elem_id="added")
        saved = gr.BrowserState({"chat": [], "turns": []}, storage_key="rag-news-conversation")

        def on_chat(message, history, kept, k, m, lo, hi, request: gr.Request):
            stop_flag = backend.stopper(request.session_hash or "")
            stop_flag.clear()
            for step in chat(backend, message, history, (kept or {}).get("turns", []), k, m, lo, hi, stop_flag):
                yield (step.chat, step.sources, step.note,
                       {"chat": step.chat, "turns": step.turns} if not step.busy else gr.skip(),
                       gr.skip() if step.box is None else step.box,
                       gr.update(interactive=not step.busy, value="Answering…" if step.busy else "Ask"),
                       gr.update(visible=step.busy))

        def on_stop(request: gr.Request):
            backend.stopper(request.session_hash or "").set()

        def on_restore(kept):
            kept = kept or {}
            turns = kept.get("turns") or []
            return kept.get("chat") or [], (turns[-1].get("sources") if turns else "") or ""

        def on_select(kept, evt: gr.SelectData):
            index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            found = sources_of((kept or {}).get("turns") or [], int(index))
            return gr.skip() if found is None else found

        # This module's annotations are strings (`from __future__ import annotations`) and `gr` is
        # local, so Gradio could not resolve them: give it the classes it injects by type.
        on_chat.__annotations__["request"] = gr.Request
        on_stop.__annotations__["request"] = gr.Request
        on_select.__annotations__["evt"] = gr.SelectData

        def on_add(files, progress=gr.Progress()):
            return add_articles(backend, files, progress)

        def on_tick():
            return backend.info(), gr.Timer(active=not backend.ready.is_set())

        outputs = [chatbot, sources, searched, saved, box, send, stop]
        inputs = [box, chatbot, saved, top_k, model, since, until]
        gr.on([send.click, box.submit], on_chat, inputs, outputs, trigger_mode="once", api_visibility="private")
        stop.click(on_stop, None, None, queue=False, api_visibility="private")
        new.click(lambda: ([], "", "", {"chat": [], "turns": []}), None, [chatbot, sources, searched, saved],
                  api_visibility="private")
        chatbot.select(on_select, [saved], [sources], api_visibility="private")
        demo.load(on_restore, [saved], [chatbot, sources], api_visibility="private")
        add.click(on_add, [upload], [added, info], api_visibility="private")
        timer = gr.Timer(1.0, active=not backend.ready.is_set())
        timer.tick(on_tick, None, [info, timer], api_visibility="private")
        demo.load(on_tick, None, [info, timer], api_visibility="private")

        def ask(question: str, since: str = "", until: str = "", history: list[dict] | None = None) -> dict:
            """Answer one question (optionally from articles dated since/until, and as a follow-up to the
            earlier turns in `history`: [{"question": ..., "answer": ...}, ...]); the `rag ask --json` object."""
            return api_ask(backend, question, since, until, history)

        gr.api(ask, api_name="ask")
    return demo


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, password: str | None = None,
          block: bool = True, backend: Backend | None = None):
    """Start the app; returns the Gradio Blocks (already launched)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no telemetry, no version check
    backend = (backend or Backend(settings)).start()
    demo = build_app(backend)
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=host, server_port=port, share=False, auth=("rag", password) if password else None,
                prevent_thread_lock=not block, css=CSS, ssr_mode=False, show_error=False, inbrowser=False,
                footer_links=["api"], quiet=True)
    return demo
