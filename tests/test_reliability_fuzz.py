"""Fuzzing every reader: plain text, RSS/Atom, ninjs, NewsML-G2 and stdin. Whatever the bytes, a
reader returns Documents (and InputErrors for bad items) or raises InputError naming the input;
nothing else ever escapes, so one bad input can never cost the others.

Each hypothesis example builds one structured document (a feed, a ninjs item, a NewsML-G2 item,
plain copy) and derives MUTANTS byte-level mutants of it with a seeded random generator, so the
test reads EXAMPLES * (MUTANTS + 1) inputs while hypothesis only draws EXAMPLES times:
1,900 * 11 = 20,900 inputs in CI (a tenth in the local loop, see tests/helpers.py). The count
actually read is asserted at the end of the module.
"""

from __future__ import annotations

import io
import json
import random
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.pipeline import check_documents
from mtqa.readers import read_all, read_data
from tests.helpers import examples

EXAMPLES = examples(1900)
MUTANTS = 10
READ = {"inputs": 0, "documents": 0, "errors": 0}

NINJS_KEYS = ["headline", "body_text", "body_html", "language", "headlines", "bodies", "items", "uri",
              "guid", "versioncreated", "value", "contenttype", "type"]
TEXTS = st.one_of(st.text(max_size=40), st.sampled_from([
    "The minister said on Tuesday that talks would resume.", "<p>One</p><p>Two &amp; three</p>",
    "<div><b>bold</div></b>", "<script>alert(1)</script>", "und", "mul", "zz", "en-GB", "de", "\u202e",
    "\x1b[31m", "<![CDATA[x]]>", "&nbsp;&#0;&#xD800;", "<" * 5, "\ufeff", "\u2028",
]))
JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXTS)
JSON = st.recursive(JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(NINJS_KEYS) | st.text(max_size=5), inner, max_size=5)),
    max_leaves=12)


def _xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def ninjs_docs(draw) -> tuple[str, bytes]:
    item = draw(st.dictionaries(st.sampled_from(NINJS_KEYS), JSON, max_size=6))
    if draw(st.booleans()):
        item.setdefault("headline", draw(TEXTS))
        item.setdefault("body_html", draw(TEXTS))
    doc = draw(st.sampled_from([item, [item, item], {"items": [item]}]))
    return "fuzz.json", json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def feeds(draw) -> tuple[str, bytes]:
    title, body = draw(TEXTS), draw(TEXTS)
    raw = draw(st.booleans())  # markup inside the element, or escaped
    body = body if raw else _xml_text(body)
    n = draw(st.integers(1, 3))
    if draw(st.booleans()):
        items = "".join(f"<item><title>{_xml_text(title)}</title><description>{body}</description></item>"
                        for _ in range(n))
        doc = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        return "fuzz.rss", doc.encode("utf-8")
    entries = "".join(f'<entry><title>{_xml_text(title)}</title><content type="html">{body}</content></entry>'
                      for _ in range(n))
    return "fuzz.atom", f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode("utf-8")


@st.composite
def newsml(draw) -> tuple[str, bytes]:
    headline, body = _xml_text(draw(TEXTS)), draw(TEXTS)
    body = body if draw(st.booleans()) else _xml_text(body)
    item = (f'<newsItem guid="g"><contentMeta><headline>{headline}</headline></contentMeta><contentSet>'
            f'<inlineXML><html xmlns="http://www.w3.org/1999/xhtml"><body><p>{body}</p></body></html>'
            f"</inlineXML></contentSet></newsItem>")
    doc = f'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>{item * draw(st.integers(1, 2))}</itemSet></newsMessage>'
    return "fuzz.xml", doc.encode("utf-8")


@st.composite
def plain(draw) -> tuple[str, bytes]:
    text = draw(st.text(max_size=200))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "raw"]))
    data = draw(st.binary(max_size=200)) if encoding == "raw" else text.encode(encoding, "replace")
    return draw(st.sampled_from(["fuzz.txt", "fuzz.md", "fuzz.json", "fuzz.xml"])), data


