"""Writers take Documents and Findings and render them; they never detect or score."""

from __future__ import annotations

from typing import Callable, TextIO

from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.writers import diff, github, html, jsonl, rdjson, sarif, text

WriteFn = Callable[[list[Document], list[Finding], TextIO], None]
WRITERS: dict[str, WriteFn] = {"text": text.write, "jsonl": jsonl.write, "diff": diff.write, "html": html.write,
                               "sarif": sarif.write, "rdjson": rdjson.write, "github": github.write,
                               "jsonl-evidence": jsonl.write_with_evidence}
# Writers that can be called once per batch of documents as the run goes; the others render the
# whole run at once (one HTML page), after the last batch.
STREAMING = frozenset({"text", "jsonl", "diff", "github", "jsonl-evidence"})
