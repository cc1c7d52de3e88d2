"""Disagreements between articles: the same fact given with different values.

A question asks for a kind of value ("how much" -> money or percent, "how many" -> a
count, "when" -> a date or period, "over what period"/"how long" -> a period or date);
when its wording names none, the kinds of value in the model's answer are used. Every
sentence of the retrieved passages (and of their near-copies) that holds such a value and
is about the question (its words, with the sentence before it, cover at least
`FACT_MATCH` of the question's content words) is a candidate. Per article only the
best-matching candidate of each kind counts, since one article giving two amounts is far
more often two facts than a contradiction. When different articles then give different
values of the same kind (counts also need the same noun: "1,000 containers"), the sources
disagree, and each version is returned with the sentences that state it. Versions whose
sentences each date their value to a different day ("10 percent contained as of
Thursday", "35 percent by Saturday evening") are a developing story's updates, not a
dispute. Versions from articles published on different days (Monday's first pay offer,
Thursday's improved one) are the figure as it changed: they are returned marked
`over_time`, earliest first, and rendered as a timeline rather than a dispute; articles
without a date are never taken for that.

Simplified on purpose: values are found with patterns (English), "approximately $25
billion" and "$25 billion" are equal, names and places are not compared (that needs an
entity linker we do not have offline), and "about the question" is lexical.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.chunk import split_sentences
from rag.dates import dates_in, month_days_in
from rag.guard import is_instruction
from rag.schema import Hit
from rag.text import content_words, normalize, support

FACT_MATCH = 0.5
KIND_NAMES = {"money": "amount", "percent": "percentage", "count": "number", "date": "date", "period": "time span"}

_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "b": 1e9, "trillion": 1e12, "tn": 1e12}
_WORDNUM = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100,
            "a hundred": 100, "a thousand": 1000, "a million": 1e6, "dozens": "dozens", "hundreds": "hundreds",
            "thousands": "thousands"}
_NUM = r"\d[\d,]*(?:\.\d+)?"
_QUAL = r"(?:(?:approximately|about|around|roughly|nearly|almost|some|over|more than|less than|up to)\s+)?"
_MONEY = re.compile(
    rf"{_QUAL}(?:[$€£]\s?{_NUM}(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)?"
    rf"|{_NUM}\s?(?:thousand|million|billion|trillion)?\s?(?:dollars|euros|pounds|rubles|roubles|yuan|yen)\b)",
    re.I)
_PERCENT = re.compile(rf"{_QUAL}{_NUM}\s?(?:%|percent\b|per cent\b)", re.I)
_COUNT = re.compile(
    rf"{_QUAL}(?P<n>{_NUM}\s?(?:thousand|million|billion|k)?|a (?:hundred|thousand|million)"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|fifty|dozens|hundreds|thousands)"
    r"(?:\s+of)?\s+(?P<noun>[^\W\d_]{3,})", re.I)
# Spans of time ("over the past month", "in recent weeks", "for three days"). "last month"
# on its own is a point in time relative to the publication date, not a span; left out.
_PERIOD = re.compile(
    r"\b(?:(?:(?:over|in|during|within|for)\s+)?(?:the\s+)?(?:past|recent|previous)\s+"
    r"(?P<q1>few|several|couple of|\d+|two|three|four)?\s*(?P<u1>day|week|month|year|decade)s?"
    r"|(?:over|in|during|within|for)\s+the\s+last\s+(?P<q3>few|several|couple of|\d+|two|three|four)?\s*"
    r"(?P<u3>day|week|month|year|decade)s?"
    r"|(?:for|over|within)\s+(?P<q2>\d+|two|three|four|five|six|several|a few|a)\s+(?P<u2>day|week|month|year)s?)\b",
    re.I)

_CUES = (
    (re.compile(r"\bhow much\b|\bwhat (?:amount|sum|price|cost)\b", re.I), ("money", "percent")),
    (re.compile(r"\bwhat (?:percentage|share|proportion)\b", re.I), ("percent",)),
    (re.compile(r"\bhow many\b|\bwhat number\b", re.I), ("count",)),
    (re.compile(r"\bhow long\b|\bwhat (?:period|time ?frame|span)\b|\bover what\b", re.I), ("period", "date")),
    # "when" as the question word, not "Which abbreviation did he use when he named…?" (fresh f29)
    (re.compile(r"^\W*when\b|(?:[,;]|\band)\s+when\b|\bwhat (?:date|day|month|year)\b|\bon which\b", re.I),
     ("date", "period")),
)
# Count nouns that are units of time or money; those facts are periods and amounts.
_NOT_COUNTED = frozenset("day week month year decade percent dollar euro pound billion million thousand".split())


@dataclass(frozen=True)
class Value:
    kind: str  # money, percent, count, date, period
    key: tuple  # equal keys mean the same value
    text: str  # as written in the article
    start: int  # offsets into the text it was found in
    end: int


def _amount(number: str, scale: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * _SCALE.get((scale or "").lower(), 1.0)


def _qty(word: str | None) -> object:
    if not word:
        return 1
    w = word.lower()
    if w.isdigit():
        return int(w)
    if w in ("few", "several", "couple of", "a few"):
        return "few"
    return _WORDNUM.get(w, w)


def values(text: str) -> list[Value]:
    """Every money, percent, count, date and period value in `text`."""
    out: list[Value] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _MONEY.finditer(text):
        num = re.search(_NUM, m.group())
        scale = re.search(r"(thousand|million|billion|trillion|bn|mn|tn|\b[kmb])\b", m.group()[num.end():], re.I)
        cur = "$" if "$" in m.group() or "dollar" in m.group().lower() else (m.group().strip()[0] if m.group().strip()[0] in "€£" else "other")
        out.append(Value("money", (cur, _amount(num.group(), scale.group(1) if scale else None)), m.group().strip(),
                         m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _PERCENT.finditer(text):
        if free(m.start(), m.end()):
            out.append(Value("percent", (float(re.search(_NUM, m.group()).group().replace(",", "")),),
                             m.group().strip(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    days: list[tuple[int, int, object]] = []
    found = [((d.month, d.day), start, end) for d, start, end in dates_in(text)] + month_days_in(text)
    for key, start, end in found:  # full dates first: "October 1, 2023" is not also "October 1"
        if free(start, end):
            days.append((start, end, key))
            taken.append((start, end))
    if days:  # all dates of one sentence together: "between September 7 and October 1" is one value
        days.sort()
        out.append(Value("date", tuple(sorted({d[2] for d in days})), text[days[0][0]:days[-1][1]],
                         days[0][0], days[-1][1]))
    for m in _PERIOD.finditer(text):
        if free(m.start(), m.end()):
            unit = (m.group("u1") or m.group("u2") or m.group("u3")).lower()
            q = m.group("q1") or m.group("q2") or m.group("q3")
            qty = _qty(q)
            if qty == 1 and m.group().lower().rstrip().endswith("s") and not q:
                qty = "few"  # "recent weeks"
            out.append(Value("period", (qty, unit), m.group().strip(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _COUNT.finditer(text):
        noun = normalize(m.group("noun"))
        if not free(m.start("n"), m.end("n")) or noun in _NOT_COUNTED or m.group("noun").lower() in _SCALE:
            continue
        n = m.group("n").lower()
        if re.fullmatch(r"(19|20)\d\d", n):
            continue  # a year, not a count
        num = re.match(_NUM, n)
        amount: object = _amount(num.group(), n[num.end():].strip() or None) if num else _WORDNUM.get(n, n)
        out.append(Value("count", (noun, amount), m.group().strip(), m.start(), m.end()))
    return out


def asked_kinds(question: str, answer: str = "") -> tuple[str, ...]:
    """The kinds of value the question asks for, else those the answer gives."""
    for pattern, kinds in _CUES:
        if pattern.search(question):
            return kinds
    return tuple(dict.fromkeys(v.kind for v in values(answer)))


@dataclass(frozen=True)
class Statement:
    """A sentence of a retrieved passage that gives a value for the asked fact."""

    hit: Hit
    value: Value  # offsets into the article file
    start: int  # the sentence, as offsets into the article file
    end: int
    match: float


@dataclass(frozen=True)
class Disagreement:
    kind: str
    versions: tuple[tuple[str, tuple[Statement, ...]], ...]  # (value text, statements giving it)
    over_time: bool = False  # a developing story's figure as each day's article gave it, earliest first


def _group(v: Value) -> tuple:
    return (v.kind, v.key[0]) if v.kind == "count" else (v.kind,)


def _dateline(v: Value, hit: Hit) -> bool:
    """The article's own publication date: metadata, not a value of the story."""
    if v.kind != "date" or not hit.date:
        return False
    _, month, day = (int(x) for x in hit.date.split("-"))
    return v.key == ((month, day),)


