"""Real models end to end: MiniLM embeddings, a real FAISS index and a real generator.

The SmolLM2-135M path checks the JSON contract of `rag ask --json -`, verbatim quotes and
a refusal; the default Qwen2.5-0.5B path (marked slow, still run in CI) checks two
answers. Both run the installed `rag` command in a fresh index folder.
"""

import json

import pytest

from rag.schema import Answer, Delta
from tests.conftest import ANSWER_KEYS, ARTICLES, ROOT
from tests.test_cli import run

QUESTIONS = ["Where did the containers arrive in Russia?", "Who won the 2022 World Cup?",
             "How many shells does Ukraine fire daily?"]
# The 135M test model reliably answers this one; "Where did the containers arrive?" it answers
# with "The containers arrived in Russia.", which names no place and is (rightly) refused.
DEPOT = "How far is the munitions depot from the Russian border with Ukraine?"
SMOL = [DEPOT, QUESTIONS[1]]


def check_contract(line: str, question: str) -> dict:
    data = json.loads(line)
    assert list(data) == ANSWER_KEYS
    assert data["question"] == question and isinstance(data["refused"], bool) and data["answer"].strip()
    assert set(data["timings"]) == {"retrieve_ms", "generate_ms", "total_ms", "first_token_ms"}
    assert data["timings"]["generate_ms"] >= data["timings"]["first_token_ms"] >= 0
    assert data["timings"]["total_ms"] >= data["timings"]["retrieve_ms"] >= 0
    for i, c in enumerate(data["citations"], start=1):
        assert list(c) == ["n", "source", "title", "date", "url", "start", "end", "quote", "score"] and c["n"] == i
        text = (ARTICLES / c["source"]).read_text(encoding="utf-8")
        assert text[c["start"]:c["end"]] == c["quote"] and c["quote"].strip()
        assert f"[{i}]" in data["answer"]
    numbers = {c["n"] for c in data["citations"]}
    for claim in data["claims"]:
        assert set(claim["citations"]) <= numbers and 1 <= claim["articles"] <= data["articles_indexed"]
    for conflict in data["conflicts"]:
        assert len(conflict["values"]) >= 2
        assert all(set(v["citations"]) <= numbers and v["sources"] for v in conflict["values"])
    return data


@pytest.fixture(scope="module")
def smol_index(tmp_path_factory, smol_dir):
    index = tmp_path_factory.mktemp("smol") / "index"
    proc = run("index", "--corpus", str(ARTICLES), "--index", str(index), "--model", "smollm2-135m")
    assert proc.returncode == 0, proc.stderr
    assert "indexed 5 articles (5 added" in proc.stdout
    again = run("index", "--corpus", str(ARTICLES), "--index", str(index), "--model", "smollm2-135m")
    assert again.returncode == 0 and "0 embedded" in again.stdout
    return index


def test_smollm_json_lines_contract(smol_index):
    stdin = "\n".join(SMOL + ["   "]) + "\n"
    proc = run("ask", "--json", "-", "--index", str(smol_index), "--model", "smollm2-135m", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    depot, cup = (check_contract(line, q) for line, q in zip(lines, SMOL))
    assert not depot["refused"] and depot["citations"]
    assert any("290 kilometers" in c["quote"] for c in depot["citations"])
    assert cup["refused"] and not cup["citations"] and "do not contain" in cup["answer"]


def test_smollm_streaming_pipeline(smol_index):
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    pipe = Pipeline.load(Settings(index=smol_index, model="smollm2-135m"))
    events = list(pipe.stream(DEPOT))
    deltas = [e.text for e in events if isinstance(e, Delta)]
    final = events[-1]
    assert isinstance(final, Answer) and len(deltas) > 3 and "".join(deltas).strip()
    assert final.timings.generate_ms > 0 and any("290 kilometers" in h.chunk.text for h in final.hits)
    # The 135M model's reading is not reliable enough to test the answer's content (the
    # default-model test below does that); the cited quotes must still be the grounding ones.
    assert not final.refused and final.citations
    assert any("290 kilometers" in c.quote for c in final.citations)
    for c in final.citations:
        assert (ARTICLES / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.quote


def test_smollm_plain_output(smol_index):
    proc = run("ask", DEPOT, "--index", str(smol_index), "--model", "smollm2-135m")
    assert proc.returncode == 0, proc.stderr
    assert "Sources:" in proc.stdout and "290 kilometers" in proc.stdout and "[1] " in proc.stdout
    assert ".txt, chars " in proc.stdout


@pytest.fixture(scope="module")
def default_index(tmp_path_factory):
    index = tmp_path_factory.mktemp("default") / "index"
    assert run("index", "--corpus", str(ARTICLES), "--index", str(index)).returncode == 0
    return index


@pytest.mark.slow
def test_default_model_answers_and_refuses(default_index):
    index = default_index
    aid = "How much aid for Ukraine did the White House initially request?"
    asked = QUESTIONS[:2] + [aid]
    proc = run("ask", "--json", "-", "--index", str(index), stdin="\n".join(asked) + "\n", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    dunay, cup, dispute = (check_contract(line, q) for line, q in zip(proc.stdout.strip().splitlines(), asked))
    assert not dunay["refused"] and "Dunay" in dunay["answer"]
    assert cup["refused"]
    # the disputed figure: both versions named, both articles cited, the JSON marks it
    assert "$25 billion" in dispute["answer"] and "$24 billion" in dispute["answer"]
    assert {"000_7567e1b7e9e7013d.txt", "001_e28288bb11f4a347.txt"} <= {c["source"] for c in dispute["citations"]}
    (conflict,) = dispute["conflicts"]
    assert sorted(v["sources"] for v in conflict["values"]) == [["000_7567e1b7e9e7013d.txt"],
                                                                ["001_e28288bb11f4a347.txt"]]
    dated = {"002_57e4e1cab6c92a8d.txt", "003_abfd0f9880f9ca5a.txt"}
    for c in dunay["citations"] + dispute["citations"]:
        assert c["date"] == ("2023-10-14" if c["source"] in dated else None) and c["title"]


@pytest.mark.slow
def test_default_model_terminal_conversation(default_index):
    """`rag chat --cli`: the issue's three turns (a topic switch, then a pronoun), then /new."""
    turns = ["Who confirmed the shipments?", "And how many containers were sent?", "Where were they shipped from?",
             "/new", "Where were they shipped from?", "/quit"]
    proc = run("chat", "--cli", "--index", str(default_index), stdin="\n".join(turns) + "\n", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    answers = [a for a in proc.stdout.split("\n\n") if a.strip()]
    assert "White House" in answers[0]
    assert "1,000" in answers[1] or "thousand" in answers[1]
    assert "(searched for: Where were the containers shipped from?)" in answers[2]
    assert "do not contain" not in answers[2] and "[1]" in answers[2]
    assert "(new conversation)" in proc.stdout
    # after /new there is nothing to resolve "they" against: asked as it is
    assert "(searched for:" not in proc.stdout.split("(new conversation)")[1]
