"""Where one copy's meaning departs from the other copies of its story (MTQ602-MTQ606).

All four rules read the run's stories from :mod:`mtqa.stories` (grouped and aligned once per
run) and decide the same way which side of a disagreement is the artifact:

- a copy declared as the reference (the English original) decides when it took part;
- else, with three or more copies, the majority: the reading of this copy is reported when more
  copies give one other reading than give this copy's (this copy included);
- with two copies, nothing decides: a rule without the model reports the disagreement on both
  sides without a suggestion; MTQ603, which runs only with the model, offers the other copy's
  word and leaves the decision to the scorer.

A reference copy is never reported. Every finding's evidence lists the other copies' aligned
sentences (path, offsets, text, similarity), which the HTML report shows side by side.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import regex

from mtqa import corpora
from mtqa.calibration_file import load as load_calibration
from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.tokens import zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector, model_requests
from mtqa.stories import (CLOSE, Copy, Counterpart, Edit, Story, Token, quote, sentence_stems, stems, stories,
                          tokens, word_edits, word_matcher, word_ratio)

MIN_TOKEN_RATIO = 0.5  # two close sentences must also share this share of their tokens, in order
TIE_RATIO = 0.75  # two copies alone are compared only where they match this closely word by word
MAX_EDIT_TOKENS = 2  # a word-level disagreement is a substitution of at most this many tokens
NEGATION_EDIT_TOKENS = 5  # ... and a negation's, which rewords its clause, of at most this many


@dataclass
class _Pair:
    """This copy's sentence against one other copy's aligned sentence, word by word."""

    other: Counterpart
    edits: list[Edit]
    ratio: float


def _pairs(story: Story, copy: Copy, i: int, mine: list[Token]) -> list[_Pair]:
    """The close counterparts of sentence ``i`` of ``copy``, aligned word by word."""
    out = []
    for cp in story.counterparts(copy, i):
        if cp.similarity < CLOSE:
            continue
        theirs = cp.copy.sentence_tokens(cp.sentence)
        sm = word_matcher(mine, theirs)
        if word_ratio(sm) < MIN_TOKEN_RATIO:
            continue
        out.append(_Pair(cp, [] if sm is None else word_edits(mine, theirs, sm), word_ratio(sm)))
    return out


def _verdict(agree: list[Counterpart], alternatives: list[tuple[str, Counterpart]],
             pairs: list["_Pair"]) -> tuple[bool, str | None]:
    """(report?, suggestion) for this copy's reading, given the other copies that agree with it,
    those that read otherwise (with their reading), and how many other copies were compared."""
    for _, cp in alternatives:
        if cp.copy.reference:
            return True, _reading_of(cp, alternatives)
    if any(cp.copy.reference for cp in agree):
        return False, None
    if not alternatives:
        return False, None
    if len(pairs) == 1:
        # two copies: a tie, reported without a guess, and only between near-identical sentences
        # (two reports of one event quote and count differently without either being wrong)
        return pairs[0].ratio >= TIE_RATIO, None
    top, n = Counter(r for r, _ in alternatives).most_common(1)[0]
    if n >= 2 and n > len(agree) + 1:
        return True, top
    return False, None


def _polarity_verdict(agree: list[Counterpart], alternatives: list[tuple[str, Counterpart]],
                      pairs: list["_Pair"]) -> tuple[bool, str | None]:
    """:func:`_verdict` for a polarity: the copies that say the opposite of this one vote
    together however each words it ("remained committed", "was still committed"); the
    suggestion is the reference's wording, else the most common one."""
    report, suggestion = _verdict(agree, [("", cp) for _, cp in alternatives], pairs)
    if not report or suggestion is None:
        return report, suggestion
    ref = [r for r, cp in alternatives if cp.copy.reference]
    return True, ref[0] if ref else Counter(r for r, _ in alternatives).most_common(1)[0][0]


def _reading_of(cp: Counterpart, alternatives: list[tuple[str, Counterpart]]) -> str:
    return next(r for r, c in alternatives if c is cp)


def _evidence(story: Story, copy: Copy, i: int, extra: dict | None = None) -> dict:
    s, e = copy.sentences[i]
    return {"story": [c.path for c in story.copies], "sentence": {"start": s, "end": e},
            "copies": [cp.evidence() for cp in story.counterparts(copy, i)], **(extra or {})}


def _cite(cps: list[Counterpart]) -> str:
    cp = max(cps, key=lambda c: (c.copy.reference, c.similarity))
    more = f" and {len(cps) - 1} more" if len(cps) > 1 else ""
    return f'{cp.copy.path}{more}: "{quote(cp.text)}"'


def _span_text(doc: Document, toks: tuple[Token, ...]) -> str:
    return doc.text[toks[0].start:toks[-1].end] if toks else ""


def _candidates(docs: list[Document], ctx: Context, wanted=None, loose: bool = False
                ) -> Iterator[tuple[Story, Copy, int, list[Token], list[_Pair]]]:
    """Each sentence of each non-reference copy with its close counterparts, word-aligned.
    ``wanted(story, copy, i)`` is a cheap test that skips sentences a rule has nothing to check in
    before the word alignment is paid for; pairs are computed once per run and shared by the rules.
    ``loose``: also the sentences that have counterparts but none close (with no pairs)."""
    for story in stories(docs, ctx):
        memo = story.memo.setdefault("pairs", {})
        for copy in story.copies:
            if copy.reference:
                continue
            for i in range(len(copy.sentences)):
                if not story.counterparts(copy, i):
                    continue
                if wanted is not None and not wanted(story, copy, i):
                    continue
                if (copy.index, i) not in memo:
                    mine = copy.sentence_tokens(i)
                    memo[copy.index, i] = (mine, _pairs(story, copy, i, mine))
                mine, pairs = memo[copy.index, i]
                if pairs or loose:
                    yield story, copy, i, mine, pairs


_UNSET = object()


def _sentence_memo(story: Story, name: str, copy: Copy, i: int, compute):
    # one lookup when the value is there: the rules ask for a sentence's value from every pair
    memo = story.memo.setdefault(name, {})
    value = memo.get((copy.index, i), _UNSET)
    if value is _UNSET:
        value = memo[copy.index, i] = compute(copy, i)
    return value


# ---- MTQ602: numbers -------------------------------------------------------------------------

CONVERSION_TOLERANCE = 0.05  # converted amounts are rounded: 140 miles is 225 km, written 230
# One amount read two ways ("1.2 billion", "1,200 million") differs only in the last bits of a float.
SAME_VALUE = 1e-9
# A number in a loosely aligned sentence (split, merged, reordered) is compared with one in the
# other copy only where at least this many of the words around them agree (the two before, the one
# after): "at least 41 people" and "at least 14 people", not "in 2007" and "in 2022".
ANCHOR_WORDS = 2
MONEY = "money:"  # the dimension of a sum, with its currency after the colon ("money:lira")


@dataclass(frozen=True)
class _Inventory:
    pattern: regex.Pattern
    words: dict[str, float]
    scales: dict[str, float]
    currency_scales: dict[str, float]
    units: dict[str, tuple[tuple[str, float, float], ...]]  # each unit's readings: (dimension, factor, offset)
    currencies: dict[str, str]  # a currency's sign, code or name (lower case) -> the currency
    # Every amount or time ``pattern`` reads holds a digit, or a number word or scale where a word
    # starts: a sentence this does not match has none (most do not), and the search is cheaper.
    hint: regex.Pattern
    ordinals: dict[str, float]  # "second" -> 2: a rank is read as the number it is ("2nd" is 2)
    ordinal: regex.Pattern


