"""Serving the review page on loopback with uvicorn, for `mtqa review`."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

from mtqa.errors import MtqaError
from mtqa.server.app import is_loopback  # noqa: F401  (the review command's check, re-exported)


class ReviewFolderBusy(MtqaError):
    """Another `mtqa review` holds the review folder."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 lets the system choose a free one. Bound before uvicorn starts,
    so the URL printed is the one that answers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(app, sock: socket.socket, announce: Callable[[str], None]) -> None:
    """Run ``app`` on ``sock`` until interrupted (Ctrl-C)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    announce(url_of(sock))
    server.run(sockets=[sock])


def lock_folder(out_dir: Path):
    """Hold an exclusive lock on ``out_dir`` for as long as the returned file stays open, so that
    two `mtqa review` processes never rewrite one decision log over each other. Raises
    ReviewFolderBusy when another process holds it. (POSIX only; elsewhere nothing is locked.)"""
    out_dir.mkdir(parents=True, exist_ok=True)
    fh = open(out_dir / ".lock", "a+")
    try:
        import fcntl
    except ImportError:
        return fh
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise ReviewFolderBusy(f"{out_dir}: another mtqa review is using this folder; stop it or give --out")
    return fh
