"""Calibrate MTQ501's thresholds on clean English news and store them in models/calibration.json.

Every candidate sentence of every clean document is scored exactly as `mtqa check` scores it
(mtqa.scoring.fluency.assess_document), giving two measures: the total deficit and the deficit
per judged word. Each measure gets a threshold just below its k-th worst clean value, with the
same k for both, and k is the largest for which the two together flag at most one sentence per
RATE words of clean news. The seeds' per-sentence values are printed for inspection, never used
to fit. scripts/dev_fluency.py is where the measures were compared (on newstest2020, the dev set).

    .venv/bin/python scripts/calibrate_fluency.py [--data ../shared/data/clean_news_en/clean_news_en.jsonl] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mtqa.config import Config, PROJECT_ROOT
from mtqa.document import Document
from mtqa.scoring.calibration import save_section
from mtqa.scoring.fluency import CONTEXT_CHARS, MAX_ZIPF, MIN_WORDS, MIN_ZIPF, assess_document
from mtqa.scoring.runtime import load_lm

DATA = PROJECT_ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"
RATE = 2000  # words per allowed false alarm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=None, help="only the first N documents (for a quick look)")
    ap.add_argument("--cache-dir", default=None, help="score cache (default: mtqa's own)")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write models/calibration.json")
    args = ap.parse_args()
    lm = load_lm(Config(cache_dir=args.cache_dir) if args.cache_dir else Config())
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")][: args.limit]
    docs = [Document(r["doc_id"], r["text"]) for r in rows]
    words = sum(d.word_count for d in docs)
    started = time.time()
    judged = []  # (total, per_word, path, run text)
    for i, d in enumerate(docs):
        judged.extend((a.total, a.per_word, d.path, d.text[a.run[0]:a.run[1]]) for a in assess_document(d, lm))
        if i % 25 == 0:
            print(f"{i}/{len(docs)} docs, {time.time() - started:.0f} s", flush=True)
    allowed = words // RATE
    thresholds, k = joint_thresholds([(t, p) for t, p, *_ in judged], allowed)
    flagged = sorted((j for j in judged if j[0] < thresholds["total"] or j[1] < thresholds["per_word"]),
                     key=lambda j: j[0])
    # Each measure's scale: the distance from its threshold to where one sentence per 500 words
    # would be flagged by it alone.
    scales = {}
    for m, name in enumerate(("total", "per_word")):
        values = sorted(j[m] for j in judged)
        scales[name] = round(max(0.05, values[min(len(values) - 1, words // 500)] - thresholds[name]), 3)
    print(f"{len(docs)} docs, {words} words, {len(judged)} sentences judged; allowed {allowed} alarms;"
          f" thresholds {thresholds} (each the {k}-th worst clean value); flagged {len(flagged)}"
          f" ({len(flagged) / words * 1000:.3f} per 1,000 words)")
    for j in flagged[:15]:
        print(f"  {j[0]:7.2f} {j[1]:6.2f}  {j[2]}  {j[3]!r}")
    seeds = sorted((PROJECT_ROOT.parent / "shared" / "seeds").glob("*.txt"))
    for p in seeds:
        d = Document(str(p), p.read_text(encoding="utf-8"))
        for a in sorted(assess_document(d, lm), key=lambda a: -max(a.total / thresholds["total"], a.per_word / thresholds["per_word"]))[:3]:
            flag = a.total < thresholds["total"] or a.per_word < thresholds["per_word"]
            print(f"  seed {p.name[:3]} {a.total:7.2f} {a.per_word:6.2f} {'FLAG' if flag else '    '} "
                  f"{d.text[a.sentence.start:a.sentence.end][:90]!r}")
    data = args.data.relative_to(PROJECT_ROOT.parent) if args.data.is_relative_to(PROJECT_ROOT.parent) else args.data
    section = {
        "thresholds": thresholds, "scales": scales, "quantile_rank": k, "rate_words_per_alarm": RATE,
        "clean_words": words, "clean_docs": len(docs), "sentences_judged": len(judged),
        "clean_false_alarms": len(flagged),
        "min_zipf": MIN_ZIPF, "max_zipf": MAX_ZIPF, "min_words": MIN_WORDS, "context_chars": CONTEXT_CHARS,
        "feature": ("per sentence, deficit = sum over judged words (lower-case, Zipf in [min_zipf, max_zipf]) "
                    "of min(0, SLOR + entropy); flagged when total < thresholds.total or "
                    "total / judged words < thresholds.per_word"),
        "model_id": lm.model_id, "data": str(data),
        "script": "scripts/calibrate_fluency.py", "created": time.strftime("%Y-%m-%d"),
        "quantiles_total": [round(j[0], 3) for j in sorted(judged)[: 4 * allowed]],
    }
    if not args.dry_run and args.limit is None:
        save_section("fluency", section)
        print("wrote models/calibration.json [fluency]")


def joint_thresholds(values: list[tuple[float, float]], allowed: int) -> tuple[dict[str, float], int]:
    """Thresholds for (total, per_word), each just below its k-th worst value (0-based), for the
    largest k at which the two together flag at most ``allowed`` of ``values``."""
    totals = sorted(v[0] for v in values)
    means = sorted(v[1] for v in values)
    best = ({"total": -1e9, "per_word": -1e9}, 0)
    for k in range(min(allowed, len(values) - 1) + 1):
        thr = {"total": round(totals[k] - 1e-3, 3), "per_word": round(means[k] - 1e-3, 3)}
        if sum(1 for t, m in values if t < thr["total"] or m < thr["per_word"]) > allowed:
            break
        best = (thr, k)
    return best


if __name__ == "__main__":
    main()
