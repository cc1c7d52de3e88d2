"""A quoted sentence as the answer when the model's reply does not hold up: `extract(...)`.

A small model often reads the right passage and still answers with the wrong sentence
("Kim Jong Un met Russia in Russia" for "Which Russian leader did Kim meet?"); the checks
in `rag.cite` then drop every claim and the question is refused although the passage
answers it. `extract` looks, among the sentences of the passages the model saw, for one
that answers on its own:

- the question asks for a kind of thing (a date, a number, an amount, a duration, a
  person, a place; `rag.answercheck.asked_kinds`) and the sentence gives one the question
  does not already name;
- the sentence names what the question is about: every name the question gives (by any
  of its words: "Kim" for "Kim Jong Un") and at least `COVER` of its other content words
  (not the words that ask for the kind, "how many", "what date"), compared by their first
  five letters or a shorter prefix, so "criticised" is "criticized" and "fail" is "failed",
  and a few irregular verbs by their base
  form ("met" is "meet"); the sentence that covers most wins, the first in retrieval order
  among equals;
- "who runs/leads/heads X?": the leader's title beside a new name ("chief executive Lena
  Holm") stands for the verb, and X may be named in the sentence before
  (`rag.answercheck.role`, `leader_named`);
- "who VERB…?": the sentence says the verb, or with `similar` a word close in meaning
  ("depicted" for "portrayed"; `rag.answercheck.deed`): a sentence about the unit does not
  say who designed it;
- a sentence's first word is no name when the passage writes it in lower case too
  ("Volunteers watched the nest" gives no place);
- it is not the article's headline line (in headline case every word looks like a name);
- it does not send things the other way: "to Russia" where the question asks what went
  "to North Korea" (`rag.answercheck.reversed_direction`);
- the years, numbers and names the question narrows by occur in the sentence's article;
  a "how many X" question's answer is a number of X ("over 1,300 lives").

`rag.cite` returns the sentence verbatim as the answer, quoted and cited. Questions that ask for no kind ("what did…", "why…") get
no extract: without a kind to look for, a sentence that shares the question's words is
as often an echo of the question as an answer to it. Simplified on purpose: lexical
matching only, English only, and a short list of irregular verbs (and of nouns for
losses and deaths) in place of a lemmatiser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag import answercheck
from rag.chunk import split_sentences
from rag.guard import is_instruction
from rag.schema import Hit
from rag.text import content_words

if TYPE_CHECKING:
    from rag.wordsim import WordSimilarity

# Words that ask for the kind of the answer rather than name what the question is about.
_ASKING = frozenset(content_words(
    "date dates day days weekday month year time period span long far many much money amount sum number "
    "figure total kind type name names person people place town city port country means often frequently"))
_IRREGULAR = dict(pair.split(":") for pair in (
    "met:meet sent:send paid:pay led:lead made:make took:take taken:take gave:give given:give told:tell "
    "held:hold found:find left:leave won:win lost:lose spent:spend built:build bought:buy brought:bring "
    "began:begin begun:begin came:come went:go gone:go saw:see seen:see knew:know known:know flew:fly "
    "flown:fly thought:think fought:fight sold:sell struck:strike shot:shoot rose:rise fell:fall "
    "fallen:fall ran:run wrote:write written:write chose:choose chosen:choose drove:drive driven:drive "
    "hit:hit kept:keep meant:mean sought:seek taught:teach caught:catch stood:stand understood:understand "
    "spoke:speak spoken:speak broke:break broken:break froze:freeze stole:steal wore:wear withdrew:withdraw "
    "withdrawn:withdraw "
    # nouns news uses for the same events: "the loss of 1,300 lives" answers "how many lives were lost"
    "loss:lose losses:lose death:die deaths:die dead:die").split())


SIMILAR = 0.6  # cosine at which two words count as one in `coverage` ("blaze"/"fire" 0.61; rag.wordsim)
COVER = 0.75  # share of the question's other content words the sentence must have (1.0 and 0.66 measured: replay)


@dataclass(frozen=True)
class Extract:
    """One sentence of passage `hit` (offsets into its article file) that answers the question."""

    hit: int
    start: int
    end: int
    text: str


def word_keys(text: str) -> set[str]:
    """Each word's first five letters, irregular verbs by their base form ("met" -> "meet")."""
    words = re.findall(r"[^\W\d_]+|\d[\d,.]*\d|\d", re.sub(r"['’]s\b", "", text.lower()))
    return {_IRREGULAR.get(w, w).replace(",", "")[:5] for w in words}


def subject_words(question: str) -> list[str]:
    """What the question is about: its content words without those that ask for the answer's kind."""
    words = re.findall(r"[\w'’.-]+", question)
    skip = _META | set(_type_nouns(question))
    return [w for w in words if content_words(w) and not set(content_words(w)) <= _ASKING and w.lower() not in skip]


def subject_keys(question: str) -> set[str]:
    """The keys (`word_keys`) of `subject_words`."""
    return word_keys(" ".join(subject_words(question)))


# Words about the corpus, not about the event: "Who is North Korea's leader named in the reports?"
_META = frozenset("report reports reported article articles story stories source sources passage passages text "
                  "named mentioned cited according whose whether".split()  # and the question words stopwords miss
                  # light verbs name no event of their own: "get into the building" is "entered"
                  + "get gets got getting go goes went going".split())


