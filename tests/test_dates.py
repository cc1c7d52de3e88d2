import datetime as dt

import pytest

from rag.dates import DateRange, article_date, parse_day
from rag.errors import InputError
from rag.ingest import title_of


@pytest.mark.parametrize("text, iso", [
    (" date 2023-10-14 North Korea Sends Containers\n\nBody.", "2023-10-14"),
    ("Headline\nOctober 14, 2023\nWASHINGTON — text", "2023-10-14"),
    ("Headline\nOct. 4, 2023\ntext", "2023-10-04"),
    ("Headline\n\nPublished 3 September 2021 by the desk\ntext", "2021-09-03"),
    ("Headline\n2020/02/29\ntext", "2020-02-29"),
    ("Headline\nno date here\nnor here\nnor here\nnor here\nMay 1, 2020", None),
    ("Headline\n2023-02-30 is not a day", None),
])
def test_article_date_from_the_first_lines(text, iso):
    assert article_date(text) == iso


def test_title_leaves_out_a_leading_date_and_caps_long_first_lines():
    assert title_of(" date 2023-10-14 North Korea Sends Containers\n") == "North Korea Sends Containers"
    assert title_of("\n# Big news\nbody") == "Big news"
    assert title_of("October 14, 2023\nThe Real Title\n") == "The Real Title"
    long = "The White House announced on Friday that " + "very " * 60 + "long."
    title = title_of(long)
    assert title.endswith("…") and len(title) <= 151 and long.startswith(title[:-1])


def test_parse_day_and_range():
    assert parse_day("2023-10-14", "--since") == dt.date(2023, 10, 14)
    assert parse_day(" October 1, 2023 ", "--until") == dt.date(2023, 10, 1)
    for bad in ("yesterday", "2023-13-01", "2023-10-14 and more", ""):
        with pytest.raises(InputError, match="--since"):
            parse_day(bad, "--since")
    assert DateRange.parse(None, "  ") is None
    r = DateRange.parse("2023-10-01", None)
    assert r.admits("2023-10-14") and not r.admits("2023-09-30") and not r.admits(None)
    assert DateRange.parse(None, "2023-10-14").admits("2023-10-14")
    with pytest.raises(InputError, match="after --until"):
        DateRange.parse("2023-10-15", "2023-10-14")
