"""Speed benchmark (`make bench`): start-up, answer latency, index build and memory, with ratios.

Every generator configuration runs in its own process (so its peak resident memory is its
own) over the same gold questions and prints one JSON line; the parent prints the table.
The baseline is the naive way: plain transformers `generate` on the same model in float32,
with the whole top-k prompt (no token budget), no key/value cache reuse. `naive-openvino`
is the plain pipeline (`rag/plain.py`) on the default runtime, so the default pipeline is
also compared with a naive one on the same runtime. Ratios are
baseline / configuration for times (above 1 = faster) and configuration / baseline for
memory: they hold on a noisy machine where absolute times do not.

Figures: cold start of `rag ask` in a new process (first run with an empty model cache,
and cached), time to first token, answer time p50/p95, prefill and generation tokens/s,
retrieval p50, index build time of the bundled articles and embedding chunks/s, peak
resident memory. Issue 12's targets are printed beside them, and checked for the default.
Simplified on purpose: prompt token counts come from the model's vocabulary through
`rag.tokens` plus the chat template's fixed tokens, not from the runtime's own counter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RAG = str(Path(sys.executable).parent / "rag")

CONFIGS = {
    "baseline": {},
    # the plain pipeline (rag.plain) on the default runtime: the same-runtime baseline
    "naive-openvino": {"backend": "openvino"},
    "openvino": {"backend": "openvino"},
    "openvino-int4": {"backend": "openvino", "dtype": "int4"},
    "openvino-600": {"backend": "openvino", "context_tokens": 600},
    "openvino-450": {"backend": "openvino", "context_tokens": 450},
    "openvino-300": {"backend": "openvino", "context_tokens": 300},
    # each passage cut to its sentences nearest the question (settings.passage_tokens)
    "openvino-p80": {"backend": "openvino", "passage_tokens": 80},
    "openvino-p120": {"backend": "openvino", "passage_tokens": 120},
    # without the second reading of a reply the checks refuse (settings.reread)
    "openvino-reread-off": {"backend": "openvino", "reread": False},
    "transformers-fp32": {"backend": "transformers", "dtype": "float32", "embedder_backend": "sentence-transformers"},
    "transformers-int8": {"backend": "transformers", "dtype": "int8", "embedder_backend": "sentence-transformers"},
    "llama.cpp": {"backend": "llama.cpp"},
}
DEFAULT_CONFIG = "openvino"
# Issue 12's targets: first token and answer p50 (s), the default's answer time over the naive
# pipeline's on the same runtime, `rag ask` from a cold shell to the answer (s), `rag index` of
# the bundled articles (s, wall), peak resident memory of a process serving questions (GB).
TARGETS = {"ttft_p50_s": 1.0, "answer_p50_s": 2.0, "vs_naive": 0.8, "cold_start_s": 4.0, "index_build_s": 3.0,
           "peak_rss_gb": 1.5}


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # ru_maxrss is in KiB on Linux


def questions(n: int) -> list[str]:
    from rag.evaluate import load_gold

    gold = [g for g in load_gold(ROOT / "eval" / "gold.jsonl") if g.answerable]
    step = max(1, len(gold) // n)
    return [g.question for g in gold[::step]][:n]


def summarise(name: str, load_s: float, runs: list[dict], extra: dict | None = None) -> dict:
    from rag.evaluate import percentile as pct

    ttft = [r["ttft_s"] for r in runs]
    total = [r["answer_s"] for r in runs]
    prefill = sum(r["prompt_tokens"] for r in runs) / max(1e-9, sum(ttft))
    decode_time = sum(max(1e-9, r["answer_s"] - r["ttft_s"]) for r in runs)
    gen = sum(max(0, r["new_tokens"] - 1) for r in runs) / decode_time
    return {"config": name, "load_s": round(load_s, 2), "questions": len(runs),
            "ttft_p50_s": round(pct(ttft, 0.5), 3), "answer_p50_s": round(pct(total, 0.5), 3),
            "answer_p95_s": round(pct(total, 0.95), 3), "prefill_tok_s": round(prefill, 1),
            "gen_tok_s": round(gen, 1),
            "prompt_tokens_mean": round(statistics.mean(r["prompt_tokens"] for r in runs), 1),
            "retrieve_p50_ms": round(pct([r["retrieve_ms"] for r in runs], 0.5), 1),
            "peak_rss_gb": round(peak_rss_gb(), 3), **(extra or {})}


def child_baseline(args) -> dict:
    """Plain transformers generate, float32, whole top-k prompt, no cache reuse."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer

    from rag.embed import load_embedder
    from rag.prompt import build_messages
    from rag.models import resolve_model, set_offline
    from rag.retrieve import Retriever
    from rag.settings import load_settings
    from rag.store import load_index
    from rag.tokens import load_counter

    set_offline()
    settings = load_settings(None, model=args.model, index=args.index)
    t0 = time.perf_counter()
    path = resolve_model(settings.model, settings.cache_dir)
    tok = AutoTokenizer.from_pretrained(str(path))
    model = AutoModelForCausalLM.from_pretrained(str(path), dtype=torch.float32).eval()
    retriever = Retriever(load_index(settings.index, settings), load_embedder(settings))
    counter = load_counter(path)
    load_s = time.perf_counter() - t0
    runs = []
    for q in questions(args.questions):
        r0 = time.perf_counter()
        hits = retriever.retrieve(q, settings.top_k)
        r1 = time.perf_counter()
        messages, _ = build_messages(q, hits, counter, 10**6)
        inputs = tok.apply_chat_template([{"role": m.role, "content": m.content} for m in messages],
                                         add_generation_prompt=True, return_tensors="pt", return_dict=True)
        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
        out: list = []
        start = time.perf_counter()

        def run(inputs=inputs, streamer=streamer, out=out):
            with torch.inference_mode():
                out.append(model.generate(**inputs, max_new_tokens=settings.max_new_tokens, do_sample=False,
                                          streamer=streamer, pad_token_id=tok.eos_token_id))

        worker = threading.Thread(target=run)
        worker.start()
        first = None
        for piece in streamer:
            if piece and first is None:
                first = time.perf_counter()
        worker.join()
        end = time.perf_counter()
        new = out[0].shape[1] - inputs["input_ids"].shape[1]
        runs.append({"ttft_s": (first or end) - start, "answer_s": end - start,
                     "prompt_tokens": inputs["input_ids"].shape[1], "new_tokens": new,
                     "retrieve_ms": (r1 - r0) * 1000})
    return summarise("baseline", load_s, runs)


