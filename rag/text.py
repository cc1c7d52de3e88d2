"""Word-level text normalisation shared by BM25 retrieval and citation support.

`content_words` lower-cases, drops stopwords, strips thousands separators from numbers
("1,000" -> "1000"), spells British words the American way ("criticised", "defence",
"centre", "labour" as "criticized", "defense", "center", "labor") and applies a crude suffix
stripper ("arrive", "arrived", "arriving" -> "arriv").
Simplified on purpose: no real stemmer or lemmatiser; English only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
said says say according one ones also yet may might must shall per via
""".split())

# an initialism with dots ("U.S.", "U.N.") is one word, not single letters that are dropped
_WORD = re.compile(r"\b(?:[A-Z]\.){2,}|\d[\d,.]*\d|\d|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
# British spellings as American ones, so that a question and an article spelled differently
# match ("Which defence secretary…" for "Defense Secretary Lloyd Austin"). Each rule maps a
# word and its inflections alike ("raise"/"raised" keep too short a stem for the first rule).
_SPELLINGS = tuple((re.compile(a), b) for a, b in (
    (r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$", r"iz\1"),  # criticise, organisation
    (r"(?<=[a-z]{2})ys(e|ed|es|ing)$", r"yz\1"),  # analyse, paralyse
    (r"(?<=[a-z]{3})our(s|ed|ing|ite|ites|able)?$", r"or\1"),  # labour, favourite, harbour
    (r"(?<=[a-z]{2})([tb])red$", r"\1ered"),  # centred
    (r"(?<=[a-z]{2})([tb])re(s)?$", r"\1er\2"),  # centre, metres, fibre
    (r"^(de|of)fence(s)?$", r"\1fense\2"),  # defence, offences
    (r"^licence(s|d)?$", r"license\1"),
    (r"(?<=[a-z]{3})ogue(s)?$", r"og\1"),  # catalogue, dialogue
    (r"(?<=[a-z]{3})amme(s)?$", r"am\1"),  # programme
))


def american(w: str) -> str:
    """`w` (lower case) in American spelling; unchanged when it has no British ending."""
    for pattern, repl in _SPELLINGS:
        if pattern.search(w):
            return pattern.sub(repl, w)
    return w


def normalize(word: str) -> str:
    w = word.lower().replace("’", "'")
    if len(w) > 2 and w[1] == "." and w.endswith("."):  # "U.S." is "US"
        return w.replace(".", "")
    if w[0].isdigit():
        return w.replace(",", "").rstrip(".")
    if w.endswith("'s"):
        w = w[:-2]
    w = american(w)
    for suffix in _SUFFIXES:
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    if len(w) > 4 and w.endswith("e"):  # "arrive" as "arrived", "arriving" -> "arriv"
        return w[:-1]
    return w


@lru_cache(maxsize=1 << 16)
def _content_word(raw: str) -> str | None:
    if raw.lower() in STOPWORDS or (len(raw) < 2 and not raw.isdigit()):
        return None
    return normalize(raw)


def content_words(text: str) -> list[str]:
    """Normalised non-stopword words of `text`, in order, with repeats."""
    # Cached per distinct word: indexing BM25 over 100k chunks repeats the same words millions of times.
    return [w for w in map(_content_word, _WORD.findall(text)) if w is not None]


# number words in digits, zero to ninety: "Seventeen-year-old" holds 17, "eleven-day" 11
WORD_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())} | {w: str(i * 10) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}


def numbers(words: Iterable[str]) -> set[str]:
    """The numbers among normalised content words ("1,000" is "1000")."""
    return {w for w in words if w[0].isdigit()}


def support(claim: Iterable[str], quote: set[str], echo: Iterable[str] = ()) -> float:
    """Weighted share of the claim's distinct content words found in the quote (numbers weigh double).

    Words in `echo` (the question's own words, which a reply repeats) count only where the
    quote has them: a reply that restates the question in its words is not less supported.
    """
    words = set(claim) - (set(echo) - quote)
    if not words:
        return 0.0
    weight = {w: 2.0 if w[0].isdigit() else 1.0 for w in words}
    return sum(weight[w] for w in words if w in quote) / sum(weight.values())
