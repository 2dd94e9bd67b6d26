"""Rendering evaluation results as Markdown tables (pasted into README.md as they are)."""

from __future__ import annotations

from typing import Iterable, Sequence

from mtqa.evaluation.metrics import PRF


def fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def _prf_cells(m: PRF) -> list[str]:
    return [fmt(m.precision), fmt(m.recall), fmt(m.f1)]


def span_table(report: dict) -> str:
    """One row per slice: exact and partial P/R/F1, with the counts behind them."""
    ex, pa = report["exact"], report["partial"]
    rows = []

    def add(label: str, e: PRF, p: PRF) -> None:
        rows.append([label, *_prf_cells(e), *_prf_cells(p), p.n_pred, p.n_gold])

    add("**all** (any category)", ex["all"], pa["all"])
    add("all, same category", ex["all_same_category"], pa["all_same_category"])
    for cat in pa["by_category"]:
        add(f"category: {cat}", ex["by_category"][cat], pa["by_category"][cat])
    for sev in pa["by_severity"]:
        add(f"severity: {sev}", ex["by_severity"][sev], pa["by_severity"][sev])
    return table(["slice", "exact P", "exact R", "exact F1", "partial P", "partial R", "partial F1",
                  "findings", "gold"], rows)


def code_table(report: dict) -> str:
    """Precision of each detector code (category-blind matching)."""
    ex, pa = report["exact"]["by_code"], report["partial"]["by_code"]
    rows = [[code or "?", pa[code].n_pred, ex[code].pred_hits, pa[code].pred_hits,
             fmt(ex[code].precision), fmt(pa[code].precision)] for code in pa]
    return table(["code", "findings", "exact hits", "partial hits", "exact P", "partial P"], rows)


def mqm_table(results: list[dict]) -> str:
    """One row per benchmark and system: targeted and overall span scores, and AUROC."""
    rows = []
    for r in results:
        for sysres in r["systems"]:
            o = sysres.overall
            t, te = sysres.targeted, sysres.targeted_exact
            rows.append([
                f"{r['name']} ({r['role']})", sysres.name, r["segments"], r["gold_spans"],
                "–" if te is None else fmt(te.f1),
                "–" if t is None else f"{fmt(t.precision)} / {fmt(t.recall)} / {fmt(t.f1)}",
                fmt(o["exact"]["all"].f1),
                f"{fmt(o['partial']['all'].precision)} / {fmt(o['partial']['all'].recall)} / {fmt(o['partial']['all'].f1)}",
                o["partial"]["all"].n_pred, fmt(sysres.auroc),
            ])
    return table(["benchmark", "system", "segments", "gold spans", "targeted exact F1",
                  "targeted partial P / R / F1", "all exact F1", "all partial P / R / F1", "spans flagged",
                  "AUROC major"], rows)


SHORT = {"mtqa --no-lm": "rules only", "mtqa": "mtqa", "perplexity baseline": "ppl"}


def mqm_category_table(results: list[dict]) -> str:
    """Recall per (mapped) gold category, partial and category-blind, for mtqa and the baseline."""
    cats = sorted({c for r in results for c in r["gold_categories"]})
    names = [s.name for s in results[0]["systems"]] if results else []
    header = ["gold category"]
    for r in results:
        header += [f"{r['name']} n"] + [f"R {SHORT.get(n, n)}" for n in names]
    rows = []
    for c in cats:
        row = [c]
        for r in results:
            row.append(r["gold_categories"].get(c, 0))
            for s in r["systems"]:
                m = s.overall["partial"]["by_category_any"].get(c)
                row.append(fmt(m.recall) if m else "–")
        rows.append(row)
    return table(header, rows)


def clean_news_table(res: dict) -> str:
    words = res["words"]
    rows = []
    for code in res["codes"]:
        n = res["per_code"].get(code, 0)
        ex = ", ".join(repr(t)[:40] for t in res["examples"].get(code, []))
        rows.append([code, n, f"{1000 * n / words:.3f}", ex])
    total = sum(res["per_code"].values())
    rows.append(["**all mtqa**", total, f"{1000 * total / words:.3f}", f"{res['docs_flagged']} of {res['documents']} documents"])
    if "docs_failing_major" in res:
        majors = ", ".join(f"{c} {n}" for c, n in sorted(res.get("major_per_code", {}).items()))
        rows.append(["documents failing --fail-on major", res["docs_failing_major"], "",
                     f"of {res['documents']}; major findings: {majors or 'none'}"])
    if res.get("no_lm_total") is not None:
        n = res["no_lm_total"]
        rows.append(["mtqa --no-lm (same documents)", n, f"{1000 * n / words:.3f}", ""])
    if res.get("baseline_spans") is not None:
        b = res["baseline_spans"]
        rows.append(["perplexity baseline", b, f"{1000 * b / words:.3f}", "same threshold as on the dev set"])
    return table(["code", "false alarms", "per 1,000 words", "examples"], rows)
