"""Punctuation artifacts: unbalanced or dangling quotation marks, doubled marks, and sentences run
together without a space.
"""

from __future__ import annotations

from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

# --- MTQ411 -------------------------------------------------------------------------------------

_DOUBLE_QUOTES = regex.compile(r'"+|[“”„]')
_HSPACE = " \t\u00a0\u202f\u2009"
_OPEN_BEFORE = set("([{—–-/") | set(_HSPACE)
_GLUE_BEFORE = regex.compile(r"[\p{L}\p{N}.,;:!?…)\]’']")
_WORD_AFTER = regex.compile(r"[\p{L}\p{N}‘'(\[…]")


def _quote_marks(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, mark, role) for each double quotation mark.

    role: 'open', 'close', 'dangling' (white space before it, nothing after it on the line),
    'closer-as-opener' (“ glued to the previous word, nothing after), 'opener-as-closer'
    (” before a word after white space), or 'stray' (a straight quote between spaces).
    Runs of straight quotes ('""', as left by CSV escaping) are skipped.
    """
    n = len(text)
    low_open = False  # a „ is open: in German-style „…“ the “ after a word closes it
    for m in _DOUBLE_QUOTES.finditer(text):
        s, e, mark = m.start(), m.end(), m.group(0)[0]
        if e - s > 1:
            continue  # '""': an escaping artifact, often standing for an apostrophe
        prev = text[s - 1] if s > 0 else "\n"
        nxt = text[e] if e < n else "\n"
        j = e
        while j < n and text[j] in _HSPACE:
            j += 1
        line_ends_after = j >= n or text[j] in "\r\n"
        space_before = prev in _HSPACE
        start_of_line = prev in "\r\n"
        if line_ends_after and space_before and mark != "„":
            role = "dangling"
        elif mark == "“" and _GLUE_BEFORE.match(prev) and (nxt.isspace() or nxt in ",.;:!?"):
            role = "close" if low_open else "closer-as-opener"
        elif mark == "”" and (space_before or start_of_line) and _WORD_AFTER.match(nxt):
            role = "opener-as-closer"
        elif mark in "“„":
            role = "open"
        elif mark == "”":
            role = "close"
        elif prev in _OPEN_BEFORE or start_of_line:
            role = "stray" if (nxt.isspace() and space_before) else "open"
        else:
            role = "close"
        if role == "open":
            low_open = mark == "„"
        elif role == "close":
            low_open = False
        yield s, e, mark, role


@detector("MTQ411")
def unbalanced_quotes(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds double quotation marks that do not pair up:

    - a dangling mark at the end of a paragraph after a space ('targeting them. “'), where the
      closing quote was written as an opening one and cut off from its word;
    - a curly quote pointing the wrong way (“ glued after a word, ” before a word);
    - a closing curly quote ” with no opening quote before it;
    - an opening curly quote “ still open at the end of its paragraph when the next paragraph
      does not go on with the quotation;
    - a straight quote standing alone between spaces.

    A straight quote " has no direction, and human copy often puts one where an apostrophe
    belongs (the Lakers" schedule), so a straight quote with no partner is only reported when it
    dangles or stands alone.

    Why is this bad:
    Machine translation and copy-paste between systems lose or flip quotation marks, so readers
    cannot tell where a quotation ends, and sometimes who is speaking.

    News style lets a quotation run over several paragraphs with no closing mark at the end of
    each and a new opening mark at the start of the next; that is not reported, nor is a
    quotation nested in another with double marks (“He called me “Lucky” and smiled”).

    Example:
    'and now he’s started targeting them. “' -> 'and now he’s started targeting them.”'
    """
    text = doc.text
    # depth of open quotations, at most 2: a quotation nested in another (bad style, but
    # common) or a new paragraph of a quotation in copy whose paragraph breaks were lost.
    depth = 0
    line_start = 0
    opened: tuple[int, str] | None = None  # where the open quotation began, and its mark
    for s, e, mark, role in _quote_marks(text):
        nl = text.rfind("\n", line_start, s)
        if nl != -1:
            if depth > 0 and opened is not None and opened[0] >= line_start:
                yield from _unclosed(doc, opened)
            line_start = nl + 1
            depth = min(depth, 1)
        is_open = depth > 0
        closer = "”" if mark in "“”" else '"'
        if role == "dangling":
            start = s
            while start > 0 and text[start - 1] in _HSPACE:
                start -= 1
            fixes = (closer,) if is_open else ("", closer)
            yield make_finding(doc, "MTQ411", start, e,
                               "A dangling quotation mark at the end of the paragraph, cut off from its word",
                               suggestions=fixes, evidence={"role": role, "open_before": is_open})
            depth = max(0, depth - 1)
        elif role == "closer-as-opener":
            yield make_finding(doc, "MTQ411", s, e, "An opening quotation mark where a closing one belongs",
                               suggestions=("”",), evidence={"role": role, "open_before": is_open})
            depth = max(0, depth - 1)
        elif role == "opener-as-closer":
            yield make_finding(doc, "MTQ411", s, e, "A closing quotation mark where an opening one belongs",
                               suggestions=("“",), evidence={"role": role, "open_before": is_open})
            depth = min(depth + 1, 2)
        elif role == "stray":
            yield make_finding(doc, "MTQ411", s, e, "A quotation mark standing alone between spaces",
                               evidence={"role": role, "open_before": is_open})
        elif role == "open":
            # a new paragraph of a quotation: at the start of a line, or after a sentence end in
            # copy whose paragraph breaks were lost ('he said. “This is ... “We are ...')
            continues = depth > 0 and (
                not text[line_start:s].strip() or _SENTENCE_END_BEFORE.search(text, line_start, s) is not None
            )
            if depth == 0 or continues:
                opened = (s, mark)
            depth = 1 if continues else min(depth + 1, 2)
        else:  # close
            if not is_open and mark == "”":
                yield make_finding(doc, "MTQ411", s, e, "A closing quotation mark with no opening one",
                                   evidence={"role": role, "open_before": is_open})
            depth = max(0, depth - 1)
    if depth > 0 and opened is not None and opened[0] >= line_start:
        yield from _unclosed(doc, opened)


