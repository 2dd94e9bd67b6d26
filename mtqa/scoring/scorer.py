"""Scorer: gives each finding a score in [0, 1], and drops or downgrades what the model rejects.

How a finding is scored:

* **With a suggestion**: the sentence from the span on is scored as written and with each
  suggestion, after the same preceding document context (:mod:`mtqa.scoring.context`). The best
  margin ``log p(fix) - log p(original)`` goes through the logistic fit in models/calibration.json
  ("suggestion": positives are confusions injected into clean news, negatives the same spans left
  as written with the confusion as the "suggestion"), plus the finding's own
  ``evidence["prior_log_odds"]`` where its detector states one (:func:`calibration.margin_score`).
  A detector whose proposals are evidence only where the model prefers the suggestion by a
  calibrated margin states that margin instead (``evidence["min_margin"]``, and
  ``evidence["sure_margin"]`` from which it stays major): below it the finding is dropped, from it
  on it is scored as a measured finding is (:func:`calibration.stated_margin_score`).
* **Without a suggestion**, in a category whose text the model can judge
  (``calibration.MODEL_JUDGED``): the span's SLOR (model minus unigram log-probability, per
  token) after its context, as a percentile of clean-news words ("surprisal" section).
* **Measured**: a finding whose evidence carries ``measures`` (a model-backed detector's
  numbers, such as a sentence's SLOR deficit) is scored from them by the calibration section of
  its category (:func:`calibration.measured_score`): 0.5 beyond every value clean news shows,
  so that it stays major only where the model is very sure.
* Everything else gets the category's documented prior (``calibration.CATEGORY_PRIORS``).

In categories the model cannot judge (markup, boilerplate, locale conventions, house style...),
the score is the category's prior, nudged at most 0.1 by the model (:func:`rule_certain`): fluent
English is no argument for keeping leaked CSS, nor the model's taste for "Kiev" one against the
house style.

What the model rejects: a score below ``config.min_score`` (default 0.2) drops the finding; a score
below 0.5 downgrades its severity one step (critical to major, major to minor).

Decisions do not depend on the machine: the batched pass (bf16 where the hardware has it, padded,
batch-dependent in its last digits) only screens. Where a margin's score lies so near one of those
two thresholds that the batched pass's error could move it across (``EXACT_BAND`` nats of margin
either way), the margin is computed again by the exact pass (each text alone, unpadded, float32,
a fixed window; ``LanguageModel.score_exact``), and the score and decision come from that.
"""

from __future__ import annotations

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import SEVERITIES, Finding
from mtqa.scoring import calibration
from mtqa.scoring.context import comparison

DOWNGRADE_BELOW = 0.5
# Margin error of the batched pass against the exact pass that a decision must survive: twice
# the largest difference between the two passes' margins that scripts/measure_exact_band.py has
# measured (0.824 nats over 288 margins; README, "How scores are made"). Narrower sends fewer
# findings to the exact pass, each two or more float32 passes over a 256-token context.
EXACT_BAND = 1.65


