"""Article formats on realistic files: a saved news page, an RSS feed, a PDF, a JSONL export, and bad input.

The page has what real news pages have around the story (site header and navigation, a
cookie banner, share buttons, a related-articles list, comments, JSON-LD `datePublished`,
a `<time>` tag, a paywall teaser). The PDF is written by a real PDF writer (fpdf2).
Questions about each format are answered through the real index (FAISS) and the real
citation checks, with a fake embedder and generator; every quote is checked against the
text stored with the index.
"""

from __future__ import annotations

import json
import logging

import pytest

from rag.dates import DateRange
from rag.readers import read_file
from rag.settings import Settings
from tests.conftest import FakeEmbedder, FakeGenerator, build_fake_index

BODY = [
    "The city of Rotterdam closed its new storm barrier on Tuesday for the first time since it opened.",
    "Engineers said the barrier held back a surge of 3.2 metres during the storm named Ciara.",
    "The barrier cost 450 million euros and took six years to build, according to the port authority.",
    "Harbour master Anneke de Vries said ships waited for nine hours before the gates opened again.",
]
BOILERPLATE = ["Accept all cookies", "Subscribe to read more", "Share on Facebook", "Ten best beaches in Spain",
               "Great article, thanks", "Sign in to comment", "Home | World | Business | Sport"]

PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Rotterdam storm barrier closes for the first time | Harbour Herald</title>
<meta property="og:site_name" content="Harbour Herald">
<meta property="og:title" content="Rotterdam storm barrier closes for the first time">
<link rel="canonical" href="https://harbour-herald.example/news/rotterdam-barrier">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Rotterdam storm barrier closes for the first time", "datePublished": "2024-02-13T08:30:00Z",
 "author": {{"@type": "Person", "name": "Pieter Jansen"}}}}</script></head>
