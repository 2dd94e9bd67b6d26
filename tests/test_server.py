"""`mtqa serve` over real HTTP: a server process on a free loopback port, called with httpx and
with a real LanguageTool client (language_tool_python), then stopped."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from mtqa.cli import cli
from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import check_groups, run
from tests.server_helpers import ServeProcess

MAX_BYTES = 200_000
ARTICLE = ("Prices rose by 3,5 % on Monday (12), the ministry said.\n\n"
           "The talks in Kiev ended without a deal.\n\nAlso Read: Markets fall again")
KEYS = ["path", "start", "end", "line", "column", "text", "code", "category", "severity", "message", "suggestion",
        "score"]

# The response of LanguageTool's POST /v2/check as its API documentation gives it (the Swagger
# description at languagetool.org/http-api, and the example response in its HTTP server docs):
# the fields a client may rely on are required here.
LT_CHECK_SCHEMA = {
    "type": "object",
    "required": ["software", "language", "matches"],
    "properties": {
        "software": {
            "type": "object",
            "required": ["name", "version", "buildDate", "apiVersion"],
            "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                           "buildDate": {"type": "string"}, "apiVersion": {"type": "integer"},
                           "status": {"type": "string"}, "premium": {"type": "boolean"}},
        },
        "warnings": {"type": "object", "properties": {"incompleteResults": {"type": "boolean"}}},
        "language": {
            "type": "object",
            "required": ["name", "code", "detectedLanguage"],
            "properties": {"name": {"type": "string"}, "code": {"type": "string"},
                           "detectedLanguage": {"type": "object", "required": ["name", "code"],
                                                "properties": {"name": {"type": "string"},
                                                               "code": {"type": "string"}}}},
        },
        "matches": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["message", "offset", "length", "replacements", "context", "sentence", "rule"],
                "properties": {
                    "message": {"type": "string"},
                    "shortMessage": {"type": "string"},
                    "offset": {"type": "integer", "minimum": 0},
                    "length": {"type": "integer", "minimum": 0},
                    "replacements": {"type": "array", "items": {
                        "type": "object", "required": ["value"], "properties": {"value": {"type": "string"}}}},
                    "context": {"type": "object", "required": ["text", "offset", "length"],
                                "properties": {"text": {"type": "string"}, "offset": {"type": "integer"},
                                               "length": {"type": "integer"}}},
                    "sentence": {"type": "string"},
                    "type": {"type": "object", "properties": {"typeName": {"type": "string"}}},
                    "rule": {
                        "type": "object",
                        "required": ["id", "description", "category"],
                        "properties": {
                            "id": {"type": "string"}, "subId": {"type": "string"},
                            "description": {"type": "string"}, "issueType": {"type": "string"},
                            "category": {"type": "object", "required": ["id", "name"],
                                         "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
                        },
                    },
                },
            },
        },
    },
}
LT_LANGUAGES_SCHEMA = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["name", "code", "longCode"],
    "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "longCode": {"type": "string"}}}}


def expected(text: str, path: str = "-", **config) -> list[dict]:
    """What the pipeline finds in ``text`` in this process, the way `mtqa check --no-lm` would."""
    result = run([Document(path, text)], Config(use_lm=False, **config))
    return [f.to_json() for f in result.findings]


@pytest.fixture(scope="module")
def server():
    with ServeProcess("--no-lm", "--max-bytes", str(MAX_BYTES)) as srv:
        yield srv


def post_check(server, body: dict, **kw) -> httpx.Response:
    return httpx.post(server.url + "/v1/check", json=body, timeout=30, **kw)


# ---- /health, /v1/rules ------------------------------------------------------------------

def test_health_and_rules(server):
    health = httpx.get(server.url + "/health").json()
    assert health["status"] == "ok" and health["model"] == "none"
    assert health["queue"]["capacity"] == 64
    rules = httpx.get(server.url + "/v1/rules").json()["rules"]
    by_code = {r["code"]: r for r in rules}
    assert by_code["MTQ201"]["active"] is True and by_code["MTQ201"]["category"] == "confusion"
    assert by_code["MTQ501"]["needs_lm"] is True and by_code["MTQ501"]["active"] is False  # --no-lm


# ---- /v1/check ------------------------------------------------------------------------------

def test_check_text_gives_the_pipelines_findings_in_the_jsonl_schema(server):
    r = post_check(server, {"text": ARTICLE, "id": "req-1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "req-1" and r.headers["x-request-id"] == "req-1"
    assert body["findings"] == expected(ARTICLE)
    assert {f["code"] for f in body["findings"]} >= {"MTQ401", "MTQ311"}
    for f in body["findings"]:
        assert list(f) == KEYS
        assert ARTICLE[f["start"]:f["end"]] == f["text"]
    assert body["passed"] is False and body["fail_on"] == "major"
    assert body["documents"] == [{"path": "-", "words": len(ARTICLE.split()), "findings": len(body["findings"])}]
    assert "|model:none|" in body["signature"] and body["signature"].startswith("mtqa:")


def test_check_options_as_in_the_cli(server):
    only_minor = post_check(server, {"text": ARTICLE, "ignore": ["MTQ401", "boilerplate-leak"]}).json()
    assert only_minor["findings"] == expected(ARTICLE, ignore=("MTQ401", "boilerplate-leak"))
    assert {f["code"] for f in only_minor["findings"]}.isdisjoint({"MTQ401", "MTQ311"})
    assert "|ignore:MTQ401,boilerplate-leak" in only_minor["signature"]
    selected = post_check(server, {"text": ARTICLE, "select": "MTQ4", "fail_on": "never"}).json()
    assert selected["findings"] and all(f["code"].startswith("MTQ4") for f in selected["findings"])
    assert selected["passed"] is True and selected["fail_on"] == "never"
    # A clean text passes; a request may also turn the model off (it is off here anyway).
    clean = post_check(server, {"text": "The minister said on Monday that talks would resume.", "no_lm": True})
    assert clean.json()["passed"] is True and clean.json()["findings"] == []


def test_check_ninjs_item_and_raw_text(server):
    item = {"uri": "urn:x", "headline": "Prices rise", "body_text": "Prices rose by 3,5 % on Monday."}
    wrapped = post_check(server, {"item": item, "path": "story"}).json()
    assert [d["path"] for d in wrapped["documents"]] == ["story#1"]
    text = "Prices rise\n\nPrices rose by 3,5 % on Monday."
    assert wrapped["findings"] == expected(text, path="story#1")
    bare = post_check(server, item).json()  # a ninjs item as the whole body
    assert [f["text"] for f in bare["findings"]] == [f["text"] for f in wrapped["findings"]]
    listed = post_check(server, {"items": [item, {**item, "body_text": "Calm on Tuesday."}]}).json()
    assert [d["path"] for d in listed["documents"]] == ["-#1", "-#2"]
    assert [d["findings"] for d in listed["documents"]] == [len(wrapped["findings"]), 0] and wrapped["findings"]
    raw = httpx.post(server.url + "/v1/check?path=a.txt&ignore=MTQ311", content=ARTICLE.encode(),
                     headers={"content-type": "text/plain; charset=utf-8", "x-request-id": "r9"})
    assert raw.status_code == 200 and raw.json()["id"] == "r9"
    assert raw.json()["findings"] == expected(ARTICLE, path="a.txt", ignore=("MTQ311",))


@pytest.mark.parametrize("body,content_type,message", [
    (b"{not json", "application/json", "malformed JSON"),
    (b"[1, 2]", "application/json", "expected"),
    (b'{"text": 5}', "application/json", "expected a string"),
    (b'{"text": "   "}', "application/json", "empty input"),
    (b'{"text": "ok", "fail_on": "sometimes"}', "application/json", "fail-on"),
    (b'{"text": "ok", "select": 7}', "application/json", "select"),
    (b'{"text": "\\ud800 lone"}', "application/json", "surrogate"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", "malformed JSON"),
    (b"\x00\x01\x02binary", "application/octet-stream", "binary"),
    (b"\xff\xfe bad utf-8", "text/plain", "invalid UTF-8"),
])
def test_bad_requests_get_400_with_a_json_error(server, body, content_type, message):
    r = httpx.post(server.url + "/v1/check", content=body, headers={"content-type": content_type})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    assert message in r.json()["error"] and "Traceback" not in r.text


def test_wrong_method_unknown_path_and_oversized_bodies(server):
    r = httpx.get(server.url + "/v1/check")
    assert r.status_code == 405 and r.json()["error"] and "POST" in r.headers["allow"]
    assert httpx.get(server.url + "/nowhere").status_code == 404
    big = "word " * (MAX_BYTES // 5 + 10)
    r = post_check(server, {"text": big})
    assert r.status_code == 413 and "limit" in r.json()["error"]

    def chunks():  # no Content-Length: the limit holds on the bytes as they arrive
        for _ in range(30):
            yield b"x" * 10_000

    r = httpx.post(server.url + "/v1/check", content=chunks(), headers={"content-type": "text/plain"})
    assert r.status_code == 413
    assert post_check(server, {"text": ARTICLE}).status_code == 200  # and the server goes on


def test_concurrent_callers_each_get_their_own_answer(server):
    texts = [ARTICLE.replace("3,5", f"{n},5") + f"\n\nItem {n}." for n in range(40)]

    async def burst():
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(*[
                client.post(server.url + "/v1/check", json={"text": t, "id": n}) for n, t in enumerate(texts)])

    before = httpx.get(server.url + "/health").json()["stats"]
    responses = asyncio.run(burst())
    after = httpx.get(server.url + "/health").json()["stats"]
    assert [r.status_code for r in responses] == [200] * len(texts)
    for n, r in enumerate(responses):
        assert r.json()["id"] == n
        assert r.json()["findings"] == expected(texts[n])
    served = after["requests"] - before["requests"]
    assert served == len(texts)
    assert after["batches"] - before["batches"] < served  # callers were checked together


# ---- LanguageTool's /v2/check -------------------------------------------------------------

def utf16_index(text: str, codepoints: int) -> int:
    return len(text[:codepoints].encode("utf-16-le")) // 2


def test_languagetool_check_has_languagetools_shape_and_utf16_offsets(server):
    # Astral characters (two UTF-16 units each) before and inside the context of the match.
    text = "😀 Nachricht 𝔘: Prices rose by 3,5 % on Monday 🎉 and fell."
    r = httpx.post(server.url + "/v2/check", data={"text": text, "language": "en-US"})
    assert r.status_code == 200, r.text
    body = r.json()
    jsonschema.validate(body, LT_CHECK_SCHEMA)
    assert body["language"]["code"] == "en-US"
    (m,) = [m for m in body["matches"] if m["rule"]["id"] == "MTQ401"]
    start = text.index("3,5")
    assert m["offset"] == utf16_index(text, start) == start + 2
    assert m["length"] == 3
    units = text.encode("utf-16-le")
    assert units[2 * m["offset"]: 2 * (m["offset"] + m["length"])].decode("utf-16-le") == "3,5"
    assert m["replacements"] == [{"value": "3.5"}]
    ctx = m["context"]
    ctx_units = ctx["text"].encode("utf-16-le")
    assert ctx_units[2 * ctx["offset"]: 2 * (ctx["offset"] + ctx["length"])].decode("utf-16-le") == "3,5"
    assert m["sentence"] == text[:-len(" and fell.")] + " and fell."
    assert m["rule"]["category"] == {"id": "LOCALE_CONVENTION", "name": "Locale convention"}
    assert body["sentenceRanges"][-1][1] == len(units) // 2
    # A leading U+FEFF stays: the client counts it.
    bom = httpx.post(server.url + "/v2/check", data={"text": "\ufeffUp 3,5 %.", "language": "en"}).json()
    assert [m["offset"] for m in bom["matches"] if m["rule"]["id"] == "MTQ401"] == [4]
    langs = httpx.get(server.url + "/v2/languages").json()
    jsonschema.validate(langs, LT_LANGUAGES_SCHEMA)
    assert {"en-US", "en-GB"} <= {lang["longCode"] for lang in langs}


def test_languagetool_client_works_unchanged(server):
    """language_tool_python, pointed at mtqa, reads the matches and converts the UTF-16 offsets
    back to Python's code points; they must land on the finding's text."""
    language_tool_python = pytest.importorskip("language_tool_python")
    text = "Émile 😀 said prices rose by 3,5 % on Monday (12).\n\nAlso Read: Markets fall again"
    tool = language_tool_python.LanguageTool("en-US", remote_server=server.url)
    try:
        matches = tool.check(text)
    finally:
        tool.close()
    by_rule = {m.rule_id: m for m in matches}
    assert set(by_rule) == {f["code"] for f in expected(text)}
    m = by_rule["MTQ401"]
    assert text[m.offset: m.offset + m.error_length] == "3,5" and m.replacements == ["3.5"]
    assert language_tool_python.utils.correct(text, [m]) == text.replace("3,5", "3.5")


def test_languagetool_annotated_data_offsets_point_into_the_markup(server):
    parts = [{"markup": "<p>"}, {"text": "Prices rose by "}, {"markup": "<b>"}, {"text": "3,5"},
             {"markup": "</b>"}, {"text": " % on Monday."}, {"markup": "</p>", "interpretAs": "\n\n"}]
    original = "".join(p.get("text", p.get("markup")) for p in parts)
    r = httpx.post(server.url + "/v2/check", data={"data": json.dumps({"annotation": parts}), "language": "en"})
    assert r.status_code == 200, r.text
    (m,) = [m for m in r.json()["matches"] if m["rule"]["id"] == "MTQ401"]
    assert original[m["offset"]: m["offset"] + m["length"]] == "3,5"


def test_languagetool_rule_options_and_errors(server):
    text = "Prices rose by 3,5 percent on Monday (12)."
    rules = lambda **kw: {m["rule"]["id"] for m in httpx.post(  # noqa: E731
        server.url + "/v2/check", data={"text": text, "language": "en-GB", **kw}).json()["matches"]}
    assert rules() == {"MTQ401", "MTQ403"}
    assert rules(disabledRules="MTQ401") == {"MTQ403"}
    assert rules(enabledOnly="true", enabledRules="MTQ401") == {"MTQ401"}
    assert rules(disabledCategories="LOCALE_CONVENTION") == set()
    got = httpx.get(server.url + "/v2/check", params={"text": text, "language": "en-US", "disabledRules": "MTQ403"})
    assert [m["rule"]["id"] for m in got.json()["matches"]] == ["MTQ401"]
    for data, message in [({"language": "en-US"}, "text"), ({"text": "x y", "language": "de-DE"}, "English"),
                          ({"text": "x y"}, "language"), ({"data": "{oops", "language": "en"}, "malformed JSON"),
                          ({"data": '{"annotation": [5]}', "language": "en"}, "annotation")]:
        r = httpx.post(server.url + "/v2/check", data=data)
        assert r.status_code == 400 and message in r.json()["error"], (data, r.text)
    r = httpx.post(server.url + "/v2/check", content=b"--x\r\nbroken", headers={
        "content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 400 and r.json()["error"]


# ---- limits: queue, timeout, token --------------------------------------------------------

BIG = ("Prices rose by 3,5 % on Monday, the ministry said in a statement. " * 12 + "\n\n") * 120


def test_a_full_queue_answers_503_with_retry_after_and_loses_nothing():
    with ServeProcess("--no-lm", "--queue-size", "1", "--max-batch", "1") as srv:
        async def burst():
            async with httpx.AsyncClient(timeout=120) as client:
                return await asyncio.gather(*[client.post(srv.url + "/v1/check", json={"text": BIG, "id": n})
                                              for n in range(8)])

        responses = asyncio.run(burst())
        codes = [r.status_code for r in responses]
        # at least the request the worker took first is answered; how many more fit in the queue
        # depends on how fast the worker takes it (on a loaded machine, none)
        assert set(codes) == {200, 503}
        for r in responses:
            if r.status_code == 503:
                assert int(r.headers["retry-after"]) >= 1 and "queue is full" in r.json()["error"]
            else:
                assert r.json()["findings"]
        stats = httpx.get(srv.url + "/health").json()["stats"]
        assert stats["requests"] == codes.count(200) and stats["rejected"] == codes.count(503)


def test_a_slow_request_gets_504_and_the_server_goes_on():
    with ServeProcess("--no-lm", "--timeout", "0.2") as srv:
        r = httpx.post(srv.url + "/v1/check", json={"text": BIG * 2}, timeout=60)
        assert r.status_code == 504 and "--timeout" in r.json()["error"]
        # The worker finishes what it had started (its answer is dropped), then takes the next.
        for _ in range(300):
            stats = httpx.get(srv.url + "/health").json()["stats"]
            if stats["requests"] == 1:
                break
            time.sleep(0.1)
        assert stats["timed_out"] == 1
        ok = httpx.post(srv.url + "/v1/check", json={"text": "Prices rose by 3,5 %."}, timeout=60)
        assert ok.status_code == 200 and ok.json()["findings"][0]["code"] == "MTQ401"


def test_bearer_token_from_the_environment():
    with ServeProcess("--no-lm", env={"MTQA_SERVE_TOKEN": "s3cret"}) as srv:
        assert httpx.get(srv.url + "/health").status_code == 200  # liveness stays open
        denied = httpx.post(srv.url + "/v1/check", json={"text": ARTICLE})
        assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Bearer")
        wrong = httpx.post(srv.url + "/v1/check", json={"text": ARTICLE}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = httpx.post(srv.url + "/v1/check", json={"text": ARTICLE}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["findings"]
        assert httpx.get(srv.url + "/v1/rules").status_code == 401
        # LanguageTool clients send the key as a form field
        lt = httpx.post(srv.url + "/v2/check", data={"text": ARTICLE, "language": "en", "apiKey": "s3cret"})
        assert lt.status_code == 200 and lt.json()["matches"]
        assert httpx.post(srv.url + "/v2/check", data={"text": ARTICLE, "language": "en"}).status_code == 401


def test_binding_beyond_loopback_needs_a_token(monkeypatch):
    monkeypatch.delenv("MTQA_SERVE_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--no-lm"])
    assert result.exit_code == 2 and "--token" in result.output


def test_a_taken_port_is_a_clear_error():
    with ServeProcess("--no-lm") as srv:
        result = CliRunner().invoke(cli, ["serve", "--no-lm", "--port", str(srv.port)])
        assert result.exit_code == 2 and f"could not listen on 127.0.0.1:{srv.port}" in result.output


# ---- batching across callers, in the pipeline -----------------------------------------------

def test_check_groups_keeps_each_callers_documents_apart(seeds_dir):
    """Two callers sending copies of one story: run-scope rules (across copies) see only each
    caller's own documents, so each gets exactly what a run of its documents alone gives."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    a = [Document(p.name, p.read_text(encoding="utf-8")) for p in seeds[:2]]
    b = [Document(p.name + ".b", p.read_text(encoding="utf-8")) for p in seeds[2:4]]
    config = Config(use_lm=False)
    together = check_groups([(a, config), (b, config), (a[:1], Config(use_lm=False, select=("MTQ4",)))])
    assert together[0] == run(a, config).findings
    assert together[1] == run(b, config).findings
    assert together[2] == run(a[:1], Config(use_lm=False, select=("MTQ4",))).findings
    assert together[2] and all(f.code.startswith("MTQ4") for f in together[2])


