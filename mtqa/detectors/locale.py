"""Locale conventions carried over from the source language: number and currency formats,
weekday-day parentheses, guillemets, spaces before punctuation, and 'º' for degrees.

Each check is a precompiled pattern plus a few context tests; the regexes do the scanning, so the
module stays fast on long feeds.
"""

from __future__ import annotations

from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

# --- MTQ401 -------------------------------------------------------------------------------------

# Words after a number that show it is a quantity, so that "3,5 percent" is a decimal comma and
# not a list "3,5".
_QUANTITY_AFTER = regex.compile(
    r"[ \u00a0\u202f]?(?:%|‰|°|per[ \-]?cent\b|percent(?:age)?\b|points?\b|million\b|billion\b|trillion\b|"
    r"thousand\b|mn\b|bn\b|tn\b|times\b|degrees?\b|euros?\b|dollars?\b|pounds?\b|reais\b|real\b|"
    r"pesos?\b|rubles?\b|roubles?\b|hryvnias?\b|lire\b|yuan\b|yen\b|rupees?\b|"
    r"(?:k|c|m)?m\b|km/h\b|kph\b|mph\b|(?:k|m)?g\b|tons?\b|tonnes?\b|litres?\b|liters?\b|"
    r"meters?\b|metres?\b|kilometers?\b|kilometres?\b|miles?\b|kilos?\b|kilograms?\b|"
    r"hectares?\b|hours?\b|minutes?\b|seconds?\b|years?\b|months?\b|weeks?\b|days?\b|"
    r"inches\b|feet\b|goals?\b|cents?\b)",
    regex.IGNORECASE,
)
_CURRENCY_BEFORE = regex.compile(r"(?:[$€£¥₹₽₴]|R\$|US\$|\b(?:USD|EUR|GBP|BRL))[ \u00a0]?$")

# 3,5 / 12,75 / 0,123: a comma followed by one or two digits (or any digits after a lone 0).
_DECIMAL_COMMA = regex.compile(r"(?<![\d.,])(\d{1,3}),(\d{1,2})(?![\d])(?!,\d)|(?<![\d.,])(0),(\d+)(?![\d,.])")
# 1.500.000: two or more dot-separated groups of three digits.
_THOUSANDS_DOTS = regex.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.]\d)")
# 1 500 000 / 20 000 (French, Russian, Polish, ...): groups of three digits after thin or
# no-break spaces, or after plain spaces when there are at least two groups (one plain-space group,
# "in 2014 500 people", is too often two numbers). Not after a "+" or a digit: phone numbers.
_THOUSANDS_SPACES = regex.compile(
    r"(?<![\d.,+][ \u00a0\u202f\u2009]?)(?<![\d.,+])\d{1,3}"
    r"(?:(?:[\u00a0\u202f\u2009]\d{3})+|(?: \d{3}){2,})(?![\d]|[ \u00a0\u202f\u2009]\d)"
)
# 1.500,50: thousands dots and a decimal comma.
_DOTS_AND_COMMA = regex.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d+(?![\d.,]\d)")
# 2.500 people / 20.000 soldiers: one group ending in 00 (a decimal would hardly keep the zeros)
# before a count noun (a plural, or people, children, ...).
_ONE_THOUSANDS_DOT = regex.compile(
    r"(?<![\d.,])([1-9]\d{0,2})\.(\d00)(?![\d.,]\d)"
    r"(?=[ \u00a0]+(?:\p{L}+[ \u00a0\-])?(?:(?!seconds\b)\p{Ll}+s|people|children|men|women|police|staff|personnel)\b)"
)



def _dots_and_comma_fix(m) -> str:
    whole, frac = m.group(0).rsplit(",", 1)
    return whole.replace(".", ",") + "." + frac


