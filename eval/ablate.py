"""Swap the plain pipeline's parts into ours one at a time: `python eval/ablate.py CONFIG [CONFIG ...]`.

A config is `RETRIEVAL+PROMPT+CHECKS`, each part `plain` or `ours`:
- retrieval: `plain` = paragraph chunks of >= 300 characters, RRF top 4 (rag.plain);
  `ours` = the index's chunks, RRF with the per-article penalty and near-copy merging,
  as many passages as the token budget holds (rag.retrieve, rag.prompt);
- prompt: `plain` = rag.plain's prompt, passages as `[n] text`; `ours` = rag.prompt's
  system prompt, `[n] (title, date) text`, and the second try when a reply has no words;
- checks: `plain` = the reply is the answer (rag.plain); `ours` = rag.cite's checks.
`plain+plain+plain` is `rag eval --baseline plain`; `ours+ours+ours` is `rag eval`.
Replies are cached by prompt in `eval/reports/ablate/replies.json`, so configs that differ
only in the checks cost no generation. One normal eval report per config is written
under `eval/reports/ablate/`, and a table of accuracy and labels is printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "eval" / "reports" / "ablate"
PARTS = ("plain", "ours")


class CachedGenerator:
    """The real generator, with replies remembered by prompt (greedy decoding is deterministic)."""

    def __init__(self, generator, path: Path) -> None:
        self.generator = generator
        self.counter = generator.counter
        self.path = path
        self.cache: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}

    def stream(self, messages, max_new_tokens):
        key = hashlib.sha256(json.dumps([(m.role, m.content) for m in messages]).encode()).hexdigest()
        if key not in self.cache:
            self.cache[key] = "".join(self.generator.stream(messages, max_new_tokens))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.cache))
        yield self.cache[key]


class Ablation:
    """`answer(question)` with each stage taken from the plain pipeline or ours."""

    def __init__(self, config: str, plain, ours) -> None:
        self.retrieval, self.prompt, self.checks = config.split("+")
        self.plain = plain
        self.ours = ours

    def answer(self, question: str, top_k=None, dates=None):  # noqa: ARG002
        from rag import plain as plain_mod
        from rag.cite import cite, has_words
        from rag.conflicts import disagreements
        from rag.prompt import Message, build_messages, nudged
        from rag.schema import Answer, Citation, Timings

        settings = self.ours.settings
        gen = self.ours.generator
        hits = (self.plain.retrieve(question) if self.retrieval == "plain"
                else self.ours.retriever.retrieve(question, settings.top_k))
        if self.prompt == "ours":
            messages, used = build_messages(question, hits, gen.counter, settings.context_tokens)
        else:
            if self.retrieval == "ours":  # the same passages our budget would keep
                used = build_messages(question, hits, gen.counter, settings.context_tokens)[1]
            else:
                used = len(hits)
            sources = "\n\n".join(f"[{n}] {h.chunk.text}" for n, h in enumerate(hits[:used], start=1))
            messages = [Message("system", plain_mod.PROMPT),
                        Message("user", f"Sources:\n{sources}\n\nQuestion: {question}")]
        shown = hits[:used]
        reply = "".join(gen.stream(messages, settings.max_new_tokens))
        if self.prompt == "ours" and not has_words(reply):
            reply = "".join(gen.stream(nudged(messages), settings.max_new_tokens))
        timings = Timings(0.0, 0.0, 0.0, 0.0)
        if self.checks == "plain":  # rag.plain's rules: the reply is the answer, [n] cites passage n
            refused = not reply.strip() or "don't know" in reply.lower()
            marks = dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", reply) if 1 <= int(n) <= len(shown))
            citations = () if refused else tuple(
                Citation(n, shown[n - 1].chunk.source, shown[n - 1].chunk.start, shown[n - 1].chunk.end,
                         shown[n - 1].chunk.text, shown[n - 1].dense) for n in marks)
            return Answer(question, reply.strip(), refused, citations, timings, tuple(shown), reply=reply)
        result = cite(reply, shown, settings.min_support, question, disagreements(question, hits, reply))
        return Answer(question, result.answer, result.refused, result.citations, timings, tuple(shown),
                      result.claims, result.conflicts, 0, reply)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    args = parser.parse_args()
    for config in args.configs:
        parts = config.split("+")
        if len(parts) != 3 or any(p not in PARTS for p in parts):
            parser.error(f"config {config!r} must be RETRIEVAL+PROMPT+CHECKS, each plain or ours")

    from rag import evaluate
    from rag.pipeline import Pipeline
    from rag.plain import PlainPipeline
    from rag.settings import load_settings

    settings = load_settings(None)
    ours = Pipeline.load(settings)
    ours.generator = CachedGenerator(ours.generator, OUT / "replies.json")
    plain = PlainPipeline.load(settings, generator=ours.generator, embedder=ours.retriever.embedder)
    items = evaluate.load_gold(args.gold)
    rows = []
    for config in args.configs:
        t0 = time.time()
        answers = evaluate.run(Ablation(config, plain, ours), items, progress=False)
        metrics, records = evaluate.evaluate(items, answers)
        path = evaluate.write_report(OUT / config.replace("+", "-"), {
            "pipeline": f"ablation {config}", "model": settings.model, "gold": str(args.gold),
            "when": time.strftime("%Y-%m-%d %H:%M:%S")}, metrics, records)
        labels = Counter(r["label"] for r in records)
        rows.append((config, metrics, labels))
        print(f"{config}: {evaluate.summary(metrics)} ({time.time() - t0:.0f} s) -> {path}", flush=True)
    names = sorted({k for _, _, labels in rows for k in labels})
    print("\n| config | accuracy | unanswerable refused | answerable refused | " + " | ".join(names) + " |")
    print("|---" * (4 + len(names)) + "|")
    for config, m, labels in rows:
        print(f"| {config} | {m['accuracy']:.3f} | {m['unanswerable_refused']:.3f} | {m['answerable_refused']:.3f} | "
              + " | ".join(str(labels.get(k, 0)) for k in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
