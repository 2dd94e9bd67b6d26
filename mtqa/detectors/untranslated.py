"""Untranslated sentences: sentences left in the source language (MTQ111).

langdetect is slow and unsteady on short text, so a cheap test runs first: the share of a
sentence's lower-case words that are common in the document's language (wordfreq). Only a sentence
where that share is low goes to langdetect, with a fixed seed so runs are reproducible.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate
from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.tokens import words, zipf
from mtqa.document import Document
from mtqa.text import document_words
from mtqa.finding import Finding
from mtqa.registry import detector

MIN_WORDS = 6  # shorter sentences are too often titles, names or slogans, and langdetect guesses
MIN_LOWER_WORDS = 4  # a list of names has few lower-case words
COMMON_ZIPF = 3.0  # a "common word" of the document's language
SUSPICIOUS_SHARE = 0.6  # below this share of common words, ask langdetect
MIN_PROBABILITY = 0.90

# URLs, e-mail addresses, handles and hashtags say nothing about the language.
# An address starts where its token does, and its name holds no "@": an unanchored \S+@ tried
# every position of a long token and took minutes on one 300 KB token.
_NOISE = regex.compile(r"\b(?:https?://|www\.)\S+|(?<!\S)[^\s@]+@\S+\.\w+|[@#]\w+")
_QUOTED = regex.compile(r"“[^”\n]*”|\"[^\"\n]*\"|«[^»\n]*»|„[^“”\n]*[“”]")


@lru_cache(maxsize=1)
def _langdetect():
    from langdetect import DetectorFactory, detect_langs

    DetectorFactory.seed = 0
    return detect_langs


@lru_cache(maxsize=200_000)  # asked for every lower-case word of every sentence
def _common_in(word: str, lang: str) -> bool:
    """Is ``word`` common in ``lang``? Outside English, wordfreq knows many English words, so a
    word must also not be much commoner in English ("the" is frequent in German web text too)."""
    z = zipf(word, lang)
    if z < COMMON_ZIPF:
        return False
    return lang == "en" or z >= zipf(word, "en") - 1.0


def common_share(text: str, lang: str) -> tuple[float, int, int]:
    """(share of lower-case words common in ``lang``, lower-case words, all words) of ``text``."""
    return _common_share([w for _, _, w in words(text)], lang)


def _common_share(all_words: list[str], lang: str) -> tuple[float, int, int]:
    lower = [w for i, w in enumerate(all_words) if w.islower() or (i == 0 and w[1:].islower())]
    lower = [w.lower() for w in lower]
    if not lower:
        return 1.0, 0, len(all_words)
    common = sum(1 for w in lower if _common_in(w, lang))
    return common / len(lower), len(lower), len(all_words)


class _RunningShares:
    """_common_share of any run of a document's words, from running counts of its lower-case
    words and of the common ones among them: two subtractions a sentence, rather than counting
    each sentence's words again."""

    def __init__(self, all_words: list[str], lang: str) -> None:
        self.words, self.lang = all_words, lang
        self.low = [w.islower() for w in all_words]
        self.n_low = [0, *accumulate(self.low)]
        self.n_common = [0, *accumulate([is_low and _common_in(w.lower(), lang)
                                         for w, is_low in zip(all_words, self.low)])]

    def between(self, i: int, j: int) -> tuple[float, int, int]:
        """``_common_share(all_words[i:j], lang)``."""
        n_lower, common = self.n_low[j] - self.n_low[i], self.n_common[j] - self.n_common[i]
        if j > i and not self.low[i] and self.words[i][1:].islower():
            # a run's first word also counts when only its first letter is a capital
            n_lower += 1
            common += _common_in(self.words[i].lower(), self.lang)
        return (common / n_lower if n_lower else 1.0), n_lower, j - i


def detect_language(text: str) -> tuple[str, float]:
    """langdetect's most likely language for ``text`` and its probability."""
    from langdetect.lang_detect_exception import LangDetectException

    try:
        langs = _langdetect()(text)
    except LangDetectException:
        return "unknown", 0.0
    best = langs[0]
    return best.lang, best.prob


def _doc_language(doc: Document, ctx: Context) -> str:
    # a tag wordfreq has no list for ("und", "zz", a private-use code) says nothing usable
    for tag in (doc.meta.get("language"), ctx.config.language):
        lang = str(tag or "").split("-")[0].lower()
        if lang in _known_languages():
            return lang
    return "en"


@lru_cache(maxsize=1)
def _known_languages() -> frozenset[str]:
    from mtqa.text import frequency_languages

    return frequency_languages()


@detector("MTQ111")
def untranslated_sentence(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds sentences that are not in the document's language (English unless configured), as when
    MT skipped a sentence and left it in German, Spanish, Russian or any other language. A cheap
    word-frequency test picks suspicious sentences; langdetect (with a fixed seed) confirms them.
    Short sentences, lists of names, quoted foreign titles or slogans, URLs and numbers are left
    alone. No fix is offered: the sentence needs translating.

    Why is this bad:
    The reader loses the sentence's content, and a sentence in a foreign language in English copy
    is an obvious sign of unreviewed machine translation.

    Example:
    "The talks ended without agreement. Die Regierung hat am Dienstag neue Sanktionen gegen
    Russland angekündigt."  The second sentence is German.
    """
    lang = _doc_language(doc, ctx)
    text = doc.text
    doc_words = document_words(text)
    starts = [s for s, _, _ in doc_words]
    shares = _RunningShares([w for _, _, w in doc_words], lang)
    # every match of _NOISE holds one of these, so a document without any has none to remove
    noisy = "@" in text or "#" in text or "://" in text or "www." in text
    for sent in doc.sentences:
        chunk = text[sent.start : sent.end]
        clean = _NOISE.sub(" ", chunk) if noisy else chunk
        i, j = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
        if clean == chunk and not (i and doc_words[i - 1][1] > sent.start) and not (j > i and doc_words[j - 1][1] > sent.end):
            # no word crosses the sentence's edges, so its words are the document's words in it
            share, n_lower, n_words = shares.between(i, j)
        else:
            share, n_lower, n_words = common_share(clean, lang)
        if n_words < MIN_WORDS or n_lower < MIN_LOWER_WORDS or n_lower * 2.5 < n_words:
            continue
        if share >= SUSPICIOUS_SHARE:
            continue
        # English copy quoting a foreign title or slogan: judge the words outside the quotes.
        outside = _QUOTED.sub(" ", clean)
        if outside != clean:
            o_share, o_lower, _ = common_share(outside, lang)
            if o_lower >= 3 and o_share >= SUSPICIOUS_SHARE:
                continue
        best, prob = detect_language(clean)
        if best in (lang, "unknown") or prob < MIN_PROBABILITY:
            continue
        yield make_finding(
            doc, "MTQ111", sent.start, sent.end,
            f"This sentence looks like {best} (p={prob:.2f}), not {lang}: it was left untranslated",
            evidence={"language": best, "probability": round(prob, 3), "common_share": round(share, 2)},
        )
