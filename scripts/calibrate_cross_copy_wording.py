#!/usr/bin/env python3
"""Calibrate MTQ603 (cross-copy wording) on the MQM development set and write models/calibration.json [cross-copy-wording].

    .venv/bin/python scripts/calibrate_cross_copy_wording.py [--limit 80] [--cache-dir DIR]
        [--max-fa 1.0] [--dry-run]

Reads newstest2020-zhen (development only; the test sets are never read here): every translation
of the sampled source segments in one run, as scripts/eval_multicopy.py does, in both of its
settings: the translations as copies of each other, and the same with one human translation of
each source declared the reference (the English original; mtqa.evaluation.multicopy.references),
whose false alarms are counted on the other human translation.

MTQ603's candidates (the detector's findings before scoring) are found without the model; each
candidate's margin, log p(the other copies' word) - log p(this copy's word) with the rest of its
sentence after this copy's own preceding text (what the scorer computes,
mtqa.scoring.context.comparison), is computed by the exact pass (float32, alone, unpadded: the
pass that decides near a threshold).

MTQ607 (unsupported wording) shares the false-alarm budget: its candidates' word
log-probabilities are computed by the exact pass too, and its findings at its own calibrated
threshold ([cross-copy]) are held fixed. For every margin between two candidates' values, the
candidates at or above it and MTQ607's findings are scored together as spans against the expert
spans (targeted categories, partial match, micro-averaged over raters; in the reference setting on
every translation but the references) and their false alarms counted per 1,000 words of the human
translations (findings outside every rater's spans). The margin written is the one with the best
F1 in the reference setting (how a desk with the English original runs mtqa) at no more than
--max-fa false alarms per 1,000 words in both settings, placed halfway to the next candidate's
value so that no candidate sits on it; ``sure_margin`` (from which the scorer keeps a finding
major) lies beyond the margin of every false alarm on a human translation. The other rules'
false alarms (MTQ501's, MTQ601's...) are not counted here: scripts/eval_multicopy.py measures the
whole run.
"""

from __future__ import annotations

import datetime
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))



