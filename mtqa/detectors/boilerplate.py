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

from mtqa import corpora, startup
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
# The months of the Iranian solar calendar, as Persian sources date their stamps ("12 Azar 1403").
_SOLAR_MONTH = r"(?:farvardin|ordibehesht|khordad|tir|mordad|amordad|shahrivar|mehr|aban|azar|dey|bahman|esfand)"
MACROS = {
    "ISODATE": r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    "NUMDATE": r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./]\d{1,2}[./]\d{1,2}\.?",
    "TEXTDATE": (
        r"(?:" + _WEEKDAY + r",?\s+)?(?:" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
        r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:" + _MONTH + "|" + _SOLAR_MONTH + r"),?\s+\d{4})"
    ),
    # 10:45, 10.45, 14h37 (French, Portuguese), with a.m./p.m., "h" or "Uhr" after it and a zone.
    "TIME": (
        r"\d{1,2}(?:[:.]\d{2}|h\d{2})(?::\d{2})?(?:\s*[ap]\.?m\.?|\s*h\b|\s*hrs?\b|\s*uhr\b)?"
        r"(?:\s*(?-i:MSK|WIB|WITA|UTC|Z|[A-Z]{1,4}T)(?![\p{L}\p{N}])(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)?"
    ),
    # Pieces that only a stamp is made of: a month/day without a year ("8/28"), a weekday in
    # parentheses ("(Wed)"), "today"/"yesterday", and "38 minutes ago".
    "SHORTDATE": r"\d{1,2}/\d{1,2}(?![/\d])",
    "PAREN_WEEKDAY": r"\(" + _WEEKDAY + r"\)",
    "WEEKDAY": _WEEKDAY,
    "RELDAY": r"(?:today|yesterday|tonight)",
    "AGO": r"\d+\s*(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|h|days?)\.?\s+ago",
}
MACROS["DATE"] = "(?:" + MACROS["ISODATE"] + "|" + MACROS["NUMDATE"] + "|" + MACROS["TEXTDATE"] + ")"
# A separator after a label ("Related:", "Source =", "Tags |"), and nothing else left on the line.
MACROS["LABEL_END"] = r"[ \t\u00a0]*(?:[:：|»>=]|[-–—](?=[ \t]))"
MACROS["ALONE"] = r"[ \t\u00a0]*[:：.!]?[ \t\u00a0]*$"
MACROS["NETWORK"] = (
    r"(?:google[ \t]+news|telegram|whats[ \t]?app|facebook|twitter|x|instagram|youtube|tiktok|viber|signal"
    r"|threads|linkedin|vk|vkontakte|dzen|line|kakao(?:talk)?|weibo|wechat|bluesky|mastodon|pinterest"
    r"|snapchat|reddit|truth[ \t]+social)"
)


@dataclass(frozen=True)
class Pattern:
    id: str
    regex: regex.Pattern
    where: str
    max_words: int
    require_rest: bool
    message: str
    block: bool = False  # a label alone on its line heads a block: the short lines under it go too


def _expand(pattern: str) -> str:
    for name, body in MACROS.items():
        pattern = pattern.replace("{" + name + "}", "(?:" + body + ")")
    return pattern


def _alternation(phrases) -> str:
    """One group matching any of ``phrases`` (longest first), each matched literally except that a
    space matches any run of spaces or tabs and an apostrophe either apostrophe."""
    alts = []
    # longest first, ties in a fixed order: the same pattern text in every process (a set's
    # order changes with the hash seed), so its compiled program is found in the cache
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        alts.append(regex.escape(phrase.strip()).replace(r"\ ", r"[ \t\u00a0]+").replace("'", "['’]"))
    return "(?:" + "|".join(alts) + ")" if alts else "(?!)"


def _inventory(entry: dict) -> str:
    """The entry's pattern with its lists filled in: {PHRASES} (the English renderings), any
    other list such as ``agencies`` as {AGENCIES}, and {SOURCES} (the source labels themselves,
    when ``match_sources``)."""
    body = entry["pattern"]
    for key, value in entry.items():
        if isinstance(value, list) and key not in ("incorrect", "correct"):
            body = body.replace("{" + key.upper() + "}", _alternation(value))
    body = body.replace("{PHRASES}", _alternation(()))
    sources = [s for labels in entry.get("sources", {}).values() for s in labels]
    return body.replace("{SOURCES}", _alternation(sources if entry.get("match_sources") else ()))


