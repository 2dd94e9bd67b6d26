"""Plain text and Markdown: bytes to str, strictly, so an encoding problem is never hidden."""

from __future__ import annotations

from mtqa.errors import InputError

_BOM = b"\xef\xbb\xbf"
# C0 controls other than tab, newline, form feed and carriage return: a sign of binary data.
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def decode_text(display: str, data: bytes) -> str:
    """Decode UTF-8 (with or without a BOM, which is dropped). Raise InputError on anything else."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if not data.strip():
        raise InputError(display, "empty input: nothing to check")
    head = data[:8192]
    if b"\x00" in head or sum(b in _CONTROL for b in head) > max(8, len(head) // 100):
        raise InputError(display, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            display, f"invalid UTF-8 at byte {exc.start} (line {line}); convert the file to UTF-8 first"
        ) from None
    if "\x00" in text:
        raise InputError(display, "contains NUL characters; looks like a binary file")
    return text
