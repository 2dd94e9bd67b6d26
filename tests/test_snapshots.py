"""Each detector's fixture in tests/fixtures/<CODE>.txt, checked against tests/snapshots/<CODE>.jsonl.

Regenerate after an intended change with `UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py`,
then read the diff of the snapshots before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run
from mtqa.registry import RULES

HERE = Path(__file__).parent
FIXTURES, SNAPSHOTS = HERE / "fixtures", HERE / "snapshots"
RULE_CODES = [r.code for r in RULES if not r.needs_lm]
MODEL_CODES = [r.code for r in RULES if r.needs_lm]


def _fixture(code: str) -> Path:
    """tests/fixtures/<CODE>.txt, or for a rule across copies the folder tests/fixtures/<CODE>/."""
    folder = FIXTURES / code
    return folder if folder.is_dir() else FIXTURES / f"{code}.txt"


def render(code: str, lm=None) -> str:
    path = _fixture(code)
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    docs = [Document(f"tests/fixtures/{f.relative_to(FIXTURES).as_posix()}", f.read_text(encoding="utf-8"))
            for f in files]
    scorer = None
    if lm is not None:
        from mtqa.scoring.scorer import Scorer

        scorer = Scorer(lm, Config())
    result = run(docs, Config(select=(code,), use_lm=lm is not None), lm=lm, scorer=scorer)
    rows = [f.to_json() for f in result.findings]
    if lm is not None:
        # A suggestion's margin comes from the batched pass, whose last digits move with bf16 or
        # fp32 and the batch; the decisions (which findings, which severity) must not, and a
        # score to one decimal shows it was not near a boundary by accident.
        rows = [{**r, "score": round(r["score"], 1)} for r in rows]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@pytest.mark.parametrize("code", RULE_CODES)
def test_snapshot(code):
    _check_snapshot(code, render(code))


@pytest.mark.model
@pytest.mark.parametrize("code", MODEL_CODES)
def test_model_rule_snapshot(code, lm):
    """A model-backed rule's fixture through the real model and scorer: its decisions come from
    the exact pass, so the snapshot is the same on every machine."""
    _check_snapshot(code, render(code, lm))


def _check_snapshot(code: str, got: str) -> None:
    fixture = _fixture(code)
    assert fixture.exists(), f"every rule needs a fixture: {fixture}"
    assert got, f"the fixture for {code} must produce at least one finding"
    snap = SNAPSHOTS / f"{code}.jsonl"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snap.write_text(got, encoding="utf-8")
    assert snap.is_file(), f"no snapshot yet: run UPDATE_SNAPSHOTS=1 pytest {__file__}"
    assert got == snap.read_text(encoding="utf-8")
