"""One self-contained HTML page for reviewing a run: each document's text with its findings
highlighted where they are, and a table of the findings beside it.

The page needs nothing but a browser: no script, no external stylesheet, no fonts, and its
Content-Security-Policy allows none (only the inline stylesheet). Every piece of input text is
escaped, so copy full of leaked markup shows as text and never runs, and every name or quote
from the input sits in a <bdi>, so a right-to-left override (U+202E) in it cannot reorder the
text around it. Highlights are
cut from the same code-point offsets as every other writer's, so a highlight, a JSON line and a
diff hunk always agree. Overlapping findings share a highlight that names all of them.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import TextIO

from mtqa import __version__
from mtqa.document import Document
from mtqa.finding import SEVERITIES, Finding
from mtqa.writers.text import format_suggestion

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;word-break:break-all}
.summary td,.summary th{padding:.1em .8em;text-align:left}
.doc{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5em}
.text{white-space:pre-wrap;font-family:Georgia,serif;border-left:3px solid #ddd;padding-left:1em}
mark{border-radius:2px;padding:0 1px;unicode-bidi:isolate}.text{unicode-bidi:isolate}
mark.minor{background:#fff3b0}mark.major{background:#ffc9a8}mark.critical{background:#ff9a9a}
mark:target{outline:2px solid #05c}
table.findings{border-collapse:collapse;font-size:.9em;align-self:start}
table.findings td{border-top:1px solid #eee;padding:.3em .4em;vertical-align:top}
.sev-critical{color:#a00;font-weight:bold}.sev-major{color:#b50}.sev-minor{color:#776}
code{font-size:.95em}.fix{color:#060}.clean{color:#666}
table.copies{border-collapse:collapse;margin-top:.4em;font-size:.92em}
table.copies td,table.copies th{border:1px solid #ddd;padding:.2em .4em;vertical-align:top;text-align:left}
table.copies th{font-weight:normal;color:#555;word-break:break-all}
"""


# No script of any kind, nothing fetched: the page is data to read, whatever the copy holds.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"


def _bdi(s: str) -> str:
    return f"<bdi>{escape(s)}</bdi>"


