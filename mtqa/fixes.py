"""Applying suggestions to the original text, in one place for the diff writer, `mtqa fix` and tests."""

from __future__ import annotations

from typing import Iterable

from mtqa.finding import Finding


def choose_fixes(findings: Iterable[Finding]) -> list[Finding]:
    """Non-overlapping findings that carry a suggestion; on overlap the more severe (then the
    higher-scored, then the earlier) one wins."""
    cands = [f for f in findings if f.suggestions]
    cands.sort(key=lambda f: (-f.severity_rank, -(f.score or 0.0), f.start, f.end))
    chosen: list[Finding] = []
    for f in cands:
        if all(f.end <= c.start or f.start >= c.end for c in chosen) and not any(
            f.start == f.end == c.start for c in chosen
        ):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


def apply_fixes(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each chosen finding's first suggestion put in place of its span."""
    out, pos = [], 0
    for f in choose_fixes(findings):
        out.append(text[pos : f.start])
        out.append(f.suggestions[0])
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


def review(doc_text: str, findings: Iterable[Finding], ask) -> list[Finding]:
    """Ask ``ask(finding, context) -> 'y'|'n'|'a'|'q'`` about each fix in order; return the accepted.

    'a' accepts this fix and every later one, 'q' rejects this one and every later one.
    """
    accepted: list[Finding] = []
    fixes = choose_fixes(findings)
    for i, f in enumerate(fixes):
        lo, hi = max(0, f.start - 60), min(len(doc_text), f.end + 60)
        context = (doc_text[lo:f.start], doc_text[f.start:f.end], doc_text[f.end:hi])
        answer = ask(f, context)
        if answer == "y":
            accepted.append(f)
        elif answer == "a":
            accepted.extend(fixes[i:])
            break
        elif answer == "q":
            break
    return accepted
