"""MTQ501: sentences the language model finds garbled.

The evidence is SLOR per word: the model's log-probability of the word in its context minus its
unigram log-probability (wordfreq), so a rare word or a name costs nothing by itself; below zero,
the word is less likely here than in text at large. Only *judged* words count: common lower-case
words (wordfreq Zipf between MIN_ZIPF and MAX_ZIPF). Two measures per sentence:

- ``total``, the deficit: the sum of min(0, SLOR) over judged words;
- ``odd_per_word``, for short sentences: the mean over judged words of min(0, SLOR + the entropy
  of the prediction before the word), a word both out of place and more surprising than the model
  expected to be.

A sentence is flagged when either measure is below its threshold (models/calibration.json
[fluency], written by scripts/calibrate_fluency.py; the choices and their measurements are in
that section's provenance and in README "The language model").

The decision must not depend on the machine: the batched pass (bf16 where the CPU has it, padded
into batches of mixed lengths) only screens. Every sentence within ``band`` of a threshold in that
pass is scored again alone, unpadded, in float32 (the model engine's *exact* answer), and the
finding, its span and its evidence come from that pass only. The band is wider than any
difference measured between the two passes, so no sentence decided by the exact pass can be
missed by the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from mtqa.calibration_file import load as load_calibration
from mtqa.detectors.base import ModelRequest, make_finding
from mtqa.document import Document, Span
from mtqa.registry import detector, model_requests
from mtqa.text import UNIT, word_logprob, zipf

CONTEXT_CHARS = 200
MIN_ZIPF = 3.5  # judged words: common content words, neither rare (names, jargon) ...
MAX_ZIPF = 6.0  # ... nor function words, whose unigram probability is so high that any surprise dips below it
MIN_WORDS = 6
_JUDGED = regex.compile(r"\p{Ll}+(?:['’]\p{Ll}+)?")
MEASURES = ("total", "odd_per_word")
# Until scripts/calibrate_fluency.py has written [fluency]: a rule that flags almost nothing.
DEFAULT_SECTION = {"thresholds": {"total": -20.0, "odd_per_word": -1.5},
                   "band": {"total": 2.0, "odd_per_word": 0.2}}


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
        here than in text at large and more surprising than the model expected to be."""
        return self.slor + self.entropy


@dataclass(frozen=True)
class Assessment:
    sentence: Span
    words: tuple[Word, ...]
    total: float  # sum over judged words of min(0, SLOR): 0 for a fluent sentence
    odd_per_word: float  # mean over judged words of min(0, oddness): the short-sentence measure
    run: tuple[int, int]  # document offsets of the worst run
    worst: int | None  # index in ``words`` of the judged word that fits worst

    def measures(self) -> dict[str, float]:
        return {"total": self.total, "odd_per_word": self.odd_per_word}

    @property
    def n_judged(self) -> int:
        return sum(1 for w in self.words if w.judged)

    @property
    def n_out_of_place(self) -> int:
        return sum(1 for w in self.words if w.judged and w.slor < 0)


def _judged(word: str) -> bool:
    return bool(_JUDGED.fullmatch(word)) and MIN_ZIPF <= zipf(word.lower()) <= MAX_ZIPF


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


def sentence_request(doc: Document, s: Span) -> ModelRequest:
    """The sentence after the text before it (CONTEXT_CHARS code points, cut at a word boundary):
    identical sentences with the same lead-in in syndicated copies are one request."""
    lo = max(0, s.start - CONTEXT_CHARS)
    ctx = doc.text[lo : s.start]
    if lo > 0:
        cut = ctx.find(" ")
        ctx = ctx[cut + 1 :] if cut != -1 else ""
    ctx = ctx.rstrip()
    return ModelRequest(ctx, (" " if ctx else "") + doc.text[s.start : s.end])


def sentence_items(doc: Document, sentences: list[Span]) -> list[tuple[str, str]]:
    """(context, text) of each sentence's request, for the scripts that score them in bulk."""
    return [(q.context, q.text) for q in (sentence_request(doc, s) for s in sentences)]


