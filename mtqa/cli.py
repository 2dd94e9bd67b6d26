"""The command line. Thin: parse options, build one Config, call the pipeline, pick a writer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mtqa import __version__
from mtqa.config import FORMATS
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


def _model_options(fn):
    for opt in reversed([
        click.option("--select", multiple=True, help="Only these codes, code prefixes or categories (comma-separated)."),
        click.option("--ignore", multiple=True, help="Skip these codes, code prefixes or categories."),
        click.option("--no-lm", is_flag=True, default=False, help="Rule-based detectors only; no language model."),
        click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
                     help="A local Hugging Face causal LM directory instead of the bundled SmolLM2."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help="Where the converted model and the score cache live (default: the user cache dir)."),
        click.option("--house-style", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="TOML house-style list replacing corpora/house_style.toml."),
        click.option("--max-bytes", type=int, default=None, help="Refuse inputs larger than this (default 20 MB)."),
        click.option("--threads", type=click.IntRange(min=0), default=None,
                     help="CPU threads for the model (default: $MTQA_THREADS, else 1; 0: every core this "
                          "process may use, at most 8)."),
    ]):
        fn = opt(fn)
    return fn


def _open_model(config):
    if not config.use_lm:
        return None, None
    from mtqa.scoring.runtime import open_model

    return open_model(config, log=lambda msg: click.echo(msg, err=True))


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="Output format (default: text); html is one self-contained page for review.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of stdout (atomically, when the run ends).")
@click.option("--fail-on", type=SEVERITY_CHOICES, default=None,
              help="Exit 1 when a finding is at or above this severity (default: major).")
@click.option("--sort", type=click.Choice(["position", "score"]), default="position",
              help="Order findings by place in each input (default, streamed) or most likely first "
                   "(score, then severity; written when the run ends).")
@click.option("--signature", "show_signature", is_flag=True, default=False,
              help="Print the run's signature (mtqa version, detectors, lexicon hashes, model, thresholds) "
                   "to stderr when it ends; the output itself is unchanged.")
@_model_options
def check(paths, fmt, output, sort, select, ignore, fail_on, no_lm, model_dir, device, cache_dir, house_style,
          max_bytes, threads, show_signature):
    """Check PATHS (files, directories, or - for stdin) and report findings.

    Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 for usage or
    input errors. Inputs are only read, never modified.
    """
    from mtqa.config import build_config
    from mtqa.errors import InputError
    from mtqa.pipeline import check_documents, fails, Result
    from mtqa.readers import read_all
    from mtqa.output import atomic_output
    from mtqa.writers import STREAMING, WRITERS

    config = build_config(
        select=_split_codes(select), ignore=_split_codes(ignore), fail_on=fail_on, format=fmt,
        use_lm=False if no_lm else None, model_dir=model_dir, device=device, cache_dir=cache_dir,
        house_style=house_style, max_bytes=max_bytes, threads=threads,
    )
    if output and any(p != "-" and Path(p).exists() and Path(p).resolve() == Path(output).resolve() for p in paths):
        raise InputError(output, "the output file is one of the inputs; mtqa never overwrites its input")
    lm, scorer = _open_model(config)
    writer = WRITERS[config.format]
    if config.format == "html":  # the page carries the run's signature in its footer
        import functools

        from mtqa.evaluation.signature import build_signature, format_signature

        writer = functools.partial(writer, signature=format_signature(build_signature(config, lm, scorer)))
    result = Result()
    with atomic_output(output) as out:
        for docs, findings, errors in check_documents(read_all(list(paths), config.max_bytes), config, lm, scorer):
            for err in errors:
                click.echo(f"mtqa: error: {err}", err=True)
            if sort == "position" and config.format in STREAMING:
                writer(docs, findings, out)
            result.documents.extend(docs)
            result.errors.extend(errors)
            result.findings.extend(findings)
        if sort == "score":
            ranked = sorted(result.findings, key=lambda f: (-(f.score if f.score is not None else -1.0),
                                                            -f.severity_rank, f.sort_key()))
            writer(result.documents, ranked, out)
        elif config.format not in STREAMING:
            writer(result.documents, result.findings, out)
    if show_signature:
        from mtqa.evaluation.signature import build_signature, format_signature

        click.echo(f"signature: {format_signature(build_signature(config, lm, scorer))}", err=True)
    if result.errors:
        sys.exit(2)
    sys.exit(1 if fails(result, config.fail_on) else 0)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the corrected copy here (default: stdout).")
@click.option("--in-place", is_flag=True, help="Replace PATH itself with the corrected copy (atomically).")
@click.option("-i", "--interactive", is_flag=True, help="Ask before applying each fix.")
@click.option("--min-severity", type=click.Choice(["minor", "major", "critical"]), default="minor",
              help="Apply only fixes of at least this severity.")
@_model_options
def fix(path, output, in_place, interactive, min_severity, select, ignore, no_lm, model_dir, device, cache_dir,
        house_style, max_bytes, threads):
    """Apply mtqa's suggested fixes to the plain-text file PATH and write the corrected copy.

    Nothing is written to PATH unless --in-place is given; every write is atomic. With -i, each
    fix is shown in context and you answer y (apply), n (skip), a (apply this and all the rest)
    or q (skip this and all the rest).
    """
    from mtqa.config import build_config
    from mtqa.errors import InputError
    from mtqa.finding import SEVERITY_RANK
    from mtqa.fixes import apply_fixes, choose_fixes, review
    from mtqa.output import atomic_output
    from mtqa.pipeline import run
    from mtqa.readers import read_source

    if in_place and output:
        raise click.UsageError("give either --in-place or -o, not both")
    config = build_config(select=_split_codes(select), ignore=_split_codes(ignore),
                          use_lm=False if no_lm else None, model_dir=model_dir, device=device,
                          cache_dir=cache_dir, house_style=house_style, max_bytes=max_bytes, threads=threads)
    docs = read_source(path, Path(path), config.max_bytes)
    if len(docs) != 1 or docs[0].path != path:
        raise InputError(path, "fix works on plain text and Markdown files, not on feeds; use check --format diff")
    doc = docs[0]
    target = path if in_place else output
    if target and target != "-" and not in_place and Path(target).resolve() == Path(path).resolve():
        raise InputError(path, "use --in-place to replace the input itself")
    lm, scorer = _open_model(config)
    result = run([doc], config, lm=lm, scorer=scorer)
    fixable = [f for f in choose_fixes(result.findings) if f.severity_rank >= SEVERITY_RANK[min_severity]]
    if interactive:
        def ask(f, context):
            before, span, after = context
            click.echo(f"\n{f.path}:{f.line}:{f.column}: {f.code} {f.severity} {f.message}", err=True)
            click.echo("  ..." + before.replace("\n", " ") + click.style(span, fg="red", bold=True)
                       + after.replace("\n", " ") + "...", err=True)
            click.echo("  -> " + (click.style(f.suggestions[0], fg="green") if f.suggestions[0] else "(delete)"), err=True)
            return click.prompt("Apply? [y]es [n]o [a]ll [q]uit", type=click.Choice(["y", "n", "a", "q"]),
                                default="n", show_choices=False, err=True)
        fixable = review(doc.text, fixable, ask)
    fixed = apply_fixes(doc.text, fixable)
    with atomic_output(target) as out:
        out.write(("\ufeff" if doc.meta.get("bom") else "") + fixed)
    click.echo(f"mtqa: applied {len(fixable)} fix(es) to {path}" + (f", written to {target}" if target else ""),
               err=True)


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


def _add_commands() -> None:
    # `mtqa model ...` and `mtqa eval`: their modules import only click at the top, so --help stays fast.
    from mtqa.evaluation.commands import COMMANDS as EVAL_COMMANDS
    from mtqa.scoring.commands import COMMANDS as MODEL_COMMANDS

    for command in (*MODEL_COMMANDS, *EVAL_COMMANDS):
        cli.add_command(command)


_add_commands()


def main() -> None:
    cli(prog_name="mtqa")
