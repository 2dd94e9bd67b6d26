"""Cross-copy evidence on real multi-copy data: MQM zh-en, where every source segment has ten or
fifteen English translations (MT systems and, in 2020/2021, human translators).

Each translation is checked with the other translations of the same source as its copies: all
outputs of the sampled segments go into one run, and mtqa's story grouping (mtqa.stories) has to
find which belong together. The rows, on the same sample:

- ``mtqa without copies``: the run with the cross-copy rules (MTQ6xx) ignored, which is what mtqa
  reports on each translation alone;
- ``mtqa with copies``: the same run with them;
- ``perplexity baseline``: words above a surprisal threshold (tuned on the development set), with
  the model only;
- ``mtqa with copies and an English original``: the same run with one human translation of each
  source declared the reference (the first by system name, as ``--reference`` declares it), which is
  how a desk holding the English original runs mtqa. The reference translations are not checked:
  spans are scored on every other translation, and false alarms counted on the other human
  translations (which are not references); ``perplexity baseline, same translations`` is the
  baseline on those same translations. Sets without two human translations of a source have no
  such rows.

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
REFERENCE_ROW = "mtqa with copies and an English original"
REFERENCE_BASELINE = "perplexity baseline, same translations"


def is_human(system: str) -> bool:
    return system.lower().startswith(("human", "ref."))


def references(segments: Sequence[Segment]) -> set[str]:
    """One human translation of each source that has two or more, declared the reference (the
    English original of the desk): the first by system name."""
    humans: dict[str, list[Segment]] = {}
    for seg in segments:
        if is_human(seg.system):
            humans.setdefault(seg.group, []).append(seg)
    return {min(segs, key=lambda s: s.system).key for segs in humans.values() if len(segs) >= 2}


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
            if p.code.startswith(CROSS_COPY):
                cross[p.code] = cross.get(p.code, 0) + 1
    by_code = {"mtqa with copies": code_breakdown(segments, with_copies, targets)}
    refs = references(segments)
    checked = [s for s in segments if s.key not in refs]
    if refs:
        with_ref = run_mtqa(docs, replace(config, reference=tuple(sorted(refs))), lm, scorer)
        systems.append(_system_result(REFERENCE_ROW, checked, with_ref, targets,
                                      [segment_score(with_ref[s.key]) for s in checked]))
        fa[REFERENCE_ROW] = {"human": false_alarms(checked, with_ref),
                             "all": false_alarms(checked, with_ref, humans_only=False)}
        by_code[REFERENCE_ROW] = code_breakdown(checked, with_ref, targets)
    if lm is not None:
        base, surps, ppl_threshold = perplexity_baseline(lm, segments, docs, ppl_threshold)
        systems.append(_system_result("perplexity baseline", segments, base, targets, [sp.mean_token for sp in surps]))
        fa["perplexity baseline"] = {"human": false_alarms(segments, base),
                                     "all": false_alarms(segments, base, humans_only=False)}
        if refs:
            surp = dict(zip((s.key for s in segments), surps))
            systems.append(_system_result(REFERENCE_BASELINE, checked, base, targets,
                                          [surp[s.key].mean_token for s in checked]))
            fa[REFERENCE_BASELINE] = {"human": false_alarms(checked, base),
                                      "all": false_alarms(checked, base, humans_only=False)}
    return {"name": name, "role": bench["role"], "segments": len(segments), "sources": len(groups),
            "annotations": sum(len(s.raters) for s in segments),
            "gold_spans": sum(len(sp) for s in segments for sp in s.spans),
            "human_translations": sum(1 for s in segments if is_human(s.system)), "references": len(refs),
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
            by = r.get("by_code", {}).get(s.name, {})
            cross = ", ".join(f"{k} {v['findings']}" for k, v in by.items() if k.startswith(CROSS_COPY))
            lines.append(
                f"| {r['name']} ({r['role']}) | {r['sources']}, {r['segments']} | {s.name} | "
                f"{fmt(t.precision) if t else '-'} / {fmt(t.recall) if t else '-'} / {fmt(t.f1) if t else '-'} | "
                f"{fmt(te.f1) if te else '-'} | {fmt(part.f1)} / {fmt(exact.f1)} | {fa_cell} | {cross} |")
    codes = [(r["name"], label, code, row, _human_words(r, label)) for r in results
             for label, by in r.get("by_code", {}).items() for code, row in by.items()]
    if codes:
        lines += ["", "| set | row | code | findings | in a targeted expert span | "
                      "false alarms on human translations (per 1k words) |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {name} | {label} | {code} | {row['findings']} | {row['in_targeted_gold']} | "
                  f"{row['human_false_alarms']}{_per_1000(row['human_false_alarms'], words)} |"
                  for name, label, code, row, words in codes]
    return "\n".join(lines)


def _human_words(result: dict, label: str) -> int:
    return result["false_alarms"].get(label, {}).get("human", {}).get("words") or 0


def _per_1000(n: int, words: int) -> str:
    return f" ({1000 * n / words:.2f})" if words else ""


DEV = "newstest2020-zhen"  # the cross-copy rules are calibrated on it alone


def calibration_parser(description: str, default_limit: int):
    """The options every cross-copy calibration script takes."""
    import argparse

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--limit", type=int, default=default_limit,
                    help=f"source segments of the development set (default {default_limit})")
    ap.add_argument("--cache-dir", default=None, help="score cache (default: mtqa's own)")
    ap.add_argument("--max-fa", type=float, default=1.0, help="false alarms per 1,000 words of human translation")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write models/calibration.json")
    return ap


def development_copies(script: str, limit: int, cache_dir: str | None, log: Log):
    """(config, model, segments, documents): every translation of ``limit`` development sources,
    each a document, and the model that a calibration needs (the script stops without one)."""
    import sys

    from mtqa.config import build_config
    from mtqa.evaluation.benchmarks import open_lm

    config = build_config(cache_dir=cache_dir)
    lm, _ = open_lm(config, log)
    if lm is None:
        sys.exit(f"{script}: the model is needed")
    segments = BENCHMARKS[DEV]["read"](limit)
    return config, lm, segments, [Document(s.key, s.text) for s in segments]
