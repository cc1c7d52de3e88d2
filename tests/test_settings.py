from pathlib import Path

import pytest

from rag.errors import InputError
from rag.settings import Settings, load_settings


def test_defaults_are_valid():
    s = Settings()
    assert s.index == Path("index") and s.model == "qwen2.5-0.5b" and s.top_k == 4 and s.chunking == "paragraphs"


def test_toml_and_overrides(tmp_path):
    cfg = tmp_path / "rag.toml"
    cfg.write_text('top_k = 3\nmodel = "smollm2-135m"\nindex = "elsewhere"\n')
    s = load_settings(cfg, top_k=7, index=None)
    assert s.top_k == 7 and s.model == "smollm2-135m" and s.index == Path("elsewhere")


def test_unknown_key_rejected(tmp_path):
    cfg = tmp_path / "rag.toml"
    cfg.write_text("topk = 3\n")
    with pytest.raises(InputError, match="topk"):
        load_settings(cfg)


@pytest.mark.parametrize("field,value", [("top_k", 0), ("top_k", 10_000), ("top_k", -3), ("chunk_overlap", 500),
                                         ("min_support", 2.0), ("top_k", "5"), ("model", " "),
                                         ("reread", "yes")])
def test_bad_values_name_the_setting(field, value):
    with pytest.raises(InputError, match=field):
        Settings(**{field: value})


def test_settings_are_frozen():
    with pytest.raises(AttributeError):
        Settings().top_k = 3  # type: ignore[misc]


def test_bad_toml(tmp_path):
    cfg = tmp_path / "rag.toml"
    cfg.write_text("top_k = = 3")
    with pytest.raises(InputError, match="not valid TOML"):
        load_settings(cfg)
