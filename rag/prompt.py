"""The prompt: numbered passages and the question, laid out within a token budget.

`build_messages` turns the retrieved passages into chat messages for any runtime, counting
in the generator's own tokens (`rag.tokens`). Passages are cleaned by `rag.guard` before
the model sees them. Runtimes (`rag.generate`) only run messages; they hold no prompt text.
Simplified on purpose: one fixed prompt for every model; passages in rank order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.guard import for_prompt
from rag.schema import Hit
from rag.tokens import TokenCounter

NOT_FOUND = "I don't know."

# Measured (eval/ablate.py, 100 gold questions, the same passages): this plain wording with
# bare `[n] text` passages answered 0.66 correctly after the checks, against 0.54 for the
# earlier longer prompt ("End each sentence with the number of the passage…", "The
# articles do not say.") with `[n] (title, date)` headers. A title that is the story's lead
# sentence, repeated in front of every passage of that article, was echoed as the answer.
SYSTEM_PROMPT = (
    "Answer the question in one or two sentences using only the sources. Cite the sources you use like [1]. "
    f"If the sources do not contain the answer, reply exactly: {NOT_FOUND}"
)
# Appended to the user turn for a second try when a reply holds no words (only "[1]") or only a headline.
NUDGE = "Write the answer as a full sentence in words, then the source number in square brackets."
# The second reading of a question whose first reply the checks refused: the sentence itself, copied.
COPY_PROMPT = ("Copy the one sentence from the sources that answers the question, and cite it like [1]. "
               f"If no sentence answers it, reply exactly: {NOT_FOUND}")


@dataclass(frozen=True)
class Message:
    role: str
    content: str


def focus(text: str, question: str, counter: TokenCounter, limit: int) -> str:
    """The sentences of `text` that share most words with `question`, within `limit` tokens, in order.

    Prefill time grows with the prompt, so a passage can be cut to what bears on the
    question; a gap between kept sentences is shown as "…".
    """
    from rag.chunk import split_sentences
    from rag.text import content_words, support

    if limit <= 0 or len(counter.encode_ordinary(text)) <= limit:
        return text
    spans = split_sentences(text) or [(0, len(text))]
    asked = content_words(question)
    scored = sorted(range(len(spans)), key=lambda i: (-support(asked, set(content_words(text[slice(*spans[i])]))), i))
    keep: list[int] = []
    used = 0
    for i in scored:
        cost = len(counter.encode_ordinary(text[slice(*spans[i])])) + 1
        if keep and used + cost > limit:
            continue
        keep.append(i)
        used += cost
    keep.sort()
    out = []
    for j, i in enumerate(keep):
        if j and i != keep[j - 1] + 1:
            out.append("…")
        out.append(text[slice(*spans[i])].strip())
    return " ".join(out)


def format_passage(n: int, hit: Hit, question: str = "", counter: TokenCounter | None = None,
                   passage_tokens: int = 0) -> str:
    """`[n] text`: the passage alone, cleaned (`rag.guard`), cut to `passage_tokens` if asked.

    Measured (eval/prompt_variants.py, eval/ablate.py): `Passage n (title):` labels made the
    0.5B model copy the labels; `[n] (title, date)` headers made it echo a title that is a
    lead sentence. Dates and headlines the article states are in its own first passage.
    """
    text = for_prompt(hit.chunk.text)
    if counter is not None and passage_tokens:
        text = focus(text, question, counter, passage_tokens)
    return f"[{n}] {text}"


def build_messages(question: str, hits: Sequence[Hit], counter: TokenCounter, budget: int,
                   passage_tokens: int = 0) -> tuple[list[Message], int]:
    """The chat messages for `question`, and how many of `hits` fit into `budget` tokens.

    Passages are kept in rank order, whole or (with `passage_tokens`) cut to their
    sentences nearest the question; the first is cut to fit if even it alone is too long,
    so the model always sees something when anything was retrieved.
    """
    blocks: list[str] = []
    used = 0
    for n, hit in enumerate(hits, start=1):
        block = format_passage(n, hit, question, counter, passage_tokens)
        cost = len(counter.encode_ordinary(block)) + 2
        if used + cost > budget:
            if not blocks:
                ids = counter.encode_ordinary(block)[: max(1, budget - 2)]
                blocks.append(counter.decode(ids))
            break
        blocks.append(block)
        used += cost
    user = "Sources:\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [Message("system", SYSTEM_PROMPT), Message("user", user)], len(blocks)


def nudged(messages: Sequence[Message]) -> list[Message]:
    """The same messages with a request for a sentence in words appended to the last user turn."""
    return [*messages[:-1], Message(messages[-1].role, f"{messages[-1].content}\n{NUDGE}")]


def copy_request(messages: Sequence[Message]) -> list[Message]:
    """The same passages and question, the system turn asking for the answering sentence copied (`COPY_PROMPT`)."""
    return [Message("system", COPY_PROMPT), *(m for m in messages if m.role != "system")]
