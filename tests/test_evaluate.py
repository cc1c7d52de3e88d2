import json

import pytest

from rag import evaluate as ev
from rag.errors import InputError
from rag.schema import Answer, Chunk, Citation, Conflict, Hit, Timings, Version
from tests.conftest import ARTICLES, ROOT

GOLD = ROOT / "eval" / "gold.jsonl"


def test_bundled_gold_set_is_well_formed_and_grounded():
    items = ev.load_gold(GOLD)
    kinds = [i.kind for i in items]
    assert len(items) >= 40 and kinds.count("unanswerable") >= 8
    assert kinds.count("multi") >= 5 and kinds.count("conflict") >= 5 and kinds.count("retold") >= 5
    for article in ARTICLES.glob("*.txt"):
        assert sum(article.name in i.sources for i in items) >= 3, article.name
    assert ev.check_gold(items, ARTICLES) == []


@pytest.mark.parametrize("name", ["lakeport", "kestrel", "corran", "brenmoor", "harwick", "tallis",
                                  "vennport", "marren", "oldhaven", "wyndham"])
def test_other_corpora_gold_sets_are_grounded(name):
    items = ev.load_gold(ROOT / "eval" / f"{name}.jsonl")
    assert sum(i.answerable for i in items) >= 15 and sum(not i.answerable for i in items) >= 10
    assert ev.check_gold(items, ROOT / "eval" / "corpora" / name) == []


def test_fresh_questions_about_the_bundled_articles_are_grounded():
    items = ev.load_gold(ROOT / "eval" / "fresh.jsonl")
    assert sum(i.answerable for i in items) >= 30 and sum(not i.answerable for i in items) >= 10
    assert not {i.question for i in items} & {i.question for i in ev.load_gold(GOLD)}  # new questions
    assert ev.check_gold(items, ARTICLES) == []


def test_check_gold_catches_an_answer_missing_from_its_source(tmp_path):
    bad = ev.GoldItem("x", "q?", ("Vladivostok",), ("003_abfd0f9880f9ca5a.txt",), True, "single")
    assert ev.check_gold([bad], ARTICLES) == ["x: 'Vladivostok' not found in 003_abfd0f9880f9ca5a.txt"]
    conflict = ev.GoldItem("c", "q?", ("$25 billion", "$24 billion"),
                           ("000_7567e1b7e9e7013d.txt", "002_57e4e1cab6c92a8d.txt"), True, "conflict")
    assert ev.check_gold([conflict], ARTICLES) == [
        "c: '$24 billion' is in none of its sources", "c: source 002_57e4e1cab6c92a8d.txt holds none of the answers"]


@pytest.mark.parametrize("line,message", [
    ('{"id": "a"}', "expected exactly the keys"),
    ('not json', "not valid JSON"),
    ('{"id":"a","question":"q","answers":[],"sources":[],"answerable":true,"kind":"single"}', "needs answers"),
    ('{"id":"a","question":"q","answers":[],"sources":[],"answerable":false,"kind":"odd"}', "kind must be"),
])
def test_bad_gold_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "g.jsonl"
    path.write_text("\n" + line + "\n")
    with pytest.raises(InputError, match=f"g.jsonl:2: .*{message}"):
        ev.load_gold(path)


def _answer(text: str, quotes: list[str], sources: list[str], refused: bool = False) -> Answer:
    hits = tuple(Hit(Chunk(s, 0, 1, "x"), "", 0.1, 0.5, 1.0) for s in sources)
    cites = tuple(Citation(i, sources[0], 0, len(q), q, 0.5) for i, q in enumerate(quotes, start=1))
    return Answer("q", text, refused, cites, Timings(10.0, 100.0, 110.0), hits)


