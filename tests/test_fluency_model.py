"""MTQ501 with the real model: it finds the seeds' garbled sentences and stays quiet on clean copy."""

import os
from pathlib import Path

import pytest

from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(os.environ.get("MTQA_SKIP_MODEL_TESTS") == "1",
                                reason="MTQA_SKIP_MODEL_TESTS=1")

# `lm`: the real model, a session fixture in tests/conftest.py


def fluency(lm, text):
    res = run([Document("t.txt", text)], Config(select=("MTQ501",)), lm=lm)
    return [f for f in res.findings if f.code == "MTQ501"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_finds_the_garbled_plants_sentence(lm):
    text = (SEEDS / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    found = fluency(lm, text)
    sentence = "Plants have especially migrated to the outside world."
    s = text.index(sentence)
    assert any(s <= f.start < s + len(sentence) for f in found), [f.text for f in found]
    for f in found:
        assert f.category == "fluency" and f.suggestions == () and "score" in f.evidence


def test_clean_copy_gives_no_fluency_finding(lm):
    text = ("The city council approved the new budget on Tuesday after a long debate. "
            "The mayor said the money would pay for more buses and repairs to two bridges. "
            "Opposition members voted against the plan, saying taxes would rise next year.")
    assert fluency(lm, text) == []


def test_fluency_needs_the_model():
    res = run([Document("t.txt", "Plants have especially migrated to the outside world. " * 3)],
              Config(select=("MTQ501",), use_lm=False))
    assert res.findings == []
