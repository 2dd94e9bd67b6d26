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
    try:
        # allow_nan=False: NaN is not JSON, and strict parsers reject the whole line
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        from mtqa.scoring.manifest import ModelError

        raise ModelError(f"a finding's score is not a finite number ({record.get('score')!r}): the language "
                         "model is damaged; run `mtqa model fetch --force` to install it again") from exc
    for raw, escaped in _LINE_BREAKS.items():
        line = line.replace(raw, escaped)
    return line


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    for f in findings:
        out.write(dumps(f.to_json()) + "\n")
