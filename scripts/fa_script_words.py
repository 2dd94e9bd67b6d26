"""False alarms per 1,000 words on clean human-written news, per code, with every finding listed.

Usage: .venv/bin/python scripts/fa_script_words.py [CODES] [JSONL]
  CODES  comma-separated codes or prefixes (default: MTQ101,MTQ102,MTQ111,MTQ211)
  JSONL  one document per line with a "text" field (default: ../shared/data/clean_news_en/clean_news_en.jsonl)
Every finding on clean copy counts as a false alarm; read them to judge.
"""

from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"


def main() -> None:
    codes = tuple((sys.argv[1] if len(sys.argv) > 1 else "MTQ101,MTQ102,MTQ111,MTQ211").split(","))
    data = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_DATA
    with open(data, encoding="utf-8") as fh:
        docs = [Document(str(d.get("doc_id", i)), d["text"]) for i, d in enumerate(map(json.loads, fh))]
    n_words = sum(d.word_count for d in docs)
    started = time.perf_counter()
    result = run(docs, Config(select=codes, use_lm=False))
    elapsed = time.perf_counter() - started
    counts = collections.Counter(f.code for f in result.findings)
    print(f"{len(docs)} docs, {n_words} words, {elapsed:.2f}s ({len(docs) / elapsed:.0f} docs/s)")
    for code in sorted({r for r in counts} | {c for c in codes if c[-1].isdigit()}):
        print(f"{code}: {counts[code]} findings, {1000 * counts[code] / n_words:.3f} per 1,000 words")
    by_path = {d.path: d for d in docs}
    for f in result.findings:
        text = by_path[f.path].text
        context = text[max(0, f.start - 50) : f.end + 50].replace("\n", " ")
        print(f"  {f.code} {f.path} {f.text!r} -> {f.suggestions[:3]} | {context}")


if __name__ == "__main__":
    main()
