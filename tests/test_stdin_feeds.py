"""Stdin named or sniffed, feed findings that say which item and field they are in, and `mtqa fix`
writing corrected feed items back with the rest of the file untouched."""

from __future__ import annotations

import json

from click.testing import CliRunner

from mtqa.cli import cli

KEYS = ["path", "start", "end", "line", "column", "text", "code", "category", "severity", "message",
        "suggestion", "score"]
NINJS = {"uri": "urn:wire:1", "headline": "Storm on Saturday (23)", "body_text": "Prices rose 3,5 percent."}
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire &amp; co</title>
<item><guid>a1</guid><link>https://example.org/a1</link><title>Storm hits coast on Saturday (23)</title>
<description>&lt;p&gt;Prices rose 3,5 percent &amp; more.&lt;/p&gt;&lt;p&gt;Later, prices rose 3,5 percent.&lt;/p&gt;</description></item>
<item><guid>a2</guid><title>Second item</title><description><![CDATA[<p>Rates fell 2,5 percent; costs rose 4,<b>5</b> percent.</p>]]></description></item>
</channel></rss>
"""
NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header/><itemSet>
<newsItem guid="urn:g2:1" standard="NewsML-G2" standardversion="2.29">
<contentMeta><headline>Vote count on Monday (25)</headline></contentMeta>
<contentSet><inlineXML contenttype="application/xhtml+xml">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>
<p>Turnout was 51,3 percent.</p></body></html>
</inlineXML></contentSet></newsItem></itemSet></newsMessage>
"""


