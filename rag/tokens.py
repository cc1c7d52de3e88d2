"""Count text in the generator's own tokens with tiktoken, without downloading anything.

`tiktoken.get_encoding` fetches its tables from the network, so instead a
`tiktoken.Encoding` is built from the generator's byte-level BPE vocabulary
(`tokenizer.json`): every token string is mapped back to bytes through the GPT-2
byte<->unicode table, and the pre-tokenizer regex is taken from the tokenizer itself.
When the model's token ids follow the order of its merges (true for Qwen2 and SmolLM2)
the ranks are the ids, so `encode` returns the model's own ids.
The built table is kept beside `tokenizer.json` (`.tiktoken-<sha>.bpe`, tiktoken's own
format, with its SHA-256 in a `.json` beside it) and read back next time: 0.25 s instead of
about 0.7–1.0 s on every start of `rag ask`, `rag index` and the chat.

Simplified on purpose: only byte-level BPE tokenizers with a single splitting regex can be
expressed this way; for others (SentencePiece models) `load_counter` falls back to the
model's transformers tokenizer, which counts the same but more slowly.
"""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from rag.errors import ModelError

log = logging.getLogger(__name__)

# The GPT-2 pre-tokenizer pattern, used by ByteLevel(use_regex=True).
GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


class TokenCounter(Protocol):
    name: str

    def encode_ordinary(self, text: str) -> list[int]: ...

    def decode(self, tokens: list[int]) -> str: ...


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    # GPT-2's reversible map from bytes to printable unicode characters.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def _pattern(pre: dict | None) -> str:
    if pre is None:
        raise ModelError("tokenizer has no pre-tokenizer")
    steps = pre["pretokenizers"] if pre.get("type") == "Sequence" else [pre]
    patterns = []
    for step in steps:
        kind = step.get("type")
        if kind == "Split" and "Regex" in step.get("pattern", {}) and step.get("behavior") == "Isolated" \
                and not step.get("invert"):
            patterns.append(step["pattern"]["Regex"])
        elif kind == "ByteLevel":
            if step.get("use_regex", True):
                patterns.append(GPT2_PATTERN)
            if step.get("add_prefix_space"):
                raise ModelError("tokenizer adds a prefix space, which tiktoken cannot express")
        else:
            raise ModelError(f"pre-tokenizer step {kind!r} cannot be expressed in tiktoken")
    if len(patterns) != 1:
        raise ModelError(f"tokenizer splits with {len(patterns)} regexes; tiktoken takes exactly one")
    return patterns[0]


def encoding_from_tokenizer_json(path: Path):
    """A tiktoken.Encoding equivalent to the byte-level BPE tokenizer in `path`.

    Building it takes most of a second (a 7 MB JSON, 150,000 tokens), so the result is kept
    beside `path` in tiktoken's own file format and read back from there next time
    (`_cached`); a folder that cannot be written to is simply not cached.
    """
    import tiktoken

    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    cached = _cached(path, digest)
    if cached is not None:
        return cached
    spec = json.loads(raw)
    model = spec.get("model", {})
    normalizer = spec.get("normalizer")
    if normalizer == {"type": "Sequence", "normalizers": []}:
        normalizer = None
    if model.get("type") != "BPE" or normalizer not in (None, {"type": "NFC"}):
        raise ModelError(f"{path}: not a byte-level BPE tokenizer (without normalizer, or NFC)")
    pattern = _pattern(spec.get("pre_tokenizer"))
    decoder = _byte_decoder()
    added = {t["content"]: t["id"] for t in spec.get("added_tokens", [])}
    vocab: dict[str, int] = model["vocab"]
    to_bytes: dict[str, bytes] = {}
    for token in vocab:
        if token in added:
            continue
        try:
            to_bytes[token] = bytes(decoder[ch] for ch in token)
        except KeyError:
            raise ModelError(f"{path}: token {token!r} is not byte-level BPE") from None

    merges = [m.split(" ", 1) if isinstance(m, str) else m for m in model.get("merges", [])]
    merged_ids = [vocab["".join(m)] for m in merges if "".join(m) in vocab]
    if all(a < b for a, b in zip(merged_ids, merged_ids[1:])):
        ranks = {to_bytes[t]: i for t, i in vocab.items() if t in to_bytes}
    else:
        # Ids are not in merge order: rank by merge position instead (ids then differ
        # from the model's, counts do not).
        singles = sorted((i, t) for t, i in vocab.items() if t in to_bytes and len(to_bytes[t]) == 1)
        ranks = {to_bytes[t]: r for r, (_, t) in enumerate(singles)}
        for a, b in merges:
            ranks.setdefault(to_bytes[a] + to_bytes[b], len(ranks))
    if len(set(ranks.values())) != len(ranks):
        raise ModelError(f"{path}: two tokens share one id; not expressible in tiktoken")
    top = max(ranks.values()) + 1
    # tiktoken wants special ids outside the ordinary ranks.
    special = {s: (i if i >= top or i not in ranks.values() else top + k) for k, (s, i) in enumerate(added.items())}
    name = "bpe-" + digest[:12]
    encoding = tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=ranks, special_tokens=special)
    _keep(path, digest, ranks, {"name": name, "pattern": pattern, "special": special, "nfc": bool(normalizer)})
    return NFCEncoding(encoding) if normalizer else encoding


