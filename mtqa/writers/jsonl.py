"""One JSON object per finding per line, with exactly the keys of Finding.to_json; a finding in a
feed item adds one key, ``item`` (file, n, id, link, field)."""

from __future__ import annotations

import json
from typing import TextIO

from mtqa.document import Document
from mtqa.finding import Finding

# JSON allows these raw, but they are line breaks to str.splitlines() and many line readers;
# escaping them keeps one finding per line whatever the copy contains.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps(record: dict) -> str:
    try:
        # allow_nan=False: NaN is not JSON, and strict parsers reject the whole line
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        from mtqa.scoring.manifest import ModelError

        raise ModelError(f"a finding's score is not a finite number ({record.get('score')!r}): the language "
                         "model is damaged; run `mtqa model fetch --force` to install it again") from exc
    for raw, escaped in _LINE_BREAKS.items():
        line = line.replace(raw, escaped)
    return line


def item_record(f: Finding, doc: Document | None) -> dict | None:
    """For a finding in a feed item: the feed file, the item's number, guid/URI and link, and the
    field (headline or body) the span is in. None for plain text."""
    from mtqa.readers.feeds import item_field

    item = doc.meta.get("item") if doc is not None else None
    if not item:
        return None
    return {"file": item["file"], "n": item["n"], "id": item.get("id"), "link": item.get("link"),
            "field": item_field(item, f.start)}


def write(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    by_path = {d.path: d for d in docs}
    for f in findings:
        out.write(dumps(_record(f, by_path)) + "\n")


def _record(f: Finding, by_path: dict[str, Document]) -> dict:
    record = f.to_json()
    item = item_record(f, by_path.get(f.path))
    if item is not None:  # the one optional key, only for feed items
        record["item"] = item
    return record


def write_with_evidence(docs: list[Document], findings: list[Finding], out: TextIO) -> None:
    """``--format jsonl-evidence``: the 12 keys (and ``item`` for feed items) and ``evidence``:
    what the detector and the scorer knew (for a cross-copy finding, the other copies' aligned
    sentences under ``copies``, each with its path, offsets, text and similarity)."""
    by_path = {d.path: d for d in docs}
    for f in findings:
        out.write(dumps({**_record(f, by_path), "evidence": _plain(f.evidence)}) + "\n")


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
