"""Benchmark: throughput of `mtqa check` as a whole process, with one or two workers.

    .venv/bin/python scripts/bench_throughput.py --parts engines [--articles 60] [--skip-lm]
        [--engines process1,process2,ray1,ray2,cluster2] [--no-overhead]
    .venv/bin/python scripts/bench_throughput.py --parts scale,names [--scales 100,1000,10000]
        [--names 1000,3000,10000,30000] [--ignore-cross-copy]

1. Articles/s rules only and with the model, for --jobs 1 and 2, for 1 and 2 Ray actors on a
   Ray started for the run (--engine ray), and for 2 actors on a Ray cluster started once
   beforehand (`ray start --head`, then --address: a desk's way, the cluster's start paid once,
   like a server's), all on the same clean articles (../shared/data/clean_news_en, read in place
   and written to a temporary folder as text files), in one run, as ratios to one process and
   to --jobs 2. Every run gets a fresh, empty score cache (the converted model is linked in) and
   MTQA_THREADS=1 per worker. Peak RSS and CPU seconds are sampled (psutil, every 0.1 s) for the
   main process and each worker; the load average (1 min, mean of start and end) is printed
   beside every wall time, since on a shared machine wall-time ratios say as much about the
   load as about mtqa; the CPU seconds of the main process and of the workers do not. The
   findings of every run are compared with those of the one-process run. Then each engine's
   fixed cost of a run: two short articles, rules only.
2. Rules only (--no-lm), as a whole process: wall and CPU seconds, sentences per CPU second and
   peak RSS at 100, 1,000 and 10,000 documents (the clean articles in turn, each with a line of
   its own so that no two files are equal; the copies of one article form stories, so the
   cross-copy rules run too).
3. MTQ221 on one document holding 1,000 to 30,000 distinct made-up names (in-process).

Prints a Markdown table per part. Bounded time: --articles sets how many articles each engine
checks (the model runs take about 1-2 CPU s an article, per engine).
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


class Sampler:
    """Peak resident memory and CPU seconds of a process and of its worker processes, sampled every
    0.1 s (psutil). Workers are the descendants that run mtqa's work (multiprocessing's spawned
    workers, Ray's actor processes), of the run itself or of a Ray cluster started beforehand
    (``cluster``: the `ray start` process; only its actor processes are counted)."""

    def __init__(self, pid: int, cluster: int | None = None):
        import psutil

        self.t0 = time.time()
        self.root = psutil.Process(pid)
        self.cluster = psutil.Process(cluster) if cluster else None
        self.seen: dict[int, dict] = {}  # pid -> {rss, cpu0, cpu, worker}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _procs(self):
        import psutil

        out = [(self.root, False)]
        for p in self.root.children(recursive=True):
            out.append((p, True))
        if self.cluster is not None:
            try:
                out.extend((p, True) for p in self.cluster.children(recursive=True))
            except psutil.Error:
                pass
        return out

    def _run(self) -> None:
        import psutil

        while not self.stop.is_set():
            try:
                procs = self._procs()
            except psutil.Error:
                break
            for p, child in procs:
                try:
                    with p.oneshot():
                        cmd = " ".join(p.cmdline())
                        if child and not ("spawn_main" in cmd or cmd.startswith("ray::_RayWorker")):
                            continue
                        t = p.cpu_times()
                        cpu = t.user + t.system
                        rss = p.memory_info().rss
                        started_before = p.create_time() < self.t0
                except psutil.Error:
                    continue
                rec = self.seen.setdefault(p.pid, {"rss": 0, "cpu0": cpu if started_before else 0.0, "cpu": 0.0})
                rec["rss"] = max(rec["rss"], rss)
                rec["cpu"] = cpu
            time.sleep(0.1)

    def close(self) -> dict:
        """main MB, main CPU s, worker MB (the largest), workers' CPU s (summed), workers."""
        self.stop.set()
        self.thread.join()
        main = self.seen.get(self.root.pid, {"rss": 0, "cpu": 0.0, "cpu0": 0.0})
        workers = [r for pid, r in self.seen.items() if pid != self.root.pid]
        return {"main_mb": main["rss"] / 2**20, "main_cpu": main["cpu"] - main["cpu0"],
                "worker_mb": max((r["rss"] for r in workers), default=0) / 2**20,
                "worker_cpu": sum(r["cpu"] - r["cpu0"] for r in workers), "workers": len(workers)}


