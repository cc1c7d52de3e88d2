"""transformers on the CPU: the reference runtime (`--backend transformers`).

Greedy decoding in a worker thread, streamed through `TextIteratorStreamer`. The key/value
cache of the system turn is computed once per distinct system message and copied into
every generation, so each question only pays for its passages. `weights` picks float32,
bfloat16 or int8 (dynamic quantisation of the linear layers).
Simplified on purpose: one generation at a time per loaded model (a lock).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence

from rag.errors import ModelError
from rag.models import resolve_model, set_offline
from rag.prompt import Message
from rag.runtimes.worker import stream_from_worker
from rag.settings import Settings
from rag.tokens import TokenCounter, load_counter

class TransformersGenerator:
    """A loaded causal LM and its tokenizer, with the system turn's cache kept."""

    def __init__(self, settings: Settings) -> None:
        set_offline()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        weights = settings.weights_for("transformers")
        if settings.threads:
            torch.set_num_threads(settings.threads)
        self.name = settings.model
        self.path = resolve_model(settings.model, settings.cache_dir)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
            self.model = AutoModelForCausalLM.from_pretrained(
                str(self.path), dtype=torch.bfloat16 if weights == "bfloat16" else torch.float32,
                local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelError(f"could not load model from {self.path}: {exc}") from None
        self.model.eval()
        if weights == "int8":
            self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        if self.tokenizer.chat_template is None:
            raise ModelError(f"model {settings.model} has no chat template; use an instruction-tuned model")
        self.counter: TokenCounter = load_counter(self.path)
        self._lock = threading.Lock()
        self._prefix: dict[str, tuple] = {}  # system message -> (token ids, key/value cache)

    def _system_prefix(self, system: str):
        """Token ids and key/value cache of a system turn (computed once per distinct text)."""
        import torch
        from transformers import DynamicCache

        if system not in self._prefix:
            ids = self.tokenizer.apply_chat_template([{"role": "system", "content": system}],
                                                     return_tensors="pt", return_dict=True)["input_ids"]
            with torch.inference_mode():
                cache = self.model(input_ids=ids, past_key_values=DynamicCache(), use_cache=True).past_key_values
            self._prefix = {system: (ids, cache)}  # keep one: prompts share one system turn
        return self._prefix[system]

    def prompt_ids(self, messages: Sequence[Message]):
        return self.tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            add_generation_prompt=True, return_tensors="pt", return_dict=True)

    def _reusable_prefix(self, messages: Sequence[Message], input_ids):
        """A private copy of the system turn's cache when the prompt starts with it, else None."""
        if not messages or messages[0].role != "system":
            return None
        ids, cache = self._system_prefix(messages[0].content)
        n = ids.shape[1]
        if input_ids.shape[1] > n and bool((input_ids[0, :n] == ids[0]).all()):
            return copy.deepcopy(cache)
        return None

    def stream(self, messages: Sequence[Message], max_new_tokens: int, prefix_cache: bool = True) -> Iterator[str]:
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

        def run() -> None:  # under the model's lock (stream_from_worker)
            try:
                cache = self._reusable_prefix(messages, inputs["input_ids"]) if prefix_cache else None
                extra = {"past_key_values": cache} if cache is not None else {}
                with torch.inference_mode():
                    self.model.generate(**inputs, **extra, max_new_tokens=max_new_tokens, do_sample=False,
                                        temperature=None, top_p=None, top_k=None,
                                        streamer=streamer, stopping_criteria=StoppingCriteriaList([_Stop()]),
                                        pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id)
            except BaseException as exc:  # surfaced in the consumer below
                errors.append(exc)
                streamer.end()

        yield from stream_from_worker(self._lock, run, streamer, stop, errors)
