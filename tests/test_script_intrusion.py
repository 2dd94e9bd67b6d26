"""Unit tests for the script-intrusion detectors (MTQ101, MTQ102) beyond the corpora examples."""

from __future__ import annotations

from mtqa.detectors.script_intrusion import currency_candidates, main_script
from mtqa.registry import documentation
from tests.helpers import findings_for


def test_main_script_is_the_script_of_most_letters():
    assert main_script("Russian forces stormed the plant.") == "Latin"
    assert main_script("Российские войска штурмуют завод Azovstal.") == "Cyrillic"
    assert main_script("1234 — 5678") == "Latin"


def test_currency_ranking_follows_the_exchange_ratio():
    ids = [c["id"] for c in currency_candidates(300e6, 375e6, "$")]
    assert ids[:2] == ["GBP", "EUR"]
    assert [c["id"] for c in currency_candidates(1.5e12, 11e9, "$")][0] == "JPY"
    # The converted-to currency is never its own candidate, and an unknown mark gives none.
    assert "USD" not in [c["id"] for c in currency_candidates(100, 100, "US$")]
    assert currency_candidates(100, 125, "XYZ") == []


def test_seed_artifact_gets_pound_then_euro_and_fix_is_well_formed():
    text = "Johnson on Tuesday announced সাম 300 million ($ 375 million) in new military aid."
    (f,) = findings_for(text, "MTQ101")
    assert f.suggestions[:2] == ("£", "€")
    fixed = text[: f.start] + f.suggestions[0] + text[f.end :]
    assert "announced £300 million" in fixed


def test_deleting_a_stray_token_leaves_single_spaces():
    for text in ("Talks will resume ক্ষেত্র next week.", "Talks will resume next week ক্ষেত্র.",
                 "ক্ষেত্র Talks will resume next week."):
        (f,) = findings_for(text, "MTQ101")
        fixed = text[: f.start] + f.suggestions[0] + text[f.end :]
        assert "  " not in fixed and " ." not in fixed and not fixed.startswith(" "), fixed


def test_in_a_cyrillic_document_latin_brand_names_are_not_foreign():
    text = "Компания Apple заявила, что সাম продажи выросли."
    found = findings_for(text, "MTQ101")
    assert [f.text.strip() for f in found] == ["সাম"]


def test_mixed_word_offsets_point_into_the_original_text():
    text = "Kyiv — Russia's war in Ukrаine goes on.\nThe OSCE left."
    (f,) = findings_for(text, "MTQ102")
    assert text[f.start : f.end] == f.text == "Ukrаine"
    assert f.suggestions == ("Ukraine",)
    assert findings_for(text, "MTQ101") == []


def test_clean_english_and_ascii_give_nothing():
    text = "Ukraine's government said on Saturday (23) that Russian forces had again bombed the plant."
    assert findings_for(text, "MTQ101") == [] and findings_for(text, "MTQ102") == []


def test_docs_have_the_three_headings():
    for code in ("MTQ101", "MTQ102"):
        doc = documentation(code)
        assert "What it does:" in doc and "Why is this bad:" in doc and "Example:" in doc
