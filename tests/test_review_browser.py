"""The review page end to end: `mtqa review` as a real process on a loopback port, driven by the
keyboard in headless Chromium (Debian's /usr/bin/chromium through Playwright).

Skipped, with the reason, where Playwright or Chromium is missing; CI installs Chromium first
(.ci/run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.review_data import EXPECTED, HOSTILE, STORY

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); the browser tests cannot run",
                allow_module_level=True)
expect = playwright_api.expect


class ReviewServer:
    """`mtqa review` in a child process; its URL read from what it prints."""

    def __init__(self, cwd: Path, *args: str):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-c", "from mtqa.cli import main; main()", "review", *args, "--no-lm"],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("Review at "):
            self.stop()
            raise AssertionError(f"mtqa review did not start: {line!r} {self.proc.stderr.read()}")
        self.url = line.split()[2]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def copy_dir(tmp_path: Path) -> Path:
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "story.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "copy" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    return tmp_path


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    return page, errors


def _key(page, key, expect_text=None):
    page.keyboard.press(key)
    if expect_text:
        expect(page.locator("#decision")).to_contain_text(expect_text)


def _go_to(page, code, text):
    """Press j until the card shows ``code`` on ``text`` (k back to the first finding, if need be)."""
    at = lambda: (page.locator("#card .code").inner_text(), page.locator("#context mark").inner_text())  # noqa: E731
    for _ in range(12):
        if at() == (code, text) or page.locator("#position").inner_text().startswith("1 of"):
            break
        page.keyboard.press("k")
    for _ in range(12):
        if at() == (code, text):
            return
        page.keyboard.press("j")
    raise AssertionError(f"{code} {text!r} not reached with j")


def test_review_by_keyboard_reload_resume_and_export(browser, copy_dir):
    server = ReviewServer(copy_dir, "copy", "--out", "review")
    try:
        page, errors = _open(browser, server.url)
        expect(page.locator("#position")).to_have_text("1 of 10")
        expect(page.locator("#docs li")).to_have_count(2)
        expect(page.locator("#help")).to_contain_text("undo the last decision")

        # hostile.txt comes first (sorted); its leaked markup shows as text and runs nothing.
        expect(page.locator("#card .code")).to_have_text("MTQ301")
        expect(page.locator("#doc-text")).to_contain_text("<script>document.body.dataset.pwned='1'</script>")
        assert page.locator("#doc-text script, #doc-text img").count() == 0
        assert page.evaluate("document.body.dataset.pwned") is None

        page.keyboard.press("j")
        page.keyboard.press("k")
        expect(page.locator("#position")).to_have_text("1 of 10")
        _go_to(page, "MTQ101", "সাম ")
        expect(page.locator("#position")).to_have_text("3 of 10")
        expect(page.locator("#alternatives button")).to_have_text(["1 £", "2 €", "3 CHF"])
        _key(page, "2", "accepted “€” (alternative 2)")            # the second alternative
        expect(page.locator("#alternatives button.chosen")).to_have_text("2 €")
        _go_to(page, "MTQ402", "$ 375")
        _key(page, "a", "accepted “$375”")                          # accept
        _go_to(page, "MTQ201", "actual")
        _key(page, "r", "rejected")                                 # reject
        _go_to(page, "MTQ201", "eventual")
        page.keyboard.press("e")                                    # edit
        expect(page.locator("#edit-input")).to_be_focused()
        page.keyboard.press("Control+a")
        page.keyboard.type("further")
        page.keyboard.press("Enter")
        expect(page.locator("#decision")).to_contain_text("edited to “further”")
        _go_to(page, "MTQ311", "Also Read: Russia pounds railroad stations in Ukraine")
        _key(page, "a", "accepted “(delete)”")
        _key(page, "u", "undecided")                                # undo takes the deletion back
        expect(page.locator("#progress")).to_have_text("4 of 10 decided")

        # Filters: only the critical findings (the leaked tags), then all again.
        page.select_option("#f-severity", "critical")
        expect(page.locator("#position")).to_contain_text(" of 3")
        page.select_option("#f-severity", "")
        expect(page.locator("#position")).to_contain_text(" of 10")

        # Reload: every decision is still there, and so is the place.
        _go_to(page, "MTQ201", "sympathetic")
        place = page.locator("#position").inner_text()
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#progress")).to_have_text("4 of 10 decided")
        expect(page.locator("#position")).to_have_text(place)
        expect(page.locator("#context mark")).to_have_text("sympathetic")
        page.keyboard.press("k")
        expect(page.locator("#decision")).to_contain_text("undecided")  # the undone deletion
        page.keyboard.press("k")
        expect(page.locator("#decision")).to_contain_text("edited to “further”")
        for _ in range(3):
            page.keyboard.press("k")
        expect(page.locator("#context mark")).to_have_text("সাম ")
        expect(page.locator("#alternatives button.chosen")).to_have_text("2 €")
        assert not errors, errors
        page.close()
    finally:
        server.stop()

    # Closed half-way: a new `mtqa review` on the same folder resumes, then exports.
    server = ReviewServer(copy_dir, "copy", "--out", "review")
    try:
        page, errors = _open(browser, server.url)
        expect(page.locator("#progress")).to_have_text("4 of 10 decided")
        expect(page.locator("#position")).to_have_text("1 of 10")  # the first finding still undecided
        page.check("#f-open")  # undecided only: the decided four drop out of the walk
        expect(page.locator("#position")).to_have_text("1 of 6")
        page.click("#export")
        expect(page.locator("#status")).to_contain_text("exported 2 file(s)")
        assert not errors, errors
        page.close()
    finally:
        server.stop()

    exported = copy_dir / "review" / "corrected"
    assert (exported / "story.txt").read_text(encoding="utf-8") == EXPECTED
    assert (exported / "hostile.txt").read_text(encoding="utf-8") == HOSTILE
    final = [json.loads(x) for x in (copy_dir / "review" / "corrected" / "decisions.jsonl").read_text().splitlines()]
    assert sorted((e["code"], e["action"], e["replacement"]) for e in final) == [
        ("MTQ101", "accept", "€"), ("MTQ201", "edit", "further"), ("MTQ201", "reject", None),
        ("MTQ402", "accept", "$375")]
    assert (copy_dir / "copy" / "story.txt").read_text(encoding="utf-8") == STORY


def test_fast_keys_land_on_the_right_findings(browser, copy_dir):
    server = ReviewServer(copy_dir, "copy", "--out", "review")
    try:
        page, errors = _open(browser, server.url)
        for key in "jajrjaj":  # no waiting for the saves in between
            page.keyboard.press(key)
        expect(page.locator("#progress")).to_have_text("3 of 10 decided")
        expect(page.locator("#position")).to_have_text("5 of 10")  # not pulled back by a late save
        for key in "jau":  # the undo follows the accept it takes back
            page.keyboard.press(key)
        expect(page.locator("#status")).to_have_text("undone")
        expect(page.locator("#progress")).to_have_text("3 of 10 decided")
        expect(page.locator("#position")).to_have_text("6 of 10")
        assert not errors, errors
        page.close()
    finally:
        server.stop()
    events = [json.loads(x) for x in (copy_dir / "review" / "decisions.jsonl").read_text().splitlines()]
    assert [(e.get("text"), e["action"]) for e in events] == [
        ("Kiev", "accept"), ("সাম ", "reject"), ("$ 375", "accept"), ("eventual", "accept"), (None, "undo")]
