"""Characters that the copy's journey broke or left behind: mojibake, invisible characters, and
the full-width punctuation of Chinese and Japanese sources."""

from __future__ import annotations

from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

# A token worth asking ftfy about: it holds what a UTF-8 multi-byte character becomes when read as
# Windows-1252 or Latin-1, a lead byte (Â to ô) followed by a continuation byte (\x80-\xbf, or
# the Windows-1252 character at that code: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ).
# Most text has none, so ftfy runs on few tokens.
_SUSPECT = regex.compile(r"\S*[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                         r"\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]\S*")


@detector("MTQ303")
def mojibake(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds words whose letters were garbled by a wrong character encoding ("cafÃ©",
    "â€œunacceptableâ€", "Ð¡Ð°Ð½ÐºÑ‚"): UTF-8 text decoded as Windows-1252 or Latin-1 somewhere
    between the source and the desk. ftfy (a well-kept library for exactly this) judges each
    suspect word and proposes the repair; where part of the damage cannot be undone (a byte was
    lost), the finding still stands and the suggestion repairs what it can.

    Why is this bad:
    Readers see garbage where a quotation mark, an accented letter or a whole word in another
    script should be. Feeds that pass copy through several systems do this often, and MT
    translates around it.

    Example:
    "the cafÃ© was hit" -> "the café was hit"; "donâ€™t" -> "don’t".
    """
    for m in _SUSPECT.finditer(doc.text):
        # ftfy is imported at the first suspect: most copy has none, and the import is slow
        import ftfy
        from ftfy.badness import is_bad

        token = m.group()
        if not is_bad(token):
            continue
        fixed = ftfy.fix_encoding(token)
        # A closing ” is UTF-8 E2 80 9D; Windows-1252 has no character for 9D, so it is often lost
        # and leaves "â€" behind, which ftfy cannot decode: that remnant at a word's end is ”.
        fixed = regex.sub(r"â€(?=[\s.,;:!?)]|$)", "”", fixed)
        yield make_finding(
            doc, "MTQ303", m.start(), m.end(),
            "Garbled characters (mojibake): text decoded with the wrong encoding"
            + ("" if fixed != token else "; ftfy cannot repair it, restore it from the source"),
            suggestions=(fixed,) if fixed != token else (),
        )


# Zero-width space, soft hyphen, word joiner, a byte-order mark after the start, and the
# left-to-right and right-to-left marks. Zero-width (non-)joiners are left alone: emoji and
# several scripts need them.
_INVISIBLE = regex.compile(r"[\u200b\u00ad\u2060\ufeff\u200e\u200f]+")


@detector("MTQ304")
def invisible_characters(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds invisible characters inside the copy: zero-width spaces, soft hyphens, word joiners,
    byte-order marks after the start of the text, and left-to-right or right-to-left marks.
    The fix deletes them. A byte-order mark at the very start of a file is not reported.

    Why is this bad:
    They come from web pages and content systems, not from the writer. A reader cannot see them,
    but search, spell checkers, word counts and the next system's line breaking can: "gov­ernor"
    with a soft hyphen does not match "governor".

    Example:
    "the gov⟦­⟧ernor said" (a soft hyphen) -> "the governor said".
    """
    for m in _INVISIBLE.finditer(doc.text):
        if m.start() == 0 and m.group() == "\ufeff":
            continue
        names = sorted({f"U+{ord(c):04X}" for c in m.group()})
        yield make_finding(doc, "MTQ304", m.start(), m.end(),
                           f"Invisible character ({', '.join(names)}) inside the copy; delete it",
                           suggestions=("",))


# Full-width and ideographic punctuation, as Chinese and Japanese text writes it, and the
# English mark that replaces each; a space follows the replacement when a word follows it.
_FULLWIDTH = {"，": ",", "。": ".", "、": ",", "：": ":", "；": ";", "！": "!", "？": "?",
              "（": "(", "）": ")", "「": "“", "」": "”", "『": "“", "』": "”", "【": "[", "】": "]"}
_SPACE_AFTER = set("，。、：；！？）」』】")
_FULLWIDTH_MARK = regex.compile("[" + "".join(_FULLWIDTH) + "]")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")


@detector("MTQ105")
def fullwidth_punctuation(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds the full-width punctuation of Chinese and Japanese text (，。、：；！？（）「」) in
    English copy and proposes the English mark, with a space after it where a word follows.
    Marks inside a run of Chinese or Japanese script are left to MTQ101, which reports the run.

    Why is this bad:
    Machine translation from Chinese or Japanese sometimes carries the source's punctuation
    over: "officials said，adding". It looks wrong, and the missing space after it glues two
    words together for every tool that splits text on spaces.

    Example:
    "officials said，adding that talks would go on。" -> "officials said, adding that talks
    would go on."
    """
    text = doc.text
    for m in _FULLWIDTH_MARK.finditer(text):
        i, mark = m.start(), m.group()
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if _CJK.match(before) or _CJK.match(after):
            continue
        fix = _FULLWIDTH[mark]
        if mark in _SPACE_AFTER and (after.isalnum() or after in "“\"‘("):
            fix += " "
        if mark in "（「『【" and before.isalnum():
            fix = " " + fix
        yield make_finding(doc, "MTQ105", i, i + 1,
                           f"Full-width punctuation '{mark}' from Chinese or Japanese text", suggestions=(fix,))
