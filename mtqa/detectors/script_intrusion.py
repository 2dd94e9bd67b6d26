"""Script intrusion: letters of another writing system in the copy (MTQ101, MTQ102).

The document's main script is the script of most of its letters (Latin for English copy). Scripts
are told apart with the ``regex`` module's Unicode properties (``\\p{scx=...}``), so any script is
covered without tables of code-point ranges. The small data files are corpora/currencies.toml
(to restore a currency symbol that MT garbled) and corpora/confusables.toml (look-alike letters).
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from typing import Iterator

import regex

from mtqa import corpora
from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.tokens import chunk_around, zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

_LETTER = regex.compile(r"\p{L}")
_LATIN_LETTER = regex.compile(r"\p{scx=Latin}")
_NON_LATIN_LETTER = regex.compile(r"(?V1)[\p{L}--\p{scx=Latin}]")
_HSPACE = r"[\t\p{Zs}]"

# Amounts: "300", "2,000", "1.5", with an optional scale word.
_SCALES = {
    "thousand": 1e3, "k": 1e3, "lakh": 1e5, "lakhs": 1e5, "million": 1e6, "millions": 1e6, "mn": 1e6,
    "m": 1e6, "crore": 1e7, "crores": 1e7, "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12,
}
_AMOUNT = r"(?P<{n}num>\d[\d,]*(?:\.\d+)?)(?:{s}?(?P<{n}scale>" + "|".join(
    sorted(_SCALES, key=len, reverse=True)) + r")\b)?"
# "সাম 300 million ($ 375 million)": the amount after the token, then a conversion in brackets.
_CONVERSION = regex.compile(
    _HSPACE + "*" + _AMOUNT.format(n="a", s=_HSPACE)
    + _HSPACE + r"*\((?:(?:about|around|roughly|some|nearly|almost|approximately|approx\.|or)" + _HSPACE + r"+)?"
    + r"(?P<cur>[^\s\d()]{1,4}?)" + _HSPACE + "?" + _AMOUNT.format(n="b", s=_HSPACE) + _HSPACE + r"*\)"
)
_OPEN_QUOTES = "\"'“‘«„‹「『"
_CLOSE_QUOTES = "\"'”’»“‹›」』"


@lru_cache(maxsize=4096)
def _script_name(ch: str) -> str:
    """A display name for the script of ``ch`` ("Bengali", "Cyrillic", "Han")."""
    word = unicodedata.name(ch, "UNKNOWN").split()[0]
    name = "Han" if word == "CJK" else word.title()
    try:
        if regex.match(rf"\p{{scx={name}}}", ch):
            return name
    except regex.error:
        pass
    return "other"


def main_script(text: str) -> str:
    """The script of most of the letters of ``text``; Latin when it has none."""
    letters = _LETTER.findall(text)
    if not letters:
        return "Latin"
    latin = len(_LATIN_LETTER.findall(text))
    if latin * 2 >= len(letters):
        return "Latin"
    counts: dict[str, int] = {}
    for ch in letters:
        name = _script_name(ch)
        if name != "other":  # a letter newer than this Python's Unicode tables
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else "Latin"


@lru_cache(maxsize=16)
def _foreign_run(main: str) -> "regex.Pattern[str]":
    """Runs of whole words with no letter of the main script (nor Latin, which any copy may hold)."""
    keep = r"\p{scx=Latin}" if main == "Latin" else rf"\p{{scx={main}}}\p{{scx=Latin}}"
    word = rf"(?<![\p{{L}}\p{{M}}])[\p{{L}}--[{keep}]][\p{{M}}[\p{{L}}--[{keep}]]]*(?![\p{{L}}\p{{M}}])"
    return regex.compile(rf"(?V1){word}(?:[^\w\n]{{1,4}}{word})*")


@lru_cache(maxsize=1)
def _currencies() -> tuple[list[dict], dict[str, dict]]:
    table = corpora.entries("currencies.toml")
    by_mark: dict[str, dict] = {}
    for cur in table:
        for mark in (*cur.get("codes", []), cur["symbol"]):
            by_mark.setdefault(mark.rstrip("."), cur)
    return table, by_mark


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, str]:
    return dict(corpora.load("confusables.toml")["latin"])


@lru_cache(maxsize=1)
def _lookalike_char() -> "regex.Pattern[str]":
    return regex.compile("[" + "".join(regex.escape(c) for c in _lookalikes()) + "]")


def _amount(num: str, scale: str | None) -> float:
    # "1,7 billion" is a decimal comma left by MT (MTQ401 reports it); "1,700" groups thousands.
    value = num.replace(",", ".") if regex.fullmatch(r"\d+,\d{1,2}", num) else num.replace(",", "")
    return float(value) * (_SCALES[scale.lower()] if scale else 1.0)


def currency_candidates(amount: float, converted: float, converted_mark: str) -> list[dict]:
    """Currencies whose dollar rate fits ``amount`` of them being worth ``converted`` of another.

    Best first: the closest to the currency's typical rate, on a log scale.
    """
    table, by_mark = _currencies()
    known = by_mark.get(converted_mark.rstrip("."))
    if known is None or amount <= 0 or converted <= 0:
        return []
    usd_per_unit = converted * known["usd_typical"] / amount
    fits = [
        c for c in table
        if c is not known and c["usd_low"] * 0.95 <= usd_per_unit <= c["usd_high"] * 1.05
    ]
    fits.sort(key=lambda c: abs(math.log(usd_per_unit / c["usd_typical"])))
    return fits


def _in_brackets(text: str, start: int, end: int, main_letter: "regex.Pattern[str]") -> bool:
    """Is text[start:end] all the letters inside a pair of brackets, as in a native-script gloss?"""
    left = max(text.rfind("(", 0, start), text.rfind("[", 0, start), text.rfind("（", 0, start))
    if left < 0 or start - left > 40:
        return False
    right_candidates = [i for i in (text.find(")", end), text.find("]", end), text.find("）", end)) if i >= 0]
    if not right_candidates:
        return False
    right = min(right_candidates)
    if right - end > 40:
        return False
    between = text[left + 1 : start] + text[end:right]
    return not main_letter.search(between) and not regex.search(r"[()\[\]（）\n]", between)


def _quoted(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 2) : start].rstrip()
    after = text[end : end + 2].lstrip()
    return bool(before) and before[-1] in _OPEN_QUOTES and bool(after) and after[0] in _CLOSE_QUOTES


def _glossed(text: str, end: int) -> bool:
    """Is the run followed by its own gloss in brackets: 'Владимир Путин (Vladimir Putin)'?"""
    m = regex.match(_HSPACE + r"*[(\[（]", text[end : end + 4])
    return bool(m)


def _symbol_like(text: str, start: int, end: int) -> bool:
    """A lone Greek letter or one hyphened to a term is a symbol: 'π', 'α-synuclein', 'TNF-α'."""
    run = text[start:end]
    if not regex.fullmatch(r"\p{scx=Greek}+", run):
        return False
    if len(run) == 1:
        return True
    return text[end : end + 1] == "-" or text[start - 1 : start] == "-"


def _deletion_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The token with one side's white space, so that deleting it leaves well-spaced text."""
    after = regex.match(_HSPACE + "+", text[end:])
    before_ws = start > 0 and text[start - 1] in " \t\u00a0"
    if after and (start == 0 or before_ws or text[start - 1] in "\n" + _OPEN_QUOTES + "(["):
        nxt = text[end + after.end() : end + after.end() + 1]
        if nxt and nxt not in ".,;:!?)]":
            return start, end + after.end()
    if before_ws:
        s = start
        while s > 0 and text[s - 1] in " \t\u00a0":
            s -= 1
        return s, end
    return start, end


