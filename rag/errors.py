"""The error hierarchy the CLI and UI turn into one-line messages.

Every error raised on purpose by this package derives from `RagError`; its message is
meant for the user as it stands (it names the file, folder or parameter at fault and,
where there is one, the command that fixes it).
"""


class RagError(Exception):
    """Base class: the message is shown to the user without a traceback."""


class InputError(RagError, ValueError):
    """A bad question, option or setting value."""


class CorpusError(RagError):
    """The corpus folder is missing, empty, or holds no readable article."""


class IndexMissingError(RagError):
    """No index has been built at the given location."""


class IndexMismatchError(RagError):
    """The index was built with other settings (embedder, chunker) than the ones in use."""


class IndexCorruptError(RagError):
    """Index files are missing, truncated or unreadable."""


class IndexBusyError(RagError):
    """Another process is building the same index."""


class ModelError(RagError):
    """A model could not be found, verified or loaded."""
