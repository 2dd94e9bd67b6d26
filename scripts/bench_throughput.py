"""Benchmark: throughput of `mtqa check` as a whole process, with one or two workers.

    .venv/bin/python scripts/bench_throughput.py [--lm-articles 12] [--rules-articles 60]
        [--scales 100,1000,10000] [--names 1000,3000,10000,30000] [--skip-lm] [--skip-ray]

1. Articles/s with and without the model, for --jobs 1 and 2 and for 1 and 2 local Ray actors
   (--engine ray), on the same clean articles (../shared/data/clean_news_en, read in place and
   written to a temporary folder as text files). Every model run gets a fresh, empty score cache
   (the converted model is linked in) and MTQA_THREADS=1 per worker; peak RSS is sampled (psutil)
   for the main process and for each worker. The findings of every run are compared with those
   of the one-process run.
2. Rules only (--no-lm), as a whole process: wall and CPU seconds, sentences per CPU second and
   peak RSS at 100, 1,000 and 10,000 documents (the clean articles in turn, each with a line of
   its own so that no two files are equal; the copies of one article form stories, so the
   cross-copy rules run too).
3. MTQ221 on one document holding 1,000 to 30,000 distinct made-up names (in-process).

Prints a Markdown table per part. The machine may be shared: the numbers are what it gave then.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared/data/clean_news_en/clean_news_en.jsonl"
MTQA = [sys.executable, "-c", "from mtqa.cli import main; main()"]


def _articles(n: int) -> list[str]:
    texts = [json.loads(line)["text"] for line in CORPUS.open(encoding="utf-8")]
    return texts[:n]


def _write(folder: Path, texts: list[str], n: int, tag: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = texts[i % len(texts)]
        (folder / f"{i:05d}.txt").write_text((f"Item {i}.\n\n" if tag else "") + text, encoding="utf-8")
    return folder


class PeakRSS:
    """Peak resident memory of a process and of each of its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int):
        import psutil

        self.root = psutil.Process(pid)
        self.peak: dict[int, tuple[int, str]] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    if rss > self.peak.get(p.pid, (0, ""))[0]:
                        self.peak[p.pid] = (rss, " ".join(p.cmdline())[:200] or p.name())
                except psutil.Error:
                    pass
            time.sleep(0.1)

    def close(self) -> tuple[float, float]:
        """(main process MB, largest worker MB)."""
        self.stop.set()
        self.thread.join()
        main = self.peak.get(self.root.pid, (0, ""))[0]
        workers = [rss for pid, (rss, cmd) in self.peak.items()
                   if pid != self.root.pid and ("spawn_main" in cmd or "ray::" in cmd or "default_worker" in cmd)]
        return main / 2**20, max(workers, default=0) / 2**20


