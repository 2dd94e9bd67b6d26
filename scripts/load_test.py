"""Load test for `mtqa serve`: N concurrent clients posting real articles over loopback.

Starts its own `mtqa serve` on a free 127.0.0.1 port (never anything else), then runs
``--clients`` concurrent clients that post ``--requests`` articles in all (clean_news_en and the
seeds, round robin, each with a unique request id), stopping early at ``--max-seconds``.
It reports throughput, p50/p95/p99 latency, whether any request was lost, answered twice or
answered with another request's id, and the server's resident memory (RSS) sampled as the
requests go, so growth over 10,000 requests shows. ``--compare K`` also times K items checked
the old way, one `mtqa check` process per item.

    python scripts/load_test.py --no-lm --clients 16 --requests 10000 --compare 10
    python scripts/load_test.py --clients 4 --articles 25 --warm --requests 1000 --compare 3   # the model
    python scripts/load_test.py --clients 8 --articles 8 --unit paragraph --requests 100 -- --max-batch 1

Extra arguments after ``--`` go to `mtqa serve` (e.g. ``-- --max-batch 8``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtqa.evaluation.benchmarks import read_clean_news  # noqa: E402
from tests.server_helpers import ServeProcess  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"


def paragraphs(texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each article's paragraphs of five words or more, as an editor plugin sends them."""
    return [(f"{name}#p{i}", p.strip()) for name, text in texts
            for i, p in enumerate(text.split("\n\n"), 1) if len(p.split()) >= 5]


def articles(limit: int | None) -> list[tuple[str, str]]:
    """(name, text): the seeds first, then clean news, ``limit`` in all. An item with no text
    (clean_news_en has one) is left out: the server rightly answers it 400, as check exits 2."""
    out = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    out += [(d.path, d.text) for d in read_clean_news() if d.text.strip()]
    return out[:limit] if limit else out


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def load(url: str, texts: list[tuple[str, str]], clients: int, total: int, max_seconds: float,
               pid: int, rss_every: int) -> dict:
    proc = psutil.Process(pid)
    next_id = 0
    sent: list[int] = []
    answers: Counter = Counter()
    responded: set[int] = set()
    wrong_id: list[tuple[int, object]] = []
    statuses: Counter = Counter()
    latencies: list[float] = []
    words = 0
    rss: list[tuple[int, float, int]] = [(0, 0.0, proc.memory_info().rss)]
    started = time.perf_counter()
    deadline = started + max_seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal next_id, words
        while next_id < total and time.perf_counter() < deadline:
            rid = next_id
            next_id += 1
            name, text = texts[rid % len(texts)]
            sent.append(rid)
            t0 = time.perf_counter()
            try:
                r = await http.post(url + "/v1/check", json={"text": text, "id": rid, "path": name})
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                continue
            latencies.append(time.perf_counter() - t0)
            responded.add(rid)
            statuses[r.status_code] += 1
            if r.status_code == 200:
                got = r.json().get("id")
                answers[got] += 1
                if got != rid:
                    wrong_id.append((rid, got))
                words += len(text.split())
            done = sum(statuses.values())
            if done % rss_every == 0:
                rss.append((done, round(time.perf_counter() - started, 1), proc.memory_info().rss))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        await asyncio.gather(*[client(http) for _ in range(clients)])
    elapsed = time.perf_counter() - started
    rss.append((sum(statuses.values()), round(elapsed, 1), proc.memory_info().rss))
    lat = sorted(latencies)
    ok = statuses.get(200, 0)
    return {
        "requests_sent": len(sent), "answered_200": ok, "statuses": {str(k): v for k, v in statuses.items()},
        "lost": len(set(sent) - responded), "not_200": len(sent) - ok, "answered_twice": sum(1 for v in answers.values() if v > 1),
        "wrong_id": len(wrong_id), "seconds": round(elapsed, 2), "requests_per_s": round(ok / elapsed, 2),
        "words_per_s": round(words / elapsed, 1),
        "latency_ms": {"p50": round(1000 * percentile(lat, 50), 1), "p95": round(1000 * percentile(lat, 95), 1),
                       "p99": round(1000 * percentile(lat, 99), 1), "max": round(1000 * lat[-1], 1) if lat else None},
        "rss_mb": [(n, s, round(b / 2**20, 1)) for n, s, b in rss],
    }


def compare_processes(texts: list[tuple[str, str]], k: int, serve_args: list[str]) -> dict:
    """Wall time of one `mtqa check` process per item, as a CMS hook without the server runs it."""
    flags = [a for a in serve_args if a == "--no-lm"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in texts[:k]:
            path = Path(tmp) / (Path(name).stem + ".txt")
            path.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-c", "from mtqa.cli import main; main()", "check", str(path),
                                "--format", "jsonl", *flags], cwd=ROOT, capture_output=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
            times.append(time.perf_counter() - t0)
            if r.returncode not in (0, 1):
                raise SystemExit(f"mtqa check failed on {name}: {r.stderr.decode()[-500:]}")
    return {"items": len(times), "mean_s": round(statistics.mean(times), 2), "median_s": round(statistics.median(times), 2),
            "max_s": round(max(times), 2), "items_per_s": round(len(times) / sum(times), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-lm", action="store_true", help="serve (and compare) without the model")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--max-seconds", type=float, default=1200)
    ap.add_argument("--articles", type=int, default=None, help="use only the first N articles (seeds first)")
    ap.add_argument("--unit", choices=["article", "paragraph"], default="article",
                    help="post whole articles (a CMS hook) or their paragraphs (an editor plugin)")
    ap.add_argument("--warm", action="store_true", help="post every article once before measuring")
    ap.add_argument("--compare", type=int, default=0, help="also time K items as one `mtqa check` process each")
    ap.add_argument("--rss-every", type=int, default=1000, help="sample the server's RSS every N answers")
    ap.add_argument("-o", "--output", help="write the results here as JSON")
    ap.add_argument("serve_args", nargs="*", help="after --: more `mtqa serve` options")
    args = ap.parse_args()
    if args.requests > 100_000 or args.clients > 256 or args.max_seconds > 3600:
        raise SystemExit("bounded: at most 100,000 requests, 256 clients and an hour")
    texts = articles(args.articles)
    if args.unit == "paragraph":
        texts = paragraphs(texts)
    serve_args = (["--no-lm"] if args.no_lm else []) + ["--queue-size", str(max(64, args.clients))] + args.serve_args
    results: dict = {"command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), "serve_args": serve_args,
                     "texts": len(texts), "unit": args.unit, "clients": args.clients, "cpus": os.cpu_count(),
                     "mtqa_threads": os.environ.get("MTQA_THREADS")}
    with ServeProcess(*serve_args, startup_s=600) as srv:
        if args.warm:
            t0 = time.perf_counter()
            results["warmup"] = asyncio.run(load(srv.url, texts, args.clients, len(texts), args.max_seconds,
                                                 srv.proc.pid, 10**9))
            results["warmup"]["seconds_total"] = round(time.perf_counter() - t0, 1)
        results["load"] = asyncio.run(load(srv.url, texts, args.clients, args.requests, args.max_seconds,
                                           srv.proc.pid, args.rss_every))
        results["server_stats"] = httpx.get(srv.url + "/health").json()["stats"]
    if args.compare:
        results["one_process_per_item"] = compare_processes(texts, args.compare, serve_args)
    text = json.dumps(results, indent=1)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