def _type_nouns(question: str) -> list[str]:
    """The nouns a "which/what X" question names the answer's type with ("think-tank" in "Which think-tank…")."""
    m = re.search(r"\b(?:which|what)\s+((?:[\w'’-]+\s+){0,2}?[\w'’-]+)(?=\s+(?:did|does|do|is|are|was|were|has|have|had|"
                  r"will|would|can|could)\b)", question, re.I)
    return [w for w in m.group(1).split() if w.islower()] if m else []


def coverage(question: str, text: str, similar: WordSimilarity | None = None) -> float:
    """The share of what `question` is about that `text` mentions: its names (by any of their
    words) and its other content words (`subject_keys`, by their first five letters or a
    shorter prefix, or with `similar` by a word of `text` at least `SIMILAR` close in
    meaning: "blaze" by "fire"), each counted once."""
    names = [t for t in answercheck.narrowing_terms(question) if not t[0].isdigit()]
    rest = subject_keys(question) - {k for n in names for k in word_keys(n)}
    if not names and not rest:
        return 1.0
    have = word_keys(text)
    missing = {k for k in rest if not _has(k, have)}
    found = len(names) - len(answercheck.unmentioned(names, text)) + len(rest) - len(missing)
    if similar is not None and missing:
        words = [w for w in subject_words(question) if word_keys(w) & missing and w.isalpha()]
        others = [w for w in re.findall(r"[^\W\d_]+", text) if content_words(w)]
        close = {k for w, s in zip(words, similar.best(words, others)) if s >= SIMILAR for k in word_keys(w)}
        found += len(close & missing)
    return found / (len(names) + len(rest))


def _found(keys: set[str], text: str) -> int:
    """How many of `keys` the words of `text` have, by their key or a shorter prefix ("meet": "meeting")."""
    have = word_keys(text)
    return sum(_has(k, have) for k in keys)


def _has(key: str, have: set[str]) -> bool:
    """Whether a word of `have` (keys) is `key`, by the key or a shorter prefix ("meet": "meeting")."""
    return any(h.startswith(key) or (len(h) >= 4 and key.startswith(h)) for h in have)


def _common_start(sentence: str, context: str) -> str:
    """`sentence` with its first word in lower case when `context` also writes that word in lower
    case: "Volunteers watched the nest…" names no one and no place (wyndham w66), though a
    sentence's first word is capitalised."""
    m = re.match(r"\s*([A-Z][a-z]+)\b", sentence)
    if m and re.search(r"\b" + m.group(1).lower() + r"\b", context):
        return sentence[:m.start(1)] + m.group(1).lower() + sentence[m.end(1):]
    return sentence


def extract(question: str, hits: Sequence[Hit], articles: Mapping[str, str] | None = None,
            similar: WordSimilarity | None = None) -> Extract | None:
    """The first sentence of `hits` that answers `question` on its own (see the module docstring), or None."""
    kinds = answercheck.asked_kinds(question)
    if not kinds:
        return None
    about = subject_keys(question)
    noun = answercheck.counted(question)
    narrowing = answercheck.narrowing_terms(question)
    names = [t for t in narrowing if not t[0].isdigit()]
    # a name counts as one word, mentioned by any part of it ("Kim" for "Kim Jong Un")
    rest = about - {k for n in names for k in word_keys(n)}
    # "Who runs Voltaris?": articles name a leader by title ("Voltaris chief executive Sabine
    # Kroll"), not by the verb; the title beside a new name stands for the verb, and the
    # organisation may be named in the sentence before ("Nordwind Energy said… Chief executive
    # Lena Holm said the company…")
    lead = answercheck.role(question)
    did = answercheck.deed(question)
    thing = answercheck.named_thing(question)
    if lead:
        rest -= word_keys(lead)
    best: tuple[float, Extract] | None = None
    for i, hit in enumerate(hits):
        chunk = hit.chunk
        article = "\n".join((hit.title, hit.date or "", chunk.text, (articles or {}).get(chunk.source, "")))
        if answercheck.unmentioned(narrowing, article):
            continue
        before = ""
        for s, e in split_sentences(chunk.text, offset=chunk.start):
            text = chunk.text[s - chunk.start:e - chunk.start]
            named_in, before = (before + " " + text if lead else text), text
            # the thing led may be named in the sentence before, as its name may ("The old town's
            # traders' association said… Its chairman, Franz Weber, said…"; marren r47)
            covered = _found(rest, named_in) / len(rest) if rest else 1.0
            if covered < COVER or answercheck.unmentioned(names, named_in) or is_instruction(text):
                continue
            if lead and not answercheck.leader_named(text, question, text):
                continue
            if thing and not answercheck.name_beside(thing, text, text, question):
                continue  # "a supplier in Portugal" gives no supplier's name
            if answercheck.contrasted(question, text):
                continue  # the women's race for the men's
            if answercheck.unnamed_which(text, question):
                continue  # "a grant from a conservation foundation" names no foundation (tallis tu08)
            # "Who designed the unit?": a sentence on the unit, not on its design (wyndham wu11); nor
            # "the course record set in 2019", which says nothing of who set it
            if did and (coverage(did, text, similar) < 1.0 or answercheck.agentless(did, question, text)):
                continue
            if hit.title and hit.title in text:
                continue  # the headline line (" date 2023-10-14 North Korea Sends…"): headline case, no sentence
            if answercheck.reversed_direction(question, text) \
                    or not answercheck.gives(_common_start(text, article), kinds, question):
                continue
            if noun and not answercheck.counts_in(noun, text):
                continue
            if best is None or covered > best[0]:
                best = (covered, Extract(i, s, e, text))
    return best[1] if best else None
