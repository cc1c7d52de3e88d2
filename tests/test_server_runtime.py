"""`--generator-url`: generation on an OpenAI-compatible server process (`rag serve --raw`).

The server is a real process running SmolLM2 on the local runtime; the client side keeps
retrieval, the prompt and the checks. Its answers must be the local run's answers (greedy,
same model); a server that is down or answers garbage is one error line naming the URL.
"""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.errors import InputError
from rag.settings import Settings
from tests.conftest import ARTICLES, ROOT, free_port, wait_for_http
from tests.test_cli import one_line_error, run

pytestmark = pytest.mark.slow

Q = "How far is the munitions depot from the Russian border with Ukraine?"


@pytest.fixture(scope="module")
def raw_server(smol_dir):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--raw", "--model", "smollm2-135m",
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    wait_for_http(f"{url}/models", proc)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def smol_index(tmp_path_factory, smol_dir):
    index = tmp_path_factory.mktemp("remote") / "index"
    assert run("index", "--corpus", str(ARTICLES), "--index", str(index), "--model", "smollm2-135m").returncode == 0
    return index


def test_raw_server_streams_the_model_token_by_token(raw_server):
    import openai

    client = openai.OpenAI(base_url=raw_server, api_key="x")
    messages = [{"role": "user", "content": "Name three colours."}]
    whole = client.chat.completions.create(model="rag", messages=messages, max_tokens=20)
    chunks = list(client.chat.completions.create(model="rag", messages=messages, max_tokens=20, stream=True))
    pieces = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(pieces) > 3  # token deltas, not one block
    assert "".join(pieces) == whole.choices[0].message.content != ""
    assert 0 < whole.usage.completion_tokens <= 20
    with pytest.raises(openai.BadRequestError, match="max_tokens"):
        client.chat.completions.create(model="rag", messages=messages, max_tokens=0)


def test_rag_ask_through_the_generator_server_answers_as_the_local_model(raw_server, smol_index):
    remote = run("ask", "--json", Q, "--index", str(smol_index), "--model", "smollm2-135m",
                 "--generator-url", raw_server, "--no-server")
    local = run("ask", "--json", Q, "--index", str(smol_index), "--model", "smollm2-135m", "--no-server")
    assert remote.returncode == 0 and local.returncode == 0, remote.stderr + local.stderr
    got, want = json.loads(remote.stdout), json.loads(local.stdout)
    assert got["answer"] == want["answer"] and got["citations"] == want["citations"]
    assert not got["refused"] and any("290 kilometers" in c["quote"] for c in got["citations"])


def test_a_server_that_is_down_is_one_line(smol_index):
    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = run("ask", Q, "--index", str(smol_index), "--model", "smollm2-135m", "--generator-url", url, "--no-server")
    assert proc.returncode == 1
    line = one_line_error(proc)
    assert url in line and "not reachable" in line


class _Garbage(BaseHTTPRequestHandler):
    def _page(self) -> None:
        body = b"<html><body>It works!</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("model", [[], ["--generator-model", "m"]])
def test_a_server_that_answers_garbage_is_one_line(smol_index, model):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
        proc = run("ask", Q, "--index", str(smol_index), "--model", "smollm2-135m", "--generator-url", url,
                   "--no-server", *model)
    finally:
        httpd.shutdown()
    assert proc.returncode == 1
    line = one_line_error(proc)
    assert url in line and "not an OpenAI-compatible response" in line


def test_generator_url_is_checked_and_selects_the_server_runtime():
    assert Settings(generator_url="http://127.0.0.1:8080/v1").backend == "server"
    with pytest.raises(InputError, match="generator_url"):
        Settings(generator_url="127.0.0.1:8080")
    with pytest.raises(InputError, match="needs generator_url"):
        Settings(backend="server")
