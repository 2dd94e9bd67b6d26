"""Repetition and oscillation, a known failure of neural MT decoders (MTQ231): a word, phrase,
clause or sentence repeated back to back."""

from __future__ import annotations

from typing import Iterator

import regex

from mtqa.detectors.base import Context, make_finding
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

_TOKEN = regex.compile(r"[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*|\p{N}+")
# What may stand between two repeats: spaces, commas, stops, semicolons, dashes.
_SEPARATOR = regex.compile(r"[\s,.;:–—-]*")
_MAX_UNIT = 16
# Words that people repeat on purpose ("very, very hard", "no, no, no", "go, go, go", "ha ha ha").
_EMPHATIC = frozenset(
    "very really so too no yes yeah ha haha ho ah oh la na bye go blah boo hip hurrah hooray again over "
    "round more much on far long tick tock knock come away".split()
)


# A word chained to itself with hyphens or glued to itself: "plutonium-plutonium-plutonium-",
# "DMC-DMC-DMC", "WhiteWhiteWhite" (three or more); "bye-bye" and "great-great-grandmother" are words.
_CHAINED = regex.compile(r"(?<![\p{L}\p{M}])([\p{L}\p{M}]{2,})(?:-\1(?![\p{L}\p{M}])){2,}", regex.I)
_GLUED = regex.compile(r"(?<![\p{L}\p{M}])(\p{Lu}?\p{Ll}{2,}|\p{Lu}{3,})\1{2,}(?![\p{Ll}])")
_CHAIN_WORDS_OK = frozenset({"great", "ha", "bye", "no", "la", "na", "knock", "tut", "boo", "ho", "hee"})
# "the beach and the beach", "enjoyable and enjoyable", "opt-out or opt-out": one phrase
# coordinated with itself. Idioms built this way are left alone: "more and more", "again and
# again", "over and over", "time and time again", comparatives ("bigger and bigger") and plurals
# said for emphasis ("years and years").
_COORDINATION_OK = frozenset(
    "more less fewer better worse further farther again over on round around through by up down time "
    "so such neck now then out in back forth here there year day night week hour mile row inch step "
    "little bit one two side hand arm face heart you it he she we they me him her us them that this "
    "what which who all some".split()
)


def _coordination_is_idiom(phrase: str) -> bool:
    words = phrase.lower().split()
    last = words[-1]
    # comparatives ("bigger and bigger") and verbs repeated for emphasis ("waited and waited")
    if len(words) == 1 and (last in _COORDINATION_OK or last.endswith(("er", "ed")) or last.isdigit()):
        return True
    if len(words) == 1 and last.endswith("s") and last[:-1] in _COORDINATION_OK | {last[:-1]}:
        return True  # "years and years", "miles and miles": plurals said for emphasis
    return all(w in _COORDINATION_OK or len(w) <= 2 for w in words)


def _inside_quotes(text: str, start: int) -> bool:
    """Is ``start`` inside a quotation opened earlier in its paragraph, or right after an opening
    quote mark?"""
    para = text.rfind("\n", 0, start) + 1
    before = text[para:start].replace('""', '"')
    if before.count('"') % 2 == 1 or before.rfind("“") > before.rfind("”") or before.rfind("‘") > before.rfind("’"):
        return True
    return regex.search(r"(?:^|[\s(])['‘\"“]$", before) is not None


_SENTENCE_END = regex.compile(r"[.!?]|\n")
_SENTENCE_START = regex.compile(r"(?:^|\n|[.!?][\"”’']?\s+)$")


def _acceptable(text: str, tokens, i: int, n: int, k: int) -> bool:
    """Is this run a decoder loop rather than writing? A run whose repeats are separated by a
    sentence end must repeat whole sentences ("the Church. The Church also claims" is prose); a
    phrase said only twice must be a clause repeated after a comma ("The wind, which ..., the
    wind, which ...,") or a whole sentence, not two words in a row ("Jamie Vardy Jamie Vardy" is
    a caption glued to a headline)."""
    if n == 1:
        return k >= 3
    gaps = [text[tokens[i + j * n - 1].end() : tokens[i + j * n].start()] for j in range(1, k)]
    if any(_SENTENCE_END.search(g) for g in gaps):
        start, end = tokens[i].start(), tokens[i + n * k - 1].end()
        after = text[end : end + 3].lstrip(" ")
        return (_SENTENCE_START.search(text[max(0, start - 4) : start]) is not None
                and (not after or after[0] in ".!?\n"))
    if k >= 3:
        return True
    # Said twice, a clause after a comma: at least three words, and not a title or name used in
    # address ("Mr President, Mr President of the Council").
    second = tokens[i + n].group()
    return (n >= 3 and not (tokens[i].group()[0].isupper() and second[0].isupper())
            and all(regex.fullmatch(r"\s*[,;]\s*", g) for g in gaps))


def _runs(text: str, tokens: list, words: list[str]) -> Iterator[tuple[int, int, int]]:
    """(first token, unit length, repeats) of every back-to-back repetition."""
    # A unit of n words can repeat at i only if word i comes back n words later, so the unit
    # lengths worth trying at i are the distances to the next occurrences of the same word.
    following: dict[str, int] = {}
    nxt = [0] * len(words)
    for j in range(len(words) - 1, -1, -1):
        nxt[j] = following.get(words[j], -1)
        following[words[j]] = j
    i = 0
    while i < len(tokens):
        best = None
        j = nxt[i]
        while j != -1 and j - i <= _MAX_UNIT:
            n = j - i
            if i + 2 * n > len(tokens) or (n > 1 and words[j + 1] != words[i + 1]):
                j = nxt[j]  # no second repeat: its first word is there, its second is not
                continue
            unit = words[i:j]
            k = 1
            while i + (k + 1) * n <= len(tokens) and words[i + k * n : i + (k + 1) * n] == unit:
                gap = text[tokens[i + k * n - 1].end() : tokens[i + k * n].start()]
                if not _SEPARATOR.fullmatch(gap):
                    break
                k += 1
            if k >= 2 and _acceptable(text, tokens, i, n, k) and (best is None or n * k > best[1] * best[2]):
                best = (i, n, k)
            j = nxt[j]
        if best is None:
            i += 1
            continue
        yield best
        i = best[0] + best[1] * best[2]


