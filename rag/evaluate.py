"""`rag eval`: run the real pipeline over a gold Q&A set and measure it.

Metrics (answerable questions unless said otherwise):
- retrieval: hit@1/3/5 and MRR of a gold source among the passages given to the model;
- answer: accuracy (normalised containment of an accepted answer; for "multi" and
  "conflict" questions every listed answer must be present; a refusal is wrong) and
  SQuAD-style token F1;
- citations, after ALCE (Gao et al., 2023): recall = share of answer sentences whose cited
  quotes support them, precision = share of citations whose quote alone supports its
  sentence. "Supports" here is stricter than the pipeline's own filter: every number of the
  sentence appears in the quote(s) and at least `JUDGE_SUPPORT` of its content words do;
- refusals: share of unanswerable questions refused, share of answerable ones refused;
- news: for "conflict" questions, how often the answer flags the dispute
  (`conflict_flagged`) and how often it names every version and cites every gold source
  (`conflict_complete`); `false_conflicts`, the share of other questions that get a
  dispute anyway; and per kind, the share of gold sources cited (`source_recall_by_kind`:
  for "retold" questions, how many of the articles that report the fact are cited);
- latency: p50/p95 of retrieve, generate and total time.
Writes `<out>/<stamp>.json`, `<out>/<stamp>.md` and `<out>/<stamp>.png`.

Simplified on purpose: support is lexical (no NLI model offline); accuracy is string
containment, so a correct paraphrase ("a thousand" for "1,000") counts as wrong.
"""

from __future__ import annotations

import json
import re
import string
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from rag.cite import has_words, says_cannot, split_claims, support
from rag.errors import InputError
from rag.schema import Answer
from rag.text import WORD_NUMBERS, american, content_words, numbers

KINDS = ("single", "multi", "conflict", "retold", "unanswerable")
ALL_MUST_MATCH = ("multi", "conflict")
SEVERAL_SOURCES = ("multi", "conflict", "retold")  # each source holds some answer, not every one
JUDGE_SUPPORT = 0.6
LOWER_IS_BETTER = ("answerable_refused", "false_conflicts")  # and every *_ms latency
MAIN_METRICS = ("hit@5", "mrr", "accuracy", "f1", "citation_recall", "citation_precision",
                "unanswerable_refused", "answerable_refused")


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    answerable: bool
    kind: str


def jsonl_records(path: Path, what: str):
    """(where, object) for each non-blank line of a JSONL file; InputError naming the file and line."""
    if not path.is_file():
        raise InputError(f"{what} {path} not found")
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None


def load_gold(path: Path) -> list[GoldItem]:
    """Parse and validate a gold JSONL file; errors name the file and line."""
    items: list[GoldItem] = []
    names = {f.name for f in fields(GoldItem)}
    for where, raw in jsonl_records(path, "gold file"):
        if not isinstance(raw, dict) or set(raw) != names:
            raise InputError(f"{where}: expected exactly the keys {sorted(names)}")
        if raw["kind"] not in KINDS:
            raise InputError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if raw["answerable"] != (raw["kind"] != "unanswerable"):
            raise InputError(f"{where}: answerable must be false exactly for kind 'unanswerable'")
        if raw["answerable"] and not (raw["answers"] and raw["sources"]):
            raise InputError(f"{where}: an answerable question needs answers and sources")
        items.append(GoldItem(raw["id"], raw["question"], tuple(raw["answers"]), tuple(raw["sources"]),
                              raw["answerable"], raw["kind"]))
    ids = [i.id for i in items]
    if len(ids) != len(set(ids)):
        raise InputError(f"{path}: duplicate ids {sorted(k for k, v in Counter(ids).items() if v > 1)}")
    if not items:
        raise InputError(f"gold file {path} holds no question")
    return items


