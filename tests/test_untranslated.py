"""Unit tests for the untranslated-sentence detector (MTQ111)."""

from __future__ import annotations

from mtqa.config import Config
from mtqa.detectors import untranslated
from mtqa.document import Document
from mtqa.pipeline import run
from mtqa.registry import documentation
from tests.helpers import findings_for

GERMAN = "Die Regierung hat am Dienstag neue Sanktionen gegen Russland angekündigt."


def test_common_share_separates_english_from_german():
    en, _, _ = untranslated.common_share("The government announced new sanctions against Russia on Tuesday.", "en")
    de, _, _ = untranslated.common_share(GERMAN, "en")
    assert en > 0.9 and de < 0.6


def test_english_sentences_never_reach_langdetect(monkeypatch):
    def boom(text):
        raise AssertionError(f"langdetect called on {text!r}")

    monkeypatch.setattr(untranslated, "detect_language", boom)
    text = ("Russian forces stormed a steel mill in Mariupol on Tuesday, Ukrainian guards said. "
            "Deputy Prime Minister Irina Vereshchuk said hundreds of civilians remained in the plant.")
    assert findings_for(text, "MTQ111") == []


def test_finding_is_the_whole_sentence_with_language_and_no_fix():
    text = "The talks ended. " + GERMAN + " Markets fell."
    (f,) = findings_for(text, "MTQ111")
    assert f.text == GERMAN and f.suggestions == () and f.severity == "major"
    assert f.evidence["language"] == "de"


def test_results_are_reproducible():
    text = "Prices rose. Secondo l'istituto, l'inflazione è salita al sette per cento nel mese di maggio."
    first = [(f.start, f.evidence["probability"]) for f in findings_for(text, "MTQ111")]
    again = [(f.start, f.evidence["probability"]) for f in findings_for(text, "MTQ111")]
    assert first == again and len(first) == 1


def test_configured_language_is_the_reference():
    doc = Document("x.txt", "Die Regierung hat am Dienstag neue Sanktionen angekündigt. The talks ended without any agreement today.")
    found = run([doc], Config(select=("MTQ111",), use_lm=False, language="de")).findings
    assert [f.text for f in found] == ["The talks ended without any agreement today."]


def test_docs_have_the_three_headings():
    doc = documentation("MTQ111")
    assert "What it does:" in doc and "Why is this bad:" in doc and "Example:" in doc
