"""Config: one frozen settings object, built once from a config file and the command line.

The file is mtqa.toml, pyproject.toml [tool.mtqa] or setup.cfg [mtqa], found upward from the
working directory (or named by --config).
"""

from __future__ import annotations

import configparser
import tomllib
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.errors import ConfigError
from mtqa.finding import SEVERITY_RANK

from mtqa.resources import data_dir

# The source checkout, for development scripts that read ../shared; the installed package never uses it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPORA_DIR = data_dir("corpora")  # shipped in the package (mtqa._corpora), see mtqa/resources.py
MODELS_DIR = data_dir("models")


FORMATS = ("text", "jsonl", "diff", "html", "sarif", "rdjson", "github", "jsonl-evidence")  # mtqa.writers.WRITERS, named here so a bad setup.cfg fails early
ENGINES = ("process", "ray")
PRECISIONS = ("auto", "fp32", "bf16", "int8")
# Environment variables, read here and nowhere else, once, when the Config is built: each sets
# the default of one Config field, between the config file and the command line.
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
    accept: tuple[str, ...] = ()  # terms never reported (a finding whose text is one of them)
    accept_file: str | None = None  # a file of accepted terms, one a line (# comments)
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, codes) pairs
    baseline: str | None = None  # report only findings not recorded in this baseline file
    # The model's CPU threads; 0 (the default): every core this process may use, at most 8. With
    # OpenMP's threads sleeping while they wait (PASSIVE), a second thread shortens one process's
    # run on an idle machine and on a loaded one (README "Threads"); --jobs workers split the
    # cores between them instead (mtqa.engines), which uses two cores better still.
    threads: int = 0
    precision: str = "auto"  # the model's: auto (bf16 where the hardware has it), fp32, bf16, int8
    # Documents that are the English original of a story: evidence for the cross-copy rules,
    # never flagged by them (paths as given on the command line, or resolved to the same file).
    reference: tuple[str, ...] = ()
    # mtqa serve (mtqa.server): where it listens, who may call it, and how much it takes on
    serve_host: str = "127.0.0.1"
    serve_port: int = 8081
    serve_token: str | None = field(default=None, repr=False)  # bearer token; --token or $MTQA_SERVE_TOKEN
    serve_queue: int = 64  # requests waiting for the model before new ones get 503
    serve_timeout: float = 60.0  # seconds a request may wait and run before it gets 504
    serve_batch: int = 16  # requests checked together in one model pass
    # where mtqa check runs (mtqa.engines): worker processes, or Ray actors ("ray") on the
    # cluster at ray_address (None: a local one)
    jobs: int = 1
    engine: str = "process"
    ray_address: str | None = None
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
        check_patterns(self.select, "select")
        check_patterns(self.ignore, "ignore")
        for glob, codes in self.per_path_ignores:
            check_patterns(codes, f"per-path-ignores {glob!r}")
        if self.jobs < 1:
            raise ConfigError(f"jobs must be at least 1, not {self.jobs}")
        if self.max_bytes < 1:  # 0 would refuse every input with a message blaming each file
            raise ConfigError(f"max-bytes must be at least 1, not {self.max_bytes}")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        if not 0 <= self.serve_port <= 65535:
            raise ConfigError(f"port must be in 0..65535, not {self.serve_port}")
        if self.serve_queue < 1 or self.serve_batch < 1 or not self.serve_timeout > 0:
            raise ConfigError("queue size and batch size must be at least 1 and the timeout above 0")

    def signature(self) -> dict:
        """The settings that change what a run finds (a report's signature): the selection and
        the score threshold; threads, precision and paths change how fast, not what."""
        sig: dict = {"thresholds": {"min_score": self.min_score}}
        if self.select:
            sig["select"] = ",".join(self.select)
        if self.ignore:
            sig["ignore"] = ",".join(self.ignore)
        return sig


