"""Boilerplate (MTQ311) and metadata (MTQ312): line spans, glued seams, datelines left alone."""

from mtqa.detectors.boilerplate import glued_seam
from mtqa.fixes import apply_fixes
from tests.helpers import findings_for


def test_glued_seam_found_between_two_known_words():
    text = "Read More About: World NewsRussian forces broke into the plant."
    assert text[glued_seam(text, 16, len(text)) :].startswith("Russian forces")


def test_no_seam_inside_camel_case_names():
    text = "Follow our YouTube channel and the McDonald family on iPhone apps"
    assert glued_seam(text, 0, len(text)) is None


def test_boilerplate_span_stops_at_seam():
    (f,) = findings_for("Crimea.\n\nRead More About: World NewsRussian forces broke into the plant.", "MTQ311")
    assert f.text == "Read More About: World News" and f.suggestion == ""


def test_whole_line_with_break():
    text = "A.\n\nAlso Read: Russia pounds railroad stations\n\nB."
    (f,) = findings_for(text, "MTQ311")
    assert f.text == "Also Read: Russia pounds railroad stations"
    assert apply_fixes(text, [f]) == "A.\n\nB."


def test_date_stamp_glued_to_first_sentence():
    text = " date 2022-04-24 Ukraine's government said on Saturday."
    (f,) = findings_for(text, "MTQ312")
    assert f.text == "date 2022-04-24"
    assert apply_fixes(text, [f]) == "Ukraine's government said on Saturday."


def test_datelines_and_date_lines_are_legitimate():
    for text in (
        "KYIV, Ukraine (AP) — Russian forces shelled the plant.",
        "Friday, July 21, 2017\n\nA group of Afghan teenagers won a medal.",
        "By Tuesday, Russian forces had shelled the plant again.",
    ):
        assert findings_for(text, "MTQ312") == [], text


def test_headlines_under_a_label_alone_go_with_it():
    text = ("Tourists paid the fee.\n\nREAD ALSO\nVenice, the gondoliers protest against the new rules\n"
            "© REPRODUCTION RESERVED\n")
    found = findings_for(text, "MTQ311")
    assert [f.text for f in found] == ["READ ALSO", "Venice, the gondoliers protest against the new rules",
                                       "© REPRODUCTION RESERVED"]
    assert found[2].evidence["pattern"] == "copyright-notice"


def test_prose_under_a_label_alone_stays():
    text = "Tourists paid the fee.\n\nRelated\nThe mayor said the experiment worked beyond expectations.\n"
    assert [f.text for f in findings_for(text, "MTQ311")] == ["Related"]


def test_each_kind_of_furniture_lists_its_labels_in_fifteen_languages():
    """The inventories of issue 13: every kind of site furniture it names documents the labels
    sites print in at least 15 source languages."""
    from mtqa import corpora

    kinds = {
        "boilerplate.toml": ("related-link-label", "read-also-untranslated", "source-credit", "report-a-mistake",
                             "call-to-action", "newsletter-prompt", "cookie-consent", "photo-credit-line",
                             "copyright-notice", "share-buttons"),
        "metadata.toml": ("labelled-date-stamp", "timestamp-line", "staff-credit", "reading-time"),
    }
    for name, ids in kinds.items():
        entries = {e["id"]: e for e in corpora.entries(name)}
        for kind in ids:
            assert len(entries[kind].get("sources", {})) >= 15, f"{name}:{kind}"
