#!/usr/bin/env python3
"""The lexicon detectors (MTQ201 confusions, MTQ202 calques) on the MQM development set.

Every MT output of newstest2020 zh-en (8 systems, the human references left out), each segment as
its own document; for each finding, whether it falls inside a span that some rater marked.
Raters leave unmarked some things a desk would still fix, so "outside" is not always a false
alarm; it is the comparison to make before and after a lexicon change.

    MTQA_THREADS=1 .venv/bin/python scripts/dev_lexicon_mqm.py [--no-lm] [--codes MTQ201,MTQ202] [--show N]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-lm", action="store_true")
    ap.add_argument("--codes", default="MTQ201,MTQ202")
    ap.add_argument("--show", type=int, default=0, help="print up to N findings per code in context")
    args = ap.parse_args(argv)

    import dev_fluency as D
    from mtqa.config import build_config
    from mtqa.document import Document
    from mtqa.evaluation.benchmarks import open_lm
    from mtqa.evaluation.datasets import read_google_mqm
    from mtqa.pipeline import run

    segs = [s for s in read_google_mqm(D.NT2020, None, name="nt2020", group_cols=("seg_id",), seg_col="seg_id")
            if s.system not in D.HUMAN]
    config = build_config(use_lm=False if args.no_lm else None, select=tuple(args.codes.split(",")))
    lm, scorer = open_lm(config, lambda m: print(m, file=sys.stderr))
    by_key = {s.key: s for s in segs}
    out = defaultdict(list)
    for f in run([Document(s.key, s.text) for s in segs], config, lm, scorer).findings:
        s = by_key[f.path]
        inside = any(g.start < f.end and f.start < g.end for spans in s.spans for g in spans)
        out[f.code].append((inside, f, s.text))
    print(f"newstest2020 zh-en: {len(segs)} MT segments, model {'off' if lm is None else 'on'}")
    for code in config.select:
        fs = out.get(code, [])
        print(f"{code}: {len(fs)} findings, {sum(i for i, _, _ in fs)} inside a rater's span")
        for inside, f, text in fs[: args.show]:
            print(f"   {'in ' if inside else 'out'} {f.evidence.get('proposal', '')[:6]:6s} {f.score if f.score is None else round(f.score, 2)} "
                  f"{text[max(0, f.start - 40):f.start]}⟦{f.text}⟧{text[f.end:f.end + 30]} -> {f.suggestion!r}")


if __name__ == "__main__":
    main()