@lru_cache(maxsize=None)
def load_patterns(name: str) -> tuple[Pattern, ...]:
    out = []
    for entry in corpora.entries(name):
        flags = regex.V1 | regex.M if entry.get("case_sensitive") else regex.V1 | regex.M | regex.I
        where = entry.get("where", "line")
        if where not in ("line", "lead", "inline"):
            raise ValueError(f"{name}: entry {entry.get('id')}: where must be line, lead or inline")
        body = _expand(_inventory(entry))
        if where in ("line", "lead"):
            # tried only at line starts (pattern_findings), after white space or a list bullet
            body = r"[ \t\u00a0]*(?:[-–—•*>»|]+[ \t]*)?(?:" + body + ")"
        out.append(
            Pattern(
                id=entry["id"],
                regex=startup.compile(body, flags),
                where=where,
                max_words=int(entry.get("max_words", 25)),
                require_rest=bool(entry.get("require_rest", False)),
                message=entry["message"],
                block=bool(entry.get("block", False)),
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


_NEWLINE = regex.compile(r"\n")
# A line under a label that is a linked headline or a list of tags: short, and not a sentence.
_BLOCK_LINE_WORDS = 15
_MAX_BLOCK_LINES = 5


def _block_lines(text: str, after: int) -> list[tuple[int, int]]:
    """The spans of the short, unpunctuated lines right under a label ending at ``after``
    (blank lines before the first are skipped), up to the first line that reads as prose."""
    out: list[tuple[int, int]] = []
    pos = after
    while len(out) < _MAX_BLOCK_LINES and pos < len(text):
        ls = pos + 1
        le = text.find("\n", ls)
        le = len(text) if le < 0 else le
        line = text[ls:le].strip()
        if not line:
            if out:
                break
            pos = le
            continue
        if len(line.split()) > _BLOCK_LINE_WORDS or line[-1] in ".!?:;\"”’)":
            break
        out.append(content_span(text, ls, le))
        pos = le
    return out


def pattern_findings(doc: Document, code: str, patterns: tuple[Pattern, ...]) -> Iterator[Finding]:
    text = doc.text
    taken: list[tuple[int, int]] = []
    found: list[Finding] = []
    heads: list[tuple[int, Pattern]] = []  # (end of line) of labels alone on their line
    # Line patterns are tried at each line start only: a few hundred tries a document instead of
    # one per character.
    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    for pat in patterns:
        if pat.where == "inline":
            matches = pat.regex.finditer(text)
        else:
            matches = (m for m in map(lambda pos: pat.regex.match(text, pos), line_starts) if m)
        for m in matches:
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
            found.append(make_finding(doc, code, s, e, pat.message, suggestions=("",), evidence={"pattern": pat.id}))
            if pat.block and not text[m.end() : le].strip():
                heads.append((le, pat))
    # The headlines or tags listed under a label alone on its line ("Read also:" / "Tags"), once
    # every other pattern has had its turn, so that a credit or copyright line below keeps its own.
    for le, pat in heads:
        for s, e in _block_lines(text, le):
            if any(s < te and e > ts for ts, te in taken):
                break
            taken.append((s, e))
            found.append(make_finding(doc, code, s, e, "linked headline or tag list under a '" + pat.id
                                      + "' label; delete the line", suggestions=("",),
                                      evidence={"pattern": pat.id + "/block"}))
    found.sort(key=lambda f: (f.start, f.end))
    yield from found


@detector("MTQ311")
def boilerplate(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds site boilerplate that a scraper kept in the copy, from an inventory of the furniture
    news pages carry: related-article links ("Also Read:", "On the same topic:", "To read also
    ..."), tag and topic lines, source and agency credits ("Source: dpa", "With information from
    EFE"), end-of-story markers ("End of message/"), report-a-mistake prompts ("Found a mistake?
    Select it and press Ctrl+Enter"), share/follow/subscribe and newsletter prompts, cookie
    notices, photo and video credits ("Photo: Reuters", "Frame: video ..."), copyright notices
    ("Unauthorized reproduction prohibited") and media labels ("Watch:", "Advertisement"). Each
    kind lists the labels sites print in some 30 languages and the English MT makes of them, and
    matches the untranslated labels too. The inventory is data in corpora/boilerplate.toml.

    Line patterns apply at the start of a line only, so prose that names a source ("Reuters
    reported that ...", "According to the agency, ...") is never reported.

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
    2022", "Publication: 03.10.2025 10:24 | Update: ...", "Input 2025.10.27 15:48"), lines of
    bare dates and times ("12:45 15.09.2025", "Yesterday, 17:05"), machine timestamps
    ("2022-04-24T10:45:00Z"), bylines and staff credits on a line of their own ("By John Smith |
    Updated: ...", "Responsible editor: Wang Lin", "Reporter Kim Min-ji kmj@yna.co.kr"), agency
    news codes ("News code: 6132045"), reading times and counters ("3 min read", "Views: 1,204").
    The stamp labels are an inventory of what sites print in many languages, as MT renders them;
    the patterns are data in corpora/metadata.toml.

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
