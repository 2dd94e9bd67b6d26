"""reviewdog's Diagnostic Format (rdjson): one JSON object for the run, for `reviewdog -f=rdjson`.

Each diagnostic carries the code, the severity (ERROR for critical and major, WARNING for minor;
the message starts with mtqa's own severity), the message, the range and the fix as a suggestion.
reviewdog counts columns in UTF-8 bytes, so columns here are byte columns. A feed item's range
is in the item's text, not the file, so it is given as the file alone with the item in the message.
"""

from __future__ import annotations

import json
from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.writers.regions import LEVELS, by_path, region

SOURCE = {"name": "mtqa"}


def _position(doc: Document, offset: int) -> dict:
    line, column = doc.line_col(offset)
    line_start = offset - (column - 1)
    return {"line": line, "column": len(doc.text[line_start:offset].encode("utf-8")) + 1}


def diagnostic(f: Finding, doc: Document | None) -> dict:
    reg = region(f, doc)
    message = f"[{f.severity}] {f.message}"
    out: dict = {
        "message": message,
        "location": {"path": reg.file},
        "severity": LEVELS[f.severity].upper(),
        "source": SOURCE,
        "code": {"value": f.code},
    }
    if reg.item:
        out["message"] += f" (feed item {reg.item.get('id') or reg.item['n']}, line {f.line} column {f.column})"
    elif doc is not None:
        rng = {"start": _position(doc, f.start), "end": _position(doc, f.end)}
        out["location"]["range"] = rng
        if f.suggestions:
            out["suggestions"] = [{"range": rng, "text": s} for s in f.suggestions]
    return out


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    docs_by_path = by_path(docs)
    report = {"source": SOURCE, "diagnostics": [diagnostic(f, docs_by_path.get(f.path)) for f in findings]}
    out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
