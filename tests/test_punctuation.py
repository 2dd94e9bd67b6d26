"""Punctuation (MTQ411-413) beyond the corpora examples: the seeds' dangling quotes, the news
convention for quotations over several paragraphs, and documentation."""

from __future__ import annotations

import pytest

from mtqa.registry import documentation
from tests.helpers import findings_for


def test_seed_dangling_quotes(seeds_dir):
    text = (seeds_dir / "001_0cabadb315889dfe.txt").read_text(encoding="utf-8")
    found = findings_for(text, "MTQ411")
    assert [(f.text, f.suggestion) for f in found] == [(" “", "”"), (" “", "”")]
    assert text[found[0].start - 5 : found[0].end] == "them. “"


def test_seed_dangling_quote_without_open_quotation(seeds_dir):
    text = (seeds_dir / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    (f,) = findings_for(text, "MTQ411")
    assert f.text == " “" and f.suggestions == ("", "”")


def test_multi_paragraph_quotation_is_fine():
    text = (
        "“We will rebuild,” she said. “It will take years, and it will cost billions.\n\n"
        "“But we will not leave our city.\n\n"
        "“Nobody will make us leave.”\n"
    )
    assert findings_for(text, "MTQ411") == []


def test_flattened_paragraphs_with_straight_quotes_are_fine():
    text = ('He said: "This is a horrific incident. "We are carrying out a number of enquiries. '
            '"Someone out there knows what happened."')
    assert findings_for(text, "MTQ411") == []


def test_seed_has_no_doubled_or_run_on(seeds_dir):
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert findings_for(text, "MTQ412") == []
        assert findings_for(text, "MTQ413") == []


def test_run_on_found_when_copies_are_joined(seeds_dir):
    # "since the war began." + "Watch Russian forces ...": two copies glued together
    a = (seeds_dir / "000_74b76634e9d87410.txt").read_text(encoding="utf-8").rstrip("\n")
    b = (seeds_dir / "001_0cabadb315889dfe.txt").read_text(encoding="utf-8")
    found = findings_for(a + b, "MTQ413")
    assert [(f.text, f.suggestion) for f in found] == [("began.Watch", "began. Watch")]


@pytest.mark.parametrize("code", ["MTQ411", "MTQ412", "MTQ413"])
def test_documented(code):
    doc = documentation(code)
    for heading in ("What it does:", "Why is this bad:", "Example:"):
        assert heading in doc


def test_nested_double_quotes_are_tolerated_but_a_lone_closer_is_not():
    nested = "“We nicknamed him “Lucky” and I think the name applies,” the officer said."
    assert findings_for(nested, "MTQ411") == []
    lone = "The team did an exceptional job,” said Hamilton. “We will be back.”"
    assert [f.text for f in findings_for(lone, "MTQ411")] == ["”"]


def test_quotation_continued_in_new_paragraph_does_not_hide_later_errors():
    text = "“First part.\n\n“Second part.”\n\nThe mayor left early,” the aide said."
    found = findings_for(text, "MTQ411")
    assert [(f.text, f.line) for f in found] == [("”", 5)]
