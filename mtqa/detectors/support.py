"""MTQ607: wording that the other copies of the story do not support.

Every copy of a story is a separate translation of one text, so what one copy's sentence says,
most of the other copies' aligned sentences say too, in their own words but mostly with the same
content words. A word that the other copies do not carry (no copy, or too few, has it or another
form of it), in a sentence whose other content words they do carry, is where this copy may have
said something else than the story: a wrong sense, a mistranslated name or term. Translators
also choose their own words, so support alone flags every paraphrase; the language model then
asks whether the word is surprising in this copy's own context (the log-probability of its
tokens after the sentence's preceding text), and only an unsupported word that is also
surprising is reported.

The decision threshold comes from models/calibration.json [cross-copy] (written by
scripts/calibrate_unsupported_wording.py on the development set, with its provenance). As in
MTQ501, the batched model pass only screens: a word within the section's ``band`` of the
threshold is scored again by the exact pass (float32, alone, unpadded), and the decision and the
evidence come from that.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from anyascii import anyascii
from sacrebleu.metrics import CHRF

from mtqa.calibration_file import load as load_calibration
from mtqa.detectors.base import Context, ModelRequest, make_finding
from mtqa.detectors.fluency import sentence_request
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector, model_requests
from mtqa.stories import CONTENT_MAX_ZIPF, Copy, Counterpart, Story, Token, quote, stories, word_edits
from mtqa.text import zipf

MIN_OTHERS = 3  # without a reference, this many other copies must have the sentence
MAX_SUPPORT = 0.3  # a word carried by at most this share of them is unsupported
MIN_SENTENCE_SUPPORT = 0.5  # ... in a sentence whose content words mostly are supported
MAJORITY = 0.5  # a content word carried by at least this share of the others is supported
MAX_ZIPF = 6.0  # words this common (the, of, and) carry grammar, not content
OPENING_MAX_ZIPF = 3.0  # a sentence's first word is judged only when it is this rare (a name)
STEM = 5  # letters that make two forms one word (inspected, inspection; renovated, renovations)
# ... and in a sentence that, as a whole, is at least this close (chrF, relative) to the other
# copies' as they are to each other: a translator who words the whole sentence more freely than
# the others do chooses more words of their own (scripts/measure_unsupported_wording_transfer.py)
MIN_CHRF_RATIO = 0.9
MAX_READING_TOKENS = 3  # another copy's wording at this place: a replacement of at most 3 words
MEASURE = "word_logprob"
# Until scripts/calibrate_unsupported_wording.py has written [cross-copy]: nothing is surprising
# enough (a word's tokens would need a log-probability below -40 nats).
DEFAULT_SECTION = {"thresholds": {MEASURE: -40.0}, "band": {MEASURE: 1.0}}


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    # folded to ASCII: a copy that writes "Klodzko" carries the others' "Kłodzko" (MTQ601 does not
    # report a spelling that differs only in diacritics either)
    w = anyascii(word).lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w[:STEM]


def _content(t: Token) -> bool:
    return t.text[0].isalpha() and len(t.text) > 2 and zipf(t.norm) <= CONTENT_MAX_ZIPF


def _candidate_token(t: Token) -> bool:
    return t.text[0].isalpha() and len(t.text) > 2 and zipf(t.norm) < MAX_ZIPF


@dataclass
class Candidate:
    """A word of one copy's sentence that the other copies do not carry."""

    story: Story
    copy: Copy
    sentence: int
    token: Token
    others: list[Counterpart]
    support: int  # how many of ``others`` carry the word
    sentence_support: float
    readings: list[tuple[str, Counterpart]]  # what the others have in its place, where they align
    closeness: tuple[float, float] | None = None  # (this sentence's, the others') mean chrF; see closeness()


def _stems(cp: Counterpart) -> set[str]:
    return {stem(t.text) for t in cp.copy.sentence_tokens(cp.sentence)}


def candidates(docs: list[Document], ctx: Context) -> list[Candidate]:
    """The unsupported words of the run, before the model judges them (shared, once per run)."""
    key = ("unsupported", tuple(id(d) for d in docs))
    if key not in ctx.memo:
        ctx.memo[key] = list(_find(docs, ctx))
    return ctx.memo[key]


