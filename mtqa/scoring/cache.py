"""Token log-probabilities cached on disk, keyed by (model id, hash of the scored text).

Syndicated copies repeat sentences, and a second run over the same copy should cost nothing; a
small SQLite file in the cache dir holds one float32 array per scored (context, text) pair.
A cache that cannot be opened or written is turned off, never an error. A damaged one (not a
database, a malformed page) is moved aside to ``scores.sqlite.corrupt-<time>``, rebuilt empty,
and a warning says so. Stored values that are not finite are ignored (recomputed), and a model
that computes a non-finite log-probability is a ModelError: its weights are damaged.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

from mtqa.scoring.manifest import ModelError

# SQLITE_CORRUPT and SQLITE_NOTADB: the file is damaged, not merely busy or read-only
_DAMAGED = {11, 26}


def _is_damage(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _DAMAGED
    msg = str(exc).lower()
    return "malformed" in msg or "not a database" in msg


def _warn(msg: str) -> None:
    print(f"mtqa: warning: {msg}", file=sys.stderr)


def text_key(model_id: str, *parts: str) -> str:
    h = hashlib.sha256(model_id.encode("utf-8"))
    for p in parts:
        h.update(b"\x00")
        h.update(p.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class ScoreCache:
    def __init__(self, path: Path | None, warn: Callable[[str], None] = _warn):
        self.path = path
        self._warn = warn
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                self._db = self._open(path)
            except sqlite3.Error as exc:
                if _is_damage(exc):
                    self._rebuild(exc)
                else:
                    self._db = None
            except OSError:
                self._db = None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS logprobs (key TEXT PRIMARY KEY, value BLOB)")
        except BaseException:
            db.close()
            raise
        return db

    def _rebuild(self, exc: sqlite3.Error) -> None:
        """Move the damaged file (and its WAL) aside, start an empty cache, and say so."""
        if self._db is not None:
            self._db.close()
            self._db = None
        assert self.path is not None
        try:  # another process sharing the cache may have rebuilt it already
            db = self._open(self.path)
            db.execute("SELECT count(*) FROM logprobs").fetchone()
            self._db = db
            return
        except (OSError, sqlite3.Error):
            pass
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
            self._db = self._open(self.path)
        except (OSError, sqlite3.Error) as again:
            self._warn(f"the score cache {self.path} is damaged ({exc}) and could not be rebuilt ({again}); "
                       "scoring without it")
            self._db = None
            return
        self._warn(f"the score cache {self.path} was damaged ({exc}); moved it to {aside.name} and started "
                   "an empty one (scores are recomputed)")

    def _failed(self, exc: sqlite3.Error) -> None:
        if _is_damage(exc):
            self._rebuild(exc)
        else:
            self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        if self._db is None or not keys:
            return {}
        out: dict[str, np.ndarray] = {}
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                q = "SELECT key, value FROM logprobs WHERE key IN (%s)" % ",".join("?" * len(chunk))
                for k, v in self._db.execute(q, chunk):
                    if not isinstance(v, bytes) or len(v) % 4:
                        continue  # not one of ours: recompute it
                    arr = np.frombuffer(v, dtype=np.float32)
                    if np.isfinite(arr).all():
                        out[k] = arr
        except sqlite3.Error as exc:
            self._failed(exc)
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        """Store freshly computed log-probabilities. Every computed score passes through here (a
        disabled cache too), so this is where a damaged model is caught before a NaN is written."""
        for v in items.values():
            if not np.isfinite(np.asarray(v, dtype=np.float32)).all():
                raise ModelError("the language model computed a non-finite log-probability (NaN or infinity): "
                                 "its weights are damaged; run `mtqa model fetch --force` to install it again")
        if self._db is None or not items:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO logprobs (key, value) VALUES (?, ?)",
                    [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
                )
        except sqlite3.Error as exc:
            self._failed(exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