def test_metrics_on_hand_made_answers():
    items = [ev.GoldItem("s", "Where?", ("Dunay",), ("b.txt",), True, "single"),
             ev.GoldItem("c", "How much?", ("$25 billion", "$24 billion"), ("a.txt", "b.txt"), True, "conflict"),
             ev.GoldItem("u", "Cup?", (), (), False, "unanswerable")]
    answers = [
        _answer("They arrived in Dunay, Russia [1]. It was 9,000 km away [2].",
                ["arriving in Dunay, Russia", "far away"], ["x.txt", "b.txt"]),
        _answer("The request was $25 billion [1].", ["requested approximately $25 billion"], ["a.txt"]),
        _answer("refused", [], ["z.txt"], refused=True),
    ]
    m, records = ev.evaluate(items, answers)
    assert (m["hit@1"], m["hit@3"], m["mrr"]) == (0.5, 1.0, 0.75)
    assert m["accuracy"] == 0.5 and m["accuracy_by_kind"] == {"conflict": 0.0, "single": 1.0}
    assert m["unanswerable_refused"] == 1.0 and m["answerable_refused"] == 0.0
    # 3 sentences, 2 supported (the 9,000 km one is not); 3 citations, 2 supporting
    assert m["citation_recall"] == pytest.approx(2 / 3) and m["citation_precision"] == pytest.approx(2 / 3)
    assert records[0]["verdict"] == "correct" and records[2]["verdict"] == "refused (right)"
    assert m["total_p50_ms"] == 110.0 and 0 < m["f1"] < 1


def test_news_metrics_conflicts_and_sources():
    items = [ev.GoldItem("c", "How much?", ("$25 billion", "$24 billion"), ("a.txt", "b.txt"), True, "conflict"),
             ev.GoldItem("c2", "How much?", ("$25 billion", "$24 billion"), ("a.txt", "b.txt"), True, "conflict"),
             ev.GoldItem("r", "Who?", ("Kirby",), ("a.txt", "b.txt", "c.txt", "d.txt"), True, "retold"),
             ev.GoldItem("u", "Cup?", (), (), False, "unanswerable")]
    q25, q24 = "requested approximately $25 billion", "initial request for $24 billion"
    both = Answer("q", "It was $25 billion [1].", False,
                  (Citation(1, "a.txt", 0, len(q25), q25, 0.5), Citation(2, "b.txt", 0, len(q24), q24, 0.5)),
                  Timings(1, 1, 2), (), (),
                  (Conflict("How much?", "money", (Version("$25 billion", (1,), ("a.txt",)),
                                                   Version("$24 billion", (2,), ("b.txt",)))),), 4)
    one = _answer("It was $25 billion [1].", [q25], ["a.txt"])
    kirby = Answer("q", "Kirby announced it [1][2].", False,
                   (Citation(1, "a.txt", 0, 6, "Kirby announced", 0.5), Citation(2, "c.txt", 0, 6, "Kirby announced", 0.5)),
                   Timings(1, 1, 2), (), (), (Conflict("Who?", "count", ()),), 4)
    m, records = ev.evaluate(items, [both, one, kirby, _answer("refused", [], ["z"], refused=True)])
    assert m["conflict_flagged"] == 0.5 and m["conflict_complete"] == 0.5
    assert m["false_conflicts"] == 0.5  # the retold answer flagged a dispute; the refusal did not
    assert m["source_recall_by_kind"] == {"conflict": 0.75, "retold": 0.5}
    # the dispute sentence is judged version by version: both supported by their own quote
    assert ev.citation_scores(both) == (3, 3, 3, 3)
    assert records[0]["conflicts"] == [["$25 billion", "$24 billion"]]
    assert records[0]["answer"].endswith("The sources differ: \u201c$25 billion\u201d [1] vs. \u201c$24 billion\u201d [2].")
    # a figure reported over time is shown as a timeline and is no claim that the sources disagree
    timeline = Conflict("How much?", "money", (Version("$24 billion", (2,), ("b.txt",)),
                                               Version("$25 billion", (1,), ("a.txt",))), over_time=True)
    later = Answer("q", "It was $25 billion [1].", False, both.citations, Timings(1, 1, 2), (), (), (timeline,), 4)
    assert later.text.endswith("Reported over time: \u201c$24 billion\u201d [2], then \u201c$25 billion\u201d [1].")
    assert later.to_json()["conflicts"][0]["over_time"] is True
    m, _ = ev.evaluate(items[2:3], [later])
    assert m["false_conflicts"] == 0.0


def test_normalisation_and_f1():
    assert ev.normalize_answer("The $1,000 Containers!") == "1000 containers"
    assert ev.normalize_answer("4.6 metres") == ev.normalize_answer("4.6 meters")  # one answer, two spellings
    assert ev.normalize_answer("eleven-day") in ev.normalize_answer("The strike lasted 11 days.")
    assert ev.normalize_answer("54 percent") in ev.normalize_answer("54% backed the strikers.")
    assert ev.token_f1("Dunay, Russia", "Dunay") == pytest.approx(2 / 3)


