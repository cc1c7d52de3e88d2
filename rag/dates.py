"""Publication dates: find an article's date near its top, and parse --since/--until.

An article's date is taken from its first few lines: an ISO date (`2023-10-14`, also with
slashes), `October 14, 2023` / `Oct. 14, 2023`, or `14 October 2023`. It is stored as an
ISO string. A `DateRange` keeps only articles dated inside it (both ends inclusive).
Simplified on purpose: English month names only; no relative dates ("yesterday"), no
time zones; an article without a date is left out whenever a range is given, because
nothing says it falls inside.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rag.errors import InputError

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_ABBR = {m[:3]: i for m, i in _MONTHS.items()} | {"sept": 9}
_MONTH_RE = "|".join(sorted(list(_MONTHS) + list(_ABBR), key=len, reverse=True))

_ISO = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b")
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)

_MONTH_DAY = re.compile(rf"\b({'|'.join(sorted({m.capitalize() for m in list(_MONTHS) + list(_ABBR)}, key=len, reverse=True))})"
                        r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b")

HEAD_LINES = 4  # a dateline further down is more likely a date inside the story


def _day(year: str, month: str | int, day: str) -> dt.date | None:
    m = month if isinstance(month, int) else (_MONTHS.get(month.lower()) or _ABBR.get(month.lower()[:4])
                                              or _ABBR.get(month.lower()[:3]))
    try:
        return dt.date(int(year), int(m), int(day)) if m else None
    except ValueError:
        return None


def dates_in(text: str) -> list[tuple[dt.date, int, int]]:
    """Every full date (with its year) in `text`: (date, start, end of its match), in order."""
    found = []
    for pattern, order in ((_ISO, "ymd"), (_MDY, "mdy"), (_DMY, "dmy")):
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups()))
            month = int(parts["m"]) if parts["m"].isdigit() else parts["m"]
            day = _day(parts["y"], month, parts["d"])
            if day is not None:
                found.append((day, m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def month_days_in(text: str) -> list[tuple[tuple[int, int], int, int]]:
    """Every "September 7" / "Sept. 7th" in `text` (capitalised month, no year needed): ((month, day), start, end)."""
    out = []
    for m in _MONTH_DAY.finditer(text):
        day = _day("2000", m.group(1), m.group(2))  # a leap year: any day of the month is valid
        if day is not None:
            out.append(((day.month, day.day), m.start(), m.end()))
    return out


def find_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first date in `text`: (date, start, end of its match)."""
    found = dates_in(text)
    return found[0] if found else None


def article_date(text: str) -> str | None:
    """The publication date given in the first lines of an article, as ISO text, if any."""
    lines = [line for line in text.splitlines() if line.strip()][:HEAD_LINES]
    found = find_date("\n".join(lines))
    return found[0].isoformat() if found else None


def parse_day(value: str, name: str) -> dt.date:
    """A date the user typed (`2023-10-14`, `October 14, 2023`, ...); InputError naming `name`."""
    text = value.strip()
    found = find_date(text)
    if found is None or found[1] != 0 or found[2] != len(text):
        raise InputError(f"{name}: expected a date like 2023-10-14, got '{value}'")
    return found[0]


@dataclass(frozen=True)
class DateRange:
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def parse(cls, since: str | None, until: str | None) -> DateRange | None:
        """The range given by two optional strings, or None when neither is set."""
        lo = parse_day(since, "--since") if since and since.strip() else None
        hi = parse_day(until, "--until") if until and until.strip() else None
        if lo is None and hi is None:
            return None
        if lo and hi and lo > hi:
            raise InputError(f"--since {lo} is after --until {hi}")
        return cls(lo, hi)

    def admits(self, iso: str | None) -> bool:
        if not iso:
            return False
        day = dt.date.fromisoformat(iso)
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def __str__(self) -> str:
        return f"{self.since or '…'} to {self.until or '…'}"
