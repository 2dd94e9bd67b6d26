"""The decision log of a review: what the reviewer did with each finding, as JSONL events.

Every accept, reject, edit and undo is one event line. The state of a finding is the replay of
its events, so the log is both the saved session (reopening the page replays it) and the data that
scripts/decisions_to_precision.py turns into precision per lexicon entry and per code.

A finding is keyed by its content, not its offsets: the path, the code, the flagged text and a
hash of the text around it. Re-running the pipeline on the same copy (or on copy edited elsewhere)
gives the same keys, so old decisions find their findings again.

Each write rewrites the whole log to a temporary file beside it, fsyncs it and renames it into
place (mtqa.output.atomic_output). A log holds one short line per decision, so rewriting it costs
well under a millisecond per hundred lines, and in exchange the file on disk is always a complete
log: a crash or a closed laptop mid-write leaves the previous version, never a torn last line,
which an append would risk.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import Finding
from mtqa.output import write_text_atomic

ACTIONS = ("accept", "reject", "edit")
CONTEXT_CHARS = 40  # either side of the span, for the content key


def entry_of(f: Finding) -> str | None:
    """The lexicon entry (its id) that produced a finding, where its detector records one."""
    for key in ("entry", "pattern"):
        value = f.evidence.get(key)
        if isinstance(value, str):
            return value
    return None


def finding_keys(doc: Document, findings: Iterable[Finding]) -> list[str]:
    """A content key per finding of ``doc``: path, code, text and a hash of its surroundings.

    Two findings with the same key (the same phrase flagged twice in identical surroundings) are
    told apart by their order of occurrence.
    """
    seen: dict[str, int] = {}
    keys = []
    for f in findings:
        around = doc.text[max(0, f.start - CONTEXT_CHARS):f.start] + "\x00" + f.text + "\x00" \
            + doc.text[f.end:f.end + CONTEXT_CHARS]
        digest = hashlib.sha256(around.encode("utf-8")).hexdigest()[:16]
        base = f"{f.path}|{f.code}|{digest}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        keys.append(base if n == 0 else f"{base}|{n}")
    return keys


@dataclass(frozen=True)
class Decision:
    """The current state of one finding: accepted (with the replacement chosen), rejected or edited."""

    action: str
    replacement: str | None = None
    choice: int | None = None  # index into the finding's suggestions, for accept
    event: dict = field(default_factory=dict, compare=False, hash=False)  # the log line it came from

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "replacement": self.replacement, "choice": self.choice}


def replay(events: Iterable[dict]) -> tuple[dict[str, Decision], list[str]]:
    """(decision per key, the keys of the decisions an undo would take back, latest last)."""
    stacks: dict[str, list[Decision]] = {}
    order: list[str] = []
    for ev in events:
        key = ev.get("key")
        if ev.get("action") == "undo":
            if order:
                last = order.pop()
                stacks[last].pop()
            continue
        if not isinstance(key, str) or ev.get("action") not in ACTIONS:
            continue
        stacks.setdefault(key, []).append(Decision(ev["action"], ev.get("replacement"), ev.get("choice"), ev))
        order.append(key)
    return {k: s[-1] for k, s in stacks.items() if s}, order


def read_events(path: Path) -> list[dict]:
    """The events in a decision log; a missing file is an empty log."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    events = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"line {n} of the decision log is not JSON: {exc.msg}") from None
        if not isinstance(ev, dict):
            raise InputError(str(path), f"line {n} of the decision log is not a JSON object")
        events.append(ev)
    return events


class DecisionLog:
    """The JSONL log at ``path``, loaded at start and rewritten atomically on every event."""

    def __init__(self, path: Path):
        self.path = path
        self.events = read_events(path)
        self.decisions, self._order = replay(self.events)
        self._lock = threading.Lock()  # endpoints run in a thread pool

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, "".join(json.dumps(ev, ensure_ascii=False) + "\n" for ev in self.events))

    def record(self, event: dict) -> None:
        """Add one event (accept/reject/edit with the finding's description, or undo) and save."""
        event = {**event, "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        with self._lock:
            self.events.append(event)
            try:
                self._save()
            except BaseException:
                self.events.pop()
                raise
            self.decisions, self._order = replay(self.events)

    def last_undoable(self) -> str | None:
        return self._order[-1] if self._order else None
