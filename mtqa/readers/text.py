"""Plain text and Markdown: bytes to str, strictly, so an encoding problem is never hidden."""

from __future__ import annotations

import codecs

from mtqa.errors import InputError

_BOM = b"\xef\xbb\xbf"
# Byte-order marks of the other Unicode encodings, longest first (UTF-32-LE starts like UTF-16-LE).
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
              (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# C0 controls other than tab, newline, form feed and carriage return: a sign of binary data.
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}
_CONTROL_CHARS = frozenset(map(chr, _CONTROL))
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)  # deleted, the control bytes are left to count


def decode(display: str, data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, had a BOM) of ``data``: UTF-8 with or without a BOM, or UTF-16/UTF-32
    with one (the BOM is dropped from the text). Raise InputError on anything else."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(display, f"invalid {encoding.upper()} at byte {exc.start + len(bom)}; "
                                          "convert the file to UTF-8 first") from None
            if not text.strip():
                raise InputError(display, "empty input: nothing to check")
            head = text[:8192]
            if "\x00" in text or sum(ch in _CONTROL_CHARS for ch in head) > max(8, len(head) // 100):
                raise InputError(display, "looks like a binary file, not text")
            return text, encoding, True
    return decode_text(display, data), "utf-8", data.startswith(_BOM)


def decode_text(display: str, data: bytes) -> str:
    """Decode UTF-8 (with or without a BOM, which is dropped). Raise InputError on anything else."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if not data.strip():
        raise InputError(display, "empty input: nothing to check")
    head = data[:8192]
    if b"\x00" in head or len(head.translate(None, _NOT_CONTROL)) > max(8, len(head) // 100):
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