def _alternation(forms) -> str:
    return "|".join(regex.escape(f) for f in sorted(forms, key=len, reverse=True))


@lru_cache(maxsize=1)
def _inventory() -> _Inventory:
    """The number conventions of corpora/quantities.toml, compiled once."""
    data = corpora.load("quantities.toml")
    nums = data["numbers"]
    words = {k.lower(): float(v) for k, v in nums["words"].items()}
    scales = {k.lower(): float(v) for k, v in nums["scales"].items()}
    cur_scales = {k.lower(): float(v) for k, v in nums["currency_scales"].items()}
    units = {k.lower(): ((d, float(f), float(o)),) for k, (d, f, o) in data["units"].items()}
    for k, either in data.get("units_either", {}).items():
        units[k.lower()] = tuple(units[u.lower()][0] for u in either)
    currencies = {form.lower(): name for name, forms in data.get("currencies", {}).items() for form in forms}
    # signs and codes stand before the amount ("$375 million", "USD 375m", "Rs 10 lakh"); names
    # after it ("375 million dollars"), where they are read as the amount's unit
    before = set(nums["currency_prefixes"]) | {f for forms in data.get("currencies", {}).values() for f in forms
                                               if not f.isalpha() or f[:1].isupper()}
    signs = [c for c in before if not c.isalpha()]
    codes = [c for c in before if c.isalpha()]
    for form in {f for forms in data.get("currencies", {}).values() for f in forms if f.islower() or " " in f}:
        units.setdefault(form.lower(), ((MONEY + currencies[form.lower()], 1.0, 0.0),))
    cardinal = _alternation(words)
    pattern = regex.compile(
        # a time of day: "9 am", "9:00", "14.00 hours", "2 p.m."
        r"(?<![\p{L}\p{N}.,:])(?P<clock>(?P<h>\d{1,2})(?:[:.](?P<mi>\d{2}))?\s?(?P<ampm>[ap])\.?\s?m\.?(?![\p{L}])"
        r"|(?P<h24>\d{1,2})(?::(?P<mi24>\d{2})(?:\s?(?:h|hrs|hours)\b)?|\.(?P<mi24b>\d{2})\s?(?:h|hrs|hours)\b))"
        r"(?![\p{N}])"
        # an amount: a currency before it, digits or words, a scale, a unit
        r"|(?:(?P<cur>(?:" + _alternation(signs) + r")|(?<![\p{L}])(?:" + _alternation(codes) + r"))[\s\u00a0]?)?"
        r"(?<![\p{L}\p{N}.,])(?:(?P<num>\p{Nd}+(?:[.,\u00a0\u202f ]\p{Nd}{3})*(?:[.,]\p{Nd}+)?)"
        r"|(?P<words>\b(?:half\s+a|a|" + cardinal + r")(?:(?:\s+and\s+|[\s-]+)(?:" + cardinal + "|"
        + _alternation(scales) + r"))*\b))"
        r"(?P<scale>\s*(?:" + _alternation(scales) + r")\b)?"
        r"(?(cur)(?P<cscale>\s?(?:" + _alternation(cur_scales) + r")(?![\p{L}\p{N}])))?"
        r"(?P<unit>\s*-?\s*(?:" + _alternation(units) + r")(?![\p{L}\p{N}]))?",
        regex.IGNORECASE,
    )
    ordinals = {k.lower(): float(v) for k, v in nums.get("ordinals", {}).items()}
    ordinal = regex.compile(r"(?<![\p{L}\p{N}])(?:" + _alternation(ordinals) + r")(?![\p{L}\p{N}])", regex.IGNORECASE)
    hint = regex.compile(r"\p{Nd}|\b(?:" + _alternation(set(words) | set(scales) | set(ordinals)) + ")",
                         regex.IGNORECASE)
    return _Inventory(pattern, words, scales, cur_scales, units, currencies, hint, ordinals, ordinal)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    values: frozenset  # the readings of the amount (1.500 may be 1.5 or 1500), scale applied
    dim: str | None  # length, mass, area, temperature, percent, clock; None for a count or a sum
    measures: frozenset = frozenset()  # (unit, value in that unit): unit = (dimension, factor, offset)

    @property
    def si(self) -> frozenset:
        return frozenset(v * f + o for (_, f, o), v in self.measures)


def _readings(num: str) -> set[float]:
    s = regex.sub(r"[\u00a0\u202f ]", ",", num)
    out = set()
    for dec, thou in ((".", ","), (",", ".")):
        parts = s.split(dec)
        if len(parts) > 2:
            continue
        head = parts[0].split(thou)
        if len(head) > 1 and any(len(h) != 3 for h in head[1:]):
            continue
        try:
            out.add(float("".join(head) + ("." + parts[1] if len(parts) == 2 else "")))
        except ValueError:
            continue
    return out


def _word_value(phrase: str, inv: _Inventory) -> float | None:
    """"three thousand" -> 3000, "twenty-five" -> 25, "half a million" -> 500000; None for what
    is no number on its own ("a", "one": an article and a pronoun)."""
    ws = [w for w in regex.split(r"[\s-]+", phrase.lower()) if w and w != "and"]
    if ws[:2] == ["half", "a"]:
        ws = ["0.5"] + ws[2:]
    if len(ws) == 1 and ws[0] in ("a", "one", "0.5"):
        return None
    if ws[0] == "a" and (len(ws) < 2 or ws[1] not in inv.scales):
        return None
    total, current = 0.0, 0.0
    for w in ws:
        if w in ("a", "0.5"):
            current += 1.0 if w == "a" else 0.5
        elif w in inv.words:
            current += inv.words[w]
        elif inv.scales.get(w, 0) < 1000:
            current = (current or 1.0) * inv.scales[w]
        else:
            total += (current or 1.0) * inv.scales[w]
            current = 0.0
    return total + current


_RANGE = regex.compile(r"\s*(?:and|to|or|-|–|—)\s*", regex.IGNORECASE)
_RANGE_OPENS = regex.compile(r"\b(?:between|from)\s+$", regex.IGNORECASE)


def quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    inv = _inventory()
    end = len(text) if end is None else end
    if not inv.hint.search(text, start, end):
        return []
    out = []
    bare: list[tuple[Quantity, set]] = []  # amounts written without scale, unit or currency, with their readings
    scaled: dict[int, tuple[Quantity, float]] = {}  # the others by start, with their scale
    for m in inv.pattern.finditer(text, start, end):
        if m.group("clock"):
            minutes = _clock(m)
            if minutes:  # "13 pm" is no time of day: nothing to compare
                out.append(Quantity(m.start(), m.end(), minutes, "clock"))
            continue
        if m.group("num"):
            vals = _readings(m.group("num"))
            begin = m.start("num")
        else:
            v = _word_value(m.group("words"), inv)
            vals = set() if v is None else {v}
            begin = m.start("words")
        if not vals:
            continue
        scale = inv.scales[m.group("scale").strip().lower()] if m.group("scale") else 1.0
        if m.group("cscale"):
            scale *= inv.currency_scales[m.group("cscale").strip().lower()]
        vals = {v * scale for v in vals}
        dim, measures = None, set()
        if m.group("unit"):
            unit = regex.sub(r"\s+", " ", m.group("unit").strip(" -\u00a0").lower())
            for u in inv.units.get(unit, ()):
                dim = u[0]
                measures |= {(u, v) for v in vals}
        if m.group("cur") and m.group("cur").lower() in inv.currencies:
            u = (MONEY + inv.currencies[m.group("cur").lower()], 1.0, 0.0)
            dim, measures = u[0], {(u, v) for v in vals}
            begin = m.start()  # the sign is part of the sum: "$300 million" against "£300 million"
        out.append(Quantity(begin, m.end(), frozenset(vals), dim, frozenset(measures)))
        if scale == 1.0 and not m.group("unit") and not m.group("cur"):
            bare.append((out[-1], {v for v in vals}))
        elif scale != 1.0:
            scaled[begin] = (out[-1], scale)
    # a range says its scale, unit or currency once, after its second bound: "between 600 and 800
    # million euros" is 600 million to 800 million euros, "3-4 billion" 3 billion to 4 billion
    for q, vals in bare:
        m = _RANGE.match(text, q.end)
        if not (m and m.end() in scaled):
            continue
        other, scale = scaled[m.end()]
        # a range opens with "between" or "from", or is joined by a dash, and rises ("for 2025 to
        # 9.2 billion" is a year and a sum)
        opened = m.group(0).strip() in "-–—" or _RANGE_OPENS.search(text, max(0, q.start - 12), q.start)
        if opened and all(v < min(other.values) / scale for v in vals):
            measures = {(u, v * scale) for u, _ in other.measures for v in vals}
            out[out.index(q)] = dataclasses.replace(q, values=frozenset(v * scale for v in vals), dim=other.dim,
                                                    measures=frozenset(measures))
    for m in inv.ordinal.finditer(text, start, end):
        if not any(q.start < m.end() and m.start() < q.end for q in out):
            out.append(Quantity(m.start(), m.end(), frozenset({inv.ordinals[m.group(0).lower()]}), None))
    if len(out) > 1:
        out.sort(key=lambda q: q.start)
    return out


def _clock(m) -> frozenset:
    """Minutes after midnight; a 12-hour time without am or pm may be either."""
    if m.group("ampm"):
        h, mi = int(m.group("h")), int(m.group("mi") or 0)
        if h > 12:
            return frozenset()
        return frozenset({(h % 12 + (12 if m.group("ampm").lower() == "p" else 0)) * 60 + mi})
    h, mi = int(m.group("h24")), int(m.group("mi24") or m.group("mi24b") or 0)
    return frozenset({h * 60 + mi} | ({(h + 12) * 60 + mi} if 1 <= h < 12 else set()))


def _close(a, b, tol: float = SAME_VALUE) -> bool:
    return any(math.isclose(x, y, rel_tol=tol) for x in a for y in b)


def _same(a: Quantity, b: Quantity) -> bool:
    """One amount, however written: the same unit and value, or converted within rounding."""
    if a.dim and b.dim:
        if a.dim != b.dim:
            return False
        if not (a.measures and b.measures):
            return _close(a.values, b.values)
        return any(math.isclose(x, y, rel_tol=SAME_VALUE) if ua == ub else
                   math.isclose(x * ua[1] + ua[2], y * ub[1] + ub[2], rel_tol=CONVERSION_TOLERANCE)
                   for ua, x in a.measures for ub, y in b.measures)
    return _close(a.values, b.values)


def _kind(dim: str | None) -> str | None:
    # a sum is a sum whatever its currency, and a figure whose currency is not written may be one;
    # a share and a difference of shares are one kind: "25 percent" where the others say "25
    # basis points" is a changed figure (a share is no difference of shares)
    if dim == "points":
        return "percent"
    return None if dim is None or dim.startswith(MONEY) else dim


def _comparable(a: Quantity, b: Quantity) -> bool:
    """Two amounts of one kind (a count and a count, a length and a length, two sums in any
    currencies): the only ones whose difference is a changed figure rather than two different
    facts."""
    return _kind(a.dim) == _kind(b.dim)


def _anchor(text: str, q: Quantity, sentence: tuple[int, int]) -> list[str]:
    """The two words before ``q`` and the one after, in lower case."""
    before = [t.norm for t in tokens(text, sentence[0], q.start)][-2:]
    after = [t.norm for t in tokens(text, q.end, sentence[1])][:1]
    return before + after


def _anchored_reading(copy: Copy, i: int, q: Quantity, mine_q: list[Quantity], cp: Counterpart,
                      theirs_q: list[Quantity]) -> Quantity | None:
    """The one quantity of ``cp``'s sentence that ``q`` stands for, in sentences too unlike word by
    word for difflib (split, merged, reordered): a quantity of the same kind that no quantity of
    this sentence matches, written among the same words."""
    if any(_same(q, t) for t in theirs_q):
        return None
    if sum(1 for m in mine_q if _comparable(m, q) and not any(_same(m, t) for t in theirs_q)) != 1:
        return None  # two changed figures of one kind here: which stands for which is a guess
    mine_ctx = Counter(_anchor(copy.doc.text, q, copy.sentences[i]))
    other = cp.copy
    hits, loose = [], []
    for t in theirs_q:
        if not _comparable(q, t) or any(_same(t, m) for m in mine_q):
            continue
        theirs_ctx = Counter(_anchor(other.doc.text, t, other.sentences[cp.sentence]))
        shared = sum((mine_ctx & theirs_ctx).values())
        if shared >= ANCHOR_WORDS:
            hits.append(t)
        elif shared:
            loose.append(t)
    if len(hits) == 1:
        return hits[0]
    # the one changed figure of its kind on each side, with a word around it in common: "in three
    # years" and "in two years", "voted four of six" and "five of the six"
    return loose[0] if not hits and len(loose) == 1 and sum(
        1 for t in theirs_q if _comparable(q, t) and not any(_same(t, m) for m in mine_q)) == 1 else None


def _edit_reading(q: Quantity, p: "_Pair", theirs_q: list[Quantity]) -> Quantity | None:
    """The quantity of a closely aligned sentence that difflib puts where ``q`` stands."""
    for ed in p.edits:
        if ed.tag != "replace" or ed.mine[-1].end <= q.start or ed.mine[0].start >= q.end:
            continue  # this edit is not about q
        hits = [t for t in theirs_q if t.start < ed.theirs[-1].end and t.end > ed.theirs[0].start
                and _comparable(q, t)]
        if len(hits) == 1 and len(ed.mine) <= MAX_EDIT_TOKENS + 1 and len(ed.theirs) <= MAX_EDIT_TOKENS + 1:
            return hits[0]
        return None
    return None


