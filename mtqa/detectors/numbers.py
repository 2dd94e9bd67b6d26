"""Numbers written the way the source language writes them (MTQ408, MTQ409).

MTQ408 rewrites scale words and abbreviations ("12 thousand", "4,700 million", "1 billion 200
million", "12.3 hundred million", lakh and crore, "bln"/"mln", "two-and-a-half million", "12 M€")
into the English news form ("12,000", "4.7 billion", "1.2 billion", "1.23 billion", ...).
MTQ409 covers the other source forms of numbers: a space before the percent sign or the sign
before the number ("5 %", "%33"), a currency code after the amount ("300 USD" -> "$300"; codes
and names from CLDR through Babel), hyphenated ordinals ("15-th") and a day with its weekday in
parentheses ("the 28th (Wed)").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

_NUM = r"(?<![\p{L}\p{N}.,$€£¥₹₩])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"
_SP = r"[ \u00a0\u202f]+"
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALES = r"(thousand|million|billion|trillion)"


def _value(number: str) -> float:
    """'1,200' -> 1200, '1.2' -> 1.2, '2,5' (a decimal comma) -> 2.5."""
    if regex.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
        return float(number.replace(",", ""))
    return float(number.replace(",", "."))


def _digits(x: float) -> str:
    """A number the way English news prints it: thousands commas, no trailing zeros."""
    s = f"{x:,.3f}".rstrip("0").rstrip(".")
    return s


def news_form(value: float) -> str:
    """12000 -> '12,000'; 4.7e9 -> '4.7 billion'; 250000 -> '250,000'."""
    for word, scale in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if value >= scale:
            return f"{_digits(round(value / scale, 3))} {word}"
    return _digits(round(value, 3))


# --- MTQ408 --------------------------------------------------------------------------------------

_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}
_SCALE_PATTERNS = (
    # 1 billion 200 million / 1 trillion 200 billion / 12 thousand and 500
    ("compound", regex.compile(_NUM + _SP + _SCALES + r"(?:" + _SP + r"and)?" + _SP + r"(\d{1,3}(?:[.,]\d+)?)"
                               + r"(?:" + _SP + _SCALES + r")?(?![\p{L}\p{N}])", regex.I)),
    # 1.2 thousand million
    ("thousand-million", regex.compile(_NUM + _SP + r"thousand" + _SP + r"million\b", regex.I)),
    # 12.3 hundred million (Chinese 亿), 3 ten thousand (万)
    ("hundred-million", regex.compile(_NUM + _SP + r"(hundred" + _SP + r"million|ten" + _SP + r"thousand)\b", regex.I)),
    # 2.5 lakh, 1,200 crore
    ("lakh-crore", regex.compile(_NUM + _SP + r"(lakhs?|lacs?|crores?)\b", regex.I)),
    # 4,700 million (a thousand or more of the scale below)
    ("too-many-millions", regex.compile(r"(?<![\p{L}\p{N}.,])(\d{1,3}(?:,\d{3})+|\d{4,})" + _SP
                                        + r"(million|billion)\b", regex.I)),
    # 12 thousand, 1.2 thousand, 400 thous., 5 tys.
    ("thousand", regex.compile(_NUM + _SP + r"(thousand\b|thous\.|thsd\.?|tys\.)(?!" + _SP + r"(?:million|billion)\b)", regex.I)),
    # 54 bln, 5 mln, 2 mld, 3 mlrd, 7 trln; 5 bn / 2 mn spaced; German Mio./Mrd.; 3 milliard
    ("abbreviation", regex.compile(_NUM + r"(?:" + _SP + r"|(?=(?:bln|mln|mld|mlrd|trln)\b))"
                                   + r"(bln|mln|mld|mlrd|mlrd\.|trln|bn|mn|tn|mio\.|mrd\.|mld\.|milliards?)(?![\p{L}])", regex.I)),
    # two-and-a-half million, two and a half billion
    ("and-a-half", regex.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten)(?:-and-a-half|" + _SP
                                 + r"and" + _SP + r"a" + _SP + r"half)" + _SP + _SCALES + r"\b", regex.I)),
    # 12 M€ / 3 Md€ (French)
    ("french-money", regex.compile(_NUM + r"[ \u00a0\u202f]?(M|Mds?|Md)[ \u00a0\u202f]?(€|\$)(?![\p{L}\p{N}])")),
)
_WESTERN_SCALE = regex.compile(r"\b(?:million|billion|trillion)\b|\d(?:m|bn)\b", regex.I)
_ABBREV = {"bln": "billion", "bn": "billion", "mld": "billion", "mld.": "billion", "mlrd": "billion",
           "mlrd.": "billion", "mrd.": "billion", "mln": "million", "mn": "million", "mio.": "million",
           "trln": "trillion", "tn": "trillion", "milliard": "billion", "milliards": "billion"}


def _scale_fix(kind: str, m: regex.Match) -> str | None:
    if kind == "compound":
        big, small = _SCALE[m.group(2).lower()], m.group(4)
        small_scale = _SCALE[small.lower()] if small else 1.0
        if small_scale >= big or (not small and big != 1e3):  # "5 million 20 years ago"
            return None
        return news_form(_value(m.group(1)) * big + _value(m.group(3)) * small_scale)
    if kind == "thousand-million":
        return f"{_digits(_value(m.group(1)))} billion"
    if kind == "hundred-million":
        unit = 1e8 if m.group(2).lower().startswith("hundred") else 1e4
        return news_form(_value(m.group(1)) * unit)
    if kind == "lakh-crore":
        unit = 1e5 if m.group(2).lower().startswith("la") else 1e7
        return news_form(_value(m.group(1)) * unit)
    if kind == "too-many-millions":
        return news_form(_value(m.group(1)) * _SCALE[m.group(2).lower()])
    if kind == "thousand":
        return _digits(round(_value(m.group(1)) * 1000, 3))
    if kind == "abbreviation":
        return f"{m.group(1)} {_ABBREV[m.group(2).lower()]}"
    if kind == "and-a-half":
        return f"{_WORD_NUMBERS[m.group(1).lower()] + 0.5:g} {m.group(2).lower()}"
    if kind == "french-money":
        word = "million" if m.group(2) == "M" else "billion"
        return f"{m.group(3)}{m.group(1)} {word}"
    return None


@detector("MTQ408")
def source_scale_number(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds numbers written with the source language's scale words and abbreviations and writes
    them as English news does: "12 thousand" -> "12,000", "1.2 thousand million" -> "1.2
    billion", "4,700 million dollars" -> "4.7 billion dollars", "1 billion 200 million" -> "1.2
    billion", "12.3 hundred million yuan" -> "1.23 billion yuan", "54 bln" -> "54 billion",
    "two-and-a-half million" -> "2.5 million", "12 M€" -> "€12 million", and lakh and crore
    ("2.5 lakh" -> "250,000", "1,200 crore" -> "12 billion") in copy that also counts in
    millions; Indian English copy that counts in lakh and crore throughout is left alone.

    Why is this bad:
    Russian (тыс., млн, млрд), Spanish and Portuguese (mil millones), Turkish (1 milyar 200
    milyon), Chinese (万, 亿), Korean (조, 억), Hindi (lakh, crore) and other sources count in
    units English does not use, and MT carries the count over word for word. Readers outside
    the source country misread or stumble over them. Abbreviations attached to a currency symbol
    in English style ("£5bn") are left alone.

    Example:
    "about 12 thousand people" -> "about 12,000 people";
    "the IMF disbursed 4,700 million dollars" -> "the IMF disbursed 4.7 billion dollars".
    """
    text = doc.text
    taken: list[tuple[int, int]] = []
    # Indian English counts in lakh and crore throughout; only copy that also counts in millions
    # mixes the two systems.
    western = _WESTERN_SCALE.search(text) is not None
    for kind, pattern in _SCALE_PATTERNS:
        if kind == "lakh-crore" and not western:
            continue
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            fix = _scale_fix(kind, m)
            if fix is None or fix == m.group(0):
                continue
            taken.append(m.span())
            yield make_finding(doc, "MTQ408", m.start(), m.end(),
                               f"A number in the source language's units: English news writes {fix!r}",
                               suggestions=(fix,), evidence={"form": kind})


