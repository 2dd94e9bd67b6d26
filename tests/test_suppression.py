"""Accepted terms, per-path ignores, baselines by content and inline disable comments: a stage
after detection, so each form is tested through the pipeline and the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run
from mtqa.suppression import disabled_spans

NAMES = ("Mayor Anna Kowalski opened the session. Later Kowalsky said the count would resume. "
         "Prices rose 3,5 percent on Saturday (23).\n")


def codes_in(text: str, **cfg) -> list[tuple[str, str]]:
    result = run([Document("copy/sport/a.md", text)], Config(use_lm=False, **cfg))
    return [(f.code, f.text.strip()) for f in result.findings]


def test_accepted_terms_are_never_reported(tmp_path):
    assert ("MTQ221", "Kowalsky") in codes_in(NAMES)
    assert ("MTQ221", "Kowalsky") not in codes_in(NAMES, accept=("Kowalsky",))
    assert ("MTQ221", "Kowalsky") in codes_in(NAMES, accept=("kowalsky",))  # exact, case included
    terms = tmp_path / "accept.txt"
    terms.write_text("# names we have checked\nKowalsky\n", encoding="utf-8")
    found = codes_in(NAMES, accept_file=str(terms))
    assert ("MTQ221", "Kowalsky") not in found and ("MTQ401", "3,5") in found


def test_per_path_ignores_match_from_the_right():
    assert ("MTQ401", "3,5") not in codes_in(NAMES, per_path_ignores=(("sport/*", ("MTQ4",)),))
    assert ("MTQ403", "(23)") not in codes_in(NAMES, per_path_ignores=(("*.md", ("locale-convention",)),))
    assert ("MTQ401", "3,5") in codes_in(NAMES, per_path_ignores=(("news/*", ("MTQ4",)),))


def test_inline_comments_turn_codes_off_between_them():
    text = ("Prices rose 3,5 percent.\n\n<!-- mtqa-disable MTQ401 -->\nPrices rose 4,5 percent on Saturday (23).\n"
            "<!-- mtqa-enable -->\n\nPrices rose 5,5 percent.\n\n<!-- mtqa-disable -->\nThen 6,5 on Sunday (24).\n")
    found = codes_in(text)
    assert ("MTQ401", "3,5") in found and ("MTQ401", "5,5") in found
    assert ("MTQ401", "4,5") not in found and ("MTQ403", "(23)") in found  # only the named code
    assert ("MTQ401", "6,5") not in found and ("MTQ403", "(24)") not in found  # all codes, to the end
    assert not any(c == "MTQ301" for c, _ in found)  # the comments are not markup leaks
    regions, comments = disabled_spans(text)
    assert len(comments) == 3 and len(regions) == 2


def test_config_file_accept_and_per_path_ignores(tmp_path, monkeypatch):
    sport = tmp_path / "sport"
    sport.mkdir()
    (sport / "a.txt").write_text(NAMES, encoding="utf-8")
    (tmp_path / "b.txt").write_text(NAMES, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mtqa]\naccept = ["Kowalsky"]\n[tool.mtqa.per-path-ignores]\n"sport/*" = ["MTQ401"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["check", "sport", "b.txt", "--no-lm", "--format", "jsonl", "--fail-on", "never"])
    assert r.exit_code == 0, r.stderr
    found = {(rec["path"], rec["code"]) for rec in map(json.loads, r.stdout.splitlines())}
    assert ("b.txt", "MTQ401") in found and ("sport/a.txt", "MTQ401") not in found
    assert not any(code == "MTQ221" for _, code in found)
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "setup.cfg").write_text("[mtqa]\nper-path-ignores =\n    sport/*: MTQ401, MTQ403\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", "sport", "--no-lm", "--format", "jsonl", "--fail-on", "never"])
    assert {rec["code"] for rec in map(json.loads, r.stdout.splitlines())} == {"MTQ221"}


def test_baseline_reports_only_new_findings_after_edits_elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    story = tmp_path / "story.txt"
    story.write_text(NAMES, encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(cli, ["check", "story.txt", "--no-lm", "--write-baseline", "baseline.json"])
    assert r.exit_code == 0 and "wrote 3 finding(s) to the baseline baseline.json" in r.stderr
    recorded = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert recorded["tool"] == "mtqa" and {f["code"] for f in recorded["findings"]} == {"MTQ221", "MTQ401", "MTQ403"}
    assert all(set(f) == {"path", "code", "text", "context"} for f in recorded["findings"])
    r = runner.invoke(cli, ["check", "story.txt", "--no-lm", "--baseline", "baseline.json", "--format", "jsonl"])
    assert r.exit_code == 0 and r.stdout == ""
    # an edit above the old findings moves every offset; a new artifact comes with it
    story.write_text("A new lead paragraph says rates rose 7,5 percent.\n\n" + NAMES, encoding="utf-8")
    r = runner.invoke(cli, ["check", "story.txt", "--no-lm", "--baseline", "baseline.json", "--format", "jsonl"])
    assert r.exit_code == 1
    assert [json.loads(x)["text"] for x in r.stdout.splitlines()] == ["7,5"]
    # run from another folder: paths are recorded relative to the baseline's folder
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    r = runner.invoke(cli, ["check", "../story.txt", "--no-lm", "--baseline", "../baseline.json", "--format", "jsonl"])
    assert [json.loads(x)["text"] for x in r.stdout.splitlines()] == ["7,5"]


@pytest.mark.parametrize("body, message", [
    ("not json", "not a readable mtqa baseline"),
    ('{"findings": []}', "not an mtqa baseline"),
])
def test_bad_baseline_is_a_usage_error(tmp_path, body, message):
    story = tmp_path / "story.txt"
    story.write_text(NAMES, encoding="utf-8")
    bad = tmp_path / "b.json"
    bad.write_text(body, encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(story), "--no-lm", "--baseline", str(bad)])
    assert r.exit_code == 2 and str(bad) in r.stderr and message in r.stderr
    r = CliRunner().invoke(cli, ["check", str(story), "--no-lm", "--baseline", str(tmp_path / "none.json")])
    assert r.exit_code == 2 and "baseline not found" in r.stderr
