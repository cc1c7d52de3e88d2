"""The tiktoken.Encoding built from a generator's vocabulary must tokenize like the model."""

import pytest

from rag.tokens import encoding_from_tokenizer_json, load_counter
from tests.conftest import ARTICLES

SAMPLES = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))] + [
    "Hello  world!\n\n  123,456 ümlaut — “quotes” 日本語 🚀 don't\t tabs", " ", "a\r\nb", "$25 billion; 290 km."]


def _check_against_model(model_dir):
    from transformers import AutoTokenizer

    enc = encoding_from_tokenizer_json(model_dir / "tokenizer.json")
    hf = AutoTokenizer.from_pretrained(str(model_dir))
    for text in SAMPLES:
        assert enc.encode_ordinary(text) == hf.encode(text, add_special_tokens=False)
        assert enc.decode(enc.encode_ordinary(text)) == text
    return enc


def test_smollm2_encoding_matches_its_tokenizer(smol_dir):
    import tiktoken

    enc = _check_against_model(smol_dir)
    assert isinstance(enc, tiktoken.Encoding)
    assert isinstance(load_counter(smol_dir), tiktoken.Encoding)


@pytest.mark.slow
def test_qwen_encoding_matches_its_tokenizer():
    from rag.models import resolve_model
    from rag.settings import Settings

    _check_against_model(resolve_model("qwen2.5-0.5b", Settings().cache_dir))


def test_non_bpe_tokenizer_is_rejected(tmp_path):
    from rag.errors import ModelError

    (tmp_path / "tokenizer.json").write_text('{"model": {"type": "Unigram", "vocab": []}, "normalizer": null}')
    with pytest.raises(ModelError, match="byte-level BPE"):
        encoding_from_tokenizer_json(tmp_path / "tokenizer.json")


def test_the_built_table_is_kept_beside_the_tokenizer_and_read_back(smol_dir, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # tiktoken's own copy in /tmp would hide the damage below
    path = tmp_path / "tokenizer.json"
    shutil.copy(smol_dir / "tokenizer.json", path)
    built = encoding_from_tokenizer_json(path)
    kept = sorted(p.name for p in tmp_path.glob(".tiktoken-*"))
    assert len(kept) == 2  # the ranks (.bpe) and the rest (.json)
    again = encoding_from_tokenizer_json(path)  # read back, not built
    assert again.name == built.name
    assert all(again.encode_ordinary(t) == built.encode_ordinary(t) for t in SAMPLES)
    # a damaged table is not trusted: the encoding is built again, and the same
    bpe = next(tmp_path.glob(".tiktoken-*.bpe"))
    bpe.write_bytes(b"\n".join(bpe.read_bytes().splitlines()[300:]))  # the byte tokens gone
    rebuilt = encoding_from_tokenizer_json(path)
    assert all(rebuilt.encode_ordinary(t) == built.encode_ordinary(t) for t in SAMPLES)
