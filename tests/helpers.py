"""Running detectors on a string, for the example and snapshot tests."""

from __future__ import annotations

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.pipeline import run


def findings_for(text: str | list[str], code: str, path: str = "example.txt") -> list[Finding]:
    """Findings of ``code`` in ``text``; a list of texts is one run of several copies, named
    copy1.txt, copy2.txt, ..."""
    if isinstance(text, list):
        docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(text, 1)]
    else:
        docs = [Document(path, text)]
    result = run(docs, Config(select=(code,), use_lm=False))
    return [f for f in result.findings if f.code == code]
