"""Segmentation keeps exact offsets and handles news typography."""

from __future__ import annotations

import pytest

from mtqa.document import Document


def sentences(text: str) -> list[str]:
    return [text[s.start:s.end] for s in Document("t", text).sentences]


def test_offsets_point_into_the_original():
    text = "  First one.  Second\u00a0one!\n\n“Third,” he said. Fourth?"
    doc = Document("t", text)
    for s in doc.sentences:
        assert text[s.start:s.end] == text[s.start:s.end].strip()
        assert 0 <= s.start < s.end <= len(text)
    assert sentences(text) == ["First one.", "Second\u00a0one!", "“Third,” he said.", "Fourth?"]


@pytest.mark.parametrize("text,expected", [
    ("Lt. Col. Denys Prokopenko spoke. He left.", ["Lt. Col. Denys Prokopenko spoke.", "He left."]),
    ("The U.S. ambassador spoke. Then he left.", ["The U.S. ambassador spoke.", "Then he left."]),
    ("Gov. Smith and Dr. Jones met J. R. Ewing. Nobody came.",
     ["Gov. Smith and Dr. Jones met J. R. Ewing.", "Nobody came."]),
    ("He said: “It is over.” She agreed.", ["He said: “It is over.”", "She agreed."]),
    ("It rose 3.5 percent. Shares fell.", ["It rose 3.5 percent.", "Shares fell."]),
    ("Prices rose\u00a0sharply. Markets\u00a0fell.", ["Prices rose\u00a0sharply.", "Markets\u00a0fell."]),
])
def test_sentence_boundaries(text, expected):
    assert sentences(text) == expected


def test_line_per_paragraph_and_hard_wrapped_lines():
    text = "One line here.\nAnother line here\nThis one wraps\nonto the next line."
    assert sentences(text) == ["One line here.", "Another line here", "This one wraps\nonto the next line."]


def test_paragraphs_split_on_blank_lines_only():
    text = "A.\nB.\n\n\nC."
    doc = Document("t", text)
    assert [text[p.start:p.end] for p in doc.paragraphs] == ["A.\nB.", "C."]


def test_line_col_and_sentence_at():
    text = "ab\ncd. Ef."
    doc = Document("t", text)
    assert doc.line_col(0) == (1, 1)
    assert doc.line_col(3) == (2, 1)
    assert doc.line_col(8) == (2, 6)
    s = doc.sentence_at(8)
    assert text[s.start:s.end] == "Ef."
