"""MTQ501 with the real model: it finds garbled sentences and stays quiet on fluent copy."""

import csv
import lzma
import os
from pathlib import Path

import pytest

from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run
from mtqa.scoring.fluency import assess_document

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEEDS = SHARED / "seeds"
NT2020 = SHARED / "data/wmt_mqm_zhen/qe2022_redistributed/zh-en-train-2020/mqm_newstest2020_zhen.tsv.xz"
pytestmark = pytest.mark.skipif(os.environ.get("MTQA_SKIP_MODEL_TESTS") == "1",
                                reason="MTQA_SKIP_MODEL_TESTS=1")

# `lm`: the real model, a session fixture in tests/conftest.py

GARBLED = ("The city council met on Tuesday to discuss the budget. "
           "The mayor has especially migrated the roads to the outside taxes.")
FLUENT = ("The city council met on Tuesday to discuss the budget. "
          "The mayor said the money would repair roads and lower taxes outside the city centre.")


def fluency(lm, text):
    res = run([Document("t.txt", text)], Config(select=("MTQ501",)), lm=lm)
    return [f for f in res.findings if f.code == "MTQ501"]


def test_finds_a_garbled_sentence_and_marks_its_odd_words(lm):
    found = fluency(lm, GARBLED)
    assert len(found) == 1, [f.text for f in found]
    f = found[0]
    assert GARBLED.index("The mayor") <= f.start < f.end <= len(GARBLED)
    assert f.text in ("especially", "migrated", "outside", "taxes", "outside taxes"), f.text
    assert f.category == "fluency" and f.suggestions == () and "score" in f.evidence


def test_the_fluent_version_is_not_flagged_and_scores_better(lm):
    assert fluency(lm, FLUENT) == []
    garbled = assess_document(Document("g.txt", GARBLED), lm)[-1]
    fluent = assess_document(Document("f.txt", FLUENT), lm)[-1]
    assert garbled.odd_per_word < fluent.odd_per_word and garbled.total < fluent.total


def _nt2020_output(system: str, seg_id: str) -> tuple[str, str]:
    """(previous segment, segment) of one system's output in newstest2020 zh-en (the dev set),
    read in place: the text of a rater's no-error row, else of any row, without the <v> tags."""
    found: dict[str, str] = {}
    with lzma.open(NT2020, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if r[0] == system and r[3] in (seg_id, str(int(seg_id) - 1)):
                text = r[6].replace("<v>", "").replace("</v>", "")
                if r[3] not in found or r[7].lower() == "no-error":
                    found[r[3]] = text
    return found[str(int(seg_id) - 1)], found[seg_id]


@pytest.mark.skipif(not NT2020.is_file(), reason="../shared/data is not beside this checkout")
def test_finds_a_garbled_mt_sentence_from_the_dev_set(lm):
    # DeepMind, newstest2020 segment 276: the raters marked "engage in a congress battle" and
    # "alkali beach" as major mistranslations in "Wang Boxiang organized more than 100,000 people
    # to engage in a congress battle and camped on the barren alkali beach for 40 or 50 days."
    prev, seg = _nt2020_output("DeepMind.381", "276")
    text = prev + "\n\n" + seg
    found = fluency(lm, text)
    s = text.index("Wang Boxiang organized")
    assert any(s <= f.start < text.index(" days.", s) for f in found), [f.text for f in found]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_seed_findings_are_well_formed_spans_inside_one_sentence(lm):
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for f in fluency(lm, text):
            s, e = f.evidence["sentence"]
            assert s <= f.start < f.end <= e and f.text == text[f.start:f.end]
            assert f.category == "fluency" and f.suggestions == () and 0.5 <= f.evidence["score"] <= 0.8


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_finds_the_seeds_short_garbled_sentence(lm):
    """The short-sentence rule's reason to exist. A marginal catch (bf16 -0.46 against a threshold
    of -0.42; fp32 scores it -0.42), so it is asserted where the thresholds were calibrated: bf16."""
    if "/bf16/" not in lm.model_id:
        pytest.skip("the thresholds are calibrated on bf16 scores; this model runs in " + lm.model_id)
    path = SEEDS / "000_74b76634e9d87410.txt"
    text = path.read_text(encoding="utf-8")
    s = text.index("Plants have especially migrated")
    found = [f for f in fluency(lm, text) if f.evidence["sentence"][0] == s]
    assert found and found[0].text == "especially", [f.text for f in found]


def test_clean_copy_gives_no_fluency_finding(lm):
    text = ("The city council approved the new budget on Tuesday after a long debate. "
            "The mayor said the money would pay for more buses and repairs to two bridges. "
            "Opposition members voted against the plan, saying taxes would rise next year.")
    assert fluency(lm, text) == []


def test_fluency_needs_the_model():
    res = run([Document("t.txt", "Plants have especially migrated to the outside world. " * 3)],
              Config(select=("MTQ501",), use_lm=False))
    assert res.findings == []
