"""`rag serve`: the pipeline as an OpenAI-compatible HTTP service, models loaded once.

Endpoints (FastAPI on uvicorn):
- `GET /v1/models`: one model, `rag`.
- `POST /v1/chat/completions`: the last user message is the question; the earlier user
  and assistant messages are the conversation a follow-up is resolved against
  (`Pipeline.answer(..., history=...)`, `rag.followup`). The reply's `content` is the
  cited answer (`Answer.text`); `message.rag` carries `rag ask --json`'s object
  (citations, claims, conflicts, refused, timings). With `"stream": true` it answers with
  server-sent events: the checked answer as one content delta, then a final chunk whose
  delta carries `rag`, then `data: [DONE]`.
`rag serve --raw` serves the generator alone on the same endpoints: the messages are the
prompt, the reply is the model's raw text streamed token by token, and no index is needed.
It is a real OpenAI-compatible generator server, for `--generator-url` on another machine
(or in the tests).
While it runs (not with `--raw`), `<index>/server.json` names its address, index, model and runtime, so
`rag ask` on the same index and settings sends its question here instead of loading models
(`ask_server`); the file is removed on exit. Binding beyond loopback needs `--allow-remote`
and a key in `RAG_API_KEY`, checked as `Authorization: Bearer KEY`.
Simplified on purpose: streaming sends the checked answer, not the raw model tokens (an
OpenAI client joins deltas, and the raw reply is not what gets cited); one process.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
import urllib.error
import urllib.request
import uuid

from rag.schema import Turn
from rag.settings import Settings

log = logging.getLogger(__name__)

SERVER_FILE = "server.json"
MODEL_ID = "rag"


def _identity(settings: Settings) -> dict:
    """What a server must share with a `rag ask` for its answers to be the same."""
    return {"index": str(settings.index.resolve()), "model": settings.model, "backend": settings.backend,
            "dtype": settings.dtype, "top_k": settings.top_k, "context_tokens": settings.context_tokens,
            "generator_url": settings.generator_url}


def history(messages: list[dict]) -> list[Turn]:
    """Earlier OpenAI messages as conversation turns: each user question with the assistant reply after it."""
    turns = []
    for i, m in enumerate(messages):
        if m.get("role") == "user" and isinstance(m.get("content"), str) and m["content"].strip():
            reply = messages[i + 1] if i + 1 < len(messages) and messages[i + 1].get("role") == "assistant" else {}
            searched = (reply.get("rag") or {}).get("searched") if isinstance(reply.get("rag"), dict) else None
            content = reply.get("content") if isinstance(reply.get("content"), str) else ""
            turns.append(Turn(m["content"], searched or m["content"], content))
    return turns


def _base_app(api_key: str | None, generator: str):
    """The FastAPI app with `/v1/models` and the key check; returns (app, check_key, error)."""
    from fastapi import FastAPI, Header, HTTPException
    from fastapi.responses import JSONResponse

    app = FastAPI(title="rag-news", docs_url=None, redoc_url=None)

    def check_key(authorization: str | None) -> None:
        if api_key and authorization != f"Bearer {api_key}":
            raise HTTPException(status_code=401, detail="missing or wrong API key (Authorization: Bearer KEY)")

    def error(message: str, status: int = 400) -> JSONResponse:
        kind = "invalid_request" if status == 400 else "server_error"
        return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)

    @app.get("/v1/models")
    def models(authorization: str | None = Header(default=None)) -> dict:
        check_key(authorization)
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "rag-news",
                                            "generator": generator}]}

    return app, check_key, error


def _new_completion() -> tuple[str, int]:
    """A fresh completion id and its creation time."""
    return f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())


def _chunk(ident: str, created: int, delta: dict, finish: str | None = None) -> str:
    """One server-sent event of a streamed chat completion."""
    return "data: " + json.dumps({"id": ident, "object": "chat.completion.chunk", "created": created,
                                  "model": MODEL_ID, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]},
                                 ensure_ascii=False) + "\n\n"


def _completion(ident: str, created: int, message: dict, usage: dict | None = None) -> dict:
    return {"id": ident, "object": "chat.completion", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", **message}}],
            "usage": usage or {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def create_app(pipeline, api_key: str | None = None):
    """The FastAPI app answering with `pipeline` (a loaded `rag.pipeline.Pipeline`)."""
    from fastapi import Header
    from fastapi.responses import StreamingResponse

    from rag.errors import InputError, RagError

    app, check_key, error = _base_app(api_key, pipeline.settings.model)

    @app.post("/v1/chat/completions")
    def completions(body: dict, authorization: str | None = Header(default=None)):
        check_key(authorization)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return error("messages must be a non-empty list")
        turns = [m for m in messages if isinstance(m, dict) and m.get("role") in ("user", "assistant")]
        if not turns or turns[-1].get("role") != "user" or not isinstance(turns[-1].get("content"), str):
            return error("the last message must be a user message with text")
        try:
            answer = pipeline.answer(turns[-1]["content"], history=history(turns[:-1]))
        except InputError as exc:
            return error(str(exc))
        except RagError as exc:
            return error(str(exc), 500)
        data = answer.to_json()
        ident, created = _new_completion()
        if not body.get("stream"):
            return _completion(ident, created, {"content": answer.text, "rag": data})

        def events():
            yield _chunk(ident, created, {"role": "assistant", "content": answer.text})
            yield _chunk(ident, created, {"rag": data}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def create_generator_app(generator, max_new_tokens: int, api_key: str | None = None):
    """The FastAPI app of `rag serve --raw`: `generator` (a `rag.generate.TextGenerator`) on the messages as given."""
    from fastapi import Header
    from fastapi.responses import StreamingResponse

    from rag.errors import RagError
    from rag.prompt import Message

    app, check_key, error = _base_app(api_key, generator.name)

    @app.post("/v1/chat/completions")
    def completions(body: dict, authorization: str | None = Header(default=None)):
        check_key(authorization)
        raw = body.get("messages")
        if not isinstance(raw, list) or not raw or not all(
                isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str) for m in raw):
            return error("messages must be a non-empty list of {role: system|user|assistant, content: text}")
        limit = next((body[k] for k in ("max_tokens", "max_completion_tokens") if body.get(k) is not None),
                     max_new_tokens)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 4096:
            return error(f"max_tokens must be an integer from 1 to 4096, got {limit!r}")
        messages = [Message(m["role"], m["content"]) for m in raw]
        ident, created = _new_completion()
        if not body.get("stream"):
            try:
                text = "".join(generator.stream(messages, limit))
            except RagError as exc:
                return error(str(exc), 500)
            prompt = sum(len(generator.counter.encode_ordinary(m.content)) for m in messages)
            done = len(generator.counter.encode_ordinary(text))
            return _completion(ident, created, {"content": text},
                               {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done})

        def events():
            pieces = generator.stream(messages, limit)
            try:
                yield _chunk(ident, created, {"role": "assistant", "content": ""})
                for piece in pieces:
                    yield _chunk(ident, created, {"content": piece})
                yield _chunk(ident, created, {}, "stop")
                yield "data: [DONE]\n\n"
            finally:
                pieces.close()  # the client went away: stop generating

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def serve_generator(settings: Settings, host: str = "127.0.0.1", port: int = 8000,
                    api_key: str | None = None) -> None:
    """`rag serve --raw`: load the generator alone and serve it until interrupted."""
    import uvicorn

    from rag.generate import load_generator

    app = create_generator_app(load_generator(settings), settings.max_new_tokens, api_key)
    print(f"serving the generator {settings.model} (raw, no retrieval) at http://{host}:{port}/v1 "
          "(OpenAI-compatible; Ctrl-C to stop)", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, api_key: str | None = None) -> None:
    """Load the pipeline, write `<index>/server.json`, and serve until interrupted."""
    import uvicorn

    from rag.pipeline import Pipeline

    pipeline = Pipeline.load(settings)
    app = create_app(pipeline, api_key)
    marker = settings.index / SERVER_FILE
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    info = {**_identity(settings), "url": f"http://{shown}:{port}", "pid": os.getpid(), "key": bool(api_key)}
    tmp = marker.with_name(f".{SERVER_FILE}.{os.getpid()}")
    tmp.write_text(json.dumps(info))
    os.replace(tmp, marker)
    print(f"serving {settings.model} at http://{host}:{port}/v1 (OpenAI-compatible; Ctrl-C to stop)", flush=True)
    # uvicorn re-raises SIGTERM after its graceful shutdown; as SystemExit the finally below still runs
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        try:
            if json.loads(marker.read_text()).get("pid") == os.getpid():
                marker.unlink()
        except (OSError, ValueError):
            pass


def find_server(settings: Settings) -> str | None:
    """The URL of a running `rag serve` with the same index and settings, or None."""
    marker = settings.index / SERVER_FILE
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if info.get("key") or any(info.get(k) != v for k, v in _identity(settings).items()):
        return None
    try:
        os.kill(int(info["pid"]), 0)
    except (OSError, KeyError, ValueError, TypeError):
        return None
    return str(info["url"])


def ask_server(url: str, question: str, timeout: float = 600.0) -> dict | None:
    """`rag ask --json`'s object for `question` from the server at `url`; None when it cannot answer."""
    body = json.dumps({"model": MODEL_ID, "messages": [{"role": "user", "content": question}]}).encode()
    request = urllib.request.Request(f"{url}/v1/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())["choices"][0]["message"]["rag"]
    except urllib.error.HTTPError as exc:
        if exc.code == 400:  # our own one-line input error, as the local run would give it
            from rag.errors import InputError

            raise InputError(json.loads(exc.read())["error"]["message"]) from None
        log.warning("server at %s failed (%s); answering here", url, exc)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        log.warning("server at %s did not answer (%s); answering here", url, exc)
    return None
