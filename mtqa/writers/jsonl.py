"""One JSON object per finding per line, with exactly the keys of Finding.to_json."""

from __future__ import annotations

import json
from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding

# JSON allows these raw, but they are line breaks to str.splitlines() and many line readers;
# escaping them keeps one finding per line whatever the copy contains.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps(record: dict) -> str:
    line = json.dumps(record, ensure_ascii=False)
    for raw, escaped in _LINE_BREAKS.items():
        line = line.replace(raw, escaped)
    return line


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    for f in findings:
        out.write(dumps(f.to_json()) + "\n")


def write_with_evidence(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    """``--format jsonl-evidence``: the 12 keys and a 13th, ``evidence``: what the detector and
    the scorer knew (for a cross-copy finding, the other copies' aligned sentences under
    ``copies``, each with its path, offsets, text and similarity)."""
    for f in findings:
        out.write(dumps({**f.to_json(), "evidence": _plain(f.evidence)}) + "\n")


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
