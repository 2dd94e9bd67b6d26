"""Calibrate MTQ501's thresholds on clean English news and store them in models/calibration.json.

Every candidate sentence of every clean document is scored exactly as `mtqa check` scores it
(mtqa.scoring.fluency.assess_document); the threshold is set just below the deficit of the
(words / RATE)-th worst sentence, so that at most one sentence per RATE words of clean news is
flagged. The seeds' per-sentence values are printed for inspection, never used to fit.
scripts/dev_fluency.py is where the measure was chosen (on newstest2020, the dev set).

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
    judged.sort()
    allowed = words // RATE
    # Strictly below the (allowed+1)-th worst value: at most `allowed` clean sentences fall under it.
    threshold = round(judged[allowed][0] - 1e-3, 3) if len(judged) > allowed else -1e9
    flagged = [j for j in judged if j[0] < threshold]
    # The score's scale: the distance to where one sentence per 500 words would be flagged.
    scale = round(max(0.05, judged[min(len(judged) - 1, words // 500)][0] - threshold), 3)
    print(f"{len(docs)} docs, {words} words, {len(judged)} sentences judged; allowed {allowed} alarms;"
          f" threshold {threshold}; flagged {len(flagged)} ({len(flagged) / words * 1000:.3f} per 1,000 words)")
    for j in flagged[:15]:
        print(f"  {j[0]:7.2f}  {j[2]}  {j[3]!r}")
    seeds = sorted((PROJECT_ROOT.parent / "shared" / "seeds").glob("*.txt"))
    for p in seeds:
        d = Document(str(p), p.read_text(encoding="utf-8"))
        for a in sorted(assess_document(d, lm), key=lambda a: a.total)[:3]:
            print(f"  seed {p.name[:3]} {a.total:7.2f} {'FLAG' if a.total < threshold else '    '} "
                  f"{d.text[a.sentence.start:a.sentence.end][:90]!r}")
    data = args.data.relative_to(PROJECT_ROOT.parent) if args.data.is_relative_to(PROJECT_ROOT.parent) else args.data
    section = {
        "threshold": threshold, "scale": scale, "rate_words_per_alarm": RATE,
        "clean_words": words, "clean_docs": len(docs), "sentences_judged": len(judged),
        "clean_false_alarms": len(flagged),
        "min_zipf": MIN_ZIPF, "max_zipf": MAX_ZIPF, "min_words": MIN_WORDS, "context_chars": CONTEXT_CHARS,
        "feature": ("deficit: sum over judged words (lower-case, wordfreq Zipf in [min_zipf, max_zipf]) of "
                    "min(0, SLOR), SLOR = model log-prob of the word in context - unigram log-prob; "
                    "flagged when deficit < threshold"),
        "model_id": lm.model_id, "data": str(data),
        "script": "scripts/calibrate_fluency.py", "created": time.strftime("%Y-%m-%d"),
        "quantiles": [round(j[0], 3) for j in judged[: 4 * allowed]],
    }
    if not args.dry_run and args.limit is None:
        save_section("fluency", section)
        print("wrote models/calibration.json [fluency]")


if __name__ == "__main__":
    main()
