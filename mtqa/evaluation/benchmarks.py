"""The evaluation runs behind scripts/eval_*.py and scripts/make_results_table.py.

- :func:`eval_seeds`: mtqa on ../shared/seeds against corpora/gold/seeds.jsonl.
- :func:`eval_mqm`: mtqa on expert-annotated MT output (MQM zh-en 2020/2021/2023, WMT23 QE
  zh-en/he-en): span P/R/F1 for the categories mtqa targets and overall, and the AUROC of the
  segment-level "has a major error" judgement from mtqa's highest score, next to a plain
  perplexity baseline from the same model.
- :func:`eval_clean_news`: false alarms per 1,000 words on human-written English news.

Every result carries a signature. Nothing here is copied from the data; it is read in place.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

import regex

from mtqa.config import Config
from mtqa.document import Document
from mtqa.evaluation.datasets import BENCHMARKS, CLEAN_NEWS, Segment, targeted_categories
from mtqa.evaluation.gold import GoldSpan
from mtqa.evaluation.metrics import PRF, auroc, evaluate, prf
from mtqa.evaluation.spans import PredSpan, match
from mtqa.pipeline import active_rules, run

Log = Callable[[str], None]

# Segment score from a finding without a model score: its severity, ranked.
SEVERITY_SCORE = {"minor": 1.0, "major": 2.0, "critical": 3.0}


# ---- the model, when there is one ----------------------------------------------------------

def open_lm(config: Config, log: Log) -> tuple[Any, Any]:
    """(lm, scorer) from mtqa.scoring.runtime.open_model (as `mtqa check`), or (None, None) with --no-lm."""
    if not config.use_lm:
        return None, None
    from mtqa.scoring.runtime import open_model

    return open_model(config, log=log)


def model_label(lm, scorer) -> str:
    from mtqa.evaluation.signature import describe_model

    return describe_model(lm, scorer)


# ---- the perplexity baseline ---------------------------------------------------------------

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]")


@dataclass
class Surprisal:
    """Per-word surprisal (nats) of one document, and its mean token surprisal."""

    words: list[tuple[int, int, float]]
    mean_token: float


CHUNK_CHARS = 800  # about 200 tokens: under the model's 256-token limit for one scored text
CONTEXT_CHARS = 300  # the text before a chunk that the model sees (about 70 tokens)


def chunks(doc: Document) -> list[tuple[int, int]]:
    """Runs of whole sentences of at most CHUNK_CHARS (a longer sentence is a chunk of its own)."""
    out: list[tuple[int, int]] = []
    for s in doc.sentences:
        if out and s.end - out[-1][0] <= CHUNK_CHARS and "\n\n" not in doc.text[out[-1][1]:s.start]:
            out[-1] = (out[-1][0], s.end)
        else:
            out.append((s.start, s.end))
    return out


def surprisal(lm, docs: Sequence[Document]) -> list[Surprisal]:
    """Token surprisal of the text, scored in chunks of sentences within a paragraph after a short
    context, summed into words (letter/digit runs, or single punctuation marks)."""
    items, owners = [], []
    for d, doc in enumerate(docs):
        for start, end in chunks(doc):
            items.append((doc.text[max(0, start - CONTEXT_CHARS):start], doc.text[start:end]))
            owners.append((d, start))
    scores = lm.score(items) if items else []
    per_doc_tokens: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for (d, base), ts in zip(owners, scores):
        for a, b, lp in zip(ts.starts, ts.ends, ts.logprobs):
            per_doc_tokens[d].append((base + int(a), base + int(b), -float(lp)))
    out = []
    for d, doc in enumerate(docs):
        toks = per_doc_tokens.get(d, [])
        words = [(m.start(), m.end(), 0.0) for m in _TOKEN.finditer(doc.text)]
        starts = [w[0] for w in words]
        acc = [0.0] * len(words)
        for a, b, s in toks:
            # a token belongs to the word holding its first non-space character
            a2 = a
            while a2 < b and doc.text[a2].isspace():
                a2 += 1
            if a2 >= b:  # a token of white space alone belongs to no word
                continue
            i = bisect.bisect_right(starts, a2) - 1
            if i >= 0 and a2 < words[i][1]:
                acc[i] += s
        mean = sum(t[2] for t in toks) / len(toks) if toks else 0.0
        out.append(Surprisal([(w[0], w[1], acc[i]) for i, w in enumerate(words)], mean))
    return out


def baseline_spans(doc: Document, surp: Surprisal, threshold: float) -> list[PredSpan]:
    """Words above ``threshold`` nats, adjacent ones (only white space between) merged into one span."""
    out: list[PredSpan] = []
    cur: list[int] | None = None
    for s, e, v in surp.words:
        if v > threshold:
            if cur is not None and not doc.text[cur[1]:s].strip():
                cur[1] = e
                cur[2] = max(cur[2], v)
            else:
                if cur is not None:
                    out.append(PredSpan(doc.path, cur[0], cur[1], "fluency", "major", "PPL", cur[2]))
                cur = [s, e, v]
        elif cur is not None:
            out.append(PredSpan(doc.path, cur[0], cur[1], "fluency", "major", "PPL", cur[2]))
            cur = None
    if cur is not None:
        out.append(PredSpan(doc.path, cur[0], cur[1], "fluency", "major", "PPL", cur[2]))
    return out


def tune_threshold(docs: Sequence[Document], surps: Sequence[Surprisal], golds: Sequence[GoldSpan]) -> float:
    """The word-surprisal threshold with the best partial-match F1 on the given (dev) data."""
    values = sorted(v for s in surps for _, _, v in s.words)
    if not values:
        return math.inf
    best, best_f1 = values[-1], -1.0
    for q in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99):
        t = values[min(len(values) - 1, int(q * len(values)))]
        preds = [p for d, s in zip(docs, surps) for p in baseline_spans(d, s, t)]
        f1 = prf(preds, golds, match(preds, golds, "partial")).f1 or 0.0
        if f1 > best_f1:
            best, best_f1 = t, f1
    return best


# ---- running mtqa --------------------------------------------------------------------------

def run_mtqa(docs: Sequence[Document], config: Config, lm=None, scorer=None) -> dict[str, list[PredSpan]]:
    result = run(list(docs), config, lm=lm, scorer=scorer)
    out: dict[str, list[PredSpan]] = {d.path: [] for d in docs}
    for f in result.findings:
        out[f.path].append(PredSpan.from_finding(f))
    return out


def segment_score(preds: Sequence[PredSpan]) -> float:
    """mtqa's highest score in a segment: the model's score when findings carry one, else the
    severity rank (1 minor, 2 major, 3 critical); 0 without findings."""
    best = 0.0
    for p in preds:
        best = max(best, p.score if p.score is not None else SEVERITY_SCORE.get(p.severity, 1.0))
    return best


def perplexity_baseline(lm, segments: Sequence[Segment], docs: Sequence[Document],
                        threshold: float | None = None) -> tuple[dict[str, list[PredSpan]], list[Surprisal], float]:
    """The plain perplexity baseline's spans for ``docs`` (one per segment, in order), each
    document's surprisal, and the threshold used: tuned on these segments' gold when none is given
    (the development set), so that the caller can freeze it for the test sets."""
    surps = surprisal(lm, docs)
    if threshold is None:
        _, g_all = expand_raters(segments, {})
        threshold = tune_threshold(
            [Document(f"{s.key}#{k}", s.text) for s in segments for k in range(len(s.spans))],
            [sp for s, sp in zip(segments, surps) for _ in s.spans], g_all)
    return {d.path: baseline_spans(d, sp, threshold) for d, sp in zip(docs, surps)}, surps, threshold


def expand_raters(segments: Sequence[Segment], preds: dict[str, list[PredSpan]],
                  keep: Callable[[GoldSpan], bool] = lambda g: True) -> tuple[list[PredSpan], list[GoldSpan]]:
    """One evaluation unit per (segment, rater): the findings are repeated for each rater, so
    the numbers are micro-averages over rater annotations."""
    all_preds, all_golds = [], []
    for seg in segments:
        for k, spans in enumerate(seg.spans):
            unit = f"{seg.key}#{k}"
            all_preds.extend(PredSpan(unit, p.start, p.end, p.category, p.severity, p.code, p.score, p.text)
                             for p in preds.get(seg.key, []))
            all_golds.extend(GoldSpan(unit, g.start, g.end, g.category, g.severity) for g in spans if keep(g))
    return all_preds, all_golds


@dataclass
class SystemResult:
    name: str
    overall: dict  # evaluate() report over all gold spans
    targeted: PRF | None  # partial matching, gold restricted to targeted categories
    targeted_exact: PRF | None
    auroc: float | None
    n_flagged_segments: int


def _system_result(name, segments, preds, targets: set[str], scores: list[float]) -> SystemResult:
    p_all, g_all = expand_raters(segments, preds)
    overall = evaluate(p_all, g_all)
    targeted = targeted_exact = None
    if any(g.category != "unlabelled" for s in segments for sp in s.spans for g in sp):
        p_t, g_t = expand_raters(segments, preds, keep=lambda g: g.category in targets)
        targeted = prf(p_t, g_t, match(p_t, g_t, "partial"))
        targeted_exact = prf(p_t, g_t, match(p_t, g_t, "exact"))
    labels = [s.has_major for s in segments]
    return SystemResult(name, overall, targeted, targeted_exact, auroc(labels, scores),
                        sum(1 for s in segments if preds.get(s.key)))


def eval_mqm(name: str, config: Config, lm=None, scorer=None, limit: int | None = None,
             ppl_threshold: float | None = None, log: Log = print) -> dict:
    """mtqa (and, with a model, the perplexity baseline) on one benchmark."""
    bench = BENCHMARKS[name]
    started = time.perf_counter()
    segments = bench["read"](limit)
    docs = [Document(s.key, s.text) for s in segments]
    log(f"{name}: {len(segments)} segments, {sum(len(s.raters) for s in segments)} rater annotations")
    preds = run_mtqa(docs, config, lm, scorer)
    active_cats = {r.category for r in active_rules(config, lm is not None)}
    targets = targeted_categories(active_cats)
    systems = [_system_result("mtqa", segments, preds, targets, [segment_score(preds[s.key]) for s in segments])]
    if lm is not None:
        # the rule-based detectors alone on the same sample, to show what the model adds or removes
        plain = run_mtqa(docs, replace(config, use_lm=False))
        systems.insert(0, _system_result("mtqa --no-lm", segments, plain, targets,
                                         [segment_score(plain[s.key]) for s in segments]))
        base, surps, ppl_threshold = perplexity_baseline(lm, segments, docs, ppl_threshold)
        # scored on the same targeted categories as mtqa, so the two rows compare like with like
        systems.append(_system_result("perplexity baseline", segments, base, targets,
                                      [sp.mean_token for sp in surps]))
    gold_cats = Counter(g.category for s in segments for sp in s.spans for g in sp)
    return {"name": name, "role": bench["role"], "segments": len(segments),
            "annotations": sum(len(s.raters) for s in segments), "gold_spans": sum(gold_cats.values()),
            "gold_categories": dict(gold_cats), "targeted_categories": sorted(targets & set(gold_cats)),
            "major_segments": sum(s.has_major for s in segments), "limit": limit,
            "ppl_threshold": ppl_threshold, "systems": systems, "seconds": time.perf_counter() - started}


# ---- clean news ----------------------------------------------------------------------------

def read_clean_news(limit: int | None = None) -> list[Document]:
    import json

    docs = []
    with open(CLEAN_NEWS, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            docs.append(Document(f"clean/{rec['doc_id']}", rec["text"]))
    docs.sort(key=lambda d: d.path)
    return docs if limit is None else docs[:limit]


def eval_clean_news(config: Config, lm=None, scorer=None, limit: int | None = None,
                    ppl_threshold: float | None = None, log: Log = print) -> dict:
    """False alarms per 1,000 words, per detector code (every finding here is a false alarm)."""
    started = time.perf_counter()
    docs = read_clean_news(limit)
    words = sum(len(d.text.split()) for d in docs)
    log(f"clean news: {len(docs)} documents, {words} words")
    preds = run_mtqa(docs, config, lm, scorer)
    per_code = Counter(p.code for ps in preds.values() for p in ps)
    examples: dict[str, list[str]] = defaultdict(list)
    for ps in preds.values():
        for p in ps:
            if len(examples[p.code]) < 3:
                examples[p.code].append(p.text or "")
    from mtqa.evaluation.signature import active_detector_codes

    codes = active_detector_codes(config, lm is not None)
    baseline = plain_total = None
    if lm is not None:
        plain_total = sum(len(ps) for ps in run_mtqa(docs, replace(config, use_lm=False)).values())
    if lm is not None and ppl_threshold is not None:
        surps = surprisal(lm, docs)
        baseline = sum(len(baseline_spans(d, s, ppl_threshold)) for d, s in zip(docs, surps))
    return {"documents": len(docs), "words": words, "codes": codes, "per_code": dict(per_code),
            "examples": dict(examples), "docs_flagged": sum(1 for ps in preds.values() if ps),
            # what a desk sees: articles a default `mtqa check --fail-on major` would fail
            "docs_failing_major": sum(1 for ps in preds.values()
                                      if any(p.severity in ("major", "critical") for p in ps)),
            "major_per_code": dict(Counter(p.code for ps in preds.values() for p in ps
                                           if p.severity in ("major", "critical"))),
            "baseline_spans": baseline, "no_lm_total": plain_total, "seconds": time.perf_counter() - started}


# ---- the seed gold -------------------------------------------------------------------------

def eval_seeds(config: Config, gold_path: Path, seeds_dir: Path, lm=None, scorer=None,
               ppl_threshold: float | None = None) -> dict:
    from mtqa.evaluation.gold import check_against_texts, read_gold
    from mtqa.evaluation.spans import align_docs
    from mtqa.readers import read_all

    golds = read_gold(gold_path)
    docs = [d for d in read_all([str(seeds_dir)], config.max_bytes) if isinstance(d, Document)]
    texts = {Path(d.path).name: d.text for d in docs}
    problems = check_against_texts(golds, texts)
    if problems:
        raise SystemExit("seed gold does not match the seeds:\n" + "\n".join(problems))
    preds = run_mtqa(docs, config, lm, scorer)
    flat = align_docs([p for ps in preds.values() for p in ps], texts)
    out = {"documents": len(docs), "gold": len(golds), "report": evaluate(flat, golds), "baseline": None}
    if lm is not None and ppl_threshold is not None:
        surps = surprisal(lm, docs)
        base = align_docs([p for d, s in zip(docs, surps) for p in baseline_spans(d, s, ppl_threshold)], texts)
        out["baseline"] = evaluate(base, golds)
    return out
