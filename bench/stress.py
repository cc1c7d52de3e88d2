"""Load test (`make stress`): concurrent questions through the chat app's `/ask`, then many in a row.

1. Starts the real app (`ui.app.serve`) on a free loopback port, asks N gold questions one
   at a time through `/ask` (the baseline), then all N at once from N threads. Every
   concurrent answer must come back without error and be identical to its baseline
   (greedy decoding: any difference means requests leaked into each other), cited unless
   the baseline was a refusal. How many contain a gold answer is reported.
2. Asks M questions in a row through one in-process pipeline and reports resident memory
   after a warm-up and at the end; growth must stay under 10 %.
Loopback only; bounded by --concurrent, --sequential and --seconds. Exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def concurrent_part(settings, questions, golds) -> list[str]:
    import socket

    from gradio_client import Client

    from ui.app import Backend, serve

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = Backend(settings)
    demo = serve(settings, host="127.0.0.1", port=port, block=False, backend=backend)
    failures: list[str] = []
    try:
        backend.ready.wait()
        url = f"http://127.0.0.1:{port}/"
        client = Client(url, verbose=False)
        t0 = time.perf_counter()
        baseline = [client.predict(q, api_name="/ask") for q in questions]
        t_seq = time.perf_counter() - t0

        def one(q: str) -> dict | Exception:
            try:
                return Client(url, verbose=False).predict(q, api_name="/ask")
            except Exception as exc:  # counted as a failure below
                return exc

        t0 = time.perf_counter()
        with ThreadPoolExecutor(len(questions)) as pool:
            results = list(pool.map(one, questions))
        t_conc = time.perf_counter() - t0
    finally:
        demo.close()
    correct = 0
    for q, base, got, gold in zip(questions, baseline, results, golds):
        if isinstance(got, Exception):
            failures.append(f"{q!r}: error {got}")
            continue
        if (got["answer"], got["citations"]) != (base["answer"], base["citations"]):
            failures.append(f"{q!r}: answer under load differs from the answer alone")
        if not got["refused"] and not got["citations"]:
            failures.append(f"{q!r}: answer without citations")
        from rag.evaluate import normalize_answer

        correct += any(normalize_answer(a) in normalize_answer(got["answer"]) for a in gold)
    print(f"concurrent: {len(questions)} questions at once through /ask in {t_conc:.1f} s "
          f"(one at a time: {t_seq:.1f} s); errors {sum(isinstance(r, Exception) for r in results)}, "
          f"identical to the one-at-a-time answers {len(questions) - len(failures)}/{len(questions)}, "
          f"cited or refused as alone, containing a gold answer {correct}/{len(questions)}")
    return failures


def sequential_part(settings, questions, count: int, deadline: float) -> list[str]:
    from rag.pipeline import Pipeline

    pipeline = Pipeline.load(settings)
    warmup = min(20, max(1, count // 10))
    start_mb = None
    asked = 0
    samples = []
    for q in itertools.islice(itertools.cycle(questions), count):
        pipeline.answer(q)
        asked += 1
        if asked == warmup:
            start_mb = rss_mb()
        if asked % 20 == 0:
            samples.append(round(rss_mb()))
        if time.monotonic() > deadline:
            print(f"sequential: stopped at the time limit after {asked} questions")
            break
    end_mb = rss_mb()
    growth = (end_mb - start_mb) / start_mb * 100 if start_mb else 0.0
    print(f"sequential: {asked} questions in one process; resident memory after {warmup} (warm-up) "
          f"{start_mb:.0f} MB, at the end {end_mb:.0f} MB: {growth:+.1f} % (limit +10 %); every 20: {samples}")
    return [f"memory grew {growth:.1f} % after warm-up"] if growth >= 10 else []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=20, help="questions sent at once (default 20)")
    parser.add_argument("--sequential", type=int, default=200, help="questions in a row (default 200)")
    parser.add_argument("--model", default="qwen2.5-0.5b", help="generator (default qwen2.5-0.5b)")
    parser.add_argument("--sequential-model", help="generator for the sequential part (default: --model)")
    parser.add_argument("--index", type=Path, default=ROOT / "index", help="index folder (built if missing)")
    parser.add_argument("--seconds", type=float, default=1800, help="stop the sequential part after this")
    args = parser.parse_args()
    if not 1 <= args.concurrent <= 64 or not 0 <= args.sequential <= 2000:
        parser.error("--concurrent must be 1..64 and --sequential 0..2000")
    logging.basicConfig(level=logging.WARNING)
    from rag.cli import update_index
    from rag.evaluate import load_gold
    from rag.settings import load_settings

    settings = load_settings(None, index=args.index, model=args.model)
    update_index(settings)
    gold = [g for g in load_gold(ROOT / "eval" / "gold.jsonl") if g.answerable]
    picked = list(itertools.islice(itertools.cycle(gold), args.concurrent))
    failures = concurrent_part(settings, [g.question for g in picked], [g.answers for g in picked])
    if args.sequential:
        seq = settings.replace(model=args.sequential_model) if args.sequential_model else settings
        failures += sequential_part(seq, [g.question for g in gold], args.sequential, time.monotonic() + args.seconds)
    for f in failures:
        print("FAIL", f)
    print("stress: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