@detector("MTQ101")
def foreign_script_token(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds words written in a script other than the document's main one (Latin for English copy):
    Bengali, Devanagari, Arabic, Cyrillic, Greek, Chinese, Korean, Thai, Hebrew and any other.
    Native-script glosses are left alone: a name followed by its native spelling in brackets
    ("Xi Jinping (习近平)"), a quoted native title, a lone Greek letter used as a symbol.

    When the stray word stands right before an amount that has a conversion in brackets, it is
    usually a currency symbol that MT turned into garbage; the currencies whose exchange rate fits
    the two amounts are suggested, best first. Otherwise a single stray word is suggested for
    deletion; a longer foreign phrase gets no suggestion.

    Why is this bad:
    A word in a foreign script is a leftover of the source text or a token that MT mangled. Readers
    cannot read it, and it often hides a lost word or symbol.

    Example:
    "announced সাম 300 million ($ 375 million) in new military aid"
    375/300 = 1.25 dollars per unit fits the pound or the euro: suggests "£" ("£300 million").
    """
    text = doc.text
    if text.isascii() or not _NON_LATIN_LETTER.search(text):
        return
    main = main_script(text)
    main_letter = regex.compile(rf"\p{{scx={main}}}")
    lookalikes = _lookalikes()
    for m in _foreign_run(main).finditer(text):
        start, end = m.span()
        run = m.group(0)
        if _in_brackets(text, start, end, main_letter) or _quoted(text, start, end):
            continue
        if _glossed(text, end) or _symbol_like(text, start, end) or _technical_chunk(text, start, end):
            continue
        script = _script_name(run[0])
        single = bool(regex.fullmatch(r"[\p{L}\p{M}]+", run))
        evidence = {"script": script, "main_script": main}
        if not single:
            yield make_finding(
                doc, "MTQ101", start, end,
                f"A phrase in {script} script inside {main}-script copy: untranslated or garbled text",
                evidence=evidence,
            )
            continue
        conv = _CONVERSION.match(text, end)
        if conv:
            cands = currency_candidates(
                _amount(conv.group("anum"), conv.group("ascale")),
                _amount(conv.group("bnum"), conv.group("bscale")),
                conv.group("cur"),
            )
            amount_at = conv.start("anum")
            if cands:
                symbols = [c["symbol"] + (" " if c.get("spaced") else "") for c in cands]
                evidence["currencies"] = [c["id"] for c in cands]
                yield make_finding(
                    doc, "MTQ101", start, amount_at,
                    f"A {script}-script token before an amount: probably a garbled currency symbol "
                    f"({', '.join(c['id'] for c in cands)} fit the conversion)",
                    suggestions=symbols[:3], evidence=evidence,
                )
                continue
        if all(ch in lookalikes for ch in run):
            latin = "".join(lookalikes[ch] for ch in run)
            if (len(latin) > 1 and latin.isupper()) or zipf(latin.lower()) >= 3.0:
                yield make_finding(
                    doc, "MTQ101", start, end,
                    f"'{run}' is typed in {script} look-alike letters; the Latin word is '{latin}'",
                    suggestions=(latin,), evidence=evidence,
                )
                continue
        s, e = _deletion_span(text, start, end)
        yield make_finding(
            doc, "MTQ101", s, e,
            f"A {script}-script token inside {main}-script copy: a leftover of the source or MT garbage",
            suggestions=("",), evidence=evidence,
        )


def _suspicious_lookalike(word: str, i: int) -> bool:
    """Does the look-alike at ``word[i]`` pass for Latin? A lower-case Greek letter at the edge of
    a word is a symbol in a term ("NF-κB", "IFNα"); inside a word, or any Cyrillic, it is not."""
    ch = word[i]
    if ch.islower() and regex.match(r"\p{scx=Greek}", ch):
        return 0 < i < len(word) - 1
    return True


def _technical_chunk(text: str, start: int, end: int) -> bool:
    """Is text[start:end] part of a URL, e-mail address, handle or hashtag?"""
    return bool(regex.search(r"://|www\.|@|#|\.\p{L}{2,}/", chunk_around(text, start, end)))


@detector("MTQ102")
def mixed_script_word(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds Latin words with Cyrillic or Greek look-alike letters inside, such as "Ukrаine" with a
    Cyrillic "а", and suggests the word spelled with Latin letters. Words with a non-look-alike
    Greek letter used as a symbol ("μg", "β-blockers") are left alone.

    Why is this bad:
    The word looks right but is a different string: search, spell-checking, hyphenation and screen
    readers all fail on it, and it betrays text pasted from a source in another script.

    Example:
    "Russia's war in Ukrаine" (Cyrillic а)  ->  "Ukraine"
    """
    text = doc.text
    if text.isascii() or main_script(text) != "Latin":
        return
    lookalikes = _lookalikes()
    seen_end = -1
    for hit in _lookalike_char().finditer(text):
        if hit.start() < seen_end:
            continue
        s = hit.start()
        while s > 0 and (text[s - 1].isalpha() or unicodedata.category(text[s - 1]).startswith("M")):
            s -= 1
        e = hit.end()
        while e < len(text) and (text[e].isalpha() or unicodedata.category(text[e]).startswith("M")):
            e += 1
        seen_end = e
        word = text[s:e]
        if not _LATIN_LETTER.search(word):
            continue
        if not any(_suspicious_lookalike(word, i) for i, ch in enumerate(word) if ch in lookalikes):
            continue
        foreign = [ch for ch in word if ch.isalpha() and not _LATIN_LETTER.match(ch)]
        fixable = all(ch in lookalikes for ch in foreign)
        fixed = "".join(lookalikes.get(ch, ch) for ch in word) if fixable else None
        scripts = sorted({_script_name(ch) for ch in foreign})
        yield make_finding(
            doc, "MTQ102", s, e,
            f"'{word}' mixes Latin with {' and '.join(scripts)} letters"
            + (f"; in Latin letters: '{fixed}'" if fixed else ""),
            suggestions=(fixed,) if fixed else (),
            evidence={"foreign_letters": "".join(foreign)},
        )
