"""Config: one frozen settings object, built once from setup.cfg [mtqa] and the command line."""

from __future__ import annotations

import configparser
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import ConfigError
from mtqa.finding import SEVERITY_RANK

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = PROJECT_ROOT / "corpora"
MODELS_DIR = PROJECT_ROOT / "models"


FORMATS = ("text", "jsonl", "diff", "html")  # mtqa.writers.WRITERS, named here so a bad setup.cfg fails early


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "major"
    format: str = "text"
    use_lm: bool = True
    model_dir: str | None = None  # any local Hugging Face causal LM; None: the bundled SmolLM2
    device: str = "auto"
    cache_dir: str | None = None  # None: the user's cache dir
    house_style: str | None = None  # TOML file; None: corpora/house_style.toml
    language: str = "en"
    max_bytes: int = 20_000_000
    min_score: float = 0.2  # findings the model scores below this are dropped
    # mtqa serve (mtqa.server): where it listens, who may call it, and how much it takes on
    serve_host: str = "127.0.0.1"
    serve_port: int = 8081
    serve_token: str | None = field(default=None, repr=False)  # bearer token; --token or $MTQA_SERVE_TOKEN
    serve_queue: int = 64  # requests waiting for the model before new ones get 503
    serve_timeout: float = 60.0  # seconds a request may wait and run before it gets 504
    serve_batch: int = 16  # requests checked together in one model pass
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.fail_on not in SEVERITY_RANK and self.fail_on != "never":
            raise ConfigError(f"fail-on must be one of {', '.join(SEVERITY_RANK)} or never, not {self.fail_on!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"device must be auto, cpu or cuda, not {self.device!r}")
        if self.format not in FORMATS:
            raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        if not 0 <= self.serve_port <= 65535:
            raise ConfigError(f"port must be in 0..65535, not {self.serve_port}")
        if self.serve_queue < 1 or self.serve_batch < 1 or not self.serve_timeout > 0:
            raise ConfigError("queue size and batch size must be at least 1 and the timeout above 0")


_FIELDS = {f.name: f for f in dataclasses.fields(Config) if f.name != "extra"}


def _coerce(name: str, raw: str):
    kind = _FIELDS[name].type
    if "tuple" in str(kind):
        return tuple(p.strip() for p in raw.replace("\n", ",").split(",") if p.strip())
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return raw.strip()


def file_defaults(start: Path | None = None) -> dict:
    """Option defaults from the [mtqa] section of setup.cfg in ``start`` (default: the cwd).

    Unknown keys are an error, as in black, so a typo never silently does nothing.
    """
    cfg_path = (start or Path.cwd()) / "setup.cfg"
    if not cfg_path.is_file():
        return {}
    parser = configparser.ConfigParser()
    try:
        parser.read(cfg_path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{cfg_path}: {exc}") from exc
    if not parser.has_section("mtqa"):
        return {}
    out = {}
    for key, raw in parser.items("mtqa"):
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{cfg_path}: unknown key {key!r} in [mtqa]; known: {', '.join(sorted(_FIELDS))}")
        try:
            out[name] = _coerce(name, raw)
        except ValueError as exc:
            raise ConfigError(f"{cfg_path}: [mtqa] {key}: {exc}") from exc
    return out


def build_config(**cli: object) -> Config:
    """Settings from setup.cfg, overridden by every CLI option that was given (not None)."""
    values = file_defaults()
    values.update({k: v for k, v in cli.items() if v is not None})
    return Config(**values)
