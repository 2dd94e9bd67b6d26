"""`path:line:col: CODE severity message [-> suggestion]`, one finding a line, as compilers do."""

from __future__ import annotations

from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding


def format_suggestion(s: str) -> str:
    return "(delete)" if s == "" else repr(s) if s != s.strip() or "\n" in s else s


def format_line(f: Finding) -> str:
    line = f"{f.path}:{f.line}:{f.column}: {f.code} {f.severity} {f.message}"
    if f.score is not None:
        line += f" [score {f.score:.2f}]"
    if f.suggestions:
        line += " -> " + " | ".join(format_suggestion(s) for s in f.suggestions)
    return line


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    for f in findings:
        out.write(format_line(f) + "\n")
