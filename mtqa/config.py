"""Config: one frozen settings object, built once from setup.cfg [mtqa] and the command line."""

from __future__ import annotations

import configparser
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import ConfigError
from mtqa.finding import SEVERITY_RANK

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = PROJECT_ROOT / "corpora"
MODELS_DIR = PROJECT_ROOT / "models"


FORMATS = ("text", "jsonl", "diff", "html")  # mtqa.writers.WRITERS, named here so a bad setup.cfg fails early
PRECISIONS = ("auto", "fp32", "bf16", "int8")
# Environment variables, read here and nowhere else, once, when the Config is built: each sets
# the default of one Config field, between setup.cfg and the command line.
ENVIRONMENT = {"MTQA_THREADS": "threads", "MTQA_PRECISION": "precision", "MTQA_CACHE_DIR": "cache_dir"}


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
    # The model's CPU threads. 1 by default: two were never faster on the project's shared 2-core
    # machine (README "Threads", scripts/bench_threads.py); more cores are better used by more
    # processes. 0: every core this process may use (at most 8).
    threads: int = 1
    precision: str = "auto"  # the model's: auto (bf16 where the hardware has it), fp32, bf16, int8
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.fail_on not in SEVERITY_RANK and self.fail_on != "never":
            raise ConfigError(f"fail-on must be one of {', '.join(SEVERITY_RANK)} or never, not {self.fail_on!r}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"device must be auto, cpu or cuda, not {self.device!r}")
        if self.threads < 0:
            raise ConfigError(f"threads must be 0 (every core) or more, not {self.threads}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        if self.format not in FORMATS:
            raise ConfigError(f"format must be one of {', '.join(FORMATS)}, not {self.format!r}")


    def signature(self) -> dict:
        """The settings that change what a run finds (a report's signature): the selection and
        the score threshold; threads, precision and paths change how fast, not what."""
        sig: dict = {"thresholds": {"min_score": self.min_score}}
        if self.select:
            sig["select"] = ",".join(self.select)
        if self.ignore:
            sig["ignore"] = ",".join(self.ignore)
        return sig


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


def environment_defaults(environ: dict | None = None) -> dict:
    """Option defaults from the MTQA_* environment variables (ENVIRONMENT); a bad value is an error."""
    environ = os.environ if environ is None else environ
    out = {}
    for var, name in ENVIRONMENT.items():
        raw = environ.get(var, "").strip()
        if raw:
            try:
                out[name] = _coerce(name, raw)
            except ValueError as exc:
                raise ConfigError(f"${var}: {exc}") from exc
    return out


def build_config(**cli: object) -> Config:
    """Settings from setup.cfg, then the environment (ENVIRONMENT), overridden by every CLI option
    that was given (not None)."""
    values = file_defaults()
    values.update(environment_defaults())
    values.update({k: v for k, v in cli.items() if v is not None})
    return Config(**values)
