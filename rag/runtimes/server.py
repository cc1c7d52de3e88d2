"""Generation on an OpenAI-compatible server the user already runs (`--generator-url URL`).

llama.cpp's `llama-server`, vLLM, Ollama, TGI and `rag serve --raw` all answer
`POST /v1/chat/completions`; the official `openai` client talks to them. The prompt, the
citation checks and the refusals stay ours: only the messages go out, greedy
(`temperature 0`), and the streamed deltas come back. The prompt budget is counted with the
local model's tokenizer (`settings.model`, read without its weights), so the counts are
exact when the server runs the same model and an estimate otherwise.
The model name sent is `generator_model`, or the first the server lists at `/v1/models`.
A server that is down, answers an error or sends something that is not a completion
stream becomes one `ModelError` line naming the URL; nothing is retried.
Simplified on purpose: no retries, no batching; an optional key from `RAG_GENERATOR_KEY`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence

from rag.errors import ModelError
from rag.models import resolve_tokenizer
from rag.prompt import Message
from rag.settings import Settings
from rag.tokens import TokenCounter, load_counter

log = logging.getLogger(__name__)

KEY_ENV = "RAG_GENERATOR_KEY"
TIMEOUT_S = 120.0


class ServerGenerator:
    def __init__(self, settings: Settings) -> None:
        import openai

        self.url = settings.generator_url.rstrip("/")
        self.name = settings.model
        self.counter: TokenCounter = load_counter(resolve_tokenizer(settings.model, settings.cache_dir))
        self.client = openai.OpenAI(base_url=self.url, api_key=os.environ.get(KEY_ENV) or "none",
                                    timeout=TIMEOUT_S, max_retries=0)
        self.model = settings.generator_model or self._first_model()

    def _fail(self, exc: Exception) -> ModelError:
        import httpx
        import openai

        if isinstance(exc, openai.APIConnectionError):
            why = "is not reachable" if not isinstance(exc, openai.APITimeoutError) else f"did not answer in {TIMEOUT_S:.0f} s"
            cause = exc.__cause__ or exc
            return ModelError(f"generator server {self.url} {why} ({type(cause).__name__}: {cause}); "
                              "start it or drop --generator-url")
        if isinstance(exc, openai.APIStatusError):
            return ModelError(f"generator server {self.url} answered HTTP {exc.status_code}: "
                              f"{' '.join(str(exc.message).split())[:200]}")
        if isinstance(exc, httpx.HTTPError):
            return ModelError(f"generator server {self.url} broke off its reply ({type(exc).__name__}: {exc})")
        log.debug("generator server %s: unreadable reply", self.url, exc_info=exc)
        return ModelError(f"generator server {self.url} sent a reply that is not an OpenAI-compatible response; "
                          "is the URL the server's /v1 address?")

    def _first_model(self) -> str:
        try:
            models = [m.id for m in self.client.models.list().data]
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line naming the server
            raise self._fail(exc) from None
        if not models:
            raise ModelError(f"generator server {self.url} lists no model at /v1/models; set generator_model")
        log.debug("generator server %s: using model %s", self.url, models[0])
        return models[0]

    def stream(self, messages: Sequence[Message], max_new_tokens: int) -> Iterator[str]:
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=[{"role": m.role, "content": m.content} for m in messages],
                max_tokens=max_new_tokens, temperature=0.0, stream=True)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None
        try:
            chunks = iter(response)
            events = 0
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    if not events:
                        raise self._fail(ValueError("the stream held no completion event")) from None
                    return
                except Exception as exc:  # noqa: BLE001
                    raise self._fail(exc) from None
                if not isinstance(getattr(chunk, "choices", None), list):
                    raise self._fail(ValueError(f"a stream event without choices: {chunk!r}"[:200]))
                events += 1
                for choice in chunk.choices:
                    piece = getattr(choice.delta, "content", None) if choice.delta is not None else None
                    if piece:
                        yield piece
        finally:
            response.close()  # the consumer stopped: the server sees the connection close
