from rag.generate import NOT_FOUND, SYSTEM_PROMPT, build_messages
from rag.schema import Chunk, Hit
from tests.conftest import WordCounter


def _hit(i: int, words: int) -> Hit:
    text = " ".join(f"w{i}x{j}" for j in range(words))
    return Hit(Chunk(f"{i}.txt", 0, len(text), text), f"Title {i}", 1.0 / (i + 1), 0.5, 1.0)


def test_passages_numbered_in_rank_order_within_budget():
    hits = [_hit(i, 30) for i in range(5)]
    messages, used = build_messages("Where?", hits, WordCounter(), budget=100)
    assert used == 2
    assert messages[0].role == "system" and messages[0].content == SYSTEM_PROMPT and NOT_FOUND in SYSTEM_PROMPT
    user = messages[1].content
    assert "[1] (Title 0) w0x0" in user and "[2] (Title 1)" in user and "[3]" not in user
    assert user.rstrip().endswith("Question: Where?")


def test_first_passage_is_cut_when_alone_too_long():
    messages, used = build_messages("Q?", [_hit(0, 500)], WordCounter(), budget=50)
    assert used == 1 and len(messages[1].content.split()) < 80
