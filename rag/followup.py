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
   - "substitute": each pronoun is replaced by what the last turn was about: "he/his" by
     the person it named (its answer's name when it asked "who"), "its/their" by the first
     name of its question, "of them" by the whole set a "how many" question counted ("of
     the people who died in the attack"; "How many of them were Americans?" becomes "How
     many Americans died in the attack?"), "they/it" by the thing its question was about
     (what "how many" or "what kind of" counted, the subject, or its first "the …" phrase),
     "those images" by the phrase of the last question ending in "images", "that country"
     and "there" by a place it named (a name after "in/on/to/from…": "the attack on Israel");
   - "rewrite": the generator rewrites it, shown general worked examples (none from the
     bundled articles). A rewrite is kept only if it is one question on one line, keeps
     the question's own words, and every other word comes from the last turn; else
     "substitute" is used;
   - "terms": the question plus the last turn's subject terms in parentheses, e.g.
     "Where were they shipped from? (containers North Korea send)"; also what the others
     fall back to when a pronoun is left that they cannot replace.
A resolved question never contains an earlier resolved question: the last turn's terms are
taken from its standalone question with any parentheses removed, so nothing nests.
Measured on eval/conversations.jsonl: see the README (Conversations).
Simplified on purpose: English only; one previous turn; names are capitalised word runs
and noun phrases are found by patterns, not a parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Protocol

from rag.prompt import Message
from rag.schema import Turn
from rag.text import STOPWORDS, content_words

_PRONOUN = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|there|that|this|these|those|he|him|his|she|her|hers|"
    r"the same|the other|former|latter|such)\b", re.I)
_CONNECTOR = re.compile(r"^\s*(?:(?:and|but|also|so|then|ok|okay|now|switching topics)\b[\s,:;-]*)+", re.I)
_ABOUT = re.compile(r"^\s*(?:what|how)\s+about\s+", re.I)
_WH = re.compile(r"\b(who|whom|whose|what|which|where|when|why|how|is|are|was|were|did|does|do|has|have|had|can|"
                 r"could|will|would)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|in\s+)?[A-Z][\w'’.-]*)*")
_PAREN = re.compile(r"\s*\([^)]*\)")
_NOW = re.compile(r"\s+(?:year|years|month|months|week|weeks|weekend|day|days|morning|afternoon|evening|time|summer|"
                  r"winter|spring|autumn|fall|season|century|decade)\b", re.I)
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
    """Capitalised word runs that are not just a sentence's first word."""
    out = []
    for m in _NAME.finditer(text):
        name = re.sub(r"['’]s$", "", m.group().rstrip(".?"))
        # a sentence's first word is capitalised anyway (also after an opening quote: “In a meeting…”)
        if re.search(r"(?:^|[.!?])[\s\"'“”‘’]*$", text[:m.start()]):
            first, _, rest = name.partition(" ")
            if _WH.fullmatch(first) or first.lower() in STOPWORDS or first.lower() in ("according", "also"):
                name = rest
            elif not rest:
                continue
        if name and not _WH.fullmatch(name):
            out.append(name)
    return out


def _said(turn: Turn) -> str:
    """The turn's answer without its citation markers."""
    return re.sub(r"\s*\[\d+\]", "", turn.answer)


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
    """The generator's standalone rewrite, if `accept` keeps it; else `by_substitution`."""
    if generator is None:
        return by_substitution(question, last)
    answer = " ".join(_said(last).split()[:40])
    messages = [Message("system", REWRITE_PROMPT)]
    for ask, reply in EXAMPLES:
        messages += [Message("user", ask), Message("assistant", reply)]
    messages.append(Message("user", f"Earlier question: {_PAREN.sub('', last.searched)}\n"
                                    f"Earlier answer: {answer or 'unknown'}\nLast question: {question}"))
    rewrite = "".join(generator.stream(messages, 48)).strip().strip('"').strip()
    rewrite = re.sub(r"^(rewritten question|standalone question|last question)\s*:\s*", "", rewrite, flags=re.I)
    return _capital(rewrite) if accept(rewrite, question, last) else by_substitution(question, last)


_PERSON_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.I)
_PLURAL = re.compile(r"\b(they|them|their|theirs)\b", re.I)
_SINGULAR = re.compile(r"\b(it|its)\b", re.I)
_DEMONSTRATIVE = re.compile(r"\b(?:that|this|those|these|the same)\s+([a-z][\w'’-]*)", re.I)
_THERE = re.compile(r"\bthere\b", re.I)
_PLACE_WORDS = frozenset("country nation state city town place region port".split())
_STOP = frozenset("did does do is are was were has have had will would can could who whom whose what which where "
                  "when why how many much in on at from to for by with about after before during".split())
_ORGANISATION = re.compile(r"\b(House|Council|Ministry|Department|Agency|Office|Assembly|Congress|Senate|Group|"
                           r"Korea|Russia|Ukraine|States|Union|Nations|China|Israel|Iran|Japan)\b")


