"""The review session, its decision log and the review app's HTTP side (no browser here; see
tests/test_review_browser.py for the page itself)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from mtqa.cli import cli
from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.review.app import build_app
from mtqa.review.decisions import DecisionLog, finding_keys, replay
from mtqa.review.session import ReviewSession
from tests.review_data import EXPECTED, HOSTILE, STORY


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    d = tmp_path / "copy"
    d.mkdir()
    (d / "story.txt").write_text(STORY, encoding="utf-8")
    (d / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    return d


def _session(copy_dir: Path, out: Path) -> ReviewSession:
    return ReviewSession.from_paths([str(copy_dir)], Config(use_lm=False), out)


def _key(session: ReviewSession, code: str, text: str) -> str:
    return next(it.key for it in session.items if it.finding.code == code and it.finding.text == text)


def _decide_the_story(s: ReviewSession) -> None:
    s.decide(_key(s, "MTQ101", "সাম "), "accept", choice=1)
    s.decide(_key(s, "MTQ402", "$ 375"), "accept")
    s.decide(_key(s, "MTQ201", "actual"), "reject")
    s.decide(_key(s, "MTQ201", "eventual"), "edit", replacement="further")


def test_keys_follow_content_not_offsets():
    doc = Document("a.txt", STORY)
    moved = Document("a.txt", "A new first line.\n\n" + STORY)
    s1 = ReviewSession.from_result([doc], _findings(doc), Path("unused"))
    s2 = ReviewSession.from_result([moved], _findings(moved), Path("unused"))
    by_text = lambda s: {it.finding.text: it.key for it in s.items if it.finding.code != "MTQ222"}  # noqa: E731
    assert by_text(s1) == by_text(s2)
    assert len({it.key for it in s1.items}) == len(s1.items)


def test_identical_findings_get_distinct_keys():
    doc = Document("a.txt", "Critics say the actual government has failed.")
    f = _findings(doc)[0]
    keys = finding_keys(doc, [f, f])
    assert keys[0] != keys[1] and keys[1].startswith(keys[0])


def _findings(doc: Document):
    from mtqa.pipeline import run

    return run([doc], Config(use_lm=False)).findings


def test_decisions_saved_atomically_and_resumed(copy_dir, tmp_path):
    out = tmp_path / "review"
    s = _session(copy_dir, out)
    _decide_the_story(s)
    log = out / "decisions.jsonl"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in lines] == ["accept", "accept", "reject", "edit"]
    assert lines[0]["replacement"] == "€" and lines[0]["choice"] == 1 and lines[0]["code"] == "MTQ101"
    assert lines[3]["entry"] == "eventual-possible"
    assert sorted(p.name for p in out.iterdir()) == ["decisions.jsonl"]  # no temporary file left
    again = _session(copy_dir, out)  # a new run on the same copy: the decisions come back
    assert again.decisions_json() == s.decisions_json()
    assert len(again.decisions_json()) == 4


def test_undo_takes_back_the_latest_decision(copy_dir, tmp_path):
    s = _session(copy_dir, tmp_path / "r")
    _decide_the_story(s)
    k_actual, k_eventual = _key(s, "MTQ201", "actual"), _key(s, "MTQ201", "eventual")
    s.decide(k_actual, "accept", choice=1)  # change of mind: then undone, back to rejected
    assert s.undo() == k_actual
    assert s.decisions_json()[k_actual]["action"] == "reject"
    assert s.undo() == k_eventual and k_eventual not in s.decisions_json()
    assert s.undo() == k_actual and k_actual not in s.decisions_json()
    resumed = _session(copy_dir, tmp_path / "r")
    assert set(resumed.decisions_json()) == set(s.decisions_json())
    assert len(resumed.decisions_json()) == 2


def test_replay_ignores_undo_with_nothing_to_undo():
    decisions, order = replay([{"action": "undo"}, {"key": "k", "action": "reject"}])
    assert decisions["k"].action == "reject" and order == ["k"]


def test_export_applies_chosen_alternatives_and_edits(copy_dir, tmp_path):
    out = tmp_path / "review"
    s = _session(copy_dir, out)
    _decide_the_story(s)
    written = s.export()
    story = out / "corrected" / "story.txt"  # below the folder the inputs share
    assert story in written
    assert story.read_text(encoding="utf-8") == EXPECTED
    hostile = story.with_name("hostile.txt")
    assert hostile.read_text(encoding="utf-8") == HOSTILE  # no decision: unchanged
    final = [json.loads(line) for line in (out / "corrected" / "decisions.jsonl").read_text().splitlines()]
    assert sorted(e["action"] for e in final) == ["accept", "accept", "edit", "reject"]
    assert (copy_dir / "story.txt").read_text(encoding="utf-8") == STORY  # the input is untouched


def test_deletions_take_their_line(copy_dir, tmp_path):
    s = _session(copy_dir, tmp_path / "r")
    s.decide(_key(s, "MTQ311", "Also Read: Russia pounds railroad stations in Ukraine"), "accept")
    s.decide(_key(s, "MTQ301", "<b>"), "accept")
    text = s.corrected_texts()[str(copy_dir / "story.txt")]
    assert "Also Read" not in text and "\n\n\n" not in text
    assert "football today</b>." in text


def test_export_never_writes_over_an_input(tmp_path, monkeypatch):
    # A review folder whose export path is the input itself: refused, the input kept.
    out = tmp_path / "r"
    src = out / "corrected" / "story.txt"
    src.parent.mkdir(parents=True)
    src.write_text(STORY, encoding="utf-8")
    monkeypatch.chdir(src.parent)
    s = ReviewSession.from_paths(["story.txt"], Config(use_lm=False), out)
    s.decide(_key(s, "MTQ402", "$ 375"), "accept")
    with pytest.raises(InputError, match="over an input"):
        s.export()
    assert src.read_text(encoding="utf-8") == STORY


def test_bad_decisions_are_refused(copy_dir, tmp_path):
    s = _session(copy_dir, tmp_path / "r")
    k = _key(s, "MTQ101", "সাম ")
    for args in [("nope", "accept"), (k, "delete"), (k, "edit")]:
        with pytest.raises(ValueError):
            s.decide(*args)
    with pytest.raises(ValueError, match="alternative"):
        s.decide(k, "accept", choice=3)
    assert s.decisions_json() == {}


def test_a_corrupt_log_is_an_input_error(copy_dir, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "decisions.jsonl").write_text('{"key": "k", "action": "reject"}\nnot json\n')
    with pytest.raises(InputError, match="line 2"):
        DecisionLog(out / "decisions.jsonl")


# --- the app over HTTP -------------------------------------------------------------------------

@pytest.fixture
def client(copy_dir, tmp_path):
    return TestClient(build_app(_session(copy_dir, tmp_path / "review")), base_url="http://127.0.0.1:8123")


def test_every_response_forbids_inline_script(client):
    for url in ("/", "/static/review.js", "/static/review.css", "/api/session"):
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/review.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_the_page_has_no_inline_script_and_no_external_resource(client):
    page = client.get("/").text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="static/' in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r"\bon\w+=", page)  # no inline event handlers either
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    js = client.get("/static/review.js").text
    assert "innerHTML" not in js and "eval(" not in js


def test_copy_travels_as_json_data(client):
    data = client.get("/api/session").json()
    assert sorted(d["path"].rsplit("/", 1)[1] for d in data["documents"]) == ["hostile.txt", "story.txt"]
    assert any("<script>" in d["text"] for d in data["documents"])
    assert len(data["findings"]) == 10
    mtq101 = next(f for f in data["findings"] if f["code"] == "MTQ101")
    assert mtq101["suggestions"] == ["£", "€", "CHF "]


def test_decide_undo_export_over_http(client):
    data = client.get("/api/session").json()
    key = next(f["key"] for f in data["findings"] if f["code"] == "MTQ101")
    r = client.post("/api/decide", json={"key": key, "action": "accept", "choice": 2})
    assert r.status_code == 200 and r.json()["decisions"][key]["replacement"] == "CHF "
    assert client.get("/api/session").json()["decisions"][key]["choice"] == 2
    assert client.post("/api/decide", json={"key": "no such", "action": "reject"}).status_code == 400
    assert client.post("/api/decide", json={"key": key, "action": "accept", "choice": "1"}).status_code == 400
    r = client.post("/api/export", json={})
    assert r.status_code == 200 and any(p.endswith("story.txt") for p in r.json()["written"])
    assert client.post("/api/undo", json={}).json()["undone"] == key
    assert client.post("/api/undo", json={}).json()["undone"] is None


def test_cross_site_requests_are_refused(client):
    data = client.get("/api/session").json()
    key = data["findings"][0]["key"]
    # A form post from another site (no preflight): wrong content type.
    r = client.post("/api/decide", data={"key": key, "action": "reject"})
    assert r.status_code == 400
    r = client.post("/api/decide", content=json.dumps({"key": key, "action": "reject"}),
                    headers={"content-type": "text/plain"})
    assert r.status_code == 400
    r = client.post("/api/decide", json={"key": key, "action": "reject"}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    assert client.get("/api/session").json()["decisions"] == {}


def test_review_command_refuses_a_public_address(copy_dir):
    r = CliRunner().invoke(cli, ["review", str(copy_dir), "--no-lm", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "loopback" in r.output


def test_the_factory_works_mounted_under_a_prefix(copy_dir, tmp_path):
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from mtqa.review import create_review_app

    review_app = create_review_app(Config(use_lm=False), [str(copy_dir)], tmp_path / "r")
    outer = TestClient(Starlette(routes=[Mount("/review", review_app)]), base_url="http://localhost:8081")
    page = outer.get("/review/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    # The page's URLs are relative, so under /review/ they reach the mounted app.
    for rel in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert not rel.startswith("/") and outer.get("/review/" + rel).status_code == 200
    data = outer.get("/review/api/session").json()
    r = outer.post("/review/api/decide", json={"key": data["findings"][0]["key"], "action": "reject"})
    assert r.status_code == 200 and (tmp_path / "r" / "decisions.jsonl").is_file()


def test_feed_items_export_as_jsonl(tmp_path):
    feed = tmp_path / "items.json"
    feed.write_text(json.dumps([
        {"uri": "urn:1", "headline": "Vote", "body_text": "Critics say the actual government has failed."},
        {"uri": "urn:2", "headline": "Count", "body_text": "The count ends on Friday."},
    ]), encoding="utf-8")
    s = ReviewSession.from_paths([str(feed)], Config(use_lm=False), tmp_path / "r")
    s.decide(_key(s, "MTQ201", "actual"), "accept", choice=1)
    written = s.export()
    (items,) = [p for p in written if p.name == "items.json.items.jsonl"]
    rows = [json.loads(x) for x in items.read_text(encoding="utf-8").splitlines()]
    assert [r["uri"] for r in rows] == ["urn:1", "urn:2"]
    assert rows[0]["text"] == "Vote\n\nCritics say the present government has failed."
    assert rows[1]["text"] == "Count\n\nThe count ends on Friday."


def test_feeds_export_in_their_own_format_over_http(tmp_path):
    """A ninjs file comes back as ninjs and an RSS feed as RSS, with only the items' text changed;
    a fix the feed file cannot take (its text spans markup) is named and kept in items.jsonl."""
    ninjs = [{"uri": "urn:1", "headline": "Vote", "body_text": "Critics say the actual government has failed."},
             {"uri": "urn:2", "headline": "Count", "body_text": "The count ends on Friday."}]
    raw_ninjs = json.dumps(ninjs, indent=1)
    (tmp_path / "wire.json").write_text(raw_ninjs, encoding="utf-8")
    rss = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>\n'
           "<item><title>Talks</title><description>&lt;p&gt;Prices rose &lt;b&gt;3,&lt;/b&gt;5 percent, the "
           "&lt;i&gt;actual&lt;/i&gt; government said.&lt;/p&gt;</description></item>\n</channel></rss>\n")
    (tmp_path / "wire.rss").write_text(rss, encoding="utf-8")
    session = ReviewSession.from_paths([str(tmp_path / "wire.json"), str(tmp_path / "wire.rss")],
                                       Config(use_lm=False), tmp_path / "r")
    client = TestClient(build_app(session), base_url="http://127.0.0.1:8000")
    data = client.get("/api/session").json()

    def key(path_end, code, text):
        return next(f["key"] for f in data["findings"] if data["documents"][f["doc"]]["path"].endswith(path_end)
                    and f["code"] == code and f["text"] == text)

    for k, body in ((key("wire.json#1", "MTQ201", "actual"), {"action": "accept", "choice": 1}),
                    (key("wire.rss#1", "MTQ401", "3,5"), {"action": "accept"}),
                    (key("wire.rss#1", "MTQ201", "actual"), {"action": "edit", "replacement": "present"})):
        assert client.post("/api/decide", json={"key": k, **body}).status_code == 200
    r = client.post("/api/export", json={})
    assert r.status_code == 200, r.text
    corrected = tmp_path / "r" / "corrected"
    assert {Path(p).name for p in r.json()["written"]} == {
        "wire.json", "wire.json.items.jsonl", "wire.rss", "wire.rss.items.jsonl", "decisions.jsonl"}
    # ninjs: the same bytes but the one fixed word
    assert (corrected / "wire.json").read_text(encoding="utf-8") == raw_ninjs.replace("actual", "present")
    # RSS: the word fixed inside its markup; the decimal comma split by <b> cannot be placed
    assert (corrected / "wire.rss").read_text(encoding="utf-8") == rss.replace("actual", "present")
    (skipped,) = r.json()["skipped"]
    assert skipped["code"] == "MTQ401" and skipped["text"] == "3,5" and skipped["path"].endswith("wire.rss#1")
    (item,) = [json.loads(x) for x in (corrected / "wire.rss.items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert "3.5 percent, the present government" in item["text"]
    # the inputs are untouched
    assert (tmp_path / "wire.json").read_text(encoding="utf-8") == raw_ninjs
    assert (tmp_path / "wire.rss").read_text(encoding="utf-8") == rss


@pytest.mark.parametrize("bom, encoding", [(b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8")],
                         ids=["utf-16", "utf-8-bom"])
def test_text_exports_keep_the_inputs_encoding_and_bom(tmp_path, bom, encoding):
    (tmp_path / "story.txt").write_bytes(bom + STORY.encode(encoding))
    s = ReviewSession.from_paths([str(tmp_path / "story.txt")], Config(use_lm=False), tmp_path / "r")
    s.decide(_key(s, "MTQ402", "$ 375"), "accept")
    (out,) = [p for p in s.export() if p.name == "story.txt"]
    assert out.read_bytes() == bom + STORY.replace("$ 375", "$375").encode(encoding)


def test_other_host_names_are_refused(copy_dir, tmp_path):
    app = build_app(_session(copy_dir, tmp_path / "r"))
    assert TestClient(app, base_url="http://[::1]:9000").get("/api/session").status_code == 200
    rebound = TestClient(app, base_url="http://attacker.example:9000")
    assert rebound.get("/api/session").status_code == 421
    assert rebound.get("/").status_code == 421
    open_app = build_app(_session(copy_dir, tmp_path / "r"), allowed_hosts=None)
    assert TestClient(open_app, base_url="http://review.example").get("/api/session").status_code == 200


UNTRANSLATED = ("The government announced new sanctions on Monday.\n\n"
                "Die Regierung hat am Montag neue Sanktionen gegen Russland angekündigt, sagte ein Sprecher in Berlin.\n\n"
                "The measures take effect next week.\n")


def test_a_finding_without_a_fix_can_be_confirmed_or_rewritten(tmp_path):
    (tmp_path / "de.txt").write_text(UNTRANSLATED, encoding="utf-8")
    s = ReviewSession.from_paths([str(tmp_path / "de.txt")], Config(use_lm=False), tmp_path / "r")
    (it,) = [it for it in s.items if it.finding.code == "MTQ111"]
    assert it.finding.suggestions == ()
    with pytest.raises(ValueError, match="no alternatives"):
        s.decide(it.key, "accept", choice=0)
    s.decide(it.key, "accept")  # confirmed: a real problem, the text unchanged
    assert s.decisions_json()[it.key] == {"action": "accept", "replacement": None, "choice": None}
    assert s.corrected_texts()[str(tmp_path / "de.txt")] == UNTRANSLATED
    s.decide(it.key, "edit", replacement="The government announced new sanctions against Russia on Monday, "
                                        "a spokesman said in Berlin.")
    fixed = s.corrected_texts()[str(tmp_path / "de.txt")]
    assert "Die Regierung" not in fixed and "a spokesman said in Berlin.\n\nThe measures" in fixed


def test_accepting_every_first_fix_on_the_seeds_gives_what_mtqa_fix_gives(seeds_dir, tmp_path):
    from mtqa.fixes import apply_fixes

    s = ReviewSession.from_paths([str(seeds_dir)], Config(use_lm=False), tmp_path / "r")
    assert len(s.items) > 10
    for it in s.items:
        s.decide(it.key, "accept")
    texts = s.corrected_texts()
    by_path: dict[str, list] = {}
    for it in s.items:
        by_path.setdefault(it.finding.path, []).append(it.finding)
    for doc in s.documents:
        assert texts[doc.path] == apply_fixes(doc.text, by_path.get(doc.path, [])), doc.path
    assert sum(texts[d.path] != d.text for d in s.documents) >= 3


def test_export_names_keep_the_shape_below_the_shared_folder():
    from mtqa.review.session import _export_names

    assert _export_names(["copy/a.txt", "copy/b/c.txt"]) == {"copy/a.txt": Path("a.txt"), "copy/b/c.txt": Path("b/c.txt")}
    assert _export_names(["/srv/x/a.txt"]) == {"/srv/x/a.txt": Path("a.txt")}
    assert _export_names(["../up/a.txt", "b.txt"]) == {"../up/a.txt": Path("up/a.txt"), "b.txt": Path("b.txt")}
    assert _export_names(["/abs/a.txt", "rel/b.txt"]) == {"/abs/a.txt": Path("abs/a.txt"), "rel/b.txt": Path("rel/b.txt")}
    clash = _export_names(["../a.txt", "a.txt"])
    assert len(set(clash.values())) == 2 and all(v.name == "a.txt" for v in clash.values())


def test_a_review_folder_inside_the_copy_is_not_read_again(copy_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(copy_dir)
    s = ReviewSession.from_paths(["."], Config(use_lm=False), "mtqa-review")
    s.decide(_key(s, "MTQ402", "$ 375"), "accept")
    s.export()
    assert (copy_dir / "mtqa-review" / "corrected" / "story.txt").is_file()
    again = ReviewSession.from_paths(["."], Config(use_lm=False), "mtqa-review")
    assert sorted(d.path for d in again.documents) == ["hostile.txt", "story.txt"]
    assert len(again.decisions_json()) == 1


def test_unreadable_inputs_are_reported_and_the_rest_reviewed(copy_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    s = ReviewSession.from_paths([str(copy_dir), str(tmp_path / "missing.txt"), str(tmp_path / "empty")],
                                 Config(use_lm=False), tmp_path / "r")
    assert len(s.documents) == 2
    assert any("missing.txt: no such file" in e for e in s.errors)
    assert any("holds no" in e for e in s.errors)


def test_review_command_with_nothing_readable_exits_2(tmp_path):
    r = CliRunner().invoke(cli, ["review", str(tmp_path / "missing.txt"), "--no-lm", "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "missing.txt: no such file" in r.output


def test_one_review_process_per_folder(tmp_path):
    import subprocess
    import sys

    from mtqa.review.server import ReviewFolderBusy, lock_folder

    held = lock_folder(tmp_path / "r")
    try:
        # flock is per open file: a second process is refused while the first holds the folder.
        code = ("import sys; from pathlib import Path; from mtqa.review.server import lock_folder, ReviewFolderBusy\n"
                "try:\n    lock_folder(Path(sys.argv[1]))\nexcept ReviewFolderBusy as e:\n    print(e); sys.exit(3)")
        r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r")], capture_output=True, text=True)
        assert r.returncode == 3 and "another mtqa review" in r.stdout
    finally:
        held.close()
    lock_folder(tmp_path / "r").close()  # free again
    assert ReviewFolderBusy.exit_code == 2
