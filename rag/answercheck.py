"""Does a cited claim answer the question? Checks beyond lexical support.

A small model often answers with a sentence that is true of the articles but does not
answer the question: a sentence about 1,000 containers for "what did each container
cost?", or "China's foreign ministry said…" cited to a passage that never names China.
Three checks catch that, each a plain function `rag.cite` applies:

- `asked_kinds`: the kind of thing the question asks for, read from its question words
  ("when/between which dates" -> date, "what date/which weekday/month/year" -> a date on
  the calendar, a weekday, a month, a year ("last month" is no date), "at what time" -> a
  date or a time of day ("2:40 p.m."), "how long" -> a duration or a length, "how much
  money/aid/did it cost", "what were they worth" -> an amount of money, "how far/deep/tall" -> a distance with its unit,
  "how many/how much" -> number, "how/by what means was it moved/shipped/sent" -> a means
  of transport ("by rail", "a Russian-flagged vessel") the question does not name,
  "who/which spokesman" -> person, "where/which port" -> place ("where … from", "from which
  port" -> a place after "from" in the claim), "what was the name of" ->
  a person or place). `gives` tells whether a claim holds such a thing that the question
  did not already name (an answer that only repeats the question's own names answers
  nothing; "South Korean President Yoon" is new to "which South Korean president…"; a
  name is the question's when it capitalises one of its words or uses all of them, so
  "Northgate Power" is new to "which power company…"). Yes/no and "what/why/how"
  questions ask for no kind.
- `foreign_names`: numbers and capitalised names of a claim that its cited passage (and
  the passage's title) never mentions: an invented attribution or figure.
- `narrowing_terms`: the years, numbers and proper names a question uses to narrow what
  it asks ("in 2019", "near Tikhoretsk"); the cited passages must mention every one.
- `unbacked_money`: an amount of money in a claim must be money in its passage too:
  "$1,000" is not supported by "1,000 containers"; `unbacked_durations` does the same for
  a stretch of time ("over 60 years" is not "more than 60" members).
- `speaker` / `reports_speech`: "What did Putin say…" is answered only by a quote that
  reports words (said, told, "…") and names Putin as the one speaking (before the word of
  speech, or just after it: "said Putin"); a sentence that merely names him is not, nor one
  that says words were addressed to him.
- `no_cause`: "why / what caused / what made…?" is answered only by a claim with a word
  that gives a cause ("because", "after", "caused by", "made", "started"…): the event
  restated ("The Marigold took on water faster than her pumps could clear it") is no cause.
- `other_end`: a distance from somewhere the question does not ask about ("410 million
  kilometres from the Sun" for "how far from Earth?").
- `swapped_subject`: "Russia fires 8,000 shells daily" is not supported by "Ukraine fires
  approximately 8,000 shells daily" (the same verb after another name); `reversed_direction`
  does the same for "to"/"from".
- `counted`: what a "how many X" question counts ("drones" in "How many drones did North
  Korea send?"); the claim and the quote that supports it must both count it (`counts_in`:
  a number with the noun just after it), so a count of containers does not answer a
  question about drones, nor "12 structures" one about homes. Words that any count answers ("times",
  "people") are not required, and a count of people answers a count of workers,
  residents or runners ("hire about 2,000 people").

A name is a run of capitalised words; it is mentioned when any of its words is (news
names a person in full once, then by one part: "Kim" for "Kim Jong Un"); an acronym is
also mentioned when written out ("MP" by "member of Parliament", `spelled_out`). Words are
compared by their first five letters, lower-cased ("Russian" = "Russia", "Zelenskyy" =
"Zelensky"). Simplified on purpose: English only, and
patterns instead of a named-entity recogniser (none is available offline); a capitalised
word stands for a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.text import STOPWORDS, WORD_NUMBERS, content_words, numbers

# a year: 1800-2099 anywhere, and a decade of them ("the 1960s"), an earlier one only after "in",
# "since", "from", "until" or "circa" ("made in Cremona in 1721"), where a four-digit count is rare
# (counts have a comma: "1,500")
_YEAR = (r"\b(?:1[89]|20)\d0s\b|\b(?:1[89]|20)\d\d\b"
         r"|(?:(?<=\bin )|(?<=\bsince )|(?<=\bfrom )|(?<=\buntil )|(?<=\bcirca ))"
         r"1[0-7]\d\d\b")
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_DATE_WORDS = re.compile(
    r"\b(?:" + "|".join(_MONTHS + _WEEKDAYS) + r")\b|" + _YEAR + r"|\b(?:day|week|month|year|decade)s?\b"
    r"|-day\b|-week\b|-month\b|-year\b|\b(?:today|yesterday|tomorrow|ago)\b"
    # a time of day answers "at what time": "2:40 p.m.", "6 am", "noon", "in the evening"
    r"|\b\d{1,2}(?::\d\d)?\s*(?:[ap]\.m\.|[ap]m\b)|\b\d{1,2}:\d\d\b"
    r"|\b(?:noon|midday|midnight|dawn|dusk|morning|afternoon|evening|overnight)\b"
    # a century: "in the second century AD", "the 18th century"
    r"|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first|\d{1,2}(?:st|nd|rd|th))"
    r"\s+century\b"
    # a feast that marks a time of year: "expected before Christmas" (oldhaven o23)
    r"|\b(?:Christmas|Easter|New\s+Year|Thanksgiving|Ramadan|Hanukkah|Diwali|Passover|Whitsun)\b",
    re.I)
_NUMBER_WORDS = re.compile(
    # a fraction is an amount: "takings had fallen by about a third" (oldhaven o19); not the
    # ordinal alone ("came third")
    r"\b(?:a|one|two|three|four)[\s-]+(?:third|quarter|fifth|tenth)s?\b|"
    r"\d[\d,.]*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|several|"
    r"half|double|twice|single)\b", re.I)

_PERSON_NOUNS = ("person people official officials spokesman spokeswoman spokesperson president leader leaders "
                 "minister secretary senator senators nominee lawmaker lawmakers general commander chief head "
                 "ambassador envoy diplomat analyst expert king prime dictator politician representative "
                 "speaker author reporter journalist man woman think-tank tank organisation organization "
                 "agency body group company country nation government "
                 # roles news names people by: "which councillor…", "which astronomer…"
                 "councillor councilor mayor governor judge lawyer attorney prosecutor detective inspector officer "
                 "director executive chairman chairwoman manager coach player athlete runner driver candidate "
                 "winner scientist researcher astronomer doctor surgeon teacher professor artist painter writer "
                 "singer actor architect engineer pilot captain founder owner economist mediator firm "
                 # bodies that act as a person does: "which university confirmed the find?"
                 "university college club team crew union party bank charity council committee newspaper "
                 "broadcaster network airline institute foundation society association federation ministry "
                 "department authority regulator").split()
# a person named by kinship or ownership answers "who": "passed to her nephew", "belongs to the landowner"
_KIN_OR_OWNER = re.compile(
    r"\b(?:the|a|an|his|her|their|its|my|our)\s+(?:[\w'’-]+\s+)?(nephew|niece|son|daughter|wife|husband|mother|"
    r"father|parents|brother|sister|cousin|uncle|aunt|widow|widower|grandson|granddaughter|grandmother|"
    r"grandfather|heirs?|family|landowners?|tenants?)\b", re.I)
_BODY = re.compile(r"\bthe\s+((?:coast|border|national|state|city|local|military|riot|traffic)\s+(?:guard|police)|"
                   r"police|army|navy|air\s+force|coastguard|fire\s+(?:brigade|service|department)|"
                   r"(?:city|town|county|district)\s+council)\b", re.I)
_PLACE_NOUNS = ("place port town city country region village state province capital base location area "
                "territory island harbour harbor airport border site depot").split()
# a place named by what it is rather than by a name: "at the university's natural history museum"
# answers "where will it be exhibited?" (after a word saying where, so "the museum's director" is no place)
_PLACE_AT = re.compile(
    r"\b(?:at|in|inside|into|to|near|outside|from)\s+(?:the|a|an|its|his|her|their|our|[\w-]+['’]s?)\s+"
    r"(?:[\w'’-]+\s+){0,3}?(museum|hospital|school|university|college|church|cathedral|hall|library|gallery|"
    r"stadium|arena|station|airport|port|harbour|harbor|park|field|farm|village|town|city|square|theatre|theater|"
    r"centre|center|prison|court|courthouse|factory|plant|warehouse|depot|base|camp|market|hotel|office|"
    r"headquarters|embassy|clinic|beach|lake|river|bridge|island|garden|zoo|mine|reservoir|site)s?\b", re.I)
_DATE_NOUNS = "date dates day days weekday month months year years period time timeframe span week weeks".split()
_NAME_NOUNS = "name names title".split()
_NUMBER_NOUNS = ("amount sum number price cost percentage percent share proportion total figure quantity margin score "
                 "rate count tally majority").split()

_MONEY_CUE = re.compile(r"\b(?:money|aid|funding|funds?|pay|paid|cost|costs|price|worth|spend|spent|budget|"
                        r"request|requested|loan|grant|sum|earn|earns|earned|earnings|salary|wages?|income|"
                        r"revenue|prize)\b", re.I)
# "by how much did the share price drop?": a change, given as an amount, a percentage or a number
_CHANGE = re.compile(r"\b(?:rise|rose|risen|rises|fall|fell|fallen|falls|drop|dropped|drops|climb|climbed|climbs|"
                     r"increase|increased|decrease|decreased|grow|grew|grown|shrink|shrank|gain|gained|lose|lost|"
                     r"jump|jumped|slip|slipped|plunge|plunged|cut|soar|soared|surge|surged|tumble|tumbled|"
                     r"slump|slumped|dip|dipped|(?:go|goes|going|gone|went)\s+(?:up|down))\b", re.I)
_WAGE = re.compile(r"\bpay\s+(?:offer|rise|raise|increase|deal|claim|demand|cut|award|settlement)s?\b"
                   r"|\bwages?\b|\bsalar(?:y|ies)\b", re.I)
# how a thing was conveyed, and the means that answer it ("moved … by rail", "aboard a Russian-flagged vessel")
_CONVEYED = re.compile(r"\b(?:transport(?:ed)?|move[ds]?|moving|carr(?:y|ied|ies)|ship(?:ped|s)?|deliver(?:ed|s)?|"
                       r"sen[dt]|sends|ferr(?:y|ied)|smuggl(?:e|ed)|travel(?:l?ed)?|haul(?:ed)?|evacuat(?:e|ed))\b",
                       re.I)
_MEANS = re.compile(r"\b(?:rail|railways?|trains?|ships?|vessels?|boats?|ferr(?:y|ies)|trucks?|lorr(?:y|ies)|road|"
                    r"air|planes?|aircraft|airlift(?:ed)?|sea|cars?|bus(?:es)?|helicopters?|foot|pipelines?|convoys?|"
                    r"barges?|vans?|tankers?|freighters?|cargo\s+flights?)\b", re.I)
_PRICE_CUE = re.compile(r"\b(?:worth|cost|costs|pay|paid|spend|spent|charge|charged)\b", re.I)
_CURRENCIES = r"(?:dollars|euros|pounds|rubles|roubles|yuan|yen|won|francs|kronor|kroner|krona|rupees|pesos|lira|dinars)"
_MONEY = re.compile(r"[$€£¥₹]\s?\d|\b\d[\d,.]*\s?(?:(?:thousand|million|billion|trillion|bn|m)\s)?" + _CURRENCIES + r"\b"
                    r"|\b" + _CURRENCIES.replace("won|", "") + r"\b", re.I)  # bare "won" is a verb
_DURATION = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|a few|few|several|couple of)"
    r"[\s-]+(?:second|minute|hour|day|week|month|year|decade)s?\b|\b(?:minutes|hours|days|weeks|months|years|decades)\b"
    # "over the past month" is a stretch of time; "last month" alone is a point in time
    r"|\b(?:(?:over|in|during|for|within|throughout)\s+the\s+(?:last|next)|past|previous|coming)\s+"
    r"(?:few\s+|several\s+|couple\s+of\s+)?(?:hour|day|week|month|year|decade)s?\b", re.I)
_DISTANCE = re.compile(r"\b\d[\d,.]*\s*(?:(?:thousand|million|billion)\s+)?(?:-\s*)?"
                       r"(?:km|kilomet(?:er|re)s?|mi|miles?|met(?:er|re)s?|m|feet|foot|ft|yards?|"
                       r"cm|mm|(?:centi|milli)met(?:er|re)s?|inch(?:es)?)\b"
                       r"|\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|few|several|hundreds?|thousands?)\s+"
                       r"(?:kilomet(?:er|re)s?|(?:centi|milli)met(?:er|re)s?|miles?|met(?:er|re)s?|feet|yards?|inch(?:es)?)\b",
                       re.I)
_CALENDAR_KINDS = {"weekday": "weekday", "month": "month", "year": "year", "date": "calendar", "dates": "calendar",
                   "day": "calendar"}
_CALENDAR = {
    "weekday": re.compile(r"\b(?:" + "|".join(_WEEKDAYS) + r")s?\b", re.I),
    "month": re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b", re.I),
    "year": re.compile(_YEAR),
    "calendar": re.compile(r"\b(?:" + "|".join(_MONTHS + _WEEKDAYS) + r")\b|" + _YEAR + r"|\b\d{1,2}/\d{1,2}\b"
                           r"|\b(?:today|yesterday|tomorrow)\b", re.I),
}
_WH = re.compile(r"\b(who|whom|whose|where|when|what|which|how)\b", re.I)
_ORIGIN = re.compile(r"\bfrom\s+(?:which|what|where)\b|\b(?:where|which|what)\b[^?]*\bfrom\s*\??\s*$", re.I)
_AUXILIARIES = frozenset("did does do is are was were has have had can could would will should".split())
_QUESTION_WORDS = frozenset("what which who whom whose where when why how did does do is are was were has have had "
                            "can could would will should according in on at of for".split())


def _kind_of(wh: str, following: str) -> frozenset[str] | None:
    """The kinds asked for by one question word and the words after it; None: no kind (what/why/how…)."""
    wh = wh.lower()
    # U.S. -> us; "which country's leader" asks for a leader, "which body's assessment" for a body
    words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w'’-]+", re.sub(r"(?<=\b[a-z])\.", "", following.lower()))]
    nxt = words[0] if words else ""
    if wh in ("who", "whom", "whose"):
        return frozenset({"person"})
    if wh == "where":
        return frozenset({"place"})
    if wh == "when":
        return frozenset({"date"})
    if wh == "how":
        if nxt == "long":  # a length of time, or of a road, line or border
            return frozenset({"duration", "distance"})
        if nxt == "much" and _CHANGE.search(following):
            return frozenset({"money", "number"})
        if nxt == "much" and _MONEY_CUE.search(following):
            return frozenset({"money"})
        if nxt in ("far", "deep", "tall"):  # a length with its unit: "4.6 billion years" is not how deep
            return frozenset({"distance"})
        if nxt in ("many", "much", "large", "big", "old", "often", "frequently", "high", "heavy", "wide"):
            return frozenset({"number"})
        if nxt in _AUXILIARIES and _CONVEYED.search(following):  # "how were the containers moved?": by rail
            # (not "how recently did they ship…?", a time)
            return frozenset({"means"})
        return None
    # what / which + noun, unless a verb comes first ("what did the president say" asks no kind);
    # a noun before the head is its modifier: "which city project was put off" asks for a project,
    # not a city (tallis t21), and "which country's leader did he meet" for a leader
    head = 1 if len(words) > 2 and words[2] in _AUXILIARIES and words[1] not in _AUXILIARIES else 0
    for w in words[head:3]:
        if w in _AUXILIARIES:  # "what did he say": no kind; "what is the name of…": a name
            if _PRICE_CUE.search(following):  # "what were the munitions worth?", "what did it cost?"
                # "what pay increase did they offer?": a change, given as an amount or a percentage
                # and so is a pay offer or a wage deal: "5.5 percent"
                return frozenset({"money", "number"}) if _CHANGE.search(following) or _WAGE.search(following) \
                    else frozenset({"money"})
            return frozenset({"person", "place"}) if any(n in words[:4] for n in _NAME_NOUNS) else None
        if w in _DATE_NOUNS:
            if w in ("period", "time", "timeframe", "span"):
                return frozenset({"date", "duration"})
            # "which weekday" wants a weekday, "what year" a year, "what date" a date on the calendar
            return frozenset({_CALENDAR_KINDS.get(w, "date")})
        if w in _NUMBER_NOUNS:
            return frozenset({"number"})
        if w == "means" and _CONVEYED.search(following):  # "by what means were they carried…"
            return frozenset({"means"})
        if w in _NAME_NOUNS:  # "what was the name of the vessel": a name the question does not give
            return frozenset({"person", "place"})
        if w in _PLACE_NOUNS:
            return frozenset({"place"})
        if w in _PERSON_NOUNS:
            return frozenset({"person"})
    return None


def asked_kinds(question: str) -> frozenset[str] | None:
    """The kinds of thing `question` asks for (date, number, person, place), or None for no check.

    A question with several parts ("how many…, and what kind of…") is checked only when
    every part asks for a kind; an answer then has to give at least one of them.
    """
    kinds: set[str] = set()
    parts = list(_WH.finditer(question))
    if not parts:
        return None
    for m, nxt in zip(parts, parts[1:] + [None]):
        rest = question[m.end():nxt.start() if nxt else len(question)]  # up to the next question word
        kind = _kind_of(m.group(1), rest)
        if kind is None:
            return None
        kinds |= kind
    return frozenset(kinds)


_AND_WH = re.compile(r",?\s+and\s+(?=(?:[a-z]+\s+)?(?:who|whom|whose|where|when|what|which|how)\b)", re.I)


def question_parts(question: str) -> list[str]:
    """The questions a question joins with "and": "How long…, and what kind of aircraft…?" is two."""
    parts = [p.strip(" ,?") for p in _AND_WH.split(question)]
    return [p[0].upper() + p[1:] + "?" for p in parts if p] if len(parts) > 1 else [question]


def _names(text: str, skip_first: bool) -> list[str]:
    """Names in `text`: runs of capitalised words ("Kim Jong Un", "White House"), stopwords and question words left out."""
    out = []
    for m in re.finditer(r"[^\W\d_][\w'’.-]*(?:[ \t]+[^\W\d_][\w'’.-]*)*", text):
        words = []
        tokens = m.group().split()
        for j, w in enumerate(tokens):
            w = re.sub(r"['’]s$", "", w.rstrip(".'’-"))
            # the text's first word is capitalised anyway: skip it unless a name goes on after it
            first = skip_first and m.start() == 0 and j == 0 and not (len(tokens) > 1 and tokens[1][:1].isupper())
            if not w or not w[0].isupper() or first:
                if words:
                    out.append(" ".join(words))
                    words = []
                continue
            if w.lower() in STOPWORDS or w.lower() in _QUESTION_WORDS:
                if words:
                    out.append(" ".join(words))
                    words = []
                continue
            words.append(w)
        if words:
            out.append(" ".join(words))
    return out


def names_in(text: str) -> list[str]:
    """The names of a sentence: runs of capitalised words, its first word only when a name goes on after it."""
    return _names(text, skip_first=True)


def _kin(name: str, others: list[str]) -> bool:
    """Whether `name` is another person of a family named in `others`: "Jonas Falk" beside "Elin Falk"."""
    words = name.split()
    return len(words) > 1 and any(len(o.split()) > 1 and o.split()[-1] == words[-1] and o.split()[0] != words[0]
                                  for o in others)


def _keys(word: str) -> list[str]:
    joined = re.sub(r"(?<=\b[a-z])\.", "", word.lower())  # U.S. -> us, D.C. -> dc
    return [p[:5] for p in re.findall(r"[a-z0-9]+", joined) if len(p) >= 2 or p.isdigit()]


def _mentioned(name: str, keys: set[str]) -> bool:
    """A name is mentioned when any of its words is ("Kim" for "Kim Jong Un", "Putin" for "Vladimir Putin")."""
    words = [w for w in name.split() if _keys(w)]
    return not words or any(all(k in keys for k in _keys(w)) for w in words)


def text_keys(text: str) -> set[str]:
    """The comparison keys of every word of a passage (first five letters, lower case)."""
    return {k for w in re.findall(r"[\w'’.-]+", text) for k in _keys(w)}


# a year counts nothing: "founded in 1889" gives no number of people ("how many people came…?")
_YEAR_AFTER = re.compile(r"\b(?:in|since|from|until|till|by|of|to|and|between)\s+$", re.I)


def _a_year(text: str, m: re.Match) -> bool:
    """Whether number match `m` of `text` is a year after a preposition ("in 1889"), not a count."""
    year = _CALENDAR["year"].match(text, m.start())
    return bool(year and year.end() == m.start() + len(m.group().rstrip(",."))
                and _YEAR_AFTER.search(text[:m.start()]))


def _which_words(question: str) -> list[str]:
    """Up to three words after a leading "which/what": ["city", "project", "was"] of "Which city project was…"."""
    m = re.match(r"\s*(?:which|what)\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)", question, re.I)
    return m.group(1).split() if m else []


def own_thing(name: str, question: str) -> bool:
    """Whether `name` is what `question` is about, by its name: "the bridge repairs" is about the
    "Alder Street Bridge", which answers no "which city project was put off…?" (tallis t21), nor
    "the museum" the "Brenmoor Art Museum" "whose pictures were taken from it?". The noun asked
    for ("Which river…?": "the Venn River") is not the question's own."""
    words = name.split()
    head = words[-1].lower() if words else ""
    return bool(head) and head not in (w.lower() for w in _which_words(question)) \
        and bool(re.search(r"\bthe\s+" + re.escape(head) + r"s?\b", question, re.I))


