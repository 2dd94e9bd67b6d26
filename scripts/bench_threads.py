"""The model's thread count and OpenMP wait policy, on an idle and on a loaded machine (a script,
not a timed test): what Config.threads (--threads, $MTQA_THREADS) and the wait policy default to.

Each setting runs in a fresh process (OpenMP reads OMP_WAIT_POLICY once, when it starts): the
pipeline with the model on the first --docs clean-news articles, score cache off, after a
warm-up document. "Loaded" runs a busy loop on one core beside it, as when another job shares
the machine. Prints wall and CPU seconds per setting.

    MTQA_CACHE_DIR=... .venv/bin/python scripts/bench_threads.py [--docs 8] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CHILD = r"""
import json, os, resource, sys, time
from mtqa.config import build_config
from mtqa.evaluation.benchmarks import read_clean_news
from mtqa.pipeline import run
from mtqa.scoring.runtime import open_model
config = build_config()
lm, scorer = open_model(config)
lm.forget(disk=True)
docs = read_clean_news()[: int(sys.argv[1])]
run(docs[-1:], config, lm, scorer)  # warm-up: load, first kernels
lm.forget()
t, c = time.perf_counter(), time.process_time()
res = run(docs[:-1], config, lm, scorer)
print(json.dumps({"wall": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "findings": len(res.findings), "threads": config.threads}))
"""

SPIN = "while True: pass"


def measure(threads: int, policy: str | None, docs: int) -> dict:
    env = dict(os.environ, MTQA_THREADS=str(threads))
    env.pop("OMP_WAIT_POLICY", None)
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    out = subprocess.run([sys.executable, "-c", CHILD, str(docs)], env=env, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print(f"CPU cores available: {len(os.sched_getaffinity(0))}; {args.docs - 1} clean articles per run")
    print(f"{'machine':8s} {'threads':>7s} {'OMP_WAIT_POLICY':>15s} {'wall s':>7s} {'cpu s':>7s} findings")
    print(f"load average before: {os.getloadavg()[0]:.1f} (\"idle\" means without our busy loop, not an idle machine)")
    for load in ("idle", "loaded"):
        spinner = subprocess.Popen([sys.executable, "-c", SPIN]) if load == "loaded" else None
        try:
            time.sleep(0.5)
            for threads, policy in ((1, None), (2, None), (2, "PASSIVE"), (2, "ACTIVE")):
                for _ in range(args.repeat):
                    r = measure(threads, policy, args.docs)
                    print(f"{load:8s} {threads:7d} {policy or '(default)':>15s} {r['wall']:7.1f} {r['cpu']:7.1f} "
                          f"{r['findings']}", flush=True)
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()


if __name__ == "__main__":
    main()
