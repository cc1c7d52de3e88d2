"""Rewrite a follow-up question into a standalone one before retrieval.

"How far is it from the border?" after "Where is the depot?" cannot be retrieved on its own.
When a question looks dependent on the conversation (a pronoun or "there"/"that", a
leading "and"/"what about", or very few content words), the generator is asked to rewrite
it using the previous questions. The rewrite is accepted only if it is a single short line
that keeps the question's own content words; otherwise the previous question is appended
as context, which still gives retrieval the missing words.
Simplified on purpose: only the last two questions are used as context, not the answers
(the small models copy answers into the rewrite and drift).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.prompt import Message
from rag.text import content_words

_DEPENDENT = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|there|that|this|these|those|he|him|his|she|her|hers|"
    r"the same|the other|former|latter|such)\b|^\s*(and|but|what about|how about|also)\b", re.I)

REWRITE_PROMPT = (
    "Rewrite the user's last question so that it can be understood without the earlier questions. "
    "Replace pronouns such as it, they, there with what they refer to. Keep it short. "
    "Reply with the rewritten question only."
)


class Streamer(Protocol):
    def stream(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]: ...


def needs_rewrite(question: str, previous: Sequence[str]) -> bool:
    return bool(previous) and (bool(_DEPENDENT.search(question)) or len(content_words(question)) < 2)


def fallback(question: str, previous: Sequence[str]) -> str:
    return f"{question} ({previous[-1]})"


def accept(rewrite: str, question: str) -> bool:
    line = rewrite.strip()
    if not line or "\n" in line or len(line) > 3 * len(question) + 120:
        return False
    own = set(content_words(question))
    return not own or bool(own & set(content_words(line)))


def standalone_question(question: str, previous: Sequence[str], generator: Streamer | None) -> str:
    """`question` made standalone given the `previous` questions of the conversation."""
    if not needs_rewrite(question, previous):
        return question
    if generator is None:
        return fallback(question, previous)
    context = "\n".join(f"Earlier question: {p}" for p in previous[-2:])
    messages = [Message("system", REWRITE_PROMPT), Message("user", f"{context}\nLast question: {question}")]
    rewrite = "".join(generator.stream(messages, 48)).strip().strip('"').strip()
    rewrite = re.sub(r"^(rewritten question|standalone question)\s*:\s*", "", rewrite, flags=re.I)
    return rewrite if accept(rewrite, question) else fallback(question, previous)
