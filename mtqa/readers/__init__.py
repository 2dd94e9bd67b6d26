"""Readers turn what the user names (files, directories, stdin) into Documents.

Plain text and Markdown are checked as they are; RSS/Atom, IPTC ninjs (.json) and NewsML-G2
(.xml) are split into one Document per item (see mtqa.readers.feeds).

Each reader keeps the text exactly as decoded, so every offset in a finding points into it.
Anything that cannot be read becomes an InputError naming the input (or the feed item), and
the other inputs are still read: one bad file never costs the others.

Reads are bounded: only regular files and ``-`` (stdin) are read, never more than
``max_bytes + 1`` bytes of either, so a FIFO, a device or /dev/zero cannot hang or exhaust a run.
Inside a scanned folder, symbolic links are not followed out of the folder, nor into folders.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path
from typing import Iterator

from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.readers.feeds import sniff_and_read_items
from mtqa.readers.text import decode

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".xml", ".rss", ".atom", ".json", ".ninjs")
_CHUNK = 1 << 20


def _os_reason(exc: OSError, path: str | os.PathLike) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "broken symbolic link" if os.path.islink(path) else "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    if exc.errno == errno.ENOTDIR:
        return "no such file or directory (a part of the path is not a folder)"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return f"cannot read: {exc.strerror or exc}"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"), (stat.S_ISDIR, "directory")):
        if test(mode):
            return name
    return "special file"


def _files_under(root: Path, display_root: str) -> Iterator[tuple[str, Path | None] | InputError]:
    """Every text file under ``root`` in path order, never following a symbolic link out of it;
    unreadable folders and links leading out are InputErrors in their place."""
    real_root = os.path.realpath(root)
    found: list[tuple[str, str, Path | None, InputError | None]] = []

    def onerror(exc: OSError) -> None:
        rel = os.path.relpath(exc.filename, root) if exc.filename else "."
        shown = display_root if rel == "." else str(Path(display_root) / rel)
        found.append((rel, shown, None, InputError(shown, f"cannot read folder: {_os_reason(exc, exc.filename)}")))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
                continue
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            shown = str(Path(display_root) / rel)
            err = None
            if full.is_symlink():
                try:
                    target = os.path.realpath(full, strict=True)
                except OSError as exc:
                    err = InputError(shown, _os_reason(exc, full))
                else:
                    if os.path.commonpath([real_root, target]) != real_root:
                        err = InputError(shown, f"symbolic link to {target}, outside {display_root}; not followed")
            found.append((rel, shown, None if err else full, err))
    if not found:
        yield InputError(display_root, f"directory holds no {'/'.join(TEXT_SUFFIXES)} files")
        return
    for _, shown, path, err in sorted(found, key=lambda t: t[0]):
        yield err if err is not None else (shown, path)


def iter_sources(args: list[str]) -> Iterator[tuple[str, Path | None] | InputError]:
    """(display path, filesystem path) for every input, ``-`` standing for stdin, or an InputError
    in the place of an argument (or a part of a folder) that cannot be listed."""
    for arg in args:
        if arg == "-":
            yield "-", None
            continue
        path = Path(arg)
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except (OSError, ValueError):
            is_dir = False  # read_source names the problem
        if is_dir:
            yield from _files_under(path, arg)
        else:
            yield arg, path


def _read_bounded(read, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes from ``read(n)``, stopping at the end of the data."""
    buf = bytearray()
    while len(buf) <= max_bytes:
        chunk = read(min(_CHUNK, max_bytes + 1 - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def _read_stdin(max_bytes: int) -> bytes:
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    if stream is None or getattr(stream, "closed", False):
        raise InputError("-", "stdin is closed")
    try:
        return _read_bounded(stream.read, max_bytes)
    except (OSError, ValueError) as exc:
        reason = _os_reason(exc, "-") if isinstance(exc, OSError) else "stdin is closed"
        raise InputError("-", reason if reason != "no such file or directory" else "cannot read stdin") from None


def read_bytes(display: str, path: Path | None, max_bytes: int) -> bytes:
    """The bytes of one input, bounded by ``max_bytes``. Raises InputError naming ``display``."""
    if path is None:
        data = _read_stdin(max_bytes)
    else:
        try:
            st = os.stat(path)
        except (OSError, ValueError) as exc:
            raise InputError(display, _os_reason(exc, path) if isinstance(exc, OSError) else str(exc)) from None
        if not stat.S_ISREG(st.st_mode):
            raise InputError(display, f"is a {_kind(st.st_mode)}, not a regular file; "
                                      "mtqa reads only regular files and - (stdin)")
        if st.st_size > max_bytes:
            raise InputError(display, f"file is {st.st_size:,} bytes, over the limit of {max_bytes:,} (see --max-bytes)")
        try:
            # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening it must not hang.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
        except OSError as exc:
            raise InputError(display, _os_reason(exc, path)) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise InputError(display, f"is a {_kind(st.st_mode)}, not a regular file")
            data = _read_bounded(lambda n: os.read(fd, n), max_bytes)
        except OSError as exc:
            raise InputError(display, _os_reason(exc, path)) from None
        finally:
            os.close(fd)
    if len(data) > max_bytes:
        raise InputError(display, f"input is over the limit of {max_bytes:,} bytes (see --max-bytes)")
    return data


def read_data(display: str, data: bytes, sniff_json: bool = False) -> list[Document | InputError]:
    """The Documents in ``data`` (one for plain copy, one per feed item), with an InputError in
    the place of each item that cannot be read. Raises InputError when nothing can be."""
    try:
        text, encoding, bom = decode(display, data)
        items = sniff_and_read_items(display, data, text, sniff_json)
    except InputError:
        raise
    except (Exception, RecursionError) as exc:  # noqa: BLE001 - containment is the point
        raise _contained(display, exc) from exc
    if items is None:
        return [Document(display, text, meta={"bom": bom, "encoding": encoding})]
    return items


def _read_one(display: str, path: Path | None, max_bytes: int,
              stdin_name: str | None) -> list[Document | InputError]:
    # Stdin is shown as ``stdin_name`` when given (--stdin-filename), whose suffix then picks the
    # reader as a file's would; without it, JSON and XML on stdin are recognised by their content.
    if path is None and stdin_name:
        display = stdin_name
    return read_data(display, read_bytes(display, path, max_bytes), sniff_json=path is None and not stdin_name)


def read_source(display: str, path: Path | None, max_bytes: int, stdin_name: str | None = None) -> list[Document]:
    """The Documents in one input. Raises InputError naming ``display`` (or its first bad item)."""
    items = _read_one(display, path, max_bytes, stdin_name)
    for item in items:
        if isinstance(item, InputError):
            raise item
    return items


def _contained(display: str, exc: BaseException) -> InputError:
    # Anything a reader did not foresee still costs only this input; --debug shows the traceback.
    err = InputError(display, f"cannot be read: {type(exc).__name__}: {exc}"[:500] + " (a bug in mtqa; "
                              "--debug shows the traceback)")
    err.__cause__ = exc
    err.internal = True
    return err


def read_all(args: list[str], max_bytes: int, stdin_name: str | None = None) -> Iterator[Document | InputError]:
    """Every Document in ``args``, in order; an unreadable input (or feed item) yields its
    InputError instead, and reading goes on with the next."""
    for source in iter_sources(args):
        if isinstance(source, InputError):
            yield source
            continue
        display, path = source
        try:
            items = _read_one(display, path, max_bytes, stdin_name)
        except InputError as exc:
            yield exc
        except (Exception, RecursionError) as exc:  # noqa: BLE001 - containment is the point
            yield _contained(display, exc)
        else:
            yield from items
