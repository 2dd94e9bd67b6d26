"""`path:line:col: CODE severity message [-> suggestion]`, one finding a line, as compilers do."""

from __future__ import annotations

import re
from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding


# C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text on a
# terminal (bidi embeddings, overrides and isolates, marks) or break a line where no \n is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(m: re.Match) -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def escape_controls(s: str) -> str:
    """``s`` with every control and bidi character written as a visible escape (``\\x1b``,
    ``\\u202e``), so a file name or copy can neither drive the terminal nor break a line."""
    return _UNSAFE.sub(_escape_char, s)


def format_suggestion(s: str) -> str:
    return "(delete)" if s == "" else repr(s) if s != s.strip() or "\n" in s else s


def format_line(f: Finding, item: dict | None = None) -> str:
    line = f"{f.path}:{f.line}:{f.column}: {f.code} {f.severity} {f.message}"
    if f.score is not None:
        line += f" [score {f.score:.2f}]"
    if item:  # a feed item: which one (guid/URI, else link, else its number) and which field
        line += f" [item {item_label(item)}, {item.get('field') or 'text'}]"
    if f.suggestions:
        line += " -> " + " | ".join(format_suggestion(s) for s in f.suggestions)
    return escape_controls(line)


def item_label(item: dict) -> str:
    return str(item.get("id") or item.get("link") or f"#{item['n']}")


_SEVERITY_STYLE = {"critical": {"fg": "red", "bold": True}, "major": {"fg": "red"}, "minor": {"fg": "yellow"}}


def colour(line: str, f: Finding) -> str:
    """The line with its location dim, code bold, severity coloured and suggestion green (ANSI)."""
    import click

    head = f"{f.path}:{f.line}:{f.column}:"
    rest = line[len(head):]
    code_sev = f" {f.code} {f.severity} "
    if not rest.startswith(code_sev):
        return line
    body = rest[len(code_sev):]
    arrow = body.rfind(" -> ") if f.suggestions else -1
    message, fix = (body[:arrow], body[arrow:]) if arrow >= 0 else (body, "")
    return (click.style(head, dim=True) + " " + click.style(f.code, bold=True) + " "
            + click.style(f.severity, **_SEVERITY_STYLE[f.severity]) + " " + message
            + (" -> " + click.style(fix[4:], fg="green") if fix else ""))


def write(docs: list[Document], findings: list[Finding], out: TextIO, color: bool = False) -> None:
    from mtqa.writers.jsonl import item_record

    by_path = {d.path: d for d in docs}
    for f in findings:
        line = format_line(f, item_record(f, by_path.get(f.path)))
        out.write((colour(line, f) if color else line) + "\n")
