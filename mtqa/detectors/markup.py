"""Page code left in the copy: CSS rules, ad and tracking scripts, HTML tags and entities
(MTQ301), and CSS values that machine translation turned into words (MTQ302).

The data lives in corpora/markup.toml (script signals, HTML tag names) and corpora/css.toml
(CSS properties, the values each accepts, and translated keywords).
"""

from __future__ import annotations

import bisect

import html
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import regex

from mtqa import corpora
from mtqa.detectors.base import Context, make_finding
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.fixes import line_bounds
from mtqa.segmentation import strip_span
from mtqa.registry import detector

# --- shared with the boilerplate detectors --------------------------------------------------------


# Findings name what leaked, without the white space at its edges; mtqa.fixes.deletion_extent
# takes the white space with it when the fix is applied.
content_span = strip_span


# --- CSS ------------------------------------------------------------------------------------------

_SELECTOR = (
    r"(?:@(?:media|supports|font-face|keyframes|-webkit-keyframes|page)\b[^{}\n]*"
    r"|[.#][A-Za-z_-][\w-]*(?:[ \t]*[,>+~]?[ \t]*[.#:]{0,2}[\w-]+(?:\([^(){}\n]*\))?|\[[^\]\n]*\])*"
    r"|(?:html|body|div|span|p|a|img|iframe|ul|li|table|video|figure|button|section|article|header|footer|nav|aside|h[1-6])"
    r"(?:[.#:][\w-]+)+(?:[ \t]*[,>+~]?[ \t]*[.#:]{0,2}[\w-]+)*)"
)
_DECL = r"[A-Za-z-][\w-]*[ \t]*:[ \t]*[^{};\n]+"
_BODY = r"\{[ \t\n]*(?:" + _DECL + r"[ \t\n]*(?:;[ \t\n]*|(?=\})))+\}"
_NESTED = r"\{[ \t\n]*(?:" + _SELECTOR + r"[ \t\n]*" + _BODY + r"[ \t\n]*)+\}"
CSS_RULE = regex.compile(r"(?:" + _SELECTOR + r")[ \t\n]*(?:" + _BODY + r"|" + _NESTED + r")")
# Declarations standing alone on a line: "display: none; text-align: center;"
CSS_DECL_LINE = regex.compile(r"^[ \t]*(?:" + _DECL + r"[ \t]*;[ \t]*)+(?:" + _DECL + r")?[ \t]*$", regex.M)
DECLARATION = regex.compile(r"(?<![\w-])([A-Za-z-][\w-]*)[ \t]*:[ \t]*([^{};\n]+?)[ \t]*(?=;|\}|$)", regex.M)

_GLOBAL_VALUES = {"inherit", "initial", "unset", "revert", "revert-layer"}
_TYPE_PATTERNS = {
    "length": regex.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:px|em|rem|ex|ch|vw|vh|vmin|vmax|cm|mm|in|pt|pc|q|fr)|0", regex.I),
    "percentage": regex.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)%"),
    "number": regex.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)"),
    "integer": regex.compile(r"[-+]?\d+"),
    "string": regex.compile(r"\"[^\"]*\"|'[^']*'"),
    "url": regex.compile(r"url\([^)]*\)", regex.I),
    "color": regex.compile(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", regex.I),
}
_FUNCTION = regex.compile(r"[a-z-]+\([^()]*(?:\([^()]*\)[^()]*)*\)", regex.I)
_VALUE_TOKEN = regex.compile(r"[a-z-]+\([^()]*(?:\([^()]*\)[^()]*)*\)|\"[^\"]*\"|'[^']*'|[^\s,/]+", regex.I)


@dataclass(frozen=True)
class CssTable:
    properties: dict[str, tuple[frozenset[str], tuple[str, ...]]]
    colors: frozenset[str]
    translated: dict[str, str]


@lru_cache(maxsize=1)
def css_table() -> CssTable:
    data = corpora.load("css.toml")
    props = {
        name.lower(): (frozenset(k.lower() for k in spec.get("keywords", ())), tuple(spec.get("types", ())))
        for name, spec in data["properties"].items()
    }
    return CssTable(props, frozenset(data["colors"]), {k.lower(): v for k, v in data["translated"].items()})


def _token_valid(token: str, keywords: frozenset[str], types: tuple[str, ...], table: CssTable) -> bool:
    low = token.lower()
    if low in keywords or low in _GLOBAL_VALUES or low == "!important":
        return True
    if _FUNCTION.fullmatch(token):  # var(), calc(), rgb(), url(), attr(), ...
        return True
    for t in types:
        if t == "color" and low in table.colors:
            return True
        pat = _TYPE_PATTERNS.get(t)
        if pat is not None and pat.fullmatch(token):
            return True
    return False


