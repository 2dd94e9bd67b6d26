"""How far the batched pass strays from the exact pass, for every measure a decision is taken on:
the evidence behind the screening bands (the scorer's EXACT_BAND, [fluency] band and
[cross-copy] band in models/calibration.json).

    python scripts/measure_exact_band.py ../shared/seeds corpora/samples            # margins only
    python scripts/measure_exact_band.py --parts margins,fluency,cross-copy \\
        --clean 100 ../shared/seeds corpora/samples corpora/dev/texts corpora/dev/heldout

- margins: each finding with a suggestion that mtqa makes on PATHS, its margins
  (log p(suggestion) - log p(original) after the same context) batched and exact.
- fluency: MTQ501's two measures of every candidate sentence of PATHS (and of the first --clean
  clean-news articles), batched as the pipeline batches them (the paragraph windows of 16
  documents at a time, each sentence read out of its window), and exact (the window cut after the
  sentence, alone, float32) for every sentence whose batched measure lies within WIDE of a threshold (wider than
  the band, so that a sentence whose exact measure is near a threshold is measured whatever its
  batched one). Reported: the differences among sentences whose exact measure is within NEAR of
  the threshold, and how many sentences each candidate band would send to the exact pass.
- cross-copy: MTQ607's word log-probability of every unsupported word of PATHS, batched and exact.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from mtqa.config import PROJECT_ROOT, build_config
from mtqa.document import Document
from mtqa.evaluation.fluency import screened
from mtqa.pipeline import run
from mtqa.readers import read_all
from mtqa.scoring.context import comparison
from mtqa.scoring.runtime import open_model
from mtqa.scoring.scorer import EXACT_BAND

CLEAN = PROJECT_ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"
WIDE = {"total": 4.0, "odd_per_word": 0.4}
NEAR = {"total": 3.0, "odd_per_word": 0.3}


def quantiles(xs: list[float]) -> dict:
    xs = sorted(xs)
    if not xs:
        return {"n": 0}
    q = lambda p: round(xs[min(len(xs) - 1, int(p * len(xs)))], 4)  # noqa: E731
    return {"n": len(xs), "median": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": round(xs[-1], 4)}


def margins(lm, docs) -> dict:
    findings = [f for f in run(docs, build_config(use_lm=False)).findings if f.suggestions]
    by_path = {d.path: d for d in docs}
    gaps = []
    for f in findings:
        c = comparison(by_path[f.path], f)
        batched = lm.score([(c.context, c.original)] + [(c.context, v) for v in c.variants])
        exact = [lm.score_exact(c.context, t) for t in (c.original, *c.variants)]
        for k in range(len(c.variants)):
            gaps.append(abs((batched[k + 1].total - batched[0].total) - (exact[k + 1].total - exact[0].total)))
    return {"findings": len(findings), "abs_diff": quantiles(gaps), "band": EXACT_BAND}


def fluency(lm, docs) -> dict:
    from mtqa.detectors import fluency as F

    sec = F.section()
    thr, band = sec["thresholds"], sec["band"]
    rows = []  # (batched measures, exact measures or None, judged words)
    for _, _, a, exact in screened(lm, docs):
        m = a.measures()
        rows.append((m, exact().measures() if F.flagged(m, thr, WIDE) else None, a.n_judged))
    out = {"sentences": len(rows), "thresholds": thr, "band": band, "measures": {}}
    for k in F.MEASURES:
        near = [abs(m[k] - e[k]) for m, e, _ in rows if e is not None and abs(e[k] - thr[k]) <= NEAR[k]]
        anywhere = [abs(m[k] - e[k]) for m, e, _ in rows if e is not None]
        out["measures"][k] = {"near_threshold": quantiles(near), "exact_measured": quantiles(anywhere)}
    # How many sentences a band sends to the exact pass (either measure within it), and whether the
    # screen would have missed a sentence the exact pass flags.
    flagged = [m for m, e, _ in rows if e is not None and F.flagged(e, thr)]
    out["flagged_exact"] = len(flagged)
    trial = {}
    for factor in (3.0, 2.0, 1.5, 1.25):
        largest = {k: out["measures"][k]["near_threshold"].get("max", 0.0) for k in F.MEASURES}
        b_ = {k: math.ceil(factor * largest[k] * 100) / 100 for k in F.MEASURES}
        sent = sum(1 for m, _, _ in rows if F.flagged(m, thr, b_))
        missed = sum(1 for m, e, _ in rows if e is not None and F.flagged(e, thr) and not F.flagged(m, thr, b_))
        trial[f"x{factor}"] = {"band": b_, "exact_passes": sent, "missed": missed}
    # The same factors on the calibration's largest difference (308 clean articles), as
    # scripts/calibrate_fluency.py sets the band from it.
    cal = sec.get("largest_batched_vs_exact_difference_near_threshold")
    for factor in (3.0, 2.0) if cal else ():
        b_ = {k: math.ceil(factor * cal[k] * 100) / 100 for k in F.MEASURES}
        sent = sum(1 for m, _, _ in rows if F.flagged(m, thr, b_))
        missed = sum(1 for m, e, _ in rows if e is not None and F.flagged(e, thr) and not F.flagged(m, thr, b_))
        trial[f"calibration x{factor}"] = {"band": b_, "exact_passes": sent, "missed": missed}
    trial["current"] = {"band": band, "exact_passes": sum(1 for m, _, _ in rows if F.flagged(m, thr, band)),
                        "missed": sum(1 for m, e, _ in rows
                                      if e is not None and F.flagged(e, thr) and not F.flagged(m, thr, band))}
    # How close each sentence the exact pass flags came to escaping the screen: its batched
    # measures' distance above the thresholds, in units of the largest difference measured here.
    largest = {k: out["measures"][k]["near_threshold"].get("max", 0.0) or 1.0 for k in F.MEASURES}
    out["flagged_screen_need"] = round(max(
        (min(max(0.0, m[k] - thr[k]) / largest[k] for k in F.MEASURES)
         for m, e, _ in rows if e is not None and F.flagged(e, thr)), default=0.0), 3)
    out["bands"] = trial
    return out


def cross_copy(lm, docs) -> dict:
    from mtqa.config import Config
    from mtqa.detectors import support as S
    from mtqa.detectors.base import Context

    sec = S.section()
    ctx = Context(config=Config())
    cands = S.candidates(docs, ctx)
    answers = lm.answer([S._request(c) for c in cands])
    diffs, near = [], []
    thr = sec["thresholds"][S.MEASURE]
    for c in cands:
        q = S._request(c)
        s, e = c.copy.sentences[c.sentence]
        b = S.word_logprob(answers[q], c.copy.doc, s, e, c.token)
        x = S.word_logprob(answers.exact(q), c.copy.doc, s, e, c.token)
        diffs.append(abs(b - x))
        if abs(x - thr) <= 3.0:
            near.append(abs(b - x))
    return {"candidates": len(cands), "threshold": thr, "band": sec["band"][S.MEASURE],
            "abs_diff": quantiles(diffs), "abs_diff_near_threshold_3": quantiles(near)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--parts", default="margins")
    ap.add_argument("--clean", type=int, default=0, help="also the first N clean-news articles (fluency)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--batch-tokens", type=int, default=None,
                    help="the batched pass's token budget per batch (a trial; default the model's own)")
    args = ap.parse_args()
    config = build_config(use_lm=False)
    docs = [d for d in read_all(args.paths, config.max_bytes) if not isinstance(d, Exception)]
    lm, _ = open_model(build_config(), log=lambda m: None)
    lm.forget(disk=True)  # measure, never read an earlier run's scores
    if args.batch_tokens:
        lm.batch_tokens = args.batch_tokens
    parts = args.parts.split(",")
    out = {}
    if "margins" in parts:
        out["margins"] = margins(lm, docs)
        print(json.dumps({"margins": out["margins"]}), flush=True)
    if "cross-copy" in parts:
        out["cross-copy"] = cross_copy(lm, docs)
        print(json.dumps({"cross-copy": out["cross-copy"]}), flush=True)
    if "fluency" in parts:
        clean = []
        if args.clean:
            rows = [json.loads(x) for x in CLEAN.open(encoding="utf-8")][: args.clean]
            clean = [Document(f"clean/{r['doc_id']}", r["text"]) for r in rows]
        out["fluency"] = {"paths": fluency(lm, docs)}
        print(json.dumps({"fluency paths": out["fluency"]["paths"]}), flush=True)
        if clean:
            out["fluency"]["clean"] = fluency(lm, clean)
            print(json.dumps({"fluency clean": out["fluency"]["clean"]}), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