def normalize_answer(text: str) -> str:
    """SQuAD normalisation, plus thousands separators dropped so '1,000' matches '1000',
    British spellings as American ones so '4.6 meters' matches '4.6 metres' (`rag.text.american`),
    '%' as 'percent' and the numbers to twenty in digits ('eleven-day' matches '11 days')."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.lower().replace("’", "'").replace("%", " percent"))
    text = "".join(ch if ch not in string.punctuation else " " for ch in text)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(_DIGITS.get(w, american(w)) for w in text.split())


_DIGITS = {w: n for w, n in WORD_NUMBERS.items() if int(n) <= 20}  # the judge's: to twenty


def check_gold(items: Iterable[GoldItem], corpus: Path) -> list[str]:
    """Problems with the gold set against the corpus (empty list: all good).

    Single: every accepted answer occurs in every listed source. Multi, conflict and retold:
    every answer occurs in at least one listed source and every source holds at least one answer.
    """
    problems = []
    texts: dict[str, str] = {}
    for item in items:
        for src in item.sources:
            if src not in texts:
                path = corpus / src
                texts[src] = normalize_answer(path.read_text(encoding="utf-8")) if path.is_file() else ""
                if not path.is_file():
                    problems.append(f"{item.id}: source {src} not in {corpus}")
        found = {(a, s): normalize_answer(a) in texts[s] for a in item.answers for s in item.sources}
        if item.kind in SEVERAL_SOURCES:
            problems += [f"{item.id}: '{a}' is in none of its sources" for a in item.answers
                         if not any(found[a, s] for s in item.sources)]
            problems += [f"{item.id}: source {s} holds none of the answers" for s in item.sources
                         if not any(found[a, s] for a in item.answers)]
        else:
            problems += [f"{item.id}: '{a}' not found in {s}" for (a, s), ok in found.items() if not ok]
    return problems


def is_correct(item: GoldItem, answer: Answer) -> bool:
    if answer.refused or not item.answerable:
        return False
    said = normalize_answer(answer.text)
    hits = [normalize_answer(a) in said for a in item.answers]
    return all(hits) if item.kind in ALL_MUST_MATCH else any(hits)


def token_f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    common = sum((Counter(pred) & Counter(gold)).values())
    if not pred or not gold or not common:
        return 0.0
    p, r = common / len(pred), common / len(gold)
    return 2 * p * r / (p + r)


def best_f1(item: GoldItem, answer: Answer) -> float:
    if answer.refused or not item.answerable:
        return 0.0
    text = re.sub(r"\[\d+\]", "", answer.text)
    if item.kind in ALL_MUST_MATCH:
        return token_f1(text, " ".join(item.answers))
    return max(token_f1(text, a) for a in item.answers)


def judge(sentence: str, quotes: Sequence[str]) -> bool:
    """Do these quotes support this sentence (the eval's stricter criterion)?"""
    words = content_words(sentence)
    quote_words = {w for q in quotes for w in content_words(q)}
    return bool(words) and numbers(words) <= quote_words and support(words, quote_words) >= JUDGE_SUPPORT


def _pieces(answer: Answer) -> list[tuple[str, list[int]]]:
    """(sentence, citation numbers) to judge; a stated dispute counts one piece per version."""
    pieces = split_claims(answer.answer)
    for conflict in answer.conflicts:
        pieces += [(v.value, list(v.refs)) for v in conflict.versions]
    return pieces


def citation_scores(answer: Answer) -> tuple[int, int, int, int]:
    """(supported sentences, sentences, supporting citations, citations) of one answer."""
    if answer.refused:
        return 0, 0, 0, 0
    by_n = {c.n: c.quote for c in answer.citations}
    supported = sentences = good = total = 0
    for claim, marks in _pieces(answer):
        quotes = [by_n[n] for n in marks if n in by_n]
        sentences += 1
        supported += judge(claim, quotes)
        total += len(quotes)
        good += sum(judge(claim, [q]) for q in quotes)
    return supported, sentences, good, total


FAILURES = ("correct", "retrieval_miss", "gate_refusal", "empty_reply", "model_refusal", "dropped_by_check",
            "wrong_answer", "unanswerable_answered")


def failure_label(item: GoldItem, answer: Answer, correct: bool) -> str:
    """Why an answer is wrong (or "correct"), one label per question, from the record's structure.

    Unanswerable: "correct" when refused, else "unanswerable_answered". Answerable, in this
    order: refused by the relevance gate (the model never ran); no gold source among the
    passages the model saw; a reply with no content words (only markers); the model said
    the passages do not tell; the raw reply held an accepted answer that the citation check
    removed; anything else is a wrong answer.
    """
    if not item.answerable:
        return "correct" if answer.refused else "unanswerable_answered"
    if correct:
        return "correct"
    if answer.reply is None:
        return "gate_refusal"
    if rank_of_gold(item, answer) is None:
        return "retrieval_miss"
    if not has_words(answer.reply):
        return "empty_reply"
    if answer.refused and says_cannot(answer.reply):
        return "model_refusal"
    raw = normalize_answer(answer.reply)
    if any(normalize_answer(a) in raw for a in item.answers):
        return "dropped_by_check"
    return "wrong_answer"


def rank_of_gold(item: GoldItem, answer: Answer) -> int | None:
    for rank, hit in enumerate(answer.hits, start=1):
        if hit.chunk.source in item.sources:
            return rank
    return None


def percentile(values: list[float], q: float) -> float:
    """The value at quantile `q` of `values` (nearest rank), 0.0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def evaluate(items: Sequence[GoldItem], answers: Sequence[Answer]) -> tuple[dict, list[dict]]:
    """Metrics and per-question records for `answers[i]` to `items[i]`."""
    records = []
    for item, ans in zip(items, answers):
        sup, sents, good, cites = citation_scores(ans)
        rank = rank_of_gold(item, ans) if item.answerable else None
        correct = is_correct(item, ans)
        cited = sorted({c.source for c in ans.citations})
        if item.answerable:
            verdict = "refused (wrong)" if ans.refused else ("correct" if correct else "wrong")
        else:
            verdict = "refused (right)" if ans.refused else "answered (wrong)"
        records.append({
            "id": item.id, "kind": item.kind, "question": item.question, "answer": ans.text,
            "label": failure_label(item, ans, correct), "reply": ans.reply,
            "refused": ans.refused, "verdict": verdict, "correct": correct, "f1": round(best_f1(item, ans), 4),
            "gold_answers": list(item.answers), "gold_sources": list(item.sources), "gold_rank": rank,
            "retrieved": [h.chunk.source for h in ans.hits], "cited": cited,
            "gold_sources_cited": len(set(item.sources) & set(cited)),
            "conflicts": [[v.value for v in c.versions] for c in ans.conflicts if not c.over_time],
            "supported_sentences": sup, "sentences": sents, "supporting_citations": good, "citations": cites,
            "timings": {"retrieve_ms": round(ans.timings.retrieve_ms, 1), "generate_ms": round(ans.timings.generate_ms, 1),
                        "total_ms": round(ans.timings.total_ms, 1)},
        })
    answerable = [r for r in records if r["kind"] != "unanswerable"]
    unanswerable = [r for r in records if r["kind"] == "unanswerable"]
    ranks = [r["gold_rank"] for r in answerable]
    metrics: dict[str, float | int | dict] = {
        "questions": len(records), "answerable": len(answerable), "unanswerable": len(unanswerable),
        **{f"hit@{k}": _ratio(sum(1 for x in ranks if x is not None and x <= k), len(ranks)) for k in (1, 3, 5)},
        "mrr": _ratio(sum(1 / x for x in ranks if x), len(ranks)),
        "accuracy": _ratio(sum(r["correct"] for r in answerable), len(answerable)),
        "f1": _ratio(sum(r["f1"] for r in answerable), len(answerable)),
        "citation_recall": _ratio(sum(r["supported_sentences"] for r in records), sum(r["sentences"] for r in records)),
        "citation_precision": _ratio(sum(r["supporting_citations"] for r in records), sum(r["citations"] for r in records)),
        "unanswerable_refused": _ratio(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "answerable_refused": _ratio(sum(r["refused"] for r in answerable), len(answerable)),
        "accuracy_by_kind": {k: _ratio(sum(r["correct"] for r in answerable if r["kind"] == k),
                                       sum(1 for r in answerable if r["kind"] == k))
                             for k in KINDS if any(r["kind"] == k for r in answerable)},
        "source_recall_by_kind": {k: _ratio(sum(r["gold_sources_cited"] / len(r["gold_sources"])
                                                for r in answerable if r["kind"] == k),
                                            sum(1 for r in answerable if r["kind"] == k))
                                  for k in SEVERAL_SOURCES if any(r["kind"] == k for r in answerable)},
    }
    metrics["failures"] = {label: sum(r["label"] == label for r in records) for label in FAILURES}
    disputed = [r for r in records if r["kind"] == "conflict"]
    others = [r for r in records if r["kind"] != "conflict"]
    if disputed:
        metrics["conflict_flagged"] = _ratio(sum(bool(r["conflicts"]) for r in disputed), len(disputed))
        metrics["conflict_complete"] = _ratio(sum(r["correct"] and r["gold_sources_cited"] == len(r["gold_sources"])
                                                  for r in disputed), len(disputed))
    metrics["false_conflicts"] = _ratio(sum(bool(r["conflicts"]) for r in others), len(others))
    for part in ("retrieve_ms", "generate_ms", "total_ms"):
        values = [r["timings"][part] for r in records]
        metrics[f"{part.removesuffix('_ms')}_p50_ms"] = round(percentile(values, 0.5), 1)
        metrics[f"{part.removesuffix('_ms')}_p95_ms"] = round(percentile(values, 0.95), 1)
    return metrics, records


def run(pipeline, items: Sequence[GoldItem], progress: bool = True) -> list[Answer]:
    from tqdm import tqdm

    return [pipeline.answer(item.question) for item in tqdm(items, desc="eval", unit="q", disable=not progress)]


def write_report(out: Path, meta: dict, metrics: dict, records: list[dict]) -> Path:
    """Write <stamp>.json, .md and .png under `out`; return the JSON path."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = out / f"{stamp}.json"
    path.write_text(json.dumps({"meta": meta, "metrics": metrics, "records": records}, indent=1, ensure_ascii=False))
    (out / f"{stamp}.md").write_text(markdown(meta, metrics, records), encoding="utf-8")
    chart(metrics, out / f"{stamp}.png", title=f"rag eval: {meta.get('model', '')} on {meta.get('gold', '')}")
    return path


def _fmt(v) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def markdown(meta: dict, metrics: dict, records: list[dict]) -> str:
    lines = [f"# rag eval: {meta.get('model')} ({meta.get('when')})", "",
             f"Gold set `{meta.get('gold')}`, corpus `{meta.get('corpus')}`, top_k {meta.get('top_k')}.", "",
             "| metric | value |", "|---|---|"]
    for k, v in metrics.items():
        if isinstance(v, dict):
            lines += [f"| {k}: {kk} | {_fmt(vv)} |" for kk, vv in v.items()]
        else:
            lines.append(f"| {k} | {_fmt(v)} |")
    cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines += ["", "## Failures", "", "| label | questions |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in metrics.get("failures", {}).items()]
    lines += ["", "| id | kind | question | answer | label | raw reply | cited | ms |",
              "|---|---|---|---|---|---|---|---|"]
    for r in records:
        lines.append(f"| {r['id']} | {r['kind']} | {cell(r['question'])} | {cell(r['answer'])} | {r['label']} | "
                     f"{cell(r.get('reply'))} | {', '.join(r['cited'])} | {r['timings']['total_ms']:.0f} |")
    return "\n".join(lines) + "\n"


def chart(metrics: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(MAIN_METRICS)
    values = [float(metrics[n]) for n in names]
    fig, ax = plt.subplots(figsize=(9, 4))
    bars = ax.bar(names, values, color=["#4c72b0"] * 2 + ["#55a868"] * 2 + ["#c44e52"] * 2 + ["#8172b2"] * 2)
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def compare(a: Path, b: Path) -> str:
    """Every metric of report `a`, report `b` and the change."""
    ma, mb = (json.loads(p.read_text())["metrics"] for p in (a, b))
    flat = lambda m: {(f"{k}: {kk}" if isinstance(v, dict) else k): vv  # noqa: E731
                      for k, v in m.items() for kk, vv in (v.items() if isinstance(v, dict) else [(k, v)])}
    fa, fb = flat(ma), flat(mb)
    lines = [f"{'metric':32} {a.stem:>16} {b.stem:>16} {'change':>10}"]
    for k in dict.fromkeys(list(fa) + list(fb)):
        va, vb = fa.get(k), fb.get(k)
        delta = f"{vb - va:+.3f}" if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else "n/a"
        lines.append(f"{k:32} {_fmt(va):>16} {_fmt(vb):>16} {delta:>10}")
    return "\n".join(lines)


def below_floors(metrics: dict, floors: dict[str, float]) -> list[str]:
    """Metrics worse than their floor (a ceiling for lower-is-better ones and latencies)."""
    bad = []
    for name, floor in floors.items():
        lower_better = name in LOWER_IS_BETTER or name.endswith("_ms")
        if name not in metrics:
            bad.append(f"{name}: not measured")
        elif lower_better and metrics[name] > floor:
            bad.append(f"{name}: {metrics[name]} > ceiling {floor}")
        elif not lower_better and metrics[name] < floor:
            bad.append(f"{name}: {metrics[name]:.3f} < floor {floor}")
    return bad


def failures(records: list[dict]) -> str:
    """The failing questions, one block each: label, question, raw reply, final answer, passages' sources."""
    out = []
    for r in records:
        if r["label"] == "correct":
            continue
        out += [f"[{r['label']}] {r['id']} ({r['kind']}): {r['question']}",
                f"  gold:   {', '.join(r['gold_answers']) or '(unanswerable)'} in {', '.join(r['gold_sources']) or '-'}",
                f"  reply:  {r.get('reply')!r}", f"  answer: {r['answer']}",
                f"  passages from: {', '.join(r['retrieved'])}", ""]
    return "\n".join(out) if out else "no failures"


def summary(metrics: dict) -> str:
    news = ("conflict_flagged", "conflict_complete", "false_conflicts")
    fails = ", ".join(f"{k} {v}" for k, v in metrics.get("failures", {}).items() if v)
    return ", ".join(f"{k} {_fmt(metrics[k])}" for k in ("hit@1", "hit@5", "mrr") + MAIN_METRICS[2:] + news
                     if k in metrics) + f"; total p50 {metrics['total_p50_ms']:.0f} ms" + (f"\nlabels: {fails}" if fails else "")

