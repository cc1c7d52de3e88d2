"""Re-judge recorded model replies with the current checks: `python eval/replay.py REPORT.json`.

An eval report keeps every question's raw model reply. Replaying them through the current
pipeline (real retrieval, the checks in `rag.cite`), with the generator replaced by one
that returns the recorded reply, measures a change to the checks in seconds and on the
same replies, so what it fixes and what it breaks is not mixed with the model's noise.
Writes a normal report under `eval/reports/replay/` and prints the label changes.
`-v` logs why each dropped claim was dropped.
`--live-rereads` runs the real model for the second reading (`rag.prompt.copy_request`, asked
only when the checks refuse a reply) while every first reply stays the recorded one: it
measures the second reading on the questions that reach it, in minutes instead of a
whole run; without it the second reading gets an empty reply.
Simplified on purpose: a recorded reply that came from a second try (after a reply of
bare markers) is replayed as the only reply, and a question the recorded run never asked
the model (below the relevance gate) replays with an empty reply, so a change that now
lets the model read it shows as `empty_reply`: such changes need a real run.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Replayer:
    """A generator that answers each question with its recorded reply."""

    def __init__(self, counter, replies: dict[str, str], live=None) -> None:
        self.counter = counter
        self.replies = replies
        self.live = live  # the real generator, for the second reading only

    def stream(self, messages, max_new_tokens):
        from rag.prompt import COPY_PROMPT

        if messages[0].content == COPY_PROMPT:
            if self.live is not None:
                yield from self.live.stream(messages, max_new_tokens)
            return
        question = messages[-1].content.rsplit("Question: ", 1)[-1].split("\n")[0].strip()
        logging.getLogger("rag.cite").debug("question: %s", question)
        yield self.replies.get(question, "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "replay")
    parser.add_argument("-v", "--verbose", action="store_true", help="log why each claim was dropped")
    parser.add_argument("--live-rereads", action="store_true",
                        help="run the real model for the second reading (the first replies stay the recorded ones)")
    parser.add_argument("--index", type=Path, help="the index the report's corpus is in (default: the settings')")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(format="%(message)s")
        logging.getLogger("rag.cite").setLevel(logging.DEBUG)

    from rag import evaluate
    from rag.embed import load_embedder
    from rag.models import resolve_tokenizer
    from rag.pipeline import Pipeline
    from rag.retrieve import Retriever
    from rag.settings import load_settings
    from rag.store import load_index
    from rag.tokens import load_counter

    old = json.loads(args.report.read_text())
    meta = old["meta"]
    settings = load_settings(None, model=meta.get("model"), top_k=meta.get("top_k"),
                             context_tokens=meta.get("context_tokens"), **({"index": args.index} if args.index else {}))
    items = evaluate.load_gold(Path(meta.get("gold", "eval/gold.jsonl")))
    records = {r["id"]: r for r in old["records"]}
    replies = {r["question"]: r.get("reply") or "" for r in old["records"]}
    counter = load_counter(resolve_tokenizer(settings.model, settings.cache_dir))
    retriever = Retriever(load_index(settings.index, settings), load_embedder(settings))
    live = None
    if args.live_rereads:
        from rag.generate import load_generator

        live = load_generator(settings)
    pipe = Pipeline(settings, retriever, Replayer(counter, replies, live))
    answers = evaluate.run(pipe, items, progress=False)
    metrics, new = evaluate.evaluate(items, answers)
    path = evaluate.write_report(args.out, {**meta, "replayed": str(args.report),
                                            "when": time.strftime("%Y-%m-%d %H:%M:%S")}, metrics, new)
    print(evaluate.summary(metrics))
    for r in new:
        before = records.get(r["id"], {}).get("label")
        if before != r["label"]:
            print(f"  {r['id']}: {before} -> {r['label']}: {r['answer'][:110]}")
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
