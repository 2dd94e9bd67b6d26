"""LanguageTool's HTTP API (``/v2/check``, ``/v2/languages``), answered with mtqa's findings.

Editors and CMS plugins written for LanguageTool send ``text`` (or ``data``, LanguageTool's
annotated-text JSON) and ``language`` as form fields and read back ``matches``. LanguageTool is
written in Java, so its offsets and lengths count UTF-16 code units: a character outside the Basic
Multilingual Plane (an emoji, a rare CJK ideograph) counts two. mtqa's offsets count code points,
so every offset is converted here, and nowhere else.

Each mtqa code is one LanguageTool rule (``rule.id`` = ``MTQ201``); its category is mtqa's
category, and ``issueType`` the nearest ITS 2.0 localization-quality issue type, which
LanguageTool uses for the same purpose (clients colour matches by it).
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from mtqa import __version__
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import Finding

API_VERSION = 1
CONTEXT_CHARS = 40  # characters of context on each side, as LanguageTool's JSON serializer shows

# ITS 2.0 issue types (https://www.w3.org/TR/its20/#lqissue-typevalues), as LanguageTool uses them.
ISSUE_TYPES = {
    "script-intrusion": "characters",
    "untranslated": "untranslated",
    "confusion": "mistranslation",
    "markup-leak": "markup",
    "boilerplate-leak": "addition",
    "metadata-leak": "addition",
    "locale-convention": "locale-violation",
    "glued-word": "whitespace",
    "punctuation": "typographical",
    "name-variant": "inconsistency",
    "house-style": "style",
    "fluency": "grammar",
    "cross-copy": "inconsistency",
}

# English variants a LanguageTool client may ask for; mtqa checks English news of any variety.
LANGUAGES = [
    {"name": "English", "code": "en", "longCode": "en"},
    {"name": "English (US)", "code": "en", "longCode": "en-US"},
    {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
    {"name": "English (Australian)", "code": "en", "longCode": "en-AU"},
    {"name": "English (Canadian)", "code": "en", "longCode": "en-CA"},
    {"name": "English (New Zealand)", "code": "en", "longCode": "en-NZ"},
    {"name": "English (South African)", "code": "en", "longCode": "en-ZA"},
]
_BY_CODE = {lang["longCode"].lower(): lang for lang in LANGUAGES}


class Utf16Offsets:
    """Code-point offsets of one text to UTF-16 code units (Java ``String`` indices)."""

    def __init__(self, text: str):
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]

    def __call__(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._astral, offset)


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def language_for(code: str | None) -> dict:
    """The ``language`` object for a requested code; InputError for a language mtqa cannot check."""
    code = (code or "").strip()
    if not code:
        raise InputError("language", "missing: give language=en-US (or auto)")
    if code.lower() == "auto":
        return _BY_CODE["en"]
    lang = _BY_CODE.get(code.lower())
    if lang is None and code.lower().split("-")[0] == "en":
        lang = {"name": "English", "code": "en", "longCode": code}
    if lang is None:
        raise InputError("language", f"{code!r} is not supported: mtqa checks English copy only (en, en-US, en-GB, ...)")
    return lang


@dataclass
class AnnotatedText:
    """``data``'s annotated text: what mtqa checks (``plain``) and where each of its characters
    sits in the original (markup included), which is what LanguageTool's offsets point into."""

    plain: str
    original: str
    _orig_at: list[int]  # original offset of each plain character, plus one past the end

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        o_start = self._orig_at[start]
        o_end = self._orig_at[end - 1] + 1 if end > start else o_start
        return o_start, o_end


