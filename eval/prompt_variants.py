"""Measure prompt layouts on the gold set: `python eval/prompt_variants.py VARIANT [VARIANT ...]`.

Each variant replaces the pipeline's prompt builder and runs the whole gold set through
the real pipeline (one loaded model), writing a normal eval report per variant under
`eval/reports/prompts/`, so failures can be read label by label (`rag eval --failures
REPORT.json`) and compared (`rag eval --compare A.json B.json`). The variant chosen this
way becomes `rag.prompt.build_messages`; the others stay here as the record of what was tried.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import prompt  # noqa: E402
from rag.prompt import Message, format_passage  # noqa: E402

OLD_SYSTEM = (
    "You answer questions about news articles. Use only the numbered passages below, never your own "
    "knowledge. Answer in one or two short sentences. End each sentence with the number of the passage "
    "it comes from in square brackets, for example [1]. If the passages do not contain the answer, reply "
    f"exactly: {prompt.NOT_FOUND}"
)


def _blocks(question, hits, counter, budget, passage_tokens, fmt):
    blocks, used = [], 0
    for n, hit in enumerate(hits, start=1):
        block = fmt(n, hit)
        cost = len(counter.encode_ordinary(block)) + 2
        if used + cost > budget:
            if not blocks:
                blocks.append(counter.decode(counter.encode_ordinary(block)[: max(1, budget - 2)]))
            break
        blocks.append(block)
        used += cost
    return blocks


def old(question, hits, counter, budget, passage_tokens=0):
    """The prompt before issue 11: `[n] text` passages, the question after them."""
    blocks = _blocks(question, hits, counter, budget, passage_tokens,
                     lambda n, h: format_passage(n, h, question, counter, passage_tokens))
    user = "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [Message("system", OLD_SYSTEM), Message("user", user)], len(blocks)


VARIANTS = {"old": old, "current": prompt.build_messages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", choices=sorted(VARIANTS))
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "prompts")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    from rag import evaluate, pipeline
    from rag.pipeline import Pipeline
    from rag.settings import load_settings

    settings = load_settings(None, model=args.model)
    items = evaluate.load_gold(args.gold)
    pipe = Pipeline.load(settings)
    for name in args.variants:
        pipeline.build_messages = VARIANTS[name]
        answers = evaluate.run(pipe, items, progress=False)
        metrics, records = evaluate.evaluate(items, answers)
        meta = {"model": settings.model, "gold": str(args.gold), "corpus": str(settings.corpus), "top_k": settings.top_k,
                "backend": settings.backend, "prompt": name, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        path = evaluate.write_report(args.out / name, meta, metrics, records)
        print(f"{name}: {evaluate.summary(metrics)}\n  report {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
