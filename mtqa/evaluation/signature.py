"""The signature every evaluation result carries, in the manner of sacrebleu.

``mtqa:0.1.0|det:MTQ101,MTQ211,...|lex:confusion.toml=1a2b3c4d,...|model:none|thr:min_score=0.2|...``

It names what produced the numbers: the mtqa version, the detectors that ran (codes whose
implementation is present and that the configuration selects), the hash of every corpora/ data
file the detectors read, the model (or ``none`` for --no-lm), and the thresholds. Evaluation
settings (gold file hash, data subset, matching) are appended by the caller.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Mapping

from mtqa import __version__
from mtqa.config import CORPORA_DIR, Config


def active_detector_codes(config: Config, lm_available: bool) -> list[str]:
    """Codes the pipeline would run: selected, model-compatible, and implemented."""
    from mtqa.pipeline import active_rules
    from mtqa.registry import implementation

    return [r.code for r in active_rules(config, lm_available) if implementation(r.code) is not None]


def lexicon_hashes(config: Config | None = None) -> dict[str, str]:
    """``{relative path: sha256[:8]}`` of every rule data file in corpora/ (and a custom house style)."""
    from mtqa.corpora import data_files

    out = {}
    try:
        files = data_files()
    except Exception:  # a malformed data file is a detector's problem; the signature says so
        files = []
        out["corpora"] = "unreadable"
    for path in files:
        out[path.relative_to(CORPORA_DIR).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    if config is not None and config.house_style:
        p = Path(config.house_style)
        out["house_style=" + p.name] = hashlib.sha256(p.read_bytes()).hexdigest()[:8]
    return out


def describe_model(lm: Any, scorer: Any = None) -> str:
    """The model's id as the model declares it (``signature()``); ``none`` without a model."""
    return "none" if lm is None else str(lm.signature()["model"]).replace("|", "/")


def file_sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:8]


def build_signature(config: Config, lm: Any = None, scorer: Any = None, model: str | None = None,
                    detectors: list[str] | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The signature as an ordered mapping; ``format_signature`` renders it."""
    """Each part declares its own fields (``signature()`` of the Config, the model and the
    scorer); nothing is probed from outside. ``model`` names a model that is not loaded here (a
    findings file scored elsewhere)."""
    use_lm = lm is not None or (model not in (None, "none"))
    codes = detectors if detectors is not None else active_detector_codes(config, use_lm)
    lex = lexicon_hashes(config)
    thresholds = {**config.signature()["thresholds"], **(scorer.signature() if scorer is not None else {})}
    sig = {
        "mtqa": __version__,
        "det": ",".join(codes) if codes else "none",
        "lex": ",".join(f"{k}={v}" for k, v in sorted(lex.items())) if lex else "none",
        "model": model if model is not None else describe_model(lm),
        "thr": ",".join(f"{k}={v}" for k, v in thresholds.items()) if use_lm else "none",
    }
    if lm is not None:
        sig.update({k: str(v) for k, v in lm.signature().items() if k != "model"})
    sig.update({k: v for k, v in config.signature().items() if k != "thresholds"})
    for k, v in (extra or {}).items():
        sig[k] = str(v)
    return sig


def format_signature(sig: Mapping[str, str]) -> str:
    return "|".join(f"{k}:{v}" for k, v in sig.items())
