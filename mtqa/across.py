"""The run-scope rules (across copies), a story at a time, with memory flat in the number of
documents.

A story's last copy can come last, so every document is read before the first one is written.
While they are read, each is grouped (:class:`mtqa.stories.StoryGrouper`, which keeps a few
kilobytes of each) and set aside on disk (:class:`SetAside`, a temporary SQLite file). Then the
documents are taken back in input order: a story's run-scope rules run over its copies when its
first copy comes up, and their findings wait for the later copies; a document is released as
soon as it is handed on, a story's findings once its last copy is. A document in no story gets
no run-scope findings, as before: every cross-copy rule works on the stories.
"""

from __future__ import annotations

import copy
import gc
import pickle
import shutil
import sqlite3
import tempfile
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import Finding


class SetAside:
    """Documents kept on disk by position until they are needed again (a temporary directory,
    removed on close); in memory where no temporary file can be made (the run goes on, with
    memory growing as it did before)."""

    def __init__(self) -> None:
        self.dir: Path | None = None
        self.con: sqlite3.Connection | None = None
        self.held: dict[int, Document] = {}
        try:
            self.dir = Path(tempfile.mkdtemp(prefix="mtqa-stories-"))
            self.con = sqlite3.connect(self.dir / "documents.sqlite", isolation_level=None)
            self.con.execute("PRAGMA journal_mode=OFF")
            self.con.execute("PRAGMA synchronous=OFF")
            self.con.execute("CREATE TABLE doc (k INTEGER PRIMARY KEY, data BLOB)")
        except (OSError, sqlite3.Error):
            self.close()

    def put(self, k: int, doc: Document) -> None:
        if self.con is None:
            self.held[k] = doc
            return
        self.con.execute("INSERT INTO doc VALUES (?, ?)", (k, pickle.dumps(doc, 5)))

    def get(self, k: int, last: bool = False) -> Document:
        """Document ``k``; ``last``: it is not asked for again (it can be let go)."""
        if self.con is None:
            # a copy: one Document given twice in the input is two documents handed on
            return copy.copy(self.held.pop(k)) if last else self.held[k]
        return pickle.loads(self.con.execute("SELECT data FROM doc WHERE k = ?", (k,)).fetchone()[0])

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


def by_story(items: Iterable[Document | InputError], detect_across: Callable[[list[Document]], dict[str, list[Finding]]],
             across: dict[int, list[Finding]]) -> Iterator[Document | InputError]:
    """``items`` again, in their order, each document once its stories' run-scope findings are
    in ``across[id(doc)]`` (``detect_across(docs)`` gives a story's findings by path)."""
    from mtqa.stories import StoryGrouper, identifying_names

    grouper = StoryGrouper()
    shelf = SetAside()
    try:
        order: list[int | InputError] = []
        paths: list[str] = []
        for item in items:
            if isinstance(item, InputError):
                order.append(item)
                continue
            k = len(paths)
            # its names and sentences worked out before it is set aside, so that both copies taken
            # back (for its story, then to be handed on) have them without working them out again
            grouper.add(item.text, identifying_names(item))
            item.sentences
            shelf.put(k, item)
            paths.append(item.path)
            order.append(k)
        groups = grouper.groups()
        # A finding goes to the documents of its path (as when the rules ran over the whole run):
        # a path's findings come from every story holding a document of that path.
        stories_of_path: dict[str, list[int]] = defaultdict(list)
        left: Counter = Counter()  # documents of each story not yet handed on
        for g, members in enumerate(groups):
            for k in members:
                if g not in stories_of_path[paths[k]]:
                    stories_of_path[paths[k]].append(g)
        per_path = Counter(paths)
        for g, members in enumerate(groups):
            left[g] = sum(per_path[p] for p in {paths[k] for k in members})
        found: dict[int, dict[str, list[Finding]]] = {}
        for entry in order:
            if isinstance(entry, InputError):
                yield entry
                continue
            path = paths[entry]
            here: list[Finding] = []
            for g in stories_of_path.get(path, ()):
                if g not in found:
                    with _no_cycle_collection():
                        found[g] = detect_across([shelf.get(k) for k in groups[g]])
                here.extend(found[g].get(path, ()))
                left[g] -= 1
                if not left[g]:
                    del found[g]
            # its stories have run (a story runs at the first document of any of its paths), so
            # it is never asked for again
            doc = shelf.get(entry, last=True)
            across[id(doc)] = here
            yield doc
    finally:
        shelf.close()


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector waits while a story's run-scope rules run. They make millions of
    small objects (each sentence's counterparts in every other copy, word alignments), in no
    reference cycle: reference counting frees them once the story is done. Meanwhile the
    collector, set off by so many new objects, would traverse every live object of the run again
    and again: at 10,000 synthetic documents 8.8 of 88 CPU s, most of it in full collections.
    (Another thread's story may turn it back on early: it then only collects as before.)"""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
