"""What streaming per document costs with the model (a script, not a timed test).

`mtqa check` writes each batch's findings as soon as it is scored. With the model, batches start
at one document and double up to 16 (first_batch=1), so the first findings appear after one
document; the alternative is full batches of 16 from the start (first_batch=16), which lets the
model score more sentences together. This runs both over the same clean-news articles, score cache
off, and prints the time to the first written batch and the total.

    MTQA_CACHE_DIR=... MTQA_THREADS=1 .venv/bin/python scripts/bench_streaming.py [--docs 16]
"""

from __future__ import annotations

import argparse
import json
import time

from mtqa.config import PROJECT_ROOT, Config
from mtqa.document import Document
from mtqa.pipeline import check_documents

DATA = PROJECT_ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=16)
    ap.add_argument("--skip", type=int, default=100, help="start this far into the data")
    args = ap.parse_args()
    from mtqa.scoring.runtime import open_model

    rows = [json.loads(x) for x in DATA.open(encoding="utf-8")][args.skip:args.skip + args.docs]
    config = Config()
    lm, scorer = open_model(config)
    for first in (16, 1, 16, 1):  # twice each, interleaved, so warm-up and drift fall on both
        lm.forget(disk=True)
        docs = [Document(f"{r['doc_id']}.txt", r["text"]) for r in rows]
        t0 = time.perf_counter()
        first_at = None
        n = 0
        for batch, _, _ in check_documents(iter(docs), config, lm, scorer, first_batch=first):
            first_at = first_at if first_at is not None else time.perf_counter() - t0
            n += len(batch)
        total = time.perf_counter() - t0
        print(f"first_batch={first:>2}: first output after {first_at:5.1f} s, {n} docs in {total:5.1f} s "
              f"({n / total:.2f} docs/s)")


if __name__ == "__main__":
    main()
