"""Calibration data in models/calibration.json: how margins and surprisals become scores.

Each section is written by a script in scripts/ (calibrate_scorer.py, calibrate_fluency.py) and
records its provenance: the data, the model id, the counts and the date. Reading it needs no
heavy imports.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from mtqa.config import MODELS_DIR

CALIBRATION_PATH = MODELS_DIR / "calibration.json"

# Used until a calibration script has written its section (and documented there).
DEFAULT_SUGGESTION = {"a": 0.5, "b": 0.0}

# Prior probability that a finding of each category is a real artifact, for findings the model
# cannot judge (no suggestion, and a span whose surprisal means nothing, such as markup or a
# date stamp). These are judgement calls from what each rule family matches, not measurements;
# the rule-certain families (code left in copy, foreign script) sit high, the ones that fire on
# legitimate text now and then (punctuation, name variants) sit near the middle.
CATEGORY_PRIORS = {
    "script-intrusion": 0.9,
    "untranslated": 0.8,
    "confusion": 0.5,
    "markup-leak": 0.95,
    "boilerplate-leak": 0.85,
    "metadata-leak": 0.8,
    "locale-convention": 0.7,
    "glued-word": 0.6,
    "punctuation": 0.5,
    "name-variant": 0.5,
    "house-style": 0.6,
    "fluency": 0.5,
    "cross-copy": 0.5,
}
# Categories whose text the model can judge: their suggestions (or span surprisal) decide the
# score and a rejected finding is dropped. The others keep at least their prior, because a model
# of fluent English has no say on house style, locale conventions or leaked markup.
MODEL_JUDGED = frozenset({"confusion", "glued-word", "name-variant", "untranslated"})


@lru_cache(maxsize=None)
def load(path: Path = CALIBRATION_PATH) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_section(name: str, section: dict, path: Path = CALIBRATION_PATH) -> None:
    data = load.__wrapped__(path)
    data[name] = section
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    load.cache_clear()


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def margin_score(margin: float, section: dict | None = None, prior_log_odds: float = 0.0) -> float:
    """P(artifact | margin) from the logistic fit in the 'suggestion' section.

    The fit weighs artifacts and correct text equally (a balanced prior). A finding whose
    detector knows its proposals to be mostly correct text (a lexicon proposing a word wherever it
    occurs) states ``prior_log_odds``, the log-odds that such a proposal is an artifact against
    that balanced prior; Bayes' rule adds it to the logit."""
    sec = section if section is not None else load().get("suggestion", DEFAULT_SUGGESTION)
    return sigmoid(sec["a"] * margin + sec["b"] + prior_log_odds)


def percentile_score(value: float, quantiles: list[float]) -> float:
    """The share of clean-news values above ``value``: 1.0 for the most surprising spans."""
    if not quantiles:
        return 0.5
    below = sum(1 for q in quantiles if q < value)
    return 1.0 - below / len(quantiles)
