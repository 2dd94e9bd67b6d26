"""False alarms of the confusion, markup and boilerplate detectors on clean human-written news.

Usage: .venv/bin/python scripts/fa_leaks.py [CODE_PREFIX ...] [-v]
Prints findings per 1,000 words for each code (every finding on clean copy counts as a false
alarm) and, with -v, each finding in context.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter

from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run

CLEAN = "/work/shared/data/clean_news_en/clean_news_en.jsonl"
DEFAULT = ("MTQ201", "MTQ301", "MTQ302", "MTQ311", "MTQ312")


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    codes = tuple(a for a in argv if not a.startswith("-")) or DEFAULT
    with open(CLEAN, encoding="utf-8") as fh:
        docs = [Document(d["doc_id"], d["text"]) for d in map(json.loads, fh)]
    words = sum(d.word_count for d in docs)
    t0 = time.perf_counter()
    result = run(docs, Config(select=codes, use_lm=False))
    elapsed = time.perf_counter() - t0
    by_code = Counter(f.code for f in result.findings)
    texts = {d.path: d.text for d in docs}
    print(f"{len(docs)} docs, {words} words, {len(docs) / elapsed:.1f} docs/s")
    for code in sorted(set(codes) | set(by_code)):
        n = by_code.get(code, 0)
        print(f"{code}: {n} findings, {1000 * n / words:.3f} per 1,000 words")
    if verbose:
        for f in result.findings:
            t = texts[f.path]
            ctx = t[max(0, f.start - 50) : f.end + 40].replace("\n", "⏎")
            print(f"{f.code} {f.path}:{f.line} {f.text!r} -> {f.suggestion!r} | {ctx}")


if __name__ == "__main__":
    main(sys.argv[1:])
