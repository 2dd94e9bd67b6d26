"""The command line, end to end through click's CliRunner, without the language model."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.registry import RULES

SAMPLE = "The decision was taken on Saturday (23) in Kyiv, officials said.\n"


@pytest.fixture
def runner():
    return CliRunner()


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(data, encoding="utf-8")
    return p


def test_help_and_version(runner):
    assert runner.invoke(cli, ["--help"]).exit_code == 0
    r = runner.invoke(cli, ["--version"])
    assert r.exit_code == 0 and "mtqa" in r.output


def test_rules_lists_every_code(runner):
    r = runner.invoke(cli, ["rules"])
    assert r.exit_code == 0
    for rule in RULES:
        assert rule.code in r.output


def test_explain_known_and_unknown(runner):
    r = runner.invoke(cli, ["explain", "mtq403"])
    assert r.exit_code == 0 and "MTQ403" in r.output
    r = runner.invoke(cli, ["explain", "MTQ999"])
    assert r.exit_code == 2 and "unknown code" in r.output


def test_jsonl_keys_and_offsets(runner, tmp_path):
    p = write(tmp_path, "a.txt", SAMPLE)
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--format", "jsonl", "--fail-on", "never"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(line) for line in r.output.splitlines()]
    assert lines, "the weekday detector should fire on the sample"
    for rec in lines:
        assert list(rec) == ["path", "start", "end", "line", "column", "text", "code", "category",
                             "severity", "message", "suggestion", "score"]
        assert rec["path"] == str(p)
        assert SAMPLE[rec["start"]:rec["end"]] == rec["text"]
        assert rec["score"] is None


def test_text_format_line_shape(runner, tmp_path):
    p = write(tmp_path, "a.txt", SAMPLE)
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--select", "MTQ403", "--fail-on", "never"])
    assert r.exit_code == 0
    line = r.output.splitlines()[0]
    assert line.startswith(f"{p}:1:")
    assert " MTQ403 minor " in line


def test_select_ignore_and_fail_on(runner, tmp_path):
    p = write(tmp_path, "a.txt", SAMPLE)
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--format", "jsonl", "--select", "MTQ4",
                            "--ignore", "MTQ403", "--fail-on", "minor"])
    assert all(not json.loads(x)["code"] == "MTQ403" for x in r.output.splitlines())
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--select", "MTQ403", "--fail-on", "minor"])
    assert r.exit_code == 1
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--select", "MTQ403", "--fail-on", "critical"])
    assert r.exit_code == 0


def test_directory_order_is_sorted_and_paths_joined(runner, tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    write(d / "sub", "b.txt", SAMPLE)
    write(d, "a.md", SAMPLE)
    write(d, "ignored.bin", b"\x00\x01")
    r = runner.invoke(cli, ["check", str(d), "--no-lm", "--format", "jsonl", "--select", "MTQ403",
                            "--fail-on", "never"])
    assert r.exit_code == 0, r.output
    paths = [json.loads(x)["path"] for x in r.output.splitlines()]
    assert paths == [str(d / "a.md"), str(d / "sub" / "b.txt")]


def test_stdin(runner):
    r = runner.invoke(cli, ["check", "-", "--no-lm", "--format", "jsonl", "--select", "MTQ403",
                            "--fail-on", "never"], input=SAMPLE)
    assert r.exit_code == 0
    assert json.loads(r.output.splitlines()[0])["path"] == "-"


def test_bom_is_accepted_and_offsets_skip_it(runner, tmp_path):
    p = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + SAMPLE.encode())
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--format", "jsonl", "--select", "MTQ403",
                            "--fail-on", "never"])
    rec = json.loads(r.output.splitlines()[0])
    assert SAMPLE[rec["start"]:rec["end"]] == rec["text"]


def test_output_file_is_written_and_input_untouched(runner, tmp_path):
    p = write(tmp_path, "a.txt", SAMPLE)
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    out = tmp_path / "out.jsonl"
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--format", "jsonl", "-o", str(out), "--fail-on", "never"])
    assert r.exit_code == 0
    assert out.read_text().strip()
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file may be left behind"


def test_output_may_not_overwrite_an_input(runner, tmp_path):
    p = write(tmp_path, "a.txt", SAMPLE)
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "-o", str(p)])
    assert r.exit_code == 2
    assert p.read_text(encoding="utf-8") == SAMPLE


def test_diff_applies_with_patch(runner, tmp_path):
    import shutil
    import subprocess

    if not shutil.which("patch"):
        pytest.skip("patch is not installed")
    p = write(tmp_path, "a.txt", SAMPLE)
    # run inside tmp_path so the diff names a relative path, as a user would
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = runner.invoke(cli, ["check", "a.txt", "--no-lm", "--format", "diff", "--select", "MTQ403",
                                "--fail-on", "never"])
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0
    assert "@@" in r.output and "MTQ403" in r.output
    # the run's signature heads the diff as a comment, which patch passes over
    assert r.output.startswith("# mtqa signature: mtqa:") and "|det:" in r.output.splitlines()[0]
    subprocess.run(["patch", "-p0", "--quiet"], input=r.output, text=True, cwd=tmp_path, check=True)
    assert "(23)" not in p.read_text(encoding="utf-8")


BAD_INPUTS = {
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "latin1.txt": ("Caf\xe9 au lait\n".encode("latin-1"), "invalid UTF-8"),
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\n \t\n", "empty"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_exit_2_names_path(runner, tmp_path, name):
    data, reason = BAD_INPUTS[name]
    p = write(tmp_path, name, data)
    r = runner.invoke(cli, ["check", str(p), "--no-lm"])
    assert r.exit_code == 2
    assert str(p) in r.output and reason in r.output
    assert p.read_bytes() == data


def test_missing_path_and_huge_file(runner, tmp_path):
    r = runner.invoke(cli, ["check", str(tmp_path / "nope.txt"), "--no-lm"])
    assert r.exit_code == 2 and "no such file" in r.output
    p = write(tmp_path, "big.txt", "word " * 1000)
    r = runner.invoke(cli, ["check", str(p), "--no-lm", "--max-bytes", "100"])
    assert r.exit_code == 2 and "over the limit" in r.output


@pytest.mark.parametrize("command", ["check", "fix", "review", "serve"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_max_bytes_below_one_is_a_usage_error(runner, tmp_path, monkeypatch, command, value):
    # 0 used to be taken, and then every input was refused as "over the limit of 0 bytes"
    monkeypatch.chdir(tmp_path)  # review's default --out folder
    p = write(tmp_path, "a.txt", SAMPLE)
    # serve: a non-loopback host without a token, so that a serve that took the value would
    # exit with that error instead of listening
    r = runner.invoke(cli, [command, str(p), "--no-lm", "--max-bytes", value] if command != "serve"
                      else [command, "--no-lm", "--host", "0.0.0.0", "--max-bytes", value])
    assert r.exit_code == 2 and "--max-bytes" in r.output and "x>=1" in r.output, r.output
    assert "over the limit" not in r.output


def test_max_bytes_below_one_in_the_config_file_is_an_error(runner, tmp_path, monkeypatch):
    (tmp_path / "mtqa.toml").write_text("max-bytes = 0\n", encoding="utf-8")
    p = write(tmp_path, "a.txt", SAMPLE)
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["check", str(p), "--no-lm"])
    assert r.exit_code == 2 and "max-bytes must be at least 1, not 0" in r.output, r.output


PAGE = ('<html><body><h1>Flood</h1>\n<p>Prices rose 3,5 percent on <b>Monday</b>, '
        "officials said.</p></body></html>\n")


def test_an_html_page_is_read_as_plain_text_only_when_named(runner, tmp_path):
    """As the README's Known limits say: a named page is plain text, so its findings point into
    the file as it is, tags included; a folder scan skips pages."""
    (tmp_path / "site").mkdir()
    page = write(tmp_path / "site", "page.html", PAGE)
    r = runner.invoke(cli, ["check", str(page), "--no-lm", "--format", "jsonl"])
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert all(PAGE[x["start"]:x["end"]] == x["text"] for x in records)
    assert {("MTQ301", "<b>"), ("MTQ401", "3,5")} <= {(x["code"], x["text"]) for x in records}
    write(tmp_path / "site", "a.txt", SAMPLE)
    r = runner.invoke(cli, ["check", str(tmp_path / "site"), "--no-lm", "--format", "jsonl"])
    assert {json.loads(line)["path"] for line in r.stdout.splitlines()} == {str(tmp_path / "site" / "a.txt")}


def test_the_readmes_way_to_check_a_pages_copy(runner):
    import subprocess
    import sys

    # the README's one-liner, word for word, with the page on its stdin
    wrapped = subprocess.run([sys.executable, "-c", 'import json,sys; print(json.dumps({"body_html": sys.stdin.read()}))'],
                             input=PAGE, capture_output=True, text=True, check=True).stdout
    r = runner.invoke(cli, ["check", "-", "--stdin-filename", "page.json", "--no-lm", "--format", "jsonl"],
                      input=wrapped)
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["code"], x["text"]) for x in records] == [("MTQ401", "3,5")]  # no markup left to report
    assert records[0]["path"] == "page.json#1"


def test_bad_input_among_good_still_reports_the_good(runner, tmp_path):
    good = write(tmp_path, "good.txt", SAMPLE)
    bad = write(tmp_path, "bad.txt", b"\xff\xfe\xfa")
    r = runner.invoke(cli, ["check", str(bad), str(good), "--no-lm", "--format", "jsonl",
                            "--select", "MTQ403", "--fail-on", "never"])
    assert r.exit_code == 2
    assert "MTQ403" in r.output and str(bad) in r.output


def test_unknown_setup_cfg_key_is_an_error(runner, tmp_path, monkeypatch):
    write(tmp_path, "setup.cfg", "[mtqa]\nfail_onn = minor\n")
    write(tmp_path, "a.txt", SAMPLE)
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["check", "a.txt", "--no-lm"])
    assert r.exit_code == 2 and "fail_onn" in r.output


def test_unknown_format_in_setup_cfg_is_an_error(runner, tmp_path, monkeypatch):
    write(tmp_path, "setup.cfg", "[mtqa]\nformat = xml\n")
    write(tmp_path, "a.txt", SAMPLE)
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["check", "a.txt", "--no-lm"])
    assert r.exit_code == 2 and "format must be one of" in r.output


def test_setup_cfg_supplies_defaults(runner, tmp_path, monkeypatch):
    write(tmp_path, "setup.cfg", "[mtqa]\nfail-on = minor\nselect = MTQ403\n")
    write(tmp_path, "a.txt", SAMPLE)
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(cli, ["check", "a.txt", "--no-lm"])
    assert r.exit_code == 1 and "MTQ403" in r.output


def test_sort_by_score_puts_higher_scores_first(monkeypatch, runner, tmp_path):
    import mtqa.cli as cli_module

    class HalfScorer:
        """A fake scorer: the model is not what this test is about, the ordering is."""

        def score_batch(self, pairs):
            return [[f.with_(score=0.9 if f.code == "MTQ403" else 0.3) for f in fs] for _, fs in pairs]

    monkeypatch.setattr(cli_module, "_open_model", lambda config: (None, HalfScorer()))
    p = write(tmp_path, "a.txt", "Prices rose 3,5 percent on Saturday (23), officials said.\n")
    args = ["check", str(p), "--format", "jsonl", "--fail-on", "never", "--select", "MTQ401,MTQ403"]
    by_position = [json.loads(x)["code"] for x in runner.invoke(cli, args).output.splitlines()]
    by_score = [json.loads(x)["code"] for x in runner.invoke(cli, args + ["--sort", "score"]).output.splitlines()]
    assert by_position == ["MTQ401", "MTQ403"]
    assert by_score == ["MTQ403", "MTQ401"]


def test_signature_goes_to_stderr_and_leaves_the_output_alone(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Prices rose on Monday (3).\n", encoding="utf-8")
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    plain = runner.invoke(cli, ["check", str(p), "--no-lm", "--format", "jsonl", "--fail-on", "never"])
    signed = runner.invoke(cli, ["check", str(p), "--no-lm", "--format", "jsonl", "--fail-on", "never", "--signature"])
    assert signed.stdout == plain.stdout
    line = [x for x in signed.stderr.splitlines() if x.startswith("signature: ")]
    assert line and "|model:none|" in line[0] and "det:MTQ101" in line[0]