# --- MTQ409 --------------------------------------------------------------------------------------

# "20 %" (the space is the artifact) and Turkish "%33" (the sign first).
_SPACED_PERCENT = regex.compile(r"(?<=\d)([ \u00a0\u202f]+)%(?![\p{L}\p{N}])")
_PERCENT_FIRST = regex.compile(r"(?<=^|[\s(])%[ \u00a0]?(\d+(?:[.,]\d+)?)(?![\p{L}\p{N}%])", regex.M)
# "300 USD", "5 million EUR", "45 billion TL": an amount with a code after it.
_CODE_AFTER = regex.compile(
    r"(?<![\p{L}\p{N}.,])(\d[\d,.]*\d|\d)((?:" + _SP + r"(?:thousand|million|billion|trillion))?)"
    + _SP + r"(\p{Lu}{3}|TL)(?![\p{L}\p{N}])"
)
# Codes that are also English words or common acronyms in upper case.
_NOT_CURRENCY = {"ALL", "TOP", "CUP", "BOB", "MOP", "PEN", "GEL", "SOS", "AMD", "CAD", "MAD", "LAK", "BAM"}
_CODE_ALIASES = {"TL": "TRY", "RMB": "CNY"}
_SIGN_FIRST = {"$", "€", "£"}
# "15-th", "1-st"
_HYPHEN_ORDINAL = regex.compile(r"(?<![\p{L}\p{N}])(\d{1,4})-(st|nd|rd|th)(?![\p{L}])", regex.I)
_WEEKDAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
             "sat": "Saturday", "sun": "Sunday"}
