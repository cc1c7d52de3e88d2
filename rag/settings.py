"""One frozen settings object, read from a TOML file and overridden by CLI flags.

Unknown keys are rejected and every value is checked in `__post_init__`, so a bad value
fails at the boundary with a message naming the setting. Relative paths are taken
relative to the current directory (the project root when run through `make`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.generate import RUNTIMES

DEFAULT_CONFIG = Path("rag.toml")


def _default_cache_dir() -> Path:
    env = os.environ.get("RAG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rag-news"


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("data/articles")
    index: Path = Path("index")
    # A preset name (see rag.models.PRESETS), a .gguf file or a transformers model folder.
    model: str = "qwen2.5-0.5b"
    embedder: str = "all-MiniLM-L6-v2"
    # "openvino" (no torch at question time) or "sentence-transformers" (the torch reference).
    embedder_backend: str = "openvino"
    cache_dir: Path = dataclasses.field(default_factory=_default_cache_dir)
    # "tokens" (sentence runs of chunk_tokens, chunk_overlap) or "paragraphs" (rag.chunk.CHUNKERS).
    chunking: str = "paragraphs"
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    top_k: int = 4
    # Token budget for the numbered passages in the prompt (generator tokens).
    context_tokens: int = 900
    # Cut each passage to its sentences nearest the question within this many tokens (0: whole).
    passage_tokens: int = 0
    max_new_tokens: int = 120
    # Below this cosine similarity of the best passage the question is refused unasked.
    min_relevance: float = 0.30
    # Share of an answer sentence's content words a quote must hold to count as support.
    min_support: float = 0.5
    threads: int = 0  # CPU threads of the generator and embedder; 0: the runtime decides
    # The generator runtime, a name in rag.generate.RUNTIMES ("llama.cpp" needs `make setup-fast`).
    backend: str = "openvino"
    # Weights: "auto" (the runtime's default) or one the runtime offers (rag.generate.RUNTIMES).
    dtype: str = "auto"
    # When the checks refuse every claim of the model's reply, ask it once more to copy the sentence
    # that answers, held to that sentence (rag.pipeline: "second reading"); false: refuse at once.
    reread: bool = True
    # How a follow-up question is made standalone (rag.followup.RESOLVERS): "rewrite", "substitute" or "terms".
    followup: str = "substitute"
    # An OpenAI-compatible server that generates instead of a local model (llama-server, vLLM,
    # Ollama, `rag serve --raw`), e.g. "http://127.0.0.1:8080/v1"; setting it selects backend "server".
    generator_url: str = ""
    # The model name sent to that server ("": the first it lists at /v1/models).
    generator_model: str = ""

    def __post_init__(self) -> None:
        for name in ("corpus", "index", "cache_dir"):
            value = getattr(self, name)
            if not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        for name in ("model", "embedder"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                raise InputError(f"setting '{name}' must be a non-empty string")
        _check_int("chunk_tokens", self.chunk_tokens, 16, 8192)
        _check_int("chunk_overlap", self.chunk_overlap, 0, self.chunk_tokens - 1)
        _check_int("top_k", self.top_k, 1, 50)
        _check_int("context_tokens", self.context_tokens, 64, 32768)
        _check_int("max_new_tokens", self.max_new_tokens, 1, 4096)
        _check_int("passage_tokens", self.passage_tokens, 0, 8192)
        _check_int("threads", self.threads, 0, 256)
        _check_float("min_relevance", self.min_relevance, -1.0, 1.0)
        _check_float("min_support", self.min_support, 0.0, 1.0)
        if not isinstance(self.reread, bool):
            raise InputError(f"setting 'reread' must be true or false, got {self.reread!r}")
        for name in ("generator_url", "generator_model"):
            if not isinstance(getattr(self, name), str):
                raise InputError(f"setting '{name}' must be a string")
        if self.generator_url:
            _check_url("generator_url", self.generator_url)
            object.__setattr__(self, "backend", "server")
        _check_choice("backend", self.backend, tuple(RUNTIMES))
        if self.backend == "server" and not self.generator_url:
            raise InputError("backend 'server' needs generator_url (--generator-url http://HOST:PORT/v1)")
        _check_choice("followup", self.followup, ("rewrite", "substitute", "terms"))
        _check_choice("chunking", self.chunking, ("tokens", "paragraphs"))
        _check_choice("embedder_backend", self.embedder_backend, ("openvino", "sentence-transformers"))
        if self.dtype != "auto":
            _check_choice("dtype", self.dtype, RUNTIMES[self.backend].weights)

    def weights_for(self, backend: str) -> str:
        """The weights the `backend` runtime loads: `dtype`, or that runtime's default for "auto"."""
        return RUNTIMES[backend].weights[0] if self.dtype == "auto" else self.dtype

    def replace(self, **changes: object) -> Settings:
        """A copy with the given (non-None) values changed; None means 'keep'."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InputError(f"setting '{name}' must be one of {', '.join(choices)}, got {value!r}")


def _check_url(name: str, value: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"setting '{name}' must be an http(s) URL such as http://127.0.0.1:8080/v1, got {value!r}")


def _check_int(name: str, value: object, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"setting '{name}' must be an integer, got {value!r}")
    if not lo <= value <= hi:
        raise InputError(f"setting '{name}' must be between {lo} and {hi}, got {value}")


def _check_float(name: str, value: object, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"setting '{name}' must be a number, got {value!r}")
    if not lo <= float(value) <= hi:
        raise InputError(f"setting '{name}' must be between {lo} and {hi}, got {value}")


def load_settings(config: Path | None = None, **overrides: object) -> Settings:
    """Settings from `config` (or ./rag.toml when present), then `overrides` on top."""
    values: dict[str, object] = {}
    path = config if config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    if path is not None:
        try:
            with open(path, "rb") as fh:
                values = tomllib.load(fh)
        except FileNotFoundError:
            raise InputError(f"config file {path} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"config file {path} is not valid TOML: {exc}") from None
    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"unknown setting(s) in {path}: {', '.join(unknown)}")
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
