"""Where the pipeline's CPU goes with the model on (score cache off), by part, in CPU seconds of
this process (user + system), with the tokens each part computed.

    MTQA_THREADS=1 MTQA_CACHE_DIR=... .venv/bin/python scripts/profile_lm.py [--docs 20 | --seeds] [--bare] [--cprofile N] [--per-batch]

Parts: the rules alone (a run with --no-lm, timed separately); the batched pass over the model
requests of the detectors (MTQ501's sentences and MTQ607's) and of the scorer (margins and
surprisal); the exact float32 passes, by who asked (MTQ501, MTQ607, the scorer); inside those,
tokenisation and the log-softmax/entropy over the vocabulary (``_token_scores``). The rest of the
model-on run beyond the rules and the model calls is Python overhead of the model-backed parts.
The model's weights (both precisions) are loaded and warmed up before anything is timed. --bare
adds scripts/bench_lm.py's physical limit (a bare forward over each article's tokens once) and the
pipeline's share of it, measured in the same process (README "Speed").
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
DATA = ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"


def cpu() -> float:
    return time.process_time()  # user + system of every thread, at clock_gettime's resolution


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--seeds", action="store_true", help="the five seeds (one story: MTQ607 runs) instead of clean news")
    ap.add_argument("--cprofile", type=int, default=0, help="also print cProfile's top N functions")
    ap.add_argument("--bare", action="store_true",
                    help="also the physical limit: a bare forward over each article's tokens once (scripts/bench_lm.py --physical)")
    ap.add_argument("--per-batch", action="store_true",
                    help="only: CPU s and computed tokens of each batch of documents of one run (does the cost grow with the run?)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    from mtqa.config import Config
    from mtqa.document import Document
    from mtqa.pipeline import run
    from mtqa.scoring import lm as lm_mod
    from mtqa.scoring.runtime import load_lm
    from mtqa.scoring.scorer import Scorer

    if args.seeds:
        docs = [Document(str(p), p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    else:
        rows = [json.loads(x) for x in DATA.open(encoding="utf-8")][: args.docs]
        docs = [Document(r["doc_id"], r["text"]) for r in rows]
    config = Config()
    lm = load_lm(config)
    lm.score([("", "Warm up the batched pass.")])
    lm.score_exact("", "Warm up the exact pass.")
    run(docs[:1], Config(use_lm=False))  # the rules' data, loaded on first use

    if args.per_batch:
        per_batch(docs, config, lm)
        return
    t = cpu()
    run(docs, Config(use_lm=False))
    rules_s = cpu() - t
    bare_s = None
    if args.bare:
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_lm import article_rows, bare_sequences

        rows = article_rows(lm, docs)
        bare_sequences(lm, rows[:2])
        t = cpu()
        bare_sequences(lm, rows)
        bare_s = cpu() - t

    spent: dict[str, float] = defaultdict(float)
    tokens: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)
    stack: list[str] = []

    def who(frame) -> str:
        """The detector or scorer module above this model call."""
        while frame is not None:
            mod = frame.f_globals.get("__name__", "")
            if mod == "mtqa.detectors.fluency":
                return "MTQ501"
            if mod == "mtqa.detectors.support":
                return "MTQ607"
            if mod == "mtqa.scoring.scorer":
                return "scorer"
            if mod == "mtqa.pipeline":
                return "detectors"
            frame = frame.f_back
        return "?"

    def timed(name, fn, label):
        def wrapper(*a, **k):
            lab = label(sys._getframe(1)) if callable(label) else (stack[-1] if stack else "?") + label
            stack.append(lab)
            t0, tok0 = cpu(), lm.stats["tokens"]
            try:
                return fn(*a, **k)
            finally:
                dt = cpu() - t0
                stack.pop()
                spent[lab] += dt
                calls[lab] += 1
                if name != "inner":
                    tokens[lab] += lm.stats["tokens"] - tok0
        return wrapper

    orig_score, orig_exact = lm.score, lm.score_exact
    lm.score = timed("score", orig_score, lambda f: "batched: " + who(f))
    lm.score_exact = timed("exact", orig_exact, lambda f: "exact: " + who(f))
    ts, enc = lm_mod.LanguageModel._token_scores, lm._encode
    lm_mod.LanguageModel._token_scores = staticmethod(timed("inner", ts, " / of which log-softmax+entropy"))
    lm._encode = timed("inner", enc, " / of which tokenising")
    ctx_ids = lm._context_ids
    lm._context_ids = timed("inner", ctx_ids, " / of which tokenising")

    lm.forget(disk=True)
    prof = cProfile.Profile() if args.cprofile else None
    before = dict(lm.stats)
    t = cpu()
    if prof:
        prof.enable()
    res = run(docs, config, lm=lm, scorer=Scorer(lm, config))
    if prof:
        prof.disable()
    total = cpu() - t
    lm_mod.LanguageModel._token_scores = ts

    model_calls = sum(v for k, v in spent.items() if " / " not in k)
    out = {"docs": len(docs), "findings": len(res.findings), "threads": config.threads,
           "pipeline_cpu_s": round(total, 2), "rules_only_cpu_s": round(rules_s, 2),
           "parts_cpu_s": {k: round(v, 2) for k, v in sorted(spent.items())},
           "tokens": dict(tokens), "calls": dict(calls),
           "python_overhead_cpu_s": round(total - rules_s - model_calls, 2),
           "bare_forward_cpu_s": bare_s and round(bare_s, 2),
           "share_of_physical_limit": bare_s and round(bare_s / total, 3),
           "articles_per_cpu_s": round(len(docs) / total, 3),
           "stats": {k: (round(v, 2) if isinstance(v, float) else v - before.get(k, 0))
                     for k, v in lm.stats.items()}}
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.cprofile)


def per_batch(docs, config, lm) -> None:
    from mtqa.pipeline import check_documents
    from mtqa.scoring.scorer import Scorer

    lm.forget(disk=True)
    t, tok = cpu(), lm.stats["tokens"]
    for documents, _, _ in check_documents(docs, config, lm=lm, scorer=Scorer(lm, config)):
        now, dtok = cpu(), lm.stats["tokens"] - tok
        print(f"batch of {len(documents)} documents: {now - t:.2f} CPU s, {dtok} tokens, "
              f"{1000 * (now - t) / max(1, dtok):.3f} CPU ms per token", flush=True)
        t, tok = now, lm.stats["tokens"]


if __name__ == "__main__":
    main()
