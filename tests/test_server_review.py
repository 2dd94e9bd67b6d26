"""`mtqa serve --review PATHS`: the review page is served by the running server at /review/,
checked through the server's own model worker (here without the model, for speed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from mtqa.cli import cli
from tests.server_helpers import ROOT, ServeProcess

SAMPLES = ROOT / "corpora" / "samples"


def test_serve_mounts_the_review_page(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(SAMPLES, copy)
    out = tmp_path / "review"
    with ServeProcess("--no-lm", "--review", str(copy), "--review-out", str(out)) as srv:
        page = httpx.get(srv.url + "/review/")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        session = httpx.get(srv.url + "/review/api/session").json()
        assert session["findings"]
        # the same findings as a plain check of the copy (the server's worker ran the pipeline)
        check = CliRunner().invoke(cli, ["check", str(copy), "--no-lm", "--format", "jsonl"])
        assert check.exit_code == 1 and len(session["findings"]) == len(check.stdout.splitlines())
        key = session["findings"][0]["key"]
        r = httpx.post(srv.url + "/review/api/decide", json={"key": key, "action": "reject"},
                       headers={"origin": srv.url})
        assert r.status_code == 200, r.text
        # the checking API still answers beside it
        assert httpx.post(srv.url + "/v1/check", json={"text": "Prices rose 3,5 percent."}).status_code == 200
    log = [json.loads(line) for line in (out / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(e.get("key") == key and e.get("action") == "reject" for e in log), log


def test_review_is_refused_with_a_token(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from mtqa.cli import main; main()", "serve", "--no-lm",
                           "--port", "0", "--token", "s3cret", "--review", str(SAMPLES)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and "review page has no login" in proc.stderr
