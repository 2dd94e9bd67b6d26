"""Text helpers shared by detectors and scoring alike: words with offsets, and word frequencies.

They live here, below both, so that a detector never imports scoring to count a word and the
scorer never imports a detector to find one.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Iterator

import regex

# A word: letters with inner apostrophes or hyphens ("don't", "Soviet-era").
WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")
# A unit of SLOR: a word or a number; everything else is punctuation, scored by the model alone.
UNIT = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*|\p{N}+(?:[.,:]\p{N}+)*")
# wordfreq's smallest listed frequency: unknown words and names get this unigram probability.
FLOOR = 1e-8


def words(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for each word in ``text[start:end]``, offsets into ``text``."""
    if start == 0 and end is None:
        return iter(_document_words(text))
    return ((m.start(), m.end(), m.group(0)) for m in WORD.finditer(text, start, len(text) if end is None else end))


def document_words(text: str) -> tuple[tuple[int, int, str], ...]:
    """Every (start, end, word) of ``text``, tokenised once and shared by the detectors."""
    return _document_words(text)


@lru_cache(maxsize=64)
def _document_words(text: str) -> tuple[tuple[int, int, str], ...]:
    # several detectors walk a whole document's words: it is tokenised once (the run-scope rules
    # walk every copy of a story, up to a few dozen, more than once)
    return tuple([(*m.span(), m[0]) for m in WORD.finditer(text)])


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str = "en") -> float:
    """wordfreq's Zipf frequency (0 for unknown words; 7 for 'the')."""
    # cached as called: asked hundreds of thousands of times a run, a wrapper's own call cost
    # more than the lookup (zipf(w) and zipf(w, "en") are two entries with the same answer)
    if lang == "en":
        from mtqa.startup import english_zipf

        # wordfreq's own answer, from a table in the cache dir: importing and loading wordfreq
        # was a third of a short run's start-up
        z = english_zipf(word)
        if z is not None:
            return z
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


def top_words(n: int, lang: str = "en") -> list[str]:
    """wordfreq's ``top_n_list(lang, n)``: the ``n`` commonest words."""
    if lang == "en":
        from mtqa.startup import top_english_words

        top = top_english_words(n)
        if top is not None:
            return top
    from wordfreq import top_n_list

    return top_n_list(lang, n)


def frequency_languages() -> frozenset[str]:
    """The languages wordfreq has a list for (``available_languages()``)."""
    from mtqa.startup import wordfreq_languages

    langs = wordfreq_languages()
    if langs is None:
        from wordfreq import available_languages

        langs = available_languages()
    return frozenset(langs)


@lru_cache(maxsize=200_000)
def word_logprob(word: str, lang: str = "en") -> float:
    """The unigram log-probability of ``word`` (natural log), the normaliser in SLOR: a rare word
    or a name is hard for any language model to predict, garbled or not."""
    from wordfreq import word_frequency

    return math.log(max(word_frequency(word, lang), FLOOR))
