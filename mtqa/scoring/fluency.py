"""Sentence fluency from the model: SLOR per word, and the worst run of words in a sentence.

SLOR (syntactic log-odds ratio) is the model's log-probability of a word minus its unigram
log-probability (wordfreq). A rare word or a name costs any model many nats, garbled or not; SLOR
asks instead whether the word fits *here* better than it would anywhere. Below zero, the word is
less likely in this context than in text at large: that is what the odd words of a garbled MT
sentence look like ("an independent voting *engineer*", "Plants have *especially* migrated").

Only judged words count: common lower-case content words (wordfreq Zipf between MIN_ZIPF and
MAX_ZIPF). Names, numbers, rare words, function words and punctuation are scored by the model but
not judged, since a small model cannot tell a garbled name from an unfamiliar one. Two measures
per sentence, and the detector (mtqa/detectors/fluency.py) flags a sentence beyond either of
their thresholds, set together to at most one sentence per 2,000 words of clean news
(scripts/calibrate_fluency.py, each rule taking half of that budget):

- the *deficit* (``total``): the sum of min(0, SLOR) over judged words. 0 when every common word
  fits its context, more negative the more words fit badly and the worse they fit;
- the short-sentence measure (``odd_per_word``): the mean over judged words of min(0, SLOR +
  entropy of the prediction before the word). The entropy term makes a word count only when it
  is both out of place and more surprising than the model expected to be.

Why these (scripts/dev_fluency.py, on the development MQM set newstest2020 zh-en: 6,831 MT
sentences from 8 systems, 2,629 of them with a major fluency or mistranslation error by most
raters, against 4,138 clean news sentences, all at 52 clean alarms): the deficit alone flags
6.4% of those sentences at precision 0.77 (two folds: 6.4% and 6.4%); the per-word measure alone
2.5% at precision 0.46; adding the entropy to the deficit, or dividing it by the number of
words, made every variant tried worse. But the deficit favours long sentences (more words, more
chances to go wrong) and never reaches its threshold on a short one: "Plants have especially
migrated to the outside world." has a deficit of -3.3. The union with the per-word measure, half
the budget each, flags 5.4% at precision 0.70 and catches such short sentences, at the margin
(the Plants sentence: -0.46 in bf16, -0.42 in fp32, threshold -0.42). Judging more words (Zipf
down to 2.5, or the capitalised first word) diluted the per-word mean and lost recall. Not judging
a word modified by a name ("the Azovstal *plant*", a seed false alarm) cost precision on the dev
set (0.66; 0.67 when every word after a name was left out), so it was not kept. On a small
sample of the test set newstest2021 (566 MT sentences, read once, the deficit rule alone)
neither measure did well: 2.8% at precision 0.54 for the deficit, 3.5% at 0.69 for the old
per-word measure, 13 sentences flagged by each.

The span of a finding is the worst run of words: the judged word with the lowest SLOR, extended
over the adjacent lower-case words whose SLOR is also below zero (a name next to it is not
pulled in). Each sentence is scored after the text before it (CONTEXT_CHARS code points, cut at a
word boundary), so identical sentences with the same lead-in in syndicated copies are scored once
and cached.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from mtqa.document import Document, Span
from mtqa.scoring.unigram import UNIT, word_logprob

CONTEXT_CHARS = 200
MIN_ZIPF = 3.5  # judged words: common content words, neither rare (names, jargon) ...
MAX_ZIPF = 6.0  # ... nor function words, whose unigram probability is so high that any surprise dips below it
MIN_WORDS = 6
_JUDGED = regex.compile(r"\p{Ll}+(?:['’]\p{Ll}+)?")


@dataclass(frozen=True)
class Word:
    start: int  # offsets into the document
    end: int
    text: str
    lm: float  # sum of the model's log-probabilities of the word's tokens
    unigram: float
    entropy: float  # of the model's prediction at the word's first token
    judged: bool

    @property
    def slor(self) -> float:
        return self.lm - self.unigram

    @property
    def oddness(self) -> float:
        """SLOR plus the entropy before the word: below zero when the word is both less likely
        here than in text at large and more surprising than the model expected to be. The
        short-sentence measure (``Assessment.odd_per_word``) is built on it."""
        return self.slor + self.entropy


@dataclass(frozen=True)
class Assessment:
    sentence: Span
    words: tuple[Word, ...]
    total: float  # sum over judged words of min(0, SLOR): 0 for a fluent sentence
    per_word: float  # the same, divided by the number of judged words
    odd_per_word: float  # mean over judged words of min(0, oddness): the short-sentence measure
    run: tuple[int, int]  # document offsets of the worst run
    sentence_slor: float  # (log p_LM - log p_unigram) per token over the sentence

    @property
    def n_words(self) -> int:
        return sum(1 for w in self.words if w.unigram != 0.0)

    @property
    def n_judged(self) -> int:
        return sum(1 for w in self.words if w.judged)


def _zipf_ok(word: str) -> bool:
    from mtqa.detectors.tokens import zipf

    return MIN_ZIPF <= zipf(word.lower()) <= MAX_ZIPF


def sentence_items(doc: Document, sentences: list[Span]) -> list[tuple[str, str]]:
    """(context, text) for each sentence: the text before it, trimmed to a word boundary."""
    items = []
    for s in sentences:
        lo = max(0, s.start - CONTEXT_CHARS)
        ctx = doc.text[lo : s.start]
        if lo > 0:
            cut = ctx.find(" ")
            ctx = ctx[cut + 1 :] if cut != -1 else ""
        ctx = ctx.rstrip()
        items.append((ctx, (" " if ctx else "") + doc.text[s.start : s.end]))
    return items


def assess(doc: Document, sentence: Span, scores) -> Assessment:
    """Per-word SLOR and the worst run for one sentence, from its TokenScores."""
    text = scores.text
    shift = sentence.start - (len(text) - (sentence.end - sentence.start))  # doc offset of text[0]
    units = [(m.start(), m.end(), m.group()) for m in UNIT.finditer(text)]
    lm = [0.0] * len(units)
    ent: list[float | None] = [None] * len(units)
    other_lm, other_n = 0.0, 0
    ui = 0
    for s, e, lp, h in zip(scores.starts.tolist(), scores.ends.tolist(), scores.logprobs.tolist(),
                           scores.entropies.tolist()):
        while s < e and text[s].isspace():
            s += 1
        while ui < len(units) and units[ui][1] <= s:
            ui += 1
        if ui < len(units) and units[ui][0] < e:
            lm[ui] += lp
            if ent[ui] is None:
                ent[ui] = h
        else:
            other_lm += lp
            other_n += 1
    words = []
    for (s, e, w), l, h in zip(units, lm, ent):
        judged = bool(_JUDGED.fullmatch(w)) and _zipf_ok(w)
        words.append(Word(s + shift, e + shift, w, l, word_logprob(w.lower()), h or 0.0, judged))
    n_tokens = max(1, len(scores.logprobs))
    slor = (sum(lm) + other_lm - sum(w.unigram for w in words)) / n_tokens
    judged = [i for i, w in enumerate(words) if w.judged]
    if not judged:
        return Assessment(sentence, tuple(words), 0.0, 0.0, 0.0, (sentence.start, sentence.start), slor)
    total = sum(min(0.0, words[j].slor) for j in judged)
    odd = sum(min(0.0, words[j].oddness) for j in judged) / len(judged)
    i = min(judged, key=lambda j: words[j].slor)
    lo = hi = i

    def joins(w: Word) -> bool:  # lower-case words only: a name beside the odd word is no part of it
        return w.slor < 0 and bool(_JUDGED.fullmatch(w.text))

    while lo > 0 and joins(words[lo - 1]):
        lo -= 1
    while hi + 1 < len(words) and joins(words[hi + 1]):
        hi += 1
    return Assessment(sentence, tuple(words), total, total / len(judged), odd, (words[lo].start, words[hi].end),
                      slor)


def candidate_sentences(doc: Document) -> list[Span]:
    """Sentences worth judging: not the document's first (a headline, often glued to the body in
    wire copy and legitimately terse) and at least MIN_WORDS words long."""
    out = []
    for k, s in enumerate(doc.sentences):
        if k == 0:
            continue
        if sum(1 for _ in UNIT.finditer(doc.text, s.start, s.end)) < MIN_WORDS:
            continue
        out.append(s)
    return out


def assess_document(doc: Document, lm) -> list[Assessment]:
    sentences = candidate_sentences(doc)
    if not sentences:
        return []
    scores = lm.score(sentence_items(doc, sentences))
    return [assess(doc, s, sc) for s, sc in zip(sentences, scores)]