# Injected into a real server process: MTQ401's detector waits for the GATE file on a document
# holding HOLD, fails on one holding BOOM, and logs every other document it checks to SEEN.
FAULTY_DETECTOR = """
import os, time
import mtqa.pipeline as pipeline

_real = pipeline.implementation

def _faulty(code):
    fn = _real(code)
    if code != "MTQ401":
        return fn

    def wrapped(doc, ctx):
        if "HOLD" in doc.text:
            open(os.environ["GATE"] + ".held", "w").close()
            while not os.path.exists(os.environ["GATE"]):
                time.sleep(0.02)
        elif "BOOM" in doc.text:
            raise RuntimeError("detector bug")
        else:
            with open(os.environ["SEEN"], "a", encoding="utf-8") as log:
                log.write(doc.text.split(".")[0] + "\\n")
        return fn(doc, ctx)
    return wrapped

pipeline.implementation = _faulty
"""


def test_a_detector_failing_on_one_callers_document_costs_only_that_caller(tmp_path):
    """Three callers checked in one batch, one with a document its detector fails on: that caller
    gets a 500, the others their findings, and nobody's documents are checked twice."""
    gate, held, seen = tmp_path / "gate", tmp_path / "gate.held", tmp_path / "seen"
    texts = {"a": "Alpha. Prices rose 3,5 percent.", "c": "Gamma. Costs fell 2,5 percent."}
    boom = [{"uri": "u1", "body_text": "Beta. Prices rose 4,5 percent."}, {"uri": "u2", "body_text": "BOOM. 1,5 percent."}]
    with ServeProcess("--no-lm", "--timeout", "300", env={"GATE": str(gate), "SEEN": str(seen)},
                      prelude=FAULTY_DETECTOR) as srv:
        async def calls():
            async with httpx.AsyncClient(timeout=300) as client:
                # the first request holds the worker, so the next three wait and form one batch
                hold = asyncio.ensure_future(client.post(srv.url + "/v1/check", json={"text": "HOLD. Up 3,5 %."}))
                while not held.exists():
                    assert not hold.done(), hold.result().text
                    await asyncio.sleep(0.02)
                rest = [asyncio.ensure_future(client.post(srv.url + "/v1/check", json=body))
                        for body in ({"text": texts["a"]}, {"item": boom}, {"text": texts["c"]})]
                deadline = time.monotonic() + 120
                while (await client.get(srv.url + "/health")).json()["queue"]["waiting"] < 3:
                    assert time.monotonic() < deadline, "the three requests never waited together"
                    await asyncio.sleep(0.02)
                gate.touch()
                return await hold, await asyncio.gather(*rest)

        hold, (a, b, c) = asyncio.run(calls())
        stats = httpx.get(srv.url + "/health").json()["stats"]
        log = srv.log()
    assert hold.status_code == 200
    assert b.status_code == 500 and "internal error" in b.json()["error"]
    assert "checking failed: RuntimeError: detector bug" in log and "-#2" in log
    for r, key in ((a, "a"), (c, "c")):
        assert r.status_code == 200, r.text
        assert r.json()["findings"] == [f.to_json() for f in run([Document("-", texts[key])], Config(use_lm=False)).findings]
        assert r.json()["findings"]
    assert stats["batches"] == 2 and stats["failed"] == 1 and stats["requests"] == 4
    # one batch, checked once: the failure was contained, not answered by checking everyone again
    assert sorted(seen.read_text(encoding="utf-8").split("\n")[:-1]) == ["Alpha", "Beta", "Gamma"]


