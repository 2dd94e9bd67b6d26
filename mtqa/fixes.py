"""Applying suggestions to the original text, in one place for the diff writer, `mtqa fix` and tests."""

from __future__ import annotations

from typing import Iterable

from mtqa.finding import Finding


def _is_deletion(f: Finding) -> bool:
    return f.suggestions[0] == ""


def choose_fixes(findings: Iterable[Finding]) -> list[Finding]:
    """The findings whose first suggestion is applied, sorted by start.

    On overlap the more severe (then the higher-scored, then the earlier) fix wins, except that
    overlapping deletions are all kept: deleting two leaked lines that share a line break deletes
    both lines.
    """
    cands = [f for f in findings if f.suggestions]
    cands.sort(key=lambda f: (-f.severity_rank, -(f.score or 0.0), f.start, f.end))
    chosen: list[Finding] = []
    for f in cands:
        clashes = [c for c in chosen if not (f.end <= c.start or f.start >= c.end)
                   or f.start == f.end == c.start]
        if all(_is_deletion(f) and _is_deletion(c) for c in clashes):
            chosen.append(f)
    return sorted(chosen, key=lambda f: (f.start, f.end))


def apply_fixes(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each chosen finding's first suggestion put in place of its span."""
    out, pos = [], 0
    for f in choose_fixes(findings):
        if f.start < pos:  # an overlapping deletion: delete whatever it adds beyond the last one
            pos = max(pos, f.end)
            continue
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
