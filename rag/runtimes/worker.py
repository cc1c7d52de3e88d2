"""Streaming from a generation that runs in a worker thread, shared by the runtimes.

`generate` calls of transformers and OpenVINO GenAI block until the reply is done, so each
runtime starts its call in a thread (under the model's lock: one generation at a time)
and reads the pieces it produces. When the consumer closes the stream, `stop` is set,
the runtime's own hook ends generation at the next token, and the thread is joined
before the lock is released. An error in the thread is raised in the consumer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator

from rag.errors import ModelError


def stream_from_worker(lock: threading.Lock, run: Callable[[], None], pieces: Iterable[str],
                       stop: threading.Event, errors: list[BaseException]) -> Iterator[str]:
    """Start `run` in a thread and yield the non-empty `pieces` it produces; stop and join on close."""
    with lock:
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        try:
            for piece in pieces:
                if piece:
                    yield piece
        finally:
            stop.set()
            worker.join()
    if errors:
        raise ModelError(f"generation failed: {errors[0]}")
