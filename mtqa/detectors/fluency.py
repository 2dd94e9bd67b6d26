"""MTQ501: sentences the language model finds garbled."""

from __future__ import annotations

from mtqa.detectors.base import make_finding
from mtqa.registry import detector

# Used only until scripts/calibrate_fluency.py has written models/calibration.json [fluency].
DEFAULT_THRESHOLD = -1.5


@detector("MTQ501")
def garbled_sentence(doc, ctx):
    """What it does
    Scores every sentence with the language model, normalised for rare words and names (SLOR:
    the model's log-probability of each word minus its unigram log-probability from word
    frequencies, plus the entropy of the model's prediction before it), and reports a sentence
    whose common words fit their context far worse than clean news ever does. The span is the
    worst run of words; there is no suggestion. See mtqa/scoring/fluency.py for the details.

    The threshold is calibrated on clean English news to at most one false alarm per 2,000
    words (models/calibration.json, section "fluency", with its provenance). The first sentence
    of a document (usually a headline) and sentences under six words are not judged. Needs the
    model: with --no-lm this rule does not run.

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
    threshold = section.get("threshold", DEFAULT_THRESHOLD)
    scale = section.get("scale", 1.0)
    for a in assess_document(doc, ctx.lm):
        if a.worst >= threshold or a.run[1] <= a.run[0]:
            continue
        start, end = a.run
        yield make_finding(
            doc, "MTQ501", start, end,
            f"garbled sentence? the language model finds '{doc.text[start:end]}' out of place here "
            f"(oddness {a.worst:.2f}, threshold {threshold:.2f})",
            # From the fluency prior (0.5) at the threshold towards 0.8 far beyond it: even at one
            # alarm per 2,000 words of clean news, a small model's "garbled" is less certain than
            # a confusion it can check against a suggestion, so it ranks below those.
            evidence={"score": CATEGORY_PRIORS["fluency"] + 0.3 * (1 - math.exp(-(threshold - a.worst) / scale)),
                      "oddness": round(a.worst, 3),
                      "slor_sentence": round(a.sentence_slor, 3),
                      "sentence": [a.sentence.start, a.sentence.end]},
        )
