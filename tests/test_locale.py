"""Locale conventions (MTQ401-406) beyond the corpora examples: seed artifacts, offsets that stay
exact, and documentation for `mtqa explain`."""

from __future__ import annotations

import pytest

from mtqa.registry import documentation
from tests.helpers import findings_for


def test_seed_currency_space(seeds_dir):
    text = (seeds_dir / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    found = findings_for(text, "MTQ402")
    assert [(f.text, f.suggestion) for f in found] == [("$ 375", "$375")]


def test_seed_weekday_day(seeds_dir):
    text = (seeds_dir / "004_defe518a12050a6b.txt").read_text(encoding="utf-8")
    found = findings_for(text, "MTQ403")
    assert [(f.text, f.suggestion) for f in found] == [(" (23)", "")]


def test_seed_space_before_full_stop(seeds_dir):
    text = (seeds_dir / "001_0cabadb315889dfe.txt").read_text(encoding="utf-8")
    assert [f.text for f in findings_for(text, "MTQ405")] == [" ."]


@pytest.mark.parametrize("code", ["MTQ401", "MTQ402", "MTQ403", "MTQ404", "MTQ405", "MTQ406"])
def test_clean_seeds_have_no_number_noise(seeds_dir, code):
    # the seed copies are full of "2,000", "10-week", "140 miles (230 kilometers)", "2014"
    text = (seeds_dir / "003_87ee7a4a6ba5af6a.txt").read_text(encoding="utf-8")
    assert findings_for(text, code) == []


def test_offsets_point_into_original_text():
    text = "Ünïcödé first. Prices rose 3,5 percent and « le mot » cost € 20 at 25º C ."
    for code in ("MTQ401", "MTQ402", "MTQ404", "MTQ405", "MTQ406"):
        for f in findings_for(text, code):
            assert text[f.start : f.end] == f.text


def test_suggestion_is_applied_cleanly():
    text = "He paid € 20 on Saturday (23) ."
    for code in ("MTQ402", "MTQ403", "MTQ405"):
        (f,) = findings_for(text, code)
        fixed = text[: f.start] + f.suggestion + text[f.end :]
        assert findings_for(fixed, code) == []


@pytest.mark.parametrize("code", ["MTQ401", "MTQ402", "MTQ403", "MTQ404", "MTQ405", "MTQ406"])
def test_documented(code):
    doc = documentation(code)
    for heading in ("What it does:", "Why is this bad:", "Example:"):
        assert heading in doc
