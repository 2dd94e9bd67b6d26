"""The development set (corpora/dev/) is generated from its marked sources and stays in sync."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mtqa.evaluation.gold import check_against_texts, read_gold

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "corpora" / "dev"


def test_dev_texts_and_gold_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "dev_build_gold.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("where", [DEV, DEV / "heldout"], ids=["dev", "heldout"])
def test_dev_gold_matches_texts(where):
    golds = read_gold(where / "gold.jsonl")
    texts = {p.name: p.read_text(encoding="utf-8") for p in (where / "texts").glob("*.txt")}
    assert golds and not check_against_texts(golds, texts)
    families = {g.note for g in golds}
    assert families == {f"family: {f}" for f in ("boilerplate", "metadata", "punctuation", "numbers", "repetition")}
