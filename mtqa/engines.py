"""Engines: where the pipeline runs. One process (``check_documents``), N worker processes on
this machine (``--jobs N``), or Ray actors on one or many machines (``--engine ray``).

Every engine runs the same per-unit work. A *unit* is the documents that must be checked
together: the copies of one story (the cross-copy rules compare them), or one document alone.
Stories are grouped first, cheaply and near linearly (``mtqa.stories.group``, MinHash LSH over
content words), in the main process; units are sent to the workers in chunks, and a chunk goes
through the ordinary pipeline in one pass (one call to the model for all of it), the cross-copy
rules seeing each story alone. A story's connected component is the same whether it is grouped
among all documents or among its own copies (its joins are pairs of its own copies), so the
findings are those of one process. (Grouping a union of stories is not the same: a pair turned
down against a third document's closer match could join there.)

Workers are spawned, never forked (torch's threads do not survive a fork); each warms up and
opens its own model (``open_model``, which decides when it loads) while the main process reads
and groups the inputs, and they share the score cache, SQLite in WAL mode with a busy timeout
(mtqa.scoring.cache). A bounded number of chunks is in flight (back-pressure: an archive is not
read ahead into memory, unless the cross-copy rules need every document to group the stories),
and the results are yielded in input order, whatever order the workers finish in.
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from typing import Callable, Iterable, Iterator

from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import InputError, MtqaError

# Documents per chunk sent to a worker: enough to keep the model's batches full and the
# inter-process traffic small, few enough that the workers share the load evenly.
CHUNK_DOCS = 8
IN_FLIGHT_PER_WORKER = 2
# Chunks sent whose results wait for an earlier, slower chunk before they can be written (in
# input order), at most, per worker: bounds what is held while one long chunk runs.
WAITING_PER_WORKER = 8

Batch = tuple[list[Document], list, list[InputError]]


def parallel(config: Config) -> bool:
    """Whether the run goes to worker processes or Ray (the main process then loads no model)."""
    return config.jobs > 1 or config.engine == "ray"


def check(inputs: Iterable[Document | InputError], config: Config, lm=None, scorer=None,
          skip: Callable[[Document], bool] | None = None) -> Iterator[Batch]:
    """(documents, findings, errors) in input order, as ``pipeline.check_documents`` yields them.

    ``skip(doc)`` true: the document was done by an earlier run (``--resume``): it is neither
    reported nor yielded, though it is still checked when it is a copy of a story that has a
    document not yet done (its story's other copies need it).
    """
    from mtqa.pipeline import check_documents

    if not parallel(config) and skip is None:
        yield from check_documents(inputs, config, lm, scorer)
        return
    if config.engine == "ray":
        executor = RayExecutor(config)
    elif config.jobs > 1:
        executor = ProcessExecutor(config)
    else:
        executor = InlineExecutor(config, lm, scorer)
    try:
        yield from _run(inputs, config, executor, skip)
    except BaseException as exc:
        # interrupted (Ctrl-C, SIGTERM), a failed write, or a reader that stopped early (the
        # generator closed): what is in flight is not wanted, so the workers are stopped rather
        # than waited for
        executor.close(abort=True)
        if _TERMINATED and not isinstance(exc, (SystemExit, GeneratorExit)):
            # whatever a blocking Ray call made of the SystemExit raised inside it
            raise SystemExit(128 + _TERMINATED[-1]) from None
        raise
    executor.close()


# ---- units ---------------------------------------------------------------------------------

def _needs_stories(config: Config) -> bool:
    from mtqa.pipeline import active_rules

    return any(r.scope == "run" for r in active_rules(config, config.use_lm))


def units(inputs: Iterable[Document | InputError], config: Config) -> Iterator[list[tuple[int, Document]] | tuple[int, InputError]]:
    """Units in input order (a story where its first copy stands), each document with its
    position in the input; read errors as (position, error) in their place."""
    if not _needs_stories(config):
        for n, item in enumerate(inputs):
            yield (n, item) if isinstance(item, InputError) else [(n, item)]
        return
    from mtqa.stories import group

    items = list(inputs)  # a story's last copy can come last: every document is read first
    at = [n for n, item in enumerate(items) if isinstance(item, Document)]
    docs = [items[n] for n in at]
    story_of: dict[int, list[int]] = {}
    for members in group(docs):
        for i in members:
            story_of[i] = members
    k = 0
    for n, item in enumerate(items):
        if isinstance(item, InputError):
            yield n, item
            continue
        members = story_of.get(k)
        if members is None:
            yield [(n, item)]
        elif members[0] == k:
            yield [(at[i], docs[i]) for i in members]
        k += 1


def _chunks(stream: Iterable[list], size: int, total: int | None = None, workers: int = 1) -> Iterator[list]:
    """Units packed into chunks of about ``size`` documents (never two documents of one path in
    a chunk, so findings go back to their document by path).

    When ``total``, the number of documents to come, is known (every document was read first to
    find the stories), the chunks shrink towards the end, to about what is left over twice the
    workers (guided self-scheduling): the workers then finish together, rather than one waiting
    on the other's last full chunk, which on a few dozen articles with the model is seconds.
    """
    chunk: list = []
    paths: set[str] = set()
    in_chunk = sent = 0

    def cap() -> int:
        if total is None:
            return size
        return max(1, min(size, -(-(total - sent) // (2 * workers))))

    for unit in stream:
        names = {d.path for _, d in unit}
        if chunk and (in_chunk + len(unit) > cap() or paths & names):
            yield chunk
            sent += in_chunk
            chunk, paths, in_chunk = [], set(), 0
        chunk.append(unit)
        paths |= names
        in_chunk += len(unit)
    if chunk:
        yield chunk


# ---- the work of one chunk, wherever it runs ---------------------------------------------

def check_chunk(chunk: list[list[Document]], config: Config, lm=None, scorer=None) -> list:
    """The units of ``chunk`` through the ordinary pipeline, in one pass (so the model gets the
    whole chunk's requests in one call, sorted into full batches), the cross-copy rules seeing
    each story alone: per document of the chunk (in order) its findings, or an (path, reason,
    internal) error; picklable."""
    from mtqa.pipeline import check_documents

    docs = [d for unit in chunk for d in unit]
    found: dict[str, list] = {}
    failed: dict[str, InputError] = {}
    # a document of no story has no cross-copy findings: grouping it again alone would find none
    stories = [unit for unit in chunk if len(unit) > 1]
    n = max(1, len(docs))
    for _docs, findings, errors in check_documents(docs, config, lm, scorer, batch_size=n, first_batch=n,
                                                   stories=stories):
        for f in findings:
            found.setdefault(f.path, []).append(f)
        for e in errors:
            failed[e.path] = e
    out: list = []
    for d in docs:
        e = failed.get(d.path)
        out.append(("error", e.path, e.reason, e.internal) if e else ("ok", found.get(d.path, [])))
    return out


class WorkerError(MtqaError):
    """An error that ended the run in a worker (a bad model, a bad setting), with its exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def __reduce__(self):
        return WorkerError, (str(self), self.exit_code)


class Worker:
    """One worker's state: its settings and its model, loaded on the first chunk that needs it."""

    def __init__(self, config: Config, lm=None, scorer=None):
        self.config = config
        self.lm, self.scorer = lm, scorer

    def open(self) -> None:
        """The model, once, where the run uses it."""
        if self.config.use_lm and self.lm is None:
            from mtqa.scoring.runtime import open_model

            try:
                self.lm, self.scorer = open_model(self.config)
            except MtqaError as exc:  # crosses the process boundary with its message and exit code
                raise WorkerError(str(exc), exc.exit_code) from None

    def run(self, chunk: list[list[Document]]) -> list:
        self.open()
        try:
            return check_chunk(chunk, self.config, self.lm, self.scorer)
        except MtqaError as exc:
            raise WorkerError(str(exc), exc.exit_code) from None


def _worker_config(config: Config, workers: int) -> Config:
    """Each worker's settings: the model's threads split between the workers (one each unless
    --threads says otherwise), and no nested parallelism."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    threads = config.threads or max(1, cores // workers)
    return dataclasses.replace(config, threads=threads, jobs=1, engine="process")


# ---- executors -----------------------------------------------------------------------------

class InlineExecutor:
    """The units in this process, one after another (--resume with one job)."""

    workers = 1

    def __init__(self, config: Config, lm=None, scorer=None):
        self.worker = Worker(config, lm, scorer)

    def submit(self, chunk):
        return chunk

    def first_done(self, handles) -> int:
        return 0  # nothing runs until asked: the oldest, in this process

    def result(self, handle):
        return self.worker.run(handle)

    def close(self, abort: bool = False):
        pass


_PROCESS_WORKER: Worker | None = None


def _process_init(config: Config) -> None:
    global _PROCESS_WORKER
    import signal

    # Ctrl-C reaches every process of the terminal's foreground group: the main process stops the
    # run and ends the workers, which would otherwise each print a KeyboardInterrupt traceback
    # ("Process SpawnProcess-1: ...") when it found them waiting for a chunk
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _PROCESS_WORKER = Worker(config)
    _exit_with_parent()


def _exit_with_parent() -> None:
    """A worker whose mtqa was killed (kill -9 leaves no time to stop it) exits within a second,
    rather than holding its model in memory as an orphan."""
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="mtqa-parent-watch").start()


# Words whose detectors load data on first use (confusion pairs and their inflections, word
# frequencies), so that a worker's warm-up loads it rather than its first document.
WARM_UP = ("Warm-up: the minister said on Monday that the effect of the new rules was less than expected, "
           "and that their officials would accept fewer changes.\n")


def _warm(worker: "Worker") -> None:
    """Imports, data files, and the model (where the run uses it, and when ``open_model`` loads
    it: it may defer the load), while the main process is still reading the inputs and grouping
    the stories."""
    check_chunk([[Document("warm-up.txt", WARM_UP)]], worker.config)
    worker.open()


def _process_warm() -> None:
    assert _PROCESS_WORKER is not None
    _warm(_PROCESS_WORKER)


def _process_run(chunk):
    assert _PROCESS_WORKER is not None
    return _PROCESS_WORKER.run(chunk)


class ProcessExecutor:
    """``--jobs N``: N spawned worker processes on this machine."""

    def __init__(self, config: Config):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = config.jobs
        _quiet_resource_tracker()
        self.pool = ProcessPoolExecutor(
            max_workers=config.jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_process_init, initargs=(_worker_config(config, config.jobs),))
        self.warm = [self.pool.submit(_process_warm) for _ in range(config.jobs)]

    def submit(self, chunk):
        return self.pool.submit(_process_run, chunk)

    def first_done(self, handles) -> int:
        """The place in ``handles`` of one that is done (waiting for the first to finish)."""
        from concurrent.futures import FIRST_COMPLETED, wait

        done = wait(handles, return_when=FIRST_COMPLETED).done
        return next(i for i, h in enumerate(handles) if h in done)

    def result(self, handle):
        return handle.result()

    def close(self, abort: bool = False):
        if abort:  # a chunk with the model takes seconds: end the workers rather than wait for it
            terminate = getattr(self.pool, "terminate_workers", None)  # Python 3.14
            if terminate is not None:
                terminate()
                return
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _quiet_resource_tracker() -> None:
    """multiprocessing's resource tracker (a process of its own, started with the pool) removes
    the pool's semaphores after a run killed with ``kill -9``, and then warns on the run's stderr
    about "leaked semaphore objects" in a Python traceback-like line; the removal is what matters
    and the warning is noise to whoever killed the run. The tracker gets the interpreter's -W
    options, so this filter, set before it starts, reaches it (and the workers)."""
    import sys

    option = "ignore:resource_tracker:UserWarning"
    if option not in sys.warnoptions:
        sys.warnoptions.append(option)


class RayExecutor:
    """``--engine ray``: one actor per worker (each loads its model once), on the Ray cluster at
    ``--address`` or on a local one started for the run with ``--jobs`` CPUs."""

    def __init__(self, config: Config):
        try:
            import ray
        except ImportError:
            raise MtqaError("--engine ray needs Ray: pip install 'mtqa[ray]'") from None
        self.ray = ray
        self.started = False
        self.handlers = _signal_handlers()
        if not ray.is_initialized():
            import logging

            quiet = {"log_to_driver": False, "logging_level": logging.ERROR}  # mtqa's stderr is for findings' errors
            if config.ray_address:
                try:
                    ray.init(address=config.ray_address, **quiet)
                except (ConnectionError, RuntimeError) as exc:
                    raise MtqaError(
                        f"cannot join the Ray cluster at {config.ray_address}: {str(exc).splitlines()[0]} (is it "
                        "started, with `ray start --head`? A cluster with token authentication, Ray's default, "
                        "also needs RAY_AUTH_MODE=token here and its token in ~/.ray/auth_token)") from None
            else:
                # "local": a Ray of its own even where `ray start` left a cluster for ray.init()
                # to find (with num_cpus, ray.init() would fail to join it)
                ray.init(address="local", num_cpus=max(1, config.jobs), include_dashboard=False, **quiet)
            self.started = True
            _exit_on_sigterm()
        self.workers = max(1, config.jobs)
        actor = ray.remote(num_cpus=1)(_RayWorker)
        worker_config = _worker_config(_absolute_paths(config), self.workers)
        self.actors = [actor.remote(worker_config, os.getcwd()) for _ in range(self.workers)]
        # imports, word frequencies and patterns while this process reads and groups the inputs
        self.warming = [a.warm.remote() for a in self.actors]
        self.queued: dict[int, list] = {i: [r] for i, r in enumerate(self.warming)}
        self.expected = _install_signature(worker_config)

    def submit(self, chunk):
        # to the actor with the least work queued, so that one slow chunk does not hold up the
        # chunks behind it while another actor is idle (round robin would)
        refs = [r for q in self.queued.values() for r in q]
        done, _ = self.ray.wait(refs, num_returns=len(refs), timeout=0, fetch_local=False)
        done = set(done)
        for q in self.queued.values():
            q[:] = [r for r in q if r not in done]
        i = min(self.queued, key=lambda k: len(self.queued[k]))
        ref = self.actors[i].run.remote(chunk)
        self.queued[i].append(ref)
        return ref

    def first_done(self, handles) -> int:
        done, _ = self.ray.wait(list(handles), num_returns=1, fetch_local=False)
        self._stop_if_terminated()
        return handles.index(done[0])

    @staticmethod
    def _stop_if_terminated() -> None:
        # a SIGTERM during a blocking Ray call: end the run even where Ray took the exception
        if _TERMINATED:
            raise SystemExit(128 + _TERMINATED[-1])

    def result(self, handle):
        try:
            if self.warming:  # checked once the inputs are read, so the actors warm meanwhile
                for host, signature in self.ray.get(self.warming):
                    if signature != self.expected:
                        differ = ", ".join(f"{k} {signature.get(k)!r:.60} there, {self.expected.get(k)!r:.60} here"
                                           for k in sorted(set(signature) | set(self.expected))
                                           if signature.get(k) != self.expected.get(k))
                        raise WorkerError(
                            f"the Ray worker on {host} runs another mtqa ({differ}): install the same mtqa, "
                            "with the same corpora and settings files, on every machine of the cluster", 2)
                self.warming = []
            got = self.ray.get(handle)
            self._stop_if_terminated()
            return got
        except self.ray.exceptions.RayTaskError as exc:
            cause = exc.as_instanceof_cause()
            if isinstance(cause, WorkerError):
                raise WorkerError(str(cause).splitlines()[-1], cause.exit_code) from None
            raise

    def close(self, abort: bool = False):
        for a in self.actors:
            self.ray.kill(a)
        if self.started:
            self.ray.shutdown()
            # Ray leaves its own SIGTERM handler behind, which would keep atomic writes from
            # cleaning up on a later SIGTERM in this process
            _restore_signal_handlers(self.handlers)


def _signal_handlers() -> dict:
    import signal

    return {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}


_TERMINATED: list[int] = []  # the SIGTERM that _exit_on_sigterm's handler took, if one came


def _exit_on_sigterm() -> None:
    """SIGTERM ends the run as it ends one without Ray (exit 143, workers stopped, the atomic
    write cleaned up): ray.init() sets a handler that exits with status 15, and its core installs
    a C-level one that prints a stack dump on stderr first."""
    import signal
    import threading

    def handler(signum, frame):
        _TERMINATED.append(signum)
        raise SystemExit(128 + signum)

    _TERMINATED.clear()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)


def _restore_signal_handlers(handlers: dict) -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)


class _RayWorker(Worker):
    def __init__(self, config: Config, cwd: str):
        # a local cluster's workers start elsewhere; relative input paths and settings name
        # files relative to where mtqa was started
        if os.path.isdir(cwd):
            os.chdir(cwd)
        super().__init__(config)

    def warm(self) -> tuple[str, dict[str, str]]:
        """Warms up, and says where it runs and which mtqa it is (a cluster's machines each have
        their own install, which must be the driver's for the findings to be one process's)."""
        import socket

        _warm(self)
        return socket.gethostname(), _install_signature(self.config)


def _install_signature(config: Config) -> dict[str, str]:
    from mtqa.evaluation.signature import build_signature

    return build_signature(config)


def _absolute_paths(config: Config) -> Config:
    changes = {k: os.path.abspath(getattr(config, k)) for k in
               ("house_style", "accept_file", "baseline", "cache_dir", "model_dir") if getattr(config, k)}
    return dataclasses.replace(config, **changes)


# ---- the loop: bounded in flight, results in input order ---------------------------------

def _run(inputs, config: Config, executor, skip) -> Iterator[Batch]:
    pending: deque = deque()  # (handle, units sent) not yet collected, in the order sent
    waiting: deque = deque()  # the last input position of each chunk collected or in flight, in order
    ready: dict[int, tuple] = {}  # input position -> ("doc", doc, findings) | ("error", err) | ("skip",)
    next_at = 0

    def release() -> Iterator[Batch]:
        """What is done, in input order (a story's copies may stand apart in the input)."""
        nonlocal next_at
        docs, findings, failed = [], [], []
        while next_at in ready:
            r = ready.pop(next_at)
            next_at += 1
            if r[0] == "doc":
                docs.append(r[1])
                findings.extend(r[2])
            elif r[0] == "error":
                failed.append(r[1])
        if docs or failed:
            yield docs, findings, failed

    def collect() -> None:
        """The results of a chunk that is done: whichever finished first, not the oldest, so that a
        worker is not left idle while one long chunk holds up those behind it (their results wait
        in ``ready`` until the output reaches them)."""
        i = executor.first_done([h for h, _ in pending])
        handle, sent = pending[i]
        del pending[i]
        results = iter(executor.result(handle))
        for unit in sent:
            for n, d in unit:
                r = next(results)
                if skip is not None and skip(d):
                    ready[n] = ("skip",)  # checked only as a copy of a story not yet done
                elif r[0] == "error":
                    err = InputError(r[1], r[2])
                    err.internal = r[3]
                    ready[n] = ("error", err)
                else:
                    ready[n] = ("doc", d, r[1])

    def to_check(stream) -> Iterator[list]:
        """The units that need a worker; read errors and units done before go straight to ready."""
        for unit in stream:
            if isinstance(unit, tuple):
                ready[unit[0]] = ("error", unit[1])
            elif skip is not None and all(skip(d) for _, d in unit):
                for n, _ in unit:
                    ready[n] = ("skip",)
            else:
                yield unit

    stream = to_check(units(inputs, config))
    total = None
    if _needs_stories(config):  # every document was read to find the stories: how many are left is known
        stream = list(stream)
        total = sum(map(len, stream))
    limit = max(1, executor.workers * IN_FLIGHT_PER_WORKER)
    window = max(limit, executor.workers * WAITING_PER_WORKER)
    for chunk in _chunks(stream, CHUNK_DOCS, total, executor.workers):
        pending.append((executor.submit([[d for _, d in u] for u in chunk]), chunk))
        waiting.append(max(n for u in chunk for n, _ in u))
        while pending and (len(pending) > limit or len(waiting) > window):
            collect()
            yield from release()
            while waiting and waiting[0] < next_at:
                waiting.popleft()
        yield from release()  # read errors and skipped documents ahead of what is in flight
        while waiting and waiting[0] < next_at:
            waiting.popleft()
    while pending:
        collect()
        yield from release()
    yield from release()