def _find(docs: list[Document], ctx: Context) -> Iterator[Candidate]:
    for story in stories(docs, ctx):
        for copy in story.copies:
            if copy.reference:
                continue
            for i in range(len(copy.sentences)):
                others = story.counterparts(copy, i)
                refs = [cp for cp in others if cp.copy.reference]
                if not refs and len(others) < MIN_OTHERS:
                    continue
                mine = copy.sentence_tokens(i)
                theirs = [_stems(cp) for cp in others]
                support = [sum(1 for s in theirs if stem(t.text) in s) for t in mine]
                content = [k for k, t in enumerate(mine) if _content(t)]
                if not content:
                    continue
                share = sum(1 for k in content if support[k] >= MAJORITY * len(others)) / len(content)
                if share < MIN_SENTENCE_SUPPORT:
                    continue  # this copy says the sentence its own way: support says nothing
                ref_stems = [s for cp, s in zip(others, theirs) if cp.copy.reference]
                edits = close = None
                for k, t in enumerate(mine):
                    if not _candidate_token(t):
                        continue
                    if k == 0 and zipf(t.norm) >= OPENING_MAX_ZIPF:
                        continue  # "According to", "Based on": how a sentence opens is style
                    if any(stem(t.text) in s for s in ref_stems):
                        continue  # the original carries it
                    if support[k] > MAX_SUPPORT * len(others):
                        continue
                    if close is None:
                        close = closeness(copy.sentence_text(i), others)
                        if close[1] is not None and close[0] < MIN_CHRF_RATIO * close[1]:
                            break  # worded more freely than the others word it: no evidence
                    if edits is None:
                        edits = [word_edits(mine, cp.copy.sentence_tokens(cp.sentence)) for cp in others]
                    yield Candidate(story, copy, i, t, others, support[k], share,
                                    _readings(t, others, edits), close)


_CHRF = CHRF()


def closeness(sentence: str, others: list[Counterpart]) -> tuple[float, float | None]:
    """(this sentence's mean chrF against each other copy's, the other copies' mean chrF against
    each other), the second None with fewer than two others. sacrebleu's chrF, the standard
    character n-gram measure, is not symmetric; each pair is taken in both orders."""
    mine = sum(_CHRF.sentence_score(sentence, [cp.text]).score for cp in others) / len(others)
    pairs = [(a.text, b.text) for a in others for b in others if a is not b]
    if not pairs:
        return mine, None
    return mine, sum(_CHRF.sentence_score(a, [b]).score for a, b in pairs) / len(pairs)


def _readings(t: Token, others: list[Counterpart], edits) -> list[tuple[str, Counterpart]]:
    """The other copies' wording in place of ``t``: difflib's replacement around it, if short."""
    out = []
    for cp, eds in zip(others, edits):
        for ed in eds:
            if ed.tag == "replace" and ed.mine[0].start <= t.start and t.end <= ed.mine[-1].end:
                if len(ed.mine) == 1 and 1 <= len(ed.theirs) <= MAX_READING_TOKENS:
                    out.append((cp.copy.doc.text[ed.theirs[0].start:ed.theirs[-1].end], cp))
                break
    return out


def suggestion(c: Candidate) -> str | None:
    """The reference copy's wording, else the wording that more than half of the other copies
    share (at least two); None where they do not agree."""
    for reading, cp in c.readings:
        if cp.copy.reference:
            return reading
    if not c.readings:
        return None
    counts = Counter(r.lower() for r, _ in c.readings)
    top, n = counts.most_common(1)[0]
    if n >= 2 and n > len(c.others) / 2:
        return next(r for r, _ in c.readings if r.lower() == top)
    return None


def _request(c: Candidate) -> ModelRequest:
    return sentence_request(c.copy.doc, c.copy.doc.sentences[c.sentence])


def word_logprob(scores, doc: Document, sentence_start: int, sentence_end: int, t: Token) -> float:
    """The sum of the log-probabilities of the tokens that start inside the word (a token's
    leading space belongs to the word it starts)."""
    text = scores.text
    shift = sentence_start - (len(text) - (sentence_end - sentence_start))  # doc offset of text[0]
    total = 0.0
    for s, e, lp in zip(scores.starts.tolist(), scores.ends.tolist(), scores.logprobs.tolist()):
        while s < e and text[s].isspace():
            s += 1
        if s < e and t.start <= s + shift < t.end:
            total += lp
    return total


