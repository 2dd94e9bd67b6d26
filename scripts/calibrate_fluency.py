"""Calibrate MTQ501's thresholds on clean English news and store them in models/calibration.json.

Every candidate sentence of every clean document is scored exactly as `mtqa check` scores it
(mtqa.scoring.fluency.assess_document). Two rules flag a sentence, and together they may flag at
most one sentence per RATE words of clean news:

- the deficit rule (``total``, the sum of negative SLORs), which finds most garbled sentences on
  the development set but needs several ill-fitting words, so long sentences;
- the short-sentence rule (``odd_per_word``, the mean of negative SLOR + entropy), which catches
  a short sentence with one badly placed word ("Plants have especially migrated to the outside
  world."). It gets PER_WORD_SHARE of the alarm budget, and the deficit rule the rest.

scripts/dev_fluency.py is where the measures and the share were chosen (on newstest2020, the
dev set); the seeds' per-sentence values are printed here for inspection.

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
# The short-sentence rule's part of the alarm budget: an even split. On newstest2020 dev
# (scripts/dev_fluency.py features; the union of the two rules at 52 clean alarms) shares of
# 0, 0.3, 0.4 and 0.5 gave recall 0.064, 0.060, 0.059, 0.054 at precision 0.77, 0.73, 0.72, 0.70:
# a little recall on long sentences traded for short ones, which the deficit rule alone never
# flags; the seeds' short "Plants have especially migrated to the outside world." sits at the
# per-word threshold (bf16 -0.46, fp32 -0.42, threshold about -0.42), so it is a marginal catch.
PER_WORD_SHARE = 0.5


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
    judged = []  # (total, odd_per_word, path, run text)
    for i, d in enumerate(docs):
        judged.extend((a.total, a.odd_per_word, d.path, d.text[a.run[0]:a.run[1]])
                      for a in assess_document(d, lm))
        if i % 25 == 0:
            print(f"{i}/{len(docs)} docs, {time.time() - started:.0f} s", flush=True)
    allowed = words // RATE
    thresholds = union_thresholds([(t, o) for t, o, *_ in judged], allowed, PER_WORD_SHARE)
    flagged = sorted((j for j in judged if flags(j[0], j[1], thresholds)), key=lambda j: j[0])
    # Each rule's scale (for the finding's score): the distance from its threshold to where it
    # alone would flag one sentence per 500 words.
    scales = {}
    for m, name in enumerate(("total", "odd_per_word")):
        values = sorted(j[m] for j in judged)
        scales[name] = round(max(0.05, values[min(len(values) - 1, words // 500)] - thresholds[name]), 3)
    print(f"{len(docs)} docs, {words} words, {len(judged)} sentences judged; allowed {allowed} alarms;"
          f" thresholds {thresholds}; flagged {len(flagged)} ({len(flagged) / words * 1000:.3f} per 1,000 words)")
    for j in flagged[:15]:
        print(f"  {j[0]:7.2f} {j[1]:6.2f}  {j[2]}  {j[3]!r}")
    seeds = sorted((PROJECT_ROOT.parent / "shared" / "seeds").glob("*.txt"))
    for p in seeds:
        d = Document(str(p), p.read_text(encoding="utf-8"))
        for a in sorted(assess_document(d, lm), key=lambda a: a.total)[:3]:
            flag = flags(a.total, a.odd_per_word, thresholds)
            print(f"  seed {p.name[:3]} {a.total:7.2f} {a.odd_per_word:6.2f} {'FLAG' if flag else '    '} "
                  f"{d.text[a.sentence.start:a.sentence.end][:90]!r}")
    data = args.data.relative_to(PROJECT_ROOT.parent) if args.data.is_relative_to(PROJECT_ROOT.parent) else args.data
    section = {
        "thresholds": thresholds, "scales": scales, "per_word_share": PER_WORD_SHARE,
        "rate_words_per_alarm": RATE,
        "clean_words": words, "clean_docs": len(docs), "sentences_judged": len(judged),
        "clean_false_alarms": len(flagged),
        "min_zipf": MIN_ZIPF, "max_zipf": MAX_ZIPF, "min_words": MIN_WORDS, "context_chars": CONTEXT_CHARS,
        "feature": ("over judged words (lower-case, wordfreq Zipf in [min_zipf, max_zipf]): total = sum of "
                    "min(0, SLOR), SLOR = model log-prob of the word in context - unigram log-prob; "
                    "odd_per_word = mean of min(0, SLOR + entropy of the prediction before the word); "
                    "flagged when total < thresholds.total or odd_per_word < thresholds.odd_per_word"),
        "model_id": lm.model_id, "data": str(data),
        "script": "scripts/calibrate_fluency.py", "created": time.strftime("%Y-%m-%d"),
        "quantiles_total": sorted(round(j[0], 3) for j in judged)[: 4 * allowed],
        "quantiles_odd_per_word": sorted(round(j[1], 3) for j in judged)[: 4 * allowed],
    }
    if not args.dry_run and args.limit is None:
        save_section("fluency", section)
        print("wrote models/calibration.json [fluency]")


def flags(total: float, odd_per_word: float, thresholds: dict[str, float]) -> bool:
    return total < thresholds["total"] or odd_per_word < thresholds["odd_per_word"]


def union_thresholds(values: list[tuple[float, float]], allowed: int, share: float) -> dict[str, float]:
    """Thresholds for (total, odd_per_word): the second rule alone flags at most
    round(share * allowed) of ``values``; the first is then as loose as it can be with the two
    together flagging at most ``allowed``. Each threshold sits just below a clean value."""
    odd = sorted(v[1] for v in values)
    k = min(round(share * allowed), len(odd) - 1)
    thresholds = {"total": -1e9, "odd_per_word": round(odd[k] - 1e-3, 3) if odd else -1e9}
    for t in sorted(v[0] for v in values):
        candidate = dict(thresholds, total=round(t - 1e-3, 3))
        if sum(1 for a, b in values if flags(a, b, candidate)) > allowed:
            break
        thresholds = candidate
    return thresholds


if __name__ == "__main__":
    main()
