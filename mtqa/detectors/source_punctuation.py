"""Punctuation of the source language's script left in English copy (MTQ106).

Which marks count is decided by Unicode properties, not by a list: a punctuation character whose
Script_Extensions names a script (the Arabic comma, the Devanagari danda, the Armenian and Ethiopic
marks, Hebrew, Thai, Khmer, Tibetan, Mongolian, ...), the punctuation of the CJK Symbols and the
Halfwidth and Fullwidth Forms blocks, the Greek question mark, the Spanish inverted marks and the
single low-9 quotation mark. The English replacement comes from the mark's Unicode name (a "...
COMMA" becomes ",", a "... FULL STOP" or "DANDA" ".", ...) or, for full-width forms, from its
compatibility (NFKC) form. MTQ105 keeps the common full-width marks it has always reported, and
MTQ404 the guillemets and low-high double quotes; this rule skips those.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.encoding import _FULLWIDTH
from mtqa.detectors.tokens import zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

_MARK = regex.compile(
    r"[\p{P}--\p{scx=Zyyy}--\p{scx=Zinh}--[\u00b7]]"  # punctuation that belongs to a script
    r"|[\p{P}&&[\p{Block=CJK_Symbols_and_Punctuation}\p{Block=Halfwidth_and_Fullwidth_Forms}]]"
    r"|[\u037e\u00bf\u00a1\u201a\u201e]"  # Greek question mark, ¿ ¡, low-9 quotes
    r"|(?<=\p{L})(?<!l)\u00b7(?=\p{L})",  # a middle dot between two words (Korean, Chinese 'and'); not Catalan l·l
    regex.V1,
)
# A letter of a script other than Latin: a mark next to one is part of a foreign run (MTQ101's).
_FOREIGN_LETTER = regex.compile(r"[\p{L}--\p{scx=Latn}]", regex.V1)
# The Greek question mark is U+037E, but Greek keyboards mostly type the ASCII semicolon: a
# semicolon that closes a clause opening with a question word, before a capital or the line end.
_GREEK_QUESTION = regex.compile(
    r"(?:(?<=^|\n|[.!?]\s)|(?<=^|\n|[.!?]\s)[\"“‘'])(?:(?:Why|What|How|When|Where|Who|Whom|Whose|Which)\b"
    # an auxiliary opens a question only before its subject ("Do you", not the imperative "Do not")
    r"|(?:Is|Are|Was|Were|Do|Does|Did|Can|Could|Will|Would|Should|Shall|Has|Have|Had)[ \t]+"
    r"(?:I|you|we|they|he|she|it|the|this|that|these|those|there|any|anyone|\p{Lu}\p{Ll}+)\b)[^.!?;:\n]{3,200}(;)"
    r"(?=[ \t]*(?:\n|$)|[ \t]+[\"“]?\p{Lu}\p{Ll})",
    regex.V1,
)
# Name keywords and the English mark for them, tried in order.
_BY_NAME = (
    ("INVERTED", ""), ("QUESTION MARK", "?"), ("EXCLAMATION", "!"), ("FULL STOP", "."), ("DANDA", "."),
    ("SHAD", "."), ("KHAN", "."), ("SEMICOLON", ";"), ("COMMA", ","), ("COLON", ":"), ("PERCENT", "%"),
    ("DECIMAL SEPARATOR", "."), ("THOUSANDS SEPARATOR", ","), ("WAVE DASH", "–"), ("HYPHEN", "-"),
    ("MAQAF", "-"), ("WORDSPACE", " "), ("MIDDLE DOT", ", "), ("APOSTROPHE", "’"), ("GERESH", "’"),
    ("PER MILLE", "‰"), ("ELLIPSIS", "…"), ("LITTLE SECTION", ","), ("SIGN SECTION", "."),
    ("SOF PASUQ", "."), ("END OF", "."), ("ABBREVIATION", "."),
)


@lru_cache(maxsize=None)
def english_mark(mark: str) -> str | None:
    """The English punctuation that replaces ``mark``, or None when there is none to give."""
    name = unicodedata.name(mark, "")
    if name.startswith("ARMENIAN") and any(k in name for k in ("QUESTION", "EXCLAMATION", "EMPHASIS")):
        return ""  # written over the stressed vowel; English puts its mark at the clause end
    if "LOW-9" in name:
        return "“" if "DOUBLE" in name else "‘"
    cat = unicodedata.category(mark)
    if cat in ("Ps", "Pe", "Pi", "Pf"):
        opening = cat in ("Ps", "Pi")
        if any(k in name for k in ("CORNER", "ANGLE", "QUOTATION")):
            return "“" if opening else "”"
        if any(k in name for k in ("LENTICULAR", "SQUARE", "TORTOISE")):
            return "[" if opening else "]"
    for key, fix in _BY_NAME:
        if key in name:
            return fix
    compat = unicodedata.normalize("NFKC", mark)
    return compat if compat != mark and compat.isascii() else None


def _english_words_follow(text: str, end: int) -> bool:
    """Do the words after ``end`` read as English (each common in English) rather than Spanish?"""
    words = regex.findall(r"\p{L}+", text[end : end + 40])[:2]
    return bool(words) and all(zipf(w.lower()) >= 3.0 and zipf(w.lower(), "es") < zipf(w.lower()) for w in words)


@detector("MTQ106")
def source_script_punctuation(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds punctuation of another writing system left in English copy: the Arabic comma, semicolon
    and question mark (، ؛ ؟), the Devanagari danda (।), Armenian (։ ՝) and Ethiopic (። ፣) marks,
    the Greek question mark (also when typed as ";" after a question), Chinese book-title marks
    (《》), the Japanese middle dot (・) and Korean middle dot between words, Spanish inverted marks
    (¿ ¡) before English words, low-9 quotes („ ‚) that no English closing mark pairs (a pair
    „…“ is MTQ404's), and every other punctuation mark that
    Unicode assigns to a script. It proposes the English mark, with a space after it where a word
    follows. Marks next to letters of their own script are part of an untranslated run, which
    MTQ101 reports; the common full-width marks are MTQ105's and guillemets MTQ404's.

    Why is this bad:
    Machine translation keeps the source's punctuation when it cannot map it: "the Civil Defense
    said، adding", "the service was disrupted।". Readers see stray symbols, and tools that split
    sentences or clauses on English marks miss them.

    Example:
    "the Civil Defense said، in a statement" -> "the Civil Defense said, in a statement";
    "trains were disrupted।" -> "trains were disrupted."; "《Made in China 2025》" ->
    "“Made in China 2025”".
    """
    text = doc.text
    for m in _MARK.finditer(text):
        i, mark = m.start(), m.group()
        if mark in _FULLWIDTH:
            continue
        if mark == "„" and regex.match(r"[^\n„]*[“”]", text[i + 1 :]):
            continue  # closed by “ or ”: MTQ404 reports the pair
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if _FOREIGN_LETTER.match(before) or _FOREIGN_LETTER.match(after):
            continue
        if mark in "¿¡" and not _english_words_follow(text, i + 1):
            continue  # a Spanish quotation inside English copy keeps its marks
        fix = english_mark(mark)
        name = unicodedata.name(mark, f"U+{ord(mark):04X}").title()
        suggestions: tuple[str, ...] = ()
        if fix is not None:
            if fix in ".,;:!?" and fix and (after.isalnum() or after in "“\"‘("):
                fix += " "
            if fix in "“([" and fix and before.isalnum():
                fix = " " + fix
            suggestions = (fix, " and ") if fix == ", " and "MIDDLE DOT" in name.upper() else (fix,)
        yield make_finding(doc, "MTQ106", i, i + 1,
                           f"Source-language punctuation '{mark}' ({name}) in English copy",
                           suggestions=suggestions, evidence={"mark": f"U+{ord(mark):04X}"})
    for m in _GREEK_QUESTION.finditer(text):
        after = text[m.end(1)] if m.end(1) < len(text) else " "
        fix = "?" + (" " if after.isalnum() else "")
        yield make_finding(doc, "MTQ106", m.start(1), m.end(1),
                           "A semicolon closing a question: the Greek question mark, in English '?'",
                           suggestions=(fix,), evidence={"mark": "U+003B"})
