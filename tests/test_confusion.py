"""The MT-confusion engine (MTQ201): case and inflection of suggestions, multi-word spans, cues."""

from mtqa.detectors.confusion import lexicon, match_case
from tests.helpers import findings_for


def test_lexicon_is_large_and_covers_three_families():
    entries = lexicon()
    assert len(entries) >= 60
    sources = {s for e in entries for s in e.source}
    assert {"es", "pt", "fr", "it", "ro"} <= sources
    assert {"de", "nl", "sv"} <= sources
    assert {"ru", "uk", "pl", "cs"} <= sources


def test_match_case():
    assert match_case("Eviction", "evacuation", title_words=False) == "Evacuation"
    assert match_case("EVICTEES", "evacuees", title_words=False) == "EVACUEES"
    assert match_case("decade", "ten days", title_words=False) == "ten days"
    assert match_case("Chancellor", "foreign minister", title_words=True) == "Foreign Minister"


def test_sentence_initial_capital_and_plural():
    (f,) = findings_for("Evictions from the besieged town resumed after the ceasefire.", "MTQ201")
    assert f.text == "Evictions" and f.suggestions[0] == "Evacuations"


def test_multi_word_span():
    (f,) = findings_for("Militants used the ceasefire to reach the fire stations, the army said.", "MTQ201")
    assert f.text == "fire stations" and f.suggestion == "firing positions"


def test_verb_forms_offer_each_candidate():
    (f,) = findings_for("She had made a photo of the burning tank.", "MTQ201")
    assert f.text == "made" and f.suggestions == ("took", "taken")


def test_cue_needed_and_blocker_wins():
    assert findings_for("It was unclear whether a new eviction would take place.", "MTQ201") == []
    assert findings_for("Civilians feared the landlord's eviction would take place.", "MTQ201") == []
    assert len(findings_for("Civilians hid in bunkers; a new eviction would take place.", "MTQ201")) == 1


def test_cue_in_another_paragraph_does_not_count():
    text = "The shelling went on all night.\n\nIt was unclear whether a new eviction would take place."
    assert findings_for(text, "MTQ201") == []
