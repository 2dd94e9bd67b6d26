"""Names: one entity spelled two ways in a document (MTQ221), and spellings that the house style
replaces (MTQ222, data in corpora/house_style.toml or the file named by Config.house_style).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import regex

from mtqa import corpora
from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.tokens import words, zipf
from mtqa.document import Document
from mtqa.errors import ConfigError
from mtqa.finding import Finding
from mtqa.registry import detector

DEFAULT_HOUSE_STYLE = "house_style.toml"

# --- MTQ222 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StyleRule:
    wrong: tuple[str, ...]
    right: str
    unless_preceded_by: tuple[str, ...]
    unless_followed_by: tuple[str, ...]
    unless_in_document: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class HouseStyle:
    pattern: regex.Pattern | None
    by_form: dict  # lower-cased wrong form -> StyleRule
    rights: frozenset  # every preferred form

    def rule_for(self, form: str) -> StyleRule | None:
        return self.by_form.get(regex.sub(r"\s+", " ", form).lower())


def _resolve(path: str | None) -> Path | str:
    if path is None:
        return DEFAULT_HOUSE_STYLE
    p = Path(path).expanduser()
    return p if p.is_absolute() else p.resolve()


def _style_rule(source, n: int, e) -> StyleRule:
    """One [[entry]] of a house-style file, or a ConfigError saying what is wrong with it."""
    def strings(key: str, value) -> tuple[str, ...]:
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
            raise ConfigError(f"{source}: entry {n}: {key} must be a word or a list of words")
        return tuple(value)

    if not isinstance(e, dict) or not isinstance(e.get("right"), str) or "wrong" not in e:
        raise ConfigError(f"{source}: entry {n}: each [[entry]] needs wrong (words) and right (a word)")
    note = e.get("note", "")
    if not isinstance(note, str):
        raise ConfigError(f"{source}: entry {n}: note must be text")
    return StyleRule(
        wrong=strings("wrong", e["wrong"]),
        right=e["right"],
        unless_preceded_by=tuple(w.lower() for w in strings("unless_preceded_by", e.get("unless_preceded_by", []))),
        unless_followed_by=tuple(w.lower() for w in strings("unless_followed_by", e.get("unless_followed_by", []))),
        unless_in_document=strings("unless_in_document", e.get("unless_in_document", [])),
        note=note,
    )


@lru_cache(maxsize=8)
def house_style(path: str | None = None) -> HouseStyle:
    """The house-style table from ``path`` (default corpora/house_style.toml), compiled once."""
    by_form: dict[str, StyleRule] = {}
    source = _resolve(path)
    for n, e in enumerate(corpora.entries(source), 1):
        rule = _style_rule(source, n, e)
        for w in rule.wrong:
            by_form[w.lower()] = rule
    forms = sorted(by_form, key=len, reverse=True)
    alternatives = []
    for f in forms:
        original = next(w for r in by_form.values() for w in r.wrong if w.lower() == f)
        for variant in (original, original.upper()):
            alternatives.append(r"\s+".join(regex.escape(part) for part in variant.split()))
    pattern = (
        regex.compile(r"(?<![\p{L}\p{N}])(?:" + "|".join(alternatives) + r")(?![\p{L}\p{N}])")
        if alternatives else None
    )
    rights = frozenset(r.right for r in by_form.values())
    return HouseStyle(pattern, by_form, rights)


def _match_case(right: str, found: str) -> str:
    return right.upper() if found.isupper() and len(found) > 1 else right


def _previous_word(text: str, start: int) -> str:
    m = regex.search(r"([\p{L}\p{N}'’\-]+)[^\p{L}\p{N}\n]{0,3}$", text[max(0, start - 40) : start])
    return m.group(1).lower() if m else ""


@detector("MTQ222")
def house_style_spelling(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds spellings that the house style replaces, mostly place names transliterated from
    Russian or older names: "Kiev" -> "Kyiv", "Donbass" -> "Donbas", "Kharkov" -> "Kharkiv",
    "Bombay" -> "Mumbai". The defaults in corpora/house_style.toml follow AP style; point
    `house-style` in setup.cfg [mtqa] to your own TOML file to use yours.

    Why is this bad:
    Machine translation from Russian, Portuguese or Spanish copy brings back spellings that
    English-language agencies have dropped, and mixes them with the house forms.

    Fixed names are left alone: each entry lists the words before or after it that make an
    exception ("chicken Kiev", "Donbass Arena", "Bombay Stock Exchange", "Odessa, Texas").

    Example:
    "Kiev believes that the death toll is at least 20,000" ->
    "Kyiv believes that the death toll is at least 20,000".
    """
    style = house_style(ctx.config.house_style)
    if style.pattern is None:
        return
    text = doc.text
    for m in style.pattern.finditer(text):
        rule = style.rule_for(m.group(0))
        if rule is None:
            continue
        if rule.unless_preceded_by and _previous_word(text, m.start()) in rule.unless_preceded_by:
            continue
        after = text[m.end() : m.end() + 40].lower()
        if any(after.startswith(p) or after.lstrip().startswith(p.lstrip()) for p in rule.unless_followed_by):
            continue
        if any(regex.search(r"\b" + regex.escape(w) + r"\b", text) for w in rule.unless_in_document):
            continue
        fix = _match_case(rule.right, m.group(0))
        yield make_finding(doc, "MTQ222", m.start(), m.end(),
                           f"House style writes {fix!r}" + (f" ({rule.note})" if rule.note else ""),
                           suggestions=(fix,), evidence={"right": rule.right})


