"""Span matching and metrics on small hand-made cases whose right answers are worked out by hand."""

import math

import pytest

from mtqa.evaluation.gold import GoldSpan
from mtqa.evaluation.metrics import PRF, auroc, evaluate, prf
from mtqa.evaluation.spans import PredSpan, align_docs, match, overlap


def P(start, end, cat="confusion", sev="major", doc="d", code="MTQ201", score=None):
    return PredSpan(doc, start, end, cat, sev, code, score)


def G(start, end, cat="confusion", sev="major", doc="d"):
    return GoldSpan(doc, start, end, cat, sev)


@pytest.mark.parametrize("a,b,expected", [
    ((0, 5), (5, 10), None),  # adjacent, nothing shared
    ((0, 6), (5, 10), 1),
    ((2, 3), (0, 10), 1),
    ((3, 3), (0, 10), 0),  # insertion point inside a span
    ((10, 10), (0, 10), 0),  # ... or touching its end
    ((11, 11), (0, 10), None),
    ((4, 4), (4, 4), 0),
    ((4, 4), (5, 5), None),
])
def test_overlap(a, b, expected):
    assert overlap(*a, *b) == expected
    assert overlap(*b, *a) == expected


def test_exact_needs_both_ends():
    golds = [G(10, 20)]
    assert match([P(10, 20)], golds, "exact") == [(0, 0)]
    assert match([P(10, 21)], golds, "exact") == []
    assert match([P(10, 21)], golds, "partial") == [(0, 0)]


def test_different_documents_never_match():
    assert match([P(0, 5, doc="a")], [G(0, 5, doc="b")], "partial") == []


def test_one_long_finding_claims_one_gold_span():
    golds = [G(0, 5), G(10, 15), G(20, 25)]
    m = prf([P(0, 25)], golds, match([P(0, 25)], golds, "partial"))
    assert (m.precision, m.recall) == (1.0, pytest.approx(1 / 3))


def test_two_findings_on_one_span_count_once():
    preds = [P(0, 5, code="A"), P(0, 5, code="B")]
    m = prf(preds, [G(0, 5)], match(preds, [G(0, 5)], "exact"))
    assert (m.precision, m.recall, m.f1) == (0.5, 1.0, pytest.approx(2 / 3))


def test_matching_is_maximum_not_greedy():
    # A overlaps g1 most, but g1 is B's only option; a greedy matcher gets 1 pair, the maximum is 2.
    preds = [P(0, 12), P(9, 10)]
    golds = [G(0, 10), G(11, 20)]
    pairs = match(preds, golds, "partial")
    assert sorted(pairs) == [(0, 1), (1, 0)]


def test_same_category():
    preds = [P(0, 5, cat="punctuation")]
    golds = [G(0, 5, cat="locale-convention")]
    assert match(preds, golds, "exact") == [(0, 0)]
    assert match(preds, golds, "exact", same_category=True) == []


def test_evaluate_breakdowns():
    preds = [
        P(0, 4, cat="glued-word", sev="minor", code="MTQ211"),  # exact hit
        P(10, 16, cat="confusion", sev="major", code="MTQ201"),  # partial hit on a fluency span
        P(30, 31, cat="punctuation", sev="minor", code="MTQ411"),  # false alarm
    ]
    golds = [
        G(0, 4, cat="glued-word", sev="minor"),
        G(12, 20, cat="fluency", sev="major"),
        G(40, 45, cat="confusion", sev="critical"),  # missed
    ]
    r = evaluate(preds, golds)
    assert r["exact"]["all"] == PRF(3, 1, 3, 1)
    assert r["partial"]["all"] == PRF(3, 2, 3, 2)
    assert r["partial"]["all_same_category"] == PRF(3, 1, 3, 1)
    cats = r["partial"]["by_category"]
    assert cats["confusion"] == PRF(1, 0, 1, 0)  # the confusion finding hit a fluency span
    assert cats["fluency"] == PRF(0, 0, 1, 0)
    assert cats["glued-word"].f1 == 1.0
    assert r["partial"]["by_category_any"]["fluency"] == PRF(0, 0, 1, 1)
    sev = r["partial"]["by_severity"]
    assert sev["minor"] == PRF(2, 1, 1, 1)
    assert sev["major"] == PRF(1, 1, 1, 1)
    assert sev["critical"] == PRF(0, 0, 1, 0)
    codes = r["partial"]["by_code"]
    assert codes["MTQ201"].precision == 1.0 and codes["MTQ411"].precision == 0.0
    assert r["exact"]["by_code"]["MTQ201"].precision == 0.0


def test_undefined_precision_is_none_not_zero():
    m = PRF(0, 0, 3, 0)
    assert m.precision is None and m.recall == 0.0 and m.f1 is None
    assert PRF(2, 0, 3, 0).f1 == 0.0


def test_align_docs_by_file_name():
    preds = align_docs([P(0, 1, doc="../shared/seeds/a.txt"), P(0, 1, doc="other/b.txt")], {"a.txt"})
    assert [p.doc for p in preds] == ["a.txt", "other/b.txt"]


def test_auroc():
    assert auroc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert auroc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0
    assert auroc([0, 1, 0, 1], [1, 1, 1, 1]) == 0.5
    # pairs (pos, neg): (0.5 vs 0.1) win, (0.5 vs 0.5) tie, (0.3 vs 0.1) win, (0.3 vs 0.5) loss -> 2.5/4
    assert auroc([1, 1, 0, 0], [0.5, 0.3, 0.1, 0.5]) == pytest.approx(0.625)
    assert auroc([1, 1], [0.2, 0.3]) is None


def test_auroc_matches_pairwise_definition():
    import random

    rng = random.Random(7)
    labels = [rng.random() < 0.3 for _ in range(200)]
    scores = [rng.choice([0, 1, 2, 3]) + (0.5 if y else 0) * rng.random() for y in labels]
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    pairwise = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    assert math.isclose(auroc(labels, scores), pairwise)
