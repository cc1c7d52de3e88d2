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
from rag.guard import for_prompt  # noqa: E402
from rag.prompt import Message  # noqa: E402

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


LABELLED_SYSTEM = (
    "You answer questions about news articles, using only the passages the user gives you, never your own "
    "knowledge. Reply with one or two short sentences that state the answer in words. After each sentence "
    "put the number of the passage it comes from in square brackets, like [2]. If the passages do not "
    f"contain the answer, reply exactly: {prompt.NOT_FOUND}"
)


def _labelled_passage(n, hit, question, counter, passage_tokens):
    """`Passage n (title, date):` and the text on the next line (as it ran)."""
    head = hit.chunk.text[:len(hit.title) + 80]
    about = [for_prompt(x) for x in (hit.title, hit.date) if x and x not in head]
    text = for_prompt(hit.chunk.text)
    if passage_tokens:
        text = prompt.focus(text, question, counter, passage_tokens)
    return f"Passage {n}" + (f" ({', '.join(about)})" if about else "") + f":\n{text}"


def labelled(question, hits, counter, budget, passage_tokens=0):
    """Tried and rejected: `Passage n (title):` labels, the question before and after the passages.

    Result (100 gold questions, OpenVINO int8): accuracy 0.31 against 0.50; the model copied
    the labels ("[2] Passage 1 [2] Passage 2") and refused 13 answerable questions.
    """
    blocks = _blocks(question, hits, counter, budget, passage_tokens,
                     lambda n, h: _labelled_passage(n, h, question, counter, passage_tokens))
    user = f"Question: {question}\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [Message("system", LABELLED_SYSTEM), Message("user", user)], len(blocks)


def hybrid(question, hits, counter, budget, passage_tokens=0):
    """Tried: the `[n]` system prompt with `Passage n (title):` labels, the question after the passages."""
    blocks = _blocks(question, hits, counter, budget, passage_tokens,
                     lambda n, h: _labelled_passage(n, h, question, counter, passage_tokens))
    user = "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [Message("system", OLD_SYSTEM), Message("user", user)], len(blocks)


def nearest_last(question, hits, counter, budget, passage_tokens=0):
    """Tried: the passages in reverse rank order, so the best one stands next to the question.

    Numbers stay those of rank ([1] is still the best passage, shown last), so citations
    and every check that reads passage order are unchanged.
    Result (kestrel, 40 questions, OpenVINO int8): accuracy 0.300 against 0.533 in rank
    order, answerable refused 0.367 against 0.133. The model answered from the passage shown
    first ("The Halcyon probe headed for Mars", "3,500 acres"), or copied a whole passage;
    stopped there, before corran and gold.
    """
    messages, used = prompt.build_messages(question, hits, counter, budget, passage_tokens)
    blocks = _blocks(question, hits, counter, budget, passage_tokens,
                     lambda n, h: prompt.format_passage(n, h, question, counter, passage_tokens))
    user = "Sources:\n" + "\n\n".join(reversed(blocks)) + f"\n\nQuestion: {question}"
    return [messages[0], Message("user", user)], used


def question_twice(question, hits, counter, budget, passage_tokens=0):
    """Tried: the question both before and after the passages, everything else as today.

    A decoder reads the passages only once, left to right; with the question first it
    reads them knowing what is asked (the `labelled` variant did this together with
    labels, so its effect alone was not known).
    Result (kestrel, 40 questions, OpenVINO int8): accuracy 0.300 against 0.533, answerable
    refused 0.300 against 0.133, one more unanswerable answered (ku06), one fewer (ku07).
    The model copied whole passages more often ("[1] The number of destroyed structures
    rose to 19…", k13), named the probe as its own chief scientist (k18) and said "I don't
    know" to k17. Stopped before corran and gold.
    """
    messages, used = prompt.build_messages(question, hits, counter, budget, passage_tokens)
    return [messages[0], Message("user", f"Question: {question}\n\n{messages[1].content}")], used


VARIANTS = {"labelled": labelled, "question_twice": question_twice, "hybrid": hybrid, "nearest_last": nearest_last, "current": prompt.build_messages}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="NAME or NAME@BUDGET (passage token budget), NAME from: "
                        + ", ".join(sorted(VARIANTS)))
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports" / "prompts")
    parser.add_argument("--model", default=None)
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: the settings' index)")
    args = parser.parse_args()

    from rag import evaluate, pipeline
    from rag.pipeline import Pipeline
    from rag.settings import load_settings

    settings = load_settings(None, model=args.model, index=args.index)
    items = evaluate.load_gold(args.gold)
    pipe = Pipeline.load(settings)
    base = pipe.settings
    for spec in args.variants:
        name, _, budget = spec.partition("@")
        if name not in VARIANTS:
            parser.error(f"unknown variant {name}")
        pipeline.build_messages = VARIANTS[name]
        pipe.settings = base.replace(context_tokens=int(budget) if budget else None)
        answers = evaluate.run(pipe, items, progress=False)
        metrics, records = evaluate.evaluate(items, answers)
        meta = {"model": settings.model, "gold": str(args.gold), "corpus": str(settings.corpus), "top_k": settings.top_k,
                "backend": settings.backend, "prompt": name, "context_tokens": pipe.settings.context_tokens,
                "when": time.strftime("%Y-%m-%d %H:%M:%S")}
        path = evaluate.write_report(args.out / spec.replace("@", "-"), meta, metrics, records)
        print(f"{spec}: {evaluate.summary(metrics)}\n  report {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