# (pattern, message, the format it reports, the English form), tried in this order; a number one
# of them reported is not looked at again.
_GROUPED_NUMBERS = (
    (_DOTS_AND_COMMA, "Thousands dots and a decimal comma", "1.234,5", _dots_and_comma_fix),
    (_THOUSANDS_DOTS, "Thousands dots", "1.234.567", lambda m: m.group(0).replace(".", ",")),
    (_THOUSANDS_SPACES, "Thousands spaces", "1 234 567",
     lambda m: regex.sub(r"[ \u00a0\u202f\u2009]", ",", m.group(0))),
    (_ONE_THOUSANDS_DOT, "A thousands dot", "1.234", lambda m: m.group(1) + "," + m.group(2)),
)


@detector("MTQ401")
def decimal_separator(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds numbers written with a continental European decimal comma ("3,5 percent"), thousands
    dots ("1.500.000 people", "2.500 soldiers", "1.250,75 euros") or thousands spaces
    ("1 500 000 residents", "20 000" with a no-break or thin space).

    Why is this bad:
    English uses a decimal point and thousands commas. Machine translation copies the source's
    format, so "3,5 percent" reads as a list and "1.500" as one and a half.

    A comma is only taken for a decimal comma when the number is a quantity (followed by percent,
    million, a unit or a currency, or preceded by a currency sign), or when it follows a lone 0;
    "2,000" and "1,2 and 3" are left alone. Dates such as "24.04.2022" (MTQ407's) and times such as
    "10.30" are not numbers of this kind and are not reported.

    Example:
    "Inflation rose 3,5 percent" -> "Inflation rose 3.5 percent";
    "1.500.000 people" -> "1,500,000 people".
    """
    text = doc.text
    taken: list[tuple[int, int]] = []
    for pattern, what, form, fix_of in _GROUPED_NUMBERS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            fix = fix_of(m)
            taken.append((m.start(), m.end()))
            yield make_finding(doc, "MTQ401", m.start(), m.end(), f"{what}: English writes {fix!r}",
                               suggestions=(fix,), evidence={"format": form})
    for m in _DECIMAL_COMMA.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        whole, frac = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        if whole != "0":
            quantity = _QUANTITY_AFTER.match(text, m.end()) is not None
            money = _CURRENCY_BEFORE.search(text, max(0, m.start() - 5), m.start()) is not None
            if not (quantity or money):
                continue
        fix = whole + "." + frac
        yield make_finding(doc, "MTQ401", m.start(), m.end(),
                           f"A decimal comma: English writes {fix!r}", suggestions=(fix,),
                           evidence={"format": "1,5"})


# --- MTQ402 -------------------------------------------------------------------------------------

_SYMBOLS = "$€£¥₹₽₴₺₩₪"
# "$ 375", "€ 20", "R$ 5", "US$ 20,000"
_SYMBOL_SPACE = regex.compile(
    r"(?<![\p{L}\p{N}$])((?:\p{Lu}{1,2})?[" + _SYMBOLS + r"])[ \u00a0\u202f]+(\d[\d,.]*\d|\d)(?![\d])"
)
# "375 $", "20€", "1.500 €", "300 million €" (the symbol after the amount, not itself before
# another amount)
_AMOUNT_SYMBOL = regex.compile(
    r"(?<![\p{L}\p{N}.,$])(\d[\d,.]*\d|\d)((?:[ \u00a0](?:thousand|million|billion|trillion|bn|mn))?)"
    r"[ \u00a0\u202f]?([" + _SYMBOLS + r"])(?![ \u00a0]?\d)(?![\p{L}\p{N}])"
)


@detector("MTQ402")
def currency_space(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a space between a currency symbol and its amount ("$ 375 million", "€ 20") and amounts
    written before their symbol ("375 $", "20 €", "300 million €").

    Why is this bad:
    English news copy writes the symbol right before the figure: "$375 million". Many source
    languages put a space after the symbol or the symbol after the amount, and machine
    translation keeps their layout.

    Example:
    "announced $ 375 million in aid" -> "announced $375 million in aid";
    "tickets cost 20 €" -> "tickets cost €20".
    """
    text = doc.text
    for m in _SYMBOL_SPACE.finditer(text):
        fix = m.group(1) + m.group(2)
        yield make_finding(doc, "MTQ402", m.start(), m.end(),
                           f"A space after the currency symbol: write {fix!r}", suggestions=(fix,),
                           evidence={"symbol": m.group(1)})
    for m in _AMOUNT_SYMBOL.finditer(text):
        fix = m.group(3) + m.group(1) + m.group(2).replace("\u00a0", " ")
        yield make_finding(doc, "MTQ402", m.start(), m.end(),
                           f"The currency symbol after the amount: write {fix!r}", suggestions=(fix,),
                           evidence={"symbol": m.group(3)})


# --- MTQ403 -------------------------------------------------------------------------------------

_WEEKDAY_DAY = regex.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"((?:[ \u00a0]?)\((?:[1-9]|[12]\d|3[01])\))(?![\p{L}\p{N}])"
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@detector("MTQ403")
def weekday_day_number(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a weekday followed by a bare day of the month in parentheses: "on Saturday (23)".

    Why is this bad:
    Portuguese and Spanish news writes "no sábado (23)"; in English the parenthesised number is
    unexplained noise. Agency style names the weekday alone for the past week, or gives the date.

    The suggested fix deletes the parenthesis; the second suggestion keeps the date as
    "Saturday the 23rd".

    Example:
    "the government said on Saturday (23) that" -> "the government said on Saturday that".
    """
    for m in _WEEKDAY_DAY.finditer(doc.text):
        start, end = m.span(1)
        day = int(regex.search(r"\d+", m.group(1)).group(0))
        yield make_finding(doc, "MTQ403", start, end,
                           "A day number in parentheses after a weekday: drop it or write the date",
                           suggestions=("", f" the {_ordinal(day)}"), evidence={"day": day})


# --- MTQ407 -------------------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
# 24.04.2022 / 4.4.2022: day, month and a four-digit year, dotted (not part of a longer dotted run)
_DOTTED_DATE = regex.compile(r"(?<![\d.])(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.((?:19|20)\d\d)(?![\d]|\.\d)")
# "on 23. April": a day with the German ordinal dot before a month name, after a word that takes
# a date (so that "the toll rose to 23. April was the worst month" is left alone)
_ORDINAL_DOT_DAY = regex.compile(
    r"(?<=\b(?:[Oo]n|[Ff]rom|[Uu]ntil|[Tt]ill|[Ss]ince|[Bb]efore|[Aa]fter|[Bb]etween|of|and|dated)[ \u00a0]+)"
    r"(0?[1-9]|[12]\d|3[01])\.[ \u00a0]+(" + "|".join(_MONTHS) + r")\b")


@detector("MTQ407")
def continental_date(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds dates in continental European form: day, month and year joined by dots ("24.04.2022")
    and a day with an ordinal dot before the month ("23. April"), and writes them the way
    English news does ("24 April 2022", "23 April").

    Why is this bad:
    German, Russian, Ukrainian, Polish and most other European sources write dates this way, and
    machine translation keeps the digits as they are. An English reader has to work out which
    number is the month; "23. April" reads as the end of a sentence.

    Example:
    "the decree of 24.04.2022" -> "the decree of 24 April 2022";
    "on 23. April the army said" -> "on 23 April the army said".
    """
    text = doc.text
    for m in _DOTTED_DATE.finditer(text):
        fix = f"{int(m.group(1))} {_MONTHS[int(m.group(2)) - 1]} {m.group(3)}"
        yield make_finding(doc, "MTQ407", m.start(), m.end(),
                           f"A date written day.month.year: English writes {fix!r}", suggestions=(fix,))
    for m in _ORDINAL_DOT_DAY.finditer(text):
        fix = f"{int(m.group(1))} {m.group(2)}"
        yield make_finding(doc, "MTQ407", m.start(), m.end(),
                           f"An ordinal dot after the day: English writes {fix!r}", suggestions=(fix,))


# --- MTQ404 -------------------------------------------------------------------------------------

_SP = r"[ \u00a0\u202f\u2009]*"
_GUILLEMET_PAIRS = (
    (regex.compile(r"„" + _SP + r"([^„“”«»\n]{1,600}?)" + _SP + r"[“”]"), "“", "”"),
    (regex.compile(r"«" + _SP + r"([^«»\n]{1,600}?)" + _SP + r"»"), "“", "”"),
    (regex.compile(r"»" + _SP + r"([^«»\n]{1,600}?)" + _SP + r"«"), "“", "”"),
    (regex.compile(r"‹" + _SP + r"([^‹›\n]{1,300}?)" + _SP + r"›"), "‘", "’"),
    (regex.compile(r"›" + _SP + r"([^‹›\n]{1,300}?)" + _SP + r"‹"), "‘", "’"),
)
_LONE_GUILLEMET = regex.compile(r"[«»‹›]")
_LONE_FIX = {"«": "“", "»": "”", "‹": "‘", "›": "’"}


@detector("MTQ404")
def guillemets(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds guillemets used as quotation marks: «…», »…« and ‹…›, with or without the French
    spaces inside them, and the low-high quotation marks „…“ of German, Polish, Czech and other
    Central European copy.

    Why is this bad:
    English uses “curly” (or straight) quotation marks. Guillemets come from French, Spanish,
    Italian, Portuguese, Russian or German copy, low-high marks from German, Polish, Czech,
    Hungarian or Romanian copy, and both survive machine translation.

    A lone guillemet with spaces on both sides (a breadcrumb separator such as "News » World")
    is not reported.

    Example:
    "he called it «a disaster»" -> "he called it “a disaster”".
    """
    text = doc.text
    taken = bytearray(len(text))
    for pattern, left, right in _GUILLEMET_PAIRS:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
            fix = left + m.group(1).strip() + right
            what = "Low-high quotation marks („…“)" if text[m.start()] == "„" else "Guillemets used as quotation marks"
            yield make_finding(doc, "MTQ404", m.start(), m.end(), what, suggestions=(fix,),
                               evidence={"marks": text[m.start()] + text[m.end() - 1]})
    for m in _LONE_GUILLEMET.finditer(text):
        i = m.start()
        if taken[i]:
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if before.isspace() and after.isspace():
            continue  # a separator, not a quotation mark
        yield make_finding(doc, "MTQ404", i, i + 1, "A guillemet used as a quotation mark",
                           suggestions=(_LONE_FIX[m.group(0)],), evidence={"marks": m.group(0)})


# --- MTQ405 -------------------------------------------------------------------------------------

# A space (not a line break) between a word, figure or closing bracket/quote and , ; : ? ! or a
# lone full stop. The mark must be followed by white space, a quote or the end, so that ".45",
# ".NET", ":)" and "..." never match.
_SPACE_BEFORE = regex.compile(
    r"(?<=[\p{L}\p{N})\]”’])([ \u00a0\u202f\u2009]+)"
    r"(?:([,;!?])(?![!?])|(:)(?![\d)(\-DPOp/])|(\.)(?![.\d\p{L}]))"
    r"(?=[ \u00a0\u202f\u2009\n\"”’)]|$)"
)


@detector("MTQ405")
def space_before_punctuation(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a space before a comma, semicolon, colon, question mark, exclamation mark or full stop:
    "Attention !", "he said : the", "storm the plant . the last".

    Why is this bad:
    French typography puts a (thin) space before ; : ? !, and machine translation or sloppy
    conversion leaves stray spaces before other marks. English sets every mark directly after
    the word.

    Ellipses ("..."), decimals (" .45 caliber"), emoticons (":)"), times or scores with spaced
    colons between figures ("2 : 1"), and marks at the start of a line are not reported.

    Example:
    "Attention !" -> "Attention!"; "in Mariupol , the" -> "in Mariupol, the".
    """
    text = doc.text
    for m in _SPACE_BEFORE.finditer(text):
        mark = m.group(2) or m.group(3) or m.group(4)
        if mark == ":" and text[m.start() - 1].isdigit() and regex.match(r"[ \u00a0]*\d", text[m.end():m.end() + 3]):
            continue  # "2 : 1", a score or ratio
        yield make_finding(doc, "MTQ405", m.start(), m.end(), f"A space before {mark!r}",
                           suggestions=(mark,), evidence={"mark": mark})


# --- MTQ406 -------------------------------------------------------------------------------------

_ORDINAL_SIGN = regex.compile(r"(?<![\p{L}\p{N}])(\d{1,4})[ \u00a0]?([ºª])(?:[ \u00a0]?([CF])(?![\p{L}]))?")
_NUMERO = regex.compile(r"\b([Nn])[ºª°]\s?(?=\d)")
_DEGREE_CONTEXT = regex.compile(
    r"[ \u00a0]?(?:[NSEW]\b|celsius\b|centigrade\b|fahrenheit\b|degrees?\b|angle\b|latitude\b|longitude\b)",
    regex.IGNORECASE,
)
_ORDINAL_CONTEXT = regex.compile(
    r"[ \u00a0]?(?:place|position|floor|century|anniversary|edition|round|division|battalion|brigade|"
    r"regiment|army|corps|district|congress|session|time|grade|class|stage|leg|minute|day|week|"
    r"month|year|term|quarter|half|seed|row|lap|goal|match|game)s?\b",
    regex.IGNORECASE,
)


@detector("MTQ406")
def ordinal_degree_sign(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds the ordinal indicators "º" and "ª" after a number: as a degree sign ("25º C",
    "45º N") and as an ordinal ("the 3º battalion", "1ª Divisão"), and "Nº" for "No.".

    Why is this bad:
    "º" (U+00BA) is a raised letter o from Spanish, Portuguese and Italian ordinals, not the degree
    sign "°" (U+00B0); it renders differently and breaks search. As an ordinal, English writes
    "3rd", not "3º".

    A number followed by C or F, a compass point or "degrees" is taken for a temperature or angle;
    one followed by a word such as "place", "century" or "battalion", or preceded by "the", for an
    ordinal; otherwise both fixes are offered, the degree sign first.

    Example:
    "temperatures of 25º C" -> "temperatures of 25°C"; "finished 2º place" -> "finished 2nd place".
    """
    text = doc.text
    for m in _ORDINAL_SIGN.finditer(text):
        number, sign, scale = m.group(1), m.group(2), m.group(3)
        ordinal = _ordinal(int(number))
        if scale:
            yield make_finding(doc, "MTQ406", m.start(), m.end(),
                               f"{sign!r} used as a degree sign: write '°'",
                               suggestions=(f"{number}°{scale}", f"{number} °{scale}"),
                               evidence={"reading": "temperature"})
            continue
        preceded_by_the = regex.search(r"\b[Tt]he[ \u00a0]$", text[max(0, m.start() - 5) : m.start()])
        if sign == "ª" or preceded_by_the or _ORDINAL_CONTEXT.match(text, m.end()):
            yield make_finding(doc, "MTQ406", m.start(), m.end(),
                               f"{sign!r} used as an ordinal indicator: write {ordinal!r}",
                               suggestions=(ordinal,), evidence={"reading": "ordinal"})
        elif _DEGREE_CONTEXT.match(text, m.end()):
            yield make_finding(doc, "MTQ406", m.start(), m.end(), f"{sign!r} used as a degree sign: write '°'",
                               suggestions=(f"{number}°",), evidence={"reading": "degree"})
        else:
            yield make_finding(doc, "MTQ406", m.start(), m.end(),
                               f"{sign!r} is an ordinal indicator, not a degree sign",
                               suggestions=(f"{number}°", ordinal), evidence={"reading": "unknown"})
    for m in _NUMERO.finditer(text):
        yield make_finding(doc, "MTQ406", m.start(), m.end(), "'Nº' for 'number': write 'No.'",
                           suggestions=(m.group(1).upper() + "o. ",), evidence={"reading": "numero"})
