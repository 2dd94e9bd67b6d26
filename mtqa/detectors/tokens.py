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


def chunk_around(text: str, start: int, end: int) -> str:
    """The run of non-space characters holding ``text[start:end]`` (a URL, an address, a handle)."""
    s = start
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    e = end
    while e < len(text) and not text[e].isspace():
        e += 1
    return text[s:e]