def _pieces(text: str, findings: list[tuple[int, Finding]], cuts: set[int]) -> list[tuple[int, int, list]]:
    """``text`` cut at every finding boundary and at ``cuts``: (start, end, the findings covering
    that piece)."""
    cuts = cuts | {0, len(text)}
    for _, f in findings:
        cuts.update((f.start, f.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for a, b in zip(points, points[1:]):
        out.append((a, b, [(i, f) for i, f in findings if f.start <= a and b <= f.end]))
    return out


def _anchor(doc_no: int, i: int) -> str:
    return f"d{doc_no}f{i}"


def _title(f: Finding) -> str:
    fix = f" → {format_suggestion(f.suggestion)}" if f.suggestions else ""
    return f"{f.code} {f.severity}: {f.message}{fix}"


def _mark(doc_no: int, covering: list[tuple[int, Finding]], starting: set[int], chunk: str) -> str:
    worst = max((f for _, f in covering), key=lambda f: f.severity_rank)
    ids = f' id="{_anchor(doc_no, min(starting))}"' if starting else ""
    title = escape("\n".join(_title(f) for _, f in covering), quote=True)
    return f'<mark class="{worst.severity}"{ids} title="{title}">{chunk}</mark>'


def _render_text(doc: Document, numbered: list[tuple[int, Finding]], doc_no: int) -> str:
    # An empty span (a point where something is missing) shows as a caret where it sits.
    points: dict[int, list[tuple[int, Finding]]] = defaultdict(list)
    for i, f in numbered:
        if f.start == f.end:
            points[f.start].append((i, f))
    spans = [(i, f) for i, f in numbered if f.start < f.end]
    out = []

    def carets(at: int) -> None:
        if points.get(at):
            out.append(_mark(doc_no, points[at], {i for i, _ in points[at]}, "‸"))

    for a, b, covering in _pieces(doc.text, spans, set(points)):
        carets(a)
        chunk = escape(doc.text[a:b])
        out.append(_mark(doc_no, covering, {i for i, f in covering if f.start == a}, chunk) if covering else chunk)
    carets(len(doc.text))
    return "".join(out)


def _copies(doc: Document, f: Finding) -> str:
    """For a finding backed by other copies of the story: this copy's sentence and the other
    copies' aligned sentences side by side (from the finding's evidence; nothing is re-aligned)."""
    copies = f.evidence.get("copies") if isinstance(f.evidence, dict) else None
    if not copies:
        return ""
    here = f.evidence.get("sentence") or {}
    mine = doc.text[here["start"]:here["end"]] if "start" in here else ""
    cols = [("this copy", mine)] + [
        (c.get("path", "?") + (" (reference)" if c.get("reference") else ""), c.get("sentence", "")) for c in copies]
    head = "".join(f"<th>{_bdi(p)}</th>" for p, _ in cols)
    cells = "".join(f"<td>{_bdi(t)}</td>" for _, t in cols)
    return f'<table class="copies"><tr>{head}</tr><tr>{cells}</tr></table>'


def _render_doc(doc: Document, findings: list[Finding], doc_no: int) -> str:
    numbered = list(enumerate(findings))
    rows = []
    for i, f in numbered:
        fix = ""
        if f.suggestions:
            fix = f'<span class="fix">→ {_bdi(" | ".join(format_suggestion(s) for s in f.suggestions))}</span>'
        score = "" if f.score is None else f"{f.score:.2f}"
        rows.append(
            f'<tr><td><a href="#{_anchor(doc_no, i)}">{f.line}:{f.column}</a></td>'
            f'<td><code>{f.code}</code><br><span class="sev-{f.severity}">{f.severity}</span></td>'
            f"<td>{score}</td><td><q>{_bdi(f.text)}</q> {fix}<br>{_bdi(f.message)}"
            f"{_copies(doc, f)}</td></tr>"
        )
    table = ('<table class="findings"><tr><th>where</th><th>code</th><th>score</th><th>finding</th></tr>'
             + "".join(rows) + "</table>")
    return (f'<section><h2>{_bdi(doc.path)} <small>({len(findings)} finding{"s" * (len(findings) != 1)})'
            f'</small></h2><div class="doc"><div class="text">{_render_text(doc, numbered, doc_no)}</div>'
            f"{table}</div></section>\n")


def write(docs: list[Document], findings: list[Finding], out: TextIO, signature: str | None = None) -> None:
    """The whole page for one run (it is written once, when the run ends), with the run's
    signature in its footer when one is given."""
    per_doc: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        per_doc[f.path].append(f)
    by_sev = {s: sum(1 for f in findings if f.severity == s) for s in reversed(SEVERITIES)}
    flagged = [d for d in docs if per_doc.get(d.path)]
    clean = [d for d in docs if not per_doc.get(d.path)]
    out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
              f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
              f"<title>mtqa report: {len(findings)} findings in {len(flagged)} of {len(docs)} documents</title>"
              f"<style>{_CSS}</style></head><body>\n")
    out.write(f"<h1>mtqa {escape(__version__)} report</h1>\n<table class=\"summary\">"
              f"<tr><th>documents</th><td>{len(docs)}</td><th>with findings</th><td>{len(flagged)}</td></tr>"
              + "".join(f'<tr><th class="sev-{s}">{s}</th><td>{n}</td></tr>' for s, n in by_sev.items())
              + "</table>\n")
    for doc_no, doc in enumerate(flagged):
        out.write(_render_doc(doc, per_doc[doc.path], doc_no))
    if clean:
        out.write('<h2>No findings</h2><ul class="clean">'
                  + "".join(f"<li>{_bdi(d.path)}</li>" for d in clean) + "</ul>\n")
    if signature:
        out.write(f'<footer class="signature"><code>{escape(signature)}</code></footer>\n')
    out.write("</body></html>\n")