def bad_css_values(text: str, start: int, end: int) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, property, value) for each declaration in ``text[start:end]`` whose value its
    property does not accept."""
    table = css_table()
    for m in DECLARATION.finditer(text, start, end):
        prop = m.group(1).lower()
        if prop not in table.properties:
            continue
        keywords, types = table.properties[prop]
        value = m.group(2)
        bare = regex.sub(r"\s*!\s*important\s*$", "", value, flags=regex.I)
        if not all(_token_valid(t, keywords, types, table) for t in _VALUE_TOKEN.findall(bare)):
            yield m.start(2), m.start(2) + len(bare), prop, bare


# --- code intervals -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _markup_data() -> tuple[list[regex.Pattern], regex.Pattern]:
    data = corpora.load("markup.toml")
    signals = [regex.compile(p, regex.M) for p in data["js_signals"]]
    tags = "|".join(sorted(data["html_tags"], key=len, reverse=True))
    tag_re = regex.compile(
        r"<!--.*?-->|</?(?:" + tags + r")(?:\s+[\w:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>",
        regex.I | regex.S,
    )
    return signals, tag_re


_ENTITY = regex.compile(r"&(?:amp;)*(?:[a-z][a-z0-9]{1,7}|#\d{2,6}|#x[0-9a-f]{2,5});", regex.I)
_CODE_PUNCT = regex.compile(r"[;{}=]|\)\s*$")
_BRACKETS_ONLY = regex.compile(r"^[ \t]*[{}()\[\];,]+[ \t]*$", regex.M)


def _script_lines(text: str) -> Iterator[tuple[int, int]]:
    signals, _ = _markup_data()
    for m in regex.finditer(r"[^\n]+", text):
        line = m.group(0)
        if any(sig.search(line) for sig in signals) and _CODE_PUNCT.search(line):
            s, e = m.start(), m.end()
            while text[s] in " \t":
                s += 1
            yield s, e


def _entity_replacement(entity: str) -> str | None:
    """What an (over-escaped) entity stands for, or None if it is no entity."""
    decoded = entity
    for _ in range(4):
        nxt = html.unescape(decoded)
        if nxt == decoded:
            break
        decoded = nxt
    if decoded == entity:
        return None
    return decoded.replace("\u00a0", " ")


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for s, e, kind in sorted(spans):
        if out and s <= out[-1][1]:
            ps, pe, pk = out[-1]
            out[-1] = (ps, max(pe, e), pk)
        else:
            out.append((s, e, kind))
    return out


_KIND_MESSAGE = {
    "css": "CSS rule left in the copy",
    "script": "script (ad or tracking tag) left in the copy",
    "html": "HTML tag left in the copy",
}


@detector("MTQ301")
def code_leak(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds page code that a scraper left in the copy: CSS rules (".vjs-texttrack-settings
    {display: none;}", "@media ... {...}"), ad and tracking scripts ("googletag.cmd.push(...)",
    "(adsbygoogle = window.adsbygoogle || []).push({});", "window.dataLayer = ..."), HTML tags
    ("<p>", "</div>") and HTML entities ("&nbsp;", "&amp;quot;").

    Lines made only of code are reported as one span together with the line break after them, so
    deleting the span leaves clean paragraphs; code inside a line of prose is reported on its own.
    An entity is replaced by the character it stands for.

    Why is this bad:
    Readers see gibberish, and the copy shows it was scraped and machine-processed. Code that went
    through MT often comes out half translated (see MTQ302).

    Example:
    He accused Russian forces of preventing the evacuation.

    .vjs-texttrack-settings {display: nobody;}

    Use instead: delete the CSS line.
    """
    text = doc.text
    if not any(ch in text for ch in "{}<>&;"):
        return
    code = _code_spans(text)
    if not code and "&" not in text:
        return
    line_runs, inline = _line_runs(text, code)
    for rs, re_, kinds in line_runs:
        s, e = content_span(text, rs, re_)
        kind = "css" if "css" in kinds else ("script" if "script" in kinds else "html")
        yield make_finding(
            doc, "MTQ301", s, e, _KIND_MESSAGE[kind] + "; delete the line", suggestions=("",),
            evidence={"kinds": sorted(kinds)},
        )
    in_run = _covering([(rs, re_) for rs, re_, _ in line_runs])
    for s, e, kind in inline:
        if in_run(s):
            continue
        yield make_finding(doc, "MTQ301", s, e, _KIND_MESSAGE[kind], suggestions=("",), evidence={"kinds": [kind]})
    yield from _entities(doc, code)


