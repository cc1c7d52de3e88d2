"""`rag serve`: the OpenAI-compatible API with the official client, and `rag ask` through it.

A real server process (SmolLM2, MiniLM, FAISS) on a free loopback port.
"""

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ARTICLES, ROOT, free_port
from tests.test_cli import run

Q = "How far is the munitions depot from the Russian border with Ukraine?"  # one SmolLM2 answers


@pytest.fixture(scope="module")
def server(tmp_path_factory, smol_dir):
    index = tmp_path_factory.mktemp("serve") / "index"
    assert run("index", "--corpus", str(ARTICLES), "--index", str(index), "--model", "smollm2-135m").returncode == 0
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--index", str(index), "--model", "smollm2-135m",
                             "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while not (index / "server.json").exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < deadline, "server did not start"
        time.sleep(0.5)
    time.sleep(1.0)  # uvicorn binds right after the file is written
    yield index, f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(timeout=30)
    assert not (index / "server.json").exists()  # removed on exit: rag ask answers locally again


def test_openai_client_gets_a_cited_answer(server):
    import openai

    _, url = server
    client = openai.OpenAI(base_url=url, api_key="x")
    assert [m.id for m in client.models.list().data] == ["rag"]
    reply = client.chat.completions.create(model="rag", messages=[{"role": "user", "content": Q}])
    message = reply.choices[0].message
    data = message.model_extra["rag"]
    assert message.content == data["answer"] and data["question"] == Q
    assert not data["refused"] and any("290 kilometers" in c["quote"] for c in data["citations"])
    for c in data["citations"]:
        assert (ARTICLES / c["source"]).read_text(encoding="utf-8")[c["start"]:c["end"]] == c["quote"]


def test_streaming_and_two_clients_at_once(server):
    import openai

    _, url = server
    client = openai.OpenAI(base_url=url, api_key="x")
    chunks = list(client.chat.completions.create(model="rag", messages=[{"role": "user", "content": Q}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    extra = [c.choices[0].delta.model_extra.get("rag") for c in chunks if c.choices[0].delta.model_extra.get("rag")]
    assert len(extra) == 1 and text == extra[0]["answer"] and chunks[-1].choices[0].finish_reason == "stop"

    questions = [Q, "Who won the 2022 World Cup?"]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda q: client.chat.completions.create(
            model="rag", messages=[{"role": "user", "content": q}]).choices[0].message.model_extra["rag"], questions))
    assert [a["question"] for a in answers] == questions
    assert answers[0]["answer"] == text  # the same answer alone and alongside another client (greedy)


def test_bad_request_is_a_clear_400(server):
    import openai

    _, url = server
    client = openai.OpenAI(base_url=url, api_key="x")
    with pytest.raises(openai.BadRequestError, match="question is empty"):
        client.chat.completions.create(model="rag", messages=[{"role": "user", "content": "   "}])


def test_rag_ask_goes_through_the_running_server(server):
    index, _ = server
    proc = run("ask", "--json", Q, "--index", str(index), "--model", "smollm2-135m")
    assert proc.returncode == 0 and "answered by rag serve" in proc.stderr
    assert json.loads(proc.stdout)["question"] == Q
    local = run("ask", "--json", Q, "--index", str(index), "--model", "smollm2-135m", "--no-server")
    assert local.returncode == 0 and "answered by rag serve" not in local.stderr
    assert json.loads(local.stdout)["answer"] == json.loads(proc.stdout)["answer"]
    # other settings than the server's: answered here
    other = run("ask", "--json", Q, "--index", str(index), "--model", "smollm2-135m", "--top-k", "3")
    assert other.returncode == 0 and "answered by rag serve" not in other.stderr


def test_earlier_messages_resolve_a_follow_up(server):
    import openai

    _, url = server
    client = openai.OpenAI(base_url=url, api_key="x")
    messages = [{"role": "user", "content": "Where is the munitions depot?"},
                {"role": "assistant", "content": "The depot is near Tikhoretsk in southwestern Russia [1]."},
                {"role": "user", "content": "How far is it from the Russian border with Ukraine?"}]
    data = client.chat.completions.create(model="rag", messages=messages).choices[0].message.model_extra["rag"]
    assert data["question"] == messages[-1]["content"]
    assert data["searched"] == "How far is the munitions depot from the Russian border with Ukraine?"
