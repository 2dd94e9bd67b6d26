#!/usr/bin/env python3
"""Cross-copy evidence on MQM zh-en: each translation checked with the other translations of the
same source as its copies, beside mtqa without copies and the plain perplexity baseline.

    .venv/bin/python scripts/eval_multicopy.py [--no-lm] [--limit N] [--only NAME ...]
        [--ppl-threshold NATS] [--json FILE]

newstest2020-zhen is for development (the baseline's threshold is tuned there when it runs first);
newstest2021-zhen and generalMT2023-zhen are test sets. --limit is the number of source segments
per set (each with all its 10 or 15 translations). Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETS = ("newstest2020-zhen", "newstest2021-zhen", "generalMT2023-zhen")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-lm", action="store_true")
    ap.add_argument("--model", dest="model_dir", default=None)
    ap.add_argument("--device", default=None, choices=["auto", "cpu", "cuda"])
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--limit", type=int, default=20, help="source segments per set (default 20)")
    ap.add_argument("--only", nargs="*", choices=SETS, default=None)
    ap.add_argument("--ppl-threshold", type=float, default=None)
    ap.add_argument("--json", dest="json_out", default=None)
    args = ap.parse_args(argv)
    os.chdir(ROOT)

    from mtqa.config import build_config
    from mtqa.evaluation.benchmarks import open_lm
    from mtqa.evaluation.multicopy import eval_multicopy, table
    from mtqa.evaluation.signature import build_signature, format_signature

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    config = build_config(use_lm=False if args.no_lm else None, model_dir=args.model_dir, device=args.device,
                          cache_dir=args.cache_dir)
    lm, scorer = open_lm(config, log)
    threshold = args.ppl_threshold
    results = []
    for name in args.only or SETS:
        res = eval_multicopy(name, config, lm, scorer, limit=args.limit, ppl_threshold=threshold, log=log)
        if res["role"] == "dev" and threshold is None:
            threshold = res["ppl_threshold"]
        log(f"{name}: {res['seconds']:.0f} s")
        results.append(res)
    extra = {"data": ",".join(f"{r['name']}={r['sources']}src" for r in results)}
    if threshold is not None:
        extra["ppl_thr"] = f"{threshold:.3f}nats"
    sig = format_signature(build_signature(config, lm, scorer, extra=extra))
    print(table(results))
    print(f"\nsignature: {sig}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps([{k: v for k, v in r.items() if k != "systems"} for r in results],
                                                  indent=1, default=str))


if __name__ == "__main__":
    main()
