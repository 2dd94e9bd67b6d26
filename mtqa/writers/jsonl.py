"""One JSON object per finding per line, with exactly the keys of Finding.to_json."""

from __future__ import annotations

import json
from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    for f in findings:
        out.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
