"""Shared fixtures: a fake embedder and generator for fast tests, real models for end-to-end ones.

The fake embedder hashes content words into a fixed-size bag-of-words vector, which is
enough for lexical questions; the fake generator returns a scripted reply. Real-model
fixtures are session-scoped so each model is loaded once per test run.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from rag.settings import Settings
from rag.text import content_words

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
def passage(source: str, text: str, start: int = 0, end: int | None = None, dense: float = 0.5):
    """A retrieved passage (a `Hit`) holding text[start:end] of an article `text`, as the checks see one."""
    from rag.schema import Chunk, Hit

    end = len(text.rstrip("\n")) if end is None else end
    return Hit(Chunk(source, start, end, text[start:end]), "title", 0.03, dense, 1.0)


# the keys of `rag ask --json` (Answer.to_json), in order: the public contract every front end keeps
ANSWER_KEYS = ["question", "searched", "answer", "refused", "citations", "claims", "conflicts", "extractive",
               "articles_indexed", "timings"]


class FakeEmbedder:
    name = "fake-bow"
    dim = 64

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str], **_: object) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in content_words(t):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        return out


class WordCounter:
    """A whitespace 'tokenizer': one token per word; enough to test budgets."""

    name = "words"

    def encode_ordinary(self, text: str) -> list[int]:
        return [len(w) for w in text.split()]

    def decode(self, tokens: list[int]) -> str:
        return " ".join("x" * n for n in tokens)


class FakeGenerator:
    """Replies with `reply` to questions and with `rewrite` to follow-up rewriting requests."""

    counter = WordCounter()

    def __init__(self, reply: str, rewrite: str = "") -> None:
        self.reply = reply
        self.rewrite = rewrite
        self.prompts: list[str] = []
        self.pieces_sent = 0

    def stream(self, messages, max_new_tokens: int) -> Iterator[str]:
        from rag.followup import REWRITE_PROMPT

        if messages[0].content == REWRITE_PROMPT:
            yield self.rewrite
            return
        self.prompts.append(messages[-1].content)
        for word in self.reply.split(" "):
            self.pieces_sent += 1
            yield word + " "


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled articles."""
    dest = tmp_path / "articles"
    shutil.copytree(ARTICLES, dest)
    return dest


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(corpus=corpus, index=tmp_path / "index", embedder="fake-bow", chunk_tokens=60,
                    chunk_overlap=10, min_relevance=0.1)


def build_fake_index(settings: Settings, embedder: FakeEmbedder, **kw):
    from rag.indexer import build_index

    return build_index(settings, WordCounter(), embedder, **kw)


@pytest.fixture(scope="session")
def smol_dir() -> Path:
    """The real SmolLM2-135M test model, converted once into the user cache."""
    from rag.models import resolve_model

    return resolve_model("smollm2-135m", Settings().cache_dir)


def fake_pipeline(settings: Settings, reply: str, rewrite: str = ""):
    """A Pipeline over a real FAISS index of the bundled articles, with fake models."""
    from rag.pipeline import Pipeline
    from rag.retrieve import Retriever
    from rag.store import load_index

    embedder = FakeEmbedder()
    build_fake_index(settings, embedder)
    return Pipeline(settings, Retriever(load_index(settings.index), embedder), FakeGenerator(reply, rewrite))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc, timeout: float = 300.0) -> None:
    """Wait until `url` answers (any HTTP status) while `proc` runs; fail with its stderr if it exits."""
    import time
    import urllib.error
    import urllib.request

    deadline = time.time() + timeout
    while True:
        assert proc.poll() is None, proc.stderr.read()
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert time.time() < deadline, f"{url} did not answer in {timeout:.0f} s"
            time.sleep(0.5)