@detector("MTQ602")
def cross_copy_number(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Compares the numbers and amounts of each sentence with the same sentence in the other copies
    of the story and reports one that disagrees once both are normalised: "101 people" where the
    other copies say "100 people", "1.5 billion" against "1.5 million", "12,000 acres" against
    "12,000 hectares". Written forms that agree are left alone: "1,5 million" and "1.5 million",
    "1.2 billion" and "1,200 million", "three thousand" and "3,000", "$375 million" and
    "USD 375m", "5 per cent" and "5%", "9 am" and "9:00", "140 miles" and "230 kilometres",
    "44 degrees Celsius" and "111 degrees Fahrenheit" (converted, within rounding). A sum is
    compared with its currency: "8,500 dirhams" where the other copies say "8,500 soms" is one
    figure in two currencies; a sum whose currency is not written agrees with any. The
    conventions are data: corpora/quantities.toml.

    Why is this bad:
    A number changed in translation is a factual error the reader cannot see: it reads as
    fluently as the right one. The other copies of the story are the evidence.

    The majority of copies decides which side is wrong (the reference copy, when one is
    declared, decides alone); with two copies the disagreement is reported in both without a
    suggestion. In sentences aligned closely word by word, numbers are compared where they stand
    in the same place; in sentences that another copy split, merged or reordered, only a number
    of the same kind with the same words around it ("at least 41 people", "at least 14 people"),
    and only when it is the one figure of its kind that disagrees (with one word around it in
    common where it is also the one such figure in the other copy: "in three years", "in two
    years"). A rank written as a word is its number ("second", "2nd"); a share and a difference
    of shares are compared ("25 percent" against "25 basis points" disagree).

    Example:
    copies: "a total of 127 people arrived", "a total of 127 people arrived",
    "a total of 172 people arrived" -> "172" in the third is reported, with "127" suggested.
    """
    def sentence_q(c: Copy, k: int) -> tuple[list[Quantity], tuple]:
        # with what each amount reads as: two sentences whose amounts read alike agree throughout
        # (copies of a story repeat sentences word for word), with no pair to compare
        s, e = c.sentences[k]
        # A sentence read once per story: the pattern sees the sentence and, in its lookbehinds,
        # the one character before it, so the same text after the same character reads the same.
        key = (s == 0, c.doc.text[max(0, s - 1):e])
        if key not in by_text:
            found = quantities(c.doc.text, s, e)
            by_text[key] = (s, found, tuple((q.values, q.dim, q.measures) for q in found))
        s0, found, read = by_text[key]
        if s != s0:
            found = [dataclasses.replace(q, start=q.start + s - s0, end=q.end + s - s0) for q in found]
        return found, read

    for story in stories(docs, ctx):
        by_text: dict[tuple[bool, str], tuple[int, list[Quantity], tuple]] = {}
        for copy in story.copies:
            if copy.reference:
                continue
            for i in range(len(copy.sentences)):
                cps = story.counterparts(copy, i) + story.parts(copy, i)
                if not cps:
                    continue
                mine_q, mine_read = _sentence_memo(story, "quantities", copy, i, sentence_q)
                if not mine_q:
                    continue  # no number here: nothing to compare
                theirs = [_sentence_memo(story, "quantities", cp.copy, cp.sentence, sentence_q) for cp in cps]
                theirs_qs = [tq for tq, _ in theirs]
                if all(any(_same(q, t) for t in tq) for q in mine_q for tq, read in theirs if read != mine_read):
                    continue
                yield from _number_findings(story, copy, i, mine_q, cps, theirs_qs)


def _pair(story: Story, copy: Copy, i: int, cp: Counterpart) -> "_Pair | None":
    """Sentence ``i`` of ``copy`` against ``cp`` word by word, when the two are close (see
    :func:`_pairs`); computed only for the counterparts a number is compared with."""
    memo = story.memo.setdefault("pair", {})
    key = (copy.index, i, cp.copy.index, cp.sentence)
    if key not in memo:
        memo[key] = None
        if cp.similarity >= CLOSE:
            mine = copy.sentence_tokens(i)
            theirs = cp.copy.sentence_tokens(cp.sentence)
            sm = word_matcher(mine, theirs)
            if word_ratio(sm) >= MIN_TOKEN_RATIO:
                memo[key] = _Pair(cp, [] if sm is None else word_edits(mine, theirs, sm), word_ratio(sm))
    return memo[key]


def _number_findings(story: Story, copy: Copy, i: int, mine_q: list[Quantity], cps: list[Counterpart],
                     theirs_qs: list[list[Quantity]]) -> Iterator[Finding]:
    text = copy.doc.text
    # _verdict needs how many copies were compared, and with two copies how closely
    compared = [_pair(story, copy, i, cps[0]) or _Pair(cps[0], [], 0.0)] if len(cps) == 1 else \
        [_Pair(cp, [], 0.0) for cp in cps]
    for q in mine_q:
        agree: list[Counterpart] = []
        readings: list[tuple[frozenset, str, Counterpart]] = []
        for cp, theirs_q in zip(cps, theirs_qs):
            if any(_same(q, t) for t in theirs_q):
                agree.append(cp)
                continue
            p = _pair(story, copy, i, cp)
            t = _edit_reading(q, p, theirs_q) if p is not None else None
            if t is None:  # reordered, split or merged: difflib's edits do not pair the figures
                t = _anchored_reading(copy, i, q, mine_q, cp, theirs_q)
            if t is not None:
                readings.append((t, cp.copy.doc.text[t.start:t.end], cp))
        if not readings:
            continue
        # "1.5 million" and "1,5 million" in two other copies are one reading, written as the
        # reference copy writes it where one has it (the English original's form is the fix)
        readings.sort(key=lambda r: not r[2].copy.reference)
        groups: list[tuple[Quantity, str]] = []
        for t, written, _ in readings:
            if not any(_same(t, g) for g, _ in groups):
                groups.append((t, written))
        alternatives = [(next(w for g, w in groups if _same(t, g)), cp) for t, _, cp in readings]
        report, suggestion = _verdict(agree, alternatives, compared)
        if not report:
            continue
        cps_alt = [cp for _, cp in alternatives]
        yield make_finding(
            copy.doc, "MTQ602", q.start, q.end,
            f"{text[q.start:q.end]!r} disagrees with the other copies of this story ({_cite(cps_alt)})"
            + ("" if suggestion else "; no majority decides which is right"),
            suggestions=(suggestion,) if suggestion else (),
            evidence=_evidence(story, copy, i, {"readings": [r for r, _ in alternatives],
                                                "agree": len(agree)}),
        )


# ---- MTQ603: content words -------------------------------------------------------------------

_FUNCTION_MAX_ZIPF = 6.0  # words this common (the, of, and, was) carry grammar, not content
# The margin (nats, log p(other copies' word) - log p(this copy's word) in this copy's own context)
# that the model must give the other copies' word: models/calibration.json [cross-copy-wording],
# written by scripts/calibrate_cross_copy_wording.py on the development set. The detector states it
# in the finding's evidence; the scorer, which computes the margin, drops what falls short.
WORDING_SECTION = "cross-copy-wording"
# Until that script has written its section: no margin is enough (nothing is kept).
DEFAULT_WORDING = {"min_margin": 40.0, "sure_margin": 41.0}


def wording_margins() -> tuple[float, float]:
    sec = load_calibration().get(WORDING_SECTION, DEFAULT_WORDING)
    return float(sec["min_margin"]), float(sec["sure_margin"])


def _content(tok: Token) -> bool:
    return tok.text[0].isalpha() and tok.text[0].islower() and zipf(tok.norm) < _FUNCTION_MAX_ZIPF


def _inflection(a: str, b: str) -> bool:
    """Same word in another form (evacuation/evacuations, say/said is not caught, nor needed)."""
    a, b = a.lower(), b.lower()
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 4 and max(len(a), len(b)) - n <= 3


def _compound(a: str, b: str) -> bool:
    """"second-largest" and "second largest", "above-mentioned" and "above": one word written as
    a compound or split, or a part of it, not another word."""
    a, b = regex.sub(r"[^\p{L}]", "", a.lower()), regex.sub(r"[^\p{L}]", "", b.lower())
    return a in b or b in a


@model_requests("MTQ603")
def cross_copy_wording_requests(docs: list[Document], ctx: Context) -> list:
    return []  # the model judges MTQ603's suggestions in the scorer, not in the detector


@detector("MTQ603")
def cross_copy_wording(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a content word where this copy departs from the wording the other copies of the story
    share: "it was unclear whether a new eviction would take place" where the other copies say
    "evacuation". Sentences that match closely are compared word by word; one that another copy
    words otherwise ("The Skyline action gained ..." against "Skyline shares rose ...") by its
    content words, paired between the words both carry. The other copies' word is
    suggested, and the language model then judges it against this copy's word in this copy's
    own context: the finding stays only where the model prefers the other copies' word by the
    margin stated in its evidence (calibrated on a development set of many translations of the
    same sources, for few false alarms on the human translations among them), and stays major
    only beyond every false alarm of that set.

    Why is this bad:
    A wrong sense picked by machine translation (eviction for evacuation, a false friend, a
    garbled term) reads as fluent English; no lexicon lists every such pair, but the other
    translations of the same sentence show the word that was meant.

    Synonyms are left to the majority and the model: with three or more copies, no other copy may
    use this copy's word, and more than half of all the copies (at least three) must share the
    other word; with two, the reference copy decides, or else the model alone. Only single
    words (or two-word phrases) are compared, in lower case (names are MTQ601's), and another
    form of the same word (evacuation, evacuations) is no disagreement.

    Example:
    copies: "whether a new evacuation would take place" (twice),
    "whether a new eviction would take place" -> "eviction" is reported, "evacuation" suggested.
    """
    min_margin, sure_margin = wording_margins()
    for story, copy, i, mine, pairs in _candidates(docs, ctx, loose=True):
        text = copy.doc.text
        spans: dict[tuple[int, int], list[tuple[str, Counterpart]]] = {}
        for p in pairs:
            for ed in p.edits:
                if ed.tag != "replace" or not (1 <= len(ed.mine) <= MAX_EDIT_TOKENS) \
                        or not (1 <= len(ed.theirs) <= MAX_EDIT_TOKENS):
                    continue
                if not all(_content(t) for t in ed.mine + ed.theirs):
                    continue
                if len(ed.mine) == len(ed.theirs) == 1 and _inflection(ed.mine[0].text, ed.theirs[0].text):
                    continue
                if _compound(_span_text(copy.doc, ed.mine), _span_text(p.other.copy.doc, ed.theirs)):
                    continue
                key = (ed.mine[0].start, ed.mine[-1].end)
                spans.setdefault(key, []).append((_span_text(p.other.copy.doc, ed.theirs), p.other))
        # Every aligned sentence of the other copies is compared, the loosely worded ones too
        # ("The Skyline action gained 3,4% on the Stockholm stock exchange" against "Skyline shares
        # rose 3.4 percent in Stockholm"): their content words are aligned on the words both carry.
        compared = list(pairs)
        close = {(p.other.copy.index, p.other.sentence) for p in pairs}
        for cp in story.counterparts(copy, i):
            if (cp.copy.index, cp.sentence) in close:
                continue
            compared.append(_Pair(cp, [], 0.0))  # never close enough for a two-copy tie
            for a, b in _loose_substitutions(mine, cp.copy.sentence_tokens(cp.sentence)):
                if not (_content(a) and _content(b)) or _inflection(a.text, b.text) or _compound(a.text, b.text):
                    continue
                if any(s < a.end and a.start < e for s, e in spans if (s, e) != (a.start, a.end)):
                    continue  # a close copy's edit already covers this word
                spans.setdefault((a.start, a.end), []).append((b.text, cp))
        for (s, e), alternatives in spans.items():
            written = text[s:e].lower()
            mine_stems = [w[:_STEM] for w in written.split()]
            aligned = {(cp.copy.index, cp.sentence) for _, cp in alternatives}
            agree: list[Counterpart] = []
            present = 0
            for p in compared:
                cp = p.other
                if (cp.copy.index, cp.sentence) in aligned:
                    continue
                theirs = sentence_stems(story, cp.copy, cp.sentence)
                if written in cp.text.lower() or all(w in theirs for w in mine_stems):
                    agree.append(cp)
                    continue
                # A copy that aligns no word here but carries (another form of) a word another copy
                # aligned here, and not this copy's, reads it too: "the lira has lost ... it
                # strengthened by 1.5%" against "the Turkish pound, which lost ... rose by 1.5%".
                held = {r for r, _ in alternatives if all(w.lower()[:_STEM] in theirs for w in r.split())}
                if len(held) == 1:
                    alternatives.append((held.pop(), cp))
                    present += 1
            report, suggestion = _verdict(agree, alternatives, compared)
            if not report:
                continue
            if len(compared) > 1 and not any(cp.copy.reference for _, cp in alternatives):
                # Wording is where translations legitimately differ most: this copy's word must be
                # its own (no other copy uses it), and more than half of all the copies (this one
                # included), at least three, must share the other word.
                n = sum(1 for r, _ in alternatives if r == suggestion)
                if agree or n < 3 or 2 * n <= len(compared) + 1:
                    continue
            if suggestion is None:  # two copies: the model decides between the two words
                suggestion = alternatives[0][0]
            cps = [cp for r, cp in alternatives if r == suggestion]
            yield make_finding(
                copy.doc, "MTQ603", s, e,
                f"{text[s:e]!r}: the other copies of this story say {suggestion!r} ({_cite(cps)})",
                suggestions=(suggestion,),
                evidence=_evidence(story, copy, i, {"readings": [r for r, _ in alternatives],
                                                    "agree": len(agree), "present": present,
                                                    "min_margin": min_margin, "sure_margin": sure_margin}),
            )


_STEM = 5  # another form of a word shares its first five letters (renovated, renovations), as in
# the story grouping and MTQ607
LOOSE_BLOCK = 2  # in a loosely worded sentence, words are paired only in runs this short


def _anchor_key(tok: Token) -> str | None:
    """The form a word is aligned in against a loosely worded counterpart: a content word by its
    first five letters, a number by its digits (3,4% and 3.4%); function words and punctuation,
    which such sentences order and choose freely, are left out."""
    n = tok.norm
    if n[0].isdigit():
        return regex.sub(r"\D", "", n)
    if not n[0].isalpha() or zipf(n) >= _FUNCTION_MAX_ZIPF:
        return None
    return n[:_STEM]


def _loose_substitutions(mine: list[Token], theirs: list[Token]) -> list[tuple[Token, Token]]:
    """Words of this sentence that stand where a loosely worded counterpart has another word:
    runs of at most LOOSE_BLOCK content words, as many on each side, between two words that both
    sentences carry, paired in order ("action gained" between "Skyline" and "Stockholm" against
    "shares rose")."""
    a = [(t, k) for t in mine if (k := _anchor_key(t))]
    b = [(t, k) for t in theirs if (k := _anchor_key(t))]
    if not a or not b:
        return []
    sm = difflib.SequenceMatcher(None, [k for _, k in a], [k for _, k in b], autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1 <= LOOSE_BLOCK and i1 > 0 and i2 < len(a) \
                and j1 > 0 and j2 < len(b):
            out.extend(zip((t for t, _ in a[i1:i2]), (t for t, _ in b[j1:j2])))
    return out


# ---- MTQ604: polarity --------------------------------------------------------------------------

_NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot".split())
_NT = {"won't": "will", "can't": "can", "cannot": "can", "shan't": "shall"}


def _negative(tok: Token) -> bool:
    n = tok.norm
    return n in _NEGATIONS or n.endswith("n't")


# Verbs that say "did not" in other words: "failed to approve" where another copy has "did not
# approve", "unable to" for "could not" (the periphrastic negations of English grammars, e.g.
# Huddleston & Pullum 2002, ch. 9). They count as a negation when "to" follows, or when an edit
# ends on them.
_NEGATIVE_VERBS = frozenset("fail fails failed failing unable refuse refuses refused refusing".split())
# Verbs that deny what follows them wherever they stand: "Kaneda denied that it had known" says
# what "Kaneda said it had not known" says.
_DENIALS = frozenset("deny denies denied denying".split())


# Every sentence with a negation by _negations matches this (it may match more: "no-one",
# "failure"); a sentence it does not match has none.
_NEGATION_HINT = regex.compile(
    r"(?<![\p{L}\p{M}])(?:" + "|".join(sorted(_NEGATIONS | _NEGATIVE_VERBS | _DENIALS | {"rather", "instead"}))
    + r")(?![\p{L}\p{M}])|n['’]t(?![\p{L}\p{M}])",
    regex.IGNORECASE)


# "an opportunity rather than a threat" says "an opportunity, not a threat"
_CONTRASTS = {"rather": "than", "instead": "of"}


def _negations(toks) -> int:
    toks = list(toks)
    return sum(1 for k, t in enumerate(toks)
               if _negative(t) or t.norm in _DENIALS
               or (t.norm in _NEGATIVE_VERBS and (k + 1 == len(toks) or toks[k + 1].norm == "to"))
               or (t.norm in _CONTRASTS and k + 1 < len(toks) and toks[k + 1].norm == _CONTRASTS[t.norm]))


@detector("MTQ604")
def cross_copy_polarity(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a sentence whose negation differs from the same sentence in the other copies of the
    story: a "not", "no longer", "never" or "n't" dropped or added in translation ("Some have
    decided to travel to Zaporizhia" where the other copies say "decided not to travel").
    "Failed to", "unable to", "refused to" and "denied" count as negations, so "failed to
    approve" and "did not approve", "denied that it had known" and "said it had not known" agree.
    A word that says the opposite of the other copies' word is reported the same way: "the
    shares rose" where they say "fell", "approved" against "rejected", "welcomed" against
    "criticised" (the pairs are data, corpora/polarity.toml; synonyms of one side agree).

    Why is this bad:
    A dropped negation turns the sentence into its opposite and stays perfectly fluent: neither
    a reader nor a language model can see it without the other copies.

    The majority of the copies decides (or the reference copy); with two copies the
    disagreement is reported in both, without a suggestion; the copies that say the opposite of
    this one count together however each words it. Where this copy lacks the negation, the word
    before the place where the others have it is reported, with the negation added (the verb
    after it where the negation comes with an auxiliary: "had not found"); where it has an extra
    "not", the "not" is reported, with its removal suggested; where it words the other polarity
    otherwise ("is no longer committed" for "remained committed"), those words are reported,
    with the other copies' words suggested.

    Example:
    copies: "decided not to travel" (twice), "decided to travel" -> "decided" is reported in the
    third, with "decided not" suggested.
    """
    # A sentence counted once per run: the hint's lookbehind sees the one character before the
    # sentence, so the same text after the same character counts the same.
    by_text: dict[tuple[str, str], int] = {}

    def count(c: Copy, k: int) -> int:
        s, e = c.sentences[k]
        text = c.doc.text
        key = (text[s - 1:s], text[s:e])
        n = by_text.get(key)
        if n is None:
            # most sentences have no negation: no need to tokenise them
            n = by_text[key] = _negations(c.sentence_tokens(k)) if _NEGATION_HINT.search(text, s, e) else 0
        return n

    def sides(c: Copy, k: int) -> tuple:
        # how many words of each side ("rose", "climbed": direction+) a sentence holds
        s, e = c.sentences[k]
        side = _opposites().side
        # a dictionary look-up per word: cheaper than the inventory's alternation over the sentence
        found = [x for w in _WORD.findall(c.doc.text, s, e) for x in side.get(w.lower(), ())]
        return tuple(sorted(Counter(found).items()))

    def wanted(story: Story, c: Copy, k: int) -> bool:
        n = _sentence_memo(story, "negations", c, k, count)
        mine = _sentence_memo(story, "opposite words", c, k, sides)
        if mine:
            flipped = [(_flip(x), n) for x, n in mine]
            for cp in story.counterparts(c, k):
                if cp.similarity >= CLOSE:
                    theirs = dict(_sentence_memo(story, "opposite words", cp.copy, cp.sentence, sides))
                    if any(theirs.get(x, 0) > dict(mine).get(x, 0) for x, _ in flipped):
                        return True  # "rose" here, a close counterpart has one more "fell"
        return any(_sentence_memo(story, "negations", cp.copy, cp.sentence, count) != n
                   for cp in story.counterparts(c, k) if cp.similarity >= CLOSE)

    for story, copy, i, mine, pairs in _candidates(docs, ctx, wanted):
        yield from _opposite_findings(story, copy, i, mine, pairs)
        text = copy.doc.text
        n_mine = _negations(mine)
        agree, alternatives, where = [], [], {}
        for p in pairs:
            theirs = p.other.copy.sentence_tokens(p.other.sentence)
            if _negations(theirs) == n_mine:
                agree.append(p.other)
                continue
            # the edits that change the polarity the way the whole sentences differ; "neither
            # affect ... nor delay" against "affect ... and delay" is two, the first is reported.
            # A negation rewords its clause ("is no longer committed" for "remained committed",
            # "stated that people were living" for "said nobody lived"): up to NEGATION_EDIT_TOKENS.
            more = _negations(theirs) > n_mine
            neg_edits = [ed for ed in p.edits
                         if (_negations(ed.theirs) > _negations(ed.mine)) == more
                         and _negations(ed.mine) != _negations(ed.theirs)
                         and len(ed.mine) <= NEGATION_EDIT_TOKENS and not _lexical_negation(ed)]
            if not neg_edits:
                continue
            fixes = [_polarity_fix(text, ed) for ed in neg_edits]
            if any(span is None for span, _ in fixes):
                continue
            # one span from the first place to the last, their words at each place, this copy's
            # between: "would ... and" -> "would neither affect its production plans nor"
            span, fix = fixes[0]
            for (s2, e2), fix2 in fixes[1:]:
                if s2 < span[1]:
                    break
                fix = fix + text[span[1]:s2] + fix2
                span = (span[0], e2)
            alternatives.append((fix, p.other))
            where[fix] = span
        # every counterpart counts among the copies compared: a story of four copies is no tie of
        # two where only one counterpart is close word by word
        paired = {id(p.other) for p in pairs}
        report, suggestion = _polarity_verdict(agree, alternatives, pairs + [
            _Pair(cp, [], 0.0) for cp in story.counterparts(copy, i) if id(cp) not in paired])
        if not report:
            continue
        fix = suggestion if suggestion is not None else alternatives[0][0]
        s, e = where[fix]
        cps = [cp for r, cp in alternatives if r == fix]
        yield make_finding(
            copy.doc, "MTQ604", s, e,
            f"the negation differs from the other copies of this story ({_cite(cps)})"
            + ("" if suggestion is not None else "; no majority decides which is right"),
            suggestions=(suggestion,) if suggestion is not None else (),
            evidence=_evidence(story, copy, i, {"agree": len(agree)}),
        )


_WORD = regex.compile(r"[\p{L}\p{M}]+")


@dataclass(frozen=True)
class _Opposites:
    side: dict[str, frozenset]  # word -> the sides it is on ("direction+", "direction-")
    hint: regex.Pattern  # matches every sentence holding such a word


@lru_cache(maxsize=1)
def _opposites() -> _Opposites:
    """The opposite words of corpora/polarity.toml, compiled once."""
    side: dict[str, set] = {}
    for pair in corpora.load("polarity.toml").get("opposites", []):
        for key, sign in (("one", "+"), ("other", "-")):
            for w in pair[key]:
                side.setdefault(w.lower(), set()).add(pair["name"] + sign)
    hint = regex.compile(r"(?<![\p{L}\p{M}])(?:" + _alternation(side) + r")(?![\p{L}\p{M}])", regex.IGNORECASE)
    return _Opposites({w: frozenset(v) for w, v in side.items()}, hint)


def _flip(side: str) -> str:
    return side[:-1] + ("-" if side.endswith("+") else "+")


def _opposite_findings(story: Story, copy: Copy, i: int, mine: list[Token], pairs: list[_Pair]
                       ) -> Iterator[Finding]:
    """Each word of this sentence with an opposite (corpora/polarity.toml) where the other copies'
    aligned words say the opposite: "the Sensex rose" where they say "fell"."""
    sides = _opposites().side
    # counterparts too reordered or reworded for difflib's word alignment ("the rupee after the
    # announcement slightly weakened ..., and the Sensex rose" against "the rupee weakened
    # slightly ..., while the Sensex fell") are compared by how many words of each side the two
    # sentences hold
    paired = {id(p.other) for p in pairs}
    loose = [cp for cp in story.counterparts(copy, i) if id(cp) not in paired]
    for tok in mine:
        mine_sides = sides.get(tok.norm)
        if not mine_sides:
            continue
        agree, alternatives = [], []
        for cp in loose:
            verdict = _side_counts(mine, cp.copy.sentence_tokens(cp.sentence), mine_sides)
            if verdict is True:
                agree.append(cp)
            elif verdict:
                alternatives.append((verdict, cp))
        for p in pairs:
            ed = next((ed for ed in p.edits if any(t is tok for t in ed.mine)), None)
            if ed is None:
                agree.append(p.other)  # the same word there
                continue
            theirs = [(t, sides.get(t.norm, frozenset())) for t in ed.theirs]
            if any(ts & mine_sides for _, ts in theirs):
                agree.append(p.other)  # a synonym there ("fell", "weakened")
                continue
            if ed.tag != "replace" or len(ed.mine) > NEGATION_EDIT_TOKENS or len(ed.theirs) > NEGATION_EDIT_TOKENS:
                continue
            flipped = {_flip(x) for x in mine_sides}
            if any(sides.get(t.norm, frozenset()) & {_flip(x) for x in flipped} for t in ed.mine if t is not tok):
                continue  # both sides in this copy's words: no single word to change
            opposite = next((t for t, ts in theirs if ts & flipped), None)
            if opposite is None:
                continue
            alternatives.append((opposite.norm, p.other))
        report, suggestion = _polarity_verdict(agree, alternatives, pairs + [_Pair(cp, [], 0.0) for cp in loose])
        if not report:
            continue
        cps = [cp for r, cp in alternatives if r == (suggestion or alternatives[0][0])]
        yield make_finding(
            copy.doc, "MTQ604", tok.start, tok.end,
            f"{tok.text!r} says the opposite of the other copies of this story ({_cite(cps)})"
            + ("" if suggestion is not None else "; no majority decides which is right"),
            suggestions=(suggestion,) if suggestion is not None else (),
            evidence=_evidence(story, copy, i, {"agree": len(agree)}),
        )


def _side_counts(mine: list[Token], theirs: list[Token], mine_sides: frozenset) -> bool | str | None:
    """A loosely aligned counterpart against this sentence's word of ``mine_sides``: True where
    it holds as many words of that side, the other copy's opposite word where this sentence has
    one more of the side and the counterpart one more of the opposite side, else None."""
    sides = _opposites().side

    def count(toks, side):
        return sum(1 for t in toks if side in sides.get(t.norm, ()))

    for side in mine_sides:
        n_mine, n_theirs = count(mine, side), count(theirs, side)
        if n_mine == n_theirs:
            return True
        opp = _flip(side)
        if n_mine == n_theirs + 1 and count(theirs, opp) == count(mine, opp) + 1 and n_mine == 1:
            return next(t.norm for t in theirs if opp in sides.get(t.norm, ()) and
                        not any(m.norm == t.norm for m in mine))
    return None


_NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")


def _lexical_negation(ed: Edit) -> bool:
    """"not clear" against "unclear", "did not agree" against "disagreed": the same polarity."""
    words = {t.norm for t in ed.mine + ed.theirs}
    # in any form: "no change" against "kept unchanged"
    return any(t.norm.startswith(p) and any(w == (rest := t.norm[len(p):].lstrip("-")) or _inflection(rest, w)
                                            for w in words)
               for t in ed.mine + ed.theirs for p in _NEGATIVE_PREFIXES)


def _polarity_fix(text: str, ed: Edit) -> tuple[tuple[int, int] | None, str]:
    """(span in this copy, its replacement) that gives this copy the other copy's polarity."""
    mine_neg = [t for t in ed.mine if _negative(t)]
    if mine_neg and not any(_negative(t) for t in ed.theirs):
        t = mine_neg[0]
        if t.norm == "not":
            s = t.start
            while s > 0 and text[s - 1] in " \t":
                s -= 1
            return (s, t.end), ""
        if t.norm.endswith("n't") or t.norm == "cannot":
            base = _NT.get(t.norm, t.text[:-3])
            return (t.start, t.end), base
        if ed.tag == "replace" and len(ed.theirs) <= MAX_EDIT_TOKENS + 1:
            # "is no longer" for "remained", "nobody" for "people": their words, as deleting the
            # negative word would leave "is longer"
            return (ed.mine[0].start, ed.mine[-1].end), text_of(ed.theirs)
        return (t.start, t.end), ""
    theirs_neg = [t for t in ed.theirs if _negative(t)]
    if not mine_neg and _negations(ed.mine) and not _negations(ed.theirs) and ed.tag == "replace" \
            and len(ed.theirs) <= MAX_EDIT_TOKENS + 1:
        # "refused to lower" or "denied" here, "agreed to lower" or "admitted" there: their words
        return (ed.mine[0].start, ed.mine[-1].end), text_of(ed.theirs)
    if mine_neg or _negations(ed.mine) or not _negations(ed.theirs):
        return None, ""
    if not theirs_neg:  # "failed to approve" against this copy's "approved": their words
        if ed.tag == "replace" and len(ed.theirs) <= MAX_EDIT_TOKENS + 1:
            return (ed.mine[0].start, ed.mine[-1].end), text_of(ed.theirs)
        return None, ""
    # the negation with the words that come with it ("had not" where this copy has "they found")
    neg = text_of(ed.theirs) if len(ed.theirs) <= MAX_EDIT_TOKENS else theirs_neg[0].text
    # reported on the word before ("decided" not to travel, "could" not impose), unless the
    # negation comes with its auxiliary, which stands before the verb ("they had not found")
    if ed.tag == "insert" and ed.before is not None and (ed.after is None or len(ed.theirs) == 1):
        return (ed.before.start, ed.before.end), f"{ed.before.text} {neg}"
    if ed.tag == "insert" and ed.after is not None:
        return (ed.after.start, ed.after.end), f"{neg} {ed.after.text}"
    if ed.tag == "replace" and len(ed.theirs) <= MAX_EDIT_TOKENS + 1:
        return (ed.mine[0].start, ed.mine[-1].end), text_of(ed.theirs)
    return None, ""


def text_of(toks: tuple[Token, ...]) -> str:
    return " ".join(t.text for t in toks)


def _parallel_copies(docs: list[Document], ctx: Context) -> Iterator[tuple[Story, Copy, list[Copy]]]:
    """(story, copy, the copies that align with it sentence by sentence) for every copy that may
    be judged by its sentences: not a reference, more than one sentence, and at least two such
    copies or a reference among them."""
    for story in stories(docs, ctx):
        for copy in story.copies:
            if copy.reference or len(copy.sentences) < 2:
                continue
            parallel = [c for c in story.copies if c is not copy and story.parallel(copy, c) >= PARALLEL]
            if len(parallel) >= 2 or any(c.reference for c in parallel):
                yield story, copy, parallel


# ---- MTQ605: a sentence the other copies do not have -----------------------------------------

PARALLEL = 0.6  # copies with this share of their sentences aligned are translations of one text
COVERED = 0.5  # a sentence whose content words another copy mostly has is said there, merged or split




def _covered(sentence: str, copy: Copy, story: Story, around: tuple[Copy, int] | None = None) -> bool:
    """Does ``copy`` say most of what ``sentence`` says? Translations split and merge sentences
    differently: a sentence with no counterpart may live inside a neighbour. ``around`` = (the
    copy holding the sentence, its index): only the sentences of ``copy`` between the
    counterparts of its neighbours are searched, where a merged sentence would be; the whole copy
    where no neighbour has a counterpart there (a sentence that is about the story repeats its
    words somewhere in every copy)."""
    seen = story.memo.setdefault("stems of", {})
    if sentence not in seen:
        seen[sentence] = stems(sentence)
    words = seen[sentence]
    if not words:
        return True
    region = _region(story, copy, *around) if around is not None else None
    if region is None:
        memo = story.memo.setdefault("stems", {})
        if copy.index not in memo:
            memo[copy.index] = stems(copy.doc.text)
        have = memo[copy.index]
    else:
        have = set().union(*(sentence_stems(story, copy, k) for k in range(region[0], region[1] + 1)))
    return len(words & have) >= COVERED * len(words)


def _region(story: Story, copy: Copy, holder: Copy, i: int) -> tuple[int, int] | None:
    """The sentences of ``copy`` between the counterparts of the sentences around sentence ``i``
    of ``holder`` (up to two on each side), or None where none of them has one."""
    def partner(k: int) -> int | None:
        return story.linked(holder, k).get(copy.index)

    before = next((p for k in (i - 1, i - 2) if k >= 0 and (p := partner(k)) is not None), None)
    after = next((p for k in (i + 1, i + 2) if k < len(holder.sentences) and (p := partner(k)) is not None), None)
    if before is None and after is None:
        return None
    lo = before if before is not None else max(0, after - 1)
    hi = after if after is not None else min(len(copy.sentences) - 1, before + 1)
    return (min(lo, hi), max(lo, hi))


@detector("MTQ605")
def cross_copy_added_sentence(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Reports a sentence that this copy has and the other copies of the story, translations of the
    same text, do not: at least two of them (or the reference copy) align sentence by sentence
    with this one, and none has a counterpart for this sentence. Informational, minor.

    Why is this bad:
    A sentence that only one translation carries is an addition (a caption, a repeated line, a
    hallucinated clause) or the others dropped it; either way an editor should look.

    Copies that tell the story differently (another agency's report) are not compared: the rule
    needs copies that align for most of their sentences. A sentence that another copy carries as
    part of a longer one (translations split and merge sentences: the half that is left next to
    an aligned neighbour, see mtqa.stories.align), or whose content words most of the other
    copies carry in the sentences where it would stand (between the counterparts of its
    neighbours), is no addition.

    Example:
    three translations of one short report, one with an extra "Watch the video above." ->
    that sentence is reported.
    """
    for story, copy, parallel in _parallel_copies(docs, ctx):
        in_parallel = {c.index for c in parallel}  # a story's copies are told apart by their index
        for i, (s, e) in enumerate(copy.sentences):
            if any(k in in_parallel for k in story.linked(copy, i)):
                continue  # said there too, in one sentence or as part of a longer one
            text = copy.sentence_text(i)
            if 2 * sum(1 for c in parallel if _covered(text, c, story, (copy, i))) >= len(parallel):
                continue  # the others say it too, inside another sentence
            yield make_finding(
                copy.doc, "MTQ605", s, e,
                f"this sentence is in none of the {len(parallel)} other copies that match this one "
                f"sentence by sentence ({', '.join(c.path for c in parallel[:3])}"
                f"{'…' if len(parallel) > 3 else ''})",
                evidence={"story": [c.path for c in story.copies], "sentence": {"start": s, "end": e},
                          "copies": []},
            )


# ---- MTQ606: a sentence this copy lacks -----------------------------------------------------

@detector("MTQ606")
def cross_copy_missing_sentence(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Reports the place where this copy lacks a sentence that the other copies of the story,
    translations of the same text, carry: more than half of the copies that align sentence by
    sentence with this one (at least two), or the reference copy, have it, and this copy has no
    counterpart. The finding is an empty span where the sentence would stand (after the
    sentence that matches the one before it) and quotes the missing sentence. Informational,
    minor.

    Why is this bad:
    A sentence dropped in translation (MT systems skip short or repeated sentences, and long
    ones get cut) loses content silently; the reader cannot see what is not there.

    Copies that tell the story differently (another agency's report) are not compared: the rule
    needs copies that align for most of their sentences. Nothing is reported when this copy
    carries the sentence as part of a longer one, when another copy's counterpart of it is
    aligned with a sentence of this copy (the two translations word it too differently to align
    directly), or when this copy carries most of the sentence's content words in the sentences
    where it would stand.

    Example:
    three translations of one short report, one without "About 2,000 Ukrainian fighters are
    believed to be inside." -> the place after its first sentence is reported.
    """
    for story, copy, parallel in _parallel_copies(docs, ctx):
        in_parallel = {c.index for c in parallel}  # a story's copies are told apart by their index
        reported: set[tuple[int, int]] = set()
        for other in sorted(parallel, key=lambda c: not c.reference):
            for j in range(len(other.sentences)):
                if (other.index, j) in reported:
                    continue
                if copy.index in story.linked(other, j):
                    continue  # this copy has it, alone or inside a longer sentence
                cps = story.counterparts(other, j)
                holders = [cp for cp in cps if cp.copy.index in in_parallel]
                if any(copy.index in story.linked(h.copy, h.sentence) for h in holders):
                    continue  # aligned with this copy through another copy's sentence
                n = 1 + len(holders)
                if not (other.reference or (n >= 2 and 2 * n > len(parallel)
                                            and not any(cp.copy is copy for cp in cps))):
                    continue
                reported.update((cp.copy.index, cp.sentence) for cp in holders)
                reported.add((other.index, j))
                text = other.sentence_text(j)
                if _covered(text, copy, story, (other, j)):
                    continue  # this copy says it inside another sentence
                at = _insertion_point(story, copy, other, j)
                s, e = other.sentences[j]
                yield make_finding(
                    copy.doc, "MTQ606", at, at,
                    f'a sentence that {n} of the {len(parallel)} matching copies carry is missing here '
                    f'({other.path}: "{quote(text)}")',
                    evidence={"story": [c.path for c in story.copies], "sentence": {"start": at, "end": at},
                              "copies": [{"path": other.path, "start": s, "end": e, "sentence": text,
                                          "similarity": None, "reference": other.reference}]
                              + [cp.evidence() for cp in holders]},
                )


def _insertion_point(story: Story, copy: Copy, other: Copy, j: int) -> int:
    """Where sentence ``j`` of ``other`` would stand in ``copy``: after the counterpart of the
    nearest sentence before it, else before the counterpart of the nearest one after it."""
    for k in range(j - 1, -1, -1):
        for cp in story.counterparts(other, k):
            if cp.copy is copy:
                return copy.sentences[cp.sentence][1]
    for k in range(j + 1, len(other.sentences)):
        for cp in story.counterparts(other, k):
            if cp.copy is copy:
                return copy.sentences[cp.sentence][0]
    return copy.sentences[0][0]
