"""Where mtqa's bundled data lives: corpora/ and models/, shipped inside the package.

setup.py maps the repository's top-level folders corpora/ and models/ to the packages
``mtqa._corpora`` and ``mtqa._models``, so a wheel, an sdist and an editable install all carry
them, and they are found through importlib.resources, never relative to a checkout. The one
exception is mtqa imported straight from a source tree that is not what is installed
(``PYTHONPATH=checkout``): then that tree's own folders are read, so its edits are what runs.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

_PACKAGES = {"corpora": "mtqa._corpora", "models": "mtqa._models"}


def _source_tree_dir(name: str) -> Path | None:
    root = Path(__file__).resolve().parent.parent
    if (root / "setup.py").is_file() and (root / name / "__init__.py").is_file():
        return root / name
    return None


def data_dir(name: str) -> Path:
    """The folder of bundled data ``name`` ("corpora" or "models") as a real directory."""
    source = _source_tree_dir(name)
    if source is not None:
        return source
    try:
        found = importlib.resources.files(_PACKAGES[name])
    except ModuleNotFoundError as exc:
        raise RuntimeError(f"mtqa is installed without its {name} data ({_PACKAGES[name]}); reinstall it") from exc
    # Installed from a wheel into a directory, this is a plain path; a zipped install is not supported.
    return Path(str(found))