# --- MTQ221 -------------------------------------------------------------------------------------

_POSSESSIVE = regex.compile(r"['’]s?$")
# Endings that make a different word from the same stem (Sudan/Sudanese, Ukraine/Ukrainian,
# Maria/Mario): a pair that differs only by these is inflection or derivation, not a variant.
_SUFFIXES = frozenset(
    "  s es n an ans ian ians ean eans ese i is ish ic ics e a o ia ite ites ist ists ism er ers "
    "ns y ies al ov ova ev eva in ina sky ska".split(" ")
)
_MIN_LEN = 5
_MAX_ZIPF_VARIANT = 3.0  # a form as common as this is a name of its own (Austria, Johnston)
_MAX_ZIPF_DOMINANT = 5.0  # a capitalised word this common is an ordinary word at a sentence start


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


@lru_cache(maxsize=50_000)  # the same names come back in document after document
def _skeleton(word: str) -> str:
    """Consonants only, with the letters transliteration varies on folded: Azvastal ~ Azovstal."""
    w = word.lower().replace("j", "y").replace("ph", "f").replace("kh", "h").replace("w", "v")
    w = _VOWELS.sub("", w)
    return _DOUBLED.sub(r"\1", w)


_VOWELS = regex.compile(r"[aeiouy]")
_DOUBLED = regex.compile(r"(.)\1+")


def _derived(a: str, b: str) -> bool:
    """Do a and b differ only by a word-forming ending (Sudan/Sudanese, Maria/Mario)?"""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    ta, tb = a[p:], b[p:]
    if not ta or not tb:
        tail = ta or tb
        if len(tail) == 1 and p > 0 and tail == a[p - 1]:
            return False  # a doubled last letter (Zelensky/Zelenskyy) is a spelling variant
    if {ta, tb} <= {"i", "y", "iy", "ii", "yy"}:
        return False  # Kowalski/Kowalsky, Zelenskiy/Zelensky: transliteration, not derivation
    return p >= 4 and ta in _SUFFIXES and tb in _SUFFIXES


def _similar(a: str, b: str) -> bool:
    if a[0] != b[0]:
        return False
    n = min(len(a), len(b))
    limit = 1 if n < 7 else 2
    d = _edit_distance(a.lower(), b.lower(), limit)
    if d > limit:
        return False
    return _skeleton(a) == _skeleton(b)


def name_occurrences(doc: Document) -> dict[str, list[tuple[int, int]]]:
    """:func:`_name_occurrences` of the document, worked out once: MTQ221, MTQ601 and the grouping
    of stories all read them. Not to be changed by the reader."""
    occ = doc.derived.get("names")
    if occ is None:
        occ = doc.derived["names"] = _name_occurrences(doc.text)
    return occ


