"""One reader per file format, behind one entry point: `read_file(path, source) -> list[Document]`.

Each reader uses a library made for its format and returns the articles a file holds,
with the metadata the file itself gives (title, date, author, site, URL):

- `.txt`, `.md`: the text as on disk (UTF-8; a byte-order mark is dropped); title and date
  from its first lines (`rag.dates`).
- `.html`, `.htm`: trafilatura extracts the main text (navigation, cookie notices, share
  buttons, comments and related-article lists dropped) and the title, author, site name,
  canonical URL and publication date (htmldate, via trafilatura).
- `.xml`, `.rss`, `.atom`: feedparser; each entry is one article (its title, link,
  published date, and its HTML content cleaned by trafilatura). Its id is `FILE#n`.
- `.pdf`: pypdf's text extraction; one article per file, titled by the document's
  metadata or its first line; date from the metadata's creation date when it has one.
- `.jsonl`, `.json`: news-API exports, one article per object (a JSON array, an object
  with an `articles` list, or one object per line) with `title`, `text`/`content`/`body`,
  `date`/`published`/`publishedAt`, `url`, `author`, `source`. Its id is `FILE#n`.
A file that cannot be used, or an entry without text, gives one warning naming it and why;
nothing else is lost. `Document.text` is what gets indexed, stored with the index and
quoted: every citation's offsets point into it.
Simplified on purpose: one language-agnostic extraction setting; no OCR (an image-only PDF
is skipped with a warning); JSON fields are matched by the common names above.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

from rag.dates import article_date, find_date
from rag.schema import Document

log = logging.getLogger("rag.ingest")

MAX_BYTES = 20 * 1024 * 1024
TITLE_CHARS = 150
_DATE_PREFIX = re.compile(r"^(?:(?:date|published|updated)\s*:?\s*)?", re.I)


def title_of(text: str) -> str:
    """The first line that is more than a date, without markdown '#' or a leading date."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if not line:
            continue
        found = find_date(line)
        if found is not None and not _DATE_PREFIX.sub("", line[:found[1]]).strip():
            line = line[found[2]:].strip(" -–—|:,")  # "date 2023-10-14 Title" -> "Title"
        if len(line) > TITLE_CHARS:  # no headline: the story starts at once
            line = line[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        if line:
            return line
    return ""


def iso_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a metadata value ("2023-10-14T08:00:00Z", "Sat, 14 Oct 2023 …")."""
    if not isinstance(value, str) or not value.strip():
        return None
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(value.strip()).date().isoformat()
    except ValueError:
        pass
    found = find_date(value)
    if found is not None:
        return found[0].isoformat()
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _doc(source: str, text: str, origin: str, title: str = "", date: str | None = None, **meta) -> Document:
    text = text.strip("\ufeff")
    digest = hashlib.sha256(json.dumps([text, title, date, meta], sort_keys=True).encode()).hexdigest()
    return Document(source, text, title or title_of(text), digest, date or article_date(text), origin=origin,
                    url=meta.get("url") or None, author=meta.get("author") or None, site=meta.get("site") or None)


def _skip(source: str, why: str) -> list[Document]:
    log.warning("skipping %s: %s", source, why)
    return []


def read_text(path: Path, source: str, raw: bytes) -> list[Document]:
    if b"\x00" in raw[:8192]:
        return _skip(source, "binary content")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _skip(source, f"not valid UTF-8 (byte {exc.start})")
    if not text.strip():
        return _skip(source, "empty")
    return [Document(source, text, title_of(text), hashlib.sha256(raw).hexdigest(), article_date(text),
                     origin=source)]


def _html_article(html: str, url: str | None = None) -> dict | None:
    """trafilatura's main text and metadata of one HTML page, or None when it holds no article text."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    found = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                        include_tables=True, favor_precision=True)
    if found is None:
        return None
    data = found.as_dict() if hasattr(found, "as_dict") else dict(found)
    if not (data.get("text") or "").strip():
        return None
    return data


def read_html(path: Path, source: str, raw: bytes) -> list[Document]:
    html = raw.decode("utf-8", errors="replace")
    data = _html_article(html)
    if data is None:
        return _skip(source, "no article text found in the page (a login page, or only navigation?)")
    title = (data.get("title") or "").strip()
    text = data["text"].strip()
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return [_doc(source, text, source, title, iso_date(data.get("date")), url=data.get("url"),
                 author=data.get("author"), site=data.get("sitename"))]


def read_feed(path: Path, source: str, raw: bytes) -> list[Document]:
    import feedparser

    feed = feedparser.parse(raw)
    if not feed.entries:
        why = f"not a feed ({feed.bozo_exception})" if feed.get("bozo") and not feed.get("feed") else "feed has no entries"
        return _skip(source, why)
    site = (feed.feed.get("title") or "").strip() or None
    docs = []
    for n, entry in enumerate(feed.entries, start=1):
        sid = f"{source}#{n}"
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        body = body or entry.get("summary", "")
        data = _html_article(f"<html><body><article>{body}</article></body></html>") if "<" in body else None
        text = (data["text"] if data else re.sub(r"\s+\n", "\n", body)).strip()
        title = (entry.get("title") or "").strip()
        if not text:
            log.warning("skipping %s: entry %d has no text", source, n)
            continue
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}"
        date = iso_date(entry.get("published") or entry.get("updated"))
        docs.append(_doc(sid, text, source, title, date, url=entry.get("link"), author=entry.get("author"), site=site))
    return docs