_COUNTRY = re.compile(r"^(?:the\s+)?((?:North |South )?Korea|Russia|Ukraine|United States|U\.S\.|China|Israel|Iran|"
                      r"Japan|France|Germany|Britain|India|Taiwan)\b.*\b(?:President|Minister|Leader|Chancellor|"
                      r"King|Queen|Premier)\b")
_TITLE = re.compile(r"\b(?:President|Secretary|Minister|Spokesman|Spokeswoman|Spokesperson|Chancellor|Leader|"
                    r"Senator|Ambassador|General|Admiral|King|Queen|Premier|Governor|Mayor|Chairman|Speaker)"
                    r"\s+[A-Z].*")


def _phrase_with(noun: str, text: str) -> str | None:
    """The noun phrase of `text` that ends in `noun` (up to three modifiers before it, an "of …" after it)."""
    from rag.answercheck import counts

    words = re.findall(r"[\w'’.$-]+", text)
    for i, w in enumerate(words):
        if not counts(noun, {w}):
            continue
        j = i
        while j > 0 and i - j < 3 and words[j - 1].lower() not in _STOP and words[j - 1].lower() not in (
                "the", "a", "an", "that", "this", "those", "these"):
            j -= 1
        while 0 < j < i and words[j][:1].isupper() and words[j - 1][:1].isupper():  # a whole name, not its tail
            j -= 1
        k = i + 1
        if k + 1 < len(words) and words[k].lower() == "of":
            k += 1
            while k < len(words) and k - i < 5 and words[k].lower() not in _STOP:
                k += 1
        return " ".join(words[j:k])
    return None


_DO = "did|does|do|will|would|can|could|should|may|might"
_SUBJECT = re.compile(rf"\b({_DO}|is|are|was|were|has|have|had)\s+the\s+((?:[\w'’$.-]+\s+){{0,4}}?[\w'’$-]+?)"
                      r"(?=\s+(?:of|in|on|at|from|to|for|by|with|after|before|into|about)\b|[?.,]|$)", re.I)


def _subject(text: str) -> str | None:
    """The subject of a question's auxiliary verb: "When did the shipments begin?" -> "the shipments",
    "How far from the border is the munitions depot?" -> "the munitions depot"."""
    m = _SUBJECT.search(text)
    if not m:
        return None
    words = m.group(2).split()
    if len(words) > 1 and (re.fullmatch(_DO, m.group(1), re.I) or re.search(r"(?:ed|en|wn)$", words[-1])):
        words = words[:-1]  # the main verb after the subject ("begin", "shipped")
    return "the " + " ".join(words)


def _main_phrase(text: str) -> str | None:
    """The thing a question is about: what "how many/much" counts, else the subject of its auxiliary,
    else its first "the …" phrase."""
    m = re.search(r"\bhow\s+(?:many|much)\s+((?:[\w'’-]+\s+){0,4}?[\w'’-]+?)(?=\s+(?:did|does|do|is|are|was|were|"
                  r"has|have|had|will|would|can|could|\w+ed)\b)", text, re.I)
    if m:
        return "the " + m.group(1)
    m = re.search(r"\bwhat\s+(?:kind|type|sort)s?\s+of\s+([\w'’-]+)", text, re.I)  # "What kind of drones…"
    if m:
        return "the " + m.group(1)
    subject = _subject(text)
    if subject:
        return subject
    m = re.search(r"\bthe\s+((?:[\w'’$.-]+\s+){0,3}?[\w'’$-]+?)(?=\s+(?:did|does|do|is|are|was|were|has|have|had|of|"
                  r"in|on|at|from|to|for|by|with|arrive|leave|go|come)\b|[?.,]|$)", text, re.I)
    return "the " + m.group(1) if m else None


def _counted_set(text: str) -> tuple[str, str, str] | None:
    """The set a "how many N <verb> …" question counts: "How many people died in the Hamas
    attack?" -> ("people", "who", "died in the Hamas attack"); None for other questions."""
    m = re.match(r"\s*how\s+many\s+([\w'’-]+)\s+((?:were|was|are|is|have|had|has)\s+\w+ed\b|\w+ed\b|died|\w+en\b)(.*)",
                 text.rstrip("?.! "), re.I)
    if not m:
        return None
    who = "who" if m.group(1).lower() in ("people", "persons", "civilians", "soldiers", "citizens", "men", "women",
                                          "children", "americans", "troops", "workers") else "that"
    return m.group(1), who, f"{m.group(2)}{m.group(3)}"


def _amount(answer: str) -> str | None:
    """The first amount of money `answer` gives ("$6 billion"), without "approximately" and the like."""
    from rag.conflicts import values

    money = [v.text for v in values(answer) if v.kind == "money"]
    return re.sub(r"^(?:approximately|about|around|roughly|nearly|almost|some|over|more than|less than|up to)\s+", "",
                  money[0]) if money else None


