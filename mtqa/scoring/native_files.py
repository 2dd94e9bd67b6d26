"""The native backend's files, without torch: whether mtqa.scoring.llama computes a model
directory exactly (``supports``), read from its config alone, so that a run whose every score is
cached decides it without importing torch."""

from __future__ import annotations

import json
from pathlib import Path


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