_SENTENCE_END_BEFORE = regex.compile(r"[.!?…][”’\"]?[ \t\u00a0]+$")
_NEXT_LINE_OPENS = regex.compile(r"\s*[“\"„«]")


def _unclosed(doc: Document, opened: tuple[int, str]) -> Iterator[Finding]:
    """A curly quotation opened in a paragraph that ends with it open, when the next paragraph
    does not reopen it (the news convention for a quotation that goes on)."""
    pos, mark = opened
    if mark != "“":
        return  # straight quotes: too often left open in human copy to be worth a report
    eol = doc.text.find("\n", pos)
    if eol != -1 and _NEXT_LINE_OPENS.match(doc.text, eol):
        return
    yield make_finding(doc, "MTQ411", pos, pos + 1,
                       "An opening quotation mark that is never closed in its paragraph",
                       evidence={"role": "unclosed"})


# --- MTQ412 -------------------------------------------------------------------------------------

_DOUBLED = regex.compile(
    r"(?<![.])\.\.(?![./\d])"  # two full stops, but not an ellipsis or a path
    r"|,,+|;;+"
    r"|(?<![\p{L}\p{N}:])::(?!:)|(?<!:)::(?![\p{L}\p{N}:])"  # not C++ (std::vector) or IPv6
    r"|(?<![.] |\.)\. \.(?! \.)(?!\.)"  # ". ." but not ". . ."
    r"|(?<=\p{L}), ,(?= )"
)


@detector("MTQ412")
def doubled_punctuation(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a punctuation mark written twice: "said.." , "Mariupol,, the", ";;", "::", "war. .".

    Why is this bad:
    Doubled marks come from joining segments or from a source full stop kept next to the one
    the translation adds. They read as typos.

    Ellipses ("...", ". . ."), "../" paths, and "::" inside code or addresses are not reported;
    "!!" and "??" are left alone, as they are usually deliberate in quoted speech.

    Example:
    "the plant was hit again.." -> "the plant was hit again."
    """
    for m in _DOUBLED.finditer(doc.text):
        mark = m.group(0)[0]
        yield make_finding(doc, "MTQ412", m.start(), m.end(), f"{mark!r} written twice",
                           suggestions=(mark,), evidence={"marks": m.group(0)})


# --- MTQ413 -------------------------------------------------------------------------------------

# A sentence end glued to a capitalised word: "began.Watch", "area.The", "said.”The".
_RUN_ON = regex.compile(r"(?<=[\p{Ll}\p{N}%)\]])([.!?])([\"”’)]*)(\p{Lu}\p{Ll}+)")
_LEFT_WORD = regex.compile(r"[\p{L}\p{N}%)\]]+$")
_WEB_TOKEN = regex.compile(r"://|www\.|@|/|\\|#|_|\.(?:com|org|net|gov|edu|io)\b", regex.IGNORECASE)
_TLD_LIKE = frozenset("com org net gov edu info biz io co uk de fr ru ua br es it pl eu tv me ly".split())


@detector("MTQ413")
def missing_space_after_sentence(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds two sentences run together with no space after the full stop, question mark or
    exclamation mark: "since the war began.Watch Russian forces", "a safer area.The UN".

    Why is this bad:
    Joined segments (a caption glued to the text, a paragraph break lost in conversion) make the
    boundary invisible to readers and to any later tool that splits sentences.

    Web addresses ("Amazon.com", "www.Example.org"), e-mail addresses, file names, dotted
    abbreviations and initials ("U.S.", "J.R.R.") and decimals are not reported.

    Example:
    "taken to a safer area.The United Nations" -> "taken to a safer area. The United Nations"
    """
    text = doc.text
    for m in _RUN_ON.finditer(text):
        left = _LEFT_WORD.search(text, max(0, m.start() - 60), m.start())
        if left is None:
            continue
        start = left.start()
        if start > 0 and text[start - 1] in ".-":
            continue  # "e.g.The", "U.S.The", a dotted token
        if sum(ch.isalnum() for ch in left.group(0)) < 2:
            continue
        right_word = m.group(3)
        if right_word.lower() in _TLD_LIKE:
            continue
        # the whole non-space token around the junction: skip web-like tokens
        tok_s = start
        while tok_s > 0 and not text[tok_s - 1].isspace():
            tok_s -= 1
        tok_e = m.end()
        while tok_e < len(text) and not text[tok_e].isspace():
            tok_e += 1
        token = text[tok_s:tok_e]
        if _WEB_TOKEN.search(token) or regex.match(r"[.(]\p{L}", text[m.end() : m.end() + 2]):
            continue
        end = m.end()
        fix = text[start : m.start(3)] + " " + right_word
        yield make_finding(doc, "MTQ413", start, end,
                           f"No space after {m.group(1)!r}: two sentences run together",
                           suggestions=(fix,), evidence={"token": token})