def _person(last: Turn) -> str | None:
    """The person the last turn was about: its answer's name when it asked who, else a name it asked about."""
    from rag.answercheck import asked_kinds

    asked = _names(_PAREN.sub("", last.searched))
    kinds = asked_kinds(last.searched) or frozenset()
    pool = ([n for n in _names(_said(last)) if n not in asked] if "person" in kinds
            else []) + asked
    people = []
    for n in pool:
        if _ORGANISATION.search(n):  # "Ukraine President Zelenskyy": the person is from the title on
            titled = _TITLE.search(n)
            n = titled.group(0) if titled and not _ORGANISATION.search(titled.group(0)) else ""
        if n:
            people.append(n)
    return people[0] if people else None


def by_substitution(question: str, last: Turn, generator: Streamer | None = None) -> str:  # noqa: ARG001
    """Pronouns replaced by what the last turn was about ("Where were they shipped from?" -> "Where were
    the containers shipped from?"); `by_terms` when a pronoun has nothing to stand for."""
    previous = _PAREN.sub("", last.searched)
    out = question

    def demonstrative(m: re.Match) -> str:
        if m.group(1).lower() in _PLACE_WORDS:  # "that country" after "…the attack on Israel": Israel
            places = [n for n in _names(previous) if re.search(rf"\b(?:in|on|to|from|at|against|near)\s+{re.escape(n)}",
                                                               previous)]
            if places:
                return places[-1]
        found = _phrase_with(m.group(1), previous)
        return f"the {found}" if found else m.group(0)

    out = _DEMONSTRATIVE.sub(demonstrative, out)
    country = re.search(r"\b(?:his|her|their)\s+country\b", out, re.I)
    if country:  # "his country" after "Ukraine President Zelenskyy": the country his name comes with
        named = [m.group(1) for n in _names(_said(last)) + _names(previous) if (m := _COUNTRY.search(n))]
        if named:
            out = out[:country.start()] + named[0] + out[country.end():]
    person = _person(last) if _PERSON_PRONOUN.search(out) else None
    if person:
        out = re.sub(r"\b(his|hers|her)\b(?=\s+\w)", f"{person}'s", out, flags=re.I)
        out = re.sub(r"\b(he|she|him|her)\b", person, out, flags=re.I)
    counted = _counted_set(previous)
    if counted:  # "How many of them were Americans?": of the people who died in the attack, not any people
        noun, who, verb = counted
        which = re.fullmatch(r"\s*how\s+many\s+of\s+(?:them|those)\s+(?:were|are)\s+([\w'’-]+)\s*\??\s*", out, re.I)
        # the short form reads best to a small model: "How many Americans died in the Hamas attack on Israel?"
        out = (f"How many {which.group(1)} {verb}?" if which
               else re.sub(r"\bof\s+(?:them|those)\b", f"of the {noun} {who} {verb}", out, flags=re.I))
    owner = _names(previous)
    if owner and not _names(out[:m.start()] if (m := re.search(r"\b(?:its|their)\b", out, re.I)) else ""):
        # "its satellite launches" after "What has North Korea's nuclear programme…": North Korea's
        out = re.sub(r"\b(?:its|their)\b", f"{owner[0]}'s", out, count=1, flags=re.I)
    thing = _main_phrase(previous) if (_PLURAL.search(out) or _SINGULAR.search(out)) else None
    if thing and _SINGULAR.search(out) and re.match(r"\s*how\s+much\b", previous, re.I):
        # "it" after "How much Ukraine money was in the Senate bill?" is the amount the answer gave:
        # "the $6 billion of Ukraine money" finds the passage "the Ukraine money" did not
        amount = _amount(_said(last))
        if amount:
            thing = f"the {amount} of {thing.removeprefix('the ')}"
    if thing:
        out = re.sub(r"\b(their|its)\b", f"{thing}'s" if not thing.endswith("s") else f"{thing}'", out, flags=re.I)
        out = re.sub(r"\b(they|them|it)\b", thing, out, flags=re.I)
    if _THERE.search(out):
        places = _names(_said(last)) + _names(previous)
        if places:
            out = _THERE.sub(f"in {places[0]}", out)
    if out == question:
        return by_terms(question, last)
    return _capital(out) if not dependent(out) else by_terms(_capital(out), last)


RESOLVERS = {"rewrite": by_rewrite, "substitute": by_substitution, "terms": by_terms}


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
    """Whether `question` (connector removed) needs the conversation to be understood.

    "its"/"their" after a name of the same question stands for that name ("What is North Korea
    hoping to get in return for its munitions?") and needs nothing from the conversation.
    """
    for m in _PRONOUN.finditer(question):
        if m.group(1).lower() in ("its", "their") and _names(question[:m.start()]):
            continue
        if _NOW.match(question, m.end()):  # "this year", "that week": a time, not something said before
            continue
        return True
    return len(content_words(question)) < 2


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
