"""Across copies: one story syndicated several times, each copy translated on its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.names import _derived, _edit_distance, _similar, house_style, name_occurrences
from mtqa.detectors.tokens import zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector
from mtqa.stories import stories

_RARE = 3.0  # a name at most this common (wordfreq Zipf) identifies a story
_MIN_ALIGNED_CHRF = 35.0  # below this the two sentences are not taken as translations of one


@dataclass
class _Copy:
    doc: Document
    occ: dict[str, list[tuple[int, int]]]
    reference: bool


# Spellings that transliterations of one name vary on, folded to one form, in order (after
# anyascii has turned Ş, Ž, Ł... into ASCII): Shevchenko/Schewtschenko, Kharkiv/Harkiv,
# Zelenskiy/Zelensky/Zelenski, Romanov/Romanoff, Jurij/Yuriy, Lindqvist/Lindkvist,
# Aleksandr/Alexandr, Dzhanibek/Djanibek/Janibek, Ghulam/Gulam, Nicos/Nikos, Yevgeny/Evgeny,
# Abdallah/Abdalla.
_FOLDS = (
    (r"tsch|tch", "ch"), (r"dzh|dj", "j"), (r"sch", "sh"), (r"kh", "h"), (r"gh", "g"), (r"ph", "f"),
    (r"q", "k"), (r"x", "ks"), (r"(?<!s)c(?=[aou])", "k"), (r"w", "v"), (r"j", "y"), (r"^ye", "e"),
    (r"(?<=[aeiou])h$", ""),
    (r"ck", "k"), (r"(?<=[a-z])(?:iy|yy|yi|ij|ii|y)$", "i"), (r"(?<=[a-z])(?:off)$", "ov"),
    (r"(?<=[a-z])(?:eff)$", "ev"), (r"sh", "s"), (r"ch", "c"), (r"(.)\1+", r"\1"),
)


@lru_cache(maxsize=50_000)
def transliteration_key(name: str) -> str:
    """One key for the spellings transliteration gives one name (Şahin/Sahin/Shahin,
    Zelenskyy/Zelenskiy/Zelenski, Kharkiv/Harkiv, Romanov/Romanoff): ASCII by anyascii, lower
    case, the variable spellings folded, then the vowels after the first letter dropped."""
    from anyascii import anyascii

    w = anyascii(name).lower()
    w = _NOT_ASCII_LETTER.sub("", w)
    for pattern, repl in _COMPILED_FOLDS:
        w = pattern.sub(repl, w)
    return w[:1] + _VOWELS.sub("", w[1:])


_COMPILED_FOLDS = tuple((regex.compile(p), r) for p, r in _FOLDS)
_NOT_ASCII_LETTER = regex.compile(r"[^a-z]")
_VOWELS = regex.compile(r"[aeiouy]")


def _variants(a: str, b: str) -> bool:
    """Are a and b two spellings of one name? The in-document test (MTQ221's), or one
    transliteration key and at most three edits apart."""
    if abs(len(a) - len(b)) <= 2 and _similar(a, b):
        return True
    if len(a) < 5 or len(b) < 5 or transliteration_key(a) != transliteration_key(b):
        return False
    return _edit_distance(a.lower(), b.lower(), 3) <= 3


def _neighbours(doc: Document, spans: list[tuple[int, int]]) -> set[str]:
    """The capitalised words right before and after each occurrence (a full name's other half)."""
    out = set()
    for s, e in spans:
        before = doc.text[max(0, s - 30) : s].split()
        after = doc.text[e : e + 30].split()
        for w in (before[-1:] + after[:1]):
            w = w.strip(".,;:!?\"'“”’()")
            if len(w) > 1 and w[0].isupper():
                out.add(w)
    return out


def _sentence(doc: Document, offset: int) -> str:
    span = doc.sentence_at(offset)
    return doc.text[span.start : span.end] if span else ""


def _best_aligned(sentence: str, other: Document, spans: list[tuple[int, int]]) -> tuple[float, str]:
    """The sentence of ``other`` holding the other spelling that best matches ``sentence`` (chrF)."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    best = (0.0, "")
    for s, _ in spans:
        cand = _sentence(other, s)
        if cand:
            score = chrf.sentence_score(sentence, [cand]).score
            best = max(best, (score, cand))
    return best


@detector("MTQ601")
def cross_copy_name_variant(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a name that one copy of a story spells differently from another ("Astafiev" in one
    copy, "Astafeev" in the next; "Iryna Vereshchuk" and "Irina Vereshchuk"; "Şahin" and
    "Shahin"). The spelling used by more copies wins and each occurrence of the other is
    reported with it suggested; a copy declared as the reference (the English original) wins
    alone; the house-style form wins a tie. Any other tie is reported in every copy, without a
    suggestion: which transliteration is right is then no guess mtqa makes.

    Why is this bad:
    Syndicated copies of one story are translated separately, and each MT run transliterates
    names its own way. A desk that publishes several copies, or merges them, prints one person
    under two names.

    Stories are the groups of mtqa.stories (copies that share their content words, or at least
    three rare names). Two spellings count as one name under the same rules as MTQ221 (same
    first letter, one or two edits apart, differing only in the letters transliterations vary
    on, no inflection), or when they are at most three edits apart and share a transliteration
    key: anyascii's ASCII form with sch/sh/ş, dzh/dj/j, kh/h, gh/g, ph/f, q/k, x/ks, ca/ka, w/v,
    j/y, initial ye/e, a final h after a vowel, -iy/-y/-i, -off/-ov folded
    and the inner vowels dropped. A spelling common in English (Irina, Johnson) is reported only
    where it shares the other half of a full name with the other copy's spelling (Irina
    Vereshchuk, Iryna Vereshchuk). Names spelled both ways within one copy are left to MTQ221.
    The message quotes the other copy's sentence when sacrebleu's chrF aligns the two sentences.

    Example:
    copies: "spokesman Vadim Astafiev said", "spokesman Vadim Astafiev told",
    "spokesman, Vadim Astafeev, said" -> "Astafeev" in the third copy is reported, with
    "Astafiev" suggested.
    """
    style = house_style(ctx.config.house_style)
    for story in stories(docs, ctx):
        copies = [_Copy(c.doc, name_occurrences(c.doc), c.reference) for c in story.copies]
        holders: dict[str, list[_Copy]] = defaultdict(list)
        for c in copies:
            for form in c.occ:
                holders[form].append(c)
        by_key: dict[str, list[str]] = defaultdict(list)
        for form in holders:
            by_key[form[0]].append(form)
            by_key["~" + transliteration_key(form)].append(form)
        seen: set[tuple[str, str]] = set()
        for forms in by_key.values():
            for i, a in enumerate(forms):
                for b in forms[i + 1 :]:
                    pair = (min(a, b), max(a, b))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    if not _variants(a, b) or _derived(a, b):
                        continue
                    in_a, in_b = {id(c) for c in holders[a]}, {id(c) for c in holders[b]}
                    if in_a & in_b:
                        continue  # spelled both ways inside one copy: MTQ221's case
                    if style.rule_for(a) is not None or style.rule_for(b) is not None:
                        continue  # MTQ222 reports the house form
                    yield from _report(a, b, holders, style)


def _winner(a: str, b: str, holders: dict[str, list[_Copy]], style) -> str | None:
    """The spelling the evidence supports: the reference copy's, else the one more copies use,
    else the house-style form; None for a tie."""
    ref_a = any(c.reference for c in holders[a])
    ref_b = any(c.reference for c in holders[b])
    if ref_a != ref_b:
        return a if ref_a else b
    if len(holders[a]) != len(holders[b]):
        return a if len(holders[a]) > len(holders[b]) else b
    if (a in style.rights) != (b in style.rights):
        return a if a in style.rights else b
    return None


def _report(a: str, b: str, holders: dict[str, list[_Copy]], style) -> Iterator[Finding]:
    winner = _winner(a, b, holders, style)
    sides = [(b, a)] if winner == a else [(a, b)] if winner == b else [(a, b), (b, a)]
    # A name common in English (Irina) is one person with the other spelling only where it
    # shares the other half of a full name with it.
    common = max(zipf(a), zipf(b)) >= _RARE
    for minor, major in sides:
        other = next((c for c in holders[major] if c.reference), holders[major][0])
        full_names = set().union(*(_neighbours(c.doc, c.occ[major]) for c in holders[major]))
        for c in holders[minor]:
            if c.reference:
                continue
            for s, e in c.occ[minor]:
                if common and not (_neighbours(c.doc, [(s, e)]) & full_names):
                    continue
                sentence = _sentence(c.doc, s)
                score, aligned = _best_aligned(sentence, other.doc, other.occ[major])
                where = f"{other.doc.path}"
                if score >= _MIN_ALIGNED_CHRF:
                    where += f', in "{aligned[:80]}{"…" if len(aligned) > 80 else ""}"'
                tie = winner is None
                here = c.doc.sentence_at(s)
                yield make_finding(
                    c.doc, "MTQ601", s, e,
                    f"{minor!r} is spelled {major!r} in another copy of this story ({where})"
                    + ("; as many copies spell it each way, so no spelling is suggested" if tie else ""),
                    suggestions=() if tie else (major,),
                    evidence={"other_copy": other.doc.path, "aligned_chrf": round(score, 1),
                              "sentence": {"start": here.start, "end": here.end} if here else {},
                              "copies": [{"path": other.doc.path, "sentence": aligned,
                                          "similarity": round(score / 100, 3),
                                          "reference": other.reference}] if aligned else []},
                )