def parse_annotation(raw: str) -> AnnotatedText:
    """LanguageTool's ``data`` parameter: ``{"annotation": [{"text": ...}, {"markup": ...,
    "interpretAs": ...}, ...]}``. Markup counts toward offsets but is not checked; its
    ``interpretAs`` (say "\\n\\n" for ``<p>``) is checked in its place."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError("data", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    parts = data.get("annotation") if isinstance(data, dict) else None
    if not isinstance(parts, list):
        raise InputError("data", 'expected {"annotation": [{"text": ...}, {"markup": ...}, ...]}')
    plain: list[str] = []
    original: list[str] = []
    orig_at: list[int] = []
    pos = 0
    for part in parts:
        if not isinstance(part, dict) or not (isinstance(part.get("text"), str) or isinstance(part.get("markup"), str)):
            raise InputError("data", "each annotation part needs a string 'text' or 'markup'")
        if isinstance(part.get("text"), str):
            text = part["text"]
            plain.append(text)
            orig_at.extend(range(pos, pos + len(text)))
        else:
            text = part["markup"]
            interpret = part.get("interpretAs", "")
            if not isinstance(interpret, str):
                raise InputError("data", "interpretAs must be a string")
            plain.append(interpret)
            # Characters that stand in for markup point at the markup's start.
            orig_at.extend([pos] * len(interpret))
        original.append(text)
        pos += len(text)
    orig_at.append(pos)
    return AnnotatedText("".join(plain), "".join(original), orig_at)


def _context(text: str, start: int, end: int) -> dict:
    """LanguageTool's context: up to CONTEXT_CHARS either side, '...' where cut, line breaks as
    spaces, the offset and length of the match inside it (UTF-16)."""
    flat = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(flat), end + CONTEXT_CHARS)
    prefix = "..." if left > 0 else ""
    snippet = prefix + flat[left:right] + ("..." if right < len(flat) else "")
    return {"text": snippet, "offset": len(prefix) + utf16_len(flat[left:start]), "length": utf16_len(flat[start:end])}


def match(doc: Document, f: Finding, rule, to16: Utf16Offsets, annotated: AnnotatedText | None = None) -> dict:
    """One LanguageTool match for a finding in ``doc`` (whose text is what was checked)."""
    start, end = f.start, f.end
    if annotated is not None:
        start, end = annotated.to_original(f.start, f.end)
    sentence = doc.sentence_at(f.start)
    return {
        "message": f.message,
        "shortMessage": rule.summary if rule is not None else "",
        "replacements": [{"value": s} for s in f.suggestions],
        "offset": to16(start),
        "length": to16(end) - to16(start),
        "context": _context(doc.text, f.start, f.end),
        "sentence": doc.span_text(sentence).strip() if sentence is not None else f.text,
        "type": {"typeName": "Other"},
        "rule": {
            "id": f.code,
            "description": rule.summary if rule is not None else f.code,
            "issueType": ISSUE_TYPES.get(f.category, "uncategorized"),
            "category": {"id": f.category.upper().replace("-", "_"), "name": f.category.replace("-", " ").capitalize()},
        },
        "ignoreForIncompleteSentence": False,
        "contextForSureMatch": 0,
        # mtqa's own fields; LanguageTool clients ignore what they do not know.
        "mtqa": {"severity": f.severity, "score": None if f.score is None else round(f.score, 4)},
    }


def response(doc: Document, findings: list[Finding], language: dict, annotated: AnnotatedText | None = None,
             signature: str = "") -> dict:
    """The whole ``/v2/check`` answer, in the shape LanguageTool documents."""
    from mtqa.registry import RULES_BY_CODE

    to16 = Utf16Offsets(annotated.original if annotated is not None else doc.text)
    ranges = []
    for s in doc.sentences:
        a, b = (annotated.to_original(s.start, s.end) if annotated is not None else (s.start, s.end))
        ranges.append([to16(a), to16(b)])
    lang = {"name": language["name"], "code": language["longCode"]}
    return {
        "software": {"name": "mtqa", "version": __version__, "buildDate": "", "apiVersion": API_VERSION,
                     "premium": False, "premiumHint": "", "status": ""},
        "warnings": {"incompleteResults": False},
        "language": {**lang, "detectedLanguage": {**lang, "confidence": 1.0}},
        "matches": [match(doc, f, RULES_BY_CODE.get(f.code), to16, annotated) for f in findings],
        "sentenceRanges": ranges,
        "mtqa": {"signature": signature},  # how the matches were made (see mtqa.evaluation.signature)
    }
