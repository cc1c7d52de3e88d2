"""The corpus folder: which files are articles, reading them all, and saving uploads into it.

Files are found recursively (hidden entries skipped; symlinks that lead outside the corpus
are not followed) by the extensions `rag.readers` reads; each is read by its format's
reader (`rag.readers.read_file`), which warns about and skips what it cannot use.
`save_upload` stores a file a user adds (chat upload, `rag add`) under a safe new name.
Simplified on purpose: a URL is fetched with the standard library, without retries.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from pathlib import Path

from rag.errors import CorpusError, InputError
from rag.readers import EXTENSIONS, read_file, title_of
from rag.schema import Document

log = logging.getLogger(__name__)
__all__ = ["EXTENSIONS", "corpus_files", "read_corpus", "save_upload", "title_of"]


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
        raise InputError(f"upload '{name}': only {', '.join(EXTENSIONS)} files can be added")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"upload '{name}' is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise InputError(f"upload '{name}' is empty")
    if ext.lower() != ".pdf":
        if b"\x00" in data[:8192]:
            raise InputError(f"upload '{name}' is binary, not text")
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"upload '{name}' is not UTF-8 text") from None
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
    docs = [d for path in corpus_files(folder) for d in read_file(path, path.relative_to(folder).as_posix())]
    if not docs:
        raise CorpusError(f"corpus folder {folder} holds no readable article ({', '.join(EXTENSIONS)})")
    return docs


FETCH_TIMEOUT = 20


def fetch_url(url: str) -> tuple[str, bytes]:
    """(file name, content) of a web page or feed; InputError naming the URL when it cannot be fetched."""
    import urllib.error
    import urllib.parse
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"User-Agent": "rag-news"}),
                                    timeout=FETCH_TIMEOUT) as resp:
            data = resp.read(MAX_UPLOAD_BYTES + 1)
            kind = (resp.headers.get_content_type() or "").lower()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: cannot download it ({reason}); is the network available?") from None
    path = urllib.parse.urlparse(url).path.rstrip("/")
    stem = os.path.splitext(os.path.basename(path))[0] or urllib.parse.urlparse(url).netloc
    ext = os.path.splitext(path)[1].lower()
    if ext not in EXTENSIONS:
        ext = (".pdf" if "pdf" in kind else ".xml" if ("rss" in kind or "atom" in kind or "xml" in kind)
               else ".json" if "json" in kind else ".html")
    return stem + ext, data