def own_names(claim: str, question: str) -> list[str]:
    """The names of `claim` that are what `question` is about (`own_thing`)."""
    return [n for n in _names(claim, skip_first=False) if own_thing(n, question)]


# "the South Korean president": a title the question gives someone
_THE_TITLE = re.compile(r"\bthe\s+((?:[A-Z][\w.-]*\s+){0,3}(?:" + "|".join(_PERSON_NOUNS) + r"))\b")


def titled_as_asked_about(claim: str, question: str) -> bool:
    """Whether every new name `claim` gives for "who VERB …?" carries the title of someone the
    question already speaks of: "The South Korean president Yoon Suk Yeol criticized the South
    Korean president's remarks" for "Who criticised the South Korean president's remarks?"
    (gold p06). "Who is the mayor…?" is answered by the mayor's name, so it is left alone."""
    if not re.match(r"\s*who\b", question, re.I) or re.match(r"\s*who\s+(?:is|was|are|were)\b", question, re.I):
        return False
    titles = {m.group(1).lower() for m in _THE_TITLE.finditer(question)}
    new = [n for n in _names(claim, skip_first=False) if unmentioned([n], question)]
    if not titles or not new:
        return False

    def titled(name: str) -> bool:
        at = claim.find(name)
        before = " ".join(claim[:at].split()[-4:]).lower()
        return any(before.endswith(t) for t in titles)
    return all(titled(n) for n in new)


