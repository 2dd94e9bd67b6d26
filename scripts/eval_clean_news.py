#!/usr/bin/env python3
"""False alarms per 1,000 words, per detector, on human-written English news (../shared/data/clean_news_en).

    .venv/bin/python scripts/eval_clean_news.py [--no-lm] [--model DIR] [--limit DOCS] [--show CODE]

Every finding on this corpus counts as a false alarm. --show CODE prints each of that code's
findings with its context, for reading through them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-lm", action="store_true")
    ap.add_argument("--model", dest="model_dir", default=None)
    ap.add_argument("--device", default=None, choices=["auto", "cpu", "cuda"])
    ap.add_argument("--cache-dir", default=None, help="where the bundled model and the score cache live (as mtqa check)")
    ap.add_argument("--limit", type=int, default=None, help="documents (default: all 308)")
    ap.add_argument("--show", action="append", default=[], help="print the findings of this code in context")
    args = ap.parse_args(argv)
    os.chdir(ROOT)

    from mtqa.config import build_config
    from mtqa.evaluation import report
    from mtqa.evaluation.benchmarks import eval_clean_news, open_lm, read_clean_news
    from mtqa.evaluation.signature import build_signature, format_signature
    from mtqa.pipeline import run

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    config = build_config(use_lm=False if args.no_lm else None, model_dir=args.model_dir, device=args.device, cache_dir=args.cache_dir)
    lm, scorer = open_lm(config, log)
    res = eval_clean_news(config, lm, scorer, limit=args.limit, log=log)
    print(report.clean_news_table(res))
    if args.show:
        docs = read_clean_news(args.limit)
        texts = {d.path: d.text for d in docs}
        for f in run(docs, config, lm, scorer).findings:
            if any(f.code.startswith(c) for c in args.show):
                t = texts[f.path]
                print(f"{f.path}:{f.line}:{f.column} {f.code} {f.message}\n    …{t[max(0, f.start - 50):f.start]}"
                      f"⟦{f.text}⟧{t[f.end:f.end + 50]}…".replace("\n", " "))
    extra = {"data": f"clean_news_en={'all' if args.limit is None else args.limit}"}
    print(f"\nsignature: {format_signature(build_signature(config, lm, scorer, extra=extra))}")


if __name__ == "__main__":
    main()
