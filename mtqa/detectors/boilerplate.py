"""Site boilerplate ("Also Read:", "Follow us on ...") and metadata (date stamps, bylines) left in
the copy: MTQ311 and MTQ312.

Both are one engine over pattern files, corpora/boilerplate.toml and corpora/metadata.toml. Each
entry has a regular expression (``pattern``, matched without regard to case unless
``case_sensitive``) and says where it applies (``where``):

- ``line``: at the start of a line; the whole line is the artifact (a related-article link with
  its headline), unless the next story is glued to it ("Read More About: World NewsRussian forces
  ..."), in which case the span stops at the seam. ``max_words`` bounds the line.
- ``lead``: at the start of a line, and only the match is the artifact (" date 2022-04-24
  Ukraine's government said ..."); with ``require_rest`` it must be followed by text on the line.
- ``inline``: anywhere; only the match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import regex

from mtqa import corpora
from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.markup import content_span
from mtqa.fixes import line_bounds
from mtqa.detectors.tokens import zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

# Named sub-patterns that pattern files may use as {DATE}, {TIME}, ...
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
MACROS = {
    "ISODATE": r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    "NUMDATE": r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})",
    "TEXTDATE": (
        r"(?:" + _WEEKDAY + r",?\s+)?(?:" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
        r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+\d{4})"
    ),
    "TIME": (
        r"\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?"
        r"(?:\s*(?:GMT|UTC|IST|EST|EDT|CST|CDT|PST|PDT|CET|CEST|EET|EEST|MSK|BST|WIB|JST)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)?"
    ),
}
MACROS["DATE"] = "(?:" + MACROS["ISODATE"] + "|" + MACROS["NUMDATE"] + "|" + MACROS["TEXTDATE"] + ")"


@dataclass(frozen=True)
class Pattern:
    id: str
    regex: regex.Pattern
    where: str
    max_words: int
    require_rest: bool
    message: str


def _expand(pattern: str) -> str:
    for name, body in MACROS.items():
        pattern = pattern.replace("{" + name + "}", "(?:" + body + ")")
    return pattern


@lru_cache(maxsize=None)
def load_patterns(name: str) -> tuple[Pattern, ...]:
    out = []
    for entry in corpora.entries(name):
        flags = regex.V1 | regex.M if entry.get("case_sensitive") else regex.V1 | regex.M | regex.I
        where = entry.get("where", "line")
        if where not in ("line", "lead", "inline"):
            raise ValueError(f"{name}: entry {entry.get('id')}: where must be line, lead or inline")
        body = _expand(entry["pattern"])
        if where in ("line", "lead"):
            # at a line start, after white space or a list bullet
            body = r"(?<=^|\n)[ \t\u00a0]*(?:[-–—•*>»|]+[ \t]*)?(?:" + body + ")"
        out.append(
            Pattern(
                id=entry["id"],
                regex=regex.compile(body, flags),
                where=where,
                max_words=int(entry.get("max_words", 25)),
                require_rest=bool(entry.get("require_rest", False)),
                message=entry["message"],
            )
        )
    return tuple(out)


# A glued seam: a lower-case letter straight before an upper-case one ("NewsRussian"), or a full
# stop with no space after it ("News.Russian").
_CASE_SEAM = regex.compile(r"(?<=\p{Ll})(?=\p{Lu}\p{Ll})")
_STOP_SEAM = regex.compile(r"(?<=\p{L}{2}[.!?])(?=\p{Lu}\p{Ll})")


def glued_seam(text: str, start: int, end: int) -> int | None:
    """The first offset in ``text[start:end]`` where a second text is glued on without a space,
    followed by at least three more words; None if there is none.

    A case seam counts only when the glued token is not itself a word ("YouTube", "McDonald" and
    "iPhone" are) and both halves are.
    """
    for m in _CASE_SEAM.finditer(text, start, end):
        pos = m.start()
        ts = pos
        while ts > start and (text[ts - 1].isalpha() or text[ts - 1] in "'’-"):
            ts -= 1
        te = pos
        while te < end and (text[te].isalpha() or text[te] in "'’-"):
            te += 1
        left, right, whole = text[ts:pos], text[pos:te], text[ts:te]
        if len(left) < 2 or zipf(whole.lower()) > 0 or zipf(whole) > 0:
            continue
        if zipf(left.lower()) < 2.5 or zipf(right.lower()) < 2.5:
            continue
        if len(text[pos:end].split()) >= 3:
            return pos
    for m in _STOP_SEAM.finditer(text, start, end):
        if len(text[m.start() : end].split()) >= 3:
            return m.start()
    return None


def pattern_findings(doc: Document, code: str, patterns: tuple[Pattern, ...]) -> Iterator[Finding]:
    text = doc.text
    taken: list[tuple[int, int]] = []
    for pat in patterns:
        for m in pat.regex.finditer(text):
            if m.end() == m.start():
                continue
            ls, le = line_bounds(text, m.start())
            if pat.where == "line":
                seam = glued_seam(text, m.end(), le)
                stop = seam if seam is not None else le
                if len(text[ls:stop].split()) > pat.max_words:
                    continue
                s, e = content_span(text, ls, seam if seam is not None else le)
            elif pat.where == "lead":
                rest = text[m.end() : le]
                if pat.require_rest and not rest.strip():
                    continue
                s, e = content_span(text, ls, le if not rest.strip() else m.end())
            else:
                s, e = content_span(text, m.start(), m.end())
            if any(s < te and e > ts for ts, te in taken):
                continue
            taken.append((s, e))
            yield make_finding(doc, code, s, e, pat.message, suggestions=("",), evidence={"pattern": pat.id})


@detector("MTQ311")
def boilerplate(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds site boilerplate that a scraper kept in the copy: related-article links ("Also Read:",
    "Read More About:", "See also", "Related:"), their machine-translated forms ("Read also the",
    "Learn more:") and ones left in the source language ("Lee también", "Leia também", "Lire
    aussi", "Читайте также"), calls to action ("Follow us on ...", "Subscribe to ...", "Share this
    article", "Click here"), labels ("Watch:", "Advertisement") and photo credits ("(Photo: ...)").
    The patterns are data in corpora/boilerplate.toml.

    The whole line is reported with its line break, so deleting it leaves clean paragraphs. When
    the next story was glued to the boilerplate without a space ("Read More About: World
    NewsRussian forces ..."), the span stops at the seam.

    Why is this bad:
    Boilerplate is not part of the story; in syndicated copy it points to pages that do not exist
    at the new publisher, and a headline in the middle of the text confuses readers.

    Example:
    Also Read: Russia pounds railroad stations in Ukraine, targets Western weapon supply

    Use instead: delete the line.
    """
    yield from pattern_findings(doc, "MTQ311", load_patterns("boilerplate.toml"))


@detector("MTQ312")
def metadata(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds page metadata left in the copy: date stamps ("date 2022-04-24", "Posted on April 24,
    2022", "Last updated: 10:45 IST"), machine timestamps ("2022-04-24T10:45:00Z"), bylines on
    a line of their own ("By John Smith | Updated: ...") and reading times ("3 min read"). The
    patterns are data in corpora/metadata.toml.

    A dateline in news style ("KYIV, Ukraine (AP) —") and a date standing as its own line under
    a headline ("Friday, July 21, 2017") are part of the story and are not reported.

    Why is this bad:
    A stamp glued to the first sentence reads as part of it, and it shows the copy was scraped
    from a page rather than taken from the wire.

    Example:
     date 2022-04-24 Ukraine's government said on Saturday that Russian forces had again bombed
    the plant.

    Use instead: Ukraine's government said on Saturday that Russian forces had again bombed the
    plant.
    """
    yield from pattern_findings(doc, "MTQ312", load_patterns("metadata.toml"))