<body>
<header><div class="logo">Harbour Herald</div><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<p>Home | World | Business | Sport</p></header>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies. Accept all cookies</p><button>Accept all cookies</button></div>
<main><article>
<h1>Rotterdam storm barrier closes for the first time</h1>
<p class="byline">By Pieter Jansen · <time datetime="2024-02-13T08:30:00Z">13 February 2024</time></p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
{''.join(f'<p>{s}</p>' for s in BODY)}
<div class="paywall-teaser"><p>Subscribe to read more</p></div>
</article>
<aside class="related"><h3>Related articles</h3><ul><li><a href="/a">Ten best beaches in Spain</a></li>
<li><a href="/b">Why bread is getting dearer</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3><div class="comment"><p>Great article, thanks</p></div>
<p>Sign in to comment</p></section>
</main><footer><p>© Harbour Herald 2024. All rights reserved.</p></footer></body></html>"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Valley Gazette</title><link>https://valley.example/</link>
<description>Local news</description>
<item><title>Bridge over the Linth reopens</title><link>https://valley.example/bridge</link>
<pubDate>Mon, 04 Mar 2024 09:00:00 GMT</pubDate>
<description><![CDATA[<p>The bridge over the Linth reopened on Monday after repairs that cost 2.1 million francs.</p>
<p>Mayor Ruth Keller cut the ribbon.</p>]]></description></item>
<item><title>School choir wins regional prize</title><link>https://valley.example/choir</link>
<pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
<description>The school choir of Glarus won the regional prize with a song about glaciers.</description></item>
<item><title>Snow closes the Klausen pass</title><link>https://valley.example/pass</link>
<pubDate>Wed, 06 Mar 2024 07:00:00 GMT</pubDate>
<description>Heavy snow closed the Klausen pass for three days, the road office said.</description></item>
</channel></rss>"""

EXPORT = [
    {"title": "Wind farm approved off the coast of Jutland", "content": "Danish regulators approved a wind farm of "
     "40 turbines off the coast of Jutland on Thursday. The operator Vestkyst Energi expects power by 2027.",
     "publishedAt": "2024-05-16T12:00:00Z", "url": "https://news.example/wind", "source": {"name": "Nordic Wire"},
     "author": "Mette Holm"},
    {"title": "Ferry strike ends in Helsinki", "description": "A two-week ferry strike in Helsinki ended on Friday "
     "after workers accepted a 4 percent raise.", "published": "2024-05-17", "url": "https://news.example/ferry"},
]


def write_pdf(path, lines, title=None):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    if title:
        pdf.set_title(title)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


@pytest.fixture
def formats(tmp_path):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "barrier.html").write_text(PAGE, encoding="utf-8")
    (corpus / "valley.rss").write_text(FEED, encoding="utf-8")
    write_pdf(corpus / "glacier report.pdf", [
        "Glacier in retreat", "Survey office, 12 January 2024",
        "The Aletsch glacier lost 60 metres of length in 2023, the survey office reported.",
        "Scientists measured the ice with drones for the first time."], title="Glacier in retreat")
    (corpus / "export.jsonl").write_text("\n".join(json.dumps(a) for a in EXPORT) + "\n", encoding="utf-8")
    return corpus


def test_html_keeps_the_story_and_drops_the_page_around_it(formats):
    (doc,) = read_file(formats / "barrier.html", "barrier.html")
    for sentence in BODY:
        assert sentence in doc.text
    for junk in BOILERPLATE:
        assert junk not in doc.text, junk
    assert doc.title == "Rotterdam storm barrier closes for the first time"
    assert doc.date == "2024-02-13" and doc.author == "Pieter Jansen" and doc.site == "Harbour Herald"
    assert doc.url == "https://harbour-herald.example/news/rotterdam-barrier"


def test_feed_entries_are_articles_with_their_own_dates_and_links(formats):
    docs = read_file(formats / "valley.rss", "valley.rss")
    assert [d.source for d in docs] == ["valley.rss#1", "valley.rss#2", "valley.rss#3"]
    assert [d.date for d in docs] == ["2024-03-04", "2024-03-05", "2024-03-06"]
    assert docs[0].title == "Bridge over the Linth reopens" and docs[0].url == "https://valley.example/bridge"
    assert "cost 2.1 million francs" in docs[0].text and "<p>" not in docs[0].text
    assert all(d.origin == "valley.rss" and d.site == "Valley Gazette" for d in docs)


def test_pdf_and_json_export(formats):
    (pdf,) = read_file(formats / "glacier report.pdf", "glacier report.pdf")
    assert "The Aletsch glacier lost 60 metres" in " ".join(pdf.text.split()) and pdf.title == "Glacier in retreat"
    assert pdf.date == "2024-01-12"  # the date the text states, not the file's creation date
    wind, ferry = read_file(formats / "export.jsonl", "export.jsonl")
    assert (wind.source, wind.date, wind.site, wind.author) == ("export.jsonl#1", "2024-05-16", "Nordic Wire", "Mette Holm")
    assert ferry.date == "2024-05-17" and "4 percent raise" in ferry.text and ferry.title == "Ferry strike ends in Helsinki"


def test_one_index_run_reads_every_format_and_answers_with_exact_quotes(formats, tmp_path):
    settings = Settings(corpus=formats, index=tmp_path / "index", embedder="fake-bow", chunk_tokens=60,
                        chunk_overlap=10, min_relevance=0.05)
    report = build_fake_index(settings, FakeEmbedder())
    assert report.formats == {"html": 1, "rss": 3, "pdf": 1, "jsonl": 2} and report.undated == 0
    from rag.pipeline import Pipeline
    from rag.retrieve import Retriever
    from rag.store import load_index

    cases = [("How high was the surge the Rotterdam barrier held back?",
              "The barrier held back a surge of 3.2 metres [1].", "barrier.html", "2024-02-13"),
             ("How much did the repairs of the bridge over the Linth cost?",
              "The repairs cost 2.1 million francs [1].", "valley.rss#1", "2024-03-04"),
             ("How much length did the Aletsch glacier lose in 2023?",
              "The Aletsch glacier lost 60 metres of length in 2023 [1].", "glacier report.pdf", "2024-01-12"),
             ("How many turbines will the wind farm off Jutland have?",
              "The wind farm will have 40 turbines [1].", "export.jsonl#1", "2024-05-16")]
    index = load_index(settings.index)
    for question, reply, source, date in cases:
        pipe = Pipeline(settings, Retriever(index, FakeEmbedder()), FakeGenerator(reply))
        answer = pipe.answer(question)
        assert not answer.refused, (question, answer.reply)
        c = answer.citations[0]
        assert c.source == source and pipe.article(source)[c.start:c.end] == c.quote
        assert date is None or c.date == date
    # --since uses each article's own date: the feed's first two entries are left out
    hits = Retriever(index, FakeEmbedder()).retrieve("bridge choir snow", 5, DateRange.parse("2024-03-06", None))
    assert {h.chunk.source for h in hits} <= {"valley.rss#3", "export.jsonl#1", "export.jsonl#2"}
    assert index.url("barrier.html") == "https://harbour-herald.example/news/rotterdam-barrier"
    from ui.app import render_sources

    pipe = Pipeline(settings, Retriever(index, FakeEmbedder()), FakeGenerator(cases[0][1]))
    card = render_sources(pipe.answer(cases[0][0]), 1, pipe.article, lambda s: index.manifest.meta.get(s, {}))
    assert '<a href="https://harbour-herald.example/news/rotterdam-barrier"' in card
    assert "Harbour Herald · Pieter Jansen" in card
    # a second run reads nothing and keeps the stored texts
    again = build_fake_index(settings, FakeEmbedder())
    assert again.embedded == 0 and load_index(settings.index).text("valley.rss#2").startswith("School choir")


def test_bad_inputs_each_get_one_warning_and_the_rest_is_indexed(formats, tmp_path, caplog):
    from pypdf import PdfWriter

    (formats / "broken.html").write_text("<html><body><div><p>Unclosed <b>tags <i>everywhere", encoding="utf-8")
    (formats / "login.html").write_text("<html><head><title>Sign in</title></head><body><form><input name=u>"
                                        "<input type=password><button>Log in</button></form></body></html>")
    (formats / "empty.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
                                       "</channel></rss>")
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with open(formats / "locked.pdf", "wb") as fh:
        writer.write(fh)
    blank = PdfWriter()
    blank.add_blank_page(200, 200)  # a page with no text layer, like a scan
    with open(formats / "scan.pdf", "wb") as fh:
        blank.write(fh)
    (formats / "notext.jsonl").write_text('{"title": "Only a title"}\n{"text": "A short real article about ferries '
                                          'in Helsinki harbour that stopped."}\nnot json\n')
    with open(formats / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    settings = Settings(corpus=formats, index=tmp_path / "index", embedder="fake-bow", chunk_tokens=60,
                        chunk_overlap=10)
    with caplog.at_level(logging.WARNING):
        report = build_fake_index(settings, FakeEmbedder())
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for name, why in [("login.html", "no article text"), ("empty.xml", "no entries"), ("locked.pdf", "encrypted"),
                      ("scan.pdf", "no text layer"), ("notext.jsonl entry 1", "no text"),
                      ("notext.jsonl line 3", "not valid JSON"), ("huge.txt", "larger than")]:
        assert sum(name in line and why in line for line in lines) == 1, (name, lines)
    sources = set(load_index_sources(settings))
    assert {"barrier.html", "valley.rss#1", "glacier report.pdf", "export.jsonl#2", "notext.jsonl#2"} <= sources
    assert report.formats["html"] >= 1 and all(f.exists() for f in formats.iterdir())  # nothing deleted


def load_index_sources(settings):
    from rag.store import load_index

    return load_index(settings.index).manifest.files


def test_real_models_answer_about_every_format(formats, tmp_path, smol_dir):
    """The real MiniLM embedder, FAISS and SmolLM2 over the four formats: exact quotes, each article's date."""
    from rag.cli import update_index
    from rag.pipeline import Pipeline

    settings = Settings(corpus=formats, index=tmp_path / "index", model="smollm2-135m")
    report, embedder = update_index(settings)
    assert report.formats == {"html": 1, "rss": 3, "pdf": 1, "jsonl": 2} and report.undated == 0
    pipe = Pipeline.load(settings, embedder=embedder)
    for question, figure, source, date in [
            ("How high was the surge the Rotterdam barrier held back?", "3.2", "barrier.html", "2024-02-13"),
            ("How much did the repairs of the bridge over the Linth cost?", "2.1 million", "valley.rss#1", "2024-03-04"),
            ("How much length did the Aletsch glacier lose in 2023?", "60", "glacier report.pdf", "2024-01-12"),
            ("How many turbines will the wind farm off Jutland have?", "40", "export.jsonl#1", "2024-05-16")]:
        answer = pipe.answer(question)
        assert not answer.refused and figure in answer.answer, (question, answer.reply)
        c = answer.citations[0]
        assert (c.source, c.date) == (source, date) and pipe.article(source)[c.start:c.end] == c.quote