def invoke(args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def records(r) -> list[dict]:
    return [json.loads(x) for x in r.stdout.splitlines()]


def test_ninjs_on_stdin_is_sniffed():
    r = invoke(["check", "-", "--no-lm", "--format", "jsonl", "--fail-on", "never"], input=json.dumps(NINJS))
    assert r.exit_code == 0, r.stderr
    recs = records(r)
    assert [x["path"] for x in recs] == ["-#1", "-#1"] and {x["code"] for x in recs} == {"MTQ401", "MTQ403"}
    assert all(x["item"]["id"] == "urn:wire:1" for x in recs)


def test_copy_starting_with_a_bracket_stays_text():
    r = invoke(["check", "-", "--no-lm", "--format", "jsonl", "--fail-on", "never"],
               input="[Photo] Prices rose 3,5 percent.\n")
    assert [x["path"] for x in records(r)] == ["-"]


def test_xml_on_stdin_is_sniffed():
    r = invoke(["check", "-", "--no-lm", "--format", "jsonl", "--fail-on", "never"], input=RSS)
    assert {x["path"] for x in records(r)} == {"-#1", "-#2"}


def test_stdin_filename_names_it_and_picks_the_reader():
    r = invoke(["check", "-", "--no-lm", "--format", "jsonl", "--fail-on", "never", "--stdin-filename", "desk/item.json"],
               input=json.dumps(NINJS))
    assert {x["path"] for x in records(r)} == {"desk/item.json#1"}
    # named as text, the JSON is text
    r = invoke(["check", "-", "--no-lm", "--format", "jsonl", "--fail-on", "never", "--stdin-filename", "a.txt"],
               input=json.dumps(NINJS))
    assert {x["path"] for x in records(r)} == {"a.txt"} and all("item" not in x for x in records(r))


def test_feed_findings_carry_item_and_field(tmp_path):
    feed = tmp_path / "wire.rss"
    feed.write_text(RSS, encoding="utf-8")
    recs = records(invoke(["check", feed, "--no-lm", "--format", "jsonl", "--fail-on", "never"]))
    first = [x for x in recs if x["path"].endswith("#1")]
    assert all(list(x)[:12] == KEYS and x["item"]["file"] == str(feed) and x["item"]["n"] == 1 for x in first)
    assert {(x["code"], x["item"]["field"]) for x in first} == {("MTQ403", "headline"), ("MTQ401", "body")}
    assert first[0]["item"]["id"] == "a1" and first[0]["item"]["link"] == "https://example.org/a1"
    text = invoke(["check", feed, "--no-lm", "--fail-on", "never"]).stdout
    assert "[item a1, headline]" in text and "[item a1, body]" in text and "[item a2, body]" in text
    # plain text keeps exactly the 12 keys
    plain = tmp_path / "a.txt"
    plain.write_text("Prices rose 3,5 percent.\n", encoding="utf-8")
    assert list(records(invoke(["check", plain, "--no-lm", "--format", "jsonl", "--fail-on", "never"]))[0]) == KEYS


def test_fix_rss_changes_only_item_text(tmp_path):
    feed = tmp_path / "wire.rss"
    feed.write_text(RSS, encoding="utf-8")
    out = tmp_path / "fixed.rss"
    r = invoke(["fix", feed, "--no-lm", "-o", out])
    assert r.exit_code == 0, r.stderr
    expected = (RSS.replace("Saturday (23)</title>", "Saturday</title>")
                .replace("3,5 percent &amp;", "3.5 percent &amp;").replace("rose 3,5 percent.&lt;", "rose 3.5 percent.&lt;")
                .replace("fell 2,5", "fell 2.5"))
    assert out.read_text(encoding="utf-8") == expected
    assert feed.read_text(encoding="utf-8") == RSS  # the input is never touched without --in-place
    # "4,<b>5</b>" is split by markup in the file: skipped and named, not guessed
    assert "skipped" in r.stderr and "wire.rss#2" in r.stderr and "MTQ401" in r.stderr
    assert "applied 4 fix(es) to 2 item(s)" in r.stderr
    left = records(invoke(["check", out, "--no-lm", "--format", "jsonl", "--fail-on", "never"]))
    assert [x["text"] for x in left] == ["4,5"]


def test_fix_ninjs_and_newsml_in_place(tmp_path):
    ninjs = tmp_path / "items.json"
    raw = json.dumps([NINJS, {"uri": "urn:wire:2", "headline": "Zürich", "body_text": "Fees rose 7,5 percent."}],
                     indent=2, ensure_ascii=True)
    ninjs.write_text(raw, encoding="utf-8")
    r = invoke(["fix", ninjs, "--no-lm", "--in-place"])
    assert r.exit_code == 0, r.stderr
    assert ninjs.read_text(encoding="utf-8") == raw.replace(" (23)", "").replace("3,5", "3.5").replace("7,5", "7.5")
    g2 = tmp_path / "g2.xml"
    g2.write_text(NEWSML, encoding="utf-8")
    r = invoke(["fix", g2, "--no-lm", "--in-place"])
    assert r.exit_code == 0, r.stderr
    assert g2.read_text(encoding="utf-8") == NEWSML.replace(" (25)", "").replace("51,3", "51.3")


def test_fix_feed_interactively_all_holds_across_items(tmp_path, monkeypatch):
    # CliRunner's stdin is no terminal, and fix -i refuses one (tests/test_fix.py checks that on a
    # real pseudo-terminal); here only the answers across items are the subject.
    monkeypatch.setattr("mtqa.cli._stdin_is_terminal", lambda: True)
    feed = tmp_path / "wire.rss"
    feed.write_text(RSS, encoding="utf-8")
    out = tmp_path / "fixed.rss"
    r = invoke(["fix", feed, "--no-lm", "-i", "-o", out, "--select", "MTQ401"], input="n\na\n")
    assert r.exit_code == 0, r.stderr
    fixed = out.read_text(encoding="utf-8")
    # the first fix refused, the rest (in this item and the next) accepted with 'a'
    assert "rose 3,5 percent &amp;" in fixed and "rose 3.5 percent.&lt;" in fixed and "fell 2.5" in fixed
    r = invoke(["fix", feed, "--no-lm", "-i", "-o", out, "--select", "MTQ401"], input="q\n")
    assert out.read_text(encoding="utf-8") == RSS and "applied 0 fix(es)" in r.stderr
