"""A review session: one run's documents and findings, the reviewer's decisions, and the export.

The pipeline runs once, when the session is made; the page then only reads the session and sends
decisions. Exporting applies the accepted and edited fixes with mtqa.fixes.apply_fixes, the same
code as `mtqa fix` and the diff writer, so a fix reads the same wherever it is applied.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import Finding
from mtqa.fixes import apply_fixes
from mtqa.output import atomic_output
from mtqa.review.decisions import ACTIONS, DecisionLog, entry_of, finding_keys

LOG_NAME = "decisions.jsonl"
EXPORT_DIR = "corrected"


@dataclass
class Item:
    key: str
    doc: int  # index into ReviewSession.documents
    finding: Finding


@dataclass
class ReviewSession:
    documents: list[Document]
    items: list[Item]
    out_dir: Path
    input_files: list[Path] = field(default_factory=list)  # resolved, so nothing is written over them
    errors: list[str] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)  # fixes the last export could not place in a feed file

    def __post_init__(self) -> None:
        self.log = DecisionLog(self.out_dir / LOG_NAME)
        self.by_key = {it.key: it for it in self.items}

    @classmethod
    def from_paths(cls, paths: list[str], config: Config, out_dir: str | Path, lm=None, scorer=None) -> "ReviewSession":
        """Read and check ``paths`` once (the pipeline, with the model when given) and open the log."""
        from mtqa.pipeline import run
        from mtqa.readers import iter_sources, read_source

        if "-" in paths:
            raise InputError("-", "review needs files: the corrected copy is exported beside their names")
        # The review folder may sit inside a folder under review (`mtqa review .`): the copies
        # exported there are not inputs. A file named on its own is read wherever it is.
        skip = Path(out_dir).resolve()
        sources, errors = [], []
        for arg in paths:
            try:
                found = list(iter_sources([arg]))
            except InputError as exc:
                errors.append(exc)
                continue
            errors.extend(x for x in found if isinstance(x, InputError))
            found = [x for x in found if not isinstance(x, InputError)]
            walked = Path(arg).is_dir()
            sources.extend((d, p) for d, p in found if not (walked and p.resolve().is_relative_to(skip)))

        def read():
            yield from errors
            for display, path in sources:
                try:
                    yield from read_source(display, path, config.max_bytes)
                except InputError as exc:
                    yield exc

        result = run(read(), config, lm=lm, scorer=scorer)
        inputs = [p.resolve() for _, p in sources if p.exists()]
        return cls.from_result(result.documents, result.findings, Path(out_dir), inputs,
                               [str(e) for e in result.errors])

    @classmethod
    def from_result(cls, documents: list[Document], findings: list[Finding], out_dir: Path,
                    input_files: list[Path] = (), errors: list[str] = ()) -> "ReviewSession":
        index = {d.path: i for i, d in enumerate(documents)}
        by_doc: dict[str, list[Finding]] = {}
        for f in sorted(findings, key=Finding.sort_key):
            by_doc.setdefault(f.path, []).append(f)
        items = []
        for d in documents:
            fs = by_doc.get(d.path, [])
            items.extend(Item(k, index[d.path], f) for k, f in zip(finding_keys(d, fs), fs))
        out_dir = Path(out_dir)
        resolved = out_dir.resolve()
        if any(resolved == p for p in input_files):
            raise InputError(str(out_dir), "the review folder is one of the inputs")
        return cls(list(documents), items, out_dir, list(input_files), list(errors))

    # --- what the page reads -------------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        counts = [0] * len(self.documents)
        for it in self.items:
            counts[it.doc] += 1
        return {
            "documents": [{"path": d.path, "text": d.text, "findings": counts[i]} for i, d in enumerate(self.documents)],
            "findings": [self._item_json(it) for it in self.items],
            "decisions": self.decisions_json(),
            "log": str(self.log.path.resolve()),
            "errors": self.errors,
        }

    @staticmethod
    def _item_json(it: Item) -> dict[str, Any]:
        f = it.finding
        return {"key": it.key, "doc": it.doc, "start": f.start, "end": f.end, "line": f.line, "column": f.column,
                "text": f.text, "code": f.code, "category": f.category, "severity": f.severity,
                "message": f.message, "suggestions": list(f.suggestions),
                "score": None if f.score is None else round(f.score, 4)}

    def decisions_json(self) -> dict[str, Any]:
        return {k: d.to_json() for k, d in self.log.decisions.items() if k in self.by_key}

    # --- what the page sends -------------------------------------------------------------------

    def decide(self, key: str, action: str, choice: int | None = None, replacement: str | None = None) -> None:
        """Record a decision on the finding ``key``. Raises ValueError for a request that makes no sense."""
        it = self.by_key.get(key)
        if it is None:
            raise ValueError("unknown finding")
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        f = it.finding
        if action == "accept" and not f.suggestions:
            # No fix offered (an untranslated or garbled sentence): accepting confirms the problem,
            # which counts for precision, and changes no text; "edit" rewrites it.
            if choice is not None:
                raise ValueError("this finding has no alternatives")
            replacement = None
        elif action == "accept":
            choice = 0 if choice is None else choice
            if not isinstance(choice, int) or not 0 <= choice < len(f.suggestions):
                raise ValueError("no such alternative")
            replacement = f.suggestions[choice]
        elif action == "edit":
            if not isinstance(replacement, str):
                raise ValueError("an edit needs the replacement text")
            choice = None
        else:
            choice, replacement = None, None
        self.log.record({
            "key": key, "action": action, "replacement": replacement, "choice": choice,
            "path": f.path, "code": f.code, "category": f.category, "severity": f.severity,
            "text": f.text, "start": f.start, "end": f.end, "suggestions": list(f.suggestions),
            "score": None if f.score is None else round(f.score, 4), "entry": entry_of(f),
        })

    def undo(self) -> str | None:
        """Take back the latest decision still in force; its key, or None when there is none."""
        key = self.log.last_undoable()
        if key is not None:
            self.log.record({"key": key, "action": "undo"})
        return key

    # --- export --------------------------------------------------------------------------------

    def chosen_fixes(self) -> dict[int, list[Finding]]:
        """The accepted and edited fixes in force, by document index, each with its one replacement."""
        fixes: dict[int, list[Finding]] = {}
        for key, d in self.log.decisions.items():
            it = self.by_key.get(key)
            if it is None or d.action == "reject" or d.replacement is None:
                continue
            fixes.setdefault(it.doc, []).append(it.finding.with_(suggestions=(d.replacement,)))
        return fixes

    def corrected_texts(self) -> dict[str, str]:
        """Each document's text with its accepted and edited fixes applied (all documents)."""
        fixes = self.chosen_fixes()
        return {doc.path: apply_fixes(doc.text, fixes.get(i, [])) for i, doc in enumerate(self.documents)}

    def export(self) -> list[Path]:
        """Write the corrected copy under <out>/corrected/ (atomically), each file in its own
        format under its relative path: text in the input's encoding, a feed as the feed with only
        its items' text changed (as `mtqa fix` writes it; fixes that cannot be placed in the file
        are left out and listed in ``self.skipped``) and its items, corrected, in one
        <feed>.items.jsonl; and the decisions in force beside them."""
        from mtqa.feed_fix import fix_feed
        from mtqa.readers.text import decode_text

        root = self.out_dir / EXPORT_DIR
        texts = self.corrected_texts()
        chosen = self.chosen_fixes()
        files: dict[Path, tuple[str, str]] = {}  # target: (text, encoding)
        feeds: dict[str, list[int]] = {}  # a feed's path: its items' document indices
        names = _export_names([d.path.partition("#")[0] for d in self.documents])
        for i, doc in enumerate(self.documents):
            base, sep, item = doc.path.partition("#")
            if sep and "headline" in doc.meta:
                feeds.setdefault(base, []).append(i)
            else:
                files[root / names[base]] = (("\ufeff" if doc.meta.get("bom") else "") + texts[doc.path],
                                             doc.meta.get("encoding", "utf-8"))
        self.skipped = []
        for base, indices in feeds.items():
            target = root / names[base]
            items = [{"path": self.documents[i].path, "text": texts[self.documents[i].path],
                      **{k: v for k, v in self.documents[i].meta.items() if isinstance(v, str)}} for i in indices]
            files[target.with_name(target.name + ".items.jsonl")] = (
                "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")
            source = Path(base)
            if source.resolve() not in self.input_files:
                continue  # not a file read in this session (it has gone): its items are exported alone
            raw = source.read_bytes()
            docs = [self.documents[i] for i in indices]
            fixed, _, skipped = fix_feed(decode_text(base, raw), docs,
                                         {self.documents[i].path: chosen.get(i, []) for i in indices})
            self.skipped.extend(skipped)
            files[target] = (("\ufeff" if raw.startswith(b"\xef\xbb\xbf") else "") + fixed, "utf-8")
        final = [d.event for k, d in self.log.decisions.items() if k in self.by_key]
        files[root / LOG_NAME] = ("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in final), "utf-8")
        written = []
        for target, (text, encoding) in files.items():
            if target.resolve() in self.input_files:
                raise InputError(str(target), "refusing to write over an input file")
            target.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(str(target), encoding=encoding) as out:
                out.write(text)
            written.append(target)
        return written


def _export_names(paths: list[str]) -> dict[str, Path]:
    """Where each input goes under the export folder: its path below the folder all the inputs
    share (copy/a.txt and copy/b/c.txt -> a.txt and b/c.txt), never climbing out of it."""
    try:
        common = PurePosixPath(os.path.commonpath([str(PurePosixPath(p).parent) for p in paths])) if paths else None
    except ValueError:  # absolute and relative paths mixed
        common = None
    out = {}
    for p in paths:
        rel = p
        if common is not None and str(common) not in ("", "."):
            rel = str(PurePosixPath(p).relative_to(common))
        out[p] = _safe_relative(rel)
    if len(set(out.values())) < len(out):  # '../a.txt' and 'a.txt': keep each whole path instead
        out = {p: _safe_relative(str(Path(p).resolve())) for p in paths}
    return out


def _safe_relative(display: str) -> Path:
    """A path under the export folder for an input named ``display``: relative paths keep their
    shape, absolute ones and any '..' lose the parts that would climb out of the folder."""
    parts = [p for p in PurePosixPath(display.replace("\\", "/")).parts if p not in ("/", "..", ".", "")]
    return Path(*parts) if parts else Path("stdin.txt")
