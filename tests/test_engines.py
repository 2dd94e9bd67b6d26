"""Engines (mtqa.engines) and --resume (mtqa.resume): worker processes, Ray actors and a resumed
run must write exactly what one uninterrupted process writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.config import Config
from mtqa.document import Document
from mtqa.engines import units

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(str(p) for p in (ROOT / "corpora" / "samples").iterdir())


def _interleaved(seeds: Path) -> list[str]:
    """The seeds (five copies of one story) with the samples and a missing file between them, so
    a story's copies stand apart in the input and its output order has to be restored."""
    seeds_files = sorted(str(p) for p in seeds.iterdir())
    out = []
    for i, s in enumerate(seeds_files):
        out.append(s)
        if i < len(SAMPLES):
            out.append(SAMPLES[i])
        if i == 2:
            out.append(str(ROOT / "no-such-file.txt"))
    return out


def _check(args: list[str], tmp_path: Path, name: str) -> tuple[int, str, str]:
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["check", *args, "--format", "jsonl", "-o", str(out)])
    return result.exit_code, out.read_text(encoding="utf-8") if out.exists() else "", result.output


def test_units_keep_a_story_together_in_input_order(seeds_dir):
    from mtqa.readers import read_all

    paths = _interleaved(seeds_dir)
    got = list(units(read_all(paths, 10**7), Config(use_lm=False)))
    story = [u for u in got if isinstance(u, list) and len(u) > 1]
    assert len(story) == 1 and len(story[0]) == 5
    assert [n for n, _ in story[0]] == [0, 2, 4, 7, 9]  # the seeds' places, the missing file at 6
    assert [u[0] for u in got if isinstance(u, tuple)] == [6]
    # without a cross-copy rule nothing needs grouping: one document a unit
    alone = list(units(read_all(paths, 10**7), Config(use_lm=False, select=("MTQ2",))))
    assert all(isinstance(u, tuple) or len(u) == 1 for u in alone)


def test_jobs_2_writes_what_one_process_writes(seeds_dir, tmp_path):
    args = [*_interleaved(seeds_dir), "--no-lm"]
    code1, one, _ = _check(args, tmp_path, "one.jsonl")
    code2, two, err = _check([*args, "--jobs", "2"], tmp_path, "two.jsonl")
    assert (code1, code2) == (2, 2)  # the missing file, reported by both
    assert "no-such-file.txt" in err
    assert one == two
    codes = [json.loads(line)["code"] for line in one.splitlines()]
    assert any(c.startswith("MTQ6") for c in codes)  # the cross-copy rules saw the whole story


def test_jobs_2_with_the_model_writes_what_one_process_writes(lm, seeds_dir, tmp_path):
    # the lm fixture fetches the bundled model where the subprocesses look for it
    seeds = sorted(str(p) for p in seeds_dir.iterdir())
    args = [seeds[0], SAMPLES[0], seeds[1]]
    code1, one, _ = _check(args, tmp_path, "one.jsonl")
    code2, two, _ = _check([*args, "--jobs", "2"], tmp_path, "two.jsonl")
    assert code1 == code2 and code1 in (0, 1)
    assert one == two and one
    assert all(json.loads(line)["score"] is not None for line in one.splitlines())


def _archive(folder: Path, n: int) -> Path:
    """``n`` distinct documents (the samples, each with its number), enough to take seconds."""
    folder.mkdir()
    texts = [Path(p).read_text(encoding="utf-8") for p in SAMPLES]
    for i in range(n):
        (folder / f"{i:04d}.txt").write_text(f"Item {i}.\n\n" + texts[i % len(texts)], encoding="utf-8")
    return folder


