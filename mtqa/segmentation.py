"""Split text into paragraphs and sentences as (start, end) offsets, never copying or normalising.

Paragraphs are runs of non-blank lines. News copy keeps one paragraph per line more often than it
hard-wraps, so a line break also ends a sentence unless the line plainly runs on (it ends without
closing punctuation and the next line starts in lower case).

Sentences end at ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets after them)
before white space and a plausible sentence start. Known abbreviations ("Lt.", "Col.", "Gov.") and
initials ("U.S.", "J. R.") do not end a sentence when a name or lower-case word follows.
"""

from __future__ import annotations

import regex

# Titles and other abbreviations that are followed by a capitalised word mid-sentence.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof rev fr sr jr st mt ft messrs mme mlle
    gen lt col maj capt cpt cmdr adm sgt cpl pvt brig gov sen rep pres amb supt insp det
    no nos vol vols art fig op ed eds jan feb mar apr jun jul aug sep sept oct nov dec
    inc corp co ltd plc bros dept univ assn est approx vs v etc al cf ca e.g i.e
    """.split()
)

_CLOSERS = "\"'’”»)]}"
_OPENERS = "\"'‘“«([{"
# A sentence end: terminal punctuation, optional closers, then horizontal white space.
_END = regex.compile(r"(?:[.!?]+|…)[" + regex.escape(_CLOSERS) + r"]*(?=[ \t\u00a0\u2009\u202f]+)")
_NEXT_START = regex.compile(r"[ \t\u00a0\u2009\u202f]+([" + regex.escape(_OPENERS) + r"]*)(\p{Lu}|\p{Lo}|\p{N})")
# The word before a full stop: searched backwards from the stop (the run of letters and dots
# that ends there), where a forward search tried every position of the window before it.
_WORD_BEFORE = regex.compile(r"(?r)([\p{L}.]+)\.$")


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` narrowed to exclude the white space at the edges of ``text[start:end]``."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Runs of non-blank lines, trimmed of surrounding white space."""
    spans = (strip_span(text, m.start(), m.end()) for m in regex.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text))
    return [(s, e) for s, e in spans if s < e]


_INITIALS = regex.compile(r"(?:\p{Lu}\.)*\p{Lu}")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the '.' at ``dot`` the end of an abbreviation or an initial rather than a sentence?"""
    m = _WORD_BEFORE.search(text, 0 if dot < 40 else dot - 40, dot + 1)
    if not m:
        return False
    word = m.group(1)
    bare = word.rstrip(".").lower()
    if bare in ABBREVIATIONS:
        return True
    # Initials and dotted acronyms: "J.", "U.S.", "U.N."
    if _INITIALS.fullmatch(word):
        return True
    return False


def _line_ranges(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph at line breaks that end a line of prose."""
    out: list[tuple[int, int]] = []
    s = start
    i = text.find("\n", start, end)
    while i != -1:
        before = text[s:i].rstrip()
        after = text[i + 1 : end].lstrip()
        runs_on = bool(before) and before[-1] not in ".!?…:;" + _CLOSERS and after[:1].islower()
        if not runs_on:
            out.append((s, i))
            s = i + 1
        i = text.find("\n", i + 1, end)
    out.append((s, end))
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as trimmed (start, end) offsets."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for ls, le in _line_ranges(text, start, end):
        s = ls
        for m in _END.finditer(text, ls, le):
            nxt = _NEXT_START.match(text, m.end(), le)
            if not nxt:
                continue
            punct = m.group(0).rstrip(_CLOSERS)
            if punct == "." and _is_abbreviation(text, m.start() + len(punct) - 1):
                continue
            out.append((s, m.end()))
            s = nxt.start(1)
        out.append((s, le))
    spans = (strip_span(text, s, e) for s, e in out)
    return [(s, e) for s, e in spans if s < e]
