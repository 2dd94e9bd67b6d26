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

Sentences are scored in windows: consecutive candidate sentences of one paragraph (no line break
between them), up to WINDOW_CHARS code points, are one model request after the text before the
window, so each sentence's tokens are computed once and a later sentence of a window has the
earlier ones of its paragraph as its context.

The decision must not depend on the machine: the batched pass (bf16 where the CPU has it, padded
into batches of mixed lengths) only screens. Every sentence within ``band`` of a threshold in that
pass is scored again with its window up to the sentence's end, alone, unpadded, in float32 (the
model engine's *exact* answer), and the finding, its span and its evidence come from that pass
only. The band is wider than any difference measured between the two passes, so no sentence
decided by the exact pass can be missed by the screen.
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
# A window's text: consecutive candidate sentences of one paragraph (and what lies between them)
# up to WINDOW_CHARS code points, scored in one pass after CONTEXT_CHARS of the text before the
# window. Each sentence's tokens are computed once (one request per sentence, each after its own
# context, computed 2.3 times the article's tokens on clean news). A window stops at a line break,
# so no sentence reads more than its paragraph and the CONTEXT_CHARS before it: windows of 800
# characters across paragraphs gave some sentences 900 characters of context, and the seeds'
# garbled "Plants have especially migrated..." then read as fluent after an earlier paragraph's
# "Azovstal plant" (scripts/measure_fluency_windows.py; README "Speed").
WINDOW_CHARS = 800
BY_PARAGRAPH = True
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


@dataclass(frozen=True)
class Window:
    """Consecutive candidate sentences scored in one model request."""

    request: ModelRequest
    start: int  # document offset of request.text[0]
    sentences: tuple[Span, ...]

    def scores(self, scores, sentence: Span):
        """A sentence's token scores out of its window's (``scores``: the request's answer)."""
        return scores.slice(sentence.start - self.start, sentence.end - self.start)

    def up_to(self, sentence: Span) -> ModelRequest:
        """The window's request cut after ``sentence``: what its exact pass computes. The tokens up
        to the sentence's end are those of the whole window (a causal model does not look ahead),
        at a fraction of the float32 work, and its numbers depend on the document alone."""
        return ModelRequest(self.request.context, self.request.text[: sentence.end - self.start],
                            read_from=sentence.start - self.start)


def _request(doc: Document, start: int, end: int) -> tuple[ModelRequest, int]:
    """``doc.text[start:end]`` after the text before it (CONTEXT_CHARS code points, cut at a word
    boundary), and the document offset of the request text's first character. Identical passages
    with the same lead-in in syndicated copies are one request."""
    lo = max(0, start - CONTEXT_CHARS)
    ctx = doc.text[lo:start]
    if lo > 0:
        cut = ctx.find(" ")
        ctx = ctx[cut + 1 :] if cut != -1 else ""
    ctx = ctx.rstrip()
    lead = " " if ctx else ""
    return ModelRequest(ctx, lead + doc.text[start:end]), start - len(lead)


def windows(doc: Document, sentences: list[Span] | None = None, window_chars: int = 0,
            by_paragraph: bool | None = None) -> list[Window]:
    """The candidate sentences (or ``sentences``) in windows, each one model request: consecutive
    sentences within ``window_chars`` code points (default WINDOW_CHARS; a longer sentence is a
    window of its own) and, with ``by_paragraph`` (default BY_PARAGRAPH), with no line break
    between them: a paragraph break, or one line per paragraph as in much wire copy."""
    window_chars = window_chars or WINDOW_CHARS
    by_paragraph = BY_PARAGRAPH if by_paragraph is None else by_paragraph
    groups: list[list[Span]] = []
    for s in candidate_sentences(doc) if sentences is None else sentences:
        if (groups and s.end - groups[-1][0].start <= window_chars
                and not (by_paragraph and "\n" in doc.text[groups[-1][-1].end : s.start])):
            groups[-1].append(s)
        else:
            groups.append([s])
    out = []
    for g in groups:
        request, start = _request(doc, g[0].start, g[-1].end)
        out.append(Window(request, start, tuple(g)))
    return out


def sentence_request(doc: Document, s: Span) -> ModelRequest:
    """One sentence alone after the text before it: MTQ607's request, and how MTQ501 scored
    sentences before windows (scripts that compare the two use it)."""
    return _request(doc, s.start, s.end)[0]


def sentence_items(doc: Document, sentences: list[Span]) -> list[tuple[str, str]]:
    """(context, text) of each sentence alone (``sentence_request``), for the scripts that score
    them in bulk."""
    return [(q.context, q.text) for q in (sentence_request(doc, s) for s in sentences)]


def scored_sentences(doc: Document, answers, sentences: list[Span] | None = None, exact: bool = False):
    """(sentence, its token scores) for every candidate sentence (or ``sentences``), as MTQ501
    scores them: from the batched pass over its window, or with ``exact`` from the exact pass.
    For the scripts that calibrate and evaluate the rule."""
    for w in windows(doc, sentences):
        sc = None if exact else answers[w.request]
        for s in w.sentences:
            yield s, w.scores(answers.exact(w.up_to(s)) if exact else sc, s)


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
    return [w.request for w in windows(doc)]


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
    otherwise it is minor. The decision is computed in float32, one window of sentences at a time,
    so it is the same on every machine, thread count and batch. The first sentence of a document (usually
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
    for w in windows(doc):
        screened = ctx.model[w.request]
        near = [s for s in w.sentences if flagged(assess(doc, s, w.scores(screened, s)).measures(), thresholds, band)]
        if not near:
            continue
        for s in near:
            a = assess(doc, s, w.scores(ctx.model.exact(w.up_to(s)), s))
            if a.worst is None or not flagged(a.measures(), thresholds):
                continue
            yield make_finding(
                doc, "MTQ501", a.run[0], a.run[1], message(doc, a),
                evidence={"measures": {k: round(v, 4) for k, v in a.measures().items()},
                          "worst_word": a.words[a.worst].text, "sentence": [s.start, s.end]},
            )
