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


def test_sentence_words_taken_from_the_document_are_its_own_words():
    """MTQ111 takes a sentence's words from the document's (tokenised once) when no word crosses
    the sentence's edges: the shares are the same as tokenising the sentence alone."""
    from bisect import bisect_left
    from pathlib import Path

    from mtqa.document import Document
    from mtqa.text import document_words

    root = Path(__file__).resolve().parent.parent
    paths = sorted((root / "corpora/samples").iterdir()) + [root / "tests/fixtures/MTQ111.txt"]
    checked = 0
    for p in paths:
        doc = Document(p.name, p.read_text(encoding="utf-8") + " Mid-sentence end-of-file")
        dw = document_words(doc.text)
        starts = [s for s, _, _ in dw]
        for sent in doc.sentences:
            i, j = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
            if (i and dw[i - 1][1] > sent.start) or (j > i and dw[j - 1][1] > sent.end):
                continue
            chunk = doc.text[sent.start:sent.end]
            assert untranslated._common_share([w for _, _, w in dw[i:j]], "en") == untranslated.common_share(chunk, "en")
            checked += 1
    assert checked > 50


def test_running_shares_are_each_runs_common_share():
    """MTQ111 counts a sentence's common words from running counts over the document: the same
    share, lower-case words and words as counting the sentence's own words, for every run of
    words of real copy (sentence-initial capitals, all-capital words, foreign words)."""
    from pathlib import Path

    from mtqa.detectors.untranslated import _common_share, _RunningShares
    from mtqa.text import document_words

    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpora" / "samples").iterdir())]
    texts.append("Die Regierung hat am Dienstag neue Sanktionen angekündigt. THE END. Ok then")
    checked = 0
    for text in texts:
        all_words = [w for _, _, w in document_words(text)][:120]
        for lang in ("en", "de"):
            shares = _RunningShares(all_words, lang)
            for i in range(len(all_words)):
                for j in range(i, min(len(all_words), i + 30) + 1):
                    assert shares.between(i, j) == _common_share(all_words[i:j], lang), (all_words[i:j], lang)
                    checked += 1
    assert checked > 10_000
