"""Every diff mtqa writes applies: `patch` turns the original into exactly the text with the fixes
applied in Python, whatever line breaks, look-alike line breaks (\\r, \\f, \\v, \\x1c-\\x1e, \\x85,
U+2028, U+2029) or diff syntax the copy holds."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.fixes import apply_fixes, choose_fixes
from mtqa.writers.diff import diff_document, split_lines
from tests.helpers import examples

PATCH = shutil.which("patch")
pytestmark = pytest.mark.skipif(PATCH is None, reason="GNU patch is not installed")

PIECES = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "a", "b",
          " ", "é", "\t", "-", "+", "@@ ", "--- ", "+++ ", "\\ No newline at end of file", "#", "\ufeff", "日本",
          "👍🏽", "\x1b[31m"]
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)


@st.composite
def documents_with_fixes(draw):
    text = draw(texts)
    doc = Document("a.txt", text)
    findings = []
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 6)))
        line, col = doc.line_col(start)
        suggestion = draw(st.one_of(st.just(""), texts.map(lambda s: s[:5])))
        findings.append(Finding(code="MTQ403", category="punctuation", severity="minor", path=doc.path,
                                start=start, end=end, text=text[start:end], line=line, column=col,
                                message="fuzzed\nfix \x1b[2J", suggestions=(suggestion,)))
    return doc, sorted(findings, key=Finding.sort_key)


def test_split_lines_cuts_at_newline_only():
    assert split_lines("a\rb\u2028c\n\x85d\n") == ["a\rb\u2028c\n", "\x85d\n"]
    assert split_lines("x") == ["x"] and split_lines("") == [] and split_lines("\n\n") == ["\n", "\n"]
    assert "".join(split_lines("a\r\nb\x0c\x1c\nc")) == "a\r\nb\x0c\x1c\nc"


@settings(max_examples=examples(300), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_with_fixes())
def test_every_generated_diff_applies_with_patch(case):
    doc, findings = case
    expected = apply_fixes(doc.text, choose_fixes(findings))
    diff = diff_document(doc, findings)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "a.txt"
        target.write_bytes(doc.text.encode("utf-8"))
        if expected == doc.text:
            assert "\n@@ -" not in "\n" + diff and "\n--- " not in "\n" + diff
            return
        proc = subprocess.run([PATCH, "-p0", "--quiet", "--no-backup-if-mismatch", "-r", "-"],
                              input=diff.encode("utf-8"), cwd=tmp, capture_output=True)
        assert proc.returncode == 0, (proc.stdout, proc.stderr, diff)
        assert target.read_bytes() == expected.encode("utf-8"), diff
