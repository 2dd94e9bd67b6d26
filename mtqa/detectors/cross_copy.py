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
from mtqa.stories import Story, stories, tokens

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


_ALIGNED_PREFIX = 4  # two names that stand at one place may differ after this many letters ...
_ALIGNED_EDITS = 2  # ... or by this many edits


def _ascii(name: str) -> str:
    from anyascii import anyascii

    return anyascii(name).lower()


def _aligned_names(story: Story) -> set[tuple[str, str]]:
    """Pairs of rare names that stand at one place in aligned sentences of two copies, next to the
    same word, with the same first letter and close in spelling: "Joris Verhulst" and "Joris
    Verhurst", "Marek Jaskółka" and "Marek Jastolka", "Hiroshi Takemura" and "Hiroshi Takemoto".
    The alignment is the evidence that they are one name, where their letters alone (an l for
    an r, a t for a k, a second reading of the same characters) are no transliteration rule."""
    out: set[tuple[str, str]] = set()
    caps: dict[tuple[int, int], frozenset] = {}

    def caps_of(c, k: int) -> frozenset:
        # the capitalised words after the first, read off the text (cheaper than tokens: most
        # aligned sentences have the same ones, and are done with here)
        if (c.index, k) not in caps:
            s, e = c.sentences[k]
            caps[c.index, k] = frozenset(m.group(0) for m in _CAPITALISED.finditer(c.doc.text, s, e)
                                         if m.start() > s)
        return caps[c.index, k]

    for copy in story.copies:
        for i in range(len(copy.sentences)):
            mine_caps = caps_of(copy, i)
            for cp in story.counterparts(copy, i):
                if cp.copy.index < copy.index:
                    continue  # each pair of copies once
                theirs_caps = caps_of(cp.copy, cp.sentence)
                if mine_caps == theirs_caps:
                    continue
                only_mine, only_theirs = mine_caps - theirs_caps, theirs_caps - mine_caps
                if not (only_mine and only_theirs):
                    continue
                for a in only_mine:
                    for b in only_theirs:
                        if _same_place(a, b, copy.sentence_tokens(i), cp.copy.sentence_tokens(cp.sentence)):
                            out.add((min(a, b), max(a, b)))
    return out


_CAPITALISED = regex.compile(r"(?<![\p{L}\p{M}\p{N}'’\-])\p{Lu}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")


def _same_place(a: str, b: str, mine, theirs) -> bool:
    x, y = _ascii(a), _ascii(b)
    if x[:1] != y[:1] or x == y or min(len(x), len(y)) < 5 or abs(len(x) - len(y)) > _ALIGNED_EDITS:
        return False
    if max(zipf(a), zipf(b)) >= _RARE:
        return False  # English words in a name ("Intelligent"/"Intelligence" Technology) are wording
    p = 0
    while p < min(len(x), len(y)) and x[p] == y[p]:
        p += 1
    near = _edit_distance(x, y, _ALIGNED_EDITS) <= _ALIGNED_EDITS
    if p < _ALIGNED_PREFIX and not near:
        return False

    def around(toks, w):
        out = set()
        for k, t in enumerate(toks):
            if t.text == w:
                out |= {toks[j].text for j in (k - 1, k + 1) if 0 <= j < len(toks)}
        return out

    shared = {w.lower() for w in around(mine, a)} & {w.lower() for w in around(theirs, b)}
    if near:
        return bool(shared)
    # further apart (Takemura, Takemoto), the shared neighbour must be the other half of the name
    # (Hiroshi), not a word that many names stand next to ("Tianhou Temple", "Tianfei Temple")
    return any(w[:1].isupper() and zipf(w) < _RARE for w in around(mine, a) if w.lower() in shared)


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
    and the inner vowels dropped; or when, both rare, they stand at one place in aligned
    sentences of two copies next to the same word, with the same first letter and at most two
    edits or the first four letters apart (Joris Verhulst, Joris Verhurst; Hiroshi Takemura,
    Hiroshi Takemoto). A spelling that differs only in diacritics (Wrocław, Wroclaw) is no other
    spelling. A spelling common in English (Irina, Johnson) is reported only
    where it shares the other half of a full name with the other copy's spelling (Irina
    Vereshchuk, Iryna Vereshchuk). Names spelled both ways within one copy are left to MTQ221,
    unless the copy uses the other copies' spelling no more often than its own other one: then
    the other copies (at least two, or the reference) tell which is the misspelling.
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
        aligned = _aligned_names(story)
        by_ascii: dict[str, set[int]] = defaultdict(set)
        for form, cs in holders.items():
            by_ascii[_ascii(form)] |= {id(c) for c in cs}
        for forms in by_key.values():
            for i, a in enumerate(forms):
                for b in forms[i + 1 :]:
                    pair = (min(a, b), max(a, b))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    if not (_variants(a, b) or pair in aligned) or _derived(a, b):
                        continue
                    if _ascii(a) == _ascii(b):
                        continue  # Wrocław and Wroclaw: one spelling, with and without diacritics
                    in_a, in_b = {id(c) for c in holders[a]}, {id(c) for c in holders[b]}
                    if style.rule_for(a) is not None or style.rule_for(b) is not None:
                        continue  # MTQ222 reports the house form
                    if in_a & in_b:
                        yield from _misspelled_within(a, b, holders, style)
                        continue  # spelled both ways inside one copy: MTQ221's case
                    if by_ascii[_ascii(a)] & by_ascii[_ascii(b)]:
                        continue  # so, with or without diacritics (Kłodzko and Klodzka, two words)
                    yield from _report(a, b, holders, style)


def _misspelled_within(a: str, b: str, holders: dict[str, list[_Copy]], style) -> Iterator[Finding]:
    """A copy that spells a name both ways is MTQ221's, which takes the spelling the copy uses
    more often (or first); where that is the one no other copy uses ("Elena Voinesco won ...
    Elena Voinescu will be sworn in" against "Voinescu" in the original and the other copies),
    the other copies tell which is the misspelling."""
    in_a, in_b = {id(c) for c in holders[a]}, {id(c) for c in holders[b]}
    only_a = [c for c in holders[a] if id(c) not in in_b]
    only_b = [c for c in holders[b] if id(c) not in in_a]
    if bool(only_a) == bool(only_b):
        return  # both spellings have copies of their own: the pair is judged across copies
    minor, major = (a, b) if only_b else (b, a)
    others = only_a or only_b
    if len(others) < 2 and not any(c.reference for c in others):
        return  # one other copy is no majority
    both = [c for c in holders[minor] if id(c) in in_a & in_b]
    if any(len(c.occ[minor]) < len(c.occ[major]) for c in both):
        return  # MTQ221 already suggests the spelling of the other copies
    yield from _report(minor, major, {minor: holders[minor], major: others}, style)


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