# ---- with the model ---------------------------------------------------------------------------

def test_served_with_the_model_as_check_scores_it(lm, seeds_dir):
    """The real model, loaded once by the server: a seed article gets the findings and scores
    that the pipeline gives it in this process with the same model."""
    from mtqa.scoring.scorer import Scorer

    path = sorted(seeds_dir.glob("*.txt"))[2]
    text = path.read_text(encoding="utf-8")
    config = Config()
    want = [f.to_json() for f in run([Document("-", text)], config, lm=lm, scorer=Scorer(lm, config)).findings]
    with ServeProcess(startup_s=300) as srv:
        health = httpx.get(srv.url + "/health").json()
        assert health["model"] == lm.model_id
        got = httpx.post(srv.url + "/v1/check", json={"text": text}, timeout=600).json()
        assert f"|model:{lm.model_id}|" in got["signature"]
        assert [{**f, "score": None} for f in got["findings"]] == [{**f, "score": None} for f in want]
        assert [f["score"] for f in got["findings"]] == pytest.approx([f["score"] for f in want], abs=2e-3)
        assert all(f["score"] is not None for f in got["findings"])
        lt = httpx.post(srv.url + "/v2/check", data={"text": text, "language": "en-US"}, timeout=600).json()
        jsonschema.validate(lt, LT_CHECK_SCHEMA)
        assert [m["rule"]["id"] for m in lt["matches"]] == [f["code"] for f in want]
        off = httpx.post(srv.url + "/v1/check", json={"text": text, "no_lm": True}, timeout=600).json()
        assert off["findings"] == expected(text) and "|model:none|" in off["signature"]