_OUTCOME = re.compile(r"\bwhat\s+(?:was|were|is|has\s+been)\s+the\s+(?:final\s+)?(?:outcome|result|verdict|ruling)s?\b", re.I)
_PLAN = re.compile(r"\b(?:would|will|could|might|may|shall)\s+(?:\w+ly\s+)?(?!be\s+(?:a|an|the)\b)\w+"
                   r"|\b(?:plans?|planned|intends?|intended|wants?|wanted|hopes?|hoped|is\s+expected|are\s+expected)\s+to\b",
                   re.I)


def years_named(question: str) -> set[str]:
    """The years `question` names ("in the 2021 election": {"2021"})."""
    return set(re.findall(_YEAR, question))


def asks_last_year(question: str) -> bool:
    """Whether `question` is about last year ("in last year's race")."""
    return bool(re.search(r"\blast\s+year['’]s\b|\b(?:in|during)\s+last\s+year\b", question, re.I))


_PRICE_VERBS = frozenset(("cost costs sell sells sold pay pays paid fetch fetched earn earns earned get gets got go went "
                          "receive receives received make makes made spend spends spent save saves saved "
                          "charge charges charged").split())


def rate_unit(question: str) -> str | None:
    """The unit of a rate `question` asks for: "share" of "How much is Fenwick paying per Marlow's
    share?", which the 210 million dollars its owner receives does not give (tallis tu11); and
    "bearings" of "How much did each of the replacement bearings cost?", which the cost of the
    whole repair does not give (oldhaven ou01)."""
    per = re.search(r"\bper\s+((?:[\w'’-]+\s+){0,2}[\w'’-]+)", question, re.I)
    if per:
        return next((w for w in reversed(per.group(1).split()) if w.islower()), None)
    each = re.search(r"\beach\s+(?:of\s+(?:the|its|their|his|her)\s+)?((?:[\w'’-]+\s+){0,2}[\w'’-]+)", question, re.I)
    if not each or not re.search(r"\bhow\s+much\b|\b(?:cost|price|paid|pay|sell|sold|worth)", question, re.I):
        return None
    words = []  # the noun after "each", up to a verb or a small word: "year" of "each year by closing…"
    for w in each.group(1).split():
        if w.lower() in _PRICE_VERBS or w.lower() in _AUXILIARIES or w.lower() in STOPWORDS:
            break
        words.append(w)
    return next((w for w in reversed(words) if w.islower()), None)


_PERIOD = re.compile(r"\b(?:(daily|nightly|weekly|monthly|yearly|annually|annual)|"
                     r"(?:per|each|every|a|an)\s+(day|night|week|month|year|hour)(?!\s+(?:ago|earlier|later|before|after)\b))\b",
                     re.I)
_PERIOD_OF = {"daily": "day", "nightly": "night", "weekly": "week", "monthly": "month", "yearly": "year",
              "annually": "year", "annual": "year"}


def periods(text: str) -> set[str]:
    """The periods `text` gives a rate per: {"day"} of "8,000 shells daily" and of "a day"."""
    return {_PERIOD_OF.get((m.group(1) or "").lower(), (m.group(2) or "").lower()) for m in _PERIOD.finditer(text)}


def other_period(claim: str, question: str) -> bool:
    """Whether `claim` gives a count or amount per another period than the one `question` asks
    for: "8,000 artillery shells daily" for "How many shells … each year?" (fresh fu06)."""
    if not re.search(r"\bhow\s+(?:many|much)\b", question, re.I):
        return False
    asked, given = periods(question), periods(claim)
    return bool(asked and given and not asked & given)


def plan_for_outcome(claim: str, question: str) -> bool:
    """Whether `claim` gives an intention where `question` asks what came of something: "his
    campaign would ask for a recount" is no "outcome of the recount" (tallis tu03)."""
    return bool(_OUTCOME.search(question)) and bool(_PLAN.search(claim))


# "why…?", "what caused / made / led to…?": a question for a cause
_CAUSE_QUESTION = re.compile(r"^\s*why\b|\bwhat\s+(?:caused|causes|made|makes|led\s+to|leads\s+to|prompted|triggered)\b"
                             r"|\bwhat\s+(?:was|is|were)\s+the\s+(?:cause|reason)s?\b", re.I)
# the words that give a cause: "because of corrosion", "after engineers found cracks", "caused by a
# corrupted file", "Corrosion made the main fail", "A faulty heater started the fire"
_CAUSAL = re.compile(r"\b(?:because|due\s+to|caus(?:e|es|ed|ing)|after|following|result(?:s|ed)?\s+(?:of|from|in)|"
                     r"as\s+a\s+result|led\s+to|leads?\s+to|owing\s+to|thanks\s+to|blam(?:e|es|ed)|since|"
                     r"so\s+that|made|makes?|when|by|from|over|amid|reasons?|forc(?:e|es|ed|ing)|"
                     r"(?:start|spark|prompt|trigger)(?:s|ed)?|brought|meant)\b", re.I)