def assess(doc: Document, sentence: Span, scores) -> Assessment:
    """Per-word SLOR and the worst run of one sentence, from its token scores."""
    text = scores.text
    shift = sentence.start - (len(text) - (sentence.end - sentence.start))  # doc offset of text[0]
    units = [(m.start(), m.end(), m.group()) for m in UNIT.finditer(text)]
    lm = [0.0] * len(units)
    ent: list[float | None] = [None] * len(units)
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
    words = tuple(Word(s + shift, e + shift, w, l, word_logprob(w.lower()), h or 0.0, _judged(w))
                  for (s, e, w), l, h in zip(units, lm, ent))
    judged = [i for i, w in enumerate(words) if w.judged]
    if not judged:
        return Assessment(sentence, words, 0.0, 0.0, (sentence.start, sentence.start), None)
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
    return Assessment(sentence, words, total, odd, (words[lo].start, words[hi].end), i)


def section() -> dict:
    return load_calibration().get("fluency", DEFAULT_SECTION)


def flagged(measures: dict[str, float], thresholds: dict[str, float], margin: dict[str, float] | None = None) -> bool:
    """Below either threshold (raised by ``margin``, for the screening pass)."""
    return any(measures[k] < thresholds[k] + (margin or {}).get(k, 0.0) for k in MEASURES)


def message(doc: Document, a: Assessment) -> str:
    worst = a.words[a.worst]
    run = doc.text[a.run[0] : a.run[1]]
    others = a.n_out_of_place - 1
    where = f"'{worst.text}'" if run == worst.text else f"'{worst.text}' (in '{run}')"
    more = (f"; {others} other word{'s' if others > 1 else ''} in this sentence fit{'s' if others == 1 else ''}"
            " poorly too" if others > 0 else "")
    return (f"garbled sentence? {where} makes little sense here: the language model expects it far less "
            f"in this sentence than in English at large{more}. Reread the sentence against the source")


@model_requests("MTQ501")
def garbled_sentence_requests(doc, ctx) -> list[ModelRequest]:
    return [sentence_request(doc, s) for s in candidate_sentences(doc)]


@detector("MTQ501")
def garbled_sentence(doc, ctx):
    """What it does
    Reads every sentence with the language model and asks, for each common lower-case word,
    whether it fits here better than it would anywhere (its SLOR: the model's log-probability of
    the word in this context minus its unigram log-probability, so a rare word or a name costs
    nothing by itself). A sentence is reported when its words fit badly in sum (the deficit) or,
    for a short sentence, on average (with the model's own uncertainty before each word taken
    into account), beyond what human-written news shows. The span is the worst run of words:
    the word that fits worst and the ill-fitting lower-case words beside it. There is no
    suggestion.

    Both thresholds are calibrated on clean English news to at most one finding per 2,000 words
    (models/calibration.json [fluency]). The finding is major only where the model is very sure
    (its score at or above 0.5: worse than any sentence of 308 clean news articles);
    otherwise it is minor. The decision is computed in float32, one sentence at a time, so it is
    the same on every machine, thread count and batch. The first sentence of a document (usually
    a headline) and sentences under six words are not judged. Needs the model: with --no-lm this
    rule does not run. A small model misses most garbled sentences; treat a finding as "read
    this one again".

    Why is this bad
    Machine translation sometimes produces sentences that are grammatical word by word but mean
    nothing: a wrong sense of a word, a calque, a garbled idiom. No rule can list them; a
    language model notices that the words do not belong together.

    Example
    The city council met on Tuesday to discuss the budget. The mayor has especially migrated
    the roads to the outside ⟦taxes⟧.
    """
    sec = section()
    thresholds, band = sec["thresholds"], sec.get("band", DEFAULT_SECTION["band"])
    for s, req in zip(candidate_sentences(doc), garbled_sentence_requests(doc, ctx)):
        if not flagged(assess(doc, s, ctx.model[req]).measures(), thresholds, band):
            continue
        a = assess(doc, s, ctx.model.exact(req))
        if a.worst is None or not flagged(a.measures(), thresholds):
            continue
        yield make_finding(
            doc, "MTQ501", a.run[0], a.run[1], message(doc, a),
            evidence={"measures": {k: round(v, 4) for k, v in a.measures().items()},
                      "worst_word": a.words[a.worst].text, "sentence": [s.start, s.end]},
        )
