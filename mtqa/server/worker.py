"""CheckWorker: one thread that owns the model and drains a bounded queue of checks in batches.

The model is loaded once, in this thread, and used only from it: torch runs one batch at a time
best, and the score cache's SQLite connection belongs to the thread that opened it. Requests from
concurrent callers wait in a bounded queue; the thread takes the waiting requests (up to
``config.serve_batch`` of them and about BATCH_WORDS words) and checks them together through
:func:`mtqa.pipeline.check_groups`, so the model sees full batches while each request keeps its
own settings and documents.
"""

from __future__ import annotations

import concurrent.futures
import math
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding


# A batch stops growing once it holds this many words. Cross-request batching pays for short
# texts (an editor's paragraph, a headline), whose sentences alone leave the model's batches half
# empty; one article already fills them, and more articles in its batch only make every caller in
# it wait for the whole batch (README, "Serving", has the measurement).
BATCH_WORDS = 2_000


class QueueFull(Exception):
    """Too many requests are waiting; the caller should come back after ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"the queue is full; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass
class Job:
    """One request: its documents and settings; ``future`` gets (findings, signature)."""

    docs: list[Document]
    config: Config
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)


class CheckWorker:
    def __init__(self, config: Config, log: Callable[[str], None] = lambda m: None):
        self.config = config
        self.log = log
        self.queue: queue.Queue[Job | None] = queue.Queue(maxsize=config.serve_queue)
        self.lm = None
        self.scorer = None
        self.model_id = "none"
        self.stats = {"requests": 0, "batches": 0, "documents": 0, "findings": 0, "rejected": 0,
                      "timed_out": 0, "skipped": 0, "failed": 0}
        self._seconds_per_job = 0.05  # running mean, for Retry-After
        self._signatures: dict[tuple, str] = {}
        self._ready = threading.Event()
        self._load_error: BaseException | None = None
        self._thread: threading.Thread | None = None

    # ---- life cycle ----------------------------------------------------------------------
    def start(self) -> "CheckWorker":
        """Start the thread and wait until the model is loaded; a load failure is raised here."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mtqa-check-worker", daemon=True)
            self._thread.start()
        self._ready.wait()
        if self._load_error is not None:
            raise self._load_error
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the jobs already queued, then end the thread."""
        if self._thread is not None and self._thread.is_alive():
            self.queue.put(None)  # blocks only while the queue is full, i.e. until the worker takes one
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    # ---- callers -------------------------------------------------------------------------
    def submit(self, docs: list[Document], config: Config) -> Job:
        """Queue a check; raises QueueFull at once when ``serve_queue`` requests are waiting."""
        job = Job(docs, config)
        try:
            self.queue.put_nowait(job)
        except queue.Full:
            self.stats["rejected"] += 1
            raise QueueFull(self.retry_after()) from None
        return job

    def retry_after(self) -> int:
        """Seconds until the queue has likely drained, from the recent time per request."""
        return max(1, math.ceil(self.queue.qsize() * self._seconds_per_job))

    def signature(self, config: Config) -> str:
        """The run signature (mtqa.evaluation.signature) of a request's settings, computed once."""
        key = (config.select, config.ignore, config.use_lm and self.lm is not None)
        if key not in self._signatures:
            from mtqa.evaluation.signature import build_signature, format_signature

            if len(self._signatures) >= 256:  # callers choose select/ignore: keep memory bounded
                self._signatures.clear()

            lm = self.lm if key[2] else None
            self._signatures[key] = format_signature(build_signature(config, lm, self.scorer if lm else None))
        return self._signatures[key]

    # ---- the thread ----------------------------------------------------------------------
    def _run(self) -> None:
        try:
            if self.config.use_lm:
                from mtqa.scoring.runtime import open_model

                started = time.perf_counter()
                self.lm, self.scorer = open_model(self.config, log=self.log)
                self.model_id = getattr(self.lm, "model_id", type(self.lm).__name__)
                self.log(f"mtqa: model {self.model_id} loaded in {time.perf_counter() - started:.1f} s")
            self.signature(self.config)  # hash the data files before the first caller waits on it
        except BaseException as exc:  # noqa: BLE001 - handed to start() in the caller's thread
            self._load_error = exc
            self._ready.set()
            return
        self._ready.set()
        while True:
            first = self.queue.get()
            if first is None:
                return
            batch = [first]
            words = sum(d.word_count for d in first.docs)
            stop = False
            while len(batch) < self.config.serve_batch and words < BATCH_WORDS:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
                words += sum(d.word_count for d in nxt.docs)
            self._check(batch)
            if stop:
                return

    def _check(self, batch: list[Job]) -> None:
        # A caller that gave up (timed out) cancelled its future; its documents are not checked.
        live = [j for j in batch if j.future.set_running_or_notify_cancel()]
        self.stats["skipped"] += len(batch) - len(live)
        if not live:
            return
        started = time.perf_counter()
        try:
            results = self._findings(live)
        except Exception:  # noqa: BLE001
            # check_groups contains a detector's failure to its caller; anything else (a bad
            # setting of one request, say) must not fail the others either: check each alone.
            results = []
            for job in live:
                try:
                    results.extend(self._findings([job]))
                except Exception as exc:  # noqa: BLE001 - becomes a 500 for that caller alone
                    results.append(exc)
        elapsed = time.perf_counter() - started
        self._seconds_per_job = 0.8 * self._seconds_per_job + 0.2 * elapsed / len(live)
        self.stats["batches"] += 1
        for job, res in zip(live, results):
            self.stats["requests"] += 1
            if isinstance(res, BaseException):  # this caller's documents alone could not be checked
                self.stats["failed"] += 1
                job.future.set_exception(res)
                continue
            self.stats["documents"] += len(job.docs)
            self.stats["findings"] += len(res)
            try:
                job.future.set_result((res, self.signature(job.config)))
            except Exception as exc:  # noqa: BLE001
                job.future.set_exception(exc)

    def _findings(self, jobs: list[Job]) -> list[list[Finding]]:
        from mtqa.pipeline import check_groups

        return check_groups([(j.docs, j.config) for j in jobs], self.lm, self.scorer)