def section() -> dict:
    return load_calibration().get("cross-copy", DEFAULT_SECTION)


@model_requests("MTQ607")
def unsupported_wording_requests(docs: list[Document], ctx: Context) -> list[ModelRequest]:
    return [_request(c) for c in candidates(docs, ctx)]


@detector("MTQ607")
def unsupported_wording(docs: list[Document], ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds a word that the other copies of the story do not carry, in a sentence they otherwise
    match, and that the language model finds surprising where it stands: "down 1 guilders and 2
    dong" where the other translations say "down 1 dong". The word is checked
    against the aligned sentence of every other copy: a copy supports it when it has the word or
    another form of it (the same first five letters). A word is unsupported when at most three
    in ten of the other copies carry it, and at least three other copies have the sentence, or
    one of them is the reference copy (the English original, ``--reference``), which then
    suffices alone. A sentence that as a whole is further from the other copies' (chrF) than
    they are from each other, by more than a tenth, is not judged: its translator worded it
    freely, and a free wording brings words of its own. A word the reference carries is never reported, nor is anything in the
    reference itself. The other copies' wording at that place is suggested where more than half
    of them share it (or the reference has it); where they disagree, the finding lists their
    readings without a suggestion.

    Why is this bad:
    A wrong sense, a mistranslated name or a garbled term reads as fluent English; no lexicon
    lists them, and a language model alone flags every rare word. What the other translations
    of the same sentence say is the evidence that this copy's word was not meant.

    Translators word things their own way, so support alone is no proof: only a sentence whose
    other content words most copies carry is judged, and only a word whose tokens the model
    finds less likely than the calibrated threshold is reported (models/calibration.json
    [cross-copy], tuned on a development set of many translations of the same sources, for few
    false alarms on the human translations among them); the finding is major only beyond every
    false alarm of that set. The decision comes from the model's exact pass.
    Needs the model: with --no-lm this rule does not run.

    Example:
    copies: "down 1 dong and 2 dong from the day before" (three copies, "VND" in a fourth),
    "down 1 ⟦guilders⟧ and 2 dong from the day before" -> "guilders" is reported, with
    "dong" suggested.
    """
    sec = section()
    threshold = sec["thresholds"][MEASURE]
    band = sec.get("band", DEFAULT_SECTION["band"])[MEASURE]
    for c in candidates(docs, ctx):
        req = _request(c)
        s, e = c.copy.sentences[c.sentence]
        if word_logprob(ctx.model[req], c.copy.doc, s, e, c.token) >= threshold + band:
            continue
        lp = word_logprob(ctx.model.exact(req), c.copy.doc, s, e, c.token)
        if lp >= threshold:
            continue
        yield _finding(c, lp)


def _finding(c: Candidate, lp: float) -> Finding:
    fix = suggestion(c)
    n = len(c.others)
    carried = f"{c.support} of the {n} other copies" if c.support else f"none of the {n} other copies"
    best = max(c.others, key=lambda cp: (cp.copy.reference, cp.similarity))
    ref = next((cp for cp in c.others if cp.copy.reference), None)
    if ref is not None:
        carried = f"the reference copy ({ref.copy.path}) does not"
    else:
        carried += " of this story carry it"
    readings = Counter(r for r, _ in c.readings)
    said = (f"; they say {fix!r}" if fix else
            "; they word it differently, with no wording most of them share" if readings else "")
    s, e = c.copy.sentences[c.sentence]
    return make_finding(
        c.copy.doc, "MTQ607", c.token.start, c.token.end,
        f"{c.token.text!r} is not in the other copies' version of this sentence: {carried}{said} "
        f'({best.copy.path}: "{quote(best.text)}"), and the language model finds it unlikely here',
        suggestions=(fix,) if fix else (),
        evidence={"measures": {MEASURE: round(lp, 4)},
                  "support": c.support, "others": n, "sentence_support": round(c.sentence_support, 3),
                  **({"sentence_chrf": round(c.closeness[0], 2),
                      "others_chrf": None if c.closeness[1] is None else round(c.closeness[1], 2)}
                     if c.closeness else {}),
                  "readings": [[r, k] for r, k in readings.most_common()],
                  "story": [cp.path for cp in c.story.copies], "sentence": {"start": s, "end": e},
                  "copies": [cp.evidence() for cp in c.others]},
    )
