"""read → segment → detect → suppress → score → write, for one batch of documents at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from mtqa.config import Config
from mtqa.detectors.base import Context
from mtqa.document import Document
from mtqa.errors import InputError, MtqaError
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


# Documents whose model requests are answered in one batched pass (the first batches are smaller)
BATCH_SIZE = 16


def active_rules(config: Config, lm_available: bool) -> list[Rule]:
    return [r for r in selected_rules(config.select, config.ignore) if lm_available or not r.needs_lm]


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (code, span): detectors sharing an engine may report a span twice. And of
    two findings of one category on the same span, one that suggests nothing gives way to one that
    suggests a fix (a name that the other copies spell otherwise is also a word they do not carry):
    the reader gets one finding there, the one that can be applied."""
    seen: dict[tuple, Finding] = {}
    for f in findings:
        seen.setdefault((f.code, f.start, f.end), f)
    fixable = {(f.category, f.start, f.end) for f in seen.values() if f.suggestions}
    kept = [f for f in seen.values() if f.suggestions or (f.category, f.start, f.end) not in fixable]
    return sorted(kept, key=Finding.sort_key)


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
    if lm is None or not any(r.needs_lm and r.scope == "document" for r in rules):
        return ctx
    return Context(config=ctx.config, model=lm.answer(_model_requests(docs, rules, ctx)),
                   model_judges=ctx.model_judges)


def across_model_context(docs: list[Document], rules: list[Rule], ctx: Context, lm) -> Context:
    """``ctx`` with the model's answers to what the model-backed run-scope rules ask for ``docs``
    (one call), keeping the run's shared work (its stories)."""
    requests = _across_requests(docs, rules, ctx) if lm is not None else []
    if not requests:
        return ctx
    return Context(config=ctx.config, model=lm.answer(requests), model_judges=ctx.model_judges, memo=ctx.memo)


def _across_requests(docs: list[Document], rules: list[Rule], ctx: Context) -> list:
    return [q for r in rules if r.needs_lm and r.scope == "run" for q in requests_of(r.code)(docs, ctx)]


def detect_across(docs: list[Document], rules: list[Rule], ctx: Context, one_story: bool = False) -> dict[str, list[Finding]]:
    """Run-scope rules over every document at once (or over the copies of ``one_story``); their
    findings by document path."""
    if one_story:
        from mtqa.stories import one_story as mark

        mark(docs, ctx)
    by_path: dict[str, list[Finding]] = {}
    for rule in rules:
        if rule.scope == "run":
            for f in implementation(rule.code)(docs, ctx):
                by_path.setdefault(f.path, []).append(f)
    return by_path


def check_documents(
    docs: Iterable[Document | InputError], config: Config, lm=None, scorer=None, batch_size: int = BATCH_SIZE,
    first_batch: int = 1, stories: list[list[Document]] | None = None,
) -> Iterator[tuple[list[Document], list[Finding], list[InputError]]]:
    """Detect (and score, when a scorer is given) batch by batch, so memory stays flat on big feeds.

    When a run-scope rule (across copies) is selected, every document is read before the first
    batch is written, since any later copy can bear on an earlier one; they wait on disk, and
    the rules run a story at a time (mtqa.across). ``stories``: the caller has grouped the
    documents already (mtqa.engines): the run-scope rules see each of these stories alone, and
    no document outside them.
    """
    from mtqa.suppression import Suppressor

    use_startup_cache(config)
    rules = active_rules(config, lm is not None)
    ctx = Context(config=config, model_judges=lm is not None)
    suppressor = Suppressor.from_config(config)
    across: dict[int, list[Finding]] = {}  # each document's run-scope findings, by id(document)
    if any(r.scope == "run" for r in rules):
        from mtqa.across import by_story
        from mtqa.stories import one_story

        def story_findings(story: list[Document]) -> dict[str, list[Finding]]:
            # marked as one story before the model is asked, since the requests read its alignment
            one_story(story, ctx)
            return detect_across(story, rules, across_model_context(story, rules, ctx, lm))

        if stories is None:
            # stories grouped first, their documents set aside and taken back in order (mtqa.across)
            docs = by_story(docs, story_findings, across)
        else:
            for story in stories:
                by_path = story_findings(story)
                for d in story:
                    across[id(d)] = by_path.get(d.path, [])
    batch: list[Document] = []
    errors: list[InputError] = []
    # Without the model nothing gains from batching, so each document is written as soon as it is
    # checked. With it, batches let the model score many documents' sentences at once; they start
    # at one document and double up to batch_size, so the first findings appear at once.
    size = min(first_batch, batch_size) if lm is not None else 1

    def flush():
        # the model's computations that the batch's detectors asked for, run once for the batch
        batch_ctx = model_context(batch, rules, ctx, lm)
        checked, per_doc = [], []
        for d in batch:
            try:
                per_doc.append(_dedupe(detect(d, rules, batch_ctx) + across.pop(id(d), [])))
                checked.append(d)
            except MtqaError as exc:
                if isinstance(exc, InputError):
                    errors.append(exc)
                    continue
                raise  # a bad setting or model concerns every input: the run ends with its message
            except Exception as exc:  # noqa: BLE001 - one input's failure never costs the others
                errors.append(_check_failed(d, exc))
        for d in batch:
            d.derived.clear()  # the detectors' shared work on it, not kept by a caller keeping the document
        # suppression: a stage of its own, after detection and before the model scores anything
        per_doc = [suppressor.apply(d, fs) for d, fs in zip(checked, per_doc)]
        if scorer is not None:
            per_doc = scorer.score_batch(list(zip(checked, per_doc)))
        findings = [f for fs in per_doc for f in fs]
        return checked, findings, list(errors)

    for item in docs:
        if isinstance(item, InputError):
            errors.append(item)
            continue
        batch.append(item)
        if len(batch) >= size:
            yield flush()
            batch, errors = [], []
            if lm is not None:
                size = min(size * 2, batch_size)
    if batch or errors:
        yield flush()