def read_pdf(path: Path, source: str, raw: bytes) -> list[Document]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            return _skip(source, "the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata or {}
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        return _skip(source, f"not a readable PDF ({exc})")
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        return _skip(source, "the PDF has no text layer (scanned images?); OCR is not done")
    title = (getattr(meta, "title", None) or "").strip()
    created = getattr(meta, "creation_date", None)  # when the file was made: only if the text names no date
    date = article_date(text) or (created.date().isoformat() if created else None)
    return [_doc(source, text, source, title, date, author=(getattr(meta, "author", None) or "").strip())]


_TEXT_KEYS = ("text", "content", "body", "article", "description")
_DATE_KEYS = ("date", "published", "publishedAt", "published_at", "pubDate", "datePublished")


def read_json(path: Path, source: str, raw: bytes) -> list[Document]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _skip(source, f"not valid UTF-8 (byte {exc.start})")
    items: list[object] = []
    try:
        whole = json.loads(text)
        items = whole if isinstance(whole, list) else whole.get("articles", [whole]) if isinstance(whole, dict) else []
    except json.JSONDecodeError:
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                log.warning("skipping %s line %d: not valid JSON (%s)", source, lineno, exc.msg)
                items.append(None)
    docs = []
    for n, item in enumerate(items, start=1):
        if item is None:
            continue
        if not isinstance(item, dict):
            log.warning("skipping %s entry %d: not a JSON object", source, n)
            continue
        body = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str) and item[k].strip()), "")
        if not body:
            log.warning("skipping %s entry %d: no text (expected one of %s)", source, n, ", ".join(_TEXT_KEYS))
            continue
        if "<" in body and ">" in body:
            data = _html_article(f"<html><body><article>{body}</article></body></html>")
            body = data["text"] if data else body
        title = item.get("title") if isinstance(item.get("title"), str) else ""
        body = body.strip()
        if title and not body.startswith(title):
            body = f"{title}\n\n{body}"
        date = next((iso_date(item[k]) for k in _DATE_KEYS if item.get(k)), None)
        site = item.get("source")
        site = site.get("name") if isinstance(site, dict) else site
        docs.append(_doc(f"{source}#{n}", body, source, title.strip(), date, url=item.get("url"),
                         author=item.get("author") if isinstance(item.get("author"), str) else None,
                         site=site if isinstance(site, str) else None))
    if not docs and items:
        log.warning("skipping %s: no entry with text", source)
    elif not items:
        log.warning("skipping %s: no articles in it", source)
    return docs


READERS: dict[str, Callable[[Path, str, bytes], list[Document]]] = {
    ".txt": read_text, ".md": read_text, ".html": read_html, ".htm": read_html,
    ".xml": read_feed, ".rss": read_feed, ".atom": read_feed, ".pdf": read_pdf,
    ".jsonl": read_json, ".json": read_json,
}
EXTENSIONS = tuple(READERS)


def format_of(source: str) -> str:
    """The format name of a file or an entry id ("feed.xml#2" -> "xml")."""
    return Path(source.split("#", 1)[0]).suffix.lower().lstrip(".")


def read_file(path: Path, source: str) -> list[Document]:
    """The articles of one file (none, with a warning, when it cannot be used)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return _skip(source, f"not one of {', '.join(EXTENSIONS)}")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _skip(source, f"larger than {MAX_BYTES // (1024 * 1024)} MB")
        raw = path.read_bytes()
    except OSError as exc:
        return _skip(source, f"cannot read it ({exc.strerror or exc})")
    if not raw.strip():
        return _skip(source, "empty")
    try:
        return reader(path, source, raw)
    except Exception as exc:  # a library choking on a malformed file must not stop the build
        log.debug("reader failed", exc_info=True)
        return _skip(source, f"could not be read as {format_of(source)} ({type(exc).__name__}: {exc})")
