"""The local generator on the CPU, greedy and streaming: transformers (default) or llama.cpp.

`build_messages` lays out the numbered passages within a token budget counted in the
generator's own tokens. `Generator.stream` yields text pieces as they are decoded; a lock
serialises model calls so several UI threads can share one loaded model, and closing the
stream early stops generation at the next token.

Speed levers (chosen by `bench/bench.py`): the key/value cache of the fixed system-prompt
prefix is computed once at load and copied into every generation, so each question only
pays for its passages; `dtype` picks float32, bfloat16 or int8 dynamic quantisation of
the linear layers; `LlamaGenerator` runs the GGUF itself through llama.cpp
(`llama-cpp-python`, an optional extra), which also reuses the common prompt prefix.
Simplified on purpose: greedy decoding only; one generation at a time per loaded model.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelError
from rag.guard import for_prompt
from rag.models import resolve_model, set_offline
from rag.schema import Hit
from rag.settings import Settings
from rag.tokens import TokenCounter, load_counter

log = logging.getLogger(__name__)

NOT_FOUND = "The articles do not say."

SYSTEM_PROMPT = (
    "You answer questions about news articles. Use only the numbered passages below, never your own "
    "knowledge. Answer in one or two short sentences. End each sentence with the number of the passage "
    "it comes from in square brackets, for example [1]. If the passages do not contain the answer, reply "
    f"exactly: {NOT_FOUND}"
)


@dataclass(frozen=True)
class Message:
    role: str
    content: str


def focus(text: str, question: str, counter: TokenCounter, limit: int) -> str:
    """The sentences of `text` that share most words with `question`, within `limit` tokens, in order.

    Prefill time grows with the prompt, so a passage can be cut to what bears on the
    question; a gap between kept sentences is shown as "…".
    """
    from rag.chunk import split_sentences
    from rag.text import content_words, support

    if limit <= 0 or len(counter.encode_ordinary(text)) <= limit:
        return text
    spans = split_sentences(text) or [(0, len(text))]
    asked = content_words(question)
    scored = sorted(range(len(spans)), key=lambda i: (-support(asked, set(content_words(text[slice(*spans[i])]))), i))
    keep: list[int] = []
    used = 0
    for i in scored:
        cost = len(counter.encode_ordinary(text[slice(*spans[i])])) + 1
        if keep and used + cost > limit:
            continue
        keep.append(i)
        used += cost
    keep.sort()
    out = []
    for j, i in enumerate(keep):
        if j and i != keep[j - 1] + 1:
            out.append("…")
        out.append(text[slice(*spans[i])].strip())
    return " ".join(out)


def format_passage(n: int, hit: Hit, question: str = "", counter: TokenCounter | None = None,
                   passage_tokens: int = 0) -> str:
    """`[n] (title, date) text`, leaving out what the passage's own first lines already say."""
    head = hit.chunk.text[:len(hit.title) + 80]
    about = [for_prompt(x) for x in (hit.title, hit.date) if x and x not in head]
    text = for_prompt(hit.chunk.text)
    if counter is not None and passage_tokens:
        text = focus(text, question, counter, passage_tokens)
    return f"[{n}]" + (f" ({', '.join(about)})" if about else "") + f" {text}"


def build_messages(question: str, hits: Sequence[Hit], counter: TokenCounter, budget: int,
                   passage_tokens: int = 0) -> tuple[list[Message], int]:
    """The chat messages for `question`, and how many of `hits` fit into `budget` tokens.

    Passages are kept in rank order, whole or (with `passage_tokens`) cut to their
    sentences nearest the question; the first is cut to fit if even it alone is too long,
    so the model always sees something when anything was retrieved.
    """
    blocks: list[str] = []
    used = 0
    for n, hit in enumerate(hits, start=1):
        block = format_passage(n, hit, question, counter, passage_tokens)
        cost = len(counter.encode_ordinary(block)) + 2
        if used + cost > budget:
            if not blocks:
                ids = counter.encode_ordinary(block)[: max(1, budget - 2)]
                blocks.append(counter.decode(ids))
            break
        blocks.append(block)
        used += cost
    user = "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"
    return [Message("system", SYSTEM_PROMPT), Message("user", user)], len(blocks)


