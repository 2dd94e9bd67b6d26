"""MTQ501: sentences the language model finds garbled."""

from __future__ import annotations

from mtqa.detectors.base import make_finding
from mtqa.registry import detector

# Used only until scripts/calibrate_fluency.py has written models/calibration.json [fluency].
DEFAULT_THRESHOLDS = {"total": -10.0, "odd_per_word": -0.5}
DEFAULT_SCALES = {"total": 1.0, "odd_per_word": 0.1}


@detector("MTQ501")
def garbled_sentence(doc, ctx):
    """What it does
    Scores every sentence with the language model and asks, for each common lower-case word,
    whether it fits here better than it would anywhere: its SLOR, the model's log-probability
    of the word in this context minus its unigram log-probability from word frequencies (so a
    rare word or a name costs nothing by itself). The sentence's deficit is the sum of the
    negative SLORs: every word that is less likely here than in text at large adds how much
    less likely it is. A sentence whose deficit is beyond what clean news shows is reported;
    the span is the worst run of words (the word that fits worst and the ill-fitting lower-case
    words beside it). There is no suggestion. See mtqa/scoring/fluency.py for the details and
    the measurements behind the choice. A short sentence rarely has enough words for a large
    deficit, so a second rule also reports a sentence whose words fit badly on average (the mean
    of negative SLOR plus the entropy of the model's prediction before each word: a word both
    out of place and more surprising than the model expected).

    The two thresholds are calibrated together on clean English news to at most one false alarm
    per 2,000 words (models/calibration.json, section "fluency", with its provenance). The first sentence
    of a document (usually a headline) and sentences under six words are not judged. Needs the
    model: with --no-lm this rule does not run. A small model misses most garbled sentences
    (it flags about one in twenty MT sentences with a major error on the development MQM set,
    at precision 0.70); treat a finding as "read this one again".

    Why is this bad
    Machine translation sometimes produces sentences that are grammatical word by word but mean
    nothing: a wrong sense of a word, a calque, a garbled idiom. No rule can list them; a
    language model notices that the words do not belong together.

    Example
    The city council met on Tuesday to discuss the budget. The mayor has especially migrated
    the roads to the outside ⟦taxes⟧.
    """
    if ctx.lm is None:
        return
    import math

    from mtqa.scoring.calibration import CATEGORY_PRIORS, load
    from mtqa.scoring.fluency import assess_document

    section = load().get("fluency", {})
    thresholds = section.get("thresholds", DEFAULT_THRESHOLDS)
    scales = section.get("scales", DEFAULT_SCALES)
    for a in assess_document(doc, ctx.lm):
        values = {"total": a.total, "odd_per_word": a.odd_per_word}
        beyond = max((thresholds[k] - values[k]) / scales[k] for k in values)  # > 0: flagged by a rule
        if beyond <= 0 or a.run[1] <= a.run[0]:
            continue
        start, end = a.run
        yield make_finding(
            doc, "MTQ501", start, end,
            f"garbled sentence? the language model finds '{doc.text[start:end]}' out of place here "
            f"(deficit {a.total:.2f}, per word {a.odd_per_word:.2f}; thresholds {thresholds['total']:.2f}, "
            f"{thresholds['odd_per_word']:.2f})",
            # From the fluency prior (0.5) at a threshold towards 0.8 far beyond it: even at one
            # alarm per 2,000 words of clean news, a small model's "garbled" is less certain than
            # a confusion it can check against a suggestion, so it ranks below those.
            evidence={"score": CATEGORY_PRIORS["fluency"] + 0.3 * (1 - math.exp(-beyond)),
                      "deficit": round(a.total, 3), "odd_per_word": round(a.odd_per_word, 3),
                      "slor_sentence": round(a.sentence_slor, 3),
                      "sentence": [a.sentence.start, a.sentence.end]},
        )
