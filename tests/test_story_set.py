"""The rules-only cross-copy rules (MTQ601, MTQ602, MTQ604-MTQ606) on a held-out-like story set:
four stories in tests/fixtures/stories/, each an English original (given with --reference) and
copies written as machine translation from several languages, with their meaning errors in
gold.toml. All stories go through one `mtqa check` run, so grouping them is part of the test.

Run `pytest tests/test_story_set.py -s` to see recall, false alarms and what was missed.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtqa.cli import cli

STORIES = Path(__file__).parent / "fixtures" / "stories"
RULE_CODES = ("MTQ601", "MTQ602", "MTQ604", "MTQ605", "MTQ606")
# what the rules-only run must reach on the gold (measured; see the README section
# "Several copies of one story")
MIN_RECALL = 1.0


@dataclass(frozen=True)
class Gold:
    doc: str
    code: str
    start: int
    end: int
    model: bool
    root: Path = STORIES  # the story set it belongs to (tests/test_story_set_blind.py has another)


def read_gold(root: Path = STORIES) -> list[Gold]:
    out = []
    for e in tomllib.loads((root / "gold.toml").read_text(encoding="utf-8"))["error"]:
        text = (root / e["doc"]).read_text(encoding="utf-8")
        before, rest = e["at"].split("⟦")
        span, after = rest.split("⟧")
        context = before + span + after
        assert text.count(context) == 1, f"{e['doc']}: {e['at']!r} must occur once"
        start = text.index(context) + len(before)
        out.append(Gold(e["doc"], e["code"], start, start + len(span), e.get("model", False), root))
    return out


def run_rules(root: Path = STORIES, references: bool = True) -> list[dict]:
    """``references``: the originals given with --reference (else they are copies like the others)."""
    refs = sorted(root.glob("*/original.txt")) if references else []
    args = ["check", *sorted(str(p) for p in root.glob("*/*.txt")), "--no-lm", "--format", "jsonl"]
    for r in refs:
        args += ["--reference", str(r)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    out = []
    for line in result.output.splitlines():
        rec = json.loads(line)
        if rec["code"].startswith("MTQ6"):
            rec["doc"] = Path(rec["path"]).relative_to(root).as_posix()
            out.append(rec)
    return out


def _text(doc: str, root: Path = STORIES) -> str:
    return (root / doc).read_text(encoding="utf-8")


def _matches(f: dict, g: Gold) -> bool:
    """Partial overlap; an insertion point (start == end) matches where only white space lies
    between it and the gold's."""
    if f["doc"] != g.doc:
        return False
    if g.start == g.end or f["start"] == f["end"]:
        lo, hi = sorted((f["start"], g.start))
        return g.start <= f["end"] and f["start"] <= g.end or not _text(g.doc, g.root)[lo:hi].strip()
    return f["start"] < g.end and g.start < f["end"]


def score(findings: list[dict], gold: list[Gold]) -> dict:
    rules_gold = [g for g in gold if not g.model]
    found = [g for g in rules_gold if any(f["code"] == g.code and _matches(f, g) for f in findings)]
    false = [f for f in findings if not any(_matches(f, g) for g in gold)]
    return {"recall": len(found) / len(rules_gold), "found": len(found), "gold": len(rules_gold),
            "missed": [g for g in rules_gold if g not in found], "false": false}


def report(got: dict, title: str) -> dict:
    """Prints what ``score`` found (shown with -s), and returns it."""
    print(f"\n{title}: recall {got['found']}/{got['gold']} = {got['recall']:.2f}, false alarms {len(got['false'])}")
    for g in got["missed"]:
        print(f"  missed {g.code} {g.doc} {_text(g.doc, g.root)[g.start:g.end]!r}")
    for f in got["false"]:
        print(f"  false  {f['code']} {f['doc']} {f['text']!r}: {f['message'][:120]}")
    return got


@pytest.fixture(scope="module")
def result():
    return report(score(run_rules(), read_gold()), "story set, rules only")


def test_the_gold_spans_are_in_the_copies():
    gold = read_gold()
    assert len({g.doc.split("/")[0] for g in gold}) >= 4
    assert {g.code for g in gold if not g.model} == set(RULE_CODES)


def test_the_rules_find_the_meaning_errors(result):
    assert result["recall"] >= MIN_RECALL, [(g.doc, g.code) for g in result["missed"]]


def test_the_rules_stay_silent_on_legitimate_variation(result):
    assert result["false"] == []


def test_the_matching_can_tell_a_miss():
    """The scorer of this test itself: a finding elsewhere is a false alarm and finds nothing."""
    g = Gold("x/copy.txt", "MTQ602", 10, 12, False)
    far = {"doc": "x/copy.txt", "code": "MTQ602", "start": 30, "end": 32}
    assert score([far], [g]) == {"recall": 0.0, "found": 0, "gold": 1, "missed": [g], "false": [far]}


@pytest.mark.model
def test_the_model_finds_the_wrong_sense_in_a_loosely_worded_sentence(lm):
    """"The Skyline action gained ..." (French action, a share) against copies that word the
    sentence otherwise ("Skyline shares rose ..."): MTQ603 pairs the words on those the sentences
    share, and the model prefers "shares" far beyond the calibrated margin (14.6 nats against
    6.03 when this test was written), so the finding does not sit at a threshold."""
    from mtqa.config import Config
    from mtqa.document import Document
    from mtqa.pipeline import run
    from mtqa.scoring.scorer import Scorer

    story = STORIES / "airline_stake"
    config = Config(select=("MTQ603",), reference=(str(story / "original.txt"),))
    docs = [Document(str(p), p.read_text(encoding="utf-8")) for p in sorted(story.glob("*.txt"))]
    found = run(docs, config, lm=lm, scorer=Scorer(lm, config)).findings
    (g,) = [g for g in read_gold() if g.model and g.doc == "airline_stake/copy_fr.txt"]
    hits = [f for f in found if f.path.endswith(g.doc) and f.start < g.end and g.start < f.end]
    assert [(f.text, f.suggestion) for f in hits] == [("action", "shares")]
    assert hits[0].evidence["margin"] > hits[0].evidence["sure_margin"] + 2.0
