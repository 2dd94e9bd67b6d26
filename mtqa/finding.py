"""Finding: one artifact found in one document, with exact offsets into the original text."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SEVERITIES = ("minor", "major", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

CATEGORIES = (
    "script-intrusion",
    "untranslated",
    "confusion",
    "markup-leak",
    "boilerplate-leak",
    "metadata-leak",
    "locale-convention",
    "glued-word",
    "punctuation",
    "name-variant",
    "house-style",
    "fluency",
    "cross-copy",
    "repetition",
)


@dataclass(frozen=True)
class Finding:
    """An artifact at ``text[start:end]`` of a document.

    ``suggestions`` holds candidate replacements for the span, best first: an empty string means
    "delete the span", an empty tuple means mtqa has no fix to offer. ``score`` is the language
    model's confidence in [0, 1] that this is a real artifact, or None when no model ran.
    """

    code: str
    category: str
    severity: str
    path: str
    start: int
    end: int
    text: str
    line: int
    column: int
    message: str
    suggestions: tuple[str, ...] = ()
    score: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITY_RANK:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    @property
    def suggestion(self) -> str | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def severity_rank(self) -> int:
        return SEVERITY_RANK[self.severity]

    def with_(self, **changes: Any) -> "Finding":
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The JSONL record: exactly the documented keys."""
        return {
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "code": self.code,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "suggestion": self.suggestion,
            "score": None if self.score is None else round(self.score, 4),
        }

    def sort_key(self) -> tuple:
        return (self.path, self.start, self.end, self.code)
