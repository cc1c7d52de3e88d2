"""Could the model itself tell a kept answer that answers from one that does not? `python eval/judge_probe.py REPORT --index DIR`

Every record of REPORT is re-checked with today's checks on its recorded reply (as
`eval/replay.py` does); each answer that is not a refusal is then shown to the real
generator with its quotes and the question, and the model is asked to reply Yes or No:
do the quotes show that the answer gives what the question asks? The script prints, per
failure label, how many answers the model would keep and drop, and the dropped ones. No
change to the pipeline: a probe of whether a yes/no check by the model would refuse the
unanswerable questions answered without losing right answers.
Simplified on purpose: the model's first word decides (no token probabilities), one prompt.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

SYSTEM = "You check answers against their sources. Reply with one word: Yes or No."
ASK = ("Sources:\n{quotes}\n\nQuestion: {question}\nAnswer: {answer}\n\n"
       "Do the sources show that the answer gives what the question asks for? Reply Yes or No.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--judge", help="the model that judges (default: the report's)")
    args = parser.parse_args()

    from replay import Replayer

    from rag.embed import load_embedder
    from rag.generate import generate, load_generator
    from rag.models import resolve_tokenizer
    from rag.pipeline import Pipeline
    from rag.prompt import Message
    from rag.retrieve import Retriever
    from rag.schema import Answer
    from rag.settings import load_settings
    from rag.store import load_index
    from rag.tokens import load_counter

    report = json.loads(args.report.read_text())
    meta = report["meta"]
    settings = load_settings(None, model=meta.get("model"), top_k=meta.get("top_k"),
                             context_tokens=meta.get("context_tokens"), index=args.index)
    replies = {r["question"]: r.get("reply") or "" for r in report["records"]}
    retriever = Retriever(load_index(settings.index, settings), load_embedder(settings))
    pipeline = Pipeline(settings, retriever, Replayer(load_counter(resolve_tokenizer(settings.model, settings.cache_dir)),
                                                      replies))
    import dataclasses

    generator = load_generator(dataclasses.replace(settings, model=args.judge) if args.judge else settings)
    tally: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for record in report["records"]:
        answer = [a for a in pipeline.stream(record["question"]) if isinstance(a, Answer)][-1]
        if answer.refused:
            continue
        quotes = "\n".join(f"[{c.n}] {c.quote}" for c in answer.citations)
        text = re.sub(r"\s*\[\d+\]", "", answer.answer)
        verdict = generate(generator, [Message("system", SYSTEM), Message("user", ASK.format(
            quotes=quotes, question=record["question"], answer=text))], 3).strip().lower()
        keep = not verdict.startswith("no")
        label = "correct" if record["correct"] else ("unanswerable_answered" if not record["gold_answers"] else "wrong")
        tally[label]["kept" if keep else "dropped"] += 1
        if not keep:
            print(f"dropped {record['id']} ({label}): {record['question']} -> {text[:150]}")
    for label, counts in sorted(tally.items()):
        print(f"{label}: kept {counts['kept']}, dropped {counts['dropped']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
