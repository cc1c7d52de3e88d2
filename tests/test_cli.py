"""The `rag` command as a user runs it: exit codes, one-line errors, no tracebacks."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RAG = str(Path(sys.executable).parent / "rag")


def run(*args: str, stdin: str | None = None, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([RAG, *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_empty_question(question, tmp_path):
    proc = run("ask", question, "--index", str(tmp_path))
    assert proc.returncode == 2
    assert "question is empty" in one_line_error(proc)


def test_missing_index_says_what_to_run(tmp_path):
    proc = run("ask", "Where is Dunay?", "--index", str(tmp_path / "none"))
    assert proc.returncode == 1 and "run: rag index" in one_line_error(proc)


def test_missing_corpus_says_what_to_do(tmp_path):
    proc = run("index", "--corpus", str(tmp_path / "none"), "--index", str(tmp_path / "idx"))
    assert proc.returncode == 1 and "--corpus" in one_line_error(proc)


def test_bad_setting_names_it(tmp_path):
    proc = run("ask", "Where?", "--top-k", "0", "--index", str(tmp_path))
    assert proc.returncode == 2 and "top_k" in one_line_error(proc)
    # the model is checked before the (missing) index, so the error names the model file
    proc = run("ask", "Where?", "--model", str(tmp_path / "nope.gguf"), "--index", str(tmp_path))
    assert proc.returncode == 1 and "nope.gguf" in one_line_error(proc)


def test_unknown_option_prints_usage():
    proc = run("ask", "--frobnicate", "x")
    assert proc.returncode == 2 and proc.stderr.startswith("usage: rag")
    assert "unrecognized arguments: --frobnicate" in proc.stderr and "Traceback" not in proc.stderr


def test_help_does_not_import_heavy_libraries():
    code = "import sys, rag.cli; rag.cli.build_parser(); print(sorted({'torch','transformers','faiss','gradio'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_bad_date_filter_names_the_option(tmp_path):
    proc = run("ask", "Where?", "--since", "last tuesday", "--index", str(tmp_path))
    assert proc.returncode == 2 and "--since" in one_line_error(proc)
    proc = run("ask", "Where?", "--since", "2023-10-15", "--until", "2023-10-01", "--index", str(tmp_path))
    assert proc.returncode == 2 and "after --until" in one_line_error(proc)


def test_rag_add_copies_files_indexes_them_and_names_what_failed(tmp_path, smol_dir):
    from tests.test_readers import PAGE

    corpus, index = tmp_path / "articles", tmp_path / "index"
    corpus.mkdir()
    (corpus / "old.txt").write_text("An older article about ferries in Helsinki harbour.\n")
    page = tmp_path / "barrier.html"
    page.write_text(PAGE, encoding="utf-8")
    proc = run("add", str(page), str(tmp_path / "missing.pdf"), "http://127.0.0.1:9/page.html",
               "--corpus", str(corpus), "--index", str(index), "--model", "smollm2-135m")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2 and "missing.pdf: no such file" in errors[0]
    assert "http://127.0.0.1:9/page.html: cannot download it" in errors[1]
    assert (corpus / "barrier.html").read_text(encoding="utf-8") == PAGE and page.exists()
    assert "added barrier.html" in proc.stdout and "1 html, 1 txt" in proc.stdout and "1 article without a date" in proc.stdout


def test_a_figure_reported_over_time_is_printed_as_such(capsys):
    from rag.cli import _print_answer
    from rag.schema import Answer, Citation, Conflict, Version

    timeline = Conflict("q", "percent", (Version("4 percent", (2,), ("a.txt",)),
                                         Version("5.5 percent", (1,), ("b.txt",))), over_time=True)
    cites = (Citation(1, "b.txt", 0, 3, "5.5", 0.5), Citation(2, "a.txt", 0, 1, "4", 0.5))
    _print_answer(Answer("q", "It was 5.5 percent [1].", False, cites, conflicts=(timeline,)).to_json())
    out = capsys.readouterr().out
    assert "(reported over time, earliest first on the percentage: 4 percent in a.txt; 5.5 percent in b.txt)" in out
    assert "sources differ" not in out.lower()
