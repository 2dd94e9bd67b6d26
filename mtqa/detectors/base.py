"""What every detector shares: the run context and the one way to make a Finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from mtqa.finding import Finding
from mtqa.registry import RULES_BY_CODE

if TYPE_CHECKING:
    from mtqa.config import Config
    from mtqa.document import Document


@dataclass
class Context:
    """Passed to every detector: the settings and, when the model is on, the language model."""

    config: "Config"
    lm: Any = None  # mtqa.scoring LanguageModel, or None with --no-lm
    # Work shared by the run-scope rules of one run (the stories of mtqa.stories), computed once.
    memo: dict = field(default_factory=dict)


def make_finding(
    doc: "Document",
    code: str,
    start: int,
    end: int,
    message: str,
    suggestions: Iterable[str] = (),
    severity: str | None = None,
    evidence: dict | None = None,
) -> Finding:
    """A Finding for ``doc.text[start:end]`` with the rule's category and default severity."""
    rule = RULES_BY_CODE[code]
    text = doc.text[start:end]
    # A deletion span may start with the line break before it; point the user at its content.
    line, column = doc.line_col(start + (len(text) - len(text.lstrip())) if text.strip() else start)
    return Finding(
        code=code,
        category=rule.category,
        severity=severity or rule.severity,
        path=doc.path,
        start=start,
        end=end,
        text=text,
        line=line,
        column=column,
        message=message,
        suggestions=tuple(dict.fromkeys(suggestions)),
        evidence=evidence or {},
    )
