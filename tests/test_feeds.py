"""RSS/Atom, ninjs and NewsML-G2 items become one Document each; malformed input is exit 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.errors import InputError
from mtqa.readers import read_source

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire</title>
<item><guid>a1</guid><title>Storm hits coast</title>
<description>&lt;p&gt;The storm hit on Saturday (23).&lt;/p&gt;&lt;p&gt;Power was cut.&lt;/p&gt;</description></item>
<item><guid>a2</guid><title>Second item</title><description>Plain body text here.</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><title>Atom headline</title><updated>2024-01-01T00:00:00Z</updated>
<content type="html">&lt;p&gt;First paragraph.&lt;/p&gt;&lt;script&gt;var ad = 1;&lt;/script&gt;&lt;p&gt;Second paragraph.&lt;/p&gt;</content></entry>
</feed>"""

NINJS = {"uri": "urn:n1", "headline": "Ninjs headline", "body_html": "<p>One.</p><p>Two (23).</p>",
         "language": "en"}
NINJS2 = {"uri": "urn:n2", "headlines": [{"value": "Ninjs 2 headline"}],
          "bodies": [{"role": "main", "contenttype": "text/plain", "value": "Body in ninjs 2."}]}

NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><header/><itemSet>
<newsItem guid="urn:g2:1" standard="NewsML-G2" standardversion="2.29">
<contentMeta><headline>G2 headline</headline></contentMeta>
<contentSet><inlineXML contenttype="application/xhtml+xml">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>
<p>First G2 paragraph.</p><p>Second G2 paragraph.</p></body></html>
</inlineXML></contentSet></newsItem></itemSet></newsMessage>"""


def read(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return read_source(name, p, 10_000_000)


def test_rss_items(tmp_path):
    docs = read(tmp_path, "wire.rss", RSS)
    assert [d.path for d in docs] == ["wire.rss#1", "wire.rss#2"]
    assert docs[0].text == "Storm hits coast\n\nThe storm hit on Saturday (23).\n\nPower was cut."
    assert docs[0].meta["id"] == "a1"


def test_atom_drops_script_keeps_paragraphs(tmp_path):
    (doc,) = read(tmp_path, "wire.atom", ATOM)
    assert doc.text == "Atom headline\n\nFirst paragraph.\n\nSecond paragraph."


def test_ninjs_one_and_two(tmp_path):
    docs = read(tmp_path, "items.json", json.dumps([NINJS, NINJS2]))
    assert docs[0].text == "Ninjs headline\n\nOne.\n\nTwo (23)."
    assert docs[1].text == "Ninjs 2 headline\n\nBody in ninjs 2."


def test_newsml_g2(tmp_path):
    (doc,) = read(tmp_path, "item.xml", NEWSML)
    assert doc.text == "G2 headline\n\nFirst G2 paragraph.\n\nSecond G2 paragraph."
    assert doc.meta["guid"] == "urn:g2:1"


@pytest.mark.parametrize("name,content,reason", [
    ("bad.json", '{"headline": "x", ', "malformed JSON"),
    ("bad.xml", "<newsMessage xmlns='http://iptc.org/std/nar/2006-10-01/'><newsItem>", "malformed XML"),
    ("bad.rss", "<rss><channel><item><title>x</title>", "malformed feed"),
    ("odd.xml", "<?xml version='1.0'?><catalog><book/></catalog>", "neither RSS"),
    ("bomb.xml", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
                 '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><x>&b;</x></newsMessage>', "malformed XML"),
])
def test_malformed_inputs(tmp_path, name, content, reason):
    with pytest.raises(InputError, match=reason):
        read(tmp_path, name, content)


def test_cli_reports_item_paths_and_exit_2_on_malformed(tmp_path):
    (tmp_path / "wire.rss").write_text(RSS, encoding="utf-8")
    (tmp_path / "bad.json").write_text("[{", encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(tmp_path / "wire.rss"), str(tmp_path / "bad.json"), "--no-lm",
                                 "--format", "jsonl", "--select", "MTQ403", "--fail-on", "never"])
    assert r.exit_code == 2
    assert "malformed JSON" in r.output
    recs = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    assert recs and recs[0]["path"] == f"{tmp_path / 'wire.rss'}#1"


def test_html_comments_in_an_item_are_not_copy(tmp_path):
    # a note to the desk inside body_html used to be read as a paragraph of the item and checked
    item = {"uri": "urn:c", "headline": "Rates",
            "body_html": "<p>Rates held.</p><!-- desk: rose 3,5 percent? --><p>Prices rose 2.5 percent.</p>"}
    p = tmp_path / "c.json"
    p.write_text(json.dumps(item), encoding="utf-8")
    (doc,) = read_source(str(p), p, 10**6)
    assert doc.text == "Rates\n\nRates held.\n\nPrices rose 2.5 percent."
    r = CliRunner().invoke(cli, ["check", str(p), "--no-lm", "--select", "MTQ401"])
    assert r.exit_code == 0 and "3,5" not in r.output
