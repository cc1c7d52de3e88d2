"""Generator runtimes, one module each; `rag.generate` picks one by name from its registry."""
