"""OpenVINO GenAI on the CPU (`--backend openvino`, the default).

The model is exported once to an OpenVINO IR with int8 (or int4) weights
(`rag.models.openvino_model`) and run by `openvino_genai.LLMPipeline`, whose scheduler
caches prompt prefixes: the system turn, and whole prompts asked again, are not
recomputed. `generate` blocks, so it runs in a worker thread and hands decoded pieces to
the consumer through a queue; when the consumer closes the stream the callback answers
STOP and generation ends at the next token.
Simplified on purpose: greedy decoding only; one generation at a time per loaded model.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence

from rag.errors import ModelError
from rag.models import openvino_model, set_offline
from rag.prompt import Message
from rag.runtimes.worker import stream_from_worker
from rag.settings import Settings
from rag.tokens import TokenCounter, load_counter

_DONE = object()


class OpenVINOGenerator:
    def __init__(self, settings: Settings) -> None:
        set_offline()
        try:
            import openvino_genai
        except ImportError:
            raise ModelError("backend openvino is not installed; run: make setup (pip install openvino-genai)") from None
        self.name = settings.model
        self.weights = settings.weights_for("openvino")
        self.path = openvino_model(settings.model, settings.cache_dir, self.weights)
        self.counter: TokenCounter = load_counter(self.path)
        props = {"INFERENCE_NUM_THREADS": settings.threads} if settings.threads else {}
        try:
            self.pipe = openvino_genai.LLMPipeline(str(self.path), "CPU", **props)
        except RuntimeError as exc:
            raise ModelError(f"OpenVINO could not load {self.path}: {str(exc).strip().splitlines()[-1]}") from None
        self.tokenizer = self.pipe.get_tokenizer()
        self._lock = threading.Lock()

    def prompt(self, messages: Sequence[Message]) -> str:
        """The prompt text with the model's own chat template applied."""
        return self.tokenizer.apply_chat_template([{"role": m.role, "content": m.content} for m in messages],
                                                  add_generation_prompt=True)

    def stream(self, messages: Sequence[Message], max_new_tokens: int) -> Iterator[str]:
        import openvino_genai

        config = openvino_genai.GenerationConfig()
        config.max_new_tokens = max_new_tokens
        config.do_sample = False
        config.apply_chat_template = False  # applied in prompt(), with the messages' roles
        prompt = self.prompt(messages)
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        errors: list[BaseException] = []

        def on_piece(text: str):
            pieces.put(text)
            return openvino_genai.StreamingStatus.STOP if stop.is_set() else openvino_genai.StreamingStatus.RUNNING

        def run() -> None:
            try:
                self.pipe.generate(prompt, config, on_piece)
            except BaseException as exc:  # surfaced in the consumer below
                errors.append(exc)
            finally:
                pieces.put(_DONE)

        yield from stream_from_worker(self._lock, run, iter(pieces.get, _DONE), stop, errors)
