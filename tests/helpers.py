"""Running detectors on a string, for the example and snapshot tests."""

from __future__ import annotations

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.pipeline import run


def findings_for(text: str, code: str, path: str = "example.txt") -> list[Finding]:
    result = run([Document(path, text)], Config(select=(code,), use_lm=False))
    return [f for f in result.findings if f.code == code]
