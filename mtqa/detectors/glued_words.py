"""Glued words: two or three words written together without a space (MTQ211).

A word is glued when wordfreq finds the whole rare or unknown but its parts common, and the parts
are much likelier as a sequence of words than the whole is as one word. Comparing the two
probabilities (not just "is the whole unknown?") is what keeps rare real words such as "therapist"
("the rapist") or "notable" ("no table") alone: they are far likelier as written.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.tokens import chunk_around, words, zipf
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

MIN_LENGTH = 5
# Longer tokens are not words run together (three long English words make about 40 letters), and
# splitting costs the cube of the length: a 10,000-letter token took 35 s before this bound.
MAX_LENGTH = 48
MAX_WHOLE_ZIPF = 3.5  # above this the joined form is a word in its own right ("cannot", "alot")
MIN_PART_ZIPF = 3.0
MIN_SPLIT_ZIPF = 2.0  # zipf of the split as a word sequence: sum of the parts' zipfs - 9 per join
MIN_MARGIN = 1.8  # how much likelier (in zipf, i.e. log10) the split must be than the whole word
# A joined form that wordfreq knows fairly well ("canto", "whereof") needs a wider margin.
ATTESTED_ZIPF, ATTESTED_MARGIN = 2.3, 2.5
FREQUENT_PAIR_ZIPF = 4.5  # without a function word among the parts, both parts must be this common
TYPO_ZIPF = 4.0  # a word one slip away from a word this common is a typo, not a glued pair
FUNCTION_WORDS_TOP_N = 100  # the commonest English words stand in for function words

_ALPHA_LOWER = regex.compile(r"\p{Ll}+")
_ALPHA_TITLE = regex.compile(r"\p{Lu}\p{Ll}+")
# A function word glued to a capitalised word: "theUkrainian", "inKyiv" (not "iPhone", "eBay").
_FUNCTION_THEN_NAME = regex.compile(r"(\p{Ll}{2,})(\p{Lu}\p{Ll}{2,})")
# A word inside a URL, e-mail address, handle, hashtag, file name or code identifier.
_CHUNK = regex.compile(r"\S+")
_TECHNICAL = regex.compile(r"://|www\.|@|#|\.[a-z]{2,4}\b|[_/\\=]")


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    from mtqa.text import top_words

    return frozenset(w for w in top_words(FUNCTION_WORDS_TOP_N) if w.isalpha())


def _part_ok(part: str) -> bool:
    if len(part) == 1:
        return part == "a"
    return zipf(part) >= MIN_PART_ZIPF


def _splits(word: str) -> Iterator[tuple[str, ...]]:
    n = len(word)
    for i in range(1, n):
        a = word[:i]
        if not _part_ok(a):
            continue
        b = word[i:]
        if _part_ok(b):
            yield (a, b)
        for j in range(i + 1, n):
            b, c = word[i:j], word[j:]
            if _part_ok(b) and _part_ok(c):
                yield (a, b, c)


def split_score(parts: tuple[str, ...]) -> float:
    """The zipf of ``parts`` as a sequence of independent words (9 zipf units per word boundary)."""
    return sum(zipf(p) for p in parts) - 9.0 * (len(parts) - 1)


@lru_cache(maxsize=50_000)
def best_split(word: str) -> tuple[tuple[str, ...], float] | None:
    """The split of lower-case ``word`` that makes it a glued word, with its margin, or None."""
    whole = zipf(word)
    if whole > MAX_WHOLE_ZIPF:
        return None
    function = _function_words()
    best: tuple[tuple[str, ...], float] | None = None
    for parts in _splits(word):
        score = split_score(parts)
        margin = MIN_MARGIN if whole < ATTESTED_ZIPF else ATTESTED_MARGIN
        if score < MIN_SPLIT_ZIPF or score - whole < margin:
            continue
        if not any(p in function for p in parts) and min(zipf(p) for p in parts) < FREQUENT_PAIR_ZIPF:
            continue
        if best is None or score > best[1] + whole:
            best = (parts, score - whole)
    if best is not None and (likely_typo(word, best[0]) or inflected_word(word)):
        return None
    return best


_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
INFLECTED_STEM_ZIPF = 2.5  # "togas" is toga+s, not "to gas"


def inflected_word(word: str) -> bool:
    """Is ``word`` an inflection of a known word ("togas", "forgoing", "begetting")?"""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            variants = {stem, stem + "e"}
            if len(stem) > 3 and stem[-1] == stem[-2]:
                variants.add(stem[:-1])  # "begett" -> "beget"
            if any(zipf(v) >= INFLECTED_STEM_ZIPF for v in variants):
                return True
    return False


def _edits1(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in cuts if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    out |= {a + c + b[1:] for a, b in cuts if b for c in letters}
    out |= {a + c + b for a, b in cuts for c in letters}
    out.discard(word)
    return out


def likely_typo(word: str, split: tuple[str, ...]) -> bool:
    """Is ``word`` one slip from a common word that beats the split ("beteen": between, not "be teen")?"""
    bar = max(TYPO_ZIPF, split_score(split) + 1.0)
    return any(zipf(v) >= bar for v in _edits1(word))


def _technical(text: str, start: int, end: int) -> bool:
    """Is the word part of a URL, address, handle, hashtag or identifier?"""
    chunk = chunk_around(text, start, end).strip("\"'“”‘’()[]«».,;:!?")
    return bool(_TECHNICAL.search(chunk))


def _used_elsewhere(text: str, lower: str, start: int) -> bool:
    """Does the word occur again in prose (not in a URL or address)? Then it is a term, not a slip."""
    for m in regex.finditer(rf"(?<![\p{{L}}\p{{M}}]){regex.escape(lower)}(?![\p{{L}}\p{{M}}])", text, regex.IGNORECASE):
        if m.start() != start and not _technical(text, m.start(), m.end()):
            return True
    return False


def _sentence_initial(doc: Document, start: int) -> bool:
    sent = doc.sentence_at(start)
    if sent is None:
        return False
    lead = doc.text[sent.start : start]
    return not regex.search(r"[\p{L}\p{N}]", lead)


@lru_cache(maxsize=50_000)
def _word_kind(word: str) -> tuple | None:
    """What glued_words does with ``word``, wherever it stands: None (nothing), ("camel",
    (function word, name)) for a function word glued to a name, or ("split", lower case, title
    case, best_split) for a word that splits. Most words of a run come back many times."""
    if _ALPHA_LOWER.fullmatch(word):
        lower, title = word, False
    elif _ALPHA_TITLE.fullmatch(word):
        lower, title = word.lower(), True
    else:
        camel = _FUNCTION_THEN_NAME.fullmatch(word)
        if camel and camel.group(1) in _function_words():
            return "camel", (camel.group(1), camel.group(2))
        return None
    found = best_split(lower)
    return None if found is None else ("split", lower, title, found)


@detector("MTQ211")
def glued_words(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds two or three words written together without a space, such as "thearea", "inthe",
    "saidthat", and suggests the split ("the area"). A word counts as glued when wordfreq knows it
    rarely or not at all, its parts are common (one of them a function word, or both very common),
    and the parts are much likelier as a word sequence than the whole as a word. Names
    (capitalised words), words used more than once in the document, hashtags, URLs and e-mail
    addresses are left alone, and so are rare real words that happen to split ("therapist").

    Why is this bad:
    A missing space is a typical MT and text-extraction artifact; spell-checkers and readers stumble
    on it, and search misses both words.

    Example:
    "took fire positions in thearea and in factory buildings"  ->  "the area"
    """
    text = doc.text
    for start, end, word in words(text):
        if not MIN_LENGTH <= end - start <= MAX_LENGTH:
            continue
        kind = _word_kind(word)
        if kind is None:
            continue
        if kind[0] == "camel":
            camel = kind[1]
            if not _technical(text, start, end) and not _used_elsewhere(text, word.lower(), start):
                fix = f"{camel[0]} {camel[1]}"
                yield make_finding(
                    doc, "MTQ211", start, end,
                    f"'{word}' looks like words run together: '{fix}'",
                    suggestions=(fix,), evidence={"parts": [camel[0], camel[1]]},
                )
            continue
        _, lower, title, found = kind
        if title and not _sentence_initial(doc, start):
            continue
        if _technical(text, start, end):
            continue
        if _used_elsewhere(text, lower, start):
            continue
        parts, margin = found
        fixes = [" ".join(parts)]
        if len(set(parts)) == 1:
            fixes.insert(0, parts[0])  # "powerpower": a doubled word, written once
        if title:
            fixes = [f[0].upper() + f[1:] for f in fixes]
        yield make_finding(
            doc, "MTQ211", start, end,
            f"'{word}' looks like words run together: '{fixes[0]}'",
            suggestions=tuple(fixes),
            evidence={"parts": list(parts), "margin": round(margin, 2), "zipf": zipf(lower)},
        )
