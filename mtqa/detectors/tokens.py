"""Words with offsets, and word frequencies, shared by the lexical detectors."""

from __future__ import annotations

# The shared helpers, re-exported for the lexical detectors that import them from here.
from mtqa.text import WORD, words, zipf  # noqa: F401


def chunk_around(text: str, start: int, end: int) -> str:
    """The run of non-space characters holding ``text[start:end]`` (a URL, an address, a handle)."""
    s = start
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    e = end
    while e < len(text) and not text[e].isspace():
        e += 1
    return text[s:e]
