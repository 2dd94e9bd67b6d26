"""An annotated unified diff from each original to its text with the suggestions applied.

Every hunk header carries the codes it fixes (after the closing ``@@``, where `patch` and
`git apply` allow free text), and the lines above each file's ``---`` list every finding of the
file as ``# `` comments, those without a fix too. `patch -p0 < out.diff` applies it.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.fixes import apply_fixes, choose_fixes
from mtqa.writers.text import escape_controls, format_line


def split_lines(text: str) -> list[str]:
    """``text`` cut after each "\n" only, as `patch` and `git apply` read lines; str.splitlines
    would also cut at \r, \f, \v, \x1c-\x1e, \x85, U+2028 and U+2029 and give hunks that do not
    apply."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _range(start: int, length: int) -> str:
    # unified-diff convention: an empty range names the line before it
    return f"{start + 1 if length else start},{length}"


def _line(mark: str, line: str) -> str:
    return mark + line if line.endswith("\n") else f"{mark}{line}\n\\ No newline at end of file\n"


def diff_document(doc: Document, findings: list[Finding]) -> str:
    if not findings:
        return ""
    out = [f"# {format_line(f)}\n" for f in findings]
    fixed = apply_fixes(doc.text, findings)
    if fixed == doc.text:
        return "".join(out)
    applied = choose_fixes(findings)
    old, new = split_lines(doc.text), split_lines(fixed)
    path = escape_controls(doc.path)
    out.append(f"--- {path}\n+++ {path}\n")
    by_line: dict[int, list[Finding]] = defaultdict(list)
    for f in applied:
        by_line[f.line - 1].append(f)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(3):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        notes = [f for line in range(i1, i2) for f in by_line.get(line, [])]
        label = escape_controls("; ".join(f"{f.code} {f.message}" for f in notes))
        out.append(f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@ {label}".rstrip() + "\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out.extend(_line(" ", line) for line in old[a1:a2])
                continue
            out.extend(_line("-", line) for line in old[a1:a2])
            out.extend(_line("+", line) for line in new[b1:b2])
    return "".join(out)


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    per_doc: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        per_doc[f.path].append(f)
    for doc in docs:
        out.write(diff_document(doc, per_doc.get(doc.path, [])))
