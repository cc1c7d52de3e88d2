"""rag: local, offline question answering over news articles with cited, quoted answers.

Stages, one module each: ingest -> chunk -> embed -> store -> retrieve -> generate -> cite,
tied together by `pipeline` and exposed by `cli`. Heavy libraries (torch, transformers,
faiss, gradio) are imported inside the functions that need them so `rag --help` is instant.
"""

__version__ = "0.1.0"
