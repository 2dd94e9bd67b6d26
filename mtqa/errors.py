"""Errors that end a run (or one input) with a clear message, and the exit codes mtqa uses.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 an input, output or
usage error (every other input is still checked), 3 an internal error (a bug in mtqa; the
traceback is shown with --debug or MTQA_DEBUG=1), 130 interrupted (Ctrl-C), 141 the reader of
stdout went away (``mtqa check ... | head``).
"""

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


class MtqaError(Exception):
    """Base class for errors shown to the user without a traceback."""

    exit_code = EXIT_ERROR


class InputError(MtqaError):
    """The input cannot be read as text: missing, binary, invalid UTF-8, empty, too large, malformed."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.internal = False  # True when only a last-resort catch named it: a bug in mtqa


class OutputError(MtqaError):
    """A file mtqa was asked to write cannot be written (missing folder, disk full, a device...)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(MtqaError):
    """A setting in setup.cfg [mtqa] or on the command line is wrong."""
