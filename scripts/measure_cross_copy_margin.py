#!/usr/bin/env python3
"""Measure whether the model's margin tells right cross-copy wording findings (MTQ603) from
wrong ones, on the development set, before any fit is stored.

Data: MQM newstest2020 zh-en, each system's translation checked with the other translations of
the same source segment as its copies. Every MTQ603 candidate (the detector's output before
scoring) is labelled by whether any rater's MQM span overlaps it; its margin, log p(suggestion) -
log p(original) after the same context, is computed exactly as the scorer computes it. Prints
the margin's AUROC and the precision above each margin and by the share of copies that carry
the other word. (Measured 2026-11 with SmolLM2-135M: AUROC 0.46, i.e. no signal, so no
category-specific fit was stored; MTQ603 keeps only a margin above the one that
scripts/calibrate_cross_copy_wording.py sets for few false alarms on human translations.)

    .venv/bin/python scripts/measure_cross_copy_margin.py [--limit 250]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=250, help="source segments of newstest2020 (default 250)")
    args = ap.parse_args(argv)

    from mtqa.config import build_config
    from mtqa.document import Document
    from mtqa.evaluation.benchmarks import open_lm
    from mtqa.evaluation.datasets import BENCHMARKS
    from mtqa.evaluation.metrics import auroc
    from mtqa.pipeline import run

    config = build_config(select=("MTQ603",))
    lm, scorer = open_lm(config, lambda m: print(m, file=sys.stderr))
    segments = BENCHMARKS["newstest2020-zhen"]["read"](args.limit)
    docs = [Document(s.key, s.text) for s in segments]
    by_key = {s.key: s for s in segments}
    found = run(docs, config, lm=lm).findings  # detected, not yet scored
    per_doc: dict[str, list] = {}
    for f in found:
        per_doc.setdefault(f.path, []).append(f)
    batch = [(d, per_doc[d.path]) for d in docs if d.path in per_doc]
    scored = scorer.scores(batch)
    x, y, share = [], [], []
    for (doc, fs), res in zip(batch, scored):
        seg = by_key[doc.path]
        gold = [(g.start, g.end) for spans in seg.spans for g in spans]
        for f, (_, evidence) in zip(fs, res):
            x.append(evidence["margin"])
            readings = f.evidence.get("readings", [])
            share.append(sum(1 for r in readings if r == f.suggestion) / (1 + len(readings) + f.evidence.get("agree", 0)))
            y.append(1 if any(f.start < e and s < f.end for s, e in gold) else 0)
    auc = auroc([bool(v) for v in y], x)
    print(f"{len(y)} MTQ603 candidates in {len(segments)} translations of {args.limit} sources, "
          f"{sum(y)} inside an MQM span (precision {sum(y) / max(1, len(y)):.3f}); margin AUROC {auc:.3f}")
    print("| margin above | candidates | inside an MQM span | precision |\n|---|---|---|---|")
    for t in (-4, -2, 0, 2, 4, 6):
        sel = [v for m, v in zip(x, y) if m > t]
        print(f"| {t:+d} | {len(sel)} | {sum(sel)} | {sum(sel) / max(1, len(sel)):.3f} |")
    print("| share of the copies with the other word | candidates | inside an MQM span | precision |\n|---|---|---|---|")
    for lo, hi in ((0.5, 0.67), (0.67, 0.84), (0.84, 1.01)):
        sel = [v for sh, v in zip(share, y) if lo <= sh < hi]
        print(f"| {lo:.2f}-{min(hi, 1):.2f} | {len(sel)} | {sum(sel)} | {sum(sel) / max(1, len(sel)):.3f} |")


if __name__ == "__main__":
    main()
