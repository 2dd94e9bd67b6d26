"""MTQ501: sentences the language model finds garbled."""

from __future__ import annotations

from mtqa.detectors.base import make_finding
from mtqa.registry import detector

# Used only until scripts/calibrate_fluency.py has written models/calibration.json [fluency].
DEFAULT_THRESHOLDS = {"total": -3.0, "per_word": -0.4}


@detector("MTQ501")
def garbled_sentence(doc, ctx):
    """What it does
    Scores every sentence with the language model and measures each common word's *oddness*:
    its SLOR (the model's log-probability of the word here minus its unigram log-probability
    from word frequencies, so that rare words and names cost nothing by themselves) plus the
    entropy of the model's prediction before it. A word with oddness below zero is both less
    likely here than in text at large and more surprising than the model expected to be. The
    sentence's deficit is the sum of those negative oddnesses over its common lower-case words.
    A sentence is reported when its total deficit (several odd words add up, as in a long
    garbled sentence) or its deficit per judged word (one glaring word in a short sentence) is
    beyond what clean news shows. The span is the worst run of words: the oddest word and the
    odd lower-case words beside it. There is no suggestion. See mtqa/scoring/fluency.py.

    Both thresholds are calibrated on clean English news, each at the same quantile, so that
    together they flag at most one sentence per 2,000 words (models/calibration.json, section
    "fluency", with its provenance; scripts/dev_fluency.py compares the candidate measures on
    the development MQM set). The first sentence of a document (usually a headline) and
    sentences under six words are not judged. Needs the model: with --no-lm this rule does not
    run. A small model misses most garbled sentences; treat a finding as "read this one again".

    Why is this bad
    Machine translation sometimes produces sentences that are grammatical word by word but mean
    nothing: a wrong sense of a word, a calque, a garbled idiom. No rule can list them; a
    language model notices that the words do not belong together.

    Example
    Mariupol came as a symbol of the human misery caused by the war. Plants have ⟦especially⟧
    migrated to the outside world.
    """
    if ctx.lm is None:
        return
    import math

    from mtqa.scoring.calibration import CATEGORY_PRIORS, load
    from mtqa.scoring.fluency import assess_document

    section = load().get("fluency", {})
    thr = {k: section.get("thresholds", {}).get(k, v) for k, v in DEFAULT_THRESHOLDS.items()}
    scale = {k: section.get("scales", {}).get(k, 1.0) for k in DEFAULT_THRESHOLDS}
    for a in assess_document(doc, ctx.lm):
        value = {"total": a.total, "per_word": a.per_word}
        # how far beyond its threshold each measure is, in units of its clean-news scale
        beyond = max((thr[k] - value[k]) / scale[k] for k in thr)
        if beyond <= 0 or a.run[1] <= a.run[0]:
            continue
        start, end = a.run
        yield make_finding(
            doc, "MTQ501", start, end,
            f"garbled sentence? the language model finds '{doc.text[start:end]}' out of place here "
            f"(deficit {a.total:.2f}, {a.per_word:.2f} per word; thresholds {thr['total']:.2f}, "
            f"{thr['per_word']:.2f})",
            # From the fluency prior (0.5) at the threshold towards 0.8 far beyond it: even at one
            # alarm per 2,000 words of clean news, a small model's "garbled" is less certain than
            # a confusion it can check against a suggestion, so it ranks below those.
            evidence={"score": CATEGORY_PRIORS["fluency"] + 0.3 * (1 - math.exp(-beyond)),
                      "deficit": round(a.total, 3), "deficit_per_word": round(a.per_word, 3),
                      "slor_sentence": round(a.sentence_slor, 3),
                      "sentence": [a.sentence.start, a.sentence.end]},
        )
