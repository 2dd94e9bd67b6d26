"""Words with offsets, and word frequencies, shared by the lexical detectors."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import regex

# A word: letters with inner apostrophes or hyphens ("don't", "Soviet-era").
WORD = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*")


def words(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) for each word in ``text[start:end]``, offsets into ``text``."""
    for m in WORD.finditer(text, start, len(text) if end is None else end):
        yield m.start(), m.end(), m.group(0)


@lru_cache(maxsize=200_000)
def zipf(word: str, lang: str = "en") -> float:
    """wordfreq's Zipf frequency (0 for unknown words; 7 for 'the')."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)
