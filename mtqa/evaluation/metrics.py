"""Precision, recall and F1 over matched spans, broken down by category, severity and code; AUROC."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from mtqa.evaluation.gold import GoldSpan
from mtqa.evaluation.spans import MODES, PredSpan, match

UNRATED = "unrated"


@dataclass(frozen=True)
class PRF:
    """Counts for one bucket. Precision counts predictions, recall counts gold spans; with
    one-to-one matching the two hit counts agree overall but not within a bucket when the
    bucket is read from different sides (e.g. a minor finding hitting a major gold span)."""

    n_pred: int
    pred_hits: int
    n_gold: int
    gold_hits: int

    @property
    def precision(self) -> float | None:
        return self.pred_hits / self.n_pred if self.n_pred else None

    @property
    def recall(self) -> float | None:
        return self.gold_hits / self.n_gold if self.n_gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_json(self) -> dict:
        return {"n_pred": self.n_pred, "pred_hits": self.pred_hits, "n_gold": self.n_gold,
                "gold_hits": self.gold_hits, "precision": _round(self.precision),
                "recall": _round(self.recall), "f1": _round(self.f1)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def prf(preds: Sequence[PredSpan], golds: Sequence[GoldSpan], pairs: Iterable[tuple[int, int]]) -> PRF:
    pairs = list(pairs)
    return PRF(len(preds), len({i for i, _ in pairs}), len(golds), len({j for _, j in pairs}))


def _buckets(preds, golds, pairs, pred_key: Callable, gold_key: Callable) -> dict[str, PRF]:
    n_pred, pred_hits, n_gold, gold_hits = (defaultdict(int) for _ in range(4))
    for p in preds:
        n_pred[pred_key(p)] += 1
    for g in golds:
        n_gold[gold_key(g)] += 1
    for i, j in pairs:
        pred_hits[pred_key(preds[i])] += 1
        gold_hits[gold_key(golds[j])] += 1
    keys = sorted(set(n_pred) | set(n_gold))
    return {k: PRF(n_pred[k], pred_hits[k], n_gold[k], gold_hits[k]) for k in keys}


def evaluate(preds: Sequence[PredSpan], golds: Sequence[GoldSpan]) -> dict:
    """Every number `mtqa eval` reports, for both matching modes.

    - ``all``: any category may match any category.
    - ``all_same_category``: only same-category matches count.
    - ``by_category``: same-category matching; precision over findings of the category, recall
      over gold spans of it.
    - ``by_category_any``: the same buckets with category-blind matching (for gold whose
      categories are not mtqa's, e.g. MQM's).
    - ``by_severity``: category-blind matching; precision by the finding's severity, recall by
      the gold span's severity ("unrated" when the gold has none).
    - ``by_code``: category-blind matching; precision of each detector code.
    """
    out: dict = {}
    for mode in MODES:
        any_pairs = match(preds, golds, mode, same_category=False)
        cat_pairs = match(preds, golds, mode, same_category=True)
        out[mode] = {
            "all": prf(preds, golds, any_pairs),
            "all_same_category": prf(preds, golds, cat_pairs),
            "by_category": _buckets(preds, golds, cat_pairs, lambda p: p.category, lambda g: g.category),
            "by_category_any": _buckets(preds, golds, any_pairs, lambda p: p.category, lambda g: g.category),
            "by_severity": _buckets(preds, golds, any_pairs, lambda p: p.severity,
                                    lambda g: g.severity or UNRATED),
        }
        hits = {i for i, _ in any_pairs}
        codes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for i, p in enumerate(preds):
            codes[p.code][0] += 1
            codes[p.code][1] += i in hits
        out[mode]["by_code"] = {c: PRF(n, h, 0, 0) for c, (n, h) in sorted(codes.items())}
    return out


def report_to_json(report: dict) -> dict:
    def conv(x):
        if isinstance(x, PRF):
            return x.to_json()
        if isinstance(x, dict):
            return {k: conv(v) for k, v in x.items()}
        return x

    return conv(report)


def auroc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties); None when only one class."""
    if len(labels) != len(scores):
        raise ValueError("labels and scores differ in length")
    n_pos = sum(1 for y in labels if y)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        avg = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = avg
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, labels) if y)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
