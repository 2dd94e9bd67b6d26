"""The MT-confusion engine (MTQ201): case and inflection of suggestions, multi-word spans, cues."""

import tomllib

from mtqa.config import CORPORA_DIR
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


# ---- broad proposals (model on) and their inflections -------------------------------------

from mtqa.config import Config  # noqa: E402
from mtqa.detectors.confusion import BROAD_PRIOR_LOG_ODDS, find_confusions, inflections  # noqa: E402
from mtqa.document import Document  # noqa: E402
from mtqa.scoring import calibration  # noqa: E402


def broad_findings(text: str):
    doc = Document("example.txt", text)
    return [(doc.text[s:e], suggs, ev) for _, s, e, suggs, ev in find_confusions(doc, lexicon(), broad=True)
            if ev["proposal"] == "broad"]


def test_inflections_pair_each_form_with_the_same_form_of_the_target():
    assert inflections("eviction", ("evacuation",)) == {"eviction": ("evacuation",), "evictions": ("evacuations",)}
    forms = inflections("liquidate", ("kill",))
    assert forms["liquidated"] == ("killed",) and forms["liquidating"] == ("killing",)
    # a phrase inflects its head: a verb's first word, a noun's last
    assert inflections("realize", ("carry out",))["realized"] == ("carried out",)
    assert inflections("polygon", ("training ground",))["polygons"] == ("training grounds",)
    # a word lemminflect does not know, or not in its base form, stays as given
    assert inflections("demission", ("resignation",)) == {"demission": ("resignation",)}
    assert inflections("effectives", ("troops",)) == {"effectives": ("troops",)}


def test_broad_proposal_needs_no_cue_and_is_found_between_any_words():
    # no war cue, an adjective in between: the narrow pattern misses, the broad proposal does not
    text = "Residents waited all night for the long-delayed evictions to begin."
    assert findings_for(text, "MTQ201") == []
    ((span, suggs, ev),) = broad_findings(text)
    assert span == "evictions" and suggs[0] == "evacuations"
    assert ev["prior_log_odds"] == BROAD_PRIOR_LOG_ODDS < 0


def test_broad_proposals_keep_case_and_skip_names_and_blockers():
    ((span, suggs, _),) = broad_findings("Eviction resumed at dawn, officials said.")
    assert span == "Eviction" and suggs[0] == "Evacuation"
    assert broad_findings("Workers at the Fabric went on strike.") == []  # a name mid-sentence
    assert broad_findings("The landlord's eviction notice came on Monday.") == []  # a blocker


def test_without_the_model_only_the_narrow_patterns_fire():
    assert findings_for("Residents waited all night for the long-delayed evictions to begin.", "MTQ201") == []
    assert Config(use_lm=False).use_lm is False


def test_a_prior_lowers_the_score_of_the_same_margin():
    sec = {"a": 1.0, "b": 0.5}
    plain = calibration.margin_score(1.0, sec)
    assert calibration.margin_score(1.0, sec, prior_log_odds=-3.5) == calibration.sigmoid(1.0 + 0.5 - 3.5) < plain


def test_calque_lexicon_is_large_and_covers_three_families():
    entries = lexicon("calques")
    assert len(entries) >= 60
    sources = {s for e in entries for s in e.source}
    assert {"es", "fr", "it", "pt"} <= sources and {"de", "nl", "sv"} <= sources and {"ru", "uk", "pl"} <= sources
    assert all(not e.broad for e in entries)  # calques are phrases: narrow patterns only


def test_calque_is_its_own_code_and_leaves_good_english_alone():
    (f,) = findings_for("The outcome will depend of the weather.", "MTQ202")
    assert f.text == "of" and f.suggestion == "on" and f.category == "confusion"
    assert findings_for("The cabinet will take a decision on Friday.", "MTQ202") == []
    assert findings_for("The outcome will depend of the weather.", "MTQ201") == []


def test_broad_blockers_keep_collocations_the_model_gets_wrong():
    assert broad_findings("He remains the actual controller of the group.") == []
    assert broad_findings("The formation carried out joint patrols.") == []
    ((span, suggs, _),) = broad_findings("Critics say its actual leader has failed the country.")
    assert span == "actual" and suggs[0] == "current"


