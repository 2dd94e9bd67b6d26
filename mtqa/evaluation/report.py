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