def no_cause(claim: str, question: str) -> bool:
    """Whether `claim` answers "why / what caused…?" without a word that gives a cause: "The
    Marigold took on water faster than her pumps could clear it" restates what happened, and
    says nothing of what made it happen (oldhaven ou08)."""
    return bool(_CAUSE_QUESTION.search(question)) and not _CAUSAL.search(claim)


def which_phrase(question: str) -> list[str]:
    """The lower-case words after "which/what" up to a verb: ["conservation", "foundation"] of
    "Which conservation foundation paid…", [] of "What did…"."""
    phrase = []
    for w in _which_words(question):
        if w.lower() in _AUXILIARIES or not w.islower():
            break
        phrase.append(w)
    return phrase


def only_own_thing(claim: str, question: str) -> bool:
    """Whether `claim` answers "which X…?" with no X and no name but what the question is about:
    "The Cedar Ridge Fire was shut…" for "Which road was shut because of the fire?" (kestrel k07)."""
    phrase = which_phrase(question)
    if not phrase or any(_stem(w) == _stem(p) for w in re.findall(r"[\w'’-]+", claim) for p in phrase):
        return False
    if re.search(r"\d", claim):  # a figure may be the answer: "6.4 kilometres" for "what length…"
        return False
    names = _names(claim, skip_first=False)
    own = [n for n in names if own_thing(n, question)]
    return bool(own) and all(n in own or not unmentioned([n], question) for n in names)


def gives(claim: str, kinds: frozenset[str], question: str = "") -> bool:
    """Whether `claim` holds at least one thing of the `kinds` asked for that `question` does not already say.

    "Kim met Putin" answers "Which Russian leader did Kim meet?"; "Kim met last month in
    Russia" names only what the question named, so it gives no person.
    """
    asked = text_keys(question)
    named = {k for n in _names(question, skip_first=True) for k in text_keys(n)}

    def new(matches: list[str]) -> bool:
        return any(not _mentioned(m, asked) for m in matches)

    def given_name(name: str) -> bool:
        # one word of a name the question capitalises ("Kim" for "Kim Jong Un"), or every word of
        # it: "Northgate Power" is new to "Which power company…", whose "power" is no name;
        # but not a relative: "Jonas Falk" is new to "Who coaches Elin Falk?"
        words = [w for w in name.split() if _keys(w)]
        if _kin(name, _names(question, skip_first=True)):
            return False
        return own_thing(name, question) or _mentioned(name, named) or all(all(k in asked for k in _keys(w))
                                                                           for w in words)

    def new_name(names: list[str]) -> bool:
        # a title splits a name: "South Korean President Yoon Suk Yeol" is "South Korean" and
        # "Yoon Suk Yeol", someone "Which South Korean president…" does not name
        parts = [p.strip() for n in names for p in re.split(r"\b(?:" + "|".join(_PERSON_NOUNS) + r")\b", n, flags=re.I)]
        return any(not given_name(p) for p in parts if p)

    for kind in kinds:
        if kind == "date" and new([m.group() for m in _DATE_WORDS.finditer(claim)]):
            return True
        if kind == "duration" and new([m.group() for m in _DURATION.finditer(claim)]):
            return True
        if kind in _CALENDAR and new([m.group() for m in _CALENDAR[kind].finditer(claim)]):
            return True
        if kind == "distance" and new([m.group() for m in _DISTANCE.finditer(claim)]):
            return True
        if kind == "number" and new([m.group() for m in _NUMBER_WORDS.finditer(claim)
                                     if not _a_year(claim, m)]):
            return True
        if kind == "money" and _MONEY.search(claim):
            return True
        if kind == "means" and new([m.group() for m in _MEANS.finditer(claim)]):
            return True
        if kind in ("person", "place"):
            names = [w for w in _names(claim, skip_first=False) if not _DATE_WORDS.fullmatch(w)]
            if kind == "place" and _ORIGIN.search(question):  # "where … from?": a place the thing came from
                came = _directions(claim).get("from", set())
                names = [n for n in names if {k for w in n.split() for k in _keys(w)} & came]
            if kind == "person":  # "in the North Sea" is where, not who: "Nordwind runs its wind farms in the North Sea"
                names = [n for n in names if not re.search(r"\b(?:in|at|near|inside|across|off)\s+(?:the\s+)?"
                                                           + re.escape(n) + r"\b", claim)]
            if new_name(names):
                return True
            if kind == "person" and new([m.group(1) for m in _KIN_OR_OWNER.finditer(claim)]):
                return True
            # a body named by what it is, not by a name: "the coast guard will patrol the area"
            # (marren r28), new when a word of it is not the question's ("guard the site")
            if kind == "person" and any(any(not all(k in asked for k in _keys(w)) for w in m.group(1).split())
                                        for m in _BODY.finditer(claim)):
                return True
            if kind == "place" and not _ORIGIN.search(question) and new(
                    [m.group(1) for m in _PLACE_AT.finditer(claim)]):
                return True
    return False


_MONTH_NUMBERS = {m: str(i) for i, m in enumerate(_MONTHS[:12], start=1)} | {
    m: str(i) for i, m in enumerate(_MONTHS[12:], start=1)} | {"sept": "9"}


def _numbers_in(text: str) -> set[str]:
    """The numbers `text` states, digits or words: "two-day" holds 2, "October 1" holds 10 and 1."""
    have = numbers(content_words(text))
    # "a thousand", "two thousand", "1K": news writes round numbers in words or short forms
    for m in re.finditer(r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d+)[\s-]+thousand\b"
                         r"|\b(\d+)[kK]\b", text, re.I):
        n = (m.group(1) or m.group(2)).lower()
        have.add(str(int(WORD_NUMBERS.get(n, "1" if n in ("a", "one") else n)) * 1000))
    for w in re.findall(r"[a-z]+", text.lower()):
        have |= {n for n in (WORD_NUMBERS.get(w), _MONTH_NUMBERS.get(w)) if n}
    return have


def foreign_names(claim: str, passage: str) -> list[str]:
    """Numbers and capitalised names of `claim` that `passage` (with its title) never mentions.

    A name is mentioned by any of its words that the passage writes capitalised: "Haines" for
    "Rupert Haines", but "the party machine" does not mention the "Democratic Party" (tallis tu02).
    """
    keys = text_keys(" ".join(w for w in re.findall(r"[\w'’.-]+", passage) if w[:1].isupper()))
    missing = [w for w in _names(claim, skip_first=True) if not _mentioned(w, keys)]
    have = _numbers_in(passage)
    missing += sorted(n for n in stated_numbers(claim) if n not in have)
    return missing


_DAY_YEAR = re.compile(r"\b((?:" + "|".join(_MONTHS) + r")\.?\s+\d{1,2})(?:st|nd|rd|th)?,?\s+((?:1[89]|20)\d\d)\b", re.I)
_ASKS_YEAR = re.compile(r"\byears?\b", re.I)


def without_unbacked_years(claim: str, question: str, text: str) -> str:
    """`claim` with the year after a month and day dropped when `text` never gives that year.

    A small model dates what it reads: "The shipments began on September 7, 2014" from an
    article that says "from September 7 to October 1" and never "2014". The day is read,
    the year invented; the claim keeps the day. A question that asks for a year keeps it
    (and the checks then drop the claim).
    """
    if _ASKS_YEAR.search(question):
        return claim
    return _DAY_YEAR.sub(lambda m: m.group(1) if m.group(2) not in text else m.group(0), claim)


def unbacked_money(claim: str, passage: str) -> list[str]:
    """Amounts of money in `claim` whose number `passage` never gives as money: "$1,000" where
    the passage has "1,000 containers"."""
    def near(text: str, m: re.Match) -> set[str]:  # "$1.6 billion", "five million euros": the words around
        return _numbers_in(text[max(0, m.start() - 20):m.end() + 20])

    # the same number in another currency is another amount: "$1.8 million" is not a fine of
    # "1.8 million pounds" (corran cu04)
    def amounts(text: str, m: re.Match) -> set[tuple[str, str]]:
        return {(n, _currency(m.group())) for n in near(text, m)}

    money = {a for m in _MONEY.finditer(passage) for a in amounts(passage, m)}
    return [m.group() for m in _MONEY.finditer(claim) if any(ch.isdigit() for ch in m.group())
            and not amounts(claim, m) & money]


_SPAN = re.compile(r"\b(\d[\d,.]*|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")[\s-]+"
                   r"(second|minute|hour|day|week|month|year|decade)s?\b"
                   # an age is no stretch of time: "is 19 years old", "the 42-year-old trawler" (oldhaven o45)
                   r"(?![\s-]+(?:olds?\b|of\s+age\b))", re.I)


def unbacked_durations(claim: str, passage: str) -> list[str]:
    """Stretches of time in `claim` ("over 60 years") that `passage` never gives with that number
    and unit: "It now has more than 60" (members) is no 60 years; "its 87-year history" is 87 years."""
    def span(m: re.Match) -> tuple[str, str]:  # ("11", "day") of "eleven-day" and of "11 days"
        return WORD_NUMBERS.get(m.group(1).lower(), m.group(1).replace(",", "")), m.group(2).lower()

    given = {span(m) for m in _SPAN.finditer(passage)}
    return [m.group() for m in _SPAN.finditer(claim) if span(m) not in given]


_CURRENCY_SYMBOLS = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen", "₹": "rupees"}


def _currency(money: str) -> str:
    """The currency an amount of money is in, by its symbol or word ("$1.6 billion": "dollars")."""
    symbol = next((name for sign, name in _CURRENCY_SYMBOLS.items() if sign in money), None)
    if symbol:
        return symbol
    word = re.search(_CURRENCIES, money, re.I)
    name = word.group().lower() if word else ""
    return "rubles" if name == "roubles" else name