# "the 28th (Wed)" (Japanese 28日（水）)
_DAY_WEEKDAY = regex.compile(r"(?<![\p{L}\p{N}/])(\d{1,2})(?:st|nd|rd|th)?[ \u00a0]?\((Mon|Tue|Wed|Thu|Fri|Sat|Sun)\.?\)")


@lru_cache(maxsize=None)
def _currency(code: str) -> tuple[str, str, str] | None:
    """(symbol, singular name, plural name) of an ISO 4217 code in English, from CLDR (Babel)."""
    from babel.numbers import UnknownCurrencyError, get_currency_name, get_currency_symbol, list_currencies

    code = _CODE_ALIASES.get(code, code)
    if code in _NOT_CURRENCY or code not in list_currencies():
        return None
    try:
        return (get_currency_symbol(code, "en"), get_currency_name(code, count=1, locale="en"),
                get_currency_name(code, count=2, locale="en"))
    except UnknownCurrencyError:
        return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@detector("MTQ409")
def source_number_form(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds numbers, amounts and dates in the source language's form: a space before the percent
    sign ("20 %") or the sign before the number ("%33", Turkish), a currency code after the
    amount ("300 USD", "100 million EUR", "45 billion TL"), hyphenated ordinals ("the 15-th")
    and a day with its weekday in parentheses ("the 28th (Wed)", Japanese 28日（水）). It proposes
    the English news form: "20%", "33%", "$300", "€100 million", "45 billion Turkish liras",
    "15th", "Wednesday". Currency codes, symbols and names come from CLDR through Babel. "The
    1st of March" is British English, not a source form, and is left alone.

    Why is this bad:
    French, German, Russian and most European languages put a space before "%", Turkish puts the
    sign first, and many sources write the currency code after the amount; MT keeps all of it.
    English news writes "20%", "$300", "€100 million".

    Example:
    "only 20 % of trains ran" -> "only 20% of trains ran"; "tickets cost 300 USD" -> "tickets
    cost $300".
    """
    text = doc.text
    for m in _SPACED_PERCENT.finditer(text):
        yield make_finding(doc, "MTQ409", m.start(), m.end(), "A space before the percent sign: English writes '5%'",
                           suggestions=("%",), evidence={"form": "spaced-percent"})
    for m in _PERCENT_FIRST.finditer(text):
        fix = m.group(1).replace(",", ".") + "%"
        yield make_finding(doc, "MTQ409", m.start(), m.end(), f"The percent sign before the number: write {fix!r}",
                           suggestions=(fix,), evidence={"form": "percent-first"})
    for m in _CODE_AFTER.finditer(text):
        cur = _currency(m.group(3))
        if cur is None:
            continue
        symbol, one, many = cur
        amount, scale = m.group(1), m.group(2).replace("\u00a0", " ")
        if symbol in _SIGN_FIRST:
            fix = f"{symbol}{amount}{scale}"
        else:
            fix = f"{amount}{scale} {one if amount == '1' and not scale else many}"
        yield make_finding(doc, "MTQ409", m.start(), m.end(),
                           f"A currency code after the amount: English news writes {fix!r}",
                           suggestions=(fix,), evidence={"form": "code-after", "currency": m.group(3)})
    for m in _HYPHEN_ORDINAL.finditer(text):
        fix = m.group(1) + m.group(2).lower()
        yield make_finding(doc, "MTQ409", m.start(), m.end(), f"A hyphenated ordinal: English writes {fix!r}",
                           suggestions=(fix,), evidence={"form": "hyphen-ordinal"})
    for m in _DAY_WEEKDAY.finditer(text):
        day = _WEEKDAYS[m.group(2).lower()]
        yield make_finding(doc, "MTQ409", m.start(), m.end(),
                           "A day of the month with its weekday in parentheses: name the weekday or the date",
                           suggestions=(day, f"{day} the {_ordinal(int(m.group(1)))}"),
                           evidence={"form": "day-weekday"})
