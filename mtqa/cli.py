"""The command line. Thin: parse options, build one Config, call the pipeline, pick a writer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mtqa import __version__
from mtqa.errors import MtqaError

SEVERITY_CHOICES = click.Choice(["minor", "major", "critical", "never"])


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _fail(exc: MtqaError) -> None:
    click.echo(f"mtqa: error: {exc}", err=True)
    sys.exit(exc.exit_code)


class MtqaGroup(click.Group):
    """Turns MtqaError into a one-line message and exit code 2, anywhere below."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MtqaError as exc:
            _fail(exc)


@click.group(cls=MtqaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mtqa")
def cli() -> None:
    """Find machine-translation artifacts in English news copy."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "diff"]), default=None,
              help="Output format (default: text).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of stdout (atomically, when the run ends).")
@click.option("--select", multiple=True, help="Only these codes, code prefixes or categories (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these codes, code prefixes or categories.")
@click.option("--fail-on", type=SEVERITY_CHOICES, default=None,
              help="Exit 1 when a finding is at or above this severity (default: major).")
@click.option("--no-lm", is_flag=True, default=False, help="Rule-based detectors only; no language model.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
              help="A local Hugging Face causal LM directory instead of the bundled SmolLM2.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None)
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where the converted model and the score cache live (default: the user cache dir).")
@click.option("--house-style", type=click.Path(dir_okay=False, exists=True), default=None,
              help="TOML house-style list replacing corpora/house_style.toml.")
@click.option("--max-bytes", type=int, default=None, help="Refuse inputs larger than this (default 20 MB).")
def check(paths, fmt, output, select, ignore, fail_on, no_lm, model_dir, device, cache_dir, house_style, max_bytes):
    """Check PATHS (files, directories, or - for stdin) and report findings.

    Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 for usage or
    input errors. Inputs are only read, never modified.
    """
    from mtqa.config import build_config
    from mtqa.errors import InputError
    from mtqa.pipeline import check_documents, fails, Result
    from mtqa.readers import read_all
    from mtqa.output import atomic_output
    from mtqa.writers import WRITERS

    config = build_config(
        select=_split_codes(select), ignore=_split_codes(ignore), fail_on=fail_on, format=fmt,
        use_lm=False if no_lm else None, model_dir=model_dir, device=device, cache_dir=cache_dir,
        house_style=house_style, max_bytes=max_bytes,
    )
    if output and any(p != "-" and Path(p).exists() and Path(p).resolve() == Path(output).resolve() for p in paths):
        raise InputError(output, "the output file is one of the inputs; mtqa never overwrites its input")
    lm = scorer = None
    if config.use_lm:
        from mtqa.scoring.runtime import open_model

        lm, scorer = open_model(config, log=lambda msg: click.echo(msg, err=True))
    writer = WRITERS[config.format]
    result = Result()
    with atomic_output(output) as out:
        for docs, findings, errors in check_documents(read_all(list(paths), config.max_bytes), config, lm, scorer):
            for err in errors:
                click.echo(f"mtqa: error: {err}", err=True)
            writer(docs, findings, out)
            result.documents.extend(docs)
            result.errors.extend(errors)
            result.findings.extend(findings)
    if result.errors:
        sys.exit(2)
    sys.exit(1 if fails(result, config.fail_on) else 0)


@cli.command()
def rules() -> None:
    """List every detector code with its category, default severity and summary."""
    from mtqa.registry import RULES

    for r in RULES:
        lm = " (model)" if r.needs_lm else ""
        click.echo(f"{r.code}  {r.category:<18} {r.severity:<8} {r.summary}{lm}")


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Show the documentation of detector CODE (for example MTQ201)."""
    from mtqa.registry import RULES_BY_CODE, documentation

    rule = RULES_BY_CODE.get(code.upper())
    if rule is None:
        click.echo(f"mtqa: error: unknown code {code!r}; `mtqa rules` lists them", err=True)
        sys.exit(2)
    click.echo(f"{rule.code} {rule.name} ({rule.category}, {rule.severity} by default)\n")
    click.echo(documentation(rule.code))


def _add_optional_commands() -> None:
    # Commands whose modules arrive with their own features; each module exposes `command`.
    import importlib

    for mod in ("mtqa.scoring.commands", "mtqa.evaluation.commands", "mtqa.fix_command"):
        try:
            module = importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                continue
            raise
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


_add_optional_commands()


def main() -> None:
    cli(prog_name="mtqa")