def stated_numbers(claim: str) -> set[str]:
    """The numbers a claim states, in digits or as words from two to twelve ("six days" states 6).

    "one" is left out: it is as often a pronoun ("one of the…") as a number.
    """
    words = {WORD_NUMBERS[w] for w in re.findall(r"[a-z]+", claim.lower())
             if w in WORD_NUMBERS and w not in ("zero", "one")}
    return numbers(content_words(claim)) | words


def narrowing_terms(question: str) -> list[str]:
    """The years, numbers and proper names `question` uses to narrow what it asks."""
    return list(dict.fromkeys(_names(question, skip_first=True) + sorted(numbers(content_words(question)))))


def _spelling(acronym: str) -> str:
    """A pattern for words whose first letters spell `acronym`, "of/the/and/for" between them passed over."""
    return r"\b" + r"(?:\s+(?:of|the|and|for|&)\s+|[\s-]+)".join(c + r"[\w'’]*" for c in acronym) + r"\b"


def spelled_out(acronym: str, text: str) -> bool:
    """Whether `text` writes `acronym` ("MP", "NHS") out in full: words whose first letters spell
    it, "of/the/and/for" between them passed over, the last one capitalised and the words the
    whole of a capitalised run ("member of Parliament"; "More people", a sentence's first word,
    is no MP, nor "Ukraine Security Assistance" a US)."""
    if not re.fullmatch(r"[A-Z]{2,5}", acronym):
        return False
    pattern = _spelling(acronym)
    # the whole run of capitalised words: "Ukraine Security Assistance Initiative" holds no "US"
    return any(re.search(r"\b[A-Z][\w'’]*$", m.group()) and not re.match(r"[ \t]+[A-Z]", text[m.end():])
               and not (m.group()[0].isupper() and re.search(r"\b[A-Z][\w'’.-]*\s+$", text[:m.start()]))
               for m in re.finditer(pattern, text, re.I))


_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")


def glossary(texts: Iterable[str]) -> dict[str, str]:
    """The acronyms that an article of `texts` uses and writes out, with the words written: "DPRK"
    -> "Democratic People’s Republic of Korea". Another article may name a country only by its
    acronym: "the DPRK criticized Yoon's comments" is North Korea speaking (fresh f18)."""
    out: dict[str, str] = {}
    for text in texts:
        for acronym in dict.fromkeys(_ACRONYM.findall(text)):
            if acronym in out:
                continue
            for m in re.finditer(_spelling(acronym), text):
                if m.group()[0].isupper() and spelled_out(acronym, m.group()):
                    out[acronym] = m.group()
                    break
    return out


def with_expansions(text: str, terms: dict[str, str]) -> str:
    """`text` with the written-out form of each of its acronyms of `terms` appended."""
    found = [terms[a] for a in dict.fromkeys(_ACRONYM.findall(text)) if a in terms]
    return text + ("\n" + "; ".join(found) if found else "")


def unmentioned(terms: list[str], passages: str) -> list[str]:
    """The `terms` that `passages` never mention (an acronym may be written out: `spelled_out`)."""
    keys = text_keys(passages)
    have = _numbers_in(passages)
    return [t for t in terms if not (t in have if t[0].isdigit() else _mentioned(t, keys) or spelled_out(t, passages))]


_COUNT = re.compile(r"\bhow\s+many\s+((?:[\w'’-]+\s+){0,3}?[\w'’-]+?)(?=\s+(?:did|does|do|is|are|was|were|has|have|had|"
                    r"will|would|can|could|of|in|on|at|from|to|for|that|per|\w+ed)\b|\s*[?,]|$)", re.I)
_PLURALS = frozenset("people men women children police staff cattle feet teeth mice geese".split())
# nouns any count answers: "times", "people", and "places" ("six distribution points" for "at how many places")
_ANY_COUNT = frozenset("time times people persons person one ones places things".split())
# a count of people answers a count of any of these: "hire about 2,000 people" for "how many workers"
PEOPLE = frozenset(("workers employees staff jobs residents citizens civilians inhabitants people soldiers troops "
                     "firefighters officers police runners athletes players participants competitors students "
                     "voters fans spectators visitors tourists passengers patients victims refugees migrants "
                     "evacuees members children adults families").split())
# homes counted in other words: "140,000 households" for "how many homes" (cosine 0.70)
DWELLINGS = frozenset("homes houses households properties dwellings flats apartments residences".split())


# what else a count of people is given in: their votes, deaths, homes… ("30,332 votes" for "how many
# people voted"), and nouns for people by their ending ("donors", "protesters", "attendees")
_OF_PEOPLE = frozenset(("men women boys girls youths pupils nurses guests hostages inmates crew locals households "
                        "homes votes ballots deaths lives bodies dead casualties fatalities signatures visits cases "
                        "hands jobs").split())
_AGENT = re.compile(r"(?:er|or|ist|ian|ant|ent|ee|ite|ard)s$")


def _of_people(word: str) -> bool:
    """Whether a lower-case plural names people: "citizens", "votes", "donors"."""
    return word in PEOPLE or word in _OF_PEOPLE or bool(_AGENT.search(word))


def _is_number(word: str) -> bool:
    """Whether `word` is a number: "27", "1,300", "twelve"."""
    return bool(_NUMBER_WORDS.fullmatch(word.lower())) or word[:1].isdigit()


def _stem(word: str) -> str:
    return word.lower().rstrip("s")[:5]


def asks_people(question: str) -> bool:
    """Whether `question` asks how many people (a count `counted` leaves to any noun)."""
    m = _COUNT.search(question)
    return bool(m) and len(_WH.findall(question)) == 1 and bool(re.match(r"(?:people|persons)\b", m.group(1), re.I))


def counts_only_things(claim: str) -> bool:
    """Whether every number of `claim` counts a plural that names no people: "Fenwick runs 212
    stores" gives no number of people (tallis tu12); "about 6,500 employees", "30,332 votes",
    "killing 27" (no noun: it may be people) and "40 percent of residents" do not count things only."""
    words = re.findall(r"[\w'’]+", claim)
    things = 0
    for i, w in enumerate(words):
        if not _is_number(w):
            continue
        if _CALENDAR["year"].fullmatch(w) or _NUMBER_WORDS.fullmatch(words[i + 1].lower() if i + 1 < len(words) else ""):
            continue  # a year, or "640 million…": the last number word counts
        after = words[i + 1:i + 4]
        after = after[:next((j for j, x in enumerate(after) if x.lower() == "of"), len(after))]
        plural = next((x.lower() for x in after if x.lower() in _PLURALS or x.lower() in _OF_PEOPLE
                       or (len(x) > 3 and x.islower() and x.endswith("s") and x not in STOPWORDS)), None)
        if plural is None or _of_people(plural) or plural in _PLURALS \
                or plural in _PERSON_NOUNS or plural.rstrip("s") in _PERSON_NOUNS:
            return False
        things += 1
    return things > 0


def counted(question: str) -> str | None:
    """The thing a "how many X …" question counts, or None.

    X is the first plural among the words after "how many" ("How many American citizens were
    killed" -> "citizens", "How many homes get their power…" -> "homes"), else the last word
    before the verb. None also for a question that asks two things ("How many shells…, and
    how far…"): a claim may answer the other part.
    """
    m = _COUNT.search(question)
    if not m or len(_WH.findall(question)) > 1:
        return None
    after = re.findall(r"[\w'’-]+", question[m.start(1):])[:4]
    plural = next((w for w in after if w.lower() in _PLURALS or (len(w) > 3 and w.lower().endswith("s")
                                                                 and w.lower() not in _AUXILIARIES)), None)
    head = (plural or m.group(1).split()[-1]).lower()
    return None if head in _ANY_COUNT or head in STOPWORDS else head


def counts_in(noun: str, claim: str) -> bool:
    """Whether `claim` states a number of `noun`: a number with the noun within three words after it.

    "27 American citizens were lost" states no number of lives; "over 1,300 lives" does; an event
    counted in times does too ("attempted to launch satellites but failed twice": launches).
    """
    words = re.findall(r"[\w'’]+", claim)  # "two-day" is two words: a number and what it counts
    for i, w in enumerate(words):
        if _is_number(w):
            after = words[i + 1:i + 5]
            # "37 reports of kettles" counts reports; "thousands of kettles" counts kettles
            cut = next((j for j, n in enumerate(after) if n.lower() == "of" and j
                        and not _NUMBER_WORDS.fullmatch(after[j - 1].lower())), len(after))
            if any(counts(noun, {n}) for n in after[:cut]):
                return True
    # events counted as times: "launched satellites but failed twice" counts launches
    # (the event's verb, "launch" for "launches", not the counted noun itself: "satellites … failed
    # twice" counts no satellites)
    return bool(_TIMES.search(claim)) and any(w.lower().startswith(_stem(noun)) and w.lower() != noun.lower()
                                              for w in words)


def narrower_count(noun: str, claim: str, question: str) -> bool:
    """Whether every number of `noun` that `claim` states counts only a kind of them named by a
    word the question does not use: "27 American citizens" for "How many people did Hamas
    kill?" (fresh f33), which asks for everyone killed ("1,300 lives")."""
    words = re.findall(r"[\w'’]+", claim)
    narrowed = []
    for i, w in enumerate(words):
        if not _is_number(w):
            continue
        after = words[i + 1:i + 5]
        at = next((j for j, n in enumerate(after) if counts(noun, {n}) or (noun == "people" and _of_people(n.lower()))),
                  None)
        if at is None:
            continue
        between = after[:at]
        narrowed.append(any(b[:1].isupper() and unmentioned([b], question) for b in between))
    return bool(narrowed) and all(narrowed)


