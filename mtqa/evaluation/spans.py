"""Predicted spans, and one-to-one matching of predicted against gold spans.

Two matching modes:

- ``exact``: same document, same start and end.
- ``partial``: same document and the spans share at least one code point. An empty span (an
  insertion point ``p``) overlaps a span ``[s, e)`` when ``s <= p <= e``; two empty spans overlap
  when they are at the same point.

Matching is one-to-one (a maximum bipartite matching per document, preferring larger overlaps),
so one long finding cannot claim every gold span it touches, and two findings on one gold span
count once as a hit and once as a false alarm. With ``same_category`` only spans of the same
category may match.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from mtqa.errors import InputError
from mtqa.evaluation.gold import GoldSpan

MODES = ("exact", "partial")


@dataclass(frozen=True)
class PredSpan:
    """What the evaluation needs of a finding."""

    doc: str
    start: int
    end: int
    category: str
    severity: str
    code: str = ""
    score: float | None = None
    text: str | None = None

    @classmethod
    def from_finding(cls, f, doc: str | None = None) -> "PredSpan":
        return cls(doc or f.path, f.start, f.end, f.category, f.severity, f.code, f.score, f.text)

    @classmethod
    def from_json(cls, rec: Mapping, doc: str | None = None) -> "PredSpan":
        return cls(doc or rec["path"], int(rec["start"]), int(rec["end"]), rec["category"], rec["severity"],
                   rec.get("code", ""), rec.get("score"), rec.get("text"))


def read_findings(path: str | Path) -> list[PredSpan]:
    """PredSpans from an `mtqa check --format jsonl` file."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append(PredSpan.from_json(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(str(path), f"line {n}: not a finding record ({exc})") from None
    return out


def align_docs(preds: Sequence[PredSpan], gold_docs: Iterable[str]) -> list[PredSpan]:
    """Rename each prediction's doc to the gold doc it refers to: the same string, or else the
    gold doc equal to the prediction path's file name (gold names files, runs name paths)."""
    gold_docs = set(gold_docs)
    out = []
    for p in preds:
        if p.doc not in gold_docs:
            name = Path(p.doc).name
            if name in gold_docs:
                p = PredSpan(name, p.start, p.end, p.category, p.severity, p.code, p.score, p.text)
        out.append(p)
    return out


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int | None:
    """Shared code points of two spans, 0 when they only meet at an insertion point, None when apart."""
    if a_start == a_end or b_start == b_end:
        if a_start == a_end and b_start == b_end:
            return 0 if a_start == b_start else None
        p, (s, e) = (a_start, (b_start, b_end)) if a_start == a_end else (b_start, (a_start, a_end))
        return 0 if s <= p <= e else None
    shared = min(a_end, b_end) - max(a_start, b_start)
    return shared if shared > 0 else None


def _edge(p: PredSpan, g: GoldSpan, mode: str, same_category: bool) -> int | None:
    if same_category and p.category != g.category:
        return None
    if mode == "exact":
        return (g.end - g.start) if (p.start, p.end) == (g.start, g.end) else None
    if mode == "partial":
        return overlap(p.start, p.end, g.start, g.end)
    raise ValueError(f"unknown matching mode {mode!r}; known: {', '.join(MODES)}")


def match(preds: Sequence[PredSpan], golds: Sequence[GoldSpan], mode: str = "partial",
          same_category: bool = False) -> list[tuple[int, int]]:
    """A maximum one-to-one matching as (pred index, gold index) pairs."""
    by_doc_gold: dict[str, list[int]] = defaultdict(list)
    for j, g in enumerate(golds):
        by_doc_gold[g.doc].append(j)
    by_doc_pred: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(preds):
        by_doc_pred[p.doc].append(i)
    pairs: list[tuple[int, int]] = []
    for doc, pred_ids in by_doc_pred.items():
        gold_ids = by_doc_gold.get(doc)
        if not gold_ids:
            continue
        adj: dict[int, list[int]] = {}
        for i in pred_ids:
            edges = []
            for j in gold_ids:
                w = _edge(preds[i], golds[j], mode, same_category)
                if w is not None:
                    edges.append((-w, golds[j].start, j))
            if edges:
                adj[i] = [j for _, _, j in sorted(edges)]
        gold_owner: dict[int, int] = {}

        def augment(i: int, seen: set[int]) -> bool:
            # Kuhn's augmenting path; tries the largest overlap first.
            for j in adj[i]:
                if j in seen:
                    continue
                seen.add(j)
                if j not in gold_owner or augment(gold_owner[j], seen):
                    gold_owner[j] = i
                    return True
            return False

        for i in sorted(adj, key=lambda i: (preds[i].start, preds[i].end, i)):
            augment(i, set())
        pairs.extend((i, j) for j, i in gold_owner.items())
    return sorted(pairs)
