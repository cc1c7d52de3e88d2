"""`rag eval --conversations`: measure follow-up questions against their standalone forms.

A conversation gold file (`eval/conversations.jsonl`) holds one conversation per line:
`{"id": ..., "turns": [{"question", "standalone", "answers", "sources", "kind"}, ...]}`.
Each conversation is played through `Pipeline.answer(question, history=...)` with the
pipeline's own earlier answers as history, as a user would see them. Every follow-up turn
(the second and later) is also asked in its standalone form with no history, so the report
compares the two on the same questions: accuracy and hit@5 (a gold source among the
passages the model saw), the unanswerable turns refused, and `nested`, the resolved
questions that contain an earlier turn's resolved question.
Simplified on purpose: correctness is `rag.evaluate`'s (normalised containment).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.evaluate import KINDS, GoldItem, check_gold, is_correct, jsonl_records, rank_of_gold
from rag.schema import Answer, Turn

TURN_KEYS = {"question", "standalone", "answers", "sources", "kind"}


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: tuple[GoldItem, ...]  # question = as asked in the conversation
    standalone: tuple[str, ...]


def load_conversations(path: Path) -> list[Conversation]:
    """Parse and validate a conversation gold file; errors name the file and line."""
    out = []
    for where, raw in jsonl_records(path, "conversation file"):
        turns = raw.get("turns") if isinstance(raw, dict) else None
        if not isinstance(turns, list) or len(turns) < 2 or not isinstance(raw.get("id"), str):
            raise InputError(f"{where}: expected an 'id' and at least two 'turns'")
        items = []
        for i, t in enumerate(turns, start=1):
            if not isinstance(t, dict) or set(t) != TURN_KEYS or t["kind"] not in KINDS:
                raise InputError(f"{where}: turn {i} needs exactly {sorted(TURN_KEYS)} and a known kind")
            answerable = t["kind"] != "unanswerable"
            if answerable and not (t["answers"] and t["sources"]):
                raise InputError(f"{where}: turn {i} is answerable but has no answers or sources")
            items.append(GoldItem(f"{raw['id']}.{i}", t["question"], tuple(t["answers"]), tuple(t["sources"]),
                                  answerable, t["kind"]))
        out.append(Conversation(raw["id"], tuple(items), tuple(t["standalone"] for t in turns)))
    if not out:
        raise InputError(f"conversation file {path} holds no conversation")
    return out


def check_conversations(conversations: Sequence[Conversation], corpus: Path) -> list[str]:
    """Every turn's answers occur in its sources (`rag.evaluate.check_gold`'s rules)."""
    return check_gold([t for c in conversations for t in c.turns], corpus)


def play(pipeline, conversations: Sequence[Conversation], progress: bool = True) -> list[dict]:
    """One record per turn: the resolved question, the answer, and for follow-ups the standalone run."""
    from tqdm import tqdm

    records = []
    for conv in tqdm(conversations, desc="conversations", unit="conv", disable=not progress):
        history: list[Turn] = []
        for i, (item, standalone) in enumerate(zip(conv.turns, conv.standalone)):
            answer = pipeline.answer(item.question, history=history)
            record = _record(item, answer) | {"turn": i + 1, "standalone": standalone,
                                              "resolved": answer.searched or answer.question}
            record["nested"] = any(r["resolved"].lower() in record["resolved"].lower()
                                   for r in records[len(records) - i:]) if i else False
            if i:
                alone = pipeline.answer(standalone)
                record["alone"] = _record(GoldItem(item.id, standalone, item.answers, item.sources, item.answerable,
                                                   item.kind), alone)
            records.append(record)
            history.append(Turn.of(answer))
    return records


def _record(item: GoldItem, answer: Answer) -> dict:
    return {"id": item.id, "kind": item.kind, "question": item.question, "answer": answer.text,
            "refused": answer.refused, "correct": is_correct(item, answer),
            "hit@5": item.answerable and (rank_of_gold(item, answer) or 99) <= 5,
            "answerable": item.answerable, "ms": round(answer.timings.total_ms)}


def metrics(records: Sequence[dict]) -> dict:
    follow = [r for r in records if r["turn"] > 1]
    ans = [r for r in follow if r["answerable"]]
    unans = [r for r in follow if not r["answerable"]]
    share = lambda rs, f: round(sum(map(f, rs)) / len(rs), 3) if rs else 0.0  # noqa: E731
    m = {"conversations": len({r["id"].split(".")[0] for r in records}), "followup_turns": len(follow),
         "followup_accuracy": share(ans, lambda r: r["correct"]),
         "standalone_accuracy": share(ans, lambda r: r["alone"]["correct"]),
         "followup_hit@5": share(ans, lambda r: r["hit@5"]),
         "standalone_hit@5": share(ans, lambda r: r["alone"]["hit@5"]),
         "followup_unanswerable_refused": share(unans, lambda r: r["refused"]),
         "standalone_unanswerable_refused": share(unans, lambda r: r["alone"]["refused"]),
         "first_turn_accuracy": share([r for r in records if r["turn"] == 1 and r["answerable"]],
                                      lambda r: r["correct"]),
         "nested": sum(r["nested"] for r in records)}
    m["accuracy_ratio"] = round(m["followup_accuracy"] / m["standalone_accuracy"], 3) if m["standalone_accuracy"] else 0.0
    return m


def markdown(meta: dict, m: dict, records: Sequence[dict]) -> str:
    cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = [f"# rag eval --conversations: {meta.get('model')} ({meta.get('when')})", "",
             f"Conversations `{meta.get('gold')}`, follow-ups resolved by `{meta.get('followup')}`.", "",
             "| metric | value |", "|---|---|", *[f"| {k} | {v} |" for k, v in m.items()], "",
             "| turn | asked | resolved | ok | hit@5 | standalone ok | answer | ms |", "|---|---|---|---|---|---|---|---|"]
    for r in records:
        alone = r.get("alone")
        lines.append(f"| {r['id']} | {cell(r['question'])} | {cell(r['resolved'])} | {'✓' if r['correct'] else '✗'} | "
                     f"{'✓' if r['hit@5'] else '✗'} | {('✓' if alone['correct'] else '✗') if alone else ''} | "
                     f"{cell(r['answer'][:160])} | {r['ms']} |")
    return "\n".join(lines) + "\n"


def write_report(out: Path, meta: dict, m: dict, records: Sequence[dict]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out / f"{stamp}.json"
    path.write_text(json.dumps({"meta": meta, "metrics": m, "records": list(records)}, indent=1, ensure_ascii=False))
    (out / f"{stamp}.md").write_text(markdown(meta, m, records), encoding="utf-8")
    return path