def _code_spans(text: str) -> list[tuple[int, int, str]]:
    """Every stretch of CSS, script and HTML tags in ``text``, merged, with its kind."""
    _, tag_re = _markup_data()
    spans: list[tuple[int, int, str]] = []
    for m in CSS_RULE.finditer(text):
        spans.append((m.start(), m.end(), "css"))
    for m in CSS_DECL_LINE.finditer(text):
        table = css_table()
        props = [d.group(1).lower() for d in DECLARATION.finditer(text, m.start(), m.end())]
        if props and all(p in table.properties or p.startswith("-") for p in props):
            s = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            spans.append((s, m.end(), "css"))
    for s, e in _script_lines(text):
        spans.append((s, e, "script"))
    for m in tag_re.finditer(text):
        spans.append((m.start(), m.end(), "html"))
    return _merge(spans)


def _line_runs(text: str, code: list[tuple[int, int, str]]
               ) -> tuple[list[tuple[int, int, set[str]]], list[tuple[int, int, str]]]:
    """``code`` split into runs of whole lines (only code and white space between line starts),
    which are deleted with their line break, and code inside a line of prose."""
    line_runs: list[tuple[int, int, set[str]]] = []
    inline: list[tuple[int, int, str]] = []
    for s, e, kind in code:
        ls, _ = line_bounds(text, s)
        _, le = line_bounds(text, max(s, e - 1))
        if text[ls:s].strip() == "" and text[e:le].strip() == "":
            if line_runs and text[line_runs[-1][1] : ls].strip() == "":
                ps, _, kinds = line_runs[-1]
                line_runs[-1] = (ps, le, kinds | {kind})
            else:
                line_runs.append((ls, le, {kind}))
        else:
            inline.append((s, e, kind))
    # Lines of bare brackets ("});") next to code belong to it.
    for m in _BRACKETS_ONLY.finditer(text):
        for i, (rs, re_, kinds) in enumerate(line_runs):
            if text[re_ : m.start()].strip() == "" or text[m.end() : rs].strip() == "":
                line_runs[i] = (min(rs, m.start()), max(re_, m.end()), kinds)
                break
    return line_runs, inline


def _entities(doc: Document, code: list[tuple[int, int, str]]) -> Iterator[Finding]:
    """HTML entities outside code, each replaced by the character it stands for."""
    in_code = _covering([(s, e) for s, e, _ in code])
    for m in _ENTITY.finditer(doc.text):
        if in_code(m.start()):
            continue
        rep = _entity_replacement(m.group(0))
        if rep is None:
            continue
        yield make_finding(
            doc, "MTQ301", m.start(), m.end(), f"HTML entity left in the copy (stands for {rep!r})",
            suggestions=(rep,), severity="major", evidence={"kinds": ["entity"]},
        )


def _covering(spans: list[tuple[int, int]]):
    """A test "does some [start, end) in ``spans`` hold this offset?" in log time: a scan over all
    spans for each entity made copy full of both quadratic (minutes for a few megabytes)."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    starts = [s for s, _ in merged]

    def covered(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < merged[i][1]
    return covered


@detector("MTQ302")
def translated_css_value(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Inside CSS left in the copy (see MTQ301), finds declarations whose value the property does not
    accept, such as "display: nobody" (MT translated the keyword "none") or "color: network". The
    table of properties, their keywords and value types, and the words MT tends to put in place of
    a keyword, is corpora/css.toml. The suggestion restores the keyword where it is known; the
    whole rule should still be deleted (MTQ301).

    Why is this bad:
    A CSS keyword turned into an English word is proof that page code went through machine
    translation, and that the copy was scraped with it: the whole text deserves a closer look.

    Example:
    .vjs-texttrack-settings {display: nobody;}

    Use instead: delete the line (the value stood for "none").
    """
    text = doc.text
    if ":" not in text or ("{" not in text and ";" not in text):
        return
    regions = [(m.start(), m.end()) for m in CSS_RULE.finditer(text)]
    table = css_table()
    for m in CSS_DECL_LINE.finditer(text):
        props = [d.group(1).lower() for d in DECLARATION.finditer(text, m.start(), m.end())]
        if props and all(p in table.properties or p.startswith("-") for p in props):
            regions.append((m.start(), m.end()))
    seen: set[int] = set()
    for rs, re_ in regions:
        for s, e, prop, value in bad_css_values(text, rs, re_):
            if s in seen:
                continue
            seen.add(s)
            guess = table.translated.get(value.lower())
            hint = f" (MT turned {guess!r} into {value!r})" if guess else ""
            yield make_finding(
                doc, "MTQ302", s, e,
                f"{value!r} is no valid value of the CSS property {prop!r}{hint}; the rule is page code left in the copy",
                suggestions=(guess,) if guess else (),
                evidence={"property": prop, "value": value, "keyword": guess},
            )
