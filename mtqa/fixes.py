"""Applying suggestions to the original text, in one place for the diff writer, `mtqa fix` and tests."""

from __future__ import annotations

from typing import Iterable

from mtqa.finding import Finding


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    """(start, end) of the line holding ``offset``, without its line break."""
    s = text.rfind("\n", 0, offset) + 1
    e = text.find("\n", offset)
    return s, len(text) if e == -1 else e


def deletion_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """What deleting ``text[start:end]`` removes so that clean text is left.

    Findings report what is wrong (a leaked line, a stamp); the white space around it goes with
    it here. Whole lines take the white space after them up to the next line with text (their line
    break and any blank lines), so paragraphs keep one separator; lines at the very end take the
    white space before them instead. A deletion at the start of a line takes the spaces after it;
    one inside a line takes one neighbouring space, so no double space is left.
    """
    n = len(text)
    ls, le = line_bounds(text, start)
    _, le_end = line_bounds(text, max(start, end - 1))
    at_line_start = text[ls:start].strip() == ""
    if at_line_start and text[end:le_end].strip() == "":
        e = end
        while e < n and text[e].isspace():
            e += 1
        if e < n:
            return ls, e
        s = ls
        while s > 0 and text[s - 1].isspace():
            s -= 1
        return s, e
    if at_line_start:
        e = end
        while e < le_end and text[e] in " \t\u00a0":
            e += 1
        return ls, e
    if start > 0 and text[start - 1] in " \t" and (end >= n or text[end] in " \t\n.,;:!?"):
        return start - 1, end
    return start, end


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
    """``text`` with each chosen finding's first suggestion put in place of its span (deletions
    widened by :func:`deletion_extent`)."""
    edits = []
    for f in choose_fixes(findings):
        start, end = deletion_extent(text, f.start, f.end) if _is_deletion(f) else (f.start, f.end)
        edits.append((start, end, f.suggestions[0]))
    out, pos = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:  # overlaps the last edit: delete whatever a deletion adds beyond it
            if replacement == "":
                pos = max(pos, end)
            continue
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
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
