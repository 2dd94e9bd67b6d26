"""Errors that end a run with a clear message and exit code 2."""


class MtqaError(Exception):
    """Base class for errors shown to the user without a traceback."""

    exit_code = 2


class InputError(MtqaError):
    """The input cannot be read as text: missing, binary, invalid UTF-8, empty, too large, malformed."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigError(MtqaError):
    """A setting in setup.cfg [mtqa] or on the command line is wrong."""
