#!/usr/bin/env python3
"""mtqa against expert MQM / WMT23 spans, one benchmark at a time (make_results_table.py runs them all).

    .venv/bin/python scripts/eval_mqm.py newstest2020-zhen [--no-lm] [--model DIR] [--limit N | --full]
        [--ppl-threshold NATS] [--json]

Benchmarks: newstest2020-zhen (development), newstest2021-zhen, generalMT2023-zhen, wmt23-zhen,
wmt23-heen (test). Data is read in place from ../shared/data. Without --ppl-threshold the
perplexity baseline's threshold is tuned on the benchmark itself: do that on the dev set only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    from mtqa.evaluation.datasets import BENCHMARKS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("benchmark", choices=list(BENCHMARKS))
    ap.add_argument("--no-lm", action="store_true")
    ap.add_argument("--model", dest="model_dir", default=None)
    ap.add_argument("--device", default=None, choices=["auto", "cpu", "cuda"])
    ap.add_argument("--cache-dir", default=None, help="where the bundled model and the score cache live (as mtqa check)")
    ap.add_argument("--limit", type=int, default=None, help="source segments (default: the make_results_table sample)")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--ppl-threshold", type=float, default=None)
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = ap.parse_args(argv)
    os.chdir(ROOT)

    from make_results_table import DEFAULT_LIMITS, LM_LIMITS
    from mtqa.config import build_config
    from mtqa.evaluation import report
    from mtqa.evaluation.benchmarks import eval_mqm, open_lm
    from mtqa.evaluation.metrics import report_to_json
    from mtqa.evaluation.signature import build_signature, format_signature

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    config = build_config(use_lm=False if args.no_lm else None, model_dir=args.model_dir, device=args.device, cache_dir=args.cache_dir)
    lm, scorer = open_lm(config, log)
    defaults = LM_LIMITS if lm is not None else DEFAULT_LIMITS
    limit = None if args.full else args.limit if args.limit is not None else defaults[args.benchmark]
    res = eval_mqm(args.benchmark, config, lm, scorer, limit=limit, ppl_threshold=args.ppl_threshold, log=log)
    extra = {"data": f"{args.benchmark}={'all' if limit is None else limit}"}
    if res["ppl_threshold"] is not None:
        extra["ppl_thr"] = f"{res['ppl_threshold']:.3f}nats"
    sig = format_signature(build_signature(config, lm, scorer, extra=extra))
    if args.json:
        print(json.dumps({"signature": sig, **{k: v for k, v in res.items() if k != "systems"},
                          "systems": [{"name": s.name, "overall": report_to_json(s.overall), "auroc": s.auroc,
                                       "targeted": s.targeted.to_json() if s.targeted else None}
                                      for s in res["systems"]]}, indent=1))
        return
    print(report.mqm_table([res]))
    print()
    if "unlabelled" not in res["gold_categories"]:
        print(report.mqm_category_table([res]))
        print()
    for s in res["systems"]:
        print(f"#### {s.name}\n")
        print(report.span_table(s.overall))
        print()
    print(f"signature: {sig}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "scripts"))
    main()