DEEP = [b"<div>" * 3000, b"[" * 5000, b'{"a":' * 3000, b"<span>" * 300, b"<![CDATA[", b"]]>", b"&#",
        b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00", b"\x1b[2J", b"\xc3", b"\xed\xa0\x80", b"}", b'"']


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """A cheap byte-level mutant of ``data``: a cut, an insertion, a deletion, a copied slice, a
    flipped byte or a wrap in deep nesting, one to three times."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 3)):
        # weighted towards mutants that stay text, so the parsers (not only the decoder) are reached
        op = rnd.choices(range(7), weights=(1, 3, 2, 2, 1, 2, 1))[0]
        i = rnd.randint(0, len(out))
        j = rnd.randint(i, min(len(out), i + 40))
        if op == 0:
            del out[i:]
        elif op == 1:
            out[i:i] = rnd.choice(DEEP)
        elif op == 2:
            del out[i:j]
        elif op == 3:
            out[i:i] = out[i:j] * rnd.randint(1, 50)
        elif op == 4 and out:
            out[min(i, len(out) - 1)] = rnd.randrange(256)
        elif op == 5:
            k = rnd.randint(1, 400)
            tag = rnd.choice([b"div", b"p", b"b", b"span"])
            out[i:i] = (b"<" + tag + b">") * k
        else:
            out[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
    return bytes(out)


def read_one(display: str, data: bytes) -> list:
    READ["inputs"] += 1
    try:
        items = read_data(display, data)
    except InputError as exc:
        assert exc.path == display
        # contained, but foreseen: an error that only the last-resort catch named is a bug
        assert not getattr(exc, "internal", False), (exc, exc.__cause__)
        READ["errors"] += 1
        return []
    assert items, display
    for item in items:
        if isinstance(item, InputError):
            assert item.path.startswith(display + "#")
            READ["errors"] += 1
        else:
            assert isinstance(item, Document) and isinstance(item.text, str) and item.text
            assert item.path == display or item.path.startswith(display + "#")
            READ["documents"] += 1
    return items


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BufferedReader(io.BytesIO(data))


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(ninjs_docs(), feeds(), newsml(), plain()), st.randoms(use_true_random=False))
def test_no_reader_lets_an_exception_escape(doc, rnd):
    display, data = doc
    read_one(display, data)
    for k in range(MUTANTS):
        mutant = mutate(data, rnd)
        if k == 0:  # one mutant of each example through stdin, as `mtqa check -` reads it
            READ["inputs"] += 1
            saved = sys.stdin
            sys.stdin = _Stdin(mutant)
            try:
                out = list(read_all(["-"], 1_000_000))
            finally:
                sys.stdin = saved
            assert out and all(isinstance(i, (Document, InputError)) for i in out)
            continue
        read_one(display, mutant)


@settings(max_examples=examples(150), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ninjs_docs(), feeds(), newsml(), plain()), st.randoms(use_true_random=False))
def test_checking_what_was_read_is_contained_too(doc, rnd):
    """Read and then checked (rules only): every document is either reported or named in an error."""
    display, data = doc
    items = []
    for name, mutant in ((display, data), ("mutant-" + display, mutate(data, rnd))):
        try:
            items.extend(read_data(name, mutant))
        except InputError as exc:
            items.append(exc)
    seen = 0
    for docs, findings, errors in check_documents(items, Config(use_lm=False)):
        seen += len(docs) + len(errors)
        assert all(f.text == next(d for d in docs if d.path == f.path).text[f.start:f.end] for f in findings)
    assert seen == len(items)


@pytest.fixture(scope="module", autouse=True)
def _count():
    yield
    # only meaningful when the whole module ran (not with -k on one test)
    if READ["inputs"]:
        print(f"\nreaders fuzzed with {READ['inputs']:,} inputs: {READ['documents']:,} documents, "
              f"{READ['errors']:,} input errors, 0 escaped exceptions")
        assert READ["inputs"] >= EXAMPLES * (MUTANTS + 1) * 0.95
