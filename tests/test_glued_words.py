"""Unit tests for the glued-words detector (MTQ211)."""

from __future__ import annotations

import pytest

from mtqa.detectors.glued_words import best_split, inflected_word, likely_typo
from mtqa.registry import documentation
from tests.helpers import findings_for


@pytest.mark.parametrize("word,parts", [
    ("thearea", ("the", "area")), ("inthe", ("in", "the")), ("ofthe", ("of", "the")),
    ("tothe", ("to", "the")), ("andthe", ("and", "the")), ("saidthat", ("said", "that")),
    ("inthearea", ("in", "the", "area")),
])
def test_glued_words_split(word, parts):
    found = best_split(word)
    assert found is not None and found[0] == parts


@pytest.mark.parametrize("word", [
    "therapist", "notable", "together", "nowhere", "everyday", "workforce", "cannot", "togas",
    "forgoing", "canto", "whereof", "beteen", "area", "zelensky",
])
def test_real_words_and_typos_are_not_split(word):
    assert best_split(word) is None


def test_typo_and_inflection_guards():
    assert likely_typo("beteen", ("be", "teen"))
    assert not likely_typo("thearea", ("the", "area"))
    assert inflected_word("togas") and inflected_word("forgoing")
    assert not inflected_word("thearea")


def test_seed_artifact():
    text = "They came out of the basements and took fire positions in thearea and in factory buildings."
    (f,) = findings_for(text, "MTQ211")
    assert (f.text, f.suggestions) == ("thearea", ("the area",))


def test_capitalised_only_at_sentence_start():
    assert [f.suggestions for f in findings_for("“Inthe morning it resumed,” he said.", "MTQ211")] == [("In the",)]
    assert findings_for("Witnesses told Inthe Post it resumed.", "MTQ211") == []


def test_word_used_twice_is_a_term():
    assert findings_for("Download thearea today. Users love thearea.", "MTQ211") == []


def test_docs_have_the_three_headings():
    doc = documentation("MTQ211")
    assert "What it does:" in doc and "Why is this bad:" in doc and "Example:" in doc


def test_doubled_word_is_written_once_first():
    (f,) = findings_for("The plant restored powerpower to the city.", "MTQ211")
    assert f.suggestions == ("power", "power power")
