"""Turn the model's reply into cited sentences with verbatim quotes, or into a refusal.

For every sentence of the reply, the `[n]` markers it carries name candidate passages.
Within a passage the quote is the sentence (or pair of adjacent sentences) that best
supports the claim, and a claim counts as supported when the quote holds at least
`min_support` of the claim's content words (numbers weigh double). A marker that names no
passage is dropped; a sentence whose markers do not support it, or that has none, is
re-pointed at the passage that supports it best, if any does. Words a claim repeats from
the question count only where the quote has them (a reply that restates "the coming
confrontation" is judged on what it adds). A claim's numbers, and the names it adds to
the question, must occur within `REACH` sentences of its quote or in the article's title
or date: "$24 billion" from one paragraph cannot support "…in aid for Israel" from
another. The names it repeats from the question may be further off, but within
`ABOUT_REACH` sentences, or anywhere before the quote in its article: news names its
subject and then says "it" or "the mission", yet the request sentence three sentences
before the article turns to Israel is not about Israel. When a date or a figure is asked of
something the question names no name for ("the probe"), a name the claim adds may also come
from earlier in the article: it says what the subject is, as the lead named it. When a
person is asked for, the claim's names must be beside the quote, not only in the headline;
and the verb of a "who VERB" question must be said there too (`answercheck.deed`):
"Lloyd Austin replaced Steve Scalise", quoted from Austin announcing aid, is not. A claim that is only an article's headline is dropped (headline case capitalises
every word, so no name can be read from it). Unsupported sentences are
dropped, and so is a sentence that, with its quote and `ABOUT_REACH` sentences around it,
covers less than `ABOUT` (half) of what the question is about (`rag.extract.coverage`: its names
and its other content words, matched by a word close in meaning too, `rag.wordsim`): a true sentence that does not address the question, a
small model's typical drift ("Lena Holm said the company would build wind farms" for
"What did Lena Holm say about the tram line?"). For a "which X" question, a name is dropped
when a sentence near its quote says X beside someone else and covers more of the question
(the model took the wrong one of two councillors). A claim the reply says twice is kept once. A reply with no sentence left, or in which the model says it cannot tell,
becomes a refusal, unless one sentence of the passages answers the question on its own
(`rag.extract`): that sentence is then the answer, quoted. The same goes for each part of
a question that joins two ("How long…, and what kind of…?") that no kept claim answers. Markers are renumbered 1..m in order of first use.

Retold stories: once a claim has its quote, every other article among the retrieved
passages (and their near-copies) whose best sentence also supports it (at least
`CORROBORATION` of its words, every number included) is cited with it, `[1][3][4]`, and
the claim records how many articles report it.

Repaired before the checks: a year the model put after a month and day that no retrieved
article gives ("September 7, 2014" where the article says "September 7") is dropped. When the articles disagree on the fact
asked for (`rag.conflicts`), each version is returned with its citations as a `Conflict`
(the edges render it: `Answer.text`, the chat's box).

Simplified on purpose: "support" is lexical overlap, not entailment (no NLI model is
available offline); it cannot see negation or paraphrase with other words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag import answercheck
from rag.chunk import split_sentences
from rag.conflicts import Disagreement
from rag.extract import SIMILAR, Extract, coverage, extract, subject_keys, word_keys
from rag.guard import is_instruction
from rag.schema import Citation, Claim, Conflict, Hit, Version
from rag.text import content_words, numbers, support

if TYPE_CHECKING:
    from rag.wordsim import WordSimilarity

log = logging.getLogger(__name__)

REFUSAL = "The articles do not contain an answer to this question."
REACH = 1  # sentences either side of a quote in which the claim's names and numbers must occur
ABOUT = 0.5  # share of the question's subject the claim and its quote's surroundings must cover (0.6 lost a paraphrased verb, "leave" for "shipped from"; 0.67: replay)
ABOUT_REACH = 2  # sentences either side of the quote counted for it ("According to think-tank, @CSIS" follows the post it credits)
SAME_THING = 0.8  # cosine at which a counted noun is the one asked about ("homes"/"houses" 0.90; "drones"/"containers" 0.26)
# the share of a copied reply's words its quote must hold (`cite(copied=True)`); measured with
# `eval/replay.py --live-rereads` on twelve sets: README "The second reading", eval/reports/second-reading/
COPIED_SUPPORT = 0.8
CORROBORATION = 0.6  # as strict as the eval's judge; support another article's sentence needs to count as reporting the claim too

_MARKER = re.compile(r"[\[(]\s*(?:passages?\s*)?(\d+(?:\s*(?:,|and|-)\s*\d+)*)\s*[\])]"
                     r"|\b[Pp]assages?\s+(\d+(?:\s*(?:,|and|-)\s*\d+)*)\b", re.I)
_CANNOT = re.compile(
    r"\b(?:do(?:es)?\s+not|don't|doesn't)\s+(?:say|contain|mention|provide|specify|state|include|know|have)\b"
    r"|\bno\s+(?:information|mention|details?)\b|\bnot\s+(?:mentioned|specified|stated|provided|given|available)\b"
    r"|\bcannot\b|\bcan't\b|\bunable to\b|\bnot enough information\b|\bunknown\b", re.I)


_CREDIT = re.compile(r"^(?:according\s+to|based\s+on|as\s+(?:stated|mentioned|reported)\s+in)"
                     r"(?:\s+(?:the|these|this)?\s*(?:provided\s+)?(?:sources?|passages?|articles?|texts?|information)"
                     # what is left of "Based on sources [1] and [3]," and "… the information provided in the sources,"
                     r"(?:\s+(?:and|provided|given|in|the|these|sources?|passages?|articles?|texts?))*)?\s*,\s*",
                     re.I)


def has_words(reply: str) -> bool:
    """Whether a reply says anything beyond passage markers ("[1] [2]" says nothing)."""
    return bool(content_words(_MARKER.sub(" ", reply)))


def echoes_title(reply: str, titles: Sequence[str], question: str = "") -> bool:
    """Whether `reply` is nothing but one of the articles' `titles`, copied ("[1] Oldhaven Baker's
    Rye Sourdough Named Best Loaf in the Country" for "Which city hosted the bread competition?",
    oldhaven o25): the model read the passage's first line instead of answering. Not when the
    question asks for a headline, nor for a title that is a sentence (ends with a full stop: the
    lead sentence, as one bundled article has, answers much that is asked, gold c02)."""
    if re.search(r"\b(?:headlines?|headlined|titles?|titled)\b", question, re.I):
        return False
    said = set(content_words(_MARKER.sub(" ", reply)))
    heads = (set(content_words(t)) for t in titles if not t.rstrip().endswith("."))
    return bool(said) and any(said <= head and len(said) >= 0.6 * len(head) for head in heads)


def says_cannot(text: str) -> bool:
    """Whether `text` says the passages do not tell ("The articles do not say.")."""
    return bool(_CANNOT.search(text))


@dataclass(frozen=True)
class Cited:
    answer: str
    citations: tuple[Citation, ...]
    refused: bool
    claims: tuple[Claim, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    extractive: bool = False  # a claim (or the whole answer) is a quoted sentence of an article, not the model's
    unanswered: tuple[str, ...] = ()  # the parts of a two-part question that nothing in the answer answers


@dataclass(frozen=True)
class Quote:
    hit: int  # index into hits
    start: int  # offsets into the article file
    end: int
    support: float
    words: frozenset[str] = frozenset()  # content words of the quote


def best_quote(claim: Sequence[str], hits: Sequence[Hit], i: int, echo: frozenset[str] = frozenset(),
               need: frozenset[str] = frozenset()) -> Quote:
    """The sentence, or adjacent pair of sentences, of passage `i` that best supports `claim`
    (with `need`, of those that hold every one of these words: the claim's numbers)."""
    chunk = hits[i].chunk
    spans = split_sentences(chunk.text, offset=chunk.start) or [(chunk.start, chunk.end)]
    texts = [chunk.text[s - chunk.start:e - chunk.start] for s, e in spans]
    words = [set(content_words(t)) for t in texts]
    # a sentence addressed to an AI is never evidence, whatever it shares with the claim; nor is
    # the date line, which says when the article came out, not when anything in it happened
    # ("the bridge opened in 2025-10-24" quoted from "date 2025-10-24"; tallis t16)
    dated = set(content_words(hits[i].date or "")) | {"date", "published", "updated"}
    usable = [not is_instruction(t) and not (w and w <= dated) for t, w in zip(texts, words)]
    singles = [support(claim, w, echo) if ok and need <= w else -1.0 for ok, w in zip(usable, words)]
    best = Quote(i, spans[0][0], spans[0][1], -1.0, frozenset(words[0]))
    for j, (s, e) in enumerate(spans):
        if singles[j] > best.support:
            best = Quote(i, s, e, singles[j], frozenset(words[j]))
    for j in range(len(spans) - 1):
        pair_words = words[j] | words[j + 1]
        pair = support(claim, pair_words, echo) if usable[j] and usable[j + 1] and need <= pair_words else -1.0
        # A pair only when it adds real support over each of its sentences and the best single.
        if pair > max(singles[j], singles[j + 1], best.support) + 0.1:
            best = Quote(i, spans[j][0], spans[j + 1][1], pair, frozenset(pair_words))
    return best


def quoted(hits: Sequence[Hit], q: Quote) -> str:
    """The text of quote `q`."""
    chunk = hits[q.hit].chunk
    return chunk.text[q.start - chunk.start:q.end - chunk.start]


def surroundings(hits: Sequence[Hit], q: Quote, reach: int = 1, title: bool = True, ahead: int | None = None) -> str:
    """The quote with `reach` sentences either side of it in its passage (`ahead` after it, when
    given), and (with `title`) the passage's title and date."""
    chunk = hits[q.hit].chunk
    spans = split_sentences(chunk.text, offset=chunk.start) or [(chunk.start, chunk.end)]
    first = min((j for j, (s, e) in enumerate(spans) if e > q.start), default=0)
    last = max((j for j, (s, e) in enumerate(spans) if s < q.end), default=len(spans) - 1)
    ahead = reach if ahead is None else ahead
    start, end = spans[max(0, first - reach)][0], spans[min(len(spans) - 1, last + ahead)][1]
    around = chunk.text[start - chunk.start:end - chunk.start]
    return "\n".join((hits[q.hit].title, hits[q.hit].date or "", around)) if title else around


def _piece_holds(claim: str, sentence: str, marks: list[int], check) -> bool:
    """Whether `claim`, when it is only a piece of its quoted `sentence`, has a sentence that
    passes `check` as a claim of its own (a whole copied sentence is its own test)."""
    if len(content_words(sentence)) <= len(content_words(claim)):
        return True
    held = bool(check(sentence, marks))
    if not held:
        log.debug("dropped (its sentence, as a claim, does not answer): %s", claim)
    return held


def paragraph_to(hits: Sequence[Hit], q: Quote) -> str:
    """The quote's paragraph up to the end of the quote: what a reader of it knows it is about."""
    chunk = hits[q.hit].chunk
    text = chunk.text[:q.end - chunk.start]
    return text[text.rfind("\n") + 1:]


def earlier(hits: Sequence[Hit], q: Quote, articles: Mapping[str, str] | None = None) -> str:
    """The text of the quote's article before the quote (of its passage, without `articles`)."""
    chunk = hits[q.hit].chunk
    text = (articles or {}).get(chunk.source)
    return text[:q.start] if text is not None else chunk.text[:q.start - chunk.start]


def _numbers_of(marker: re.Match) -> list[int]:
    found = []
    for a, sep, b in re.findall(r"(\d+)\s*(-?)\s*(\d+)?", marker.group(1) or marker.group(2)):
        if sep and b:
            found.extend(range(int(a), int(b) + 1))
        else:
            found.append(int(a))
            if b:
                found.append(int(b))
    return found


def _markers(sentence: str) -> list[int]:
    return [n for m in _MARKER.finditer(sentence) for n in _numbers_of(m)]


def renumbered(reply: str, mapping: Mapping[int, int]) -> str:
    """`reply` with each marker's passage numbers mapped ("[2]" -> "[5]"); numbers not in `mapping` are dropped."""
    return _MARKER.sub(lambda m: "".join(f"[{mapping[n]}]" for n in _numbers_of(m) if n in mapping), reply)


def split_claims(reply: str) -> list[tuple[str, list[int]]]:
    """(claim text without markers, marker numbers) per sentence; marker-only pieces join the previous one."""
    out: list[tuple[str, list[int]]] = []
    for s, e in split_sentences(reply):
        piece = reply[s:e]
        claim = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", piece)).strip()
        # "According to [1], Voltaris…" and "According to the sources, …" credit the passages, not a source
        bare = _CREDIT.sub("", claim)
        claim = bare[:1].upper() + bare[1:] if bare != claim and bare else claim
        marks = _markers(piece)
        if not claim.strip(" .,;:!?") and out:
            out[-1] = (out[-1][0], out[-1][1] + marks)
        elif claim:
            out.append((claim, marks))
    return out


def article_context(pool: Sequence[Hit]) -> dict[str, str]:
    """Per article: its title and every retrieved passage of it, which a claim's names and numbers must occur in.

    All of the article's retrieved passages, not only the quoted one: a chunk boundary can
    fall between a name ("the depot near Tikhoretsk") and the fact ("290 kilometers").
    """
    texts: dict[str, list[str]] = {}
    for hit in pool:
        texts.setdefault(hit.chunk.source, [hit.title]).append(hit.chunk.text)
    return {src: "\n".join(parts) for src, parts in texts.items()}


def _in_year(years: set[str], last_year: bool, hits: Sequence[Hit], q: Quote) -> bool:
    """Whether the quote is set in a year the question names: the year is in the quote or the
    sentence before it, or is the year its article came out. "…against 30,332 for Haines" is
    this year's count, not the "previous election in 2021" two sentences on (tallis tu01).
    `last_year`: the year before the article's, said so or by number: this year's winning
    time is not "her time in last year's race" (kestrel ku07)."""
    before = surroundings(hits, q, 1, title=False, ahead=0)
    date = hits[q.hit].date or ""
    if last_year:
        return bool(re.search(r"\blast\s+year|\ba\s+year\s+(?:ago|earlier|before)", before, re.I)) or (
            date[:4].isdigit() and str(int(date[:4]) - 1) in before)
    return any(y in before or date.startswith(y) for y in years)


def _alike(noun: str, words: list[str], similar: WordSimilarity | None) -> list[bool]:
    """For each of `words`, whether it counts `noun`: the noun itself, or a word close in meaning
    (cosine at least SAME_THING: "stores" for "shops" 0.84; at least SIMILAR between two nouns of
    people: "employees" for "staff" 0.72, but "voters" for "students" 0.35; or of homes:
    "households" for "homes" 0.70)."""
    same = [answercheck.counts(noun, {w}) for w in words]
    if similar is None or all(same):
        return same
    cosines = similar.best(words, [noun])
    kin = [g for g in (answercheck.PEOPLE, answercheck.DWELLINGS) if noun.lower() in g]
    return [s or c >= (SIMILAR if any(w.lower() in g for g in kin) else SAME_THING)
            for s, w, c in zip(same, words, cosines)]


def _counts_alike(noun: str, claim: str, quote: str, similar: WordSimilarity | None) -> bool:
    """Whether `claim` counts `noun` (in its words or in words close in meaning, `_alike`) and
    `quote` gives that count of it: "nine houses" for "nine homes", "87 stores" for "how many
    shops", but not "12 structures, including six houses" for "12 homes"."""
    pairs = answercheck.counts_of(claim)
    given = {n for (n, _), ok in zip(pairs, _alike(noun, [w for _, w in pairs], similar)) if ok}
    pairs = [(n, w) for n, w in answercheck.counts_of(quote) if n in given]
    return any(_alike(noun, [w for _, w in pairs], similar))


def _corroborate(claim: str, words: list[str], quotes: list[Quote], pool: Sequence[Hit],
                 min_support: float, context: dict[str, str]) -> list[Quote]:
    """The best supporting sentence from each other article in `pool` that also reports the claim."""
    need = max(min_support, CORROBORATION)
    have = {pool[q.hit].chunk.source for q in quotes}
    needed = numbers(words)
    best: dict[str, Quote] = {}
    for i, hit in enumerate(pool):
        src = hit.chunk.source
        if src in have:
            continue
        q = best_quote(words, pool, i)
        if q.support >= need and needed <= q.words and (src not in best or q.support > best[src].support) \
                and not answercheck.foreign_names(claim, context[src]):
            best[src] = q
    return quotes + sorted(best.values(), key=lambda q: -q.support)


_CLAUSE = re.compile(r"\s*(?:;|,?\s+and\s+(?=[A-Z]|the\b|it\b|he\b|she\b|they\b))\s*")


def _surname_keys(name: str) -> set[str]:
    words = [w for w in name.split() if answercheck.text_keys(w)]
    return answercheck.text_keys(words[-1]) if words else set()


def _better_named_nearby(claim: str, question: str, kind: str, parts: Sequence[str], hits: Sequence[Hit], q: Quote,
                         similar: WordSimilarity | None) -> bool:
    """Whether, for a "which X" question (`kind` is X), a sentence within `ABOUT_REACH` of quote `q` says X
    beside a name neither the claim nor the question names (by its last word) and covers more
    of the question than the sentences that name the claim's own answer (the quote, when none
    near does). Only then: an answer's sentence often says "its chief executive" or "it" and
    leaves what the question is about to the sentence before (harwick h06, gold s26)."""
    asked = answercheck.text_keys(question)
    mine = [n for n in answercheck.names_in(claim) if not _surname_keys(n) <= asked]
    said = answercheck.text_keys(claim) | asked
    near = surroundings(hits, q, ABOUT_REACH, title=False)
    sentences = [near[s:e] for s, e in split_sentences(near)]

    def fit(text: str) -> float:
        return max(coverage(p, text, similar) for p in parts)

    own = [t for t in sentences if any(_surname_keys(n) <= answercheck.text_keys(t) for n in mine)]
    best_own = max(fit(t) for t in own or [quoted(hits, q)])
    rivals = [t for t in sentences if answercheck.text_keys(kind) <= answercheck.text_keys(t)
              and any(not _surname_keys(n) <= said for n in answercheck.names_in(t))]
    return any(fit(t) > best_own for t in rivals)


def _deed_said(did: str, question: str, near: str, similar: WordSimilarity | None) -> bool:
    """Whether `near` says the deed of a "who VERB" question of someone: the verb is there, not
    only after the thing done ("the record set in 2019") and not only denied ("No arrests")."""
    return (coverage(did, near, similar) == 1.0 and not answercheck.agentless(did, question, near)
            and not answercheck.only_negated(did, near))


def _root(word: str) -> str:
    """A normalised word without a verb ending: "saved", "saving" and "save" are all "sav"; but
    "Korea" is not "Korean" (a name's adjective is another word: SmolLM2's s25)."""
    return re.sub(r"(?:ing|ed|e)$", "", word) if len(word) > 3 else word


def _said(claim: str, kept: Sequence[tuple[str, list[Quote]]]) -> bool:
    """Whether a kept claim already says `claim` (the same words, case and stops aside)."""
    words = content_words(claim)
    return any(content_words(k) == words for k, _ in kept)


# the aside may hold a figure's comma: "…, which the council says will save about 380,000 pounds" (oldhaven o54)
_RELATIVE = re.compile(r",\s+(?:which|who|where|whose)\b(?:[^,;]|(?<=\d),(?=\d))*[.!?]?$")


def _clauses(claim: str) -> list[str]:
    """The clauses of a compound sentence joined by "; " or ", and" (more than one, else none),
    or the sentence without a last ", which/who/where …" clause: the model's aside ("off Cape
    Lorra, which is in the southern part of the Netherlands", marren r18) is not what it answers."""
    parts = [p.strip(" ,") for p in _CLAUSE.split(claim) if len(content_words(p)) >= 3]
    if len(parts) > 1:
        return [p[0].upper() + p[1:] for p in parts]
    main = _RELATIVE.sub(".", claim)
    return [main] if main != claim and len(content_words(main)) >= 3 else []


class _Numbering:
    """Citation numbers 1..m by first use, one per distinct quote."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, int, int], int] = {}
        self.citations: list[Citation] = []

    def ref(self, hit: Hit, start: int, end: int) -> int:
        key = (hit.chunk.source, start, end)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            text = hit.chunk.text[start - hit.chunk.start:end - hit.chunk.start]
            self.citations.append(Citation(self.numbers[key], hit.chunk.source, start, end, text, hit.dense,
                                           hit.title, hit.date, hit.url))
        return self.numbers[key]


def cite(reply: str, hits: Sequence[Hit], min_support: float, question: str = "",
         disputes: Sequence[Disagreement] = (), articles: Mapping[str, str] | None = None,
         similar: WordSimilarity | None = None, terms: Mapping[str, str] | None = None,
         copied: bool = False) -> Cited:
    """Resolve the markers of `reply` against `hits` (numbered from 1) for `question`.

    `disputes` are disagreements between the articles on the fact asked for; each is
    stated, with a citation per version, after the model's claims. `articles`, the full
    texts of the retrieved articles, is where the question's narrowing terms are looked
    for (an article names "Washington" once, in its dateline); without it, the retrieved
    passages. `similar` lets a word of the question be matched by one close in meaning where
    the checks ask what a claim is about (`rag.extract.coverage`) and what a count counts.
    `terms` are the corpus's acronyms with the words an article writes them out in
    (`answercheck.glossary`); those of the retrieved articles are always added.
    `copied`: the reply was asked to copy the sentence that answers (`rag.prompt.copy_request`),
    so it is held to that sentence: at least `COPIED_SUPPORT` of its words are the quote's,
    the question's words counting too; the quote's paragraph, up to the quote, names every name
    the question gives; and a piece of the sentence holds only when the whole sentence passes
    the checks as a claim (`_piece_holds`).
    """
    pool = list(hits) + [a for h in hits for a in h.also]
    asked = set(content_words(question))
    # "Did North Korea send containers?" is answered by restating it: "North Korea did send containers."
    yes_no = bool(re.match(r"\s*(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would|should)\b", question, re.I))
    roots = {_root(w) for w in asked}
    # the question's words a reply repeats count only where the quote has them; a copy repeats none
    # ("The traders' association will hear the traders' case" for "Which court will hear the case?")
    echo = frozenset() if copied else frozenset(asked)
    floor = max(min_support, COPIED_SUPPORT) if copied else min_support
    asked_names = [t for t in answercheck.narrowing_terms(question) if not t[:1].isdigit()] if copied else []
    kinds = answercheck.asked_kinds(question)
    # a date, a span, an amount or a count is asked, of something the question names no name for
    figure = (bool(kinds) and not kinds & {"person", "place"}
              and not any(t[:1].isalpha() for t in answercheck.narrowing_terms(question)))
    noun = answercheck.counted(question)
    people = answercheck.asks_people(question)
    years = answercheck.years_named(question)
    last_year = not years and answercheck.asks_last_year(question)
    rate = answercheck.rate_unit(question)
    # an acronym an article writes out stands for those words in every passage ("DPRK")
    context = article_context(pool)
    terms = dict(terms or {}) | answercheck.glossary([*context.values(), *(articles or {}).values()])
    context = {src: answercheck.with_expansions(text, terms) for src, text in context.items()}
    kept: list[tuple[str, list[Quote]]] = []
    parts = answercheck.question_parts(question)
    who = answercheck.speaker(question)
    did = answercheck.deed(question)
    lead = answercheck.role(question)
    thing = answercheck.named_thing(question)
    which = re.match(r"\s*(?:which|what)\s+([a-z][\w-]*)", question, re.I)  # "Which councillor…": the X of "which X"
    # a person asked for is named beside the quote, not only in the headline: "Kiplagat Breaks
    # Course Record" does not make him the runner who collapsed near the finish (kestrel ku10)
    person = bool(kinds) and "person" in kinds

    def check(claim: str, marks: list[int]) -> list[Quote]:
        """The claim's supporting quotes, with corroborating articles; [] when it fails a check."""
        if says_cannot(claim):
            return []  # "the articles do not say ..." is not a claim to cite
        if not kinds and answercheck.only_own_thing(claim, question):  # "the Cedar Ridge Fire was shut" for "which road…?"
            log.debug("dropped (names only what the question is about, no %s): %s",
                      " ".join(answercheck.which_phrase(question)), claim)
            return []
        if answercheck.no_cause(claim, question):  # the event restated for "what made it happen?"
            log.debug("dropped (gives no cause): %s", claim)
            return []
        if answercheck.plan_for_outcome(claim, question):  # "would ask for a recount" for "what was the outcome…?"
            log.debug("dropped (an intention, not what came of it): %s", claim)
            return []
        if answercheck.titled_as_asked_about(claim, question):  # the question's own president as the doer
            log.debug("dropped (names the person the question already speaks of): %s", claim)
            return []
        if answercheck.unnamed_which(claim, question):  # "a conservation foundation" for "which foundation…?"
            log.debug("dropped (says 'a' of what the question asks which of): %s", claim)
            return []
        if people and answercheck.counts_only_things(claim):  # "Fenwick runs 212 stores" for "how many people…"
            log.debug("dropped (counts things, not people): %s", claim)
            return []
        if answercheck.other_period(claim, question):  # "8,000 shells daily" for "how many … each year?"
            log.debug("dropped (a rate per another period than asked): %s", claim)
            return []
        if kinds and not answercheck.gives(claim, kinds, question):
            log.debug("dropped (gives no %s): %s", "/".join(sorted(kinds)), claim)
            return []  # true, perhaps, but not the kind of thing asked for
        # a distance from somewhere else: "410 million kilometres from the Sun" for "how far from Earth?" (harwick hu07)
        if kinds and "distance" in kinds and answercheck.other_end(claim, question):
            log.debug("dropped (measured from somewhere the question does not ask about): %s", claim)
            return []
        # Support is measured on the whole claim. Measuring it on what the claim adds to the
        # question alone was tried (eval/replay.py): it rescued 3 paraphrases but accepted an
        # added name found in an unrelated sentence ("The White House announced $200 million").
        words = content_words(claim)
        # ("Workers won the 2011 strike" for "What did workers win in the 2011 strike?": "won" is "win")
        # nor does naming what the question is about: "… is Alder Street Bridge" for "which
        # project was put off because of the bridge repairs?" (tallis t21)
        adds = ({k for w in re.findall(r"[\w'’-]+", claim) if content_words(w) for k in word_keys(w)}
                - word_keys(question) - word_keys(" ".join(answercheck.own_names(claim, question))))
        if asked and not yes_no and (not set(words) - asked or not adds):
            log.debug("dropped (adds nothing to the question): %s", claim)
            return []  # "North Korea warned the United States a day before the allegations"
        if any(set(words) <= set(content_words(h.title)) for h in hits if h.title):
            log.debug("dropped (an article's headline): %s", claim)
            return []  # headline case capitalises every word: names cannot be read from it, and it answers nothing
        # a passage that never names a person, place or number the claim states cannot support it
        fits = [i for i, h in enumerate(hits) if not answercheck.foreign_names(claim, context[h.chunk.source])]
        if not fits:
            log.debug("dropped (names or numbers no passage has: %s): %s",
                      answercheck.foreign_names(claim, "\n".join(context.values())), claim)
            return []
        def far(q: Quote) -> list[str]:
            # the numbers and the names the question does not give must be near the quote, not
            # anywhere in its article ("$24 billion" for Israel from a sentence about Ukraine),
            # and an amount of money must be money there ("$1,000" is not "1,000 containers"), and a
            # stretch of time one there ("over 60 years" is not "more than 60" members);
            # a name (not a number) the question gives, repeated by the claim, within ABOUT_REACH sentences:
            # "$24 billion in aid for Israel" quoted from the Ukraine sentence of an article
            # that names Israel three paragraphs on (1.5B u21)
            # -- unless the article named it before the quote: "The mission cost about 780 million
            # euros" refers back to the "Halcyon" of the lead, three paragraphs up (kestrel k17)
            # -- and so may a name the claim adds when a date or a figure is asked (which must
            # itself be near) about something the question names no name for: the name then says
            # what "the probe" is, as the article's lead named it ("The European-Japanese probe
            # Halcyon should arrive … in 2031", the year three sentences below the lead; kestrel
            # k16). Not when a name is asked for (it is the answer), nor when the question names
            # its subject: "When did the Psyche probe reach its asteroid?" is not answered by
            # "The Psyche probe Halcyon reached it in 2023" (ku04).
            near = answercheck.with_expansions(surroundings(hits, q, REACH, title=not person), terms)
            names = answercheck.foreign_names(claim, near)
            # the wider text (the article up to the quote) only when a name is to be looked for in it
            wide = (answercheck.with_expansions(surroundings(hits, q, ABOUT_REACH) + "\n" + earlier(hits, q, articles),
                                                terms)
                    if any(t[:1].isalpha() for t in names) else "")
            return [t for t in names
                    if (answercheck.unmentioned([t], question) and not (figure and t[:1].isalpha()))
                    or (t[:1].isalpha() and answercheck.unmentioned([t], wide))
                    ] + answercheck.unbacked_money(claim, near) + answercheck.unbacked_durations(claim, near)

        candidates = [best_quote(words, hits, i, echo) for i in fits]
        # the sentence that states the claim's numbers, where another shares more of its other
        # words: "61 percent of voters took part, according to the city's returns office" is the
        # turnout sentence, not the vote-count sentence that credits the returns office (tallis t04)
        figures = frozenset(numbers(words))
        if figures:
            candidates += [q for q in (best_quote(words, hits, i, echo, figures) for i in fits)
                           if q.support >= 0 and q not in candidates]
        supported = [q for q in candidates if q.support >= floor]

        def narrowed(quotes: list[Quote], reason, test) -> list[Quote]:
            """The `quotes` that pass `test`; when none does, the log says why the claim went
            (`reason`, or a function that writes it, called only then)."""
            kept = [q for q in quotes if test(q)]
            if quotes and not kept:
                log.debug("dropped (%s): %s", reason() if callable(reason) else reason, claim)
            return kept

        grounded = narrowed(supported, lambda: f"not near the quote: {far(supported[0])}", lambda q: not far(q))
        # a copied piece of a sentence ("8,000 shells daily") answers for what its paragraph is
        # about, up to it: "The ongoing war in Ukraine… Ukraine fires approximately 8,000 shells
        # daily" is no answer about Russia (gold u15); "… assistance to Ukraine. … The Senate
        # initially considered a bill including $6 billion" is one about Ukraine (fresh f30)
        if copied:
            grounded = narrowed(grounded, "the copied sentence's paragraph does not name what the question names",
                                lambda q: not answercheck.unmentioned(
                                    asked_names, answercheck.with_expansions(paragraph_to(hits, q), terms)))
        # "Russia sent … to North Korea" is not supported by "North Korea sent … to Russia"
        grounded = narrowed(grounded, "sends it the other way",
                            lambda q: not answercheck.reversed_direction(claim, surroundings(hits, q, 0)))
        grounded = narrowed(grounded, "the quote gives the act to another name",
                            lambda q: not answercheck.swapped_subject(
                                claim, answercheck.with_expansions(quoted(hits, q), terms)))
        grounded = narrowed(grounded, "the quote says the other outcome",
                            lambda q: not answercheck.reversed_outcome(claim, quoted(hits, q)))
        grounded = narrowed(grounded, "the quote gives the name another role",
                            lambda q: not answercheck.relabelled(claim, quoted(hits, q)))
        # anywhere in its article: who came third is written once ("with Kingsford Boat Club third")
        grounded = narrowed(grounded, "the article places it otherwise",
                            lambda q: not answercheck.placed_elsewhere(
                                claim, question, (articles or {}).get(hits[q.hit].chunk.source)
                                or surroundings(hits, q, REACH)))
        if did is not None:  # "Who built the rocket?": the quote or a sentence beside it says it was built
            # (by a word at least SIMILAR close: "depicted" for "portrayed" 0.69; a lower bar is
            # noise: "replaced" is 0.55 from "removed" and 0.43 from "in")
            grounded = narrowed(grounded, f"'{did}' is not said beside the quote, or by someone else",
                                lambda q: _deed_said(did, question, surroundings(hits, q, REACH), similar)
                                # and by whom the claim says: not "found by a farmer" for the scientists (vennport v26)
                                and not answercheck.other_doer(did, claim, surroundings(hits, q, REACH)))
        if thing is not None:  # "What is the name of the supplier…?": a name beside "supplier" in the quote
            grounded = narrowed(grounded, f"no name beside '{thing}' in the quote",
                                lambda q: answercheck.name_beside(thing, claim, quoted(hits, q), question))
        if lead is not None:  # "Who runs Voltaris?": the name given has a leader's title there ("chief executive")
            grounded = narrowed(grounded, "the name has no leader's title or role verb beside the quote",
                                lambda q: answercheck.leader_named(claim, question, surroundings(hits, q, REACH)))
        # "the winning time in the men's race" is not given by a sentence on the women's race (kestrel k26)
        grounded = narrowed(grounded, "the quote is about the contrasted other",
                            lambda q: not answercheck.contrasted(question, quoted(hits, q)))
        if rate:  # "how much per share?": the quote gives it per share ("per", "a", "each" share)
            grounded = narrowed(grounded, f"the quote gives no amount per {rate}",
                                lambda q: re.search(r"\b" + re.escape(rate[:5]), quoted(hits, q), re.I))
        if years or last_year:  # "How many votes did Haines get in the 2021 election?" (tallis tu01)
            grounded = narrowed(grounded, "the quote is about another year",
                                lambda q: _in_year(years, last_year, hits, q))
        if who is not None:  # "What did Putin say…": the quote reports something Putin said
            grounded = narrowed(grounded, f"the quote reports nothing {who} said",
                                lambda q: answercheck.reports_speech(who, quoted(hits, q)))
        # the claim with its quote's neighbourhood must be about what the question asks:
        # "Nordwind's net profit rose…" does not answer "What was Nordwind's revenue?"
        about = [q for q in grounded if max(coverage(p, claim + "\n" + surroundings(hits, q, ABOUT_REACH), similar)
                                            for p in parts) >= ABOUT]
        # "when …?": the sentence that gives the time must itself be about the event, not only a
        # sentence beside it: "Larkspur residents must wait until at least Tuesday" does not say
        # when Elk Meadow's residents go home (kestrel k10), nor a ban "starting in July" when an
        # appeal is heard (corran cu05). Only "when": for "which year/what date" questions the
        # same rule lost three right answers whose sentence paraphrases the event (replay).
        if about and kinds and "date" in kinds:
            about = [q for q in about if max(coverage(p, surroundings(hits, q, 0, title=False), similar)
                                             for p in parts) >= ABOUT]
        # "which councillor wants an inquiry?": a name whose sentence fits the question less well
        # than a sentence beside it that names someone else is the model taking the wrong one of
        # two names ("chaired by councillor Daniel Fischer" two sentences before "Councillor Aisha
        # Bello called for an independent review"; harwick h41)
        if about and person and which:
            rivalled = [q for q in about
                        if _better_named_nearby(claim, question, which.group(1), parts, hits, q, similar)]
            if rivalled:
                log.debug("dropped (a sentence beside the quote names someone else and fits better): %s", claim)
            about = [q for q in about if q not in rivalled]
        if grounded and not about:
            log.debug("dropped (covers under %.2f of what the question asks about): %s", ABOUT, claim)
        grounded = about
        if noun and grounded:  # "how many drones": a count of something else answers nothing
            # and the quote must count it too: "at least 12 structures, including six houses" and
            # "saved most homes" give no number of homes (kestrel ku01, "how many homes were insured?")
            grounded = ([q for q in grounded if answercheck.counts_in(noun, quoted(hits, q))
                         or _counts_alike(noun, claim, quoted(hits, q), similar)]
                        if answercheck.counts_in(noun, claim) else
                        # the claim counts it in other words: "Marlow's operates 87 stores" (tallis t39)
                        [q for q in grounded if _counts_alike(noun, claim, quoted(hits, q), similar)])
            if not grounded:
                log.debug("dropped (counts no %s): %s", noun, claim)
        # "27 American citizens" for "how many people did the attack kill?": only some of them
        if (noun or people) and grounded and answercheck.narrower_count(noun or "people", claim, question):
            log.debug("dropped (counts only a kind of %s the question does not name): %s", noun or "people", claim)
            grounded = []
        # of the quotes that count what is asked, those in the passages the model marked; else the
        # best-supported one: "nine houses" ties on support with "nine helicopters" in another
        # passage, and only the homes sentence counts houses (kestrel k12)
        marked = {n - 1 for n in marks}
        grounded = [q for k, q in enumerate(grounded) if all(p.hit != q.hit for p in grounded[:k])]  # one per passage
        quotes = [q for q in grounded if q.hit in marked] or sorted(grounded, key=lambda q: (-q.support, q.hit))[:1]
        if not supported:
            log.debug("dropped (support %.2f < %.2f): %s", max(q.support for q in candidates), min_support, claim)
        if asked and quotes:  # by root: "the saving would go…" shares "saved" (oldhaven o18)
            quotes = [q for q in quotes if roots & {_root(w) for w in (set(words) | q.words)}]
            if not quotes:
                log.debug("dropped (shares no word with the question): %s", claim)
        return _corroborate(claim, words, quotes, pool, min_support, context) if quotes else []

    dated = "\n".join([*context.values(), *(articles or {}).values(), *(h.date or "" for h in pool)])
    for claim, marks in split_claims(reply):
        claim = answercheck.without_unbacked_years(claim, question, dated)  # "September 7, 2014": the year invented
        # a small model often says a sentence twice ("…, and the comet is 410 million km from
        # the Sun. The comet is 410 million km from the Sun."): each claim is kept once
        if _said(claim, kept):
            continue
        quotes = check(claim, marks)
        if quotes and copied:
            # a copied piece of a sentence ("15", "Aurelia Stahl") says what its sentence says: the
            # sentence must answer too ("Fenwick might have to sell between 15 and 25 of its stores"
            # counts no people, tallis tu12)
            quotes = [q for q in quotes if _piece_holds(claim, quoted(pool, q), marks, check)]
        if quotes:
            kept.append((claim, quotes))
            continue
        # one sentence joining facts from two articles ("…cost 1,300 lives, and Austin announced
        # $200 million"): no quote holds both, so each clause is checked on its own
        for part in _clauses(claim):
            quotes = check(part, marks) if not _said(part, kept) else []
            if quotes:
                kept.append((part, quotes))
    def answers(part: str, claim: str) -> bool:
        """Whether `claim` gives what `part` of the question asks for, about what it asks."""
        kinds_of_part = answercheck.asked_kinds(part)
        if kinds_of_part is None:
            return coverage(part, claim, similar) >= ABOUT
        return answercheck.gives(claim, kinds_of_part, part) and bool(subject_keys(part) & word_keys(claim))

    if kept:
        # every year, number and name the question narrows by must occur in what is cited; in a
        # two-part question, those of the part a claim answers: "the Cedar Ridge Fire" of
        # "…and how many residents were evacuated because of the Cedar Ridge Fire?" is not
        # for the marathon article that gives the prize money (kestrel k30)
        groups: dict[str, list[int]] = {}
        for i, (claim, _) in enumerate(kept):
            part = next((p for p in parts if answers(p, claim)), question) if len(parts) > 1 else question
            groups.setdefault(part, []).append(i)
        refused: set[int] = set()
        for part, members in groups.items():
            sources = {pool[q.hit].chunk.source for i in members for q in kept[i][1]}
            cited = "\n".join(context[src] + "\n" + (articles or {}).get(src, "") for src in sources)
            missing = answercheck.unmentioned(answercheck.narrowing_terms(part), cited)
            if missing:
                log.debug("refused (the cited articles never mention %s)", ", ".join(missing))
                refused.update(members)
        kept = [k for i, k in enumerate(kept) if i not in refused]
    # a part of the question no kept claim answers (all of it, when none held up) may be
    # answered by a retrieved sentence on its own, quoted
    extracted: list[Extract] = []
    unanswered: list[str] = []
    for part in (parts if not kept or len(parts) > 1 else []) if question else []:
        if kept and any(answers(part, c) for c, _ in kept):
            continue  # a kept claim gives what this part asks for, about what it asks
        found = extract(part, hits, articles, similar)
        if found is None:
            unanswered.append(part)
        elif all((f.hit, f.start) != (found.hit, found.start) for f in extracted):
            log.debug("quoting a sentence that answers %r: %s", part, found.text)
            extracted.append(found)
    open_parts = tuple(unanswered) if len(parts) > 1 else ()
    if not kept and not extracted and not disputes:
        return Cited(REFUSAL, (), True, unanswered=open_parts)

    numbering = _Numbering()
    parts: list[str] = []
    claims: list[Claim] = []
    for claim, quotes in kept:
        refs = list(dict.fromkeys(numbering.ref(pool[q.hit], q.start, q.end) for q in quotes))
        sources = tuple(dict.fromkeys(pool[q.hit].chunk.source for q in quotes))
        body = claim.rstrip()
        stop = re.search(r"([.!?]+)([\"”’']?)$", body)  # 'a "new Cold War."' -> 'a "new Cold War"' + '.'
        end = stop.group(1)[-1] if stop else "."
        text = (body[:stop.start()] + stop.group(2)).rstrip() if stop else body
        parts.append(text + " " + "".join(f"[{n}]" for n in refs) + end)
        claims.append(Claim(text + end, tuple(refs), sources))
    for found in extracted:
        n = numbering.ref(hits[found.hit], found.start, found.end)
        text = "\u201c" + found.text.strip() + "\u201d"
        parts.append(f"{text} [{n}]")
        claims.append(Claim(text, (n,), (hits[found.hit].chunk.source,)))
    conflicts: list[Conflict] = []
    for dispute in disputes:
        versions = []
        for value, statements in dispute.versions:
            refs = tuple(dict.fromkeys(numbering.ref(st.hit, st.start, st.end) for st in statements))
            versions.append(Version(value, refs, tuple(dict.fromkeys(st.hit.chunk.source for st in statements))))
        conflicts.append(Conflict(question, dispute.kind, tuple(versions), dispute.over_time))
    return Cited(" ".join(parts), tuple(numbering.citations), False, tuple(claims), tuple(conflicts), bool(extracted),
                 open_parts)
