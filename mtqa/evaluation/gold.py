"""The gold format: one JSON object per line, one annotated artifact per object.

Keys (documented in corpora/gold/README.md):

- ``doc`` (required): the document's name. mtqa findings match it by their ``path``, or by the
  path's file name when no gold document carries the full path.
- ``start``, ``end`` (required): code-point offsets, end-exclusive, into the document's text as
  mtqa reads it (UTF-8, BOM dropped). ``start == end`` marks an insertion point (an omission).
- ``category`` (required): one of mtqa.finding.CATEGORIES.
- ``severity`` (optional): minor, major or critical.
- ``fix`` (optional): the replacement for the span ("" deletes it); absent when there is none.
- ``text`` (optional): the span's text, checked against the document when it is available.
- ``note`` (optional): free text for the annotator.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from mtqa.errors import InputError
from mtqa.finding import CATEGORIES, SEVERITIES

GOLD_KEYS = ("doc", "start", "end", "category", "severity", "fix", "text", "note")
REQUIRED_KEYS = ("doc", "start", "end", "category")


@dataclass(frozen=True)
class GoldSpan:
    """One annotated error. ``category`` may be outside CATEGORIES for external data (e.g. "omission")."""

    doc: str
    start: int
    end: int
    category: str
    severity: str | None = None
    fix: str | None = None
    text: str | None = None
    note: str | None = None

    def to_json(self) -> dict:
        out = {"doc": self.doc, "start": self.start, "end": self.end, "category": self.category}
        for key in ("severity", "fix", "text", "note"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def parse_gold_record(record: Mapping, where: str, strict_categories: bool = True) -> GoldSpan:
    """A GoldSpan from one JSON object; raises ValueError naming ``where`` for anything malformed."""
    if not isinstance(record, Mapping):
        raise ValueError(f"{where}: expected a JSON object")
    missing = [k for k in REQUIRED_KEYS if k not in record]
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
    unknown = sorted(set(record) - set(GOLD_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(GOLD_KEYS)}")
    start, end = record["start"], record["end"]
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise ValueError(f"{where}: start and end must be integers")
    if not 0 <= start <= end:
        raise ValueError(f"{where}: bad span {start}..{end}")
    if not isinstance(record["doc"], str) or not record["doc"]:
        raise ValueError(f"{where}: doc must be a non-empty string")
    category = record["category"]
    if strict_categories and category not in CATEGORIES:
        raise ValueError(f"{where}: unknown category {category!r}; known: {', '.join(CATEGORIES)}")
    severity = record.get("severity")
    if severity is not None and severity not in SEVERITIES:
        raise ValueError(f"{where}: severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    for key in ("fix", "text", "note"):
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ValueError(f"{where}: {key} must be a string")
    return GoldSpan(record["doc"], start, end, category, severity, record.get("fix"), record.get("text"),
                    record.get("note"))


def read_gold(path: str | Path, strict_categories: bool = True) -> list[GoldSpan]:
    """Every GoldSpan in a gold JSONL file (blank lines and lines starting with # are skipped)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not UTF-8") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"line {n}: invalid JSON: {exc.msg}") from None
        try:
            out.append(parse_gold_record(record, f"line {n}", strict_categories))
        except ValueError as exc:
            raise InputError(str(path), str(exc)) from None
    return out


def write_gold(spans: Iterable[GoldSpan], out) -> None:
    for g in spans:
        out.write(json.dumps(g.to_json(), ensure_ascii=False) + "\n")


def check_against_texts(spans: Iterable[GoldSpan], texts: Mapping[str, str]) -> list[str]:
    """Problems with gold spans whose documents are in ``texts``: offsets out of range, or a
    ``text`` that is not ``document[start:end]``. An empty list means every span checks out."""
    problems = []
    for g in spans:
        doc_text = texts.get(g.doc)
        if doc_text is None:
            problems.append(f"{g.doc}: no such document")
            continue
        if g.end > len(doc_text):
            problems.append(f"{g.doc}:{g.start}-{g.end}: past the end of the text ({len(doc_text)} code points)")
            continue
        if g.text is not None and doc_text[g.start:g.end] != g.text:
            problems.append(f"{g.doc}:{g.start}-{g.end}: text {g.text!r} != {doc_text[g.start:g.end]!r}")
    return problems
