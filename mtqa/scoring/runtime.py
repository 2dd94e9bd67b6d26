"""open_model: what ``mtqa check`` calls when the model is on.

The bundled model is fetched on first use (and says so); ``--model DIR`` loads any local Hugging
Face causal LM instead. Precision defaults to ``auto``: bf16 where the hardware has native bf16
(AMX / AVX512-BF16 CPUs, CUDA), else fp32; int8 dynamic quantisation was measured and rejected
(scripts/bench_lm.py). Config.precision (setup.cfg `precision`, or $MTQA_PRECISION) overrides it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from mtqa.config import Config
from mtqa.scoring.manifest import ModelError, cache_root, install_record, manifest, model_path


def ensure_bundled(config: Config, log: Callable[[str], None]) -> Path:
    """The converted bundled model's directory, fetching it first when it is missing."""
    path = model_path(config.cache_dir)
    if install_record(path) is not None:
        from mtqa.scoring.fetch import verify_install

        verify_install(path, log)
        return path
    from mtqa.scoring.fetch import fetch

    m = manifest()
    log(f"mtqa: the language model ({m.name}) is not installed yet; fetching it once into {path} "
        "(use --no-lm to check without it)")
    try:
        return fetch(config.cache_dir, log=log, progress=sys.stderr.isatty())
    except ModelError as exc:
        raise ModelError(f"could not fetch the language model: {exc}. Run `mtqa model fetch` "
                         "to install it, or pass --no-lm") from exc


# OpenMP threads that wait by spinning burn a core another thread or process needs (README
# "Threads", scripts/bench_threads.py). OpenMP reads this once, when torch loads it, so it is set
# before the first torch import, unless the user set it.
OMP_WAIT_POLICY = "PASSIVE"


def load_lm(config: Config, log: Callable[[str], None] = lambda m: None, precision: str | None = None):
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", OMP_WAIT_POLICY)
    from mtqa.scoring.lm import LanguageModel

    precision = precision or config.precision
    cache_path = cache_root(config.cache_dir) / "scores.sqlite"
    threads = config.threads or None
    if config.model_dir:
        return LanguageModel.load(config.model_dir, device=config.device, precision=precision,
                                  cache_path=cache_path, threads=threads)
    m = manifest()
    path = ensure_bundled(config, log)
    return LanguageModel.load(path, device=config.device, precision=precision, cache_path=cache_path,
                              prefix_token=m.prefix_token, model_id=m.id, native=True, threads=threads)


def open_model(config: Config, log: Callable[[str], None] = lambda m: None):
    """(lm, scorer) for the pipeline: lm answers the detectors' model requests, scorer scores findings."""
    from mtqa.scoring.scorer import Scorer

    lm = load_lm(config, log)
    return lm, Scorer(lm, config)
