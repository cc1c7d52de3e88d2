"""`rag index --ray`: the Ray Data build gives the same index as the local build.

Runs a real local Ray runtime with two embedder actors, the real tokenizer and embedder,
over the bundled articles plus 300 generated ones in several formats.
"""

import random
import shutil

import numpy as np
import pytest

from rag.store import load_index
from tests.conftest import ARTICLES
from tests.test_cli import one_line_error, run

pytestmark = pytest.mark.slow

WORDS = ("ministry port container shipment rail depot border aid package senate vote drone satellite image "
         "analyst report minister summit treaty harbour cargo munitions vessel inspection convoy budget").split()


def _article(rng: random.Random, n: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(2, 4)):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "."
                     for _ in range(rng.randint(2, 5))]
        paragraphs.append(" ".join(sentences))
    return f"Generated report {n}\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("raycorpus") / "articles"
    shutil.copytree(ARTICLES, root)
    rng = random.Random(7)
    for n in range(300):
        text = _article(rng, n)
        if n % 3 == 0:
            (root / "gen" / f"{n:03d}.md").parent.mkdir(exist_ok=True)
            (root / "gen" / f"{n:03d}.md").write_text("# " + text, encoding="utf-8")
        elif n % 3 == 1:
            body = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[1:])
            (root / f"g{n:03d}.html").write_text(f"<html><head><title>Generated report {n}</title></head>"
                                                 f"<body><article><h1>Generated report {n}</h1>{body}"
                                                 "</article></body></html>", encoding="utf-8")
        else:
            (root / f"g{n:03d}.txt").write_text(text, encoding="utf-8")
    return root


def test_ray_build_equals_the_local_build(corpus, tmp_path):
    local, ray = tmp_path / "local", tmp_path / "ray"
    done = run("index", "--corpus", str(corpus), "--index", str(local), "--rebuild")
    assert done.returncode == 0, done.stderr
    done = run("index", "--corpus", str(corpus), "--index", str(ray), "--ray", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "305 articles" in done.stdout
    a, b = load_index(local), load_index(ray)
    assert len(a.chunks) > 500 and a.chunks == b.chunks
    ids = list(range(len(a.chunks)))
    assert np.allclose(a.vectors(ids), b.vectors(ids), atol=1e-5)
    ma, mb = dict(a.manifest.__dict__), dict(b.manifest.__dict__)
    ma.pop("built_at"), mb.pop("built_at")
    assert ma == mb
    assert all(a.text(s) == b.text(s) for s in a.manifest.files)


def test_an_unreachable_cluster_is_one_line(tmp_path):
    proc = run("index", "--index", str(tmp_path / "i"), "--ray", "127.0.0.1:9")
    assert proc.returncode == 1 and "127.0.0.1:9 is not reachable" in one_line_error(proc)
