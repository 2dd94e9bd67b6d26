"""Unigram log-probabilities from wordfreq, the normaliser in SLOR.

A rare word or a name is hard for any language model to predict, garbled or not. SLOR subtracts
what a unigram model already expects of each word, so the score measures how well the words fit
together rather than how common they are.
"""

from __future__ import annotations

import math
from functools import lru_cache

import regex

# Words (letters with inner apostrophes or hyphens) and numbers; everything else is punctuation.
UNIT = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*|\p{N}+(?:[.,:]\p{N}+)*")
FLOOR = 1e-8  # wordfreq's smallest listed frequency: unknown words and names get this
PUNCT_LOGPROB = 0.0  # punctuation is scored by the model alone


@lru_cache(maxsize=200_000)
def word_logprob(word: str, lang: str = "en") -> float:
    from wordfreq import word_frequency

    return math.log(max(word_frequency(word, lang), FLOOR))
