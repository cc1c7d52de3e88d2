"""The runtime registry and each runtime: streaming, stopping, prefix caches, errors.

Runtimes run the real SmolLM2-135M (OpenVINO exports it once into the user cache).
"""

from pathlib import Path

import pytest

from rag.generate import RUNTIMES, generate, load_generator
from rag.prompt import build_messages
from rag.schema import Chunk, Hit
from rag.settings import Settings

TEXT = "The containers were shipped from Najin to Dunay in Russia between September 7 and October 1."


def _messages(counter):
    hit = Hit(Chunk("a.txt", 0, len(TEXT), TEXT), "T", 0.1, 0.5, 1.0)
    return build_messages("Where did the containers arrive?", [hit], counter, 500)[0]


def test_registry_names_each_runtime_and_its_default_weights():
    assert Settings().backend == "openvino" and Settings().weights_for("openvino") == "int8"
    assert Settings(backend="transformers").weights_for("transformers") == "float32"
    for name, runtime in RUNTIMES.items():
        assert runtime.weights and runtime.module.startswith("rag.runtimes.")
    from rag.errors import InputError

    with pytest.raises(InputError, match="dtype"):
        Settings(backend="openvino", dtype="float32")  # not a weight format OpenVINO offers here
    with pytest.raises(InputError, match="backend"):
        Settings(backend="cuda")


@pytest.fixture(scope="module")
def openvino_smol(smol_dir):
    return load_generator(Settings(model="smollm2-135m"))


def test_openvino_streams_a_greedy_reply_deterministically(openvino_smol):
    gen = openvino_smol
    assert type(gen).__name__ == "OpenVINOGenerator" and gen.weights == "int8"
    messages = _messages(gen.counter)
    pieces = list(gen.stream(messages, 30))
    assert len(pieces) > 3 and "".join(pieces).strip()
    assert generate(gen, messages, 30) == "".join(pieces)  # greedy; the prefix cache changes nothing


def test_openvino_stops_when_the_consumer_closes_the_stream(openvino_smol):
    gen = openvino_smol
    stream = gen.stream(_messages(gen.counter), 400)
    first = next(stream)
    assert first
    stream.close()  # generation ends at the next token and the model is free again
    assert not gen._lock.locked()
    assert generate(gen, _messages(gen.counter), 5).strip()


def test_openvino_export_failure_is_one_clear_error(tmp_path):
    from rag.errors import ModelError
    from rag.models import openvino_model

    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="OpenVINO export of .*not-a-model failed"):
        openvino_model(str(folder), tmp_path / "cache", "int8")


def test_system_prefix_cache_is_used_and_changes_nothing(smol_dir):
    """The pre-computed system-prompt cache gives the same greedy answer as a full prefill."""
    from rag.runtimes.transformers import TransformersGenerator
    from rag.settings import Settings

    gen = TransformersGenerator(Settings(model="smollm2-135m", backend="transformers"))
    text = "The containers were shipped from Najin to Dunay in Russia between September 7 and October 1."
    hit = Hit(Chunk("a.txt", 0, len(text), text), "T", 0.1, 0.5, 1.0)
    messages, _ = build_messages("Where did the containers arrive?", [hit], gen.counter, 500)
    assert gen._reusable_prefix(messages, gen.prompt_ids(messages)["input_ids"]) is not None
    cached = generate(gen, messages, 30)
    full = "".join(gen.stream(messages, 30, prefix_cache=False))
    assert full == cached and cached.strip()


def test_llama_cpp_backend_streams_a_cited_answer(smol_dir, tmp_path):
    """The optional llama.cpp backend (installed by `make setup-fast`, as CI does)."""
    import importlib.util

    import pytest

    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python not installed (make setup-fast)")
    from rag.cli import update_index
    from rag.pipeline import Pipeline
    from rag.schema import Answer, Delta
    from rag.settings import Settings
    from tests.conftest import ARTICLES

    settings = Settings(corpus=ARTICLES, index=tmp_path / "index", model="smollm2-135m", backend="llama.cpp")
    _, embedder = update_index(settings)
    pipeline = Pipeline.load(settings, embedder=embedder)
    assert type(pipeline.generator).__name__ == "LlamaGenerator"
    events = list(pipeline.stream("Where did the containers arrive in Russia?"))
    assert sum(isinstance(e, Delta) for e in events) > 3
    final = events[-1]
    assert isinstance(final, Answer) and final.timings.first_token_ms > 0
    assert final.refused or all(
        (ARTICLES / c.source).read_text(encoding="utf-8")[c.start:c.end] == c.quote for c in final.citations)


def test_llama_cpp_missing_says_what_to_install(monkeypatch, smol_dir):
    import builtins

    import pytest

    from rag.errors import ModelError
    from rag.runtimes.llamacpp import LlamaGenerator
    from rag.settings import Settings

    real_import = builtins.__import__

    def no_llama(name, *args, **kwargs):
        if name == "llama_cpp":
            raise ImportError("no llama_cpp")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_llama)
    with pytest.raises(ModelError, match="make setup-fast"):
        LlamaGenerator(Settings(model="smollm2-135m", backend="llama.cpp"))


def _resident_kb(path: Path) -> int:
    """This process's resident kB of its mappings of `path` (from /proc/self/smaps)."""
    total, current = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 5 and "-" in fields[0] and ":" in fields[3]:  # a mapping's header line
            current = fields[-1] == str(path)
        elif current and line.startswith("Rss:"):
            total += int(fields[1])
    return total


def test_release_mapped_drops_resident_pages_and_keeps_the_data(tmp_path):
    import mmap

    from rag.runtimes.openvino import release_mapped

    weights = tmp_path / "openvino_model.bin"
    weights.write_bytes(bytes(range(256)) * 4096 * 8)  # 8 MB
    with weights.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
        assert sum(view[i] for i in range(0, len(view), 4096)) == 0  # every page touched (byte 0 of each is 0)
        assert _resident_kb(weights) >= 8 * 1024
        assert release_mapped(weights) >= 8 * 2**20
        assert _resident_kb(weights) < 1024
        assert view[4097] == 1 and view[-1] == 255  # read back from the file
        assert release_mapped(tmp_path / "other.bin") == 0  # only the named file's mappings
