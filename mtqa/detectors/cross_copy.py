"""Across copies: one story syndicated several times, each copy translated on its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.names import _derived, _name_occurrences, _similar, house_style
from mtqa.detectors.tokens import zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

_MIN_SHARED_NAMES = 3  # rare names two copies must share to count as one story
_RARE = 3.0  # a name at most this common (wordfreq Zipf) identifies a story
_MIN_ALIGNED_CHRF = 35.0  # below this the two sentences are not taken as translations of one


@dataclass
class _Copy:
    doc: Document
    occ: dict[str, list[tuple[int, int]]]
    rare: set[str]


def _stories(copies: list[_Copy]) -> list[list[_Copy]]:
    """Groups of copies that share at least _MIN_SHARED_NAMES rare names (union-find)."""
    parent = list(range(len(copies)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_name: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(copies):
        for name in c.rare:
            by_name[name].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for holders in by_name.values():
        if len(holders) > 50:  # a name in this many items is no story's signature
            continue
        for x, i in enumerate(holders):
            for j in holders[x + 1 :]:
                shared[i, j] += 1
    for (i, j), n in shared.items():
        if n >= _MIN_SHARED_NAMES:
            parent[root(i)] = root(j)
    groups: dict[int, list[_Copy]] = defaultdict(list)
    for i, c in enumerate(copies):
        groups[root(i)].append(c)
    return [g for g in groups.values() if len(g) > 1]


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
    Groups the documents of one run into stories (copies that share at least three rare names)
    and finds a name that one copy spells differently from another ("Astafiev" in one copy,
    "Astafeev" in the next; "Iryna Vereshchuk" and "Irina Vereshchuk"). Each occurrence of the
    spelling used by fewer copies is reported, with the other copy's spelling suggested (on a
    tie: the house-style form, then the first copy's).

    Why is this bad:
    Syndicated copies of one story are translated separately, and each MT run transliterates
    names its own way. A desk that publishes several copies, or merges them, prints one person
    under two names.

    Two spellings count as one name under the same rules as MTQ221 (same first letter, one or
    two edits apart, differing only in the letters transliterations vary on, no inflection).
    A spelling common in English (Irina, Johnson) is reported only where it shares the other
    half of a full name with the other copy's spelling (Irina Vereshchuk, Iryna Vereshchuk). Names spelled both ways within one copy are left to MTQ221.
    The message quotes the other copy's sentence when sacrebleu's chrF aligns the two sentences.

    Example:
    copy A: "spokesman Vadim Astafiev said"; copy B: "spokesman, Vadim Astafeev, said" ->
    "Astafeev" in copy B is reported (tie, first copy wins), with "Astafiev" suggested.
    """
    copies = []
    for doc in docs:
        occ = _name_occurrences(doc.text)
        copies.append(_Copy(doc, occ, {n for n in occ if zipf(n) < _RARE}))
    style = house_style(ctx.config.house_style)
    for story in _stories(copies):
        holders: dict[str, list[_Copy]] = defaultdict(list)
        for c in story:
            for form in c.occ:
                holders[form].append(c)
        by_initial: dict[str, list[str]] = defaultdict(list)
        for form in holders:
            by_initial[form[0]].append(form)
        order = {id(c): i for i, c in enumerate(story)}
        for forms in by_initial.values():
            for i, a in enumerate(forms):
                for b in forms[i + 1 :]:
                    if abs(len(a) - len(b)) > 2 or not _similar(a, b) or _derived(a, b):
                        continue
                    in_a, in_b = {id(c) for c in holders[a]}, {id(c) for c in holders[b]}
                    if in_a & in_b:
                        continue  # spelled both ways inside one copy: MTQ221's case
                    if style.rule_for(a) is not None or style.rule_for(b) is not None:
                        continue  # MTQ222 reports the house form
                    def rank(form: str) -> tuple:
                        first = min(order[id(c)] for c in holders[form])
                        return (len(holders[form]), form in style.rights, -first)

                    minor, major = (a, b) if rank(a) < rank(b) else (b, a)
                    other = holders[major][0]
                    # A name common in English (Irina) is one person with the other spelling only
                    # where it shares the other half of a full name with it.
                    common = max(zipf(a), zipf(b)) >= _RARE
                    full_names = set().union(*(_neighbours(c.doc, c.occ[major]) for c in holders[major]))
                    for c in holders[minor]:
                        for s, e in c.occ[minor]:
                            if common and not (_neighbours(c.doc, [(s, e)]) & full_names):
                                continue
                            sentence = _sentence(c.doc, s)
                            score, aligned = _best_aligned(sentence, other.doc, other.occ[major])
                            where = f"{other.doc.path}"
                            if score >= _MIN_ALIGNED_CHRF:
                                where += f', in "{aligned[:80]}{"…" if len(aligned) > 80 else ""}"'
                            yield make_finding(
                                c.doc, "MTQ601", s, e,
                                f"{minor!r} is spelled {major!r} in another copy of this story ({where})",
                                suggestions=(major,),
                                evidence={"other_copy": other.doc.path, "aligned_chrf": round(score, 1)},
                            )