def test_reports_compare_and_floors(tmp_path):
    items = [ev.GoldItem("s", "Where?", ("Dunay",), ("b.txt",), True, "single")]
    m, records = ev.evaluate(items, [_answer("Dunay [1].", ["Dunay"], ["b.txt"])])
    path = ev.write_report(tmp_path, {"model": "m", "gold": "g", "when": "now"}, m, records)
    assert path.with_suffix(".md").read_text().startswith("# rag eval: m")
    assert path.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    other = tmp_path / "b.json"
    worse = dict(m, accuracy=0.25)
    other.write_text(json.dumps({"metrics": worse}))
    table = ev.compare(path, other)
    assert "accuracy" in table and "-0.750" in table
    assert ev.below_floors(m, {"accuracy": 0.9, "answerable_refused": 0.1}) == []
    assert ev.below_floors(worse, {"accuracy": 0.5, "answerable_refused": 0.1, "nope": 1}) == [
        "accuracy: 0.250 < floor 0.5", "nope: not measured"]


def test_eval_with_the_small_model_meets_the_recorded_floors(tmp_path, smol_dir):
    """CI's quality gate: the real pipeline with SmolLM2 on the bundled gold set."""
    from tests.test_cli import run

    floors = ROOT / "eval" / "floors-smollm2.json"
    proc = run("eval", "--model", "smollm2-135m", "--index", str(tmp_path / "index"), "--out", str(tmp_path / "out"),
               "--floors", str(floors), timeout=1200)  # 7 min 13 s on a 2-core AVX2 machine (second readings included)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "floors met" in proc.stdout
    (report,) = (tmp_path / "out").glob("*.json")
    data = json.loads(report.read_text())
    assert len(data["records"]) == len(ev.load_gold(GOLD))
    assert {"hit@1", "hit@3", "hit@5", "mrr", "accuracy", "f1", "citation_recall", "citation_precision",
            "unanswerable_refused", "answerable_refused", "total_p50_ms", "total_p95_ms"} <= set(data["metrics"])


def _labelled(reply, answer_text, refused=False, sources=("b.txt",)):
    ans = _answer(answer_text, ["arriving in Dunay, Russia"] if not refused else [], list(sources), refused=refused)
    from dataclasses import replace

    return replace(ans, reply=reply)


@pytest.mark.parametrize("reply, text, refused, sources, label", [
    ("They arrived in Dunay [1].", "They arrived in Dunay [1].", False, ("b.txt",), "correct"),
    (None, "refused", True, ("b.txt",), "gate_refusal"),
    ("They arrived in Dunay [1].", "refused", True, ("x.txt",), "retrieval_miss"),
    ("[1] [2]", "refused", True, ("b.txt",), "empty_reply"),
    ("The articles do not say.", "refused", True, ("b.txt",), "model_refusal"),
    ("Dunay, a port [1].", "refused", True, ("b.txt",), "dropped_by_check"),
    ("They arrived in Najin [1].", "They arrived in Najin [1].", False, ("b.txt",), "wrong_answer"),
])
def test_failure_labels(reply, text, refused, sources, label):
    item = ev.GoldItem("s", "Where?", ("Dunay",), ("b.txt",), True, "single")
    answer = _labelled(reply, text, refused, sources)
    _, (record,) = ev.evaluate([item], [answer])
    assert record["label"] == label and record["reply"] == reply
    unanswerable = ev.GoldItem("u", "Cup?", (), (), False, "unanswerable")
    m, (rec,) = ev.evaluate([unanswerable], [answer])
    assert rec["label"] == ("correct" if refused else "unanswerable_answered")
    assert m["failures"][rec["label"]] == 1 and sum(m["failures"].values()) == 1


def test_failures_listing_names_label_reply_and_answer():
    item = ev.GoldItem("s", "Where?", ("Dunay",), ("b.txt",), True, "single")
    _, records = ev.evaluate([item], [_labelled("[1]", "refused", True)])
    text = ev.failures(records)
    assert text.startswith("[empty_reply] s (single): Where?") and "reply:  '[1]'" in text and "answer: refused" in text
