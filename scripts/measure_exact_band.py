"""How far the batched pass's margins stray from the exact pass's, for the findings with a
suggestion that mtqa makes on some copy: the evidence behind the scorer's EXACT_BAND.

    python scripts/measure_exact_band.py ../shared/seeds corpora/samples
"""

from __future__ import annotations

import sys

from mtqa.config import build_config
from mtqa.pipeline import run
from mtqa.readers import read_all
from mtqa.scoring.context import comparison
from mtqa.scoring.runtime import open_model
from mtqa.scoring.scorer import EXACT_BAND


def main(paths: list[str]) -> None:
    config = build_config(use_lm=False)
    docs = [d for d in read_all(paths, config.max_bytes) if not isinstance(d, Exception)]
    findings = [f for f in run(docs, config).findings if f.suggestions]
    lm, _ = open_model(build_config(), log=lambda m: None)
    by_path = {d.path: d for d in docs}
    gaps = []
    for f in findings:
        c = comparison(by_path[f.path], f)
        batched = lm.score([(c.context, c.original)] + [(c.context, v) for v in c.variants])
        exact = [lm.score_exact(c.context, t) for t in (c.original, *c.variants)]
        for k in range(len(c.variants)):
            gaps.append(abs((batched[k + 1].total - batched[0].total) - (exact[k + 1].total - exact[0].total)))
    gaps.sort()
    print(f"{len(gaps)} margins from {len(findings)} findings; |batched - exact|: median {gaps[len(gaps) // 2]:.3f}, "
          f"max {gaps[-1]:.3f} nats; EXACT_BAND {EXACT_BAND}")


if __name__ == "__main__":
    main(sys.argv[1:])
