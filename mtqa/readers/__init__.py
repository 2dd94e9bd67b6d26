"""Readers turn what the user names (files, directories, stdin) into Documents.

Plain text and Markdown are checked as they are; RSS/Atom, IPTC ninjs (.json) and NewsML-G2
(.xml) are split into one Document per item (see mtqa.readers.feeds).

Each reader keeps the text exactly as decoded, so every offset in a finding points into it.
A reader raises mtqa.errors.InputError for anything it cannot read, naming the path.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.readers.feeds import sniff_and_read
from mtqa.readers.text import decode_text

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".xml", ".rss", ".atom", ".json", ".ninjs")


def _files_under(root: Path) -> list[Path]:
    return sorted(
        (p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES and not any(
            part.startswith(".") for part in p.relative_to(root).parts)),
        key=lambda p: p.relative_to(root).as_posix(),
    )


def iter_sources(args: list[str]) -> Iterator[tuple[str, Path | None]]:
    """(display path, filesystem path) for every input; ``-`` stands for stdin."""
    for arg in args:
        if arg == "-":
            yield "-", None
            continue
        path = Path(arg)
        if path.is_dir():
            files = _files_under(path)
            if not files:
                raise InputError(arg, f"directory holds no {'/'.join(TEXT_SUFFIXES)} files")
            for f in files:
                yield str(Path(arg) / f.relative_to(path)), f
        else:
            yield arg, path


def read_source(display: str, path: Path | None, max_bytes: int, stdin_name: str | None = None) -> list[Document]:
    """The Documents in one input. Raises InputError naming ``display``.

    Stdin is shown as ``stdin_name`` when given (--stdin-filename), whose suffix then picks the
    reader as a file's would; without it, JSON and XML on stdin are recognised by their content.
    """
    if path is None:
        display = stdin_name or display
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        if not path.exists():
            raise InputError(display, "no such file or directory")
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError(display, f"file is {size:,} bytes, over the limit of {max_bytes:,} (see --max-bytes)")
            data = path.read_bytes()
        except PermissionError:
            raise InputError(display, "permission denied") from None
        except IsADirectoryError:
            raise InputError(display, "is a directory") from None
        except OSError as exc:
            raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(display, f"input is over the limit of {max_bytes:,} bytes (see --max-bytes)")
    text = decode_text(display, data)
    return sniff_and_read(display, data, text, sniff_json=path is None and not stdin_name) or [Document(display, text, meta={"bom": data.startswith(b"\xef\xbb\xbf")})]


def read_all(args: list[str], max_bytes: int, stdin_name: str | None = None) -> Iterator[Document | InputError]:
    """Every Document in ``args``, in order; an unreadable input yields its InputError instead."""
    try:
        sources = list(iter_sources(args))
    except InputError as exc:
        yield exc
        return
    for display, path in sources:
        try:
            yield from read_source(display, path, max_bytes, stdin_name)
        except InputError as exc:
            yield exc
