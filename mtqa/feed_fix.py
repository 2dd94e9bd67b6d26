"""`mtqa fix` on a feed (RSS/Atom, ninjs, NewsML-G2): corrected items written back into the same
file, with nothing else in it touched.

A finding's offsets point into the item's extracted text (headline, blank line, body), not into
the file, where the same words may be escaped for XML or JSON, or sit inside HTML. So each fix is
placed in the file by content: the flagged text, encoded the ways the file can hold it (as is,
XML-escaped, XML-escaped twice for HTML inside an element, JSON-escaped), with just enough of its
own field's text on either side to occur exactly once in the file. A fix that cannot be placed
that way (its text spans two paragraphs or inline markup, say) is skipped and reported, never
guessed. Everything outside the replaced strings stays byte for byte as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.sax.saxutils import escape

from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.fixes import deletion_extent

_CONTEXT = (0, 4, 8, 16, 32, 64)


# How a field's text can stand in the file: as is, XML-escaped (with or without quotes), escaped
# twice (HTML inside an XML element), or as a JSON string (with or without \u escapes).
ENCODINGS = (
    lambda x: x,
    escape,
    lambda x: escape(x, {'"': "&quot;"}),
    lambda x: escape(escape(x)),
    lambda x: json.dumps(x, ensure_ascii=False)[1:-1],
    lambda x: json.dumps(x)[1:-1],
)


@dataclass(frozen=True)
class Placed:
    start: int  # in the file's text
    end: int
    replacement: str


def _field_bounds(doc: Document, start: int, end: int) -> tuple[int, int] | None:
    for _, fs, fe in doc.meta["item"].get("fields", ()):
        if fs <= start and end <= fe:
            return fs, fe
    return None


def place(raw: str, doc: Document, f: Finding) -> Placed | None:
    """Where in ``raw`` (the feed file's text) the fix of ``f`` goes, or None when it cannot be
    placed unambiguously."""
    text = doc.text
    start, end = (deletion_extent(text, f.start, f.end) if f.suggestions[0] == "" else (f.start, f.end))
    bounds = _field_bounds(doc, start, end)
    if bounds is None:
        return None
    fs, fe = bounds
    old, new = text[start:end], f.suggestions[0]
    seen: set[tuple[int, int]] = set()
    for k in _CONTEXT:
        for left_k, right_k in ((k, k), (k, 0), (0, k)):
            left = text[max(fs, start - left_k):start]
            right = text[end:min(fe, end + right_k)]
            if (len(left), len(right)) in seen:
                continue
            seen.add((len(left), len(right)))
            hits = []
            for enc in ENCODINGS:
                needle = enc(left + old + right)
                if not needle:
                    continue
                at = raw.find(needle)
                while at != -1:
                    hits.append((at, needle, enc))
                    at = raw.find(needle, at + 1)
            distinct = {(at, needle) for at, needle, _ in hits}
            if len(distinct) == 1:
                at, needle, enc = hits[0]
                return Placed(at, at + len(needle), enc(left + new + right))
            if not distinct and k == 0:
                return None  # the text itself is not in the file as such (markup inside it)
    return None


def fix_feed(raw: str, docs: list[Document], chosen: dict[str, list[Finding]]) -> tuple[str, list[Finding], list[Finding]]:
    """``raw`` with every fix that can be placed applied; (new text, applied, skipped)."""
    by_path = {d.path: d for d in docs}
    placed: list[tuple[Placed, Finding]] = []
    skipped: list[Finding] = []
    for path, findings in chosen.items():
        for f in findings:
            p = place(raw, by_path[path], f)
            if p is None or any(not (p.end <= q.start or p.start >= q.end) for q, _ in placed):
                skipped.append(f)
            else:
                placed.append((p, f))
    out, pos = [], 0
    for p, _ in sorted(placed, key=lambda pf: pf[0].start):
        out.append(raw[pos:p.start])
        out.append(p.replacement)
        pos = p.end
    out.append(raw[pos:])
    return "".join(out), [f for _, f in placed], skipped
