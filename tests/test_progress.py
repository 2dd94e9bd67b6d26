"""The progress bar (only on a terminal), the closing summary, silent third-party bars in logs,
and output that streams per document."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.pipeline import check_documents
from mtqa.progress import summary

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpora" / "samples"
MAIN = "from mtqa.cli import main; main()"


def _feed(tmp_path: Path, n: int) -> Path:
    items = [{"uri": f"urn:t:{i}", "headline": f"Story {i}",
              "body_text": "Prices rose 3,5 percent on Saturday (23), officials said. " * 20} for i in range(n)]
    p = tmp_path / "wire.json"
    p.write_text(json.dumps(items), encoding="utf-8")
    return p


def _env() -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TQDM_DISABLE", None)
    return env


def run_on_terminal(*args) -> tuple[int, str, str]:
    """mtqa with stderr on a pseudo-terminal (100 columns), stdout on a pipe."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", MAIN, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=slave, env=_env())
    os.close(slave)
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()))  # a full pipe would block it
    reader.start()
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    reader.join()
    out = b"".join(out_chunks)
    proc.wait()
    os.close(master)
    return proc.returncode, out.decode(), err.decode("utf-8", "replace")


def test_terminal_gets_a_bar_and_a_summary(tmp_path):
    feed = _feed(tmp_path, 120)
    rc, out, err = run_on_terminal("check", feed, SAMPLES, "--no-lm", "--format", "jsonl")
    assert rc == 1
    assert all(json.loads(line) for line in out.splitlines())  # the report stays clean
    # the total starts at the 5 inputs and grows to 124 documents once the feed is read
    assert re.search(r"\d+/5 \[", err) and re.search(r"\d+/124 \[", err), err[-500:]
    assert re.search(r"doc/s\]", err)
    n = len(out.splitlines())
    assert re.search(rf"\r?{n} findings \(\d+ critical, \d+ major\) in 5 files \(120 feed items\), \d+\.\d s\r?\n$", err), err[-300:]


def test_off_a_terminal_nothing_but_errors_on_stderr(tmp_path):
    feed = _feed(tmp_path, 30)
    # the number rules alone (the feed's majors and minors): the streams are the subject
    rules = ["--no-lm", "--select", "MTQ4"]
    proc = subprocess.run([sys.executable, "-c", MAIN, "check", str(feed), *rules], capture_output=True,
                          text=True, env=_env())
    assert proc.returncode == 1 and proc.stderr == "" and proc.stdout
    proc = subprocess.run([sys.executable, "-c", MAIN, "check", str(feed), *rules, "--summary"],
                          capture_output=True, text=True, env=_env())
    n = len(proc.stdout.splitlines())
    major = sum(" major " in line for line in proc.stdout.splitlines())
    assert 0 < major < n  # the feed holds both majors (3,5) and minors ((23))
    assert re.fullmatch(rf"{n} findings \({major} major\) in 1 file \(30 feed items\), \d+\.\d s\n", proc.stderr)


def test_third_party_bars_are_silent_off_a_terminal():
    code = ("import sys\nfrom mtqa.cli import cli\ntry:\n    cli(['rules'], standalone_mode=False)\n"
            "except SystemExit:\n    pass\nfrom tqdm import tqdm\nfor _ in tqdm(range(100), mininterval=0): pass\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    # the same bar without mtqa's set-up does write to a non-terminal: the check above can fail
    proc = subprocess.run([sys.executable, "-c", "from tqdm import tqdm\nfor _ in tqdm(range(100)): pass\n"],
                          capture_output=True, text=True, env=_env())
    assert "100/100" in proc.stderr


def test_summary_line():
    def f(sev):
        return Finding("MTQ401", "locale-convention", sev, "a.txt", 0, 1, "x", 1, 1, "m")

    docs = [Document("a.txt", "x"), Document("b.txt", "y")]
    assert summary([f("major")] * 3 + [f("minor")] * 9, docs, 0, 2.14) == "12 findings (3 major) in 2 files, 2.1 s"
    assert summary([f("critical")], docs[:1], 1, 0.04) == "1 finding (1 critical) in 1 file, 1 input error, 0.0 s"
    assert summary([], docs, 0, 1.0) == "0 findings in 2 files, 1.0 s"


def test_output_streams_per_document():
    from tests.test_model_protocol import FakeLM

    docs = [Document(f"d{i}.txt", "A headline. Prices rose 3,5 percent over the year, the office said.") for i in range(40)]
    config = Config(select=("MTQ401", "MTQ501"), use_lm=False)
    batches = [len(d) for d, _, _ in check_documents(iter(docs), config)]
    assert batches == [1] * 40  # without the model each document is written when it is checked
    lm = FakeLM()
    batches = [len(d) for d, _, _ in check_documents(iter(docs), config, lm=lm)]
    # with it, the first at once, then growing batches, each asked of the model in one call
    assert len(lm.batches) == len(batches)
    assert batches == [1, 2, 4, 8, 16, 9]