def _check(folder: Path, out: Path, flags: list[str], env: dict, cluster: int | None = None) -> dict:
    """One `mtqa check` run: wall s, load average, memory and CPU (Sampler.close), output."""
    cmd = [*MTQA, "check", str(folder), "--format", "jsonl", "-o", str(out), "--no-progress", "--no-summary", *flags]
    load = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid, cluster)
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    stats = sampler.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return {**stats, "wall": wall, "load": (load + os.getloadavg()[0]) / 2, "out": out.read_text(encoding="utf-8")}


def _same(out: str, base: str) -> str:
    """'bytes' where the outputs are identical; 'all but N scores' where only the score of N
    findings differs (the batched pass's last digits depend on the batch a text ran in, and
    decisions near a threshold come from the exact pass; README "Big runs"); else 'no'."""
    if out == base:
        return "bytes"
    a, b = out.splitlines(), base.splitlines()
    if len(a) != len(b):
        return "no"
    rows = [(json.loads(x), json.loads(y)) for x, y in zip(a, b)]
    if any({**x, "score": None} != {**y, "score": None} for x, y in rows):
        return "no"
    return f"all but {sum(x['score'] != y['score'] for x, y in rows)} scores"


class Cluster:
    """`ray start --head --block` on this machine, started once like a desk's server (its start
    is not part of any run), in a temporary Ray folder of its own so that no other Ray user on
    the machine finds it; terminating the process stops the cluster."""

    def __init__(self, cpus: int, env: dict):
        import socket

        self.tmp = Path(tempfile.mkdtemp(prefix="rb", dir="/tmp"))  # Ray's socket paths must stay short
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = {**env, "RAY_TMPDIR": str(self.tmp), "RAY_AUTH_MODE": "token"}
        t = time.perf_counter()
        self.proc = subprocess.Popen([str(Path(sys.executable).with_name("ray")), "start", "--head", f"--port={self.port}",
                                      f"--num-cpus={cpus}", "--block", "--include-dashboard=false",
                                      "--disable-usage-stats"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not (self.tmp / "ray" / "ray_current_cluster").exists():
            if self.proc.poll() is not None or time.perf_counter() - t > 300:
                raise SystemExit("ray start --head did not come up")
            time.sleep(0.2)
        time.sleep(2)  # its idle workers start
        self.start_s = time.perf_counter() - t

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def close(self) -> None:
        import shutil

        self.proc.terminate()
        self.proc.wait(timeout=120)
        shutil.rmtree(self.tmp, ignore_errors=True)


ENGINES = {  # name: (flags, needs the cluster)
    "process1": (["--jobs", "1"], False), "process2": (["--jobs", "2"], False),
    "ray1": (["--engine", "ray", "--jobs", "1"], False), "ray2": (["--engine", "ray", "--jobs", "2"], False),
    "cluster1": (["--engine", "ray", "--jobs", "1"], True), "cluster2": (["--engine", "ray", "--jobs", "2"], True),
}
LABEL = {"process1": "process x1", "process2": "process x2", "ray1": "local Ray x1", "ray2": "local Ray x2",
         "cluster1": "Ray cluster x1", "cluster2": "Ray cluster x2"}


def part_engines(tmp: Path, n_lm: int, n_rules: int, engines: list[str], modes: list[str], overhead: bool) -> None:
    from mtqa.scoring.manifest import cache_root

    models = cache_root() / "models"
    texts = _articles(max(n_lm, n_rules, 2))
    base_env = {**os.environ, "PYTHONPATH": str(ROOT), "MTQA_THREADS": "1"}
    cluster = Cluster(2, base_env) if any(ENGINES[e][1] for e in engines) else None
    if cluster:
        print(f"  ray start --head took {cluster.start_s:.1f} s (paid once, not part of any run)", file=sys.stderr)
    rows, fixed = [], []
    try:
        for lm in [m == "model" for m in modes]:
            n = n_lm if lm else n_rules
            folder = _write(tmp / f"articles{n}", texts, n)
            results: dict[str, dict] = {}
            for engine in engines:
                flags, on_cluster = ENGINES[engine]
                cache = tmp / f"cache-{lm}-{engine}"
                cache.mkdir()
                if models.is_dir():
                    (cache / "models").symlink_to(models)
                env = {**(cluster.env if on_cluster else base_env), "MTQA_CACHE_DIR": str(cache)}
                flags = flags + (["--address", cluster.address] if on_cluster else []) + ([] if lm else ["--no-lm"])
                r = _check(folder, tmp / f"out-{lm}-{engine}.jsonl", flags, env, cluster.proc.pid if on_cluster else None)
                results[engine] = r
                one = results.get("process1", r)
                two = results.get("process2")
                rows.append(("model" if lm else "rules only", LABEL[engine], n, r, one["wall"] / r["wall"],
                             two["wall"] / r["wall"] if two and engine != "process1" else None, _same(r["out"], one["out"])))
                print(f"  {rows[-1][:3]} wall {r['wall']:.1f} s, load {r['load']:.1f}", file=sys.stderr, flush=True)
        if overhead:  # a run's fixed cost: two short articles, rules only
            folder = _write(tmp / "articles2", texts, 2)
            for engine in engines:
                flags, on_cluster = ENGINES[engine]
                env = cluster.env if on_cluster else base_env
                flags = flags + (["--address", cluster.address] if on_cluster else []) + ["--no-lm"]
                fixed.append((LABEL[engine], _check(folder, tmp / f"fixed-{engine}.jsonl", flags, env,
                                                    cluster.proc.pid if on_cluster else None)))
    finally:
        if cluster:
            cluster.close()
    print("\n| run | workers | articles | wall s | articles/s | vs process x1 | vs process x2 | main CPU s "
          "| workers' CPU s | main MB | MB per worker | load avg | same output as process x1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for what, eng, n, r, ratio, ratio2, same in rows:
        wmb = r["worker_mb"] or r["main_mb"]
        print(f"| {what} | {eng} | {n} | {r['wall']:.1f} | {n / r['wall']:.2f} | {ratio:.2f} | "
              f"{'' if ratio2 is None else f'{ratio2:.2f}'} | {r['main_cpu']:.1f} | {r['worker_cpu']:.1f} | "
              f"{r['main_mb']:.0f} | {wmb:.0f} | {r['load']:.1f} | {same} |")
    if fixed:
        print("\n| a run's fixed cost (2 articles, --no-lm) | wall s | main CPU s | workers' CPU s | load avg |")
        print("|---|---:|---:|---:|---:|")
        for eng, r in fixed:
            print(f"| {eng} | {r['wall']:.1f} | {r['main_cpu']:.1f} | {r['worker_cpu']:.1f} | {r['load']:.1f} |")


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
        r = _check(folder, tmp / f"scale{n}.jsonl", ["--no-lm", *extra], {**os.environ, "PYTHONPATH": str(ROOT)})
        wall, main_mb = r["wall"], r["main_mb"]
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
    ap.add_argument("--articles", type=int, default=60, help="clean articles for the engines part, both modes")
    ap.add_argument("--lm-articles", type=int, default=None, help="with the model (default: --articles)")
    ap.add_argument("--rules-articles", type=int, default=None, help="rules only (default: --articles)")
    ap.add_argument("--engines", default="process1,process2,ray1,ray2,cluster2",
                    help=f"comma-separated, of {','.join(ENGINES)}; process1 first (the base of the ratios)")
    ap.add_argument("--no-overhead", action="store_true", help="skip each engine's fixed cost on 2 articles")
    ap.add_argument("--scales", default="100,1000,10000")
    ap.add_argument("--names", default="1000,3000,10000,30000")
    ap.add_argument("--skip-lm", action="store_true")
    ap.add_argument("--skip-ray", action="store_true")
    ap.add_argument("--parts", default="engines,scale,names")
    ap.add_argument("--ignore-cross-copy", action="store_true",
                    help="scale without MTQ6xx: the copies of each article otherwise form ever larger stories")
    args = ap.parse_args()
    parts = args.parts.split(",")
    engines = [e for e in args.engines.split(",") if not (args.skip_ray and e.startswith(("ray", "cluster")))]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        ap.error(f"unknown engines: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="mtqa-bench-") as tmp:
        if "engines" in parts:
            part_engines(Path(tmp), args.lm_articles or args.articles, args.rules_articles or args.articles,
                         engines, ["rules"] + ([] if args.skip_lm else ["model"]), not args.no_overhead)
        if "scale" in parts:
            part_scale(Path(tmp), [int(x) for x in args.scales.split(",")],
                       ["--ignore", "MTQ6"] if args.ignore_cross_copy else [])
        if "names" in parts:
            part_names([int(x) for x in args.names.split(",")])


if __name__ == "__main__":
    main()
