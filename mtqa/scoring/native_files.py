"""The native backend's files: whether mtqa.scoring.llama computes a model directory exactly
(``supports``, from its config alone, so that a run whose every score is cached decides it without
importing torch), and its weights pre-converted to the forward's layout and dtype, memory-mapped
(``load_converted``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable


def supports(path: Path) -> bool:
    """Whether the model directory at ``path`` is a Llama that mtqa.scoring.llama computes exactly."""
    try:
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    rope = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    return (
        cfg.get("model_type") == "llama"
        and cfg.get("hidden_act", "silu") == "silu"
        and not cfg.get("attention_bias", False)
        and not cfg.get("mlp_bias", False)
        and cfg.get("pretraining_tp", 1) == 1
        and rope.get("rope_type", rope.get("type", "default")) == "default"
        and any(path.glob("*.safetensors"))
    )


# The pre-converted weights live in a folder of their own, so that nothing that reads the model
# directory's *.safetensors (transformers, the fingerprint, the install record) sees them.
CONVERTED_DIR = "native"
FORMAT = "mtqa-native-1"  # the layout of mtqa.scoring.llama.fuse; a new layout needs a new name


def source_id(path: Path) -> str:
    """What the converted file was made from: the sha256 of each source file from the install
    record (verified before every load), else each file's size and modification time."""
    try:
        files = json.loads((path / "mtqa-install.json").read_text(encoding="utf-8")).get("files") or {}
    except (OSError, ValueError):
        files = {}
    parts = []
    for f in sorted(path.glob("*.safetensors")):
        sha = (files.get(f.name) or {}).get("sha256")
        st = f.stat()
        parts.append(f"{f.name}:{sha}" if sha else f"{f.name}:{st.st_size}:{st.st_mtime_ns}")
    return f"{FORMAT}|" + "|".join(parts)


def load_converted(path: Path, dtype_name: str, build: Callable[[], dict]) -> dict:
    """The fused weights in one dtype, memory-mapped from ``<model>/native/<dtype>.safetensors``.

    The first load converts them (``build``) and writes the file atomically; later loads map it
    (safetensors maps the file, so the pages are the page cache's: nothing is converted or
    copied, and worker processes share them). A file made from other weights or in another
    layout is made again; where the directory is read-only, the converted weights are used from
    memory.
    """
    from safetensors import safe_open

    target = path / CONVERTED_DIR / f"{dtype_name}.safetensors"
    want = source_id(path)
    try:
        with safe_open(str(target), framework="pt") as fh:
            if (fh.metadata() or {}).get("source") == want:
                return {k: fh.get_tensor(k) for k in fh.keys()}
    except Exception:  # noqa: BLE001 - missing, partial or not ours: convert again
        pass
    weights = build()
    try:
        _write(target, weights, want)
    except Exception:  # noqa: BLE001 - a read-only or full cache dir: use the converted weights from memory
        return weights
    del weights  # map the file instead of keeping the converted copy
    with safe_open(str(target), framework="pt") as fh:
        return {k: fh.get_tensor(k) for k in fh.keys()}


def _write(target: Path, weights: dict, source: str) -> None:
    import os
    import tempfile

    from safetensors.torch import save_file

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        save_file(weights, tmp, metadata={"source": source})
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
