#!/usr/bin/env python3
"""MTQ231 (repetition) against the sentence-level labels of deep-spin/hallucinations-in-nmt.

    .venv/bin/python scripts/eval_repetition.py --csv annotated_corpus.csv [--show-missed] [--show-false]

The CSV is data/annotated_corpus.csv of github.com/deep-spin/hallucinations-in-nmt (commit
74890bb6; 3,415 de->en MT outputs with labels; 87 marked `repetitions`). It is not shipped with
mtqa (no licence file); read it in place. Reports recall on the rows labelled `repetitions` and
the share of the other rows that MTQ231 flags (false alarms, though some unlabelled rows do repeat).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--show-missed", action="store_true")
    ap.add_argument("--show-false", action="store_true")
    args = ap.parse_args(argv)

    from mtqa.config import build_config
    from mtqa.detectors.base import Context
    from mtqa.document import Document
    from mtqa.registry import implementation

    ctx = Context(build_config(use_lm=False))
    detect = implementation("MTQ231")
    with open(args.csv, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pos = neg = tp = fp = 0
    missed, false = [], []
    for n, row in enumerate(rows):
        found = list(detect(Document(f"row{n}", row["mt"]), ctx))
        if row["repetitions"] == "1":
            pos += 1
            tp += bool(found)
            if not found:
                missed.append(row["mt"])
        else:
            neg += 1
            fp += bool(found)
            if found:
                false.append((row["mt"], [f.text for f in found]))
    refs = sum(bool(list(detect(Document(f"ref{n}", row["ref"]), ctx))) for n, row in enumerate(rows))
    print(f"rows labelled repetition: {pos}, flagged {tp} (recall {tp / pos:.3f})")
    print(f"human reference translations flagged: {refs} of {len(rows)}")
    print(f"other rows: {neg}, flagged {fp} ({fp / neg:.4f})")
    if args.show_missed:
        print("\nmissed:")
        for mt in missed:
            print("  " + mt[:160])
    if args.show_false:
        print("\nflagged, not labelled repetition:")
        for mt, spans in false:
            print(f"  {spans} in {mt[:160]}")


if __name__ == "__main__":
    main()
