#!/usr/bin/env python3
"""Regenerate every evaluation table: the seed gold, the MQM / WMT23 benchmarks, clean news.

    .venv/bin/python scripts/make_results_table.py [--no-lm] [--model DIR] [--limit N | --full]

Writes scripts/results.md (the README's results section is pasted from it) and prints it. It
runs the rule-based detectors on all the data first, then (unless --no-lm) mtqa with the model
and the perplexity baseline on a fixed sample (LM_LIMITS).
The development set (MQM newstest2020 zh-en) runs first; with a model, the perplexity baseline's
word-surprisal threshold is tuned on it and then frozen for every other table. The external data
is read in place from ../shared/data; nothing is copied.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Source segments sampled per benchmark (every system's output of each; see datasets.sample_groups).
# Without a model every segment runs (a minute or so); with one, a fixed sample keeps a CPU run
# (about 200 tokens/s for SmolLM2-135M on 2 cores) to about a quarter of an hour. None means all.
DEFAULT_LIMITS = {
    "newstest2020-zhen": None,
    "newstest2021-zhen": None,
    "generalMT2023-zhen": None,
    "wmt23-zhen": None,
    "wmt23-heen": None,
}
LM_LIMITS = {
    "newstest2020-zhen": 30,  # x ~10 systems
    "newstest2021-zhen": 20,  # x 15 systems
    "generalMT2023-zhen": 15,  # x 10 systems, multi-sentence
    "wmt23-zhen": 200,
    "wmt23-heen": 150,
}
# Source segments per set for the cross-copy table (each with all its 10 or 15 translations).
MULTICOPY_LIMITS = {"newstest2020-zhen": 40, "newstest2021-zhen": 20, "generalMT2023-zhen": 20}
CLEAN_LM_LIMIT = 20  # documents of clean news with a model (all 308 without)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-lm", action="store_true", help="rule-based detectors only; no model, no baseline")
    ap.add_argument("--model", dest="model_dir", default=None, help="a local Hugging Face causal LM directory")
    ap.add_argument("--device", default=None, choices=["auto", "cpu", "cuda"])
    ap.add_argument("--cache-dir", default=None, help="where the bundled model and the score cache live (as mtqa check)")
    ap.add_argument("--limit", type=int, default=None, help="source segments per MQM benchmark (default: see DEFAULT_LIMITS)")
    ap.add_argument("--full", action="store_true", help="every segment of every benchmark")
    ap.add_argument("--clean-limit", type=int, default=CLEAN_LM_LIMIT,
                    help=f"clean-news documents with a model (default {CLEAN_LM_LIMIT}; all without one)")
    ap.add_argument("--only", action="append", default=None, help="run only these benchmarks (repeatable)")
    ap.add_argument("--ignore", action="append", default=None, help="skip these detector codes (as mtqa check --ignore)")
    ap.add_argument("--select", action="append", default=None, help="only these detector codes (as mtqa check --select)")
    ap.add_argument("--seeds", default=str(ROOT.parent / "shared" / "seeds"))
    ap.add_argument("--gold", default=str(ROOT / "corpora" / "gold" / "seeds.jsonl"))
    ap.add_argument("--out", default=str(ROOT / "scripts" / "results.md"))
    ap.add_argument("--json", dest="json_out", default=None, help="also write every number as JSON here")
    return ap.parse_args(argv)


def run_suite(args, config, lm, scorer, log) -> tuple[str, dict]:
    """Every table for one configuration (with or without the model): Markdown and JSON."""
    from mtqa.evaluation import report
    from mtqa.evaluation.benchmarks import eval_clean_news, eval_mqm, eval_seeds
    from mtqa.evaluation.datasets import BENCHMARKS
    from mtqa.evaluation.metrics import report_to_json
    from mtqa.evaluation.signature import build_signature, file_sha, format_signature

    started = time.perf_counter()
    names = args.only or list(BENCHMARKS)
    defaults = LM_LIMITS if lm is not None else DEFAULT_LIMITS
    limits = {n: (None if args.full else args.limit if args.limit is not None else defaults[n]) for n in names}
    clean_limit = None if args.full or lm is None else args.clean_limit

    results, threshold = [], None
    for name in sorted(names, key=lambda n: BENCHMARKS[n]["role"] != "dev"):
        res = eval_mqm(name, config, lm, scorer, limit=limits[name], ppl_threshold=threshold, log=log)
        if BENCHMARKS[name]["role"] == "dev":
            threshold = res["ppl_threshold"]
        results.append(res)
    seeds = eval_seeds(config, Path(args.gold), Path(args.seeds), lm, scorer, ppl_threshold=threshold)
    clean = eval_clean_news(config, lm, scorer, limit=clean_limit, ppl_threshold=threshold, log=log)
    from mtqa.evaluation.multicopy import eval_multicopy, table as multicopy_table

    multicopy = [eval_multicopy(n, config, lm, scorer, limit=MULTICOPY_LIMITS[n], ppl_threshold=threshold, log=log)
                 for n in MULTICOPY_LIMITS if n in names]
    elapsed = time.perf_counter() - started

    data = ",".join(f"{n}={'all' if limits[n] is None else limits[n]}" for n in names)
    data += f",clean_news={'all' if clean_limit is None else clean_limit}"
    extra = {"gold": f"{file_sha(args.gold)}({seeds['gold']})", "data": data}
    if threshold is not None:
        extra["ppl_thr"] = f"{threshold:.3f}nats@dev"
    sig = format_signature(build_signature(config, lm, scorer, extra=extra))
    title = "with the language model, next to the perplexity baseline" if lm is not None else \
        "rule-based detectors only (--no-lm), all data"

    stats = getattr(lm, "stats", None)
    cost = f"{elapsed:.0f} s"
    if isinstance(stats, dict) and "computed" in stats:
        cost += (f"; the model scored {stats.get('unique', 0):,} distinct texts, {stats.get('computed', 0):,} "
                 f"computed and {stats.get('cached', 0):,} from the score cache")
    out = [
        f"### {title}",
        "",
        f"Signature: `{sig}` ({cost})",
        "",
        "#### Seed gold (development; corpora/gold/seeds.jsonl, "
        f"{seeds['gold']} hand-annotated spans in {seeds['documents']} seed articles)",
        "",
        report.span_table(seeds["report"]),
        "",
        "Precision of each detector on the seeds (any category may match):",
        "",
        report.code_table(seeds["report"]),
    ]
    if seeds["baseline"] is not None:
        b = seeds["baseline"]["partial"]["all"]
        out += ["", f"Perplexity baseline on the seeds (partial matching): P {report.fmt(b.precision)}, "
                    f"R {report.fmt(b.recall)}, F1 {report.fmt(b.f1)}, {b.n_pred} spans flagged. "
                    "Recall by gold category (partial, category-blind):", ""]
        mine, base = seeds["report"]["partial"]["by_category_any"], seeds["baseline"]["partial"]["by_category_any"]
        out.append(report.table(["gold category", "gold", "R mtqa", "R ppl"], [
            [c, base[c].n_gold, report.fmt(mine[c].recall if c in mine else None), report.fmt(base[c].recall)]
            for c in sorted(base) if base[c].n_gold]))
    out += [
        "",
        "#### Expert MQM spans (zh-en newstest2020 is development; the rest is test)",
        "",
        "Spans are micro-averaged over rater annotations; partial matching unless marked exact. "
        "'Targeted' keeps only gold spans of MQM categories that an active mtqa detector can find "
        f"({', '.join(sorted(set(c for r in results for c in r['targeted_categories']))) or 'none'}); "
        "WMT23 spans have no categories, so only 'all' applies there. AUROC: the segment-level "
        "judgement 'at least half the raters marked a major error', ranked by mtqa's highest score "
        "(model score, or severity without a model) and by the baseline's mean token surprisal.",
        "",
        report.mqm_table(results),
        "",
        "Precision of each mtqa detector against the expert spans of the development set "
        "(any category may match; MQM raters were not asked about house style or boilerplate):",
        "",
        report.code_table(next(r for r in results if r["role"] == "dev" or r is results[-1])["systems"][-2 if lm else 0].overall)
        if results else "",
        "",
        "Recall by MQM category (mapped as in mtqa/evaluation/datasets.py; partial, category-blind):",
        "",
        report.mqm_category_table([r for r in results if "unlabelled" not in r["gold_categories"]]),
        "",
        f"#### Clean news: false alarms ({clean['documents']} human-written English news articles, "
        f"{clean['words']:,} words)",
        "",
        report.clean_news_table(clean),
        "",
        "#### Cross-copy evidence on MQM zh-en (scripts/eval_multicopy.py)",
        "",
        "Each translation is checked with the other translations of the same source segment as its "
        "copies (all of the sample's translations in one run; mtqa's story grouping finds which belong "
        "together), beside the same run with the cross-copy rules ignored and the perplexity baseline "
        "(threshold tuned on the development set). False alarms: findings outside every rater's MQM "
        "spans, per 1,000 words of the human translations (generalMT2023 has none). Samples: "
        + ", ".join(f"{n} {MULTICOPY_LIMITS[n]} sources" for n in MULTICOPY_LIMITS) + ".",
        "",
        multicopy_table(multicopy) if multicopy else "",
        "",
    ]
    dump = {"signature": sig, "seconds": elapsed,
            "seeds": {"report": report_to_json(seeds["report"]),
                      "baseline": report_to_json(seeds["baseline"]) if seeds["baseline"] else None},
            "mqm": [{**{k: v for k, v in r.items() if k != "systems"},
                     "systems": [{"name": s.name, "overall": report_to_json(s.overall),
                                  "targeted": s.targeted.to_json() if s.targeted else None,
                                  "auroc": s.auroc} for s in r["systems"]]} for r in results],
            "clean_news": clean}
    return "\n".join(out), dump


def main(argv=None) -> None:
    args = parse_args(argv)
    os.chdir(ROOT)  # setup.cfg [mtqa] is read from the project root, as `mtqa check` does there

    from mtqa.config import build_config
    from mtqa.evaluation.benchmarks import open_lm

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    split = lambda vs: tuple(p.strip() for v in vs for p in v.split(",") if p.strip()) if vs else None  # noqa: E731
    common = dict(model_dir=args.model_dir, device=args.device, cache_dir=args.cache_dir,
                  select=split(args.select), ignore=split(args.ignore))
    started = time.perf_counter()
    # The rule-based run on all data always comes first; the model run (unless --no-lm) follows.
    sections, dumps = [], []
    text, dump = run_suite(args, build_config(use_lm=False, **common), None, None, log)
    sections.append(text)
    dumps.append(dump)
    config = build_config(use_lm=False if args.no_lm else None, **common)
    if config.use_lm:
        lm, scorer = open_lm(config, log)
        text, dump = run_suite(args, config, lm, scorer, log)
        sections.append(text)
        dumps.append(dump)
    command = "python scripts/make_results_table.py" + (" --no-lm" if args.no_lm else "") + \
        (f" --model {args.model_dir}" if args.model_dir else "") + \
        (f" --cache-dir {args.cache_dir}" if args.cache_dir else "") + \
        (" --full" if args.full else f" --limit {args.limit}" if args.limit is not None else "") + \
        (f" --clean-limit {args.clean_limit}" if args.clean_limit != CLEAN_LM_LIMIT else "") + \
        "".join(f" --ignore {v}" for v in args.ignore or ()) + "".join(f" --select {v}" for v in args.select or ())
    header = ["## Results", "",
              f"Every table below comes from one run of `{command}` "
              f"({time.perf_counter() - started:.0f} s on a 2-core CPU). Each section carries its signature.", ""]
    text = "\n".join(header) + "\n" + "\n".join(sections)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"command": command, "runs": dumps}, indent=1, ensure_ascii=False),
                                       encoding="utf-8")


if __name__ == "__main__":
    main()
