"""Suppression: the findings a desk has decided not to see, dropped after detection and before
scoring (so the model never spends time on them). Detectors know nothing of it.

Four forms, each from the one Config:

- accepted terms (``accept = [...]`` and ``accept-file``): a finding whose text, stripped of
  surrounding space and punctuation, is an accepted term (compared exactly, case included) is
  never reported: a correct name the lexicons take for a variant, say;
- per-path ignores (``per-path-ignores = {"sport/*" = ["MTQ222"]}``): codes, prefixes or
  categories skipped in files whose path matches the glob (matched from the right, as
  pathlib.PurePath.match does, so ``sport/*`` matches ``copy/sport/a.txt``);
- a baseline (``--baseline FILE``): findings recorded earlier by ``--write-baseline``, matched by
  content (file, code, flagged text and its sentence), never by offset, so edits elsewhere in a
  file do not bring them back; each recorded finding hides one finding now;
- inline comments in Markdown and HTML: ``<!-- mtqa-disable MTQ221 -->`` ... ``<!-- mtqa-enable -->``
  turn codes (or, with none named, every code) off between them; the comments themselves are
  never reported.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import ConfigError
from mtqa.finding import Finding
from mtqa.registry import matches

BASELINE_VERSION = 1
_DIRECTIVE = re.compile(r"<!--\s*mtqa-(disable|enable)\b([^>]*?)-->", re.IGNORECASE)
_STRIP = " \t\n\r\u00a0.,;:!?\"'()[]{}«»“”‘’"


def file_of(doc_path: str, doc: Document | None) -> str:
    """The file a document came from (a feed item's feed file)."""
    item = doc.meta.get("item") if doc is not None else None
    return item["file"] if item else doc_path


def _context(doc: Document, f: Finding) -> str:
    span = doc.sentence_at(f.start)
    text = doc.span_text(span) if span is not None else f.text
    return " ".join(text.split())


def baseline_key(doc: Document, f: Finding, root: Path) -> tuple[str, str, str, str]:
    """What identifies a finding across edits: its file (relative to the baseline's folder when it
    can be), the feed item, the code, the flagged text and the sentence around it."""
    item = doc.meta.get("item")
    file = file_of(f.path, doc)
    if file != "-":
        try:
            file = Path(file).resolve().relative_to(root).as_posix()
        except ValueError:
            # outside the baseline's folder (a hook checking staged copies elsewhere): the path
            # as given, relative, stands for the same file
            file = Path(file).as_posix() if not Path(file).is_absolute() else Path(file).resolve().as_posix()
    where = file + (f"#{item.get('id') or item['n']}" if item else "")
    return where, f.code, f.text, _context(doc, f)


def write_baseline(path: str, docs: list[Document], findings: list[Finding]) -> int:
    from mtqa.output import write_text_atomic

    root = Path(path).resolve().parent
    by_path = {d.path: d for d in docs}
    records = sorted(baseline_key(by_path[f.path], f, root) for f in findings if f.path in by_path)
    data = {"tool": "mtqa", "version": BASELINE_VERSION,
            "findings": [dict(zip(("path", "code", "text", "context"), r)) for r in records]}
    write_text_atomic(Path(path), json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return len(records)


def _read_baseline(path: str) -> Counter:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline not found (write one with --write-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable mtqa baseline: {exc}") from None
    if not isinstance(data, dict) or data.get("tool") != "mtqa" or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{path}: not an mtqa baseline (no 'tool': 'mtqa' and 'findings' list)")
    try:
        return Counter((r["path"], r["code"], r["text"], r["context"]) for r in data["findings"])
    except (KeyError, TypeError):
        raise ConfigError(f"{path}: a baseline entry lacks path, code, text or context") from None


def _read_accept_file(path: str) -> set[str]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"accept-file {path}: cannot read: {exc}") from None
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def disabled_spans(text: str) -> tuple[list[tuple[int, int, frozenset[str] | None]], list[tuple[int, int]]]:
    """(start, end, codes or None for all) regions turned off, and the spans of the comments."""
    regions, comments = [], []
    open_: dict[str | None, int] = {}  # pattern (None: all codes) -> where it was disabled
    for m in _DIRECTIVE.finditer(text):
        comments.append((m.start(), m.end()))
        codes = [c for c in re.split(r"[\s,]+", m.group(2).strip()) if c]
        if m.group(1).lower() == "disable":
            for c in codes or [None]:
                open_.setdefault(c, m.end())
        else:
            for c in (codes or list(open_)):
                if c in open_:
                    regions.append((open_.pop(c), m.start(), None if c is None else frozenset([c])))
    regions.extend((start, len(text), None if c is None else frozenset([c])) for c, start in open_.items())
    return regions, comments


@dataclass
class Suppressor:
    accept: frozenset[str] = frozenset()
    per_path: tuple[tuple[str, tuple[str, ...]], ...] = ()
    baseline: Counter | None = None
    baseline_root: Path = field(default_factory=Path.cwd)

    @classmethod
    def from_config(cls, config: Config) -> "Suppressor":
        accept = set(config.accept)
        if config.accept_file:
            accept |= _read_accept_file(config.accept_file)
        baseline = _read_baseline(config.baseline) if config.baseline else None
        root = Path(config.baseline).resolve().parent if config.baseline else Path.cwd()
        return cls(frozenset(accept), config.per_path_ignores, baseline, root)

    def apply(self, doc: Document, findings: list[Finding]) -> list[Finding]:
        if not findings:
            return findings
        file = PurePosixPath(file_of(doc.path, doc).replace("\\", "/"))
        ignored = [codes for glob, codes in self.per_path if file.match(glob)]
        regions, comments = disabled_spans(doc.text) if "mtqa-" in doc.text else ([], [])
        out = []
        for f in findings:
            if self.accept and f.text.strip(_STRIP) in self.accept:
                continue
            if any(matches(f.code, codes) for codes in ignored):
                continue
            core_start = f.start + len(f.text) - len(f.text.lstrip())
            core_end = f.start + len(f.text.rstrip())
            if any(s <= core_start and core_end <= e for s, e in comments):
                continue  # the directive itself, which the markup detector sees as a tag
            if any(s <= f.start < e and (codes is None or matches(f.code, codes)) for s, e, codes in regions):
                continue
            if self.baseline is not None:
                key = baseline_key(doc, f, self.baseline_root)
                if self.baseline[key] > 0:
                    self.baseline[key] -= 1
                    continue
            out.append(f)
        return out
