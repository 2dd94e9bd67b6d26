"""Feeds and wire formats: RSS and Atom (feedparser), IPTC ninjs (JSON) and NewsML-G2 (XML).

Each item becomes one Document named ``<path>#<n>`` (1-based), whose text is the headline, a blank
line, and the body as plain text. Offsets point into that text, which is what the user reads;
item ids and titles go into ``meta``. A malformed file raises InputError, never a partial read;
a malformed item (a number where the schema wants a string) is an InputError named
``<path>#<n>`` in the item's place, and the file's other items are still read. Nesting deeper
than MAX_DEPTH (JSON or XML) is an input error: the parsers would otherwise recurse without
bound or, as libxml2 does, silently drop what lies below their limit.
"""

from __future__ import annotations

import json
import re
from xml.sax import SAXException
from typing import Any


from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.readers.html import TooDeep, html_to_text

NAR = "{http://iptc.org/std/nar/2006-10-01/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
MAX_DEPTH = 200  # far beyond any real feed (NewsML-G2 items nest about 10 deep before the body)
# "undetermined", "multiple", "no linguistic content", "uncoded": no language to check against
_NO_LANGUAGE = {"und", "mul", "zxx", "mis"}


class ItemError(ValueError):
    """One feed item cannot be read; the reader names it and goes on with the next."""


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", list: "list", dict: "object",
            type(None): "null"}.get(type(value), type(value).__name__)


def _string(item: dict, key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemError(f"{key} is a {_json_type(value)}, not a string")
    return value


def _too_deep(root) -> bool:
    """Is the element tree deeper than MAX_DEPTH? (Iterative: the tree may be far deeper than
    Python's recursion limit.)"""
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in el)
    return False


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


def _check_items(display: str, items: list, kind: str) -> list:
    items = [d for d in items if not isinstance(d, Document) or d.text.strip()]
    if not items:
        raise InputError(display, f"{kind} holds no item with text")
    docs = [d for d in items if isinstance(d, Document)]
    for d in docs:
        d.meta["item"]["items_in_file"] = len(docs)  # lets a progress bar know the total early
    return items


def _raise_first(items: list) -> list[Document]:
    for item in items:
        if isinstance(item, InputError):
            raise item
    return items


# --- ninjs ------------------------------------------------------------------------------------

def _ninjs_text(item: dict) -> tuple[str, str]:
    headline = _string(item, "headline")
    if not headline and isinstance(item.get("headlines"), list):  # ninjs 2.x
        headline = next((_string(h, "value") for h in item["headlines"] if isinstance(h, dict)), "")
    body = ""
    if item.get("body_text"):
        body = _string(item, "body_text")
    elif item.get("body_html"):
        body = html_to_text(_string(item, "body_html"))
    elif isinstance(item.get("bodies"), list):  # ninjs 2.x
        for b in item["bodies"]:
            if not isinstance(b, dict) or not b.get("value"):
                continue
            ctype = _string(b, "contenttype")
            body = html_to_text(_string(b, "value")) if "html" in ctype else _string(b, "value")
            break
    return headline, body


def _ninjs_meta(item: dict) -> dict[str, str]:
    meta = {k: _string(item, k) for k in ("uri", "guid", "versioncreated") if k in item}
    language = _string(item, "language").strip()
    if language and language.lower() not in _NO_LANGUAGE:
        meta["language"] = language
    return meta