def _timed(name: str, load, prompt_tokens, args) -> dict:
    """Load a pipeline (`load(settings)`), answer the bench questions, and summarise the timings.

    `prompt_tokens(question, answer, settings, counter)` counts the prompt an answer was given.
    """
    from rag.schema import Answer, Delta
    from rag.settings import load_settings

    settings = load_settings(None, model=args.model, index=args.index, **CONFIGS[name])
    t0 = time.perf_counter()
    pipeline = load(settings)
    load_s = time.perf_counter() - t0
    counter = pipeline.generator.counter
    runs = []
    for q in questions(args.questions):
        reply, final = "", None
        for event in pipeline.stream(q):
            if isinstance(event, Delta):
                reply += event.text
            elif isinstance(event, Answer):
                final = event
        if final is None or not final.timings.generate_ms:
            continue  # refused before generation: nothing to time
        t = final.timings
        runs.append({"ttft_s": t.first_token_ms / 1000, "answer_s": t.generate_ms / 1000,
                     "prompt_tokens": prompt_tokens(q, final, settings, counter),
                     "new_tokens": len(counter.encode_ordinary(reply)) + 1, "retrieve_ms": t.retrieve_ms})
    return summarise(name, load_s, runs)


def child_pipeline(args) -> dict:
    from rag.pipeline import Pipeline
    from rag.prompt import build_messages

    def tokens(q, final, settings, counter):
        messages, _ = build_messages(q, final.hits, counter, settings.context_tokens, settings.passage_tokens)
        return sum(len(counter.encode_ordinary(m.content)) + 5 for m in messages) + 3

    return _timed(args.child, Pipeline.load, tokens, args)


def child_naive(args) -> dict:
    """The plain pipeline (rag.plain) on the default runtime, timed like the others."""
    from rag.plain import PlainPipeline

    def tokens(q, final, settings, counter):  # noqa: ARG001
        return sum(len(counter.encode_ordinary(h.chunk.text)) for h in final.hits) + 80

    return _timed(args.child, PlainPipeline.load, tokens, args)


