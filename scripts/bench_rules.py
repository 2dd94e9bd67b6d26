"""Benchmark: documents per second of the rule-based pipeline (--no-lm) on the clean news corpus.

    .venv/bin/python scripts/bench_rules.py [--repeat 3] [--corpus ../shared/data/clean_news_en/clean_news_en.jsonl]

Reads the corpus in place. Prints documents/s, words/s and per-detector time, best of N runs.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from mtqa.config import Config
from mtqa.detectors.base import Context
from mtqa.document import Document
from mtqa.pipeline import active_rules, detect_across
from mtqa.registry import implementation

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared/data/clean_news_en/clean_news_en.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    records = [json.loads(line) for line in args.corpus.open(encoding="utf-8")]
    config = Config(use_lm=False)
    rules = active_rules(config, lm_available=False)
    ctx = Context(config=config)
    words = sum(len(r["text"].split()) for r in records)
    # warm-up: imports, wordfreq and langdetect profiles
    doc_rules = [r for r in rules if r.scope == "document"]
    for rule in doc_rules:
        fn = implementation(rule.code)
        if fn is not None:
            list(fn(Document("warm", records[0]["text"]), ctx))
    best, per_rule_best = float("inf"), {}
    for _ in range(args.repeat):
        per_rule: dict[str, float] = defaultdict(float)
        t0 = time.perf_counter()
        docs = [Document(r["doc_id"], r["text"]) for r in records]
        for doc in docs:
            _ = doc.sentences
            for rule in doc_rules:
                fn = implementation(rule.code)
                if fn is None:
                    continue
                t = time.perf_counter()
                list(fn(doc, ctx))
                per_rule[rule.code] += time.perf_counter() - t
        t = time.perf_counter()
        detect_across(docs, rules, ctx)
        per_rule["across copies"] += time.perf_counter() - t
        elapsed = time.perf_counter() - t0
        if elapsed < best:
            best, per_rule_best = elapsed, dict(per_rule)
    print(f"corpus: {args.corpus.name}: {len(records)} documents, {words:,} words")
    print(f"rule-based pipeline, best of {args.repeat}: {best:.2f} s = {len(records) / best:.1f} documents/s, "
          f"{words / best:,.0f} words/s")
    for code, t in sorted(per_rule_best.items(), key=lambda kv: -kv[1]):
        print(f"  {code}  {t:6.2f} s")


if __name__ == "__main__":
    main()