def _check(folder: Path, out: Path, flags: list[str], env: dict) -> tuple[float, float, float, str]:
    """(wall s, main MB, worker MB, output) of one `mtqa check` run."""
    cmd = [*MTQA, "check", str(folder), "--format", "jsonl", "-o", str(out), "--no-progress", "--no-summary", *flags]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rss = PeakRSS(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    main_mb, worker_mb = rss.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return wall, main_mb, worker_mb, out.read_text(encoding="utf-8")


def part_engines(tmp: Path, n_lm: int, n_rules: int, skip_lm: bool, skip_ray: bool) -> None:
    from mtqa.scoring.manifest import cache_root

    models = cache_root() / "models"
    texts = _articles(max(n_lm, n_rules))
    engines = [("process", 1), ("process", 2)] + ([] if skip_ray else [("ray", 1), ("ray", 2)])
    rows = []
    for lm in ([False] if skip_lm else [False, True]):
        n = n_lm if lm else n_rules
        folder = _write(tmp / f"articles{n}", texts, n)
        base = None
        for engine, jobs in engines:
            cache = tmp / f"cache-{lm}-{engine}-{jobs}"
            cache.mkdir()
            if models.is_dir():
                (cache / "models").symlink_to(models)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "MTQA_THREADS": "1", "MTQA_CACHE_DIR": str(cache)}
            flags = ["--jobs", str(jobs)] + (["--engine", "ray"] if engine == "ray" else []) + ([] if lm else ["--no-lm"])
            wall, main_mb, worker_mb, out = _check(folder, tmp / f"out-{lm}-{engine}-{jobs}.jsonl", flags, env)
            base = base if base is not None else (wall, out)
            rows.append((("model" if lm else "rules only"), f"{engine} x{jobs}", n, wall, n / wall,
                         base[0] / wall, main_mb, worker_mb or main_mb, out == base[1]))
            print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    print("\n| run | workers | articles | wall s | articles/s | vs process x1 | main MB | worker MB | same findings |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for what, eng, n, wall, rate, ratio, mm, wm, same in rows:
        print(f"| {what} | {eng} | {n} | {wall:.1f} | {rate:.2f} | {ratio:.2f} | {mm:.0f} | {wm:.0f} | {same} |")


def part_scale(tmp: Path, scales: list[int], extra: list[str]) -> None:
    from mtqa.document import Document

    texts = _articles(10**9)
    sentences_per_text = [len(Document("x", t).sentences) for t in texts]
    print(f"\n| documents (--no-lm {' '.join(extra)}) | wall s | CPU s | documents/CPU s | sentences/CPU s | peak MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in scales:
        folder = _write(tmp / f"scale{n}", texts, n, tag=True)
        sentences = sum(sentences_per_text[i % len(texts)] + 1 for i in range(n))
        before = os.times()
        wall, main_mb, _, _ = _check(folder, tmp / f"scale{n}.jsonl", ["--no-lm", *extra], {**os.environ, "PYTHONPATH": str(ROOT)})
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        print(f"| {n:,} | {wall:.1f} | {cpu:.1f} | {n / cpu:.0f} | {sentences / cpu:,.0f} | {main_mb:.0f} |", flush=True)


def _made_up_names(k: int, rng: random.Random) -> list[str]:
    syll = ["ka", "lo", "mer", "vin", "dra", "sto", "bel", "rik", "tan", "zu", "por", "gel", "nov", "shi", "ar"]
    out: set[str] = set()
    while len(out) < k:
        w = "".join(rng.choice(syll) for _ in range(rng.randint(2, 4)))
        if len(w) >= 5:
            out.add(w.capitalize())
    return sorted(out)


def part_names(counts: list[int]) -> None:
    from mtqa.config import Config
    from mtqa.detectors.base import Context
    from mtqa.detectors.names import name_variant
    from mtqa.document import Document

    ctx = Context(config=Config(use_lm=False))
    rng = random.Random(7)
    print("\n| distinct names in one document | MTQ221 s | findings |")
    print("|---:|---:|---:|")
    for k in counts:
        names = _made_up_names(k, rng)
        text = " ".join(f"Officials said {a} met {b} on Monday." for a, b in zip(names[::2], names[1::2]))
        doc = Document("names.txt", text)
        t = time.perf_counter()
        found = list(name_variant(doc, ctx))
        print(f"| {k:,} | {time.perf_counter() - t:.2f} | {len(found)} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lm-articles", type=int, default=12)
    ap.add_argument("--rules-articles", type=int, default=60)
    ap.add_argument("--scales", default="100,1000,10000")
    ap.add_argument("--names", default="1000,3000,10000,30000")
    ap.add_argument("--skip-lm", action="store_true")
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--parts", default="engines,scale,names")
    ap.add_argument("--ignore-cross-copy", action="store_true",
                    help="scale without MTQ6xx: the copies of each article otherwise form ever larger stories")
    args = ap.parse_args()
    parts = args.parts.split(",")
    with tempfile.TemporaryDirectory(prefix="mtqa-bench-") as tmp:
        if "engines" in parts:
            part_engines(Path(tmp), args.lm_articles, args.rules_articles, args.skip_lm, args.skip_ray)
        if "scale" in parts:
            part_scale(Path(tmp), [int(x) for x in args.scales.split(",")],
                       ["--ignore", "MTQ6"] if args.ignore_cross_copy else [])
        if "names" in parts:
            part_names([int(x) for x in args.names.split(",")])


if __name__ == "__main__":
    main()