def statements(question: str, hits: Sequence[Hit], kinds: Sequence[str]) -> list[Statement]:
    """Per article and kind of value, the sentence that best states a value for `question`."""
    asked = content_words(question)
    given = {(v.kind, v.key) for v in values(question)}
    best: dict[tuple, Statement] = {}
    for hit in hits:
        chunk = hit.chunk
        spans = split_sentences(chunk.text, offset=chunk.start)
        prev: set[str] = set()
        for s, e in spans:
            sentence = chunk.text[s - chunk.start:e - chunk.start]
            if is_instruction(sentence):
                continue
            words = set(content_words(sentence))
            match = support(asked, words | prev)
            prev = words
            if match < FACT_MATCH:
                continue
            for v in values(sentence):
                if v.kind not in kinds or (v.kind, v.key) in given or _dateline(v, hit):
                    continue
                key = (chunk.source, _group(v))
                if key not in best or match > best[key].match:
                    best[key] = Statement(hit, Value(v.kind, v.key, v.text, s + v.start, s + v.end), s, e, match)
    return list(best.values())


_DAYS = ("monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
         "august september october november december").split()
_WHEN = re.compile(r"\b(?:" + "|".join(_DAYS[:7]) + r")\b|\b(?:" + "|".join(_DAYS[7:]) + r")\s+\d{1,2}\b", re.I)


