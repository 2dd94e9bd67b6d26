"""The git hook and the pre-commit framework's hooks, run for real in scratch git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "scripts" / "pre-commit-hook.sh"
BIN = Path(sys.executable).parent  # where this venv's mtqa (and pre-commit) live
BAD = "Prices rose 3,5 percent on Monday.\n"
CLEAN = "Prices rose 3.5 percent on Monday.\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _env(path: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PATH=path, MTQA_ARGS="--no-lm", HOME=os.environ.get("HOME", "/tmp"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    env["PYTHONPATH"] = str(ROOT)  # the mtqa under test, whichever copy the venv's script points at
    return env


def git(repo: Path, *args, env=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=check)


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "desk"
    r.mkdir()
    git(r, "init", "-q", env=_env(os.environ["PATH"]))
    return r


def commit(repo: Path, path: str) -> subprocess.CompletedProcess:
    """git commit through the hook; git sends everything the hook prints to stderr."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    if not hook.exists():
        hook.symlink_to(HOOK)
    return git(repo, "commit", "-q", "-m", "copy", env=_env(path), check=False)


SYSTEM_PATH = f"{BIN}:/usr/local/bin:/usr/bin:/bin"


def test_hook_checks_the_staged_copy_not_the_working_tree(repo):
    story = repo / "story.txt"
    story.write_text(BAD, encoding="utf-8")
    git(repo, "add", "story.txt")
    story.write_text(CLEAN, encoding="utf-8")  # fixed in the working tree, not staged
    r = commit(repo, SYSTEM_PATH)
    assert r.returncode == 1 and "story.txt:1:13: MTQ401" in r.stderr and "commit blocked" in r.stderr
    git(repo, "add", "story.txt")  # stage the fix; then break the working tree again
    story.write_text(BAD, encoding="utf-8")
    r = commit(repo, SYSTEM_PATH)
    assert r.returncode == 0, r.stdout + r.stderr


def test_hook_quotes_names_and_covers_html(repo):
    odd = repo / "sport desk" / "-my story.html"
    odd.parent.mkdir()
    odd.write_text(f"<p>{BAD}</p>\n", encoding="utf-8")
    git(repo, "add", ".")
    r = commit(repo, SYSTEM_PATH)
    assert r.returncode == 1 and "sport desk/-my story.html:1:" in r.stderr and "MTQ401" in r.stderr


def test_hook_prefers_the_repositorys_venv_and_explains_a_missing_mtqa(repo):
    (repo / "story.txt").write_text(BAD, encoding="utf-8")
    git(repo, "add", "story.txt")
    r = commit(repo, "/usr/local/bin:/usr/bin:/bin")  # no mtqa anywhere
    assert r.returncode != 0 and "mtqa: not found" in r.stderr  # git exits 1 for any hook failure
    venv_bin = repo / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "mtqa").symlink_to(BIN / "mtqa")
    (repo / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    r = commit(repo, "/usr/local/bin:/usr/bin:/bin")
    assert r.returncode == 1 and "MTQ401" in r.stderr


def test_hook_uses_the_repositorys_config(repo):
    (repo / "story.txt").write_text(BAD, encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.mtqa]\nignore = ["MTQ401"]\n', encoding="utf-8")
    git(repo, "add", ".")
    r = commit(repo, SYSTEM_PATH)
    assert r.returncode == 0, r.stdout + r.stderr


def test_manifest_is_valid():
    r = subprocess.run([str(BIN / "pre-commit"), "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not (BIN / "pre-commit").exists(), reason="pre-commit is not installed in this venv")
def test_pre_commit_try_repo_system_hook(repo, tmp_path):
    """The `mtqa-system` hook through the framework, offline: try-repo clones this checkout
    (uncommitted changes included) and runs the hook on the staged files. The `mtqa` hook
    (language: python) is not run here: pre-commit would build its own venv with torch from PyPI."""
    env = _env(SYSTEM_PATH)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-cache")
    (repo / "story.txt").write_text(BAD, encoding="utf-8")
    (repo / "clean.md").write_text(CLEAN, encoding="utf-8")
    (repo / "mtqa.toml").write_text("use-lm = false\n", encoding="utf-8")  # found from the repository root
    git(repo, "add", ".")
    args = [str(BIN / "pre-commit"), "try-repo", str(ROOT), "mtqa-system"]
    r = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "story.txt:1:13: MTQ401" in r.stdout and "clean.md:" not in r.stdout
    git(repo, "rm", "-q", "--cached", "story.txt")
    r = subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Passed" in r.stdout