def load_generator(settings: Settings):
    """The generator for `settings.model` on `settings.backend` (with `settings.dtype` for transformers)."""
    if settings.backend == "llama.cpp":
        return LlamaGenerator(settings.model, settings.cache_dir, settings.threads)
    return Generator(settings.model, settings.cache_dir, settings.threads, settings.dtype)


class Generator:
    """A loaded causal LM and its tokenizer (transformers), with the system prompt pre-computed."""

    def __init__(self, model: str, cache_dir: Path, threads: int = 0, dtype: str = "float32") -> None:
        set_offline()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.name = model
        self.path = resolve_model(model, cache_dir)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(
                str(self.path), dtype=torch.bfloat16 if dtype == "bfloat16" else torch.float32,
                local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"could not load model from {self.path}: {exc}") from None
        self.model.eval()
        if dtype == "int8":
            self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        if self.tokenizer.chat_template is None:
            raise ModelError(f"model {model} has no chat template; use an instruction-tuned model")
        self.counter: TokenCounter = load_counter(self.path)
        self._lock = threading.Lock()
        self._prefix_ids, self._prefix_cache = self._system_prefix()

    def _system_prefix(self):
        """Token ids and key/value cache of the system turn every answer prompt starts with."""
        import torch
        from transformers import DynamicCache

        ids = self.tokenizer.apply_chat_template([{"role": "system", "content": SYSTEM_PROMPT}],
                                                 return_tensors="pt", return_dict=True)["input_ids"]
        with torch.inference_mode():
            cache = self.model(input_ids=ids, past_key_values=DynamicCache(), use_cache=True).past_key_values
        return ids, cache

    def prompt_ids(self, messages: Sequence[Message]):
        return self.tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            add_generation_prompt=True, return_tensors="pt", return_dict=True)

    def _reusable_prefix(self, input_ids):
        """A private copy of the system-prompt cache when the prompt starts with it, else None."""
        import copy

        n = self._prefix_ids.shape[1]
        if input_ids.shape[1] > n and bool((input_ids[0, :n] == self._prefix_ids[0]).all()):
            return copy.deepcopy(self._prefix_cache)
        return None

    def stream(self, messages: Sequence[Message], max_new_tokens: int) -> Iterator[str]:
        """Greedy-decode a reply, yielding text pieces as they are produced."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):  # noqa: ARG002
                return stop.is_set()

        inputs = self.prompt_ids(messages)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=600)
        errors: list[BaseException] = []

        cache = self._reusable_prefix(inputs["input_ids"])
        extra = {"past_key_values": cache} if cache is not None else {}

        def run() -> None:
            try:
                with torch.inference_mode():
                    self.model.generate(**inputs, **extra, max_new_tokens=max_new_tokens, do_sample=False,
                                        temperature=None, top_p=None, top_k=None,
                                        streamer=streamer, stopping_criteria=StoppingCriteriaList([_Stop()]),
                                        pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
            except BaseException as exc:  # surfaced in the consumer below
                errors.append(exc)
                streamer.end()

        with self._lock:
            worker = threading.Thread(target=run, daemon=True)
            worker.start()
            try:
                for piece in streamer:
                    if piece:
                        yield piece
            finally:
                stop.set()
                worker.join()
        if errors:
            raise ModelError(f"generation failed: {errors[0]}")

    def generate(self, messages: Sequence[Message], max_new_tokens: int) -> str:
        return "".join(self.stream(messages, max_new_tokens))


class LlamaGenerator:
    """The model's GGUF run by llama.cpp (`pip install llama-cpp-python`, or `make setup-fast`).

    Token counts still come from the model's own vocabulary (`rag.tokens`), so budgets are
    the same as with transformers; the chat template is the one stored in the GGUF.
    """

    def __init__(self, model: str, cache_dir: Path, threads: int = 0) -> None:
        import os

        from rag.models import gguf_file

        set_offline()
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("backend llama.cpp is not installed; run: make setup-fast "
                             "(pip install llama-cpp-python)") from None
        self.name = model
        self.path = resolve_model(model, cache_dir)  # the tokenizer files, for token counting
        self.counter: TokenCounter = load_counter(self.path)
        gguf = gguf_file(model, cache_dir)
        try:
            self.llm = Llama(model_path=str(gguf), n_ctx=4096, n_threads=threads or os.cpu_count() or 1,
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

    def generate(self, messages: Sequence[Message], max_new_tokens: int) -> str:
        return "".join(self.stream(messages, max_new_tokens))