def use_startup_cache(config) -> None:
    """Keep compiled patterns and word frequencies under the run's cache dir (mtqa.startup)."""
    from mtqa import startup
    from mtqa.scoring.manifest import cache_root

    configs = [config] if isinstance(config, Config) else list(config)
    if configs:
        startup.use(cache_root(configs[0].cache_dir))


def _check_failed(doc: Document, exc: Exception) -> InputError:
    err = InputError(doc.path, f"checking failed: {type(exc).__name__}: {exc}"[:500] + " (a bug in mtqa; "
                     "--debug shows the traceback)")
    err.__cause__ = exc
    err.internal = True
    return err


def _model_requests(docs: list[Document], rules: list[Rule], ctx: Context) -> list:
    model_rules = [r for r in rules if r.needs_lm and r.scope == "document"]
    return [q for d in docs for r in model_rules for q in requests_of(r.code)(d, ctx)]


def check_groups(groups: list[tuple[list[Document], Config]], lm=None, scorer=None) -> list[list[Finding] | InputError]:
    """Independent runs (a server's concurrent requests), each with its own settings, through one
    batched model pass; the findings of each group, in its order.

    Each group is detected on its own, so run-scope rules (across copies) see only its documents;
    every group's model requests are answered in one call and the findings of all groups scored
    at once, so the model gets full batches. A group whose config has ``use_lm`` off is neither
    asked of the model nor scored.

    As in check_documents, a detector that fails on one document costs only that document's
    group: its place in the result holds the InputError naming the document, and the other
    groups are checked and scored as if it had not been there.
    """
    from mtqa.suppression import Suppressor

    use_startup_cache(config for _, config in groups)
    plans = []
    for docs, config in groups:
        judged = lm is not None and config.use_lm
        ctx = Context(config=config, model_judges=judged)
        plans.append((docs, config, active_rules(config, judged), ctx))
    requests = [q for docs, _, rules, ctx in plans if ctx.model_judges
                for q in _model_requests(docs, rules, ctx) + _across_requests(docs, rules, ctx)]
    answers = lm.answer(requests) if requests else None
    per_group: list[list[list[Finding]] | InputError] = []
    to_score: list[tuple[Document, list[Finding]]] = []
    for docs, config, rules, ctx in plans:
        if ctx.model_judges:
            ctx = Context(config=config, model=answers, model_judges=True, memo=ctx.memo)
        try:
            found = _detect_group(docs, rules, ctx, Suppressor.from_config(config))
        except InputError as exc:
            per_group.append(exc)
            continue
        per_group.append(found)
        if scorer is not None and ctx.model_judges:
            to_score.extend(zip(docs, found))
    if to_score:
        scored = iter(scorer.score_batch(to_score))
        for (docs, _, _, ctx), found in zip(plans, per_group):
            if ctx.model_judges and not isinstance(found, InputError):
                found[:] = [next(scored) for _ in docs]
    return [found if isinstance(found, InputError) else [f for fs in found for f in fs] for found in per_group]


def _detect_group(docs: list[Document], rules: list[Rule], ctx: Context, suppressor) -> list[list[Finding]]:
    """One group's findings per document; a detector's failure is raised as an InputError naming
    the document (any other MtqaError, a bad setting or model, still ends the whole call)."""
    doc = docs[0] if docs else None
    try:
        across = detect_across(docs, rules, ctx) if any(r.scope == "run" for r in rules) else {}
        found = []
        for doc in docs:
            found.append(suppressor.apply(doc, _dedupe(detect(doc, rules, ctx) + across.get(doc.path, []))))
        return found
    except MtqaError:
        raise
    except Exception as exc:  # noqa: BLE001 - one caller's failure never costs the others
        raise _check_failed(doc or Document("-", ""), exc) from exc


def run(docs: Iterable[Document | InputError], config: Config, lm=None, scorer=None) -> Result:
    result = Result()
    for documents, findings, errors in check_documents(docs, config, lm=lm, scorer=scorer):
        result.documents.extend(documents)
        result.findings.extend(findings)
        result.errors.extend(errors)
    return result


def fails(result: Result, fail_on: str) -> bool:
    return fail_on != "never" and result.worst_rank() >= SEVERITY_RANK[fail_on]
