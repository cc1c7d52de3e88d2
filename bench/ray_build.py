"""Index build throughput, local and on Ray (`make bench-ray`): real chunking and embedding.

Replicates the bundled articles into `--files` files (each with its own header line and
every digit changed, as `bench/scale.py` does), then builds the index three ways, each a
fresh `rag index` process timed from start to exit: the local build (`--rebuild`), and
`--ray` with 1 and 2 embedder actors on a local Ray runtime. Prints wall time, passages
and passages/s for each, the Ray builds' ratio to the local one, whether the Ray index
equals the local one, and the extrapolation to the 100k-chunk scale corpus and to 10 M
articles. Writes the figures to `bench/results/ray-<time>.json`.
Simplified on purpose: the corpus is replicas (real text, real vectors); one run each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RAG = Path(sys.executable).parent / "rag"


def build(args: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([str(RAG), "index", *args], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"rag index {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="replica files (default 1000)")
    args = parser.parse_args()

    from rag.ingest import read_corpus
    from rag.store import load_index

    work = Path(tempfile.mkdtemp(prefix="rag-raybench-"))
    corpus = work / "articles"
    corpus.mkdir()
    originals = read_corpus(ROOT / "data" / "articles")
    rng = random.Random(7)
    for n in range(args.files):
        d = originals[n % len(originals)]
        text = re.sub(r"\d", lambda m: str(rng.randrange(10)), d.text)
        (corpus / f"r{n:05d}-{d.source}").write_text(f"Edition {n:05d}\n\n{text}", encoding="utf-8")

    runs = {}
    for name, extra in (("local", ["--rebuild"]), ("ray-1", ["--ray", "--workers", "1"]),
                        ("ray-2", ["--ray", "--workers", "2"])):
        index = work / name
        seconds, summary = build(["--corpus", str(corpus), "--index", str(index), *extra])
        chunks = int(re.search(r"(\d+) passages", summary).group(1))
        runs[name] = {"seconds": round(seconds, 1), "chunks": chunks, "chunks_per_s": round(chunks / seconds, 1)}
        print(f"{name:6s} {seconds:7.1f} s  {chunks} passages  {chunks / seconds:6.1f} passages/s"
              + ("" if name == "local" else f"  ({runs['local']['seconds'] / seconds:.2f}x the local build's speed)"),
              flush=True)

    local, ray = load_index(work / "local"), load_index(work / "ray-2")
    ids = list(range(len(local.chunks)))
    same = local.chunks == ray.chunks and bool(np.allclose(local.vectors(ids), ray.vectors(ids), atol=1e-5))
    print(f"Ray index equals the local one (chunks, vectors within 1e-5): {same}")
    per_article = runs["local"]["chunks"] / args.files
    rate = max(r["chunks_per_s"] for r in runs.values())
    print(f"extrapolated at the best rate ({rate:.0f} passages/s on {os.cpu_count()} cores): "
          f"100,000 passages {100_000 / rate / 60:.0f} min; 10 M articles (~{per_article:.1f} passages each) "
          f"{10_000_000 * per_article / rate / 3600:,.0f} h here, "
          f"{10_000_000 * per_article / rate * (os.cpu_count() or 1) / 3600:,.0f} core-hours")
    out = ROOT / "bench" / "results" / time.strftime("ray-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"files": args.files, "cores": os.cpu_count(), "runs": runs, "identical": same,
                               "chunks_per_article": round(per_article, 2)}, indent=1) + "\n")
    print(f"-> {out.relative_to(ROOT)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
