"""models/calibration.json, read and written: the numbers the calibration scripts in scripts/
measured, each section with its provenance. No heavy imports and no maths here, so detectors
(their decision thresholds) and the scorer (its score curves) read the same file from below both.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from mtqa.config import MODELS_DIR

CALIBRATION_PATH = MODELS_DIR / "calibration.json"


@lru_cache(maxsize=None)
def load(path: Path = CALIBRATION_PATH) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_section(name: str, section: dict, path: Path = CALIBRATION_PATH) -> None:
    data = load.__wrapped__(path)
    data[name] = section
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".calibration.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
    load.cache_clear()
