"""Token log-probabilities cached on disk, keyed by (model id, hash of the scored text).

Syndicated copies repeat sentences, and a second run over the same copy should cost nothing; a
small SQLite file in the cache dir holds one float32 array per scored (context, text) pair.
A cache that cannot be opened or written is turned off, never an error.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np


def text_key(model_id: str, *parts: str) -> str:
    h = hashlib.sha256(model_id.encode("utf-8"))
    for p in parts:
        h.update(b"\x00")
        h.update(p.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class ScoreCache:
    def __init__(self, path: Path | None):
        self.path = path
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("CREATE TABLE IF NOT EXISTS logprobs (key TEXT PRIMARY KEY, value BLOB)")
            except (OSError, sqlite3.Error):
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
                    out[k] = np.frombuffer(v, dtype=np.float32)
        except sqlite3.Error:
            self._db = None
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        if self._db is None or not items:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO logprobs (key, value) VALUES (?, ?)",
                    [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
                )
        except sqlite3.Error:
            self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
