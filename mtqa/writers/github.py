"""GitHub Actions workflow commands: one ``::error``/``::warning`` line per finding, which the
Actions runner turns into an annotation on the file and line (critical and major are errors, minor
a warning). The title carries the code and mtqa's severity, the message the fix."""

from __future__ import annotations

from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.writers.regions import LEVELS, by_path, region
from mtqa.writers.text import format_suggestion


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding, doc: Document | None) -> str:
    reg = region(f, doc)
    message = f.message
    if f.suggestions:
        message += " -> " + " | ".join(format_suggestion(s) for s in f.suggestions)
    props = [f"file={_property(reg.file)}"]
    if reg.item:
        message += f" (feed item {reg.item.get('id') or reg.item['n']}, line {f.line} column {f.column})"
    else:
        props += [f"line={reg.start_line}", f"col={reg.start_column}", f"endLine={reg.end_line}"]
        if reg.end_line == reg.start_line:
            props.append(f"endColumn={max(reg.start_column, reg.end_column - 1)}")  # inclusive here
    props.append(f"title={_property(f'{f.code} ({f.severity})')}")
    return f"::{LEVELS[f.severity]} {','.join(props)}::{_data(message)}"


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    docs_by_path = by_path(docs)
    for f in findings:
        out.write(annotation(f, docs_by_path.get(f.path)) + "\n")
