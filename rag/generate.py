"""The generator: a small registry of runtimes, each in its own module under `rag/runtimes/`.

Every runtime takes the frozen `Settings` and offers `counter` (the model's token counter)
and `stream(messages, max_new_tokens)`, which yields text pieces of a greedy reply and
stops generating when the consumer closes the stream. The registry names each runtime's
module, class and the weights it offers (the first is its default); modules are imported
only when chosen, so an unused runtime's libraries are never loaded.

- `openvino` (default): OpenVINO GenAI on an int8 (or int4) IR exported once with
  optimum-intel; prebuilt wheels, decodes ~5x faster than float32 transformers and caches
  prompt prefixes.
- `transformers`: the float32 reference.
- `llama.cpp`: the GGUF itself, through the optional compiled llama-cpp-python.
- `server`: any OpenAI-compatible server (`generator_url`: llama-server, vLLM, Ollama,
  `rag serve --raw`); setting `generator_url` selects it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rag.prompt import Message
    from rag.settings import Settings
    from rag.tokens import TokenCounter


@dataclass(frozen=True)
class Runtime:
    module: str
    cls: str
    weights: tuple[str, ...]  # the first is the default
    description: str


RUNTIMES: dict[str, Runtime] = {
    "openvino": Runtime("rag.runtimes.openvino", "OpenVINOGenerator", ("int8", "int4"),
                        "OpenVINO GenAI, int8 weights (prebuilt wheels; the default)"),
    "transformers": Runtime("rag.runtimes.transformers", "TransformersGenerator", ("float32", "bfloat16", "int8"),
                            "transformers float32 (the reference)"),
    "llama.cpp": Runtime("rag.runtimes.llamacpp", "LlamaGenerator", ("gguf",),
                         "llama.cpp on the GGUF (make setup-fast compiles it)"),
    "server": Runtime("rag.runtimes.server", "ServerGenerator", ("remote",),
                      "an OpenAI-compatible server you run (chosen by --generator-url)"),
}


class TextGenerator(Protocol):
    name: str
    counter: TokenCounter

    def stream(self, messages: Sequence[Message], max_new_tokens: int) -> Iterator[str]: ...


def load_generator(settings: Settings) -> TextGenerator:
    """The generator for `settings.model` on the `settings.backend` runtime."""
    runtime = RUNTIMES[settings.backend]
    return getattr(importlib.import_module(runtime.module), runtime.cls)(settings)


def generate(generator: TextGenerator, messages: Sequence[Message], max_new_tokens: int) -> str:
    """The whole reply at once."""
    return "".join(generator.stream(messages, max_new_tokens))