def check_patterns(patterns, where: str) -> None:
    """Every code, code prefix or category in ``patterns`` must name at least one rule: a typo
    (MTQ2O1, 'confussion') would otherwise select or ignore nothing, silently."""
    import difflib

    from mtqa.registry import RULES, matches

    codes = [r.code for r in RULES]
    words = sorted({r.category for r in RULES} | {r.name for r in RULES})
    for p in patterns:
        if any(matches(r.code, [p]) for r in RULES):
            continue
        if p[:3].upper() == "MTQ":
            # letters typed for digits (MTQ2O1, MTQ4l1) first, then the nearest code
            fixed = "MTQ" + p[3:].upper().translate(str.maketrans("OILS", "0115"))
            if any(c.startswith(fixed) for c in codes):
                close = [fixed]
            else:
                close = difflib.get_close_matches(p.upper(), codes, n=1, cutoff=0.8)
        else:
            close = difflib.get_close_matches(p.lower(), words, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else "; `mtqa rules` lists codes and categories"
        raise ConfigError(f"{where}: unknown code, prefix or category {p!r}{hint}")


_FIELDS = {f.name: f for f in dataclasses.fields(Config) if f.name != "extra"}
_PATH_FIELDS = ("house_style", "accept_file", "baseline", "cache_dir", "model_dir")  # relative to the config file

# Searched for upward from the working directory, in this order in each folder (as ruff and Vale
# do); the first file that has an mtqa section wins and nothing is merged.
CONFIG_FILES = (("mtqa.toml", None), ("pyproject.toml", "tool.mtqa"), ("setup.cfg", "mtqa"))


def _coerce(name: str, raw: str):
    kind = _FIELDS[name].type
    if name == "per_path_ignores":
        # setup.cfg: one "GLOB: CODE, CODE" per line
        out = {}
        for line in raw.splitlines():
            if line.strip():
                glob, sep, codes = line.rpartition(":")
                if not sep or not glob.strip():
                    raise ValueError(f"expected 'GLOB: CODE, ...' per line, not {line.strip()!r}")
                out[glob.strip()] = codes
        return _per_path(out)
    if "tuple" in str(kind):
        return tuple(p.strip() for p in raw.replace("\n", ",").split(",") if p.strip())
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return raw.strip()


def _per_path(table) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(table, dict):
        raise ValueError("expected a table of glob = [codes]")
    out = []
    for glob, codes in table.items():
        if isinstance(codes, str):
            codes = [c for c in codes.split(",")]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValueError(f"{glob!r}: expected a list of codes")
        out.append((str(glob), tuple(c.strip() for c in codes if c.strip())))
    return tuple(out)


def _from_toml(name: str, value):
    """A TOML value checked against the field's type (TOML already has types; no guessing)."""
    kind = str(_FIELDS[name].type)
    if name == "per_path_ignores":
        return _per_path(value)
    if "tuple" in kind:
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a list of strings")
        return tuple(v.strip() for v in value if v.strip())
    expected = {"bool": bool, "int": int, "float": (int, float)}.get(kind, str)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ValueError(f"expected {kind.split()[0]}, not {type(value).__name__} {value!r}")
    return float(value) if kind == "float" else value


def _section(path: Path, section: str | None) -> dict | None:
    """The raw mtqa settings in ``path`` (None: the file has no mtqa section)."""
    if path.suffix == ".cfg":
        parser = configparser.ConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
        return dict(parser.items(section)) if parser.has_section(section) else None
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if section is None:
        return data
    for part in section.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def find_config(start: Path | None = None) -> Path | None:
    """The config file that applies in ``start`` (default: the cwd): the nearest folder, going up,
    holding mtqa.toml, a pyproject.toml with [tool.mtqa] or a setup.cfg with [mtqa]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name, section in CONFIG_FILES:
            path = folder / name
            if path.is_file() and (section is None or _section(path, section) is not None):
                return path
    return None


def read_config_file(path: Path) -> dict:
    """Option defaults from ``path``; every error names the file and the key.

    Unknown keys are an error, as in black, so a typo never silently does nothing.
    """
    section = dict(CONFIG_FILES).get(path.name, "tool.mtqa" if path.suffix == ".toml" else "mtqa")
    if path.name == "mtqa.toml" or (path.suffix == ".toml" and path.name != "pyproject.toml"):
        section = None
    try:
        raw = _section(path, section)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    where = f"{path}: " + (f"[{section}] " if section else "")
    if raw is None:
        raise ConfigError(f"{path}: no [{section}] section")
    out = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{where}unknown key {key!r}; known: {', '.join(sorted(k.replace('_', '-') for k in _FIELDS))}")
        try:
            out[name] = _coerce(name, value) if path.suffix == ".cfg" else _from_toml(name, value)
        except ValueError as exc:
            raise ConfigError(f"{where}{key}: {exc}") from exc
        if name in _PATH_FIELDS and out[name]:
            out[name] = str(path.parent / Path(out[name]).expanduser())
    try:
        Config(**out)
    except ConfigError as exc:
        raise ConfigError(f"{where}{exc}") from exc
    return out


def file_defaults(start: Path | None = None) -> dict:
    """Option defaults from the config file that applies in ``start`` (default: the cwd)."""
    path = find_config(start)
    return read_config_file(path) if path else {}


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


def build_config(config_file: str | None = None, **cli: object) -> Config:
    """Settings from the config file (``config_file``, else the one found from the cwd up), then
    the environment (ENVIRONMENT), overridden by every CLI option that was given (not None)."""
    if config_file is not None and not Path(config_file).is_file():
        raise ConfigError(f"{config_file}: config file not found")
    path = Path(config_file) if config_file else find_config()
    values = read_config_file(path) if path else {}
    values.update(environment_defaults())
    for key in ("select", "ignore"):
        if cli.get(key):
            check_patterns(cli[key], f"--{key}")
    values.update({k: v for k, v in cli.items() if v is not None})
    return Config(**values)
