"""OpenVINO GenAI on the CPU (`--backend openvino`, the default).

The model is exported once to an OpenVINO IR with int8 (or int4) weights
(`rag.models.openvino_model`) and run by `openvino_genai.LLMPipeline`, whose scheduler
caches prompt prefixes: the system turn, and whole prompts asked again, are not
recomputed. Loading ends with a one-token generation, which makes the CPU plugin repack
the weights into its own buffers, and then tells the kernel that the pages of the mapped
weights file are no longer needed (`release_mapped`): they had stayed resident beside the
repacked copy (~470 MB of a ~1.2 GB process) and are read back from the file if ever
touched again. `generate` blocks, so it runs in a worker thread and hands decoded pieces to
the consumer through a queue; when the consumer closes the stream the callback answers
STOP and generation ends at the next token.
Simplified on purpose: greedy decoding only; one generation at a time per loaded model.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.errors import ModelError
from rag.models import openvino_model, set_offline
from rag.prompt import Message
from rag.runtimes.worker import stream_from_worker
from rag.settings import Settings
from rag.tokens import TokenCounter, load_counter

log = logging.getLogger(__name__)
_DONE = object()
_MADV_DONTNEED = 4  # Linux


def release_mapped(path: Path) -> int:
    """Drop this process's resident pages of every mapping of `path`; returns the bytes advised (0 off Linux).

    For a read-only shared file mapping this only unmaps pages from the process: the data
    stays in the file (and in the page cache), and a later access reads it back.
    """
    import ctypes

    try:
        maps = Path("/proc/self/maps").read_text()
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return 0
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    advised = 0
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5] == str(path.resolve()) and fields[1].startswith("r") and "w" not in fields[1]:
            start, end = (int(x, 16) for x in fields[0].split("-"))
            if libc.madvise(start, end - start, _MADV_DONTNEED) == 0:
                advised += end - start
    log.debug("released %d MB of mapped %s", advised >> 20, path.name)
    return advised


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
        warm = openvino_genai.GenerationConfig()
        warm.max_new_tokens = 1
        warm.apply_chat_template = False
        self.pipe.generate("Hi", warm)  # compiles and repacks now, not on the first question
        release_mapped(self.path / "openvino_model.bin")

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