def index_build(args) -> dict:
    """Build the bundled articles' index from scratch, and embedding throughput."""
    from rag.embed import load_embedder
    from rag.models import resolve_model
    from rag.settings import load_settings
    from rag.indexer import build_index
    from rag.store import load_index
    from rag.tokens import load_counter

    with tempfile.TemporaryDirectory() as tmp:
        w0 = time.perf_counter()
        subprocess.run([RAG, "index", "--index", str(Path(tmp) / "cmd-index"), "--model", args.model], check=True,
                       capture_output=True, cwd=ROOT)
        command_s = time.perf_counter() - w0
        settings = load_settings(None, model=args.model, index=Path(tmp) / "index")
        t0 = time.perf_counter()
        counter = load_counter(resolve_model(settings.model, settings.cache_dir))
        embedder = load_embedder(settings)
        t1 = time.perf_counter()
        report = build_index(settings, counter, embedder, rebuild=True)
        texts = [c.text for c in load_index(settings.index).chunks] * 13
        e0 = time.perf_counter()
        embedder.embed(texts, progress=False)
        e1 = time.perf_counter()
    return {"index_build_s": round(report.seconds, 2), "index_load_models_s": round(t1 - t0, 2),
            "index_command_s": round(command_s, 2),
            "chunks": report.chunks, "embed_chunks_s": round(len(texts) / (e1 - e0), 1)}


def cold_start(config: dict, cache_dir: str | None, question: str, model: str) -> dict:
    """`rag ask` in a new process: wall time to the answer, and to the start of generation."""
    env = dict(os.environ)
    if cache_dir:
        env["RAG_CACHE_DIR"] = cache_dir
    flags = [f for key in ("backend", "dtype", "embedder_backend") if key in config
             for f in (f"--{key.replace('_', '-')}", config[key])]
    t0 = time.perf_counter()
    proc = subprocess.run([RAG, "ask", "--json", question, "--model", model, *flags],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"cold start failed: {proc.stderr.strip()[-500:]}")
    gen = json.loads(proc.stdout)["timings"]["generate_ms"] / 1000
    return {"wall_s": round(wall, 2), "before_generation_s": round(wall - gen, 2)}


