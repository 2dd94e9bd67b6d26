"""The rules-only cross-copy rules on a second story set, tests/fixtures/stories_blind/: nine
stories (a court ruling, a football transfer, a central-bank decision, a flood, a product recall;
then an election count and a drug approval; then peace talks and job cuts), each an English
original and three copies written as machine translation from other languages, with their meaning
errors in gold.toml. Each round was written and committed before the rules were run on it (the
later rounds after the fixes made on the earlier ones); their first runs are the blind measures in
the README section "Several copies of one story". The rules have been fixed on all nine since, so
the set now guards those fixes like tests/test_story_set.py.

Run once with the originals given as --reference and once without (the originals are then copies
like the others and the majority decides). `pytest tests/test_story_set_blind.py -s` prints
recall, false alarms and what was missed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_story_set import RULE_CODES, read_gold, report, run_rules, score

BLIND = Path(__file__).parent / "fixtures" / "stories_blind"
# what the rules-only run must reach on the gold (measured; see the README section "Several
# copies of one story": 91 of 98 with the originals as references, 89 of 98 without)
MIN_RECALL = {True: 0.92, False: 0.9}
MIN_RECALL_BY_RULE = 0.8
# A false alarm the rules still make, known and left (README): the second half of a sentence
# that the Polish copy split, reworded ("still rising", "intense rainfall") beyond what the
# sentence alignment takes for a part of the original's sentence.
# And one right finding on the word next to the gold span: "while" (for "with no"), where the gold
# marks "layoffs are planned" after it.
KNOWN_FALSE = {("poland_flood/copy_pl.txt", "MTQ605"), ("job_cuts/copy_hi.txt", "MTQ604")}


@pytest.fixture(scope="module", params=[True, False], ids=["with-reference", "copies-only"])
def result(request):
    got = score(run_rules(BLIND, references=request.param), read_gold(BLIND))
    got["references"] = request.param
    return report(got, f"blind story set, rules only, {'with' if request.param else 'without'} --reference")


def test_the_gold_spans_are_in_the_copies():
    gold = read_gold(BLIND)
    assert len({g.doc.split("/")[0] for g in gold}) == 9
    assert {g.code for g in gold if not g.model} == set(RULE_CODES)


def test_the_rules_find_the_meaning_errors(result):
    assert result["recall"] >= MIN_RECALL[result["references"]], [(g.doc, g.code) for g in result["missed"]]


def test_every_kind_of_error_is_found(result):
    """Each rule finds most of its own gold: none is carried by the others."""
    for code in RULE_CODES:
        gold = [g for g in read_gold(BLIND) if g.code == code and not g.model]
        missed = [g for g in result["missed"] if g.code == code]
        assert 1 - len(missed) / len(gold) >= MIN_RECALL_BY_RULE, (code, [(g.doc, g.start) for g in missed])


def test_the_rules_stay_silent_on_legitimate_variation(result):
    """Decimal commas, "4 thousand", "Rs 10,000 crore", "20 centimetres" for 200 millimetres,
    "a fifth" for 20%, names without their diacritics, "never" for "not", "denied having known"
    and "said it had not known", "fell" for "weakened": no finding outside the gold."""
    assert {(f["doc"], f["code"]) for f in result["false"]} <= KNOWN_FALSE, result["false"]