def test_needles_never_skip_a_pattern_that_matches():
    """The literal-start prefilter of find_confusions is only a shortcut: on every example of both
    lexicons (and their upper- and title-case forms, and a ligature), any pattern that matches has
    its needles in the case-folded text."""
    from mtqa.detectors.confusion import _literal_prefix, _top_alternatives

    assert _top_alternatives(r"a|(?:b|c)|[|x]|d\|e") == ["a", "(?:b|c)", "[|x]", r"d\|e"]
    assert [_literal_prefix(a) for a in ("frames?", "organi[sz]ed", r"\d+", "Drug\\s+x", "a+")] == [
        "frame", "organi", "", "drug", "a"]
    checked = 0
    for directory in ("confusions", "calques"):
        entries = lexicon(directory)
        texts = [ex["text"].replace("⟦", "").replace("⟧", "") if isinstance(ex, dict) else ex
                 for path in (CORPORA_DIR / directory).glob("*.toml")
                 for e in tomllib.loads(path.read_text(encoding="utf-8"))["entry"]
                 for ex in e.get("incorrect", []) + e.get("correct", [])]
        texts += [t.upper() for t in texts] + [t.title() for t in texts] + ["They ﬁnd place here."]
        for conf in entries:
            for pat, needles in zip(conf.patterns, conf.needles):
                for text in texts:
                    if pat.search(text):
                        folded = text.casefold()
                        assert all(any(n in folded for n in alts) for alts in needles), (conf.id, text)
                        checked += 1
    assert checked > 200


def test_needles_found_in_one_pass_are_those_in_the_text():
    """The automaton finds exactly the needles that occur in a case-folded text, overlapping
    ones and those inside longer words included."""
    from mtqa.detectors.confusion import _index

    for directory in ("confusions", "calques"):
        entries = lexicon(directory)
        needles = {n for conf in entries for p in conf.needles for alts in p for n in alts}
        for text in _lexicon_texts(directory)[:300] + ["Theinthe atthe", ""]:
            folded = text.casefold()
            assert _index(entries).needles_in(folded) == {n for n in needles if n in folded}, text


def _lexicon_texts(directory: str) -> list[str]:
    texts = [ex["text"].replace("⟦", "").replace("⟧", "") if isinstance(ex, dict) else ex
             for path in (CORPORA_DIR / directory).glob("*.toml")
             for e in tomllib.loads(path.read_text(encoding="utf-8"))["entry"]
             for ex in e.get("incorrect", []) + e.get("correct", [])]
    return texts + [t.upper() for t in texts] + [t.title() for t in texts]


def test_scans_find_what_the_patterns_find():
    """find_confusions scans with each pattern less its word-start test and applies the test to
    each match, or tries it only where a needle of its first slot starts: the same matches as
    the pattern's own finditer either way, on every example, on the same text glued to letters,
    digits, apostrophes and hyphens (where the test drops a match and the scan goes on inside
    it), with a ligature and with a sharp s (which case folding makes two letters)."""
    from mtqa.detectors.confusion import _index, _matches

    compared = matched = by_starts = 0
    for directory in ("confusions", "calques"):
        entries = lexicon(directory)
        texts = _lexicon_texts(directory)
        glued = [" ".join(p + w for w in t.split(" ")) for t in texts[:80] for p in ("x", "7", "'", "-", "’")]
        for text in texts + glued + ["They ﬁnd place here.", "the-the the the", "Straße: they made a photo."]:
            folded = text.casefold()
            present = _index(entries).needles_in(folded)
            for conf in entries:
                for i, pat in enumerate(conf.patterns):
                    expected = [(m.span(), m.groupdict()) for m in pat.finditer(text)]
                    assert [(m.span(), m.groupdict()) for m in _matches(conf, i, text)] == expected, (conf.id, text)
                    got = _matches(conf, i, text, folded, present)
                    assert [(m.span(), m.groupdict()) for m in got] == expected, (conf.id, text)
                    compared += 1
                    matched += bool(expected)
                    by_starts += bool(expected) and len(folded) == len(text) and bool(conf.first_needles[i])
    assert matched > 200 and compared > matched and by_starts > 100
    # a match dropped inside a word overlaps the one that starts the next word
    from mtqa.detectors.confusion import _entry

    conf = _entry({"id": "t", "pattern": ["the", "the|cat"], "replace": {"cat": "dog"}}, "test")
    for folded, present in ((None, frozenset()), ("xthe the cat", frozenset({"the", "cat"}))):
        assert [m.span() for m in _matches(conf, 0, "xthe the cat", folded, present)] == [(5, 12)]