def _mtqa(*args: str) -> list[str]:
    return [sys.executable, "-c", "from mtqa.cli import main; main()", *args]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_resume_after_kill_9_loses_nothing_and_repeats_nothing(tmp_path, jobs):
    # the copies of a sample are one story, checked and logged as one unit; without the
    # cross-copy rules each document is its own unit, so the kill can fall between any two
    n = 150
    archive = _archive(tmp_path / "archive", n)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = ["--no-lm", "--ignore", "MTQ6"]
    flags = [*base, "--format", "jsonl", "--jobs", jobs]
    # the uninterrupted run of one process, in this process: what every run must write
    code, expected, _ = _check([str(archive), *base], tmp_path, "whole.jsonl")
    assert code == 1 and expected.count("\n") > n

    out = tmp_path / "resumed.jsonl"
    log = Path(str(out) + ".mtqa-resume")
    cmd = _mtqa("check", str(archive), *flags, "-o", str(out), "--resume")
    _kill_part_way(cmd, log, n, signal.SIGKILL, env)
    done = log.read_text(encoding="utf-8").count("\n") - 1
    assert n // 3 <= done < n
    assert expected.startswith(out.read_text(encoding="utf-8")[:1000])

    # the resumed runs in this process too: only the kill needs a process of its own
    resume = [str(archive), *base, "--jobs", jobs, "--resume"]
    code, again, err = _check(resume, tmp_path, "resumed.jsonl")
    assert code == 1, err
    assert "already done are skipped" in err
    assert again == expected  # byte for byte: no loss, no duplicate
    # a third run has nothing left to do and changes nothing, and its summary says why it fails
    code, third, err = _check([*resume, "--summary"], tmp_path, "resumed.jsonl")
    assert code == 1 and third == expected
    assert "0 findings in 0 files, " in err and f"; and {n} document(s) done by earlier runs" in err


