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