def test_a_model_that_cannot_load_is_a_clear_error_before_listening(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--model", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2 and "not a Hugging Face model directory" in result.output


def test_another_app_mounts_beside_mtqas_behind_the_same_guard():
    """How `mtqa review`'s page joins the server: one Mount in ``routes``."""
    import threading

    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    from mtqa.server import create_app
    from tests.server_helpers import free_port

    page = Starlette(routes=[Route("/", lambda request: PlainTextResponse("review page"))])
    config = Config(use_lm=False, serve_token="t0k")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config, routes=[Mount("/review", app=page)]),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        auth = {"Authorization": "Bearer t0k"}
        assert httpx.get(url + "/review/", headers=auth).text == "review page"
        assert httpx.get(url + "/review/").status_code == 401
        assert httpx.post(url + "/v1/check", json={"text": "Up 3,5 %."}, headers=auth).json()["findings"]
    finally:
        server.should_exit = True
        thread.join(10)


@given(st.lists(st.sampled_from(["a", "é", "😀", "𝔘", "\n", " ", "中"]), max_size=30), st.data())
def test_utf16_offsets_count_javas_code_units(chars, data):
    from mtqa.server.languagetool import Utf16Offsets, utf16_len

    text = "".join(chars)
    i = data.draw(st.integers(0, len(text)))
    assert Utf16Offsets(text)(i) == len(text[:i].encode("utf-16-le")) // 2
    assert utf16_len(text[i:]) == len(text[i:].encode("utf-16-le")) // 2


def test_check_groups_with_the_model_gives_each_caller_what_it_gets_alone(lm, seeds_dir):
    """Two callers' documents scored in one model pass, one of them with the model turned off:
    each gets the findings and scores a run of its own documents gives."""
    from mtqa.scoring.scorer import Scorer

    seeds = sorted(seeds_dir.glob("*.txt"))
    a = [Document(seeds[4].name, seeds[4].read_text(encoding="utf-8"))]
    b = [Document(seeds[2].name, seeds[2].read_text(encoding="utf-8"))]
    config = Config()
    scorer = Scorer(lm, config)
    together = check_groups([(a, config), (b, config), (b, Config(use_lm=False))], lm, scorer)
    for got, (docs, cfg) in zip(together, [(a, config), (b, config), (b, Config(use_lm=False))]):
        want = run(docs, cfg, lm=lm if cfg.use_lm else None, scorer=scorer if cfg.use_lm else None).findings
        assert [f.with_(score=None) for f in got] == [f.with_(score=None) for f in want]
        assert [f.score for f in got] == pytest.approx([f.score for f in want], abs=1e-4)
    assert all(f.score is not None for f in together[0] + together[1])
    assert together[2] and all(f.score is None for f in together[2])
