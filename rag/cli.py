"""The `rag` command: `rag index` builds or updates the index, `rag ask` answers questions,
`rag eval` measures the pipeline on a gold Q&A set.

Errors of ours (`RagError`) become one line on stderr and exit code 2 for bad input, 1 for
anything else; no traceback unless `--debug`. Heavy imports happen inside the commands
so `rag --help` returns at once.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from rag.errors import InputError, RagError
from rag.generate import RUNTIMES
from rag.settings import Settings, load_settings

log = logging.getLogger("rag")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML settings file (default: ./rag.toml if present)")
    parser.add_argument("--index", type=Path, help="index folder (default: index/)")
    parser.add_argument("--model", help="generator: a preset (qwen2.5-0.5b, qwen2.5-1.5b, smollm2-135m), "
                                        "a .gguf file or a transformers model folder")
    parser.add_argument("--cache-dir", type=Path, help="where converted models are kept (default: ~/.cache/rag-news)")
    parser.add_argument("--backend", choices=tuple(RUNTIMES),
                        help="generator runtime: " + "; ".join(f"{k}: {r.description}" for k, r in RUNTIMES.items()))
    parser.add_argument("--dtype", choices=("auto",) + tuple(dict.fromkeys(w for r in RUNTIMES.values() for w in r.weights)),
                        help="weights of the runtime (default auto: " + ", ".join(
                            f"{k} {r.weights[0]}" for k, r in RUNTIMES.items()) + ")")
    parser.add_argument("--embedder-backend", choices=("openvino", "sentence-transformers"),
                        help="embedder runtime (default openvino; sentence-transformers is the torch reference)")
    parser.add_argument("--followup", choices=("rewrite", "substitute", "terms"),
                        help="how a follow-up question is made standalone (default substitute; see rag/followup.py)")
    parser.add_argument("--generator-url", metavar="URL",
                        help="generate on an OpenAI-compatible server you run (llama-server, vLLM, Ollama, "
                             "rag serve --raw), e.g. http://127.0.0.1:8080/v1; key from env RAG_GENERATOR_KEY")
    parser.add_argument("--generator-model", metavar="NAME",
                        help="model name to ask that server for (default: the first it lists)")
    parser.add_argument("-v", "--verbose", action="store_true", help="more log output")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Offline question answering over news articles, "
                                     "with every claim cited to the article it came from.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="build or update the index of a folder of articles")
    _common(p)
    p.add_argument("--corpus", type=Path, help="folder of articles: .txt .md .html .xml/.rss/.atom .pdf .json/.jsonl "
                                               "(default: data/articles/)")
    p.add_argument("--rebuild", action="store_true", help="re-embed everything instead of updating")
    p.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="build on Ray Data (a full rebuild): a local Ray runtime, or the cluster at ADDRESS "
                        "(or RAY_ADDRESS); on a cluster the corpus and index must be on a shared filesystem")
    p.add_argument("--workers", type=int, default=1, help="with --ray: embedder actors (default 1)")

    p = sub.add_parser("add", help="copy files (or download pages and feeds) into the corpus and index them")
    _common(p)
    p.add_argument("items", nargs="+", metavar="PATH_OR_URL",
                   help="article files (.txt .md .html .xml/.rss/.atom .pdf .json/.jsonl) or http(s) URLs")
    p.add_argument("--corpus", type=Path, help="corpus folder to copy into (default: data/articles/)")

    p = sub.add_parser("ask", help="answer a question from the indexed articles")
    _common(p)
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object per answer")
    p.add_argument("--top-k", type=int, help="number of passages given to the model (default 4)")
    p.add_argument("--since", metavar="DATE", help="only articles dated on or after DATE (e.g. 2023-10-01); "
                                                   "undated articles are left out when a range is given")
    p.add_argument("--until", metavar="DATE", help="only articles dated on or before DATE")
    p.add_argument("--no-server", action="store_true",
                   help="answer in this process even when a `rag serve` for this index is running")

    p = sub.add_parser("serve", help="serve the pipeline over an OpenAI-compatible API (models stay loaded)")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a --host other than loopback; then a key (env RAG_API_KEY) is required")
    p.add_argument("--raw", action="store_true",
                   help="serve the generator alone (the messages are the prompt; no retrieval, no index needed): "
                        "a generator server for --generator-url")

    p = sub.add_parser("chat", help="open the chat in the browser (http://127.0.0.1:7860), or --cli in the terminal")
    _common(p)
    p.add_argument("--cli", action="store_true",
                   help="a conversation in this terminal instead (follow-ups understood; /new starts over, /quit ends)")
    p.add_argument("--corpus", type=Path, help="folder uploads are saved into (default: data/articles/)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a --host other than loopback; then a password (env RAG_PASSWORD) is required")

    p = sub.add_parser("eval", help="measure retrieval, answers, citations and refusals on a gold Q&A set")
    _common(p)
    p.add_argument("--corpus", type=Path, help="folder of articles the gold set refers to (default: data/articles/)")
    p.add_argument("--gold", type=Path, default=Path("eval/gold.jsonl"), help="gold JSONL file (default: eval/gold.jsonl)")
    p.add_argument("--out", type=Path, default=Path("eval/reports"), help="report folder (default: eval/reports/)")
    p.add_argument("--top-k", type=int, help="number of passages given to the model (default 4)")
    p.add_argument("--floors", type=Path, help="JSON of minimum metric values; exit 1 if any is not met")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"),
                   help="print the change of every metric between two reports and exit")
    p.add_argument("--baseline", choices=("plain",),
                   help="measure the plain pipeline instead (paragraph chunks, top 4, a plain prompt, no checks)")
    p.add_argument("--conversations", nargs="?", const=Path("eval/conversations.jsonl"), type=Path, metavar="FILE",
                   help="measure follow-up questions on a conversation set (default eval/conversations.jsonl): "
                        "each follow-up against its standalone form")
    p.add_argument("--failures", nargs="?", const=True, type=Path, metavar="REPORT.json",
                   help="print every failing question (label, raw reply, answer): of REPORT.json, or of this run")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config, index=args.index, model=args.model, cache_dir=args.cache_dir,
                         backend=args.backend, dtype=args.dtype, embedder_backend=args.embedder_backend,
                         corpus=getattr(args, "corpus", None), top_k=getattr(args, "top_k", None),
                         followup=args.followup, generator_url=args.generator_url,
                         generator_model=args.generator_model)


def _check_corpus(settings: Settings) -> None:
    if not settings.corpus.is_dir():
        raise RagError(f"corpus folder {settings.corpus} not found; pass --corpus DIR or put articles there")


def update_index(settings: Settings, rebuild: bool = False):
    """Build or update the index for `settings`; returns (BuildReport, the loaded Embedder)."""
    from rag.embed import load_embedder
    from rag.models import resolve_tokenizer
    from rag.indexer import build_index
    from rag.tokens import load_counter

    _check_corpus(settings)
    counter = load_counter(resolve_tokenizer(settings.model, settings.cache_dir))
    embedder = load_embedder(settings)
    report = build_index(settings, counter, embedder, rebuild=rebuild)
    return report, embedder


def _summary(report) -> str:
    formats = ", ".join(f"{n} {kind}" for kind, n in sorted(report.formats.items()))
    undated = f"; {report.undated} article{'s' if report.undated != 1 else ''} without a date" if report.undated else ""
    return (f"indexed {report.unchanged + report.added + report.changed} articles "
            f"({report.added} added, {report.changed} changed, {report.removed} removed, "
            f"{report.unchanged} unchanged; {formats}{undated}): {report.chunks} passages, "
            f"{report.embedded} embedded, in {report.seconds:.1f} s -> {report.path}")


def cmd_index(args: argparse.Namespace) -> int:
    if args.ray is None:
        report, _ = update_index(_settings(args), args.rebuild)
    else:
        report = _ray_index(_settings(args), args.ray or None, args.workers)
    print(_summary(report))
    return 0


def _ray_index(settings: Settings, address: str | None, workers: int):
    """`rag index --ray`: the full rebuild on Ray Data (rag.ray_index)."""
    from rag.embed import load_embedder
    from rag.models import resolve_tokenizer
    from rag.ray_index import build_index_ray

    if not 1 <= workers <= 1024:
        raise InputError(f"--workers must be between 1 and 1024, got {workers}")
    _check_corpus(settings)
    tokenizer = resolve_tokenizer(settings.model, settings.cache_dir)
    embedder = load_embedder(settings)  # here only for its name and width (and to export it once)
    return build_index_ray(settings, tokenizer, embedder.name, embedder.dim, address, workers)


def cmd_add(args: argparse.Namespace) -> int:
    """Copy files (or download URLs) into the corpus folder, then index what changed."""
    from rag.ingest import fetch_url, save_upload

    settings = _settings(args)
    saved, failed = [], 0
    for item in args.items:
        try:
            if item.startswith(("http://", "https://")):
                name, data = fetch_url(item)
            else:
                path = Path(item)
                if not path.is_file():
                    raise InputError(f"{item}: no such file")
                name, data = path.name, path.read_bytes()
            saved.append(save_upload(settings.corpus, name, data))
            print(f"added {saved[-1].relative_to(settings.corpus.resolve())}")
        except (InputError, OSError) as exc:
            failed += 1
            print(f"error: {exc}", file=sys.stderr)
    if saved:
        report, _ = update_index(settings)
        print(_summary(report))
    return 2 if failed else 0


def _print_answer(data: dict) -> None:
    """A `rag ask --json` object as text: the answer, who reports it, disputes, and the sources."""
    print(data["answer"])
    if data.get("extractive"):
        print("  (“…” is quoted from an article: the model's own answer did not hold up against the passages)")
    for claim in data["claims"]:
        if claim["articles"] > 1:
            print(f"  ({claim['articles']} of {data['articles_indexed']} articles report: {claim['text']})")
    from rag.conflicts import KIND_NAMES

    for conflict in data["conflicts"]:
        said = "reported over time, earliest first" if conflict.get("over_time") else "sources differ"
        print(f"  ({said} on the {KIND_NAMES.get(conflict['kind'], conflict['kind'])}: "
              + "; ".join(f"{v['value']} in {', '.join(v['sources'])}" for v in conflict["values"]) + ")")
    if data["citations"]:
        print("\nSources:")
        for c in data["citations"]:
            print(f"  [{c['n']}] {c['title'] or c['source']}" + (f" ({c['date']})" if c["date"] else ""))
            print(f"      {c['source']}, chars {c['start']}-{c['end']}: \"{c['quote']}\"")
    t = data["timings"]
    print(f"\n({'refused; ' if data['refused'] else ''}retrieve {t['retrieve_ms']:.0f} ms, first token "
          f"{t['first_token_ms']:.0f} ms, generate {t['generate_ms']:.0f} ms, total {t['total_ms']:.0f} ms)",
          file=sys.stderr)


def _show(data: dict, as_json: bool) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True) if as_json else (_print_answer(data), print(flush=True))


def cmd_ask(args: argparse.Namespace) -> int:
    from rag.dates import DateRange
    from rag.models import check_model

    settings = _settings(args)
    dates = DateRange.parse(args.since, args.until)
    questions = [args.question] if args.question != "-" else (line.rstrip("\n") for line in sys.stdin)
    server = None
    if not args.no_server and dates is None:  # a running `rag serve` answers without loading anything here
        from rag.serve import find_server

        server = find_server(settings)
    pipeline = None
    status = 0
    for question in questions:
        if not question.strip() and args.question == "-":
            continue
        try:
            data = None
            if server:
                from rag.serve import ask_server

                data = ask_server(server, question)
                if data is not None:
                    log.info("answered by rag serve at %s", server)
                server = server if data is not None else None  # it failed once: answer here from now on
            if data is None:
                if pipeline is None:
                    from rag.pipeline import Pipeline, check_question

                    check_question(question)  # fail before loading models
                    check_model(settings.model)
                    pipeline = Pipeline.load(settings)
                data = pipeline.answer(question, dates=dates).to_json()
        except InputError as exc:
            if args.question != "-":
                raise
            status = 2
            print(json.dumps({"question": question, "error": str(exc)}, ensure_ascii=False) if args.json
                  else f"error: {exc}", flush=True)
            continue
        _show(data, args.json)
    return status


def cmd_serve(args: argparse.Namespace) -> int:
    from rag.serve import serve, serve_generator

    settings, key = _listener(args, "the service", "RAG_API_KEY", "an API key", needs_index=not args.raw)
    (serve_generator if args.raw else serve)(settings, host=args.host, port=args.port, api_key=key)
    return 0


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _listener(args: argparse.Namespace, what: str, env: str, secret: str,
              needs_index: bool = True) -> tuple[Settings, str | None]:
    """Settings and the secret for a server on --host/--port: loopback, or --allow-remote with `env` set."""
    import os

    from rag.store import current_version

    settings = _settings(args)
    value = None
    if args.host not in LOOPBACK:
        if not args.allow_remote:
            raise InputError(f"--host {args.host} would expose {what} to the network; add --allow-remote "
                             f"(and set {env}) if that is what you want")
        value = os.environ.get(env)
        if not value:
            raise InputError(f"--allow-remote needs {secret} in the {env} environment variable")
    if not 1 <= args.port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, got {args.port}")
    if needs_index and current_version(settings.index) is None:
        raise RagError(f"no index in {settings.index}; run: rag index")
    return settings, value


def terminal_chat(settings: Settings, lines=None, out=sys.stdout) -> int:
    """`rag chat --cli`: questions from the terminal (readline history), follow-ups resolved, checked answers printed."""
    from rag.models import check_model
    from rag.pipeline import Pipeline
    from rag.schema import Answer, Delta, Turn

    if lines is None:
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass

        def prompt_lines():
            while True:
                try:
                    yield input("you> ")
                except EOFError:
                    return
        lines = prompt_lines()
    check_model(settings.model)
    print("loading models…", file=sys.stderr, flush=True)
    pipeline = Pipeline.load(settings)
    print("Ask about the articles. /new starts a new conversation, /quit ends.", file=sys.stderr, flush=True)
    history: list[Turn] = []
    for line in lines:
        question = line.strip()
        if not question:
            continue
        if question in ("/quit", "/exit"):
            break
        if question == "/new":
            history = []
            print("(new conversation)", file=out, flush=True)
            continue
        try:
            for event in pipeline.stream(question, history=history):
                if isinstance(event, Delta):
                    continue  # the checked answer replaces the raw stream; shown whole below
                assert isinstance(event, Answer)
                if event.searched:
                    print(f"(searched for: {event.searched})", file=out, flush=True)
                data = event.to_json()
                print(data["answer"], file=out)
                for c in data["citations"]:
                    print(f"  [{c['n']}] {c['title'] or c['source']}: \"{c['quote']}\"", file=out)
                print(file=out, flush=True)
                history.append(Turn.of(event))
        except InputError as exc:
            print(f"error: {exc}", file=out, flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    if args.cli:
        from rag.store import current_version

        settings = _settings(args)
        if current_version(settings.index) is None:
            raise RagError(f"no index in {settings.index}; run: rag index")
        return terminal_chat(settings)
    settings, password = _listener(args, "the chat", "RAG_PASSWORD", "a password")
    from ui.app import serve

    print(f"chat at http://{args.host}:{args.port} (loading models in the background; Ctrl-C to stop)", flush=True)
    serve(settings, host=args.host, port=args.port, password=password)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from rag import evaluate
    from rag.pipeline import Pipeline

    if args.compare:
        for p in args.compare:
            if not p.is_file():
                raise InputError(f"report {p} not found")
        print(evaluate.compare(*args.compare))
        return 0
    if isinstance(args.failures, Path):
        if not args.failures.is_file():
            raise InputError(f"report {args.failures} not found")
        print(evaluate.failures(json.loads(args.failures.read_text())["records"]))
        return 0
    settings = _settings(args)
    if args.conversations:
        return _eval_conversations(args, settings)
    items = evaluate.load_gold(args.gold)
    problems = evaluate.check_gold(items, settings.corpus)
    if problems:
        raise InputError(f"gold set {args.gold} does not match corpus {settings.corpus}: " + "; ".join(problems[:3]))
    floors = None
    if args.floors:
        try:
            floors = json.loads(args.floors.read_text())["floors"]
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"floors file {args.floors} unreadable: {exc}") from None
    _, embedder = update_index(settings)
    if args.baseline == "plain":
        from rag.plain import PlainPipeline

        pipeline = PlainPipeline.load(settings, embedder=embedder)
    else:
        pipeline = Pipeline.load(settings, embedder=embedder)
    answers = evaluate.run(pipeline, items, progress=True)
    metrics, records = evaluate.evaluate(items, answers)
    meta = {"pipeline": args.baseline or "rag", "model": settings.model, "gold": str(args.gold), "corpus": str(settings.corpus),
            "top_k": settings.top_k, "backend": settings.backend, "dtype": settings.dtype,
            "context_tokens": settings.context_tokens, "passage_tokens": settings.passage_tokens,
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    path = evaluate.write_report(args.out, meta, metrics, records)
    if args.failures:
        print(evaluate.failures(records))
    print(evaluate.summary(metrics))
    print(f"report: {path} (+ .md, .png)")
    if floors is not None:
        bad = evaluate.below_floors(metrics, floors)
        if bad:
            print("below floor: " + "; ".join(bad), file=sys.stderr)
            return 1
        print(f"all {len(floors)} floors met")
    return 0


def _eval_conversations(args: argparse.Namespace, settings: Settings) -> int:
    from rag import conversations
    from rag.pipeline import Pipeline

    convs = conversations.load_conversations(args.conversations)
    problems = conversations.check_conversations(convs, settings.corpus)
    if problems:
        raise InputError(f"{args.conversations} does not match corpus {settings.corpus}: " + "; ".join(problems[:3]))
    _, embedder = update_index(settings)
    records = conversations.play(Pipeline.load(settings, embedder=embedder), convs)
    m = conversations.metrics(records)
    meta = {"model": settings.model, "gold": str(args.conversations), "followup": settings.followup,
            "backend": settings.backend, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    path = conversations.write_report(args.out / "conversations", meta, m, records)
    print(", ".join(f"{k} {v}" for k, v in m.items()))
    print(f"report: {path} (+ .md)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("rag").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    try:
        return {"index": cmd_index, "add": cmd_add, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval,
                "serve": cmd_serve}[args.command](args)
    except RagError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, InputError) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
