"""Config files found as ruff and Vale find theirs, typos in codes caught, errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.config import find_config

SAMPLE = "The decision was taken on Saturday (23) in Kyiv, officials said. Prices rose 3,5 percent.\n"


@pytest.fixture
def story(tmp_path) -> Path:
    p = tmp_path / "story.txt"
    p.write_text(SAMPLE, encoding="utf-8")
    return p


def run(*args, cwd: Path | None = None, monkeypatch=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(cli, ["check", *map(str, args), "--no-lm", "--format", "jsonl"])


def codes(result) -> set[str]:
    import json

    return {json.loads(line)["code"] for line in result.stdout.splitlines()}


@pytest.mark.parametrize("value, hint", [
    ("MTQ2O1", "did you mean MTQ201?"),
    ("MTQ2001", "did you mean MTQ201?"),
    ("confussion", "did you mean confusion?"),
    ("bogus", "`mtqa rules` lists"),
])
@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_code_on_the_command_line_is_a_usage_error(story, option, value, hint):
    r = CliRunner().invoke(cli, ["check", str(story), "--no-lm", option, value])
    assert r.exit_code == 2
    assert f"{option}: unknown code, prefix or category {value!r}" in r.stderr and hint in r.stderr


def test_known_codes_prefixes_categories_and_names_are_accepted(story):
    r = CliRunner().invoke(cli, ["check", str(story), "--no-lm", "--format", "jsonl", "--fail-on", "never",
                                 "--select", "MTQ4,punctuation,mtq201,glued-words"])
    assert r.exit_code == 0, r.stderr
    assert codes(r) == {"MTQ401", "MTQ403"}


@pytest.mark.parametrize("name, body", [
    ("mtqa.toml", 'select = ["MTQ403"]\n'),
    ("pyproject.toml", '[project]\nname = "x"\n[tool.mtqa]\nselect = ["MTQ403"]\n'),
    ("setup.cfg", "[metadata]\nname = x\n[mtqa]\nselect = MTQ403\n"),
])
def test_config_is_found_in_a_parent_folder(tmp_path, story, monkeypatch, name, body):
    (tmp_path / name).write_text(body, encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / name
    r = run(story, "--fail-on", "never", cwd=deep, monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.stderr
    assert codes(r) == {"MTQ403"}


def test_files_without_an_mtqa_section_are_skipped_and_nearest_wins(tmp_path, story, monkeypatch):
    (tmp_path / "mtqa.toml").write_text('select = ["MTQ401"]\n', encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")  # no [tool.mtqa]
    (sub / "setup.cfg").write_text("[mtqa]\nselect = MTQ403\n", encoding="utf-8")
    assert find_config(sub) == sub / "setup.cfg"
    assert codes(run(story, cwd=sub, monkeypatch=monkeypatch)) == {"MTQ403"}
    (sub / "setup.cfg").write_text("[metadata]\nname = x\n", encoding="utf-8")
    assert find_config(sub) == tmp_path / "mtqa.toml"
    assert codes(run(story, cwd=sub, monkeypatch=monkeypatch)) == {"MTQ401"}


def test_config_option_overrides_discovery(tmp_path, story, monkeypatch):
    (tmp_path / "mtqa.toml").write_text('select = ["MTQ401"]\n', encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text('select = ["MTQ403"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert codes(run(story, "--config", other)) == {"MTQ403"}
    r = run(story, "--config", tmp_path / "missing.toml")
    assert r.exit_code == 2 and "missing.toml: config file not found" in r.stderr


@pytest.mark.parametrize("name, body, message", [
    ("mtqa.toml", 'select = ["MTQ2O1"]\n', "mtqa.toml: select: unknown code, prefix or category 'MTQ2O1'; did you mean MTQ201?"),
    ("mtqa.toml", "fail-on = 3\n", "mtqa.toml: fail-on: expected str, not int 3"),
    ("mtqa.toml", 'fail-on = "majr"\n', "mtqa.toml: fail-on must be one of"),
    ("mtqa.toml", "select = [\n", "mtqa.toml: invalid TOML"),
    ("pyproject.toml", "[tool.mtqa]\nselectt = []\n", "pyproject.toml: [tool.mtqa] unknown key 'selectt'"),
    ("setup.cfg", "[mtqa]\nignore = MTQ9\n", "setup.cfg: [mtqa] ignore: unknown code, prefix or category 'MTQ9'"),
    ("mtqa.toml", '[per-path-ignores]\n"sport/*" = ["MTQ22x"]\n',
     "mtqa.toml: per-path-ignores 'sport/*': unknown code"),
])
def test_config_errors_name_the_file_and_key(tmp_path, story, monkeypatch, name, body, message):
    (tmp_path / name).write_text(body, encoding="utf-8")
    r = run(story, cwd=tmp_path, monkeypatch=monkeypatch)
    assert r.exit_code == 2
    assert str(tmp_path / name) in r.stderr and message in r.stderr, r.stderr


def test_relative_paths_in_a_config_file_are_relative_to_it(tmp_path, story, monkeypatch):
    (tmp_path / "style.toml").write_text(
        'code = "MTQ222"\n[[entry]]\nwrong = ["Kyiv"]\nright = "Kiev"\nincorrect = []\ncorrect = []\n',
        encoding="utf-8")
    (tmp_path / "mtqa.toml").write_text('house-style = "style.toml"\nselect = ["MTQ222"]\n', encoding="utf-8")
    deep = tmp_path / "deep"
    deep.mkdir()
    r = run(story, "--fail-on", "never", cwd=deep, monkeypatch=monkeypatch)
    assert r.exit_code == 0, r.stderr
    assert codes(r) == {"MTQ222"} and '"suggestion": "Kiev"' in r.stdout