def main(argv=None) -> None:
    from mtqa.evaluation.multicopy import DEV, calibration_parser, development_copies

    args = calibration_parser(__doc__.splitlines()[0], default_limit=80).parse_args(argv)

    from mtqa.calibration_file import save_section
    from mtqa.detectors import divergence as D
    from mtqa.detectors import support as S
    from mtqa.detectors.base import Context
    from mtqa.evaluation.benchmarks import _system_result
    from mtqa.evaluation.datasets import targeted_categories
    from mtqa.evaluation.multicopy import false_alarms, is_human, references
    from mtqa.evaluation.spans import PredSpan
    from mtqa.pipeline import active_rules, run
    from mtqa.scoring.context import comparison

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    config, lm, segments, docs = development_copies("calibrate_cross_copy_wording", args.limit, args.cache_dir, log)
    by_path = {d.path: d for d in docs}
    refs = references(segments)
    targets = targeted_categories({r.category for r in active_rules(config, True)})
    t607 = S.section()["thresholds"][S.MEASURE]

    settings = {}
    for name, reference in (("copies and an English original", tuple(sorted(refs))), ("copies", ())):
        cfg = replace(config, reference=reference)
        checked = [s for s in segments if s.key not in refs] if reference else segments
        # MTQ607's findings at its calibrated threshold (exact pass), held fixed
        fixed: dict[str, list[PredSpan]] = {}
        for c in S.candidates(docs, Context(config=cfg)):
            q = S._request(c)
            s, e = c.copy.sentences[c.sentence]
            if S.word_logprob(lm.score_exact(q.context, q.text), c.copy.doc, s, e, c.token) < t607:
                fixed.setdefault(c.copy.path, []).append(
                    PredSpan(c.copy.path, c.token.start, c.token.end, "cross-copy", "major", "MTQ607"))
        found = run(docs, replace(cfg, select=("MTQ603",)), lm=lm).findings  # detected, not scored
        cands = []
        for f in found:
            cmp = comparison(by_path[f.path], f)
            base = lm.score_exact(cmp.context, cmp.original).total
            margin = max(lm.score_exact(cmp.context, v).total - base for v in cmp.variants)
            cands.append((f, margin))
        log(f"{DEV}, {name}: {len(segments)} translations, {len(cands)} MTQ603 candidates, "
            f"{sum(map(len, fixed.values()))} MTQ607 findings")
        settings[name] = {"checked": checked, "fixed": fixed, "cands": cands,
                          "humans": {s.key for s in checked if is_human(s.system)}}

    def measure(name: str, threshold: float) -> dict:
        st = settings[name]
        preds = {k: list(v) for k, v in st["fixed"].items()}
        n = 0
        for f, m in st["cands"]:
            if m >= threshold:
                n += 1
                preds.setdefault(f.path, []).append(PredSpan(f.path, f.start, f.end, f.category, "major", "MTQ603"))
        res = _system_result("MTQ603+MTQ607", st["checked"], preds, targets, [0.0] * len(st["checked"]))
        fa = false_alarms(st["checked"], preds)
        return {"min_margin": round(threshold, 3), "mtq603_findings": n,
                "precision": round(res.targeted.precision or 0.0, 4), "recall": round(res.targeted.recall or 0.0, 4),
                "f1": round(res.targeted.f1 or 0.0, 4), "fa_per_1000": round(fa["per_1000"], 3),
                "false_alarms": fa["false_alarms"], "human_words": fa["words"]}

    values = sorted({m for st in settings.values() for _, m in st["cands"]})
    # margins halfway between consecutive candidate values (and beyond the largest): none sits on one
    cuts = [(a + b) / 2 for a, b in zip(values, values[1:])] + ([values[-1] + 1.0] if values else [])
    cuts = [t for t in cuts if t > 0] or [1.0]  # the other copies' word must at least be preferred
    main_name, other = "copies and an English original", "copies"
    curve = [(measure(main_name, t), measure(other, t)) for t in cuts]
    ok = [(a, b) for a, b in curve if a["fa_per_1000"] <= args.max_fa and b["fa_per_1000"] <= args.max_fa]
    if not ok:  # MTQ607 alone is over the budget: MTQ603 may add no false alarm
        least = min(a["false_alarms"] + b["false_alarms"] for a, b in curve)
        ok = [(a, b) for a, b in curve if a["false_alarms"] + b["false_alarms"] == least]
        log(f"no margin keeps both settings at or below {args.max_fa} per 1,000 words; "
            f"the one with the fewest false alarms ({least}) is chosen")
    best = max(ok, key=lambda ab: (ab[0]["f1"], ab[1]["f1"], -ab[0]["min_margin"]))
    print("| min margin (nats) | setting | MTQ603 findings | P | R | F1 (with MTQ607) | FA per 1k human words |")
    print("|---|---|---|---|---|---|---|")
    step = max(1, len(curve) // 25)
    for a, b in curve[::step] + [best]:
        for name, p in ((main_name, a), (other, b)):
            print(f"| {p['min_margin']:.3f} | {name} | {p['mtq603_findings']} | {p['precision']:.3f} | "
                  f"{p['recall']:.3f} | {p['f1']:.3f} | {p['fa_per_1000']:.2f} ({p['false_alarms']}) |")
    min_margin = best[0]["min_margin"]
    fa_margins = [m for st in settings.values() for f, m in st["cands"]
                  if f.path in st["humans"] and m >= min_margin and not _in_gold(f, segments)]
    sure = round(max(fa_margins) + 0.5, 3) if fa_margins else round(min_margin + 1.0, 3)
    print(f"\nchosen: {best}\nsure_margin: {sure}")
    section = {
        "min_margin": min_margin, "sure_margin": sure,
        "feature": "log p(the other copies' word) - log p(this copy's word), each with the rest of the sentence after "
                   "this copy's preceding text (mtqa.scoring.context.comparison), exact pass; MTQ603's proposals "
                   "are kept from min_margin on, major from sure_margin on",
        "chosen": {"copies and an English original": best[0], "copies": best[1]},
        "curve_columns": ["min_margin", "MTQ603 findings (original)", "F1 (original)", "FA per 1k (original)",
                          "MTQ603 findings (copies)", "F1 (copies)", "FA per 1k (copies)"],
        "curve": [[a["min_margin"], a["mtq603_findings"], a["f1"], a["fa_per_1000"], b["mtq603_findings"], b["f1"],
                   b["fa_per_1000"]] for a, b in curve[::max(1, len(curve) // 25)]],
        "candidates": {k: len(v["cands"]) for k, v in settings.items()},
        "held_fixed": f"MTQ607 at its threshold {t607} ([cross-copy])",
        "max_fa_per_1000": args.max_fa,
        "data": f"{DEV} (development), {len(segments)} translations of {len({s.group for s in segments})} source "
                f"segments; reference setting: {len(refs)} human translations declared the reference",
        "script": "scripts/calibrate_cross_copy_wording.py",
        "command": f"scripts/calibrate_cross_copy_wording.py --limit {args.limit} --max-fa {args.max_fa}",
        "model_id": lm.model_id, "exact_id": lm.exact_id, "created": datetime.date.today().isoformat(),
    }
    if not args.dry_run:
        save_section(D.WORDING_SECTION, section)
        log(f"wrote models/calibration.json [{D.WORDING_SECTION}]")


def _in_gold(f, segments) -> bool:
    seg = next(s for s in segments if s.key == f.path)
    return any(g.start < f.end and f.start < g.end for spans in seg.spans for g in spans)


if __name__ == "__main__":
    main()