def _when(st: Statement) -> frozenset[str]:
    """The days the statement's sentence dates its value to: "as of Thursday", "by Saturday evening"."""
    chunk = st.hit.chunk
    return frozenset(m.group().lower() for m in _WHEN.finditer(chunk.text[st.start - chunk.start:st.end - chunk.start]))


def _update(versions: Sequence[Sequence[Statement]]) -> bool:
    """Whether the versions are one figure at different times: each sentence dates its value,
    and no two versions share a day ("10 percent contained as of Thursday", "35 percent by
    Saturday evening": an update of a developing story, not a dispute)."""
    days = [set().union(*(_when(st) for st in sts)) for sts in versions]
    if not all(days) or any(not _when(st) for sts in versions for st in sts):
        return False
    return _apart(days)


def _published(versions: Sequence[Sequence[Statement]]) -> list[str] | None:
    """Each version's publication date, when every version's articles are dated and no two
    versions share a day (Monday's article gives the first pay offer, Thursday's the improved
    one: harwick h17); None otherwise."""
    dates = [{st.hit.date for st in sts} for sts in versions]
    if not all(d and None not in d and "" not in d for d in dates) or not _apart(dates):
        return None
    return [min(d) for d in dates]


def _apart(days: Sequence[set]) -> bool:
    """Whether no two versions share a day."""
    return all(not (a & b) for i, a in enumerate(days) for b in days[i + 1:])


def disagreements(question: str, hits: Sequence[Hit], answer: str = "") -> list[Disagreement]:
    """Facts asked for by `question` on which the articles behind `hits` give different values."""
    kinds = asked_kinds(question, answer)
    if not kinds:
        return []
    pool = list(hits) + [a for h in hits for a in h.also]
    found = statements(question, pool, kinds)
    groups: dict[tuple, dict[tuple, list[Statement]]] = {}
    for st in found:
        groups.setdefault(_group(st.value), {}).setdefault(st.value.key, []).append(st)
    out = []
    for group, by_value in groups.items():
        if len(by_value) < 2:
            continue
        versions = sorted(by_value.values(), key=lambda sts: -max(s.match for s in sts))
        if _update(versions):
            continue
        published = _published(versions)
        if published:  # reported over time: in the order the articles came out
            versions = [v for _, v in sorted(zip(published, versions), key=lambda p: p[0])]
        # each article's own wording of a version: "in recent weeks / in the past few weeks"
        out.append(Disagreement(group[0], tuple((" / ".join(dict.fromkeys(st.value.text for st in sts)), tuple(sts))
                                               for sts in versions), over_time=bool(published)))
    return out
