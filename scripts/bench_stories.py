#!/usr/bin/env python3
"""How the cross-copy engine scales: N documents in N/20 stories, grouped into stories and aligned
sentence by sentence (mtqa.stories), then the cross-copy rules that need no model, on one core.

    .venv/bin/python scripts/bench_stories.py [--sizes 100 1000 5000] [--copies 20]

The documents are synthesised from ../shared/data/clean_news_en: each story is one clean article,
and each of its copies drops a sentence now and then, swaps a few words for others, and changes a
number, so copies are alike but never identical (as separate translations are). Goal: 1,000
documents of 50 stories in under 30 s, with time growing linearly.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def synthesise(n_docs: int, per_story: int, seed: int = 7):
    import regex

    from mtqa.document import Document
    from mtqa.evaluation.benchmarks import read_clean_news

    rng = random.Random(seed)
    articles = [d.text for d in read_clean_news() if len(d.text) > 1500]
    docs = []
    for s in range(max(1, n_docs // per_story)):
        base = articles[s % len(articles)]
        if s >= len(articles):
            # more stories than articles: give every word of three letters or more a suffix of its
            # own, so the story shares its vocabulary with no other (else it would rightly be
            # grouped with the story made from the same article)
            tag = "".join(chr(97 + (s // 26 ** k) % 26) for k in range(3))
            base = regex.sub(r"\b(\p{L}{3,})\b", lambda m: m.group(1) + tag, base)
        paras = [p for p in base.split("\n") if p.strip()]
        for c in range(per_story):
            out = []
            for p in paras:
                if rng.random() < 0.05:
                    continue
                words = p.split(" ")
                for _ in range(2):
                    k = rng.randrange(len(words))
                    words[k] = rng.choice(["said", "reported", "noted", "added", words[k]])
                p = " ".join(words)
                if rng.random() < 0.1:
                    p = regex.sub(r"\d+", lambda m: str(int(m.group()) + 1), p, count=1)
                out.append(p)
            docs.append(Document(f"story{s:04d}/copy{c:02d}.txt", "\n\n".join(out)))
    return docs[:n_docs]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 5000])
    ap.add_argument("--copies", type=int, default=20, help="documents per story (default 20)")
    args = ap.parse_args(argv)
    os.environ.setdefault("MTQA_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from mtqa.config import Config
    from mtqa.detectors.base import Context
    from mtqa.pipeline import active_rules, detect_across
    from mtqa.stories import stories

    import datasketch, scipy.sparse  # noqa: E401,F401  (imported before the clock starts)

    # CPU seconds of this process (what one core spends), and wall seconds beside them: on a shared
    # machine the wall clock also counts the time other processes held the core.
    print("| documents | stories found | sentences | grouped + aligned: CPU s (wall) | with the rules that need no model (MTQ601, 602, 604-606): CPU s (wall) | findings |")
    print("|---|---|---|---|---|---|")
    for n in args.sizes:
        docs = synthesise(n, args.copies)
        for d in docs:
            _ = d.sentences  # segmentation is the reader's cost, not the engine's
        config = Config(select=("MTQ6",), use_lm=False)
        ctx = Context(config=config)
        c0, t0 = time.process_time(), time.perf_counter()
        found = stories(docs, ctx)
        c1, t1 = time.process_time(), time.perf_counter()
        by_path = detect_across(docs, active_rules(config, False), ctx)
        c2, t2 = time.process_time(), time.perf_counter()
        print(f"| {len(docs):,} | {len(found)} | {sum(len(d.sentences) for d in docs):,} | {c1 - c0:.1f} ({t1 - t0:.1f}) | "
              f"{c2 - c0:.1f} ({t2 - t0:.1f}) | {sum(len(v) for v in by_path.values()):,} |", flush=True)


if __name__ == "__main__":
    main()