def read_ninjs_items(display: str, text: str) -> list[Document | InputError]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(display, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(display, "JSON nested too deeply to read") from None
    items = data if isinstance(data, list) else data.get("items", [data]) if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(display, "JSON is not a ninjs item or a list of ninjs items")
    out: list[Document | InputError] = []
    for n, item in enumerate(items, 1):
        try:
            headline, body = _ninjs_text(item)
            out.append(_item_document(display, n, headline, body, _ninjs_meta(item)))
        except (ItemError, TooDeep, TypeError) as exc:
            out.append(InputError(f"{display}#{n}", str(exc)))
    return _check_items(display, out, "ninjs")


def read_ninjs(display: str, text: str) -> list[Document]:
    return _raise_first(read_ninjs_items(display, text))


# --- RSS / Atom -------------------------------------------------------------------------------

def read_feed_items(display: str, raw: bytes) -> list[Document | InputError]:
    import feedparser

    _check_xml_depth(display, raw)
    try:
        parsed = feedparser.parse(raw)
    except (ValueError, LookupError, TypeError) as exc:  # feedparser's own slips on odd input
        raise InputError(display, f"malformed feed ({type(exc).__name__} in feedparser: {exc})") from None
    if parsed.bozo and (not parsed.entries or isinstance(parsed.get("bozo_exception"), SAXException)):
        raise InputError(display, f"malformed feed: {parsed.get('bozo_exception', 'unreadable XML')}")
    out: list[Document | InputError] = []
    for n, entry in enumerate(parsed.entries, 1):
        try:
            body_html = ""
            if entry.get("content"):
                body_html = entry.content[0].get("value", "")
            elif entry.get("summary"):
                body_html = entry.summary
            title = entry.get("title", "") or ""
            title = html_to_text(title) if "<" in title else title
            meta = {k: str(entry.get(k)) for k in ("id", "link", "published") if entry.get(k)}
            out.append(_item_document(display, n, title, html_to_text(body_html), meta))
        except (TooDeep, TypeError) as exc:
            out.append(InputError(f"{display}#{n}", str(exc)))
    return _check_items(display, out, "feed")


def read_feed(display: str, raw: bytes) -> list[Document]:
    return _raise_first(read_feed_items(display, raw))


def _check_xml_depth(display: str, raw: bytes) -> None:
    """InputError when the XML nests deeper than MAX_DEPTH, found with expat as it streams (feedparser
    and ElementTree's serialiser would recurse on such a tree). Well-formedness is left to the reader."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = 0

    class _Deep(Exception):
        pass

    def start(*_):
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _Deep

    def end(*_):
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(raw, True)
    except _Deep:
        raise InputError(display, f"XML nested more than {MAX_DEPTH} elements deep") from None
    except (expat.ExpatError, ValueError, LookupError):
        pass  # the feed parser names the problem, or copes


# --- NewsML-G2 --------------------------------------------------------------------------------

def _element_text(el) -> str:
    # Inline XHTML: serialise without namespace prefixes and convert, so paragraphs survive.
    import defusedxml.ElementTree as SafeET

    markup = SafeET.tostring(el, encoding="unicode")
    markup = re.sub(r"(</?)[\w.-]+:", r"\1", re.sub(r'\sxmlns(?::[\w.-]+)?="[^"]*"', "", markup))
    return html_to_text(markup)


def read_newsml_items(display: str, raw: bytes) -> list[Document | InputError]:
    # the XML parser is imported on the first feed: a run over plain text never needs it
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(raw)
    except (SafeET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise InputError(display, f"malformed XML: {exc}") from None
    if _too_deep(root):
        raise InputError(display, f"XML nested more than {MAX_DEPTH} elements deep")
    items = [root] if root.tag == NAR + "newsItem" else root.iter(NAR + "newsItem")
    out: list[Document | InputError] = []
    for n, item in enumerate(items, 1):
        try:
            out.append(_newsml_item(display, n, item))
        except (TooDeep, TypeError) as exc:
            out.append(InputError(f"{display}#{n}", str(exc)))
    return _check_items(display, out, "NewsML-G2 document")


def read_newsml(display: str, raw: bytes) -> list[Document]:
    return _raise_first(read_newsml_items(display, raw))


def _newsml_item(display: str, n: int, item) -> Document:
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
    return _item_document(display, n, headline, body, {"guid": item.get("guid", "")})


def sniff_and_read_items(display: str, raw: bytes, text: str,
                         sniff_json: bool = False) -> list[Document | InputError] | None:
    """The items (Documents, or an InputError for each unreadable one) when ``text`` is a feed or
    wire format, None when it is plain copy. Raises InputError when the whole file is unreadable.
    JSON is read as ninjs by its name (.json, .ninjs), or with ``sniff_json`` (stdin) by its content."""
    head = text.lstrip()[:2000]
    if head.startswith(("{", "[")) and (display.lower().endswith((".json", ".ninjs"))
                                        or (sniff_json and _is_ninjs(text))):
        return read_ninjs_items(display, text)
    if head.startswith("<"):
        if "newsMessage" in head or "newsItem" in head or "iptc.org/std/nar" in head:
            return read_newsml_items(display, raw)
        if "<rss" in head or "<feed" in head or "<rdf:RDF" in head:
            return read_feed_items(display, raw)
        if display.lower().endswith((".xml", ".rss", ".atom")):
            raise InputError(display, "XML that is neither RSS, Atom nor NewsML-G2")
    return None


def _is_ninjs(text: str) -> bool:
    """Stdin without a name: JSON holding ninjs items, rather than copy that starts with a bracket."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return False
    items = data if isinstance(data, list) else data.get("items", [data]) if isinstance(data, dict) else []
    keys = ("headline", "headlines", "body_text", "body_html", "bodies", "uri", "guid")
    return bool(items) and all(isinstance(i, dict) and any(k in i for k in keys) for i in items)


def sniff_and_read(display: str, raw: bytes, text: str, sniff_json: bool = False) -> list[Document] | None:
    """Documents when ``text`` is a feed or wire format, None when it is plain copy."""
    items = sniff_and_read_items(display, raw, text, sniff_json)
    return None if items is None else _raise_first(items)
