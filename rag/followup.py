"""Make a follow-up question standalone before retrieval: `resolve(question, history, generator)`.

"Where were they shipped from?" after "How many containers were sent?" cannot be retrieved
on its own. Every front end (chat, `rag chat --cli`, `rag serve`, the `/ask` API) passes
the earlier turns to `Pipeline.stream(..., history=...)`, which calls `resolve` here.
Only the last turn is used: its standalone question, its answer and the titles it cited.

1. A connector is dropped ("And how many containers were sent?" -> "How many containers
   were sent?"). A question that then needs nothing from the conversation (no pronoun or
   "there"/"that", at least two content words) is a new topic and is sent as it is.
2. Ellipsis ("And Russia?", "What about Iran?"): the new name replaces the last name of
   the previous standalone question ("How many shells does Ukraine fire a day?" ->
   "How many shells does Russia fire a day?").
3. Otherwise the method named by `settings.followup` resolves it (`RESOLVERS`):
   - "rewrite": the generator rewrites it, shown general worked examples (none from the
     bundled articles). A rewrite is kept only if it is one question on one line, keeps
     the question's own words, and every other word comes from the last turn (so it cannot
     bring in a topic of its own); else "terms" is used.
   - "terms": the question plus the last turn's subject terms in parentheses, e.g.
     "Where were they shipped from? (containers North Korea send)".
A resolved question never contains an earlier resolved question: the last turn's terms are
taken from its standalone question with any parentheses removed, so nothing nests.
Simplified on purpose: English only; one previous turn; names are capitalised word runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.prompt import Message
from rag.schema import Turn
from rag.text import content_words

_PRONOUN = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|there|that|this|these|those|he|him|his|she|her|hers|"
    r"the same|the other|former|latter|such)\b", re.I)
_CONNECTOR = re.compile(r"^\s*(?:(?:and|but|also|so|then|ok|okay|now|switching topics)\b[\s,:;-]*)+", re.I)
_ABOUT = re.compile(r"^\s*(?:what|how)\s+about\s+", re.I)
_WH = re.compile(r"\b(who|whom|whose|what|which|where|when|why|how|is|are|was|were|did|does|do|has|have|had|can|"
                 r"could|will|would)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|in\s+)?[A-Z][\w'’.-]*)*")
_PAREN = re.compile(r"\s*\([^)]*\)")
MAX_TERMS = 5
_ASKING = frozenset("many much long far kind type often big large".split())

REWRITE_PROMPT = (
    "Rewrite the user's last question so that it can be understood without the conversation. Replace words "
    "such as it, they, he, there and that with what they refer to in the earlier question or answer. Keep the "
    "rest of the question's words. Reply with the rewritten question only."
)
# Worked examples, deliberately about nothing in the bundled articles.
EXAMPLES = (
    ("Earlier question: Who won the mayoral election in Leeds?\nEarlier answer: Sarah Jones won the election.\n"
     "Last question: How many votes did she get?",
     "How many votes did Sarah Jones get in the mayoral election in Leeds?"),
    ("Earlier question: Where is the new stadium being built?\nEarlier answer: The stadium is being built in Lyon.\n"
     "Last question: How much will it cost?",
     "How much will the new stadium in Lyon cost?"),
    ("Earlier question: What did the factory workers demand?\nEarlier answer: The workers demanded a 10% raise.\n"
     "Last question: When did they go on strike?",
     "When did the factory workers go on strike?"),
)


class Streamer(Protocol):
    def stream(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]: ...


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(text: str) -> list[str]:
    """Capitalised word runs that are not just the sentence's first word."""
    out = []
    for m in _NAME.finditer(text):
        if m.start() == 0 and " " not in m.group() or _WH.fullmatch(m.group()):
            continue
        out.append(m.group().rstrip(".?"))
    return out


def topic(turn: Turn) -> str:
    """The last turn's subject terms: content words of its standalone question, parentheses removed."""
    words = [w for w in re.findall(r"[\w'’.$-]+", _PAREN.sub("", turn.searched).rstrip("?.! "))
             if content_words(w) and not _WH.fullmatch(w) and w.lower() not in _ASKING]
    return " ".join(list(dict.fromkeys(words))[:MAX_TERMS])


def by_terms(question: str, last: Turn, generator: Streamer | None = None) -> str:  # noqa: ARG001
    """The question with the last turn's subject terms in parentheses."""
    terms = topic(last)
    return f"{question} ({terms})" if terms else question


def accept(rewrite: str, question: str, last: Turn) -> bool:
    """Whether a model rewrite is one question that keeps `question` and only adds words from `last`."""
    line = rewrite.strip()
    if not line or "\n" in line or line.count("?") > 1 or len(line) > 2 * len(question) + 120:
        return False
    own = set(content_words(_PRONOUN.sub(" ", question)))
    new = set(content_words(line))
    if own and len(own & new) < max(1, len(own) // 2):
        return False
    known = own | set(content_words(f"{last.searched} {last.answer} {' '.join(last.titles)}"))
    added = new - own
    if not added or not added <= known:  # resolved nothing, or brought in words from nowhere
        return False
    return _PAREN.sub("", line).strip().lower() != _PAREN.sub("", last.searched).strip().lower()


def by_rewrite(question: str, last: Turn, generator: Streamer | None) -> str:
    """The generator's standalone rewrite, if `accept` keeps it; else `by_terms`."""
    if generator is None:
        return by_terms(question, last)
    answer = " ".join(re.sub(r"\s*\[\d+\]", "", last.answer).split()[:40])
    messages = [Message("system", REWRITE_PROMPT)]
    for ask, reply in EXAMPLES:
        messages += [Message("user", ask), Message("assistant", reply)]
    messages.append(Message("user", f"Earlier question: {_PAREN.sub('', last.searched)}\n"
                                    f"Earlier answer: {answer or 'unknown'}\nLast question: {question}"))
    rewrite = "".join(generator.stream(messages, 48)).strip().strip('"').strip()
    rewrite = re.sub(r"^(rewritten question|standalone question|last question)\s*:\s*", "", rewrite, flags=re.I)
    return _capital(rewrite) if accept(rewrite, question, last) else by_terms(question, last)


RESOLVERS = {"rewrite": by_rewrite, "terms": by_terms}


def ellipsis(question: str, last: Turn) -> str | None:
    """"And Russia?" after "How many shells does Ukraine fire?" -> "How many shells does Russia fire?"."""
    core = _ABOUT.sub("", _CONNECTOR.sub("", question)).strip().rstrip("?.! ").strip()
    if not core or _WH.search(core) or len(core.split()) > 4 or not core[:1].isupper():
        return None
    previous = _PAREN.sub("", last.searched)
    names = _names(previous)
    if not names:
        return None
    i = previous.rfind(names[-1])
    return previous[:i] + core + previous[i + len(names[-1]):]


def dependent(question: str) -> bool:
    """Whether `question` (connector removed) needs the conversation to be understood."""
    return bool(_PRONOUN.search(question)) or len(content_words(question)) < 2


def resolve(question: str, history: Sequence[Turn], generator: Streamer | None, method: str = "rewrite") -> str:
    """`question` made standalone given the earlier turns (`history`, oldest first)."""
    if not history:
        return question
    last = history[-1]
    core = _CONNECTOR.sub("", question).strip()
    core = _capital(core) if core else question
    if not dependent(core) and not _ABOUT.match(core):
        return core
    filled = ellipsis(question, last)
    if filled is not None:
        return filled
    return RESOLVERS[method](core, last, generator)
