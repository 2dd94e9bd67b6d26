"""What every detector shares: the run context, the one way to make a Finding, and the one way to
ask the language model for something (a ModelRequest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Protocol

from mtqa.finding import Finding
from mtqa.registry import RULES_BY_CODE

if TYPE_CHECKING:
    from mtqa.config import Config
    from mtqa.document import Document


@dataclass(frozen=True)
class ModelRequest:
    """What a model-backed detector needs computed: the log-probability of every token of
    ``text`` after ``context`` (with the entropy of each prediction).

    A detector declares its requests for a document (``registry.model_requests``); the pipeline
    gathers every detector's requests for a batch of documents and has the model compute them
    once, in length-sorted batches; the detector then reads the answers from ``ctx.model``.
    """

    context: str
    text: str
    # Only the tokens of ``text`` that end after this code point are read: the output layer (a
    # sixth of the model's work per position) runs only there. The answer holds those tokens.
    read_from: int = 0


class ModelAnswers(Protocol):
    """``ctx.model`` for a model-backed detector: the answers to its requests."""

    def __getitem__(self, request: ModelRequest) -> Any:
        """The request's token scores from the batched pass (precision and padding vary by
        machine and batch: good for screening, not for a decision at a threshold)."""

    def exact(self, request: ModelRequest) -> Any:
        """The same, computed alone, unpadded, in float32 with a fixed window: the same numbers
        on every machine, thread count and batch (to float32 rounding). For the few requests a
        decision turns on; computed on demand, since an exact answer is never batched."""


@dataclass
class Context:
    """Passed to every detector: the settings and, for a model-backed detector, the answers to
    its model requests (None with --no-lm)."""

    config: "Config"
    model: ModelAnswers | None = None
    # Whether the model judges this run's findings (it may propose more broadly when it does).
    model_judges: bool = False
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
