#!/usr/bin/env python3
"""Recall per artifact family, and precision, on the development set (corpora/dev/).

    .venv/bin/python scripts/eval_dev_families.py [--heldout] [--show-missed] [--show-false]

Runs the rule-based detectors (no model) over corpora/dev/texts/ and matches findings to the
gold spans of corpora/dev/gold.jsonl one-to-one, a finding matching a gold span when they share
a code point (partial matching, any category; mtqa.evaluation.spans.match). Recall is reported
per family (the gold's ``note``), precision over every finding on the set; the clean control
article (pl_clean_control.txt) has no gold, so every finding there is a false alarm.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEV = ROOT / "corpora" / "dev"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--heldout", action="store_true",
                    help="the held-out set (corpora/dev/heldout/), written after the detectors and not tuned on")
    ap.add_argument("--show-missed", action="store_true", help="print every gold span no finding matched")
    ap.add_argument("--show-false", action="store_true", help="print every finding that matched no gold span")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    dev = DEV / "heldout" if args.heldout else DEV

    from mtqa.config import build_config
    from mtqa.evaluation.gold import read_gold
    from mtqa.evaluation.signature import build_signature, format_signature
    from mtqa.evaluation.spans import PredSpan, match
    from mtqa.pipeline import run
    from mtqa.readers import read_all

    config = build_config(use_lm=False)
    paths = sorted(str(p) for p in (dev / "texts").glob("*.txt"))
    result = run(read_all(paths, config.max_bytes), config)
    golds = read_gold(dev / "gold.jsonl")
    preds = [PredSpan.from_finding(f, Path(f.path).name) for f in result.findings]
    pairs = match(preds, golds, "partial", same_category=False)
    hit_gold = {j for _, j in pairs}
    hit_pred = {i for i, _ in pairs}

    family = lambda g: (g.note or "").removeprefix("family: ")  # noqa: E731
    n, hit = Counter(family(g) for g in golds), Counter(family(golds[j]) for j in hit_gold)
    print("| family | gold | found | recall |\n|---|---|---|---|")
    for fam in sorted(n):
        print(f"| {fam} | {n[fam]} | {hit[fam]} | {hit[fam] / n[fam]:.3f} |")
    print(f"| **all** | {len(golds)} | {len(hit_gold)} | {len(hit_gold) / len(golds):.3f} |")
    prec = len(hit_pred) / len(preds) if preds else float("nan")
    print(f"\nprecision: {len(hit_pred)} of {len(preds)} findings match a gold span ({prec:.3f})")
    by_code, code_hits = Counter(p.code for p in preds), Counter(preds[i].code for i in hit_pred)
    print("by code: " + ", ".join(f"{c} {code_hits[c]}/{by_code[c]}" for c in sorted(by_code)))
    if args.show_missed:
        print("\nmissed:")
        for j, g in enumerate(golds):
            if j not in hit_gold:
                print(f"  {family(g):12} {g.doc}: {g.text!r}")
    if args.show_false:
        print("\nfindings matching no gold span:")
        for i, p in enumerate(preds):
            if i not in hit_pred:
                print(f"  {p.code} {p.doc}: {p.text!r}")
    sig = build_signature(config, None, None, extra={"data": f"{dev.relative_to(ROOT)}={len(paths)} texts,{len(golds)} spans"})
    print(f"\nsignature: {format_signature(sig)}")


if __name__ == "__main__":
    main()
