"""llama.cpp through llama-cpp-python (`--backend llama.cpp`, `make setup-fast`: compiled, ~6 min).

The model's GGUF is run as is, with the chat template stored in it; token counts still
come from the model's own vocabulary (`rag.tokens`), so budgets match the other runtimes.
llama.cpp reuses the common prompt prefix itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence

from rag.errors import ModelError
from rag.models import gguf_file, resolve_tokenizer, set_offline
from rag.prompt import Message
from rag.settings import Settings
from rag.tokens import TokenCounter, load_counter

class LlamaGenerator:
    def __init__(self, settings: Settings) -> None:
        set_offline()
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("backend llama.cpp is not installed; run: make setup-fast "
                             "(pip install llama-cpp-python)") from None
        self.name = settings.model
        self.counter: TokenCounter = load_counter(resolve_tokenizer(settings.model, settings.cache_dir))
        gguf = gguf_file(settings.model, settings.cache_dir)
        try:
            self.llm = Llama(model_path=str(gguf), n_ctx=4096, n_threads=settings.threads or os.cpu_count() or 1,
                             n_batch=512, verbose=False)
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"llama.cpp could not load {gguf}: {exc}") from None
        self._lock = threading.Lock()

    def stream(self, messages: Sequence[Message], max_new_tokens: int) -> Iterator[str]:
        with self._lock:
            try:
                parts = self.llm.create_chat_completion(
                    messages=[{"role": m.role, "content": m.content} for m in messages],
                    max_tokens=max_new_tokens, temperature=0.0, top_k=1, stream=True)
                for part in parts:
                    piece = part["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"generation failed: {exc}") from None
