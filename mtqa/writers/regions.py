"""Where a finding is, in the terms CI formats use: the file, 1-based line and column ranges, and
for a feed item the item itself (its offsets point into the item's extracted text, not the file)."""

from __future__ import annotations

from dataclasses import dataclass

from mtqa.document import Document
from mtqa.finding import Finding


@dataclass(frozen=True)
class Region:
    file: str  # the file as given (for a feed item, the feed file)
    start_line: int
    start_column: int  # code points, 1-based
    end_line: int
    end_column: int  # code points, 1-based, the position just after the span
    item: dict | None  # the feed item (n, guid/link/uri, field) when the finding is in one


def feed_item(doc: Document | None) -> dict | None:
    return doc.meta.get("item") if doc is not None else None


def region(f: Finding, doc: Document | None) -> Region:
    item = feed_item(doc)
    file = item["file"] if item else f.path
    if doc is None:
        return Region(file, f.line, f.column, f.line, f.column + (f.end - f.start), item)
    # the span itself (Finding.column skips a leading space, for people; tools want the span)
    start_line, start_column = doc.line_col(f.start)
    end_line, end_column = doc.line_col(f.end)
    return Region(file, start_line, start_column, end_line, end_column, item)


def by_path(docs: list[Document]) -> dict[str, Document]:
    return {d.path: d for d in docs}


# mtqa's three severities on the two or three levels CI tools show; "major" fails a run by
# default (--fail-on major), so it is an error there too.
LEVELS = {"critical": "error", "major": "error", "minor": "warning"}
