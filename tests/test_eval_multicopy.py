"""The multi-copy evaluation's held-out case: one human translation of each source declared the
reference (the English original), false alarms counted on the other human translations."""

import pytest

from mtqa.config import Config
from mtqa.evaluation import datasets
from mtqa.evaluation.datasets import GoldSpan, Segment
from mtqa.evaluation.multicopy import (REFERENCE_BASELINE, REFERENCE_ROW, eval_multicopy, false_alarms, references,
                                       table)
from mtqa.evaluation.spans import PredSpan


def _seg(group, system, text="one two three four", spans=()):
    return Segment(f"{group}/{system}", group, system, text, ["r1"], [list(spans)], [False])


def test_one_human_translation_of_each_source_is_the_reference():
    segs = [_seg("g1", "Human-B.0"), _seg("g1", "Human-A.0"), _seg("g1", "Online-A"),
            _seg("g2", "Human-B.0"), _seg("g2", "Online-A"),  # one human translation: no reference
            _seg("g3", "ref.B"), _seg("g3", "ref.A")]
    assert references(segs) == {"g1/Human-A.0", "g3/ref.A"}


def test_false_alarms_count_only_outside_every_rater_span_on_human_translations():
    gold = GoldSpan("g1/Human-B.0", 0, 3, "mistranslation", "major")
    segs = [_seg("g1", "Human-B.0", spans=[gold]), _seg("g1", "Online-A")]
    preds = {"g1/Human-B.0": [PredSpan("g1/Human-B.0", 0, 3, "x", "major", "MTQ603"),
                              PredSpan("g1/Human-B.0", 8, 13, "x", "major", "MTQ603")],
             "g1/Online-A": [PredSpan("g1/Online-A", 8, 13, "x", "major", "MTQ603")]}
    fa = false_alarms(segs, preds)
    assert (fa["words"], fa["false_alarms"], fa["per_1000"]) == (4, 1, 250.0)


@pytest.mark.skipif(not datasets.DATA_DIR.is_dir(), reason="../shared/data is not beside this checkout")
def test_the_reference_row_checks_every_translation_but_the_references():
    res = eval_multicopy("newstest2020-zhen", Config(use_lm=False), limit=3, log=lambda m: None)
    segs = datasets.BENCHMARKS["newstest2020-zhen"]["read"](3)
    refs = references(segs)
    assert len(refs) == res["references"] == 3
    others = [s for s in segs if s.key not in refs and s.system.startswith("Human")]
    assert res["false_alarms"][REFERENCE_ROW]["human"]["words"] == sum(len(s.text.split()) for s in others) > 0
    assert [s.name for s in res["systems"]] == ["mtqa without copies", "mtqa with copies", REFERENCE_ROW]
    assert f"| {REFERENCE_ROW} |" in table([res])
    assert REFERENCE_BASELINE not in table([res])  # the baseline needs the model