class Scorer:
    def __init__(self, lm, config: Config):
        self.lm = lm
        self.config = config
        self.calibration = calibration.load()

    def signature(self) -> dict:
        """The scorer's own fields: its downgrade threshold and the calibration file it read."""
        import hashlib

        from mtqa.calibration_file import CALIBRATION_PATH

        calib = hashlib.sha256(CALIBRATION_PATH.read_bytes()).hexdigest()[:8] if CALIBRATION_PATH.is_file() else "none"
        return {"downgrade_below": DOWNGRADE_BELOW, "calib": calib}

    # ---- the pipeline hook ---------------------------------------------------------------
    def score_batch(self, batch: list[tuple[Document, list[Finding]]]) -> list[list[Finding]]:
        scores = self.scores(batch)
        out = []
        for (doc, findings), fs in zip(batch, scores):
            kept = []
            for f, (score, evidence) in zip(findings, fs):
                g = self.decide(f.with_(score=score, evidence={**f.evidence, **evidence}))
                if g is not None:
                    kept.append(g)
            out.append(kept)
        return out

    def decide(self, f: Finding) -> Finding | None:
        if f.score is None:
            return f
        if f.score < self.config.min_score:
            return None
        if f.score < DOWNGRADE_BELOW and f.severity_rank > 0:
            return f.with_(severity=SEVERITIES[f.severity_rank - 1])
        return f

    # ---- scores --------------------------------------------------------------------------
    def scores(self, batch: list[tuple[Document, list[Finding]]]) -> list[list[tuple[float, dict]]]:
        """(score, evidence) for every finding, with one batched model call for the whole batch."""
        requests: list[tuple[str, str]] = []
        plan: list[list[tuple]] = []
        for doc, findings in batch:
            doc_plan = []
            for f in findings:
                prior = calibration.CATEGORY_PRIORS[f.category]
                if "measures" in f.evidence:
                    score = calibration.measured_score(f.evidence["measures"],
                                                       self.calibration.get(f.category, {}))
                    doc_plan.append(("fixed", score, {}))
                elif f.suggestions:
                    c = comparison(doc, f)
                    first = len(requests)
                    requests.append((c.context, c.original))
                    requests.extend((c.context, v) for v in c.variants)
                    stated = (f.evidence["min_margin"], f.evidence["sure_margin"]) \
                        if "min_margin" in f.evidence else None
                    doc_plan.append(("margin", first, len(c.variants), prior, f.category,
                                     float(f.evidence.get("prior_log_odds", 0.0)),
                                     (c.context, c.original, c.variants), stated))
                elif f.category in calibration.MODEL_JUDGED and f.end > f.start:
                    c = comparison(doc, f)
                    requests.append((c.context, c.original))
                    doc_plan.append(("surprisal", len(requests) - 1, f.end - f.start, prior))
                else:
                    doc_plan.append(("fixed", prior, {"prior": prior}))
            plan.append(doc_plan)
        results = self.lm.score(requests) if requests else []
        sug = self.calibration.get("suggestion", calibration.DEFAULT_SUGGESTION)
        quantiles = self.calibration.get("surprisal", {}).get("quantiles", [])
        out = []
        for doc_plan in plan:
            doc_scores = []
            for p in doc_plan:
                if p[0] == "fixed":
                    doc_scores.append((float(p[1]), p[2]))
                elif p[0] == "margin":
                    _, first, n, prior, category, prior_log_odds, texts, stated = p
                    base = results[first].total
                    margins = [results[first + 1 + k].total - base for k in range(n)]

                    def final(margin: float) -> float:
                        score = calibration.stated_margin_score(margin, *stated) if stated else \
                            calibration.margin_score(margin, sug, prior_log_odds)
                        return score if category in calibration.MODEL_JUDGED else rule_certain(prior, score)

                    best = max(margins)
                    extra = {}
                    if len({self._verdict(final(m)) for m in (best - EXACT_BAND, best, best + EXACT_BAND)}) > 1:
                        margins = self._exact_margins(*texts)
                        best = max(margins)
                        extra = {"exact": True}
                    doc_scores.append((final(best), {"margin": round(best, 3),
                                                     "margins": [round(m, 3) for m in margins], **extra}))
                else:
                    _, idx, length, prior = p
                    slor = span_slor(results[idx], length)
                    doc_scores.append((calibration.percentile_score(slor, quantiles) if quantiles else prior,
                                       {"span_slor": round(slor, 3)}))
            out.append(doc_scores)
        return out


    def _verdict(self, score: float) -> int:
        """What ``decide`` does with a score: 0 drop, 1 downgrade, 2 keep."""
        return 0 if score < self.config.min_score else 1 if score < DOWNGRADE_BELOW else 2

    def _exact_margins(self, context: str, original: str, variants: tuple[str, ...]) -> list[float]:
        base = self.lm.score_exact(context, original).total
        return [self.lm.score_exact(context, v).total - base for v in variants]


def rule_certain(prior: float, model_score: float) -> float:
    """The score of a finding the model cannot overrule: its prior, nudged a little by the model
    (at most +-0.1 either way), so that among equally certain rules the model still ranks."""
    return min(1.0, max(prior - 0.1, 0.75 * prior + 0.25 * model_score))


def span_slor(scores, span_chars: int) -> float:
    """SLOR per token of the first ``span_chars`` code points (after leading white space) of a
    continuation: the span itself, in its context."""
    from mtqa.text import UNIT, word_logprob

    text = scores.text
    lead = len(text) - len(text.lstrip(" \t\u00a0"))
    end = lead + span_chars
    lps = [lp for s, e, lp in zip(scores.starts.tolist(), scores.ends.tolist(), scores.logprobs.tolist())
           if s < end and e > lead]
    if not lps:
        return 0.0
    uni = sum(word_logprob(m.group().lower()) for m in UNIT.finditer(text, lead, end))
    return (sum(lps) - uni) / len(lps)


