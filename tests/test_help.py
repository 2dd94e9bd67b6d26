"""Help that answers questions, `explain` on categories, and colour only where it belongs."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "samples" / "flood_evacuation.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
RULE = ["--no-lm", "--select", "MTQ201"]  # one rule: the colours are the subject, not the detectors


def _commands(cmd: click.Command, name: str = "mtqa"):
    yield name, cmd
    if isinstance(cmd, click.Group):
        for sub_name, sub in cmd.commands.items():
            yield from _commands(sub, f"{name} {sub_name}")


def test_every_option_of_every_command_has_help():
    missing = [f"{name} {'/'.join(p.opts)}" for name, cmd in _commands(cli) for p in cmd.params
               if isinstance(p, click.Option) and not p.hidden and not (p.help or "").strip()]
    assert missing == []
    assert all((cmd.help or "").strip() for _, cmd in _commands(cli))


def test_check_help_names_formats_config_files_and_environment():
    text = CliRunner().invoke(cli, ["check", "--help"]).stdout
    for word in (".rss", ".atom", "NewsML-G2", "ninjs", ".md", "stdin", "mtqa.toml", "pyproject.toml",
                 "[tool.mtqa]", "setup.cfg", "[mtqa]", "MTQA_CACHE_DIR", "MTQA_PRECISION", "MTQA_THREADS",
                 "NO_COLOR", "sarif", "rdjson", "github"):
        assert word in text, word


@pytest.mark.parametrize("query", ["confusion", "locale-convention", "MTQ4", "mtq3"])
def test_explain_lists_the_codes_of_a_category_or_prefix(query):
    r = CliRunner().invoke(cli, ["explain", query])
    assert r.exit_code == 0
    listed = re.findall(r"^(MTQ\d{3}) ", r.stdout, re.M)
    expected = [x.code for x in RULES if x.category == query or x.code.startswith(query.upper())]
    assert listed == expected and expected


def test_explain_unknown_category_suggests():
    r = CliRunner().invoke(cli, ["explain", "punctuatoin"])
    assert r.exit_code == 2 and "did you mean punctuation?" in r.stderr


def _stdout_on_terminal(env_extra: dict) -> str:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PYTHONPATH=str(ROOT), **env_extra)
    proc = subprocess.Popen([sys.executable, "-c", "from mtqa.cli import main; main()", "check", str(SAMPLE),
                             *RULE, "--no-summary"], stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait()
    os.close(master)
    return out.decode()


def test_colour_on_a_terminal_and_not_with_no_color():
    coloured = _stdout_on_terminal({})
    assert "\x1b[1mMTQ201\x1b[0m" in coloured and "\x1b[31mmajor\x1b[0m" in coloured
    assert "\x1b[" not in _stdout_on_terminal({"NO_COLOR": "1"})
    plain = CliRunner().invoke(cli, ["check", str(SAMPLE), *RULE]).stdout
    assert "\x1b[" not in plain  # not a terminal
    assert ANSI.sub("", coloured).replace("\r\n", "\n") == plain
    forced = CliRunner().invoke(cli, ["check", str(SAMPLE), *RULE, "--color"]).stdout
    assert ANSI.sub("", forced) == plain and forced != plain
