"""Loading the data files in corpora/ that detectors read.

Every data file is TOML with a top-level ``code`` (the rule its entries feed) and a list of
``[[entry]]`` tables. Each entry carries ``incorrect`` examples, where the expected span is marked
with ⟦ ⟧ and ``suggestion`` gives the expected fix ("" for a deletion), and ``correct`` examples
that must yield no finding. tests/test_corpora_examples.py runs them all.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from mtqa.config import CORPORA_DIR
from mtqa.errors import ConfigError

MARK_OPEN, MARK_CLOSE = "⟦", "⟧"


@lru_cache(maxsize=None)
def load(name: str | Path) -> dict[str, Any]:
    """The parsed TOML of corpora/<name> (or of an absolute path)."""
    path = Path(name)
    if not path.is_absolute():
        path = CORPORA_DIR / path
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"data file not found: {path}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def entries(name: str | Path) -> list[dict[str, Any]]:
    found = load(name).get("entry", [])
    if not isinstance(found, list):
        raise ConfigError(f"{name}: entry must be a list of [[entry]] tables")
    return list(found)


def data_files() -> list[Path]:
    """Every rule data file in corpora/ (those with a top-level ``code``)."""
    out = []
    for path in sorted(CORPORA_DIR.rglob("*.toml")):
        with open(path, "rb") as fh:
            if "code" in tomllib.load(fh):
                out.append(path)
    return out


def file_hash(name: str | Path) -> str:
    path = Path(name)
    if not path.is_absolute():
        path = CORPORA_DIR / path
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def parse_marked(example: str) -> tuple[str, int, int]:
    """'a ⟦b⟧ c' -> ('a b c', 2, 3)."""
    start = example.index(MARK_OPEN)
    end = example.index(MARK_CLOSE) - len(MARK_OPEN)
    return example.replace(MARK_OPEN, "").replace(MARK_CLOSE, ""), start, end
