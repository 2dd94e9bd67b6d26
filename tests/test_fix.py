"""`mtqa fix`: corrected copy to stdout or a file, in place only when asked, atomically."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.finding import Finding
from mtqa.fixes import apply_fixes, choose_fixes, review

TEXT = "The decision was taken on Saturday (23) in the capital, officials said.\n"
FIXED = "The decision was taken on Saturday in the capital, officials said.\n"


def _f(start, end, sugg, severity="minor", code="MTQ403"):
    return Finding(code=code, category="locale-convention", severity=severity, path="t", start=start, end=end,
                   text="", line=1, column=start + 1, message="m", suggestions=sugg)


def test_overlapping_fixes_keep_the_more_severe():
    a, b = _f(0, 5, ("x",), "minor"), _f(3, 8, ("y",), "major")
    assert choose_fixes([a, b]) == [b]
    assert apply_fixes("0123456789", [a, b]) == "012y89"


def test_overlapping_deletions_merge():
    a, b = _f(2, 6, ("",), "major"), _f(4, 8, ("",), "minor")
    assert choose_fixes([a, b]) == [a, b]
    assert apply_fixes("0123456789", [a, b]) == "0189"
    c = _f(5, 7, ("x",), "minor")  # a replacement inside a deletion loses
    assert apply_fixes("0123456789", [a, c]) == "016789"


def test_review_answers():
    fs = [_f(0, 1, ("a",)), _f(2, 3, ("b",)), _f(4, 5, ("c",))]
    answers = iter(["n", "a"])
    assert review("0123456", fs, lambda f, c: next(answers)) == fs[1:]
    answers = iter(["y", "q"])
    assert review("0123456", fs, lambda f, c: next(answers)) == fs[:1]


def test_fix_to_stdout_leaves_input(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = CliRunner().invoke(cli, ["fix", str(p), "--no-lm", "--select", "MTQ403"])
    assert r.exit_code == 0, r.output
    assert FIXED in r.output
    assert p.read_text(encoding="utf-8") == TEXT


def test_fix_in_place_keeps_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    r = CliRunner().invoke(cli, ["fix", str(p), "--no-lm", "--select", "MTQ403", "--in-place"])
    assert r.exit_code == 0, r.output
    assert p.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_fix_refuses_output_equal_to_input_without_in_place(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = CliRunner().invoke(cli, ["fix", str(p), "--no-lm", "-o", str(p)])
    assert r.exit_code == 2
    assert p.read_text(encoding="utf-8") == TEXT


def _run_on_a_terminal(args: list[str], answers: str) -> subprocess.CompletedProcess:
    """mtqa with a real pseudo-terminal as stdin, answering its prompts with ``answers``."""
    import os
    import pty  # noqa: F401 - POSIX only, as is the terminal this test needs

    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-c", "from mtqa.cli import main; main()", *args],
                                stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(master, answers.encode())
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def test_fix_interactive_rejecting_all_changes_nothing(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.txt"
    r = _run_on_a_terminal(["fix", str(p), "--no-lm", "--select", "MTQ403", "-i", "-o", str(out)], "n\n")
    assert r.returncode == 0, r.stderr
    assert "Apply?" in r.stderr
    assert out.read_text(encoding="utf-8") == TEXT


def test_fix_interactive_without_a_terminal_is_a_usage_error(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.txt"
    r = CliRunner().invoke(cli, ["fix", str(p), "--no-lm", "-i", "-o", str(out)], input="y\n")
    assert r.exit_code == 2
    assert "terminal" in r.output
    assert not out.exists()


def test_fix_in_place_keeps_the_files_permissions(tmp_path):
    import os
    import stat

    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    os.chmod(p, 0o640)
    r = CliRunner().invoke(cli, ["fix", str(p), "--no-lm", "--select", "MTQ403", "--in-place"])
    assert r.exit_code == 0, r.output
    assert p.read_text(encoding="utf-8") == FIXED
    assert stat.S_IMODE(p.stat().st_mode) == 0o640


def test_a_new_output_file_gets_the_umask_permissions(tmp_path):
    import os
    import stat

    p, out = tmp_path / "a.txt", tmp_path / "fixed.txt"
    p.write_text(TEXT, encoding="utf-8")
    old = os.umask(0o022)
    try:
        r = CliRunner().invoke(cli, ["fix", str(p), "--no-lm", "--select", "MTQ403", "-o", str(out)])
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
