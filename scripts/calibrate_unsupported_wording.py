#!/usr/bin/env python3
"""Calibrate MTQ607 (unsupported wording) on the MQM development set and write models/calibration.json [cross-copy].

    .venv/bin/python scripts/calibrate_unsupported_wording.py [--limit 40] [--cache-dir DIR]
        [--max-fa 0.5] [--dry-run]

Reads newstest2020-zhen (development only; the test sets are never read here): every translation
of the sampled source segments in one run, as scripts/eval_multicopy.py does. MTQ607's candidates
(words the other copies do not carry, in sentences they otherwise match) are found without the
model; each candidate word's log-probability in its own context is then computed by the exact
pass (float32, alone, unpadded: the pass the rule decides with) and by the batched pass (to
measure how far the screen can be off, which sets the band).

For every threshold between two candidates' values, the candidates below it are scored as spans
against the expert spans (targeted categories, partial match, micro-averaged over raters, as the
multi-copy evaluation does) and their false alarms counted per 1,000 words of the human
translations (findings outside every rater's spans). The threshold written is the one with the
best F1 at no more than --max-fa false alarms per 1,000 words, placed halfway to the next
candidate's value so that no candidate sits on it; ``sure`` (where the scorer keeps a finding
major) is the most negative value of any false alarm on a human translation. The whole curve is
printed and stored with the section.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Nats: twice the largest batched-exact difference of any calibration run so far (1.62, on the
# 40-source sample); the band is also never below twice this run's largest (BAND_FACTOR).
MIN_BAND = 3.3
BAND_FACTOR = 2.0
# Why the rule is calibrated below the budget it is meant to hold (1 per 1,000 words).
MAX_FA_NOTE = (
    "run with --max-fa 0.5: a threshold chosen at the budget itself exceeds it on unseen documents about "
    "half the time (scripts/measure_unsupported_wording_transfer.py: 2 folds by document x 10 seeds, held-out "
    "1.13 per 1,000 human words pooled, 10 of 20 folds over 1); chosen at 0.5, with the sentence gate "
    "(min_chrf_ratio), 0.68 pooled and 5 of 20 folds over")


def main(argv=None) -> None:
    from mtqa.evaluation.multicopy import DEV, calibration_parser, development_copies

    args = calibration_parser(__doc__.splitlines()[0], default_limit=40).parse_args(argv)

    from mtqa.calibration_file import save_section
    from mtqa.detectors import support as S
    from mtqa.detectors.base import Context
    from mtqa.evaluation.benchmarks import _system_result
    from mtqa.evaluation.datasets import targeted_categories
    from mtqa.evaluation.multicopy import false_alarms, is_human
    from mtqa.evaluation.spans import PredSpan
    from mtqa.pipeline import active_rules

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    config, lm, segments, docs = development_copies("calibrate_unsupported_wording", args.limit, args.cache_dir, log)
    human = {s.key for s in segments if is_human(s.system)}
    cands = S.candidates(docs, Context(config=config))
    log(f"{DEV}: {len(segments)} translations, {len(cands)} candidates")
    requests = [S._request(c) for c in cands]
    batched = lm.answer(requests)
    values, diffs = [], []
    for c, q in zip(cands, requests):
        s, e = c.copy.sentences[c.sentence]
        exact = S.word_logprob(batched.exact(q), c.copy.doc, s, e, c.token)
        diffs.append(abs(S.word_logprob(batched[q], c.copy.doc, s, e, c.token) - exact))
        values.append(exact)

    targets = targeted_categories({r.category for r in active_rules(config, True)})

    def measure(threshold: float) -> dict:
        preds: dict[str, list[PredSpan]] = {}
        for c, v in zip(cands, values):
            if v < threshold:
                preds.setdefault(c.copy.path, []).append(
                    PredSpan(c.copy.path, c.token.start, c.token.end, "cross-copy", "major", "MTQ607"))
        res = _system_result("MTQ607", segments, preds, targets, [0.0] * len(segments))
        fa = false_alarms(segments, preds)
        return {"threshold": round(threshold, 3), "findings": sum(map(len, preds.values())),
                "precision": round(res.targeted.precision or 0.0, 4), "recall": round(res.targeted.recall or 0.0, 4),
                "f1": round(res.targeted.f1 or 0.0, 4), "f1_exact": round(res.targeted_exact.f1 or 0.0, 4),
                "fa_per_1000": round(fa["per_1000"], 3), "false_alarms": fa["false_alarms"],
                "human_words": fa["words"]}

    order = sorted(set(values))
    # thresholds halfway between consecutive candidate values: none sits on a candidate
    cuts = [(a + b) / 2 for a, b in zip(order, order[1:])]
    curve = [measure(t) for t in cuts]
    ok = [p for p in curve if p["fa_per_1000"] <= args.max_fa]
    best = max(ok, key=lambda p: (p["f1"], -p["false_alarms"])) if ok else None
    print("| threshold (nats) | findings | P | R | F1 partial | F1 exact | FA per 1k human words |")
    print("|---|---|---|---|---|---|---|")
    shown = [p for p in curve if p["findings"] <= 400]
    step = max(1, len(shown) // 25)
    for p in shown[::step] + ([best] if best else []):
        print(f"| {p['threshold']:.3f} | {p['findings']} | {p['precision']:.3f} | {p['recall']:.3f} | "
              f"{p['f1']:.3f} | {p['f1_exact']:.3f} | {p['fa_per_1000']:.2f} ({p['false_alarms']}) |")
    if best is None:
        sys.exit(f"no threshold keeps false alarms at or below {args.max_fa} per 1,000 words")
    fa_values = [v for c, v in zip(cands, values) if c.copy.path in human and v < best["threshold"]
                 and not _in_gold(c, segments)]
    sure = min(fa_values) if fa_values else best["threshold"] - 1.0
    # The batched pass's error moves with the batch's make-up (1.62 nats on the 40-source sample,
    # 1.34 on the 80-source one that holds it): BAND_FACTOR times this run's largest, and never
    # less than MIN_BAND.
    band = max(MIN_BAND, round(BAND_FACTOR * max(diffs, default=0.0), 2))
    print(f"\nchosen: {best}\nsure: {sure:.3f}  band: {band} (largest batched-exact difference {max(diffs, default=0):.4f})")
    section = {
        "thresholds": {S.MEASURE: best["threshold"]}, "sure": {S.MEASURE: round(sure, 3)},
        "band": {S.MEASURE: band},
        "feature": "sum of the log-probabilities of the tokens of an unsupported word (MTQ607's candidates) after "
                   "its sentence's preceding text, exact pass; flagged below thresholds, major from sure on",
        "gates": {"min_others": S.MIN_OTHERS, "max_support": S.MAX_SUPPORT,
                  "min_sentence_support": S.MIN_SENTENCE_SUPPORT, "majority": S.MAJORITY, "stem": S.STEM,
                  "opening_max_zipf": S.OPENING_MAX_ZIPF, "min_chrf_ratio": S.MIN_CHRF_RATIO,
                  "max_zipf": S.MAX_ZIPF},
        "chosen": best, "curve": curve[::max(1, len(curve) // 60)],
        "candidates": len(cands), "largest_batched_vs_exact_difference": round(max(diffs, default=0.0), 4),
        "max_fa_per_1000": args.max_fa, "max_fa_note": MAX_FA_NOTE, "data": f"{DEV} (development), {len(segments)} translations of "
                                                f"{len({s.group for s in segments})} source segments",
        "script": "scripts/calibrate_unsupported_wording.py",
        "command": f"scripts/calibrate_unsupported_wording.py --limit {args.limit} --max-fa {args.max_fa}",
        "model_id": lm.model_id, "exact_id": lm.exact_id, "created": datetime.date.today().isoformat(),
    }
    if not args.dry_run:
        save_section("cross-copy", section)
        log("wrote models/calibration.json [cross-copy]")


def _in_gold(c, segments) -> bool:
    seg = next(s for s in segments if s.key == c.copy.path)
    return any(g.start < c.token.end and c.token.start < g.end for spans in seg.spans for g in spans)


if __name__ == "__main__":
    main()
