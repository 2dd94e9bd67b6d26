"""read → segment → detect → score → write, for one batch of documents at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from mtqa.config import Config
from mtqa.detectors.base import Context
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import SEVERITY_RANK, Finding
from mtqa.registry import Rule, implementation, selected_rules


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
        fn = implementation(rule.code)
        if fn is not None and rule.scope == "document":
            found.extend(fn(doc, ctx))
    return _dedupe(found)


def detect_across(docs: list[Document], rules: list[Rule], ctx: Context) -> dict[str, list[Finding]]:
    """Run-scope rules over every document at once; their findings by document path."""
    by_path: dict[str, list[Finding]] = {}
    for rule in rules:
        fn = implementation(rule.code)
        if fn is not None and rule.scope == "run":
            for f in fn(docs, ctx):
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
    ctx = Context(config=config, lm=lm)
    across: dict[str, list[Finding]] = {}
    if any(r.scope == "run" for r in rules):
        items = list(docs)
        across = detect_across([d for d in items if isinstance(d, Document)], rules, ctx)
        docs = items
    batch: list[Document] = []
    errors: list[InputError] = []

    def flush():
        if lm is not None and hasattr(lm, "prefetch"):
            # batch the model's sentences across documents (and copies) before detectors ask
            lm.prefetch(batch, [r.code for r in rules])
        per_doc = [_dedupe(detect(d, rules, ctx) + across.get(d.path, [])) for d in batch]
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


def check_groups(groups: list[tuple[list[Document], Config]], lm=None, scorer=None) -> list[list[Finding]]:
    """Independent runs (a server's concurrent requests), each with its own settings, through one
    batched model pass; the findings of each group, in its order.

    Each group is detected on its own, so run-scope rules (across copies) see only its documents;
    the model's sentences and the findings' scores are computed for all groups at once, so the model
    gets full batches. A group whose config has ``use_lm`` off is neither prefetched nor scored.
    """
    plans = []
    for docs, config in groups:
        group_lm = lm if config.use_lm else None
        plans.append((docs, config, active_rules(config, group_lm is not None), group_lm))
    if lm is not None and hasattr(lm, "prefetch"):
        model_docs = [d for docs, _, _, glm in plans if glm is not None for d in docs]
        codes = sorted({r.code for _, _, rules, glm in plans if glm is not None for r in rules})
        if model_docs:
            lm.prefetch(model_docs, codes)
    per_group: list[list[list[Finding]]] = []
    to_score: list[tuple[Document, list[Finding]]] = []
    for docs, config, rules, group_lm in plans:
        ctx = Context(config=config, lm=group_lm)
        across = detect_across(docs, rules, ctx) if any(r.scope == "run" for r in rules) else {}
        found = [_dedupe(detect(d, rules, ctx) + across.get(d.path, [])) for d in docs]
        per_group.append(found)
        if scorer is not None and group_lm is not None:
            to_score.extend(zip(docs, found))
    if to_score:
        scored = iter(scorer.score_batch(to_score))
        for (docs, _, _, group_lm), found in zip(plans, per_group):
            if group_lm is not None:
                found[:] = [next(scored) for _ in docs]
    return [[f for fs in found for f in fs] for found in per_group]


def run(docs: Iterable[Document | InputError], config: Config, lm=None, scorer=None) -> Result:
    result = Result()
    for documents, findings, errors in check_documents(docs, config, lm=lm, scorer=scorer):
        result.documents.extend(documents)
        result.findings.extend(findings)
        result.errors.extend(errors)
    return result


def fails(result: Result, fail_on: str) -> bool:
    return fail_on != "never" and result.worst_rank() >= SEVERITY_RANK[fail_on]