def _kill_part_way(cmd: list[str], log: Path, n: int, sig: int, env: dict) -> tuple[int, str]:
    """Runs ``cmd``, sends ``sig`` once a third of the ``n`` documents are logged; its exit status
    and everything written on its stderr, by it or by any process it left behind (read to the
    end, so a helper process that writes after the run is gone is heard too)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and log.read_text(encoding="utf-8").count("\n") > n // 3:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be killed part-way"
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


@pytest.mark.parametrize("engine", ["process", "ray"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_a_killed_parallel_run_says_nothing_and_resumes(tmp_path, engine, sig):
    """SIGTERM ends a --resume run as on an atomic -o: exit 143, nothing on stderr (it was -15
    with --jobs and 15 with Ray, whose core printed a stack dump); kill -9 leaves nothing on
    stderr either (multiprocessing's resource tracker warned of leaked semaphores); and the
    resumed run writes what one uninterrupted process writes."""
    if engine == "ray":
        pytest.importorskip("ray", reason="Ray is an optional extra (pip install 'mtqa[ray]')")
    n = 150
    archive = _archive(tmp_path / "archive", n)
    base = ["--no-lm", "--ignore", "MTQ6"]
    code, expected, _ = _check([str(archive), *base], tmp_path, "whole.jsonl")
    assert code == 1
    out = tmp_path / "resumed.jsonl"
    flags = [*base, "--format", "jsonl", "--jobs", "2", "--engine", engine, "-o", str(out), "--resume"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MTQA_THREADS": "1"}
    code, err = _kill_part_way(_mtqa("check", str(archive), *flags), Path(str(out) + ".mtqa-resume"), n, sig, env)
    assert code == (143 if sig == signal.SIGTERM else -signal.SIGKILL), err
    assert err == ""
    done = subprocess.run(_mtqa("check", str(archive), *flags), env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1, done.stderr
    assert out.read_text(encoding="utf-8") == expected


def test_resume_truncates_an_uncommitted_tail(tmp_path):
    args = [*SAMPLES, "--no-lm", "--resume"]
    code, first, _ = _check(args, tmp_path, "out.jsonl")
    out = tmp_path / "out.jsonl"
    log = Path(str(out) + ".mtqa-resume")
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    # a kill after the last batch's findings were written but before its log line was complete
    log.write_text("".join(lines[:-1]) + lines[-1][:20], encoding="utf-8")
    code2, again, _ = _check(args, tmp_path, "out.jsonl")
    assert (code2, again) == (code, first)


def test_resume_refuses_other_settings_and_unlogged_files(tmp_path):
    code, _, _ = _check([SAMPLES[0], "--no-lm", "--resume"], tmp_path, "out.jsonl")
    code2, _, err = _check([SAMPLES[0], "--no-lm", "--resume", "--select", "MTQ2"], tmp_path, "out.jsonl")
    assert code2 == 2 and "other settings" in err
    # settings that change the findings without changing the selection are refused too
    reference = [SAMPLES[0], "--no-lm", "--resume", "--reference", SAMPLES[1]]
    code4, _, err = _check(reference, tmp_path, "out.jsonl")
    assert code4 == 2 and "other settings (reference: [] in the log" in err
    # how the run goes is no setting of what it finds: another engine resumes it
    code6, _, err6 = _check([SAMPLES[0], "--no-lm", "--resume", "--jobs", "2"], tmp_path, "out.jsonl")
    assert code6 == code and "already done are skipped" in err6
    stray = tmp_path / "stray.jsonl"
    stray.write_text("{}\n", encoding="utf-8")
    code3, _, err = _check([SAMPLES[0], "--no-lm", "--resume"], tmp_path, "stray.jsonl")
    assert code3 == 2 and "without" in err and stray.read_text(encoding="utf-8") == "{}\n"
    result = CliRunner().invoke(cli, ["check", SAMPLES[0], "--no-lm", "--resume"])
    assert result.exit_code == 2 and "--resume needs -o FILE" in result.output


def test_ray_engine_writes_what_one_process_writes(seeds_dir, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is an optional extra (pip install 'mtqa[ray]')")
    args = [*_interleaved(seeds_dir), "--no-lm"]
    _, one, _ = _check(args, tmp_path, "one.jsonl")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})
    try:
        code, two, err = _check([*args, "--engine", "ray", "--jobs", "2"], tmp_path, "ray.jsonl")
    finally:
        ray.shutdown()
        for sig, handler in handlers.items():  # Ray leaves its own handlers behind
            signal.signal(sig, handler)
    assert code == 2, err
    assert one == two


def test_jobs_and_engine_are_settings(tmp_path, monkeypatch):
    from mtqa.config import build_config
    from mtqa.errors import ConfigError

    (tmp_path / "mtqa.toml").write_text('jobs = 2\nengine = "ray"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = build_config(jobs=None, engine=None)
    assert (config.jobs, config.engine) == (2, "ray")
    assert build_config(jobs=1, engine="process").jobs == 1  # the command line wins
    with pytest.raises(ConfigError, match="engine must be one of"):
        Config(engine="spark")
    with pytest.raises(ConfigError, match="jobs must be at least 1"):
        Config(jobs=0)


def test_chunks_shrink_towards_the_end_when_the_total_is_known():
    from mtqa.engines import _chunks

    docs = [[(n, Document(f"{n}.txt", "x"))] for n in range(60)]
    sizes = [sum(map(len, c)) for c in _chunks(iter(docs), 8, total=60, workers=2)]
    assert sum(sizes) == 60
    assert sizes[0] == 8 and sizes[-3:] == [1, 1, 1]  # the last chunks are single documents
    assert sizes == sorted(sizes, reverse=True)
    # unknown total (streaming, no cross-copy rule): every chunk full
    assert [sum(map(len, c)) for c in _chunks(iter(docs), 8)] == [8] * 7 + [4]
    # a story is never split, even when bigger than the chunk
    story = [[(n, Document(f"s{n}.txt", "x")) for n in range(60, 72)]]
    assert [sum(map(len, c)) for c in _chunks(iter(docs[:4] + story), 8, total=16, workers=2)] == [4, 12]


def test_a_chunk_is_one_pass_with_each_story_alone(seeds_dir):
    """check_chunk (a chunk's units in one call, for the model's batches) finds what the units
    checked one by one find, cross-copy findings included."""
    from mtqa.engines import check_chunk
    from mtqa.pipeline import check_documents
    from mtqa.readers import read_all

    config = Config(use_lm=False)
    got = [u for u in units(read_all(_interleaved(seeds_dir), 10**7), config) if isinstance(u, list)]
    chunk = [[d for _, d in u] for u in got]
    assert any(len(u) > 1 for u in chunk) and any(len(u) == 1 for u in chunk)
    one_by_one = []
    for unit in chunk:
        found = [f for _, fs, _ in check_documents(unit, config) for f in fs]
        one_by_one.extend([f for f in found if f.path == d.path] for d in unit)
    together = check_chunk(chunk, config)
    assert [r[1] for r in together] == one_by_one
    assert any(f.code.startswith("MTQ6") for fs in one_by_one for f in fs)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ray_cluster_started_beforehand(seeds_dir, tmp_path):
    """A desk's way: `ray start --head` once, then every run with --address. A run without
    --address on that machine still starts a Ray of its own (ray.init() would find the cluster
    and refuse the CPU count), and an address nobody serves is a clear error."""
    pytest.importorskip("ray", reason="Ray is an optional extra (pip install 'mtqa[ray]')")
    import shutil
    import tempfile

    # Ray's socket paths must stay short; RAY_TMPDIR keeps this cluster out of other Ray users' sight
    ray_tmp = Path(tempfile.mkdtemp(prefix="r", dir="/tmp"))
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_TMPDIR": str(ray_tmp), "RAY_AUTH_MODE": "token",
           "MTQA_THREADS": "1"}
    ray_cli = str(Path(sys.executable).with_name("ray"))
    head = subprocess.Popen([ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2", "--block",
                             "--include-dashboard=false", "--disable-usage-stats"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while not (ray_tmp / "ray" / "ray_current_cluster").exists():
            assert head.poll() is None and time.monotonic() < deadline, "ray start --head did not come up"
            time.sleep(0.5)
        args = [*_interleaved(seeds_dir), "--no-lm", "--format", "jsonl"]

        def run(*extra: str) -> tuple[int, str, str]:
            out = tmp_path / f"out{len(list(tmp_path.iterdir()))}.jsonl"
            done = subprocess.run(_mtqa("check", *args, "-o", str(out), *extra), env=env, capture_output=True,
                                  text=True, timeout=300)
            return done.returncode, out.read_text(encoding="utf-8") if out.exists() else "", done.stderr

        code1, one, _ = run()
        code2, cluster, err2 = run("--engine", "ray", "--jobs", "2", "--address", f"127.0.0.1:{port}")
        code3, local, err3 = run("--engine", "ray", "--jobs", "2")
        assert (code1, code2, code3) == (2, 2, 2), err2 + err3  # the missing file, and nothing else
        assert "internal error" not in err2 + err3
        assert one == cluster == local and one
    finally:
        head.terminate()  # `ray start --block` stops the processes it started
        head.wait(timeout=120)
        shutil.rmtree(ray_tmp, ignore_errors=True)


def test_ray_is_imported_only_when_asked_for():
    code = ("import sys; from click.testing import CliRunner; from mtqa.cli import cli; "
            f"r = CliRunner().invoke(cli, ['check', {SAMPLES[0]!r}, '--no-lm', '--jobs', '2']); "
            "print(r.exit_code, sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)
    code_, imported = done.stdout.split(" ", 1)
    assert code_ in ("0", "1"), done.stderr
    assert imported.strip() == "[]"


def test_ray_worker_with_another_mtqa_is_refused(tmp_path, monkeypatch):
    """A cluster machine with another mtqa install (here: a copy of this tree with another
    version) would find other things; the run stops with an error naming what differs."""
    ray = pytest.importorskip("ray", reason="Ray is an optional extra (pip install 'mtqa[ray]')")
    import shutil

    other = tmp_path / "other"
    for name in ("mtqa", "corpora", "models"):
        shutil.copytree(ROOT / name, other / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.py", other / "setup.py")
    init = other / "mtqa" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8").replace('__version__ = "', '__version__ = "9.9.9-other-'),
                    encoding="utf-8")
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.chdir(tmp_path)  # Ray puts the driver's working folder on its workers' path too
    ray.init(address="local", num_cpus=1, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(other)}})
    try:
        code, out, err = _check([SAMPLES[0], "--no-lm", "--engine", "ray"], tmp_path, "out.jsonl")
    finally:
        ray.shutdown()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert code == 2, err
    assert "runs another mtqa" in err and "9.9.9-other-" in err
    assert out == ""


def test_an_interrupted_run_stops_its_workers_rather_than_waiting(tmp_path):
    """Ctrl-C, SIGTERM or a failed write ends a --jobs run at once: the chunks in flight (with the
    model, seconds each) are not waited for; the workers are ended."""
    import concurrent.futures

    from mtqa.engines import ProcessExecutor

    text = Path(SAMPLES[0]).read_text(encoding="utf-8")
    # one chunk that keeps a worker busy for far longer than the test allows for stopping it
    chunk = [[Document(f"{i}.txt", f"Item {i}.\n\n{text}")] for i in range(3000)]
    executor = ProcessExecutor(Config(use_lm=False, jobs=2, ignore=("MTQ6",)))
    workers = list(executor.pool._processes.values())
    handle = executor.submit(chunk)
    concurrent.futures.wait(executor.warm, timeout=120)
    time.sleep(1)  # the chunk is being checked
    assert not handle.done()
    started = time.monotonic()
    executor.close(abort=True)
    assert time.monotonic() - started < 15
    assert all(not w.is_alive() for w in workers)


def test_a_long_chunk_does_not_hold_up_the_chunks_behind_it():
    """The results are taken from whichever chunk is done first, not always the oldest: a worker
    that finished the chunks behind a long one gets more work while the long one runs (it sat
    idle before), and the output stays in input order."""
    from mtqa.engines import ProcessExecutor, _run

    text = Path(SAMPLES[0]).read_text(encoding="utf-8")
    long = Document("0000.txt", "\n\n".join(f"Part {i}. {text}" for i in range(300)))  # seconds of work
    short = [Document(f"{i:04d}.txt", f"Item {i}.\n\n{text}") for i in range(1, 64)]
    config = Config(use_lm=False, jobs=2, ignore=("MTQ6",))
    executor = ProcessExecutor(config)
    sent, taken = [], []
    submit, result = executor.submit, executor.result  # the real ones, observed

    def observed_submit(chunk):
        sent.append(submit(chunk))
        return sent[-1]

    def observed_result(handle):
        taken.append(handle)
        return result(handle)

    executor.submit, executor.result = observed_submit, observed_result
    try:
        out = list(_run([long, *short], config, executor, None))
    finally:
        executor.close()
    assert [d.path for docs, _, _ in out for d in docs] == [d.path for d in [long, *short]]
    assert len(taken) == len(sent) == 8
    assert taken[0] is not sent[0]  # a chunk behind the long one was taken first
    assert taken.index(sent[0]) >= 3


def test_ctrl_c_in_a_terminal_is_one_line(tmp_path):
    """Ctrl-C signals the terminal's whole foreground group, the workers too: the run says
    'mtqa: interrupted' and exits 130, and no worker prints a KeyboardInterrupt traceback (one
    waiting for a chunk did: 'Process SpawnProcess-1: Traceback ...')."""
    psutil = pytest.importorskip("psutil", reason="psutil (a test extra) finds the workers")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MTQA_THREADS": "1"}
    # reading stdin holds the run before its first chunk, with its workers warmed up and waiting
    proc = subprocess.Popen(_mtqa("check", "-", "--no-lm", "--jobs", "2", "--format", "jsonl"), env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    main = psutil.Process(proc.pid)
    deadline = time.monotonic() + 300
    last, workers, cpu = -1.0, [], -1.0
    while True:
        assert proc.poll() is None and time.monotonic() < deadline, f"the workers never settled: {workers}, {cpu}"
        workers = [p for p in main.children() if "spawn_main" in " ".join(p.cmdline())]
        cpu = sum(sum(p.cpu_times()[:2]) for p in workers) if len(workers) == 2 else -1.0
        if cpu > 0.2 and cpu - last < 0.1:  # both started, warmed up, and idle for two seconds
            break
        last = cpu
        time.sleep(2)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (130, "\nmtqa: interrupted\n")
