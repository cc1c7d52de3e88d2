"""The OpenVINO embedder gives sentence-transformers' vectors, without importing torch."""

import subprocess
import sys

import numpy as np
import pytest

from rag.settings import Settings
from tests.conftest import ARTICLES, ROOT

TEXTS = [p.read_text(encoding="utf-8")[:2000] for p in sorted(ARTICLES.glob("*.txt"))] + [
    "Where did the containers arrive in Russia?", "x", "word " * 600, "日本語 — ümlaut"]


@pytest.fixture(scope="module")
def openvino_embedder():
    from rag.embed import OpenVINOEmbedder

    return OpenVINOEmbedder("all-MiniLM-L6-v2", Settings().cache_dir)


def test_openvino_vectors_match_sentence_transformers(openvino_embedder):
    from rag.embed import Embedder

    ours = openvino_embedder.embed(TEXTS)
    reference = Embedder("all-MiniLM-L6-v2").embed(TEXTS)
    assert ours.shape == reference.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-4
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert openvino_embedder.embed([]).shape == (0, 384)


def test_asking_imports_no_torch(openvino_embedder):
    """The default question path (OpenVINO generator and embedder) never loads torch."""
    code = ("import sys; from rag.settings import Settings; from rag.embed import load_embedder; "
            "e = load_embedder(Settings()); e.embed(['a question']); "
            "import rag.pipeline, rag.runtimes.openvino, rag.retrieve, rag.cite; "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
