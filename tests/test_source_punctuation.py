"""MTQ106: every mark the Unicode-property class takes gets a sane English replacement."""

from __future__ import annotations

import sys

from mtqa.detectors.source_punctuation import _MARK, english_mark
from mtqa.fixes import apply_fixes
from tests.helpers import findings_for

# Every code point the class takes (a middle dot needs letters around it, so it is not here).
MARKS = [chr(c) for c in range(sys.maxunicode + 1) if _MARK.fullmatch(chr(c))]


def test_the_class_covers_the_scripts_with_their_own_marks():
    for mark in "،؛؟।॥։՝።፣《》・‚„¿¡\u037e߸᠂᠃។။།":
        assert mark in MARKS, f"U+{ord(mark):04X}"
    for mark in ",.;:?!\"'“”‘’«»—–-…()[]":
        assert mark not in MARKS, f"U+{ord(mark):04X}"


def test_every_replacement_is_english_punctuation():
    allowed = set(",.;:?!%‰…-–“”‘’()[] ") | {""}
    for mark in MARKS:
        fix = english_mark(mark)
        assert fix is None or set(fix) <= allowed or fix.isascii(), f"U+{ord(mark):04X} -> {fix!r}"


def test_applying_the_fix_clears_the_finding():
    text = ("The Civil Defense said، in a statement, that 300 were rescued. Trains were disrupted। "
            "The ministry said՝ the two sides signed an agreement։ Flights resume next week።")
    found = findings_for(text, "MTQ106")
    assert len(found) == 5
    fixed = apply_fixes(text, found)
    assert fixed == ("The Civil Defense said, in a statement, that 300 were rescued. Trains were disrupted. "
                     "The ministry said, the two sides signed an agreement. Flights resume next week.")
    assert not findings_for(fixed, "MTQ106")