_MAX_COORDINATED = 8
_WORD_CHAR = regex.compile(r"[\p{L}\p{M}\p{N}'’-]")
_NOT_AFTER = regex.compile(r"[ \t]+not\b")


def _coordinations(text: str, tokens: list, words: list[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, phrase) of a phrase of one to eight words coordinated with itself by 'and' or
    'or' ("the beach and the beach", "the bed was very comfortable and the bed was very
    comfortable"), the longest such phrase at each 'and'/'or'."""
    for k, word in enumerate(words):
        if word not in ("and", "or"):
            continue
        for length in range(min(_MAX_COORDINATED, k, len(words) - k - 1), 0, -1):
            left, right = tokens[k - length : k], tokens[k + 1 : k + 1 + length]
            if words[k - length : k] != words[k + 1 : k + 1 + length]:
                continue
            start, end = left[0].start(), right[-1].end()
            run = tokens[k - length : k + length + 1]
            if not all(text[a.end() : b.start()] in (" ", "\t") for a, b in zip(run, run[1:])):
                continue  # a phrase crossing punctuation is not one phrase
            if _WORD_CHAR.match(text, end) or (start and _WORD_CHAR.match(text, start - 1)):
                continue
            if _NOT_AFTER.match(text, end):
                continue  # "are we or are we not"
            yield start, end, text[start : left[-1].end()]
            break


@detector("MTQ231")
def repetition(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a word repeated three or more times back to back ("the deaths deaths deaths deaths"), a
    phrase repeated three or more times ("of the forest of the forest of the forest"), a clause
    repeated after a comma ("The wind, which was blowing hard, the wind, which was blowing
    hard,") and a sentence that repeats the one before it ("The government celebrated the data.
    The government celebrated the data."). The span is the whole run; the fix keeps one
    occurrence.

    Legitimate repetition is left alone: a word said twice ("very, very", "had had", "that
    that"), hyphenated doubles ("bye-bye"), emphatic words and interjections ("no, no, no", "ha
    ha"), anything inside a quotation (a chant, "Go, go, go!"), numbers, lists (whose items
    differ), a phrase that ends one sentence and starts the next ("in the UAE. The UAE also
    ..."), and two words said twice in a row, which is more often a caption glued to a headline
    than a decoder loop.

    Why is this bad:
    Neural MT systems sometimes loop, emitting the same token or clause again and again
    (oscillation), especially on long or unusual input. A reader sees it at once; it shows the
    copy was never edited.

    Example:
    "the deaths deaths deaths deaths in the region" -> "the deaths in the region".
    """
    text = doc.text
    taken: list[tuple[int, int]] = []
    tokens = list(_TOKEN.finditer(text))
    raw = [t.group() for t in tokens]
    words = [w.lower() for w in raw]
    for i, n, k in _runs(text, tokens, words):
        first, last = tokens[i], tokens[i + n * k - 1]
        unit_words = [t.group().lower() for t in tokens[i : i + n]]
        if n == 1 and (unit_words[0] in _EMPHATIC or unit_words[0].isdigit()):
            continue
        if _inside_quotes(text, first.start()):
            continue
        start, end = first.start(), last.end()
        single = text[start : tokens[i + n - 1].end()]
        taken.append((start, end))
        yield make_finding(doc, "MTQ231", start, end,
                           f"{'A word' if n == 1 else 'A phrase'} repeated {k} times: keep one",
                           suggestions=(single,), evidence={"unit": " ".join(unit_words), "repeats": k})
    # Only long tokens can hold a word three times over; the regexes run on those alone.
    long_tokens = [tok for tok, w in zip(tokens, raw) if len(w) >= 8]
    # a chain has two hyphens inside the token (each with the word after it)
    chained = [tok for tok, w in zip(tokens, raw) if len(w) >= 8 and w.count("-") >= 2]
    for pattern, what, toks in ((_CHAINED, "chained to itself", chained), (_GLUED, "glued to itself", long_tokens)):
        for m in (m for tok in toks for m in pattern.finditer(text, tok.start(), tok.end() + 1)):
            if m.group(1).lower() in _CHAIN_WORDS_OK or any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            yield make_finding(doc, "MTQ231", m.start(), m.end(), f"A word {what} again and again: keep one",
                               suggestions=(m.group(1),), evidence={"unit": m.group(1).lower()})
    for start, end, phrase in _coordinations(text, tokens, words):
        # Names coordinated with themselves are two names ("P. Diddy or Diddy", "Johnson & Johnson").
        proper = phrase[0].isupper() and text[end - len(phrase)].isupper()
        if (proper or _coordination_is_idiom(phrase) or any(s < end and start < e for s, e in taken)
                or _inside_quotes(text, start)):
            continue
        taken.append((start, end))
        yield make_finding(doc, "MTQ231", start, end,
                           f"'{phrase}' coordinated with itself: keep one", suggestions=(phrase,),
                           evidence={"unit": phrase.lower()})
