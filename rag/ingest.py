"""Read the articles of a corpus folder: `.txt` and `.md` files, recursively, UTF-8.

The text is kept exactly as on disk (no newline or whitespace normalisation) so that
character offsets point into the file. A file that is empty, binary or not valid UTF-8 is
skipped with a one-line warning naming it; symlinks that lead outside the corpus are not
followed. Simplified on purpose: HTML and PDF are not read yet; a UTF-8 byte-order mark is
stripped, which shifts offsets by one character relative to a BOM-aware reader.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from pathlib import Path

from rag.dates import article_date, find_date
from rag.errors import CorpusError, InputError
from rag.schema import Document

log = logging.getLogger(__name__)

EXTENSIONS = (".txt", ".md")
MAX_BYTES = 20 * 1024 * 1024


def corpus_files(folder: Path) -> list[Path]:
    """Article files under `folder`, sorted, skipping hidden entries and outside symlinks."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder {folder} not found (pass --corpus DIR, or put articles in it)")
    root = folder.resolve()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(EXTENSIONS):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                log.warning("skipping %s: symlink points outside the corpus", path)
                continue
            found.append(path)
    return found


def read_document(path: Path, source: str) -> Document | None:
    """One article, or None (with a warning) when it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            log.warning("skipping %s: larger than %d MB", source, MAX_BYTES // (1024 * 1024))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        log.warning("skipping %s: cannot read it (%s)", source, exc.strerror or exc)
        return None
    if b"\x00" in raw[:8192]:
        log.warning("skipping %s: binary content", source)
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        log.warning("skipping %s: not valid UTF-8 (byte %d)", source, exc.start)
        return None
    if not text.strip():
        log.warning("skipping %s: empty", source)
        return None
    return Document(source=source, text=text, title=title_of(text), sha256=hashlib.sha256(raw).hexdigest(),
                    date=article_date(text))


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


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def safe_name(name: str) -> str:
    """A file name that stays inside the corpus: no folders, no leading dots, no odd characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .")
    return base[:120]


def save_upload(corpus: Path, name: str, data: bytes) -> Path:
    """Save an uploaded article into `corpus`, refusing anything that could not be indexed.

    The name is sanitised, never overwrites an existing file (a numeric suffix is added),
    and the final path is checked to lie inside the corpus folder.
    """
    clean = safe_name(name)
    stem, ext = os.path.splitext(clean)
    if ext.lower() not in EXTENSIONS or not stem:
        raise InputError(f"upload '{name}': only .txt and .md files can be added")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"upload '{name}' is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data[:8192]:
        raise InputError(f"upload '{name}' is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"upload '{name}' is not UTF-8 text") from None
    if not text.strip():
        raise InputError(f"upload '{name}' is empty")
    corpus.mkdir(parents=True, exist_ok=True)
    root = corpus.resolve()
    target = root / f"{stem}{ext.lower()}"
    n = 1
    while target.exists():
        n += 1
        target = root / f"{stem}-{n}{ext.lower()}"
    if target.parent != root:
        raise InputError(f"upload '{name}': bad file name")
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def read_corpus(folder: Path) -> list[Document]:
    """Every usable article of `folder`; an error when none is usable."""
    docs = []
    for path in corpus_files(folder):
        doc = read_document(path, path.relative_to(folder).as_posix())
        if doc is not None:
            docs.append(doc)
    if not docs:
        raise CorpusError(f"corpus folder {folder} holds no readable .txt or .md article")
    return docs