def counts_of(text: str) -> list[tuple[str, str]]:
    """(number, word) for each word within three after a number of `text`: "nine homes" -> ("9", "homes");
    up to an "of", as in `counts_in`: "37 reports of kettles" counts reports, not kettles."""
    words = re.findall(r"[^\W_]+(?:,\d{3})*", text)
    out = []
    for i, w in enumerate(words):
        if _is_number(w):
            n = WORD_NUMBERS.get(w.lower(), w.lower().replace(",", ""))
            after = words[i + 1:i + 4]
            cut = next((j for j, x in enumerate(after) if x.lower() == "of" and j
                        and not _NUMBER_WORDS.fullmatch(after[j - 1].lower())), len(after))
            out += [(n, x) for x in after[:cut]
                    if x.isalpha() and x.lower() not in STOPWORDS and not _NUMBER_WORDS.fullmatch(x.lower())]
    return out


_TIMES = re.compile(r"\b(?:once|twice|thrice|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many)\s+times)\b", re.I)


def counts(noun: str, words: set[str]) -> bool:
    """Whether normalised content `words` name `noun` (plural or singular; "people" for a noun of people)."""
    same = {_stem(noun)} | ({_stem("people"), _stem("persons")} if noun.lower() in PEOPLE else set())
    return any(_stem(w) in same or _compound(noun.lower(), w.lower()) for w in words)


def _compound(a: str, b: str) -> bool:
    """Whether one word is the other with a word before it, naming people: "dockworkers" for
    "workers", "firefighters" for "fighters" (news joins what "dock workers" writes apart)."""
    short, long = sorted((a.rstrip("s"), b.rstrip("s")), key=len)
    return short + "s" in PEOPLE and len(long) > len(short) + 2 and long.endswith(short)


_DIRECTED = re.compile(r"(?<!according )\b(to|from|into|out\s+of|(?:left|leaves|leaving|departed|departs|departing)(?!\s+for\b))\b"
                       r"((?:[\s,]+(?!(?:to|from|into)\b)[\w'’.-]+){1,8})", re.I)
_DEPARTED = frozenset(("out of", "left", "leaves", "leaving", "departed", "departs", "departing"))


def _directions(text: str) -> dict[str, set[str]]:
    """Per direction ("to", "from"), the keys of the names in the words after it, up to the next one.

    "sent … from the port city of Najin to Dunay" -> {"from": {"najin"}, "to": {"dunay"}};
    "left the port city of Najin" -> {"from": {"najin"}}.
    """
    out: dict[str, set[str]] = {}
    for prep, after in _DIRECTED.findall(text):
        # names only: "from September 7 to October 1" is a span of time, not a direction
        keys = {k for w in after.split() if w[:1].isupper() and not _DATE_WORDS.fullmatch(w.strip(",.;:")) for k in _keys(w)}
        if keys:
            prep = " ".join(prep.lower().split())
            prep = "to" if prep == "into" else "from" if prep in _DEPARTED else prep  # "left Najin": from Najin
            out.setdefault(prep, set()).update(keys)
    return out


def reversed_direction(claim: str, other: str) -> bool:
    """Whether `claim` sends something to (or from) a name that `other` names only in another role.

    "Russia sent containers to North Korea" against "North Korea sent containers to Russia":
    the same words in a swapped relation, which overlap alone cannot see.
    """
    mine, theirs, named = _directions(claim), _directions(other), text_keys(other)
    # swapped: `other` names the claim's destination, but not as its destination
    return any(prep in theirs and not keys & theirs[prep] and keys <= named for prep, keys in mine.items())


def other_end(claim: str, question: str) -> bool:
    """Whether `claim` measures from (or to) a name other than the one `question` asks about.

    "The comet is 410 million kilometres from the Sun" does not say how far it is from Earth.
    """
    mine, asked = _directions(claim), _directions(question)
    said = text_keys(claim)
    return any(prep in mine and not keys & mine[prep] and not keys & said for prep, keys in asked.items())


_NAME_OF = re.compile(r"\bname\s+of\s+(?:the|a|an|this|that)\s+((?:[\w'’-]+\s+){0,2}?[\w'’-]+?)"
                      r"(?=\s+(?:that|which|who|whose|in|at|on|of|for|to|from|with|by|near|outside|inside|under|behind|between|"
                      r"beside|across|along|off|into|over|after|before|during|is|was|were|are|did|does|has|had)\b"
                      r"|\s*[?,]|$)", re.I)
_BEFORE_PLACE = frozenset("in at near from of off across inside to into".split())


def named_thing(question: str) -> str | None:
    """The noun a "what is the name of the X…?" question asks a name for: "vessel" in "the name
    of the Russian-flagged vessel that carried…"."""
    m = _NAME_OF.search(question)
    return m.group(1).split()[-1].lower() if m else None


def name_beside(noun: str, claim: str, text: str, question: str) -> bool:
    """Whether `text` puts a name that `claim` gives and `question` does not within four words
    of `noun`, and not after a preposition: "the supplier, Brightline," names the supplier; "a
    supplier in Portugal" names none (brenmoor bu10), nor "a Russian-flagged vessel" the ship."""
    words = re.findall(r"[\w'’-]+", text)
    at = [i for i, w in enumerate(words) if _stem(w) == _stem(noun)]
    for name in _names(claim, skip_first=False):
        if not unmentioned([name], question):
            continue
        first = name.split()[0]
        for j, w in enumerate(words):
            if w.rstrip("'’s") == first.rstrip("'’s") and (j == 0 or words[j - 1].lower() not in _BEFORE_PLACE) \
                    and any(abs(j - i) <= 4 for i in at):
                return True
    return False


def unnamed_which(claim: str, question: str) -> bool:
    """Whether `claim` answers "which X…?" with "a X" and no name beside it: "paid for by a grant
    from a conservation foundation" does not say which foundation (tallis tu08). Only an X in the
    question's own words: "a Russian-flagged ship" says more than "a ship", and so does a name or a
    figure just after it: "a pay rise of 7 percent", "a publication date of October 14". Nor is
    "a X" the answer when the claim has already given a name the question lacks: "Castlegate
    Academy won the title, the first time a school from the county has taken it" (wyndham w29)."""
    phrase = which_phrase(question)
    if not phrase:
        return False
    asked = {w.lower() for w in re.findall(r"[\w'’-]+", question)}
    for found in re.finditer(r"\b(?:a|an|one|another|some)\s+((?:[\w'’-]+\s+){0,2}?)([\w'’-]+)\b", claim, re.I):
        after = re.findall(r"[\w'’-]+", claim[found.end():])[:5]
        if found.group(2).lower() in phrase and all(w.lower() in asked for w in found.group(1).split()) \
                and not any(w[:1].isupper() or w[:1].isdigit() for w in after) \
                and not unmentioned(_names(claim[:found.start()], skip_first=True), question) \
                and not name_beside(found.group(2), claim, claim, question):
            return True
    return False


# the speaker is the few words between the auxiliary and the verb: "What did Japan's prime minister say…"
_SPEECH_QUESTION = re.compile(r"\bwhat\s+(?:did|does|do|has|have|had|will|would)\s+((?:[\w'’.-]+\s+){0,3}?[\w'’.-]+)\s+"
                              r"(?:say|tell|announce|claim|write|declare|reply|respond)\b", re.I)
_SPEECH = re.compile(r"\b(?:say|says|said|saying|tell|tells|told|state|states|stated|statement|announce[ds]?|announcing|"
                     r"claim(?:s|ed)?|declare[ds]?|wr(?:ote|ites|itten)|add(?:s|ed)|not(?:e|es|ed)|warn(?:s|ed)?|"
                     r"call(?:s|ed)|describ(?:e|es|ed)|insist(?:s|ed)?|argu(?:e|es|ed)|assert(?:s|ed)?|"
                     r"remark(?:s|ed)?|comment(?:s|ed)?|stress(?:es|ed)?|emphasi[sz](?:e|es|ed)|urg(?:e|es|ed)|"
                     r"den(?:y|ies|ied)|accus(?:e|es|ed)|condemn(?:s|ed)?|prais(?:e|es|ed)|repl(?:y|ies|ied)|"
                     r"respond(?:s|ed)?|estimat(?:e|es|ed)|predict(?:s|ed)?|forecasts?|report(?:s|ed)|confirm(?:s|ed)?|"
                     r"admit(?:s|ted)?|acknowledg(?:e|es|ed)|promis(?:e|es|ed)|pledg(?:e|es|ed)|vow(?:s|ed)?|"
                     r"suggest(?:s|ed)?|explain(?:s|ed)?|express(?:es|ed)?|rais(?:e|es|ed)\s+concerns?|[Aa]ccording\s+to|quoted?)\b|[\"“”]")
# (lower case only: "United States" states nothing)


# verbs of a role ("who runs Voltaris": its chief executive) and light verbs ("who came second":
# finished second) that an article says in other words
_ROLE_OR_LIGHT = frozenset("run runs leads lead heads head manages manage chairs chair owns own coaches coach "
                           "directs direct governs govern came come comes got get gets made make makes took take "
                           "takes went go goes gave give gives became become becomes".split())


