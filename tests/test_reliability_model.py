"""A damaged model or score cache is caught: changed weights fail the load with a model error
naming `mtqa model fetch --force`, a model computing NaN is stopped before a score is written,
JSONL never holds NaN, and a corrupt scores.sqlite is moved aside and rebuilt with a warning."""

from __future__ import annotations

import json
import math
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from mtqa.finding import Finding
from mtqa.scoring import fetch as fetch_mod
from mtqa.scoring.cache import ScoreCache
from mtqa.scoring.manifest import INSTALL_RECORD, ModelError
from mtqa.writers import jsonl


def _installed(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    (d / "model.safetensors").write_bytes(os.urandom(4096))
    (d / "config.json").write_text("{}")
    (d / INSTALL_RECORD).write_text(json.dumps({"name": "m", "files": fetch_mod.file_records(d)}))
    return d


def test_verified_files_are_hashed_once_then_only_stat(tmp_path, monkeypatch):
    d = _installed(tmp_path)
    calls = []
    real = fetch_mod.file_sha256
    monkeypatch.setattr(fetch_mod, "file_sha256", lambda p: calls.append(p.name) or real(p))
    fetch_mod.verify_install(d)
    assert sorted(calls) == ["config.json", "model.safetensors"]
    calls.clear()
    fetch_mod.verify_install(d)
    assert calls == []


def test_a_changed_weight_file_is_a_model_error_naming_fetch_force(tmp_path):
    d = _installed(tmp_path)
    fetch_mod.verify_install(d)
    weights = d / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[100] ^= 0xFF  # same size, one byte changed; the mtime moves with the write
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"damaged: sha256 .*mtqa model fetch --force"):
        fetch_mod.verify_install(d)
    weights.write_bytes(bytes(data[:-10]))
    with pytest.raises(ModelError, match=r"damaged: 4,086 bytes, expected 4,096.*fetch --force"):
        fetch_mod.verify_install(d)
    weights.unlink()
    with pytest.raises(ModelError, match="missing.*fetch --force"):
        fetch_mod.verify_install(d)


def test_an_install_without_hashes_gets_them_recorded_on_first_load(tmp_path):
    d = _installed(tmp_path)
    (d / INSTALL_RECORD).write_text(json.dumps({"name": "m"}))
    logged = []
    fetch_mod.verify_install(d, logged.append)
    assert "recording the sha256" in logged[0]
    record = json.loads((d / INSTALL_RECORD).read_text())
    assert record["files"]["model.safetensors"]["size"] == 4096
    (d / "config.json").write_text('{"x": 1}')
    with pytest.raises(ModelError, match="fetch --force"):
        fetch_mod.verify_install(d)


@pytest.mark.model
def test_a_model_computing_nan_is_stopped_before_any_score_is_kept():
    import torch

    from mtqa.config import Config
    from mtqa.scoring.runtime import load_lm

    try:
        lm = load_lm(Config())
    except ModelError as exc:
        pytest.skip(f"the bundled model is not installed here: {exc}")
    lm.forget(disk=True)
    model = lm.backend.model
    norm = getattr(model, "norm", None)  # the native backend keeps tensors; transformers a module
    if not isinstance(norm, torch.Tensor):
        norm = model.model.norm.weight
    with torch.no_grad():
        norm.fill_(float("nan"))
    with pytest.raises(ModelError, match="non-finite.*mtqa model fetch --force"):
        lm.score([("", "The talks ended without agreement on Tuesday.")])


def test_jsonl_never_writes_nan():
    f = Finding(code="MTQ501", category="fluency", severity="minor", path="a.txt", start=0, end=1, text="a",
                line=1, column=1, message="m", score=math.nan)
    with pytest.raises(ModelError, match="fetch --force"):
        jsonl.dumps(f.to_json())
    assert json.loads(jsonl.dumps(f.with_(score=0.5).to_json()))["score"] == 0.5


def test_a_cache_that_is_not_a_database_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "scores.sqlite"
    path.write_bytes(b"this is not a database at all" * 200)
    warnings = []
    cache = ScoreCache(path, warn=warnings.append)
    assert cache.enabled and len(warnings) == 1 and "moved it to scores.sqlite.corrupt-" in warnings[0]
    assert [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    cache.put_many({"k": np.array([[-1.0, -2.0], [0.5, 0.5]], dtype=np.float32)})
    cache.close()
    assert ScoreCache(path).get_many(["k"])["k"].tolist() == [-1.0, -2.0, 0.5, 0.5]


def test_a_cache_damaged_inside_is_rebuilt_when_the_damage_is_met(tmp_path):
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many({f"k{i}": np.full(200, -1.0, dtype=np.float32) for i in range(300)})
    cache.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for i in range(2 * page, len(data), page):  # every page but the header and schema
        data[i:i + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    warnings = []
    cache = ScoreCache(path, warn=warnings.append)
    got = cache.get_many([f"k{i}" for i in range(300)])
    assert len(got) < 300
    assert warnings and "damaged" in warnings[0]
    cache.put_many({"fresh": np.zeros(4, dtype=np.float32)})
    assert "fresh" in cache.get_many(["fresh"])


def test_non_finite_or_foreign_cache_values_are_recomputed(tmp_path):
    path = tmp_path / "scores.sqlite"
    cache = ScoreCache(path)
    cache.put_many({"good": np.zeros(4, dtype=np.float32)})
    cache._db.execute("INSERT INTO logprobs VALUES ('nan', ?), ('odd', ?)",
                      (np.array([np.nan, 1], dtype=np.float32).tobytes(), b"abc"))
    assert set(cache.get_many(["good", "nan", "odd"])) == {"good"}
    with pytest.raises(ModelError):
        cache.put_many({"bad": np.array([np.inf], dtype=np.float32)})
    assert ScoreCache(None).enabled is False
    with pytest.raises(ModelError):  # checked even when the disk cache is off
        ScoreCache(None).put_many({"bad": np.array([np.nan], dtype=np.float32)})


def test_a_cache_that_cannot_be_created_is_off_not_an_error(tmp_path):
    (tmp_path / "f").write_text("x")  # the cache folder is a file
    assert ScoreCache(tmp_path / "f" / "scores.sqlite").enabled is False
