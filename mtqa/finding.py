"""Finding: one artifact found in one document, with exact offsets into the original text."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

SEVERITIES = ("minor", "major", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

@dataclass(frozen=True)
class Category:
    """One row of the category table: everything mtqa knows about a kind of finding.

    ``prior``: the probability that a finding of this category is a real artifact when the model
    cannot judge it (a judgement call from what the rules match, not a measurement: rule-certain
    families such as leaked code sit high, those that fire on legitimate text now and then near
    the middle). ``model_judged``: whether a model of fluent English may judge its text (its
    suggestion's margin or its span's surprisal decides the score, and a rejected finding is
    dropped); the others keep at least their prior, since fluent English is no argument for
    leaked CSS or against the house style. ``covers``: the gold categories it can find, as
    mtqa.evaluation.datasets.map_mqm_category names MQM error categories.
    """

    name: str
    prior: float
    model_judged: bool
    covers: tuple[str, ...]


# The one category table: findings, the scorer's priors and the evaluation's coverage read it.
CATEGORY_TABLE = (
    Category("script-intrusion", 0.9, False, ("untranslated",)),
    Category("untranslated", 0.8, True, ("untranslated",)),
    Category("confusion", 0.5, True, ("confusion",)),
    Category("markup-leak", 0.95, False, ("markup-leak",)),
    Category("encoding", 0.95, False, ("markup-leak",)),  # mojibake; MQM "character encoding"
    Category("invisible-character", 0.95, False, ()),
    Category("fullwidth-punctuation", 0.9, False, ("punctuation",)),
    Category("boilerplate-leak", 0.85, False, ()),
    Category("metadata-leak", 0.8, False, ()),
    Category("locale-convention", 0.7, False, ("locale-convention", "punctuation")),
    Category("glued-word", 0.6, True, ("spelling",)),
    Category("punctuation", 0.5, False, ("punctuation",)),
    Category("name-variant", 0.5, True, ("name-variant",)),
    Category("house-style", 0.6, False, ("name-variant", "spelling")),
    Category("fluency", 0.5, False, ("fluency",)),
    # MTQ601 names; MTQ602 numbers, MTQ603 wording and MTQ604 polarity are mistranslations
    Category("cross-copy", 0.5, False, ("name-variant", "confusion")),
    # a run of one word or clause; the legitimate repeats are excluded by rule
    Category("repetition", 0.8, False, ("repetition", "fluency")),
)
CATEGORY_BY_NAME = {c.name: c for c in CATEGORY_TABLE}
CATEGORIES = tuple(CATEGORY_BY_NAME)


def category(name: str) -> Category:
    """The table's row for ``name``; an unknown name is an error, never a silent default."""
    try:
        return CATEGORY_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown category {name!r}; known: {', '.join(CATEGORIES)}") from None


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
