"""Feeds and wire formats: RSS and Atom (feedparser), IPTC ninjs (JSON) and NewsML-G2 (XML).

Each item becomes one Document named ``<path>#<n>`` (1-based), whose text is the headline, a blank
line, and the body as plain text. Offsets point into that text, which is what the user reads;
item ids and titles go into ``meta``. Malformed input raises InputError, never a partial read.
"""

from __future__ import annotations

import json
import re
from xml.sax import SAXException
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.readers.html import html_to_text

NAR = "{http://iptc.org/std/nar/2006-10-01/}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _item_document(display: str, n: int, headline: str, body: str, meta: dict[str, Any]) -> Document:
    parts = [(name, p.strip()) for name, p in (("headline", headline), ("body", body)) if p and p.strip()]
    # Where the item is in its file and which field each stretch of the text came from, so a
    # finding can be traced back to the item (guid/link/URI) and field, and `fix` can write it.
    fields, at = [], 0
    for name, part in parts:
        fields.append((name, at, at + len(part)))
        at += len(part) + 2
    item = {"file": display, "n": n, "id": str(meta.get("guid") or meta.get("uri") or meta.get("id") or "") or None,
            "link": meta.get("link"), "fields": fields}
    return Document(f"{display}#{n}", "\n\n".join(p for _, p in parts), meta={"headline": headline, **meta, "item": item})


def item_field(item: dict, offset: int) -> str | None:
    """The field (headline, body) of a feed item's text that ``offset`` falls in."""
    for name, start, end in item.get("fields", ()):
        if start <= offset <= end:
            return name
    return None


def _check_items(display: str, docs: list[Document], kind: str) -> list[Document]:
    docs = [d for d in docs if d.text.strip()]
    if not docs:
        raise InputError(display, f"{kind} holds no item with text")
    for d in docs:
        d.meta["item"]["items_in_file"] = len(docs)  # lets a progress bar know the total early
    return docs


# --- ninjs ------------------------------------------------------------------------------------

def _ninjs_text(item: dict) -> tuple[str, str]:
    headline = item.get("headline") or ""
    if not headline and isinstance(item.get("headlines"), list):  # ninjs 2.x
        headline = next((h.get("value", "") for h in item["headlines"] if isinstance(h, dict)), "")
    body = ""
    if item.get("body_text"):
        body = item["body_text"]
    elif item.get("body_html"):
        body = html_to_text(item["body_html"])
    elif isinstance(item.get("bodies"), list):  # ninjs 2.x
        for b in item["bodies"]:
            if not isinstance(b, dict) or not b.get("value"):
                continue
            ctype = str(b.get("contenttype", ""))
            body = html_to_text(b["value"]) if "html" in ctype else b["value"]
            break
    return str(headline), str(body)


def read_ninjs(display: str, text: str) -> list[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(display, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    items = data if isinstance(data, list) else data.get("items", [data]) if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(display, "JSON is not a ninjs item or a list of ninjs items")
    docs = []
    for n, item in enumerate(items, 1):
        headline, body = _ninjs_text(item)
        meta = {k: item[k] for k in ("uri", "guid", "language", "versioncreated") if k in item}
        docs.append(_item_document(display, n, headline, body, meta))
    return _check_items(display, docs, "ninjs")


# --- RSS / Atom -------------------------------------------------------------------------------

def read_feed(display: str, raw: bytes) -> list[Document]:
    import feedparser

    parsed = feedparser.parse(raw)
    if parsed.bozo and (not parsed.entries or isinstance(parsed.get("bozo_exception"), SAXException)):
        raise InputError(display, f"malformed feed: {parsed.get('bozo_exception', 'unreadable XML')}")
    docs = []
    for n, entry in enumerate(parsed.entries, 1):
        body_html = ""
        if entry.get("content"):
            body_html = entry.content[0].get("value", "")
        elif entry.get("summary"):
            body_html = entry.summary
        title = html_to_text(entry.get("title", "")) if "<" in entry.get("title", "") else entry.get("title", "")
        meta = {k: entry.get(k) for k in ("id", "link", "published") if entry.get(k)}
        docs.append(_item_document(display, n, title, html_to_text(body_html), meta))
    return _check_items(display, docs, "feed")


# --- NewsML-G2 --------------------------------------------------------------------------------

def _element_text(el) -> str:
    # Inline XHTML: serialise without namespace prefixes and convert, so paragraphs survive.
    markup = SafeET.tostring(el, encoding="unicode")
    markup = re.sub(r"(</?)[\w.-]+:", r"\1", re.sub(r'\sxmlns(?::[\w.-]+)?="[^"]*"', "", markup))
    return html_to_text(markup)


def read_newsml(display: str, raw: bytes) -> list[Document]:
    try:
        root = SafeET.fromstring(raw)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise InputError(display, f"malformed XML: {exc}") from None
    items = [root] if root.tag == NAR + "newsItem" else root.iter(NAR + "newsItem")
    docs = []
    for n, item in enumerate(items, 1):
        headline_el = item.find(f"{NAR}contentMeta/{NAR}headline")
        headline = "".join(headline_el.itertext()).strip() if headline_el is not None else ""
        body = ""
        inline = item.find(f".//{NAR}inlineXML")
        if inline is not None:
            body_el = inline.find(f".//{XHTML}body")
            body = _element_text(body_el if body_el is not None else inline)
        else:
            data = item.find(f".//{NAR}inlineData")
            body = (data.text or "") if data is not None else ""
        docs.append(_item_document(display, n, headline, body, {"guid": item.get("guid", "")}))
    return _check_items(display, docs, "NewsML-G2 document")


def _is_ninjs(text: str) -> bool:
    """Stdin without a name: JSON holding ninjs items, rather than copy that starts with a bracket."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return False
    items = data if isinstance(data, list) else data.get("items", [data]) if isinstance(data, dict) else []
    keys = ("headline", "headlines", "body_text", "body_html", "bodies", "uri", "guid")
    return bool(items) and all(isinstance(i, dict) and any(k in i for k in keys) for i in items)


def sniff_and_read(display: str, raw: bytes, text: str, sniff_json: bool = False) -> list[Document] | None:
    """Documents when ``text`` is a feed or wire format, None when it is plain copy. JSON is read
    as ninjs by its name (.json, .ninjs), or with ``sniff_json`` (stdin) by its content."""
    head = text.lstrip()[:2000]
    if head.startswith(("{", "[")) and (display.lower().endswith((".json", ".ninjs"))
                                        or (sniff_json and _is_ninjs(text))):
        return read_ninjs(display, text)
    if head.startswith("<"):
        if "newsMessage" in head or "newsItem" in head or "iptc.org/std/nar" in head:
            return read_newsml(display, raw)
        if "<rss" in head or "<feed" in head or "<rdf:RDF" in head:
            return read_feed(display, raw)
        if display.lower().endswith((".xml", ".rss", ".atom")):
            raise InputError(display, "XML that is neither RSS, Atom nor NewsML-G2")
    return None
