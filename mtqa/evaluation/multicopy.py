"""Cross-copy evidence on real multi-copy data: MQM zh-en, where every source segment has ten or
fifteen English translations (MT systems and, in 2020/2021, human translators).

Each translation is checked with the other translations of the same source as its copies: all
outputs of the sampled segments go into one run, and mtqa's story grouping (mtqa.stories) has to
find which belong together. The rows, on the same sample:

- ``mtqa without copies``: the run with the cross-copy rules (MTQ6xx) ignored, which is what mtqa
  reports on each translation alone;
- ``mtqa with copies``: the same run with them;
- ``perplexity baseline``: words above a surprisal threshold (tuned on the development set), with
  the model only.

Spans are scored against the expert spans (targeted categories and all, exact and partial) with
mtqa.evaluation.metrics, and false alarms are counted per 1,000 words on the human translations'
text outside every rater's MQM spans (a human translation's unmarked text is taken as correct).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Sequence

from mtqa.config import Config
from mtqa.document import Document
from mtqa.evaluation.benchmarks import Log, _system_result, perplexity_baseline, run_mtqa, segment_score
from mtqa.evaluation.datasets import BENCHMARKS, Segment, targeted_categories
from mtqa.evaluation.spans import PredSpan
from mtqa.pipeline import active_rules

CROSS_COPY = ("MTQ6",)


def is_human(system: str) -> bool:
    return system.lower().startswith(("human", "ref."))


def false_alarms(segments: Sequence[Segment], preds: dict[str, list[PredSpan]], humans_only: bool = True) -> dict:
    """Predicted spans that overlap no rater's gold span, per 1,000 words of the translations."""
    words = fa = 0
    for seg in segments:
        if humans_only and not is_human(seg.system):
            continue
        words += len(seg.text.split())
        gold = [(g.start, g.end) for spans in seg.spans for g in spans]
        for p in preds.get(seg.key, []):
            if not any(p.start < e and s < p.end for s, e in gold) and not (p.start == p.end and any(
                    s <= p.start <= e for s, e in gold)):
                fa += 1
    return {"words": words, "false_alarms": fa, "per_1000": 1000 * fa / words if words else None}


def code_breakdown(segments: Sequence[Segment], preds: dict[str, list[PredSpan]], targets: set[str]) -> dict:
    """Per code: findings, those overlapping a rater's span of a targeted category, and false
    alarms on human translations (outside every rater's spans), so that one rule's share of the
    row's precision and false alarms is visible."""
    out: dict[str, dict[str, int]] = {}
    for seg in segments:
        gold = [(g.start, g.end, g.category) for spans in seg.spans for g in spans]
        for p in preds.get(seg.key, []):
            row = out.setdefault(p.code, {"findings": 0, "in_targeted_gold": 0, "human_false_alarms": 0})
            row["findings"] += 1
            hits = [c for s, e, c in gold if (p.start < e and s < p.end) or (p.start == p.end and s <= p.start <= e)]
            row["in_targeted_gold"] += any(c in targets for c in hits)
            row["human_false_alarms"] += is_human(seg.system) and not hits
    return dict(sorted(out.items()))


def eval_multicopy(name: str, config: Config, lm=None, scorer=None, limit: int | None = None,
                   ppl_threshold: float | None = None, log: Log = print) -> dict:
    bench = BENCHMARKS[name]
    started = time.perf_counter()
    segments = bench["read"](limit)
    docs = [Document(s.key, s.text) for s in segments]
    groups = {s.group for s in segments}
    log(f"{name}: {len(segments)} translations of {len(groups)} source segments")
    with_copies = run_mtqa(docs, config, lm, scorer)
    without = run_mtqa(docs, replace(config, ignore=tuple(config.ignore) + CROSS_COPY), lm, scorer)
    cats = {r.category for r in active_rules(config, lm is not None)}
    targets = targeted_categories(cats)
    rows = [("mtqa without copies", without), ("mtqa with copies", with_copies)]
    systems, fa = [], {}
    for label, preds in rows:
        systems.append(_system_result(label, segments, preds, targets, [segment_score(preds[s.key]) for s in segments]))
        fa[label] = {"human": false_alarms(segments, preds), "all": false_alarms(segments, preds, humans_only=False)}
    cross = {}
    for ps in with_copies.values():
        for p in ps:
            if p.code.startswith("MTQ6"):
                cross[p.code] = cross.get(p.code, 0) + 1
    by_code = code_breakdown(segments, with_copies, targets)
    if lm is not None:
        base, surps, ppl_threshold = perplexity_baseline(lm, segments, docs, ppl_threshold)
        systems.append(_system_result("perplexity baseline", segments, base, targets, [sp.mean_token for sp in surps]))
        fa["perplexity baseline"] = {"human": false_alarms(segments, base),
                                     "all": false_alarms(segments, base, humans_only=False)}
    return {"name": name, "role": bench["role"], "segments": len(segments), "sources": len(groups),
            "annotations": sum(len(s.raters) for s in segments),
            "gold_spans": sum(len(sp) for s in segments for sp in s.spans),
            "human_translations": sum(1 for s in segments if is_human(s.system)),
            "targeted_categories": sorted(targets), "limit": limit, "ppl_threshold": ppl_threshold,
            "systems": systems, "false_alarms": fa, "cross_copy_findings": cross, "by_code": by_code,
            "seconds": time.perf_counter() - started}


def table(results: list[dict]) -> str:
    """One Markdown table: each benchmark's rows side by side."""
    from mtqa.evaluation.report import fmt

    head = ("| set | sources, translations | row | targeted P / R / F1 (partial) | targeted F1 exact | "
            "all-category F1 partial / exact | FA per 1k words, human translations | cross-copy findings |")
    lines = [head, "|" + "---|" * 8]
    for r in results:
        for s in r["systems"]:
            t, te = s.targeted, s.targeted_exact
            part, exact = s.overall["partial"]["all"], s.overall["exact"]["all"]
            fa = r["false_alarms"].get(s.name, {}).get("human", {})
            fa_cell = "n/a (no human translation)" if not fa.get("words") else \
                f"{fmt(fa['per_1000'], 2)} ({fa['false_alarms']} in {fa['words']:,} words)"
            cross = ", ".join(f"{k} {v}" for k, v in sorted(r["cross_copy_findings"].items())) \
                if s.name == "mtqa with copies" else ""
            lines.append(
                f"| {r['name']} ({r['role']}) | {r['sources']}, {r['segments']} | {s.name} | "
                f"{fmt(t.precision) if t else '-'} / {fmt(t.recall) if t else '-'} / {fmt(t.f1) if t else '-'} | "
                f"{fmt(te.f1) if te else '-'} | {fmt(part.f1)} / {fmt(exact.f1)} | {fa_cell} | {cross} |")
    codes = [(r["name"], code, row) for r in results for code, row in r.get("by_code", {}).items()]
    if codes:
        lines += ["", "| set | code (mtqa with copies) | findings | in a targeted expert span | false alarms on human translations |",
                  "|---|---|---|---|---|"]
        lines += [f"| {name} | {code} | {row['findings']} | {row['in_targeted_gold']} | {row['human_false_alarms']} |"
                  for name, code, row in codes]
    return "\n".join(lines)