# "Who runs/leads/heads X?" asks for X's leader, whom articles name by title, not by the verb:
# "Voltaris chief executive Sabine Kroll", "Council leader Harriet Boyd"
_ROLE_QUESTION = re.compile(r"\bwho\s+(?:(?:will|would|does|did|now|currently)\s+)?(runs?|ran|leads?|led|heads?|headed|"
                            r"chairs?|chaired|directs?|directed|manages?|managed|governs?|governed|commands?|commanded|"
                            r"coach(?:es|ed)?|captains?|captained)\b", re.I)
_LEADER_NOUNS = ("chief head leader chair chairman chairwoman chairperson president director executive ceo boss "
                 "manager commander governor mayor captain coach superintendent commissioner principal").split()
_LEADER = r"\b(?:" + "|".join(_LEADER_NOUNS) + r")\b"
# and "who is leading/heading…", "who is in charge of…" (marren r13, r25)
_ROLE_PROGRESSIVE = re.compile(r"\bwho\s+(?:is|are|was|were|will\s+be)\s+(?:now\s+|currently\s+)?(?:(leading|heading|"
                               r"running|chairing|directing|managing|coaching|captaining)|in\s+(charge)\s+of)\b", re.I)
_PARTICIPLES = {"run": "run", "runs": "run", "ran": "run", "lead": "led", "leads": "led", "led": "led",
                "leading": "led", "heading": "headed", "running": "run", "chairing": "chaired", "directing": "directed",
                "managing": "managed", "coaching": "coached", "captaining": "captained", "charge": "led"}


def _led_by(question: str) -> str:
    """A pattern for the question's role verb made passive: "coached by" for "Who coaches…?"."""
    verb = (role(question) or "").lower()
    done = _PARTICIPLES.get(verb) or _role_root(verb)
    return r"\b" + done + r"\s+by\b"


def _role_root(verb: str) -> str:
    """A pattern for any form of a role verb by its first letters: "coach\\w*" for "coaches"."""
    return re.sub(r"(?:ing|es|s|ed)$", "", verb)[:5] + r"\w*"


def _role_active(question: str) -> str:
    """A pattern for the question's role verb as a deed: "(?:run|ran)…" for "Who runs…?", "Who is running…?"."""
    verb = (role(question) or "").lower()
    done = _PARTICIPLES.get(verb)
    return r"\b(?:" + {"run": r"(?:run|ran)\w*", "led": r"(?:lead|led)\w*"}.get(done or "", _role_root(verb)) + r")"


def role(question: str) -> str | None:
    """The verb of a "who runs/leads/heads … X?" question ("runs"), or None."""
    m = _ROLE_QUESTION.search(question)
    if m:
        return m.group(1)
    m = _ROLE_PROGRESSIVE.search(question)
    return (m.group(1) or m.group(2)) if m else None


def leader_named(claim: str, question: str, text: str) -> bool:
    """Whether a name `claim` gives that `question` does not stands in `text` beside a leader's title.

    Beside: the title at most three words before the name ("Fire Chief Daniel Okafor", "chief
    executive, Dr. Miriam Osei") or four after it ("Fiona MacRae, the association's chair"), or the
    verb made passive before it ("coached by her father, Jonas Falk"), or the verb itself after the
    name, leading what the claim says ("Professor Irene Calvo, who leads the dig" for "Calvo leads
    the dig", marren r25, not for "Calvo leads the aviation inquiry", r13), or before it, the
    name run with ("the shop, which he runs with his wife, Ania", oldhaven o36). A relative of someone the
    question names is a new name ("Jonas Falk" for "Who coaches Elin Falk?").
    "A state forestry spokesperson, Ana Lucero" names no leader of the fire department.
    """
    asked = text_keys(question)
    named = _names(question, skip_first=True)
    led_by, active = _led_by(question), _role_active(question)
    said_words = set(content_words(claim))
    for name in _names(claim, skip_first=False):
        if (_mentioned(name, asked) and not _kin(name, named)) or re.search(r"\b(?:in|at|near|from|to)\s+(?:the\s+)?" + re.escape(name) + r"\b", claim):
            continue  # "…its factory in Ashford": a place, not who
        for word in dict.fromkeys([name, *(w for w in name.split() if len(w) > 2)]):  # "Ruiz" of a run "Ana Ruiz Jonas Reed"
            said = re.escape(word)
            if re.search(_LEADER + r"(?:\W+[\w.'’]+){0,3}?\W+" + said + r"\b", text, re.I) or \
                    re.search(led_by + r"(?:\W+[\w.'’]+){0,4}?\W+" + said + r"\b", text, re.I) or \
                    any(set(content_words(m.group(1))) <= said_words for m in re.finditer(
                        r"\b" + said + r"(?:,?\s+(?:who|that))?\s+(?:now\s+|also\s+)?" + active + r"\b([^.,;:!?]*)", text)) or \
                    re.search(active + r"\s+(?:it\s+)?(?:together\s+)?with\s+(?:[\w'’]+[\s,]+){0,2}?" + said + r"\b", text) or \
                    re.search(r"\b" + said + r"(?:\W+[\w.'’]+){0,4}?\W+" + _LEADER[2:], text, re.I):
                return True
    return False


def deed(question: str) -> str | None:
    """The verb of a "who VERB …" question ("built" in "Who built the rocket?"), or None.

    None for "who is/was …", for a role ("who runs …") or a light verb ("who came second");
    a modal or "has" before the verb is passed over ("Who will drive the first tram?": "drive").
    Tried and rejected (eval/replay.py on six reports): the verb of "which NOUN VERB…"
    questions too ("Which company drew up the plans?"). It refused four wrong answers and
    six right ones, whose questions paraphrase the article's verb more freely than "who"
    questions do ("credited" for "according to", "stopped" for "saved", "linked to" for "started by").
    """
    # "who was arrested", "who were injured": the participle of a passive question (brenmoor bu01)
    m = re.search(r"\bwho\s+(?:was|were|is|are|has\s+been|have\s+been|had\s+been|will\s+be)\s+(?:\w+ly\s+)?"
                  r"([a-z]+ed|[a-z]+en|built|caught|held|hurt|kept|left|lost|made|paid|sent|shot|sold|told|won)\b",
                  question, re.I)
    if m and m.group(1).islower() and m.group(1) not in STOPWORDS and m.group(1) not in _ROLE_OR_LIGHT:
        return m.group(1)
    # "who will drive", "who has led": the verb after a modal or a perfect auxiliary (lakeport u02)
    for m in re.finditer(r"\bwho\s+(?:(?:will|would|can|could|shall|should|may|might|must|has|have|had)\s+"
                         r"(?:been\s+)?)?(?:\w+ly\s+)?([a-z]+)\b", question, re.I):
        verb = m.group(1)
        if verb.islower() and verb not in STOPWORDS and verb not in _ROLE_OR_LIGHT:  # STOPWORDS hold "is", "did"
            return verb
    return None


# Words whose opposite sits close to them in meaning and in the same sentences: "the women's
# race" is not "the men's race" (MiniLM puts men/women at 0.72, above `rag.wordsim`'s bar)
_OPPOSITES = dict(pair for a, b in (p.split(":") for p in (
    "men:women man:woman male:female boys:girls boy:girl".split())) for pair in ((a, b), (b, a)))


def contrasted(question: str, text: str) -> list[str]:
    """The question's words whose opposite `text` says and which `text` itself does not ("men" against "women's")."""
    said = set(re.findall(r"[a-z]+", re.sub(r"['’]s\b", "", text.lower())))
    asked = set(re.findall(r"[a-z]+", re.sub(r"['’]s\b", "", question.lower())))
    return sorted(w for w in asked if w in _OPPOSITES and _OPPOSITES[w] in said and w not in said)


def agentless(verb: str, question: str, text: str) -> bool:
    """Whether `text` says `verb` only of the thing done, with no doer: "the course record set in
    2019" does not say who set it (kestrel ku08). True when every "VERB" in `text` follows a
    word of what the question says was done ("record" in "Who set the course record…") and is
    not followed by "by"; False when the verb is not there word for word."""
    after = question[question.lower().find(verb.lower()) + len(verb):]
    done = {k for w in content_words(after) for k in _keys(w)}
    uses = list(re.finditer(r"\b([\w'’-]+),?\s+" + re.escape(verb) + r"\b(?!\s+by\b)", text, re.I))
    every = re.findall(r"\b" + re.escape(verb) + r"\b", text, re.I)
    return bool(every) and len(uses) == len(every) and all(set(_keys(m.group(1))) & done for m in uses)


def _role_before(name: str, text: str) -> set[str]:
    """The lower-case role nouns written just before `name` in `text` ("the composer Aurelia Stahl": composer)."""
    first = re.escape(name.split()[0])
    return {m.group(1).lower() for m in re.finditer(r"\b([a-z][a-z-]+)\s+" + first + r"\b", text)
            if m.group(1) in _PERSON_NOUNS or _AGENT.search(m.group(1) + "s")}


def relabelled(claim: str, quote: str) -> bool:
    """Whether `claim` gives a name a role its quote gives it otherwise: "The violin maker Aurelia
    Stahl" against "the composer Aurelia Stahl" (vennport vu13: the question's "which violin maker"
    put in front of the one name the passage has). Only roles written just before the name, in both,
    and a claim's role the quote never writes ("the mayor Grace Adeyemi" is "elected mayor" there)."""
    written = {_stem(w) for w in re.findall(r"[a-z][a-z-]+", quote.lower())}
    for name in _names(claim, skip_first=False):
        said, given = _role_before(name, claim), _role_before(name, quote)
        if said and given and not {_stem(w) for w in said} & (written | {_stem(w) for w in given}):
            return True
    return False


