"""The local generator: a transformers causal LM on the CPU, greedy, streaming.

`build_messages` lays out the numbered passages within a token budget counted in the
generator's own tokens. `Generator.stream` yields text pieces as they are decoded; a lock
serialises model calls so several UI threads can share one loaded model, and closing the
stream early stops generation at the next token.
Simplified on purpose: float32 weights, no key/value cache reuse across questions.
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


def format_passage(n: int, hit: Hit) -> str:
    """`[n] (title, date) text`, leaving out what the passage's own first lines already say."""
    head = hit.chunk.text[:len(hit.title) + 80]
    about = [for_prompt(x) for x in (hit.title, hit.date) if x and x not in head]
    return f"[{n}]" + (f" ({', '.join(about)})" if about else "") + f" {for_prompt(hit.chunk.text)}"


def build_messages(question: str, hits: Sequence[Hit], counter: TokenCounter, budget: int) -> tuple[list[Message], int]:
    """The chat messages for `question`, and how many of `hits` fit into `budget` tokens.

    Passages are kept whole and in rank order; the first is cut to fit if even it alone is
    too long, so the model always sees something when anything was retrieved.
    """
    blocks: list[str] = []
    used = 0
    for n, hit in enumerate(hits, start=1):
        block = format_passage(n, hit)
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


class Generator:
    """A loaded causal LM and its tokenizer."""

    def __init__(self, model: str, cache_dir: Path, threads: int = 0) -> None:
        set_offline()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.name = model
        self.path = resolve_model(model, cache_dir)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(str(self.path), dtype=torch.float32,
                                                              local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"could not load model from {self.path}: {exc}") from None
        self.model.eval()
        if self.tokenizer.chat_template is None:
            raise ModelError(f"model {model} has no chat template; use an instruction-tuned model")
        self.counter: TokenCounter = load_counter(self.path)
        self._lock = threading.Lock()

    def prompt_ids(self, messages: Sequence[Message]):
        return self.tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            add_generation_prompt=True, return_tensors="pt", return_dict=True)

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

        def run() -> None:
            try:
                with torch.inference_mode():
                    self.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
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