def _cache_files(path: Path, digest: str) -> tuple[Path, Path]:
    stem = f".tiktoken-{digest[:16]}"
    return path.with_name(stem + ".bpe"), path.with_name(stem + ".json")


def _keep(path: Path, digest: str, ranks: dict[bytes, int], meta: dict) -> None:
    """Write the ranks (tiktoken's .tiktoken format) and the rest of the encoding beside `path`."""
    import base64
    import os

    bpe, info = _cache_files(path, digest)
    # the lines tiktoken.load.dump_tiktoken_bpe writes (it needs the blobfile package to write them)
    table = b"".join(base64.b64encode(t) + b" " + str(r).encode() + b"\n" for t, r in sorted(ranks.items(), key=lambda x: x[1]))
    try:
        Path(str(bpe) + ".tmp").write_bytes(table)
        meta["bpe_sha256"] = hashlib.sha256(table).hexdigest()
        Path(str(info) + ".tmp").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(str(bpe) + ".tmp", bpe)
        os.replace(str(info) + ".tmp", info)  # last: its presence says the pair is complete
    except OSError as exc:
        log.debug("token table not cached beside %s: %s", path, exc)


def _cached(path: Path, digest: str):
    """The encoding kept by `_keep` for this exact tokenizer.json, or None."""
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe

    bpe, info = _cache_files(path, digest)
    try:
        meta = json.loads(info.read_text(encoding="utf-8"))
        # checked here too: tiktoken skips `expected_hash` when its own copy is turned off
        if hashlib.sha256(bpe.read_bytes()).hexdigest() != meta["bpe_sha256"]:
            raise ValueError(f"{bpe.name} is not the table that was written")
        ranks = load_tiktoken_bpe(str(bpe), expected_hash=meta["bpe_sha256"])
    except (OSError, ValueError, KeyError) as exc:  # absent, unreadable, or not what was written
        if info.exists():
            log.debug("token table beside %s not used: %s", path, exc)
        return None
    encoding = tiktoken.Encoding(name=meta["name"], pat_str=meta["pattern"], mergeable_ranks=ranks,
                                 special_tokens=meta["special"])
    return NFCEncoding(encoding) if meta["nfc"] else encoding


class NFCEncoding:
    """A tiktoken.Encoding behind the tokenizer's NFC normalisation (Qwen2's tokenizer.json has one)."""

    def __init__(self, encoding) -> None:
        self._encoding = encoding
        self.name = encoding.name

    def encode_ordinary(self, text: str) -> list[int]:
        import unicodedata

        return self._encoding.encode_ordinary(unicodedata.normalize("NFC", text))

    def decode(self, tokens: list[int]) -> str:
        return self._encoding.decode(tokens)


class HFCounter:
    """Fallback counter for tokenizers tiktoken cannot express."""

    def __init__(self, model_dir: Path) -> None:
        from transformers import AutoTokenizer

        self._tok = AutoTokenizer.from_pretrained(str(model_dir))
        raw = (model_dir / "tokenizer.json").read_bytes() if (model_dir / "tokenizer.json").is_file() else b""
        self.name = "hf-" + hashlib.sha256(raw or str(model_dir).encode()).hexdigest()[:12]

    def encode_ordinary(self, text: str) -> list[int]:
        return self._tok.encode(text, add_special_tokens=False)

    def decode(self, tokens: list[int]) -> str:
        return self._tok.decode(tokens)


def load_counter(model_dir: Path) -> TokenCounter:
    """The generator's token counter: a tiktoken.Encoding when expressible, else its tokenizer."""
    path = model_dir / "tokenizer.json"
    if path.is_file():
        try:
            return encoding_from_tokenizer_json(path)
        except ModelError as exc:
            log.warning("counting tokens with the transformers tokenizer: %s", exc)
    return HFCounter(model_dir)
