"""read → segment → detect → score → write, for one batch of documents at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from mtqa.config import Config
from mtqa.detectors.base import Context
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import SEVERITY_RANK, Finding
from mtqa.registry import Rule, implementation, requests_of, selected_rules


@dataclass
class Result:
    """What one run produced: the documents read, their findings, and the inputs that failed."""

    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    def worst_rank(self) -> int:
        return max((f.severity_rank for f in self.findings), default=-1)


def active_rules(config: Config, lm_available: bool) -> list[Rule]:
    return [r for r in selected_rules(config.select, config.ignore) if lm_available or not r.needs_lm]


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (code, span): detectors sharing an engine may report a span twice."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.code, f.start, f.end), f)
    return sorted(seen.values(), key=Finding.sort_key)


def detect(doc: Document, rules: list[Rule], ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    for rule in rules:
        if rule.scope == "document":
            found.extend(implementation(rule.code)(doc, ctx))
    return _dedupe(found)


def model_context(docs: list[Document], rules: list[Rule], ctx: Context, lm) -> Context:
    """``ctx`` with the model's answers to every request the model-backed rules make for
    ``docs``: one call, so the model sorts all of them by length into full batches (and computes
    a sentence repeated across syndicated copies once)."""
    model_rules = [r for r in rules if r.needs_lm and r.scope == "document"]
    if lm is None or not model_rules:
        return ctx
    requests = [q for d in docs for r in model_rules for q in requests_of(r.code)(d, ctx)]
    return Context(config=ctx.config, model=lm.answer(requests))


def detect_across(docs: list[Document], rules: list[Rule], ctx: Context) -> dict[str, list[Finding]]:
    """Run-scope rules over every document at once; their findings by document path."""
    by_path: dict[str, list[Finding]] = {}
    for rule in rules:
        if rule.scope == "run":
            for f in implementation(rule.code)(docs, ctx):
                by_path.setdefault(f.path, []).append(f)
    return by_path


def check_documents(
    docs: Iterable[Document | InputError], config: Config, lm=None, scorer=None, batch_size: int = 16
) -> Iterator[tuple[list[Document], list[Finding], list[InputError]]]:
    """Detect (and score, when a scorer is given) batch by batch, so memory stays flat on big feeds.

    When a run-scope rule (across copies) is selected, every document is read before the first
    batch is written, since any later copy can bear on an earlier one.
    """
    rules = active_rules(config, lm is not None)
    ctx = Context(config=config)
    across: dict[str, list[Finding]] = {}
    if any(r.scope == "run" for r in rules):
        items = list(docs)
        across = detect_across([d for d in items if isinstance(d, Document)], rules, ctx)
        docs = items
    batch: list[Document] = []
    errors: list[InputError] = []

    def flush():
        batch_ctx = model_context(batch, rules, ctx, lm)
        per_doc = [_dedupe(detect(d, rules, batch_ctx) + across.get(d.path, [])) for d in batch]
        if scorer is not None:
            per_doc = scorer.score_batch(list(zip(batch, per_doc)))
        findings = [f for fs in per_doc for f in fs]
        return list(batch), findings, list(errors)

    for item in docs:
        if isinstance(item, InputError):
            errors.append(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            yield flush()
            batch, errors = [], []
    if batch or errors:
        yield flush()


def run(docs: Iterable[Document | InputError], config: Config, lm=None, scorer=None) -> Result:
    result = Result()
    for documents, findings, errors in check_documents(docs, config, lm=lm, scorer=scorer):
        result.documents.extend(documents)
        result.findings.extend(findings)
        result.errors.extend(errors)
    return result


def fails(result: Result, fail_on: str) -> bool:
    return fail_on != "never" and result.worst_rank() >= SEVERITY_RANK[fail_on]
