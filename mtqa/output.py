"""Where a run writes: stdout, or a file replaced atomically once the run has finished.

What "safe" means here:
- A regular file (or a new path) is replaced atomically: the output is written to an unnamed
  temporary file beside it (Linux O_TMPFILE; a named ``.NAME.*.tmp`` elsewhere), which gets a name
  only for the instant of the rename, so a run killed even with SIGKILL leaves the old file
  whole and no temporary file behind. SIGTERM and SIGHUP are turned into a normal exit while
  the file is open, so the named fallback is removed on them too (and on Ctrl-C).
- A symbolic link is resolved and the file it names is replaced; the link stays a link.
- The replaced file keeps its mode and owner; a file with other hard links, or one whose owner
  cannot be kept, is refused with the reason rather than silently split or given away.
- Devices, FIFOs and /dev/fd/*, /dev/stdout, /proc/self/fd/* are written directly: replacing
  them with a regular file would destroy them (as root, ``-o /dev/null`` would replace /dev/null).
- Every failure to write is an OutputError, shown as "mtqa: error: cannot write PATH: reason".
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterator, TextIO

from mtqa.errors import OutputError

_DIRECT_PREFIXES = ("/dev/", "/proc/")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)


class _Guarded:
    """A text stream whose write errors become OutputError naming the path (the stream of a run
    is written while it goes, so a full disk can strike at any write)."""

    def __init__(self, stream: TextIO, shown: str):
        self._stream, self._shown = stream, shown

    def write(self, s: str) -> int:
        try:
            return self._stream.write(s)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(self._shown, _reason(exc)) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(self._shown, _reason(exc)) from exc

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def _exit_on_termination() -> Iterator[None]:
    """SIGTERM/SIGHUP raise SystemExit while the block runs, so its clean-up runs as on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _is_direct(path: str, st: os.stat_result | None) -> bool:
    """Written in place rather than replaced: anything but a regular file, and the /dev and
    /proc names of open descriptors (which may well point at a regular file)."""
    if st is not None and not stat.S_ISREG(st.st_mode):
        return True
    absolute = os.path.abspath(path)
    return absolute.startswith(_DIRECT_PREFIXES)


def _plan(path: str, in_place: bool) -> tuple[bool, str, os.stat_result | None]:
    """(write directly?, the path to write or replace, its stat or None for a new file)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(path, _reason(exc)) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(path, "is a directory")
        if stat.S_ISSOCK(st.st_mode):
            raise OutputError(path, "is a socket")
    if _is_direct(path, st):
        return True, path, st
    if st is None and os.path.islink(path):
        raise OutputError(path, f"is a broken symbolic link (to {os.readlink(path)})")
    real = os.path.realpath(path)
    parent = os.path.dirname(real) or "."
    if not os.path.isdir(parent):
        raise OutputError(path, f"no such folder: {os.path.dirname(path) or '.'}")
    if st is not None and st.st_nlink > 1:
        what = "the file" if in_place else "it"
        raise OutputError(path, f"{what} has {st.st_nlink} hard links, which replacing it would split from it; "
                                "write to a new file and copy it over instead")
    return False, real, st


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def _direct(path: str, encoding: str) -> Iterator[TextIO]:
    try:
        fh = open(path, "w", encoding=encoding, newline="")
    except OSError as exc:
        raise OutputError(path, _reason(exc)) from None
    try:
        guarded = _Guarded(fh, path)
        yield guarded  # type: ignore[misc]
        guarded.flush()
    finally:
        with contextlib.suppress(OSError):
            fh.close()


def _open_temp(directory: str, name: str) -> tuple[int, str | None]:
    """An unnamed file in ``directory`` (O_TMPFILE) or, where the system has none, a named one."""
    if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
        # O_RDWR, not O_WRONLY: the fallback in _name_unnamed may have to read it back
        try:
            return os.open(directory, os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC, 0o600), None
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
                raise
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    return fd, tmp


def _name_unnamed(fd: int, directory: str, base: str) -> str:
    """Give the O_TMPFILE ``fd`` a temporary name in ``directory`` (linkat through /proc, as
    open(2) documents), or copy it into a named temporary file where linking is not allowed."""
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(100):
            name = f".{base}.{os.urandom(6).hex()}.tmp"
            try:
                # a dst_dir_fd makes Python call linkat() with AT_SYMLINK_FOLLOW, not link()
                os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dfd, follow_symlinks=True)
                return os.path.join(directory, name)
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise
                break
    finally:
        os.close(dfd)
    copy_fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    try:
        offset = 0
        while chunk := os.pread(fd, 1 << 20, offset):
            os.write(copy_fd, chunk)
            offset += len(chunk)
        st = os.fstat(fd)
        with contextlib.suppress(OSError):
            os.fchown(copy_fd, st.st_uid, st.st_gid)
        os.fchmod(copy_fd, st.st_mode & 0o7777)
        os.fsync(copy_fd)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        os.close(copy_fd)
    return tmp


def _commit(fd: int, tmp: str | None, target: str) -> None:
    directory = os.path.dirname(target) or "."
    if tmp is None:
        # Give the unnamed file a name only now, for the instant before the rename.
        tmp = _name_unnamed(fd, directory, os.path.basename(target))
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _keep_owner_and_mode(fd: int, shown: str, st: os.stat_result | None) -> None:
    if st is None:
        os.fchmod(fd, _new_file_mode())
        return
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            what = (f"user {st.st_uid}" if mine.st_uid != st.st_uid else f"group {st.st_gid}, which you are not in")
            raise OutputError(shown, f"it belongs to {what}, and replacing it would change its owner; "
                                     "write to a new file instead") from None
    os.fchmod(fd, st.st_mode & 0o7777)


@contextlib.contextmanager
def atomic_output(path: str | None, encoding: str = "utf-8", in_place: bool = False) -> Iterator[TextIO]:
    """Yield a text stream; for a path, write a temporary file beside it and rename it into place
    only when the block succeeds, so an interrupted run never leaves a half-written file.

    Raises OutputError for anything that cannot be written (see the module's docstring).
    """
    if path is None or path == "-":
        stream = _Guarded(sys.stdout, "<stdout>")
        yield stream  # type: ignore[misc]
        stream.flush()
        return
    direct, target, st = _plan(path, in_place)
    if direct:
        with _direct(path, encoding) as fh:
            yield fh
        return
    directory = os.path.dirname(target) or "."
    with _exit_on_termination():
        try:
            fd, tmp = _open_temp(directory, os.path.basename(target))
        except OSError as exc:
            raise OutputError(path, f"cannot create a file in {directory}: {_reason(exc)}") from None
        fh = None
        try:
            try:
                _keep_owner_and_mode(fd, path, st)
            except OSError as exc:
                raise OutputError(path, _reason(exc)) from None
            fh = os.fdopen(fd, "w", encoding=encoding, newline="", closefd=False)
            guarded = _Guarded(fh, path)
            yield guarded  # type: ignore[misc]
            guarded.flush()
            try:
                os.fsync(fd)
                _commit(fd, tmp, target)
                tmp = None
            except OSError as exc:
                raise OutputError(path, _reason(exc)) from None
        finally:
            if fh is not None:
                with contextlib.suppress(OSError, ValueError):
                    fh.close()  # after a failed write the buffer may still not fit: drop it
            os.close(fd)
            if tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_output(str(path)) as fh:
        fh.write(text)