_PLACING = re.compile(r"\b(?:came|come|comes|finished|finish|finishes|placed|place|ended|end|was|were|is|are)\s+"
                      r"(first|second|third|fourth|fifth|sixth|last)\b", re.I)


def placed_elsewhere(claim: str, question: str, text: str) -> bool:
    """Whether a "who came/finished third?" claim names someone `text` does not place there: when
    `text` writes the place ("with Kingsford Boat Club third"), a name of the claim stands within
    five words of it; "Carrow finished third" names the winner (vennport v47). False when the
    question asks no placing or `text` does not write its word ("31 seconds ahead of Tesfaye")."""
    m = _PLACING.search(question)
    if not m:
        return False
    spots = list(re.finditer(r"\b" + m.group(1) + r"\b", text, re.I))
    asked = text_keys(question)
    names = [n for n in _names(claim, skip_first=False) if not _mentioned(n, asked)]
    if not spots or not names:
        return False
    # a name by its own words: "Club" of "Carrow Rowing Club" is in "Kingsford Boat Club" too
    own = [[w for w in n.split() if w.lower() not in _ORG_WORDS] for n in names]
    for spot in spots:
        around = text_keys(" ".join(re.findall(r"[\w'’-]+", text[:spot.start()])[-5:]
                                    + re.findall(r"[\w'’-]+", text[spot.end():])[:5]))
        if any(words and _mentioned(" ".join(words), around) for words in own):
            return False
    return True


_ORG_WORDS = frozenset("club boat rowing university college team party company group city council united fc school "
                       "association society union bank".split())


_AGENT_END = r"(?=\s*(?:[,.;:]|$)|\s+(?:while|when|after|before|in|on|at|near|during|as|who|which|that|and|with|for)\b)"


def other_doer(verb: str, claim: str, text: str) -> bool:
    """Whether `text` says `verb` only in the passive, "found by a farmer", and the doer after
    "by" is neither in `claim` nor called so beside a name of `claim` ("Farmer Elsa Brandt"):
    "Scientists at Halden University found the meteorite" against "a stone found by a farmer"
    (vennport v26). False when the text also says it of a name of the claim, or has no "VERB by"."""
    agents = [m.group(1) for m in re.finditer(r"\b" + re.escape(verb) + r"\s+by\s+(?:(?:the|a|an|its|his|her|their)\s+)?"
                                              r"((?:[\w'’-]+\s+){0,3}?[\w'’-]+)" + _AGENT_END, text, re.I)]
    if not agents:
        return False
    said = text_keys(claim)
    names = _names(claim, skip_first=False)
    # the text says it of the claim's doer too: "Brandt found the stone" (a name of the claim
    # within three words before the verb)
    for m in re.finditer(r"((?:[\w'’-]+\W+){0,3})" + re.escape(verb) + r"\b(?!\s+by\b)", text, re.I):
        if any(_mentioned(n, text_keys(m.group(1))) for n in names):
            return False

    def called(agent: str) -> bool:  # "Farmer Elsa Brandt", "Elsa Brandt, a farmer"
        nouns = [w for w in re.findall(r"[\w'’-]+", agent) if w.lower() not in STOPWORDS]
        return any(re.search(r"\b" + re.escape(noun) + r"\s+" + re.escape(name.split()[0]) + r"\b|\b"
                             + re.escape(name.split()[-1]) + r",\s+(?:a|an|the)\s+(?:[\w-]+\s+)?" + re.escape(noun) + r"\b",
                             text, re.I) for noun in nouns for name in names)

    return not any({k for w in re.findall(r"[\w'’-]+", a) if w.lower() not in STOPWORDS for k in _keys(w)} & said
                   or called(a) for a in agents)


_NEGATORS = frozenset("no not never nobody none without neither nor".split())


def only_negated(verb: str, text: str) -> bool:
    """Whether every form of `verb` in `text` is denied: "No arrests have been made" names no
    one who arrested anybody (brenmoor bu01). A form is the same first five letters ("arrests"
    for "arrested"); denied, a negation among the three words before it ("no", "not", "never",
    "n't", "no one"). False when the verb is not there at all: other checks judge that."""
    words = re.findall(r"[\w'’]+", text.lower())
    key = verb.lower()[:5]
    uses = [i for i, w in enumerate(words) if (w[:5] == key if len(key) >= 5 else w == verb.lower())]
    return bool(uses) and all(any(w in _NEGATORS or w.endswith(("n't", "n’t")) for w in words[max(0, i - 3):i])
                              for i in uses)


def speaker(question: str) -> str | None:
    """Who a "what did X say/tell/announce…" question asks about ("Putin"), or None for other questions."""
    m = _SPEECH_QUESTION.search(question)
    return m.group(1) if m else None


def reports_speech(who: str, text: str) -> bool:
    """Whether `text` reports something said, and by `who` when `who` has a name ("Putin said…").

    A speaker given by a role ("Ukraine's foreign minister", "the company spokesman") needs
    the role's noun in `text` too: Lloyd Austin announcing aid for Ukraine is not Ukraine's
    foreign minister speaking.
    """
    names = _names(who, skip_first=False)
    roles = [w for w in re.findall(r"\b[a-z][\w-]*", who) if content_words(w)]
    if roles and not {k for w in roles[-1:] for k in _keys(w)} <= text_keys(text):
        return False
    said = list(_SPEECH.finditer(text))
    return bool(said) and not unmentioned(names, text) and all(_speaks(n, text, said) for n in names)


def _speaks(name: str, text: str, said: list[re.Match]) -> bool:
    """Whether `text` names `name` as a speaker: before a word of speech, or just after one
    ("said Marcus Doyle"); not only as whom words were addressed to later in the sentence:
    "Priya Nandakumar said she had written to the regulator, Ofwat" is not Ofwat saying
    anything (wyndham wu03). An acronym written out counts where its last word stands."""
    keys = {k for w in name.split() for k in _keys(w)}
    at = [m.start() for m in re.finditer(r"[\w'’.-]+", text)
          if m.group()[:1].isupper() and set(_keys(m.group())) & keys]
    if not at and spelled_out(name, text):
        return True
    return any(p < m.start() or len(re.findall(r"[\w'’.-]+", text[m.end():p])) <= 2 for p in at for m in said)


def swapped_subject(claim: str, other: str) -> bool:
    """Whether `claim` gives a name the act that `other` gives to another name.

    "Russia fires 8,000 shells daily" against "Ukraine fires approximately 8,000 shells
    daily": the same verb after a different name, which overlap alone cannot see.
    """
    named, claimed = text_keys(other), text_keys(claim)
    theirs = {}
    for name, verb in _name_verbs(other):
        if not _mentioned(name, claimed):
            theirs.setdefault(verb, []).append(name)
    return any(verb in theirs and not _mentioned(name, named) for name, verb in _name_verbs(claim))


# who won and who lost: "elected … defeating Haines" makes Adeyemi the winner, whatever a reply
# that echoes "which mayor lost?" says (a passive "was defeated/beaten" is a loss)
_LOSS = re.compile(r"\b(?:lost|lose|loses|losing|(?:was|were|been|is|are)\s+(?:defeated|beaten|ousted|unseated)|"
                   r"conceded|concedes)\b", re.I)
_WIN = re.compile(r"\b(?:won|wins?|winning|beat|beats|beating|defeat(?:ed|s|ing)|elected|re-elected|"
                  r"triumph(?:ed|s)?|clinched|unseated|ousted)\b", re.I)


def _outcomes(text: str) -> dict[str, str]:
    """"win" or "loss" for each name of `text` followed, before a comma or another name and
    within eight words, by a verb of winning or losing."""
    out: dict[str, str] = {}
    names = list(dict.fromkeys(_names(text, skip_first=False)))
    for name in names:
        for m in re.finditer(r"\b" + re.escape(name) + r"\b", text):
            after = re.split(r"[,;:]", text[m.end():], maxsplit=1)[0]
            after = " ".join(after.split()[:8])
            cut = min((after.find(o) for o in names if o != name and after.find(o) >= 0), default=len(after))
            after = after[:cut]
            loss, win = _LOSS.search(after), _WIN.search(after)
            if loss or win:
                out.setdefault(name, "loss" if loss and (not win or loss.start() <= win.start()) else "win")
                break
    return out


def reversed_outcome(claim: str, quote: str) -> bool:
    """Whether `claim` makes a name lose where `quote` makes it win, or win where it loses:
    "Adeyemi lost the election" against "Grace Adeyemi was elected mayor…, defeating Rupert
    Haines" (tallis t03)."""
    theirs = _outcomes(quote)
    for name, outcome in _outcomes(claim).items():
        keys = text_keys(name)
        if any(o != outcome and keys & text_keys(n) for n, o in theirs.items()):
            return True
    return False


def _name_verbs(text: str) -> list[tuple[str, str]]:
    """(name, key of the lower-case word right after it) for each name in `text`: ("Ukraine", "fires")."""
    out = []
    for name in _names(text, skip_first=False):
        # past an adverb: "The Senate initially requested" (fresh f30)
        m = re.search(re.escape(name) + r"(?:['’]s)?\s+(?:[a-z]+ly\s+)?([a-z]+)\b", text)
        if m and m.group(1) not in STOPWORDS:
            out.append((name, m.group(1)[:5]))
    return out
