"""Benchmark: start-up of a rules-only run, `mtqa check ONE.txt --no-lm` on one sentence, as CPU
seconds (user + system) of the whole process.

    .venv/bin/python scripts/bench_startup.py [--runs 5] [--cache-dir DIR]

First with the start-up caches of mtqa.startup in place (one run fills them, then --runs runs
are measured), then once with an empty cache dir (the first run on a machine: it builds
wordfreq's table and compiles the patterns). Python writes bytecode as an installed package has
it (PYTHONDONTWRITEBYTECODE is unset for the runs). The machine may be shared: CPU seconds move
less with the load than wall time, but they move.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "The minister said on Tuesday that the talks would resume next week in Geneva.\n"


def _cpu_of_run(path: Path, env: dict) -> float:
    before = os.times()
    proc = subprocess.run([sys.executable, "-c", "from mtqa.cli import main; main()", "check", str(path), "--no-lm"],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = os.times()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mtqa check failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cache-dir", help="the cache dir to measure with (default: $MTQA_CACHE_DIR or the user's)")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    if args.cache_dir:
        env["MTQA_CACHE_DIR"] = args.cache_dir
    with tempfile.TemporaryDirectory(prefix="mtqa-startup-") as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text(SENTENCE, encoding="utf-8")
        _cpu_of_run(one, env)  # fills the caches (and writes bytecode)
        warm = [_cpu_of_run(one, env) for _ in range(args.runs)]
        cold = _cpu_of_run(one, {**env, "MTQA_CACHE_DIR": str(Path(tmp) / "empty-cache")})
    print("| start-up of `mtqa check one.txt --no-lm` | CPU s |")
    print("|---|---:|")
    print(f"| caches in place, {args.runs} runs: min / median / max | {min(warm):.2f} / "
          f"{statistics.median(warm):.2f} / {max(warm):.2f} |")
    print(f"| empty cache dir (first run: builds the tables) | {cold:.2f} |")


if __name__ == "__main__":
    main()
