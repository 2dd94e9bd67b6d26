"""scripts/decisions_to_precision.py: review decisions into per-entry and per-code precision."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from mtqa.config import Config
from mtqa.review.session import ReviewSession
from tests.review_data import STORY

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("tomlkit", reason="tomlkit (the test extra) writes the data files")


def _script():
    spec = importlib.util.spec_from_file_location("decisions_to_precision", ROOT / "scripts" / "decisions_to_precision.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclass looks itself up there
    spec.loader.exec_module(mod)
    return mod


def _key(s, code, text):
    return next(it.key for it in s.items if it.finding.code == code and it.finding.text == text)


@pytest.fixture
def reviewed(tmp_path) -> Path:
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    s = ReviewSession.from_paths([str(tmp_path / "story.txt")], Config(use_lm=False), tmp_path / "review")
    s.decide(_key(s, "MTQ201", "actual"), "reject")
    s.decide(_key(s, "MTQ201", "eventual"), "edit", replacement="further")
    s.decide(_key(s, "MTQ201", "sympathetic"), "accept", choice=2)
    s.decide(_key(s, "MTQ311", "Also Read: Russia pounds railroad stations in Ukraine"), "accept")
    s.decide(_key(s, "MTQ101", "সাম "), "accept", choice=1)
    s.decide(_key(s, "MTQ402", "$ 375"), "reject")
    s.decide(_key(s, "MTQ222", "Kiev"), "reject")
    s.undo()  # the Kiev decision is taken back: it must not count
    return tmp_path / "review" / "decisions.jsonl"


def _entry(path: Path, entry_id: str) -> dict:
    with open(path, "rb") as fh:
        return next(e for e in tomllib.load(fh)["entry"] if e["id"] == entry_id)


def test_precision_written_into_entries_and_code_table(reviewed, tmp_path, capsys):
    corpora = tmp_path / "corpora"
    shutil.copytree(ROOT / "corpora", corpora)
    before = (corpora / "confusions" / "romance.toml").read_text(encoding="utf-8")
    rc = _script().main([str(reviewed), str(reviewed), "--corpora", str(corpora), "--date", "2026-01-02",
                         "--data", "test-review"])
    assert rc == 0
    romance = corpora / "confusions" / "romance.toml"
    assert _entry(romance, "actual-current")["review"] == {"p": 0.0, "n": 1, "data": "test-review", "date": "2026-01-02"}
    assert _entry(romance, "eventual-possible")["review"]["p"] == 1.0
    assert _entry(romance, "sympathetic-nice")["review"]["n"] == 1  # the log given twice counts once
    assert _entry(corpora / "boilerplate.toml", "related-link-label")["review"]["p"] == 1.0
    assert "review" not in _entry(romance, "currently-actually")
    # Only the review lines were added; comments and layout are kept.
    after = romance.read_text(encoding="utf-8")
    assert [line for line in after.splitlines() if not line.startswith("review = ")] == before.splitlines()
    with open(corpora / "review_precision.toml", "rb") as fh:
        table = tomllib.load(fh)
    assert "code" not in table  # not taken for a rule data file
    assert table["codes"]["MTQ201"] == {"p": 0.667, "n": 3, "real": 2, "data": "test-review", "date": "2026-01-02"}
    assert table["codes"]["MTQ402"]["p"] == 0.0 and table["codes"]["MTQ101"]["p"] == 1.0
    assert "MTQ222" not in table["codes"]
    out = capsys.readouterr().out
    assert "actual-current" in out and "updated" in out
    # The untouched data files are byte for byte the same.
    assert (corpora / "confusions" / "slavic.toml").read_bytes() == (ROOT / "corpora" / "confusions" / "slavic.toml").read_bytes()


def test_dry_run_writes_nothing(reviewed, tmp_path):
    corpora = tmp_path / "corpora"
    shutil.copytree(ROOT / "corpora", corpora)
    assert _script().main([str(reviewed), "--corpora", str(corpora), "--dry-run"]) == 0
    assert not (corpora / "review_precision.toml").exists()
    assert (corpora / "confusions" / "romance.toml").read_bytes() == (ROOT / "corpora" / "confusions" / "romance.toml").read_bytes()
