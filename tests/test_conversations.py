"""The conversation eval: loading and checking the gold file, playing turns with history, the metrics."""

import json

import pytest

from rag.conversations import check_conversations, load_conversations, metrics, play
from rag.errors import InputError
from tests.conftest import ROOT, fake_pipeline

GOLD = ROOT / "eval" / "conversations.jsonl"


def test_the_bundled_conversations_are_valid_and_match_the_articles():
    convs = load_conversations(GOLD)
    assert len(convs) >= 25 and all(2 <= len(c.turns) <= 4 for c in convs)
    assert check_conversations(convs, ROOT / "data" / "articles") == []
    assert sum(not t.answerable for c in convs for t in c.turns) >= 5


def test_bad_conversation_files_name_the_line(tmp_path):
    bad = tmp_path / "c.jsonl"
    bad.write_text('{"id": "x", "turns": [{"question": "q"}]}\n')
    with pytest.raises(InputError, match="c.jsonl:1"):
        load_conversations(bad)
    bad.write_text("not json\n")
    with pytest.raises(InputError, match="not valid JSON"):
        load_conversations(bad)


def test_play_resolves_follow_ups_and_compares_with_the_standalone_form(settings, tmp_path):
    turn = {"answers": ["290 kilometers"], "sources": ["003_abfd0f9880f9ca5a.txt"], "kind": "single"}
    conv = {"id": "c1", "turns": [
        {"question": "Where is the munitions depot?", "standalone": "Where is the munitions depot?", **turn},
        {"question": "How far is it from the border?", "standalone": "How far is the depot from the border?", **turn}]}
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(conv) + "\n")
    pipe = fake_pipeline(settings, "The depot near Tikhoretsk is approximately 290 kilometers from the border [1].")
    records = play(pipe, load_conversations(path), progress=False)
    assert [r["resolved"] for r in records] == ["Where is the munitions depot?",
                                                "How far is the munitions depot from the border?"]
    assert "alone" not in records[0] and records[1]["alone"]["correct"] and records[1]["correct"]
    m = metrics(records)
    assert m["followup_turns"] == 1 and m["followup_accuracy"] == 1.0 and m["accuracy_ratio"] == 1.0
    assert m["nested"] == 0 and m["followup_hit@5"] == 1.0