def _name_occurrences(text: str) -> dict[str, list[tuple[int, int]]]:
    """Capitalised words (possessives stripped, hyphenated parts split) and where they occur."""
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    # a word without a hyphen has only itself as a part (or less): it must be long and capitalised
    for s, e, w in [t for t in words(text) if "-" in t[2] or (len(t[2]) >= _MIN_LEN and t[2][0].isupper())]:
        m = _POSSESSIVE.search(w)
        if m:
            w, e = w[: m.start()], e - len(m.group(0))
        offset = s
        for part in w.split("-"):
            ps, pe = offset, offset + len(part)
            offset = pe + 1
            if len(part) >= _MIN_LEN and part[0].isupper() and not part.isupper() and "'" not in part and "’" not in part:
                out[part].append((ps, pe))
    return dict(out)  # a plain dict: a missing name read from it is an error, not a new entry


@detector("MTQ221")
def name_variant(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a name spelled two ways in one document ("Azovstal" and "Azvastal", "Zaporizhia" and
    "Zaporizhiya", "Astafiev" and "Astafeev") and reports each occurrence of the rarer form,
    suggesting the form the document uses most (on a tie: the house-style form, then the better
    known one, then the first one used).

    Why is this bad:
    Machine translation transliterates names afresh in every sentence, so one person or place
    appears under several spellings and readers wonder whether they are different.

    Two spellings count as one name when they start with the same letter, are at most one or two
    edits apart (two from seven letters) and differ only in vowels, y/j, kh/h, ph/f, w/v or doubled
    letters, the letters transliterations vary on. Established distinct names (Austria/Australia, Iran/Iraq, Johnson/Johnston: forms
    common in English), inflected and derived forms (Sudan/Sudanese, Ukraine/Ukrainian),
    possessives and plurals are not reported. Spellings the house style replaces are left to
    MTQ222.

    Example:
    "... under the Azvastal steelworks ... the Azovstal plant ... at Azovstal" ->
    "Azvastal" is reported, with "Azovstal" suggested.
    """
    occ = name_occurrences(doc)
    if len(occ) < 2:
        return
    style = house_style(ctx.config.house_style)
    lower_words = None
    # Only forms with the same initial and the same consonant skeleton can be variants
    # (_similar), so only those are compared: near linear in the distinct names, where all
    # pairs of one initial took seconds for a few thousand names. Within a bucket the pairs
    # come in the order of the whole list, so the same form is reported against the same one.
    buckets: dict[tuple[str, str], list[str]] = defaultdict(list)
    for form in occ:
        buckets[form[0], _skeleton(form)].append(form)
    reported: set[str] = set()
    for forms in buckets.values():
        if len(forms) < 2:
            continue
        for i, a in enumerate(forms):
            for b in forms[i + 1 :]:
                if abs(len(a) - len(b)) > 2 or not _similar(a, b) or _derived(a, b):
                    continue
                minor, major = _rank(a, b, occ, style)
                if minor in reported or zipf(minor) >= _MAX_ZIPF_VARIANT or zipf(major) >= _MAX_ZIPF_DOMINANT:
                    continue
                if style.rule_for(minor) is not None:
                    continue  # MTQ222 reports it with the house form
                if lower_words is None:
                    lower_words = {w for _, _, w in words(doc.text) if w.islower()}
                if major.lower() in lower_words or minor.lower() in lower_words:
                    continue  # an ordinary word that starts a sentence
                reported.add(minor)
                house = style.rule_for(major)
                fixes = (house.right, major) if house is not None else (major,)
                for s, e in occ[minor]:
                    yield make_finding(
                        doc, "MTQ221", s, e,
                        f"{minor!r} is spelled {major!r} elsewhere in this document ({len(occ[major])}x)"
                        + (f"; house style: {house.right!r}" if house is not None else ""),
                        suggestions=fixes,
                        evidence={"variant_of": major, "count": len(occ[minor]), "other_count": len(occ[major])},
                    )


def _rank(a: str, b: str, occ: dict, style: HouseStyle) -> tuple[str, str]:
    """(minority form, dominant form)."""
    def key(form: str) -> tuple:
        return (len(occ[form]), form in style.rights, zipf(form), -occ[form][0][0])

    return (a, b) if key(a) < key(b) else (b, a)
