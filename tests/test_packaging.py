"""A normal install works: the wheel and the sdist carry corpora/ and models/, and mtqa installed
from the wheel into a fresh venv, run outside the checkout, checks the samples and reports on
its model. This is the CI check for a pipx, container or pre-commit install."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _build_args() -> list[str]:
    # Build without isolation when this venv can (no download); otherwise pip fetches setuptools
    # from PyPI into an isolated build environment, as any user's `pip wheel .` would.
    try:
        import setuptools

        major, minor = (int(p) for p in setuptools.__version__.split(".")[:2])
        has_bdist_wheel = (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None
        if (major, minor) >= (64, 0) and has_bdist_wheel:
            return ["--no-build-isolation"]
    except ImportError:
        pass
    return []


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *_build_args(), "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (whl,) = out.glob("mtqa-*.whl")
    return whl


def _data_files(folder: str) -> set[str]:
    root = ROOT / folder
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, package in (("corpora", "mtqa/_corpora"), ("models", "mtqa/_models")):
        expected = {f"{package}/{name}" for name in _data_files(folder)}
        assert expected <= names, sorted(expected - names)
    assert "mtqa/_corpora/house_style.toml" in names and "mtqa/_models/calibration.json" in names


def test_sdist_carries_every_data_file(tmp_path):
    from setuptools import build_meta

    cwd = os.getcwd()
    os.chdir(ROOT)  # build_meta builds the project in the working directory
    try:
        name = build_meta.build_sdist(str(tmp_path))
    finally:
        os.chdir(cwd)
    with tarfile.open(tmp_path / name) as tar:
        names = {m.name.split("/", 1)[1] for m in tar.getmembers() if m.isfile()}
    for folder in ("corpora", "models"):
        expected = {f"{folder}/{n}" for n in _data_files(folder)}
        assert expected <= names, sorted(expected - names)
    assert "setup.py" in names


def test_wheel_installed_outside_the_checkout_runs(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # Reuse this venv's dependencies (torch above all) instead of downloading them again; the
    # wheel itself goes into the fresh venv, which comes first on its sys.path.
    (site / "reuse-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Without PYTHONPATH: a checkout on it would look like mtqa already installed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True, cwd=tmp_path, env=env)

    env["MTQA_CACHE_DIR"] = str(tmp_path / "cache")  # empty: model info must still work
    work = tmp_path / "elsewhere"
    work.mkdir()
    mtqa = str(venv / "bin" / "mtqa")

    where = subprocess.run([str(python), "-c", "import mtqa.config as c; print(c.CORPORA_DIR); print(c.MODELS_DIR)"],
                           capture_output=True, text=True, cwd=work, env=env)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).is_relative_to(site), line

    checked = subprocess.run([mtqa, "check", str(ROOT / "corpora" / "samples"), "--no-lm"],
                             capture_output=True, text=True, cwd=work, env=env)
    assert checked.returncode == 1, checked.stderr  # the samples carry major artifacts
    assert "MTQ201" in checked.stdout and "Traceback" not in checked.stderr

    info = subprocess.run([mtqa, "model", "info"], capture_output=True, text=True, cwd=work, env=env)
    assert info.returncode == 0, info.stderr
    assert "SmolLM2-135M-Instruct" in info.stdout and "calibration [suggestion]" in info.stdout
