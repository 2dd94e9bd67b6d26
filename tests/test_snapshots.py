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


def render(code: str) -> str:
    path = FIXTURES / f"{code}.txt"
    doc = Document(f"tests/fixtures/{code}.txt", path.read_text(encoding="utf-8"))
    result = run([doc], Config(select=(code,), use_lm=False))
    return "".join(json.dumps(f.to_json(), ensure_ascii=False) + "\n" for f in result.findings)


@pytest.mark.parametrize("code", RULE_CODES)
def test_snapshot(code):
    fixture = FIXTURES / f"{code}.txt"
    assert fixture.is_file(), f"every rule needs a fixture: {fixture}"
    got = render(code)
    assert got, f"the fixture for {code} must produce at least one finding"
    snap = SNAPSHOTS / f"{code}.jsonl"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snap.write_text(got, encoding="utf-8")
    assert snap.is_file(), f"no snapshot yet: run UPDATE_SNAPSHOTS=1 pytest {__file__}"
    assert got == snap.read_text(encoding="utf-8")
