"""Any Unicode text runs through the pipeline (--no-lm) without a crash, and every finding points
exactly into the original text; every writer renders the result."""

import io
import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtqa.cli import cli
from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import CATEGORIES, SEVERITIES
from mtqa.fixes import apply_fixes
from mtqa.pipeline import run
from mtqa.writers import WRITERS
from tests.helpers import examples

JSONL_KEYS = {"path", "start", "end", "line", "column", "text", "code", "category", "severity", "message",
              "suggestion", "score"}

# Pieces of real artifacts, so that generated texts reach the detectors' interesting paths.
ARTIFACTS = [
    "announced সাম 300 million ($ 375 million)", "a new eviction", "evictees", "fire stations",
    ".vjs-texttrack-settings {display: nobody;}", "Also Read: ", "Read More About: World News",
    " date 2022-04-24 ", "on Saturday (23)", "3,5 percent", "«quoted»", "thearea", "Azovstal . the",
    "Azvastal", "Azovstal", "Kiev", "Donbass", "Zaporizhiya", "Zaporizhia", "“", "”", " “", "..", "!!",
    "U.S.", "Lt. Col.", "25º", "Привет мир", "你好世界。", "שלום", "e\u0301", "\u200b", "\u00a0", "\r\n",
    "\n\n", "\t", "👍🏽", "\ufeff", "\u202e", "Ａ", "ß", "İ", "ﬁ",
]

pieces = st.one_of(st.sampled_from(ARTIFACTS), st.text(max_size=12),
                   st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
texts = st.one_of(
    st.text(max_size=300),
    st.lists(pieces, max_size=25).map(" ".join),
    st.lists(pieces, max_size=25).map("".join),
)


def check_findings(text: str, findings) -> None:
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text), (f.code, f.start, f.end, len(text))
        assert f.text == text[f.start:f.end], f.code
        assert f.category in CATEGORIES and f.severity in SEVERITIES
        line, col = f.line, f.column
        # line and column name the span's first visible character (its start if it is all space)
        anchor = f.start + (len(f.text) - len(f.text.lstrip())) if f.text.strip() else f.start
        before = text[:anchor]
        assert line == before.count("\n") + 1
        assert col == anchor - (before.rfind("\n") + 1) + 1
        assert all(isinstance(s, str) for s in f.suggestions)
        if f.score is not None:
            assert 0.0 <= f.score <= 1.0


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_runs_and_offsets_point_into_it(text):
    doc = Document("t.txt", text)
    result = run([doc], Config(use_lm=False))
    assert not result.errors
    check_findings(text, result.findings)
    for name, write in WRITERS.items():
        out = io.StringIO()
        write([doc], result.findings, out)
        if name == "jsonl":
            lines = out.getvalue().splitlines()
            assert len(lines) == len(result.findings)
            for line, f in zip(lines, result.findings):
                rec = json.loads(line)
                assert set(rec) == JSONL_KEYS
                assert text[rec["start"]:rec["end"]] == rec["text"] == f.text
    fixed = apply_fixes(text, result.findings)
    assert isinstance(fixed, str)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=4))
def test_several_documents_in_one_run(batch):
    docs = [Document(f"d{i}.txt", t) for i, t in enumerate(batch)]
    result = run(docs, Config(use_lm=False))
    by_path = {d.path: d.text for d in docs}
    for f in result.findings:
        check_findings(by_path[f.path], [f])


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts.filter(lambda t: t.strip() and "\x00" not in t))
def test_cli_on_stdin(text):
    """Through the reader and the CLI: the JSONL offsets point into the text as decoded."""
    data = text.encode("utf-8")
    res = CliRunner().invoke(cli, ["check", "-", "--no-lm", "--format", "jsonl", "--fail-on", "never"], input=data)
    if res.exit_code == 2:  # the reader refused it (looks binary, ...): a clean refusal is fine
        assert "mtqa: error:" in res.output
        return
    assert res.exit_code == 0, res.output
    decoded = text[1:] if text.startswith("\ufeff") else text
    for line in res.stdout.splitlines():
        rec = json.loads(line)
        assert decoded[rec["start"]:rec["end"]] == rec["text"]
