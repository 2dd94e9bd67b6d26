"""Calibration data in models/calibration.json: how margins and surprisals become scores.

Each section is written by a script in scripts/ (calibrate_scorer.py, calibrate_fluency.py) and
records its provenance: the data, the model id, the counts and the date. Reading it needs no
heavy imports.
"""

from __future__ import annotations

import math

from mtqa.finding import CATEGORY_TABLE
from mtqa.calibration_file import CALIBRATION_PATH, load, save_section  # noqa: F401  (re-exported)

# Used until a calibration script has written its section (and documented there).
DEFAULT_SUGGESTION = {"a": 0.5, "b": 0.0}

# From the one category table (mtqa.finding.CATEGORY_TABLE), where each is explained.
CATEGORY_PRIORS = {c.name: c.prior for c in CATEGORY_TABLE}
MODEL_JUDGED = frozenset(c.name for c in CATEGORY_TABLE if c.model_judged)


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


def measured_score(measures: dict[str, float], section: dict) -> float:
    """The score of a finding from a detector's measures (lower = worse for each), by its
    category's calibration section: ``thresholds`` (where the detector flags) and ``sure`` (where
    no sentence of clean news is that bad). 0.3 at the thresholds, 0.5 at ``sure``
    (the scorer downgrades a major finding below 0.5, so it stays major only from there on), then
    towards 0.9; the worst measure counts."""
    thresholds, sure = section.get("thresholds"), section.get("sure")
    if not thresholds or not sure:
        return 0.3
    position = max((thresholds[k] - v) / max(1e-9, thresholds[k] - sure[k])
                   for k, v in measures.items() if k in thresholds and k in sure)
    if position < 1.0:
        return 0.3 + 0.2 * max(0.0, position)
    return 0.5 + 0.4 * (1.0 - math.exp(-(position - 1.0)))


def stated_margin_score(margin: float, min_margin: float, sure_margin: float) -> float:
    """The score of a proposal whose detector states the margin it needs (calibrated for that
    detector's proposals, recorded in models/calibration.json): 0 below ``min_margin`` (dropped
    at any positive minimum score), then as :func:`measured_score`: 0.3 at ``min_margin``, 0.5 at
    ``sure_margin`` (major from there on), towards 0.9 beyond."""
    if margin < min_margin:
        return 0.0
    return measured_score({"margin": -margin}, {"thresholds": {"margin": -min_margin},
                                                "sure": {"margin": -max(sure_margin, min_margin + 1e-6)}})