def run_child(name: str, args) -> dict | None:
    cmd = [sys.executable, __file__, "--child", name, "--model", args.model, "--questions", str(args.questions),
           "--index", str(args.index)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    if proc.returncode != 0:
        print(f"  {name}: failed ({proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ratio(base: float, value: float, time_like: bool = True) -> str:
    if not base or not value:
        return ""
    return f" ({base / value:.2f}x)" if time_like else f" ({value / base:.2f}x)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-0.5b")
    parser.add_argument("--questions", type=int, default=12, help="gold questions per configuration (default 12)")
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--configs", default="baseline,naive-openvino,openvino,openvino-int4,transformers-fp32",
                        help="comma-separated, from: " + ", ".join(CONFIGS))
    parser.add_argument("--no-first-run", action="store_true", help="skip the cold start with an empty model cache")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = {"baseline": child_baseline, "naive-openvino": child_naive}.get(args.child, child_pipeline)(args)
        print(json.dumps(result))
        return 0

    import importlib.util

    names = [c for c in args.configs.split(",") if c]
    unknown = [c for c in names if c not in CONFIGS]
    if unknown:
        parser.error(f"--configs: unknown {', '.join(unknown)}")
    if importlib.util.find_spec("llama_cpp") is None:
        for name in [n for n in names if CONFIGS[n].get("backend") == "llama.cpp"]:
            print(f"{name}: llama-cpp-python not installed (make setup-fast); skipped")
            names.remove(name)
    if "baseline" not in names:
        names.insert(0, "baseline")
    print(f"rag bench: model {args.model}, {args.questions} gold questions, {os.cpu_count()} CPUs")
    subprocess.run([RAG, "index", "--index", str(args.index), "--model", args.model], check=True,
                   capture_output=True, cwd=ROOT)
    build = index_build(args)
    print(f"index build (bundled articles, {build['chunks']} chunks): `rag index` {build['index_command_s']} s wall "
          f"(target {TARGETS['index_build_s']} s); the build itself {build['index_build_s']} s after "
          f"{build['index_load_models_s']} s loading tokenizer and embedder; embedding {build['embed_chunks_s']} chunks/s")

    q = "Where did the containers arrive in Russia?"
    if not args.no_first_run:
        with tempfile.TemporaryDirectory() as empty:
            first = cold_start({}, empty, q, args.model)
        print(f"cold start, first run (empty model cache: assemble, check, convert the GGUF): {first['wall_s']} s "
              f"to the answer, {first['before_generation_s']} s before generation starts")
    results = {}
    for name in names:
        result = run_child(name, args)
        if result is None:
            continue
        if name != "baseline":
            result["cold"] = cold_start(CONFIGS[name], None, q, args.model)
        print(f"  measured {name}", flush=True)
        results[name] = result
    base = results.get("baseline")
    if not base:
        print("baseline failed; no ratios")
        return 1
    rows = [("time to first token p50 (s)", "ttft_p50_s", True), ("answer time p50 (s)", "answer_p50_s", True),
            ("answer time p95 (s)", "answer_p95_s", True), ("prefill tokens/s", "prefill_tok_s", False),
            ("generated tokens/s", "gen_tok_s", False), ("prompt tokens (mean)", "prompt_tokens_mean", True),
            ("model load in-process (s)", "load_s", True), ("retrieval p50 (ms)", "retrieve_p50_ms", True),
            ("peak resident memory (GB)", "peak_rss_gb", None)]
    width = 20
    print("\n" + f"{'figure':30}" + "".join(f"{n:>{width}}" for n in results) + f"{'target':>10}")
    for label, key, time_like in rows:
        cells = []
        for name, r in results.items():
            value = r[key]
            if name == "baseline":
                cells.append(f"{value}")
            elif time_like is None:
                cells.append(f"{value}{ratio(base[key], value, False)}")
            elif time_like:
                cells.append(f"{value}{ratio(base[key], value)}")
            else:
                cells.append(f"{value} ({value / base[key]:.2f}x)" if base[key] else f"{value}")
        target = {"ttft_p50_s": TARGETS["ttft_p50_s"], "answer_p50_s": TARGETS["answer_p50_s"],
                  "peak_rss_gb": TARGETS["peak_rss_gb"]}.get(key, "")
        print(f"{label:30}" + "".join(f"{c:>{width}}" for c in cells) + f"{target!s:>10}")
    cold_cells = [f"{r['cold']['before_generation_s']}" if "cold" in r else "-" for r in results.values()]
    print(f"{'cold start before gen. (s)':30}" + "".join(f"{c:>{width}}" for c in cold_cells))
    wall_cells = [f"{r['cold']['wall_s']}" if "cold" in r else "-" for r in results.values()]
    print(f"{'`rag ask` cold, to answer (s)':30}" + "".join(f"{c:>{width}}" for c in wall_cells)
          + f"{TARGETS['cold_start_s']!s:>10}")
    naive = results.get("naive-openvino")
    if naive:
        cells = [f"{r['answer_p50_s'] / naive['answer_p50_s']:.2f}" for r in results.values()]
        print(f"{'answer p50 / naive same-rt.':30}" + "".join(f"{c:>{width}}" for c in cells)
              + f"{TARGETS['vs_naive']!s:>10}")
    default = results.get(DEFAULT_CONFIG)
    if default:
        checks = [("first token p50", default["ttft_p50_s"], TARGETS["ttft_p50_s"]),
                  ("answer p50", default["answer_p50_s"], TARGETS["answer_p50_s"]),
                  ("`rag ask` cold to answer", default["cold"]["wall_s"], TARGETS["cold_start_s"]),
                  ("`rag index` wall", build["index_command_s"], TARGETS["index_build_s"]),
                  ("peak RSS", default["peak_rss_gb"], TARGETS["peak_rss_gb"])]
        if naive:
            checks.append(("answer p50 / naive", round(default["answer_p50_s"] / naive["answer_p50_s"], 2),
                           TARGETS["vs_naive"]))
        print(f"\ndefault ({DEFAULT_CONFIG}) against the targets:")
        for label, value, target in checks:
            print(f"  {label:28} {value:>8} target <= {target:<6} {'met' if value <= target else 'NOT met'}")
    print("\nratios: baseline time / configuration time (above 1 = faster); tokens/s and memory: "
          "configuration / baseline.")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / time.strftime("%Y%m%d-%H%M%S.json")
    path.write_text(json.dumps({"model": args.model, "build": build, "results": results}, indent=1))
    print(f"raw figures: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
