"""The command line. Thin: parse options, build one Config, call the pipeline, pick a writer."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
from pathlib import Path

import click

from mtqa import __version__
from mtqa.config import FORMATS
from mtqa.errors import EXIT_BROKEN_PIPE, EXIT_INTERNAL, EXIT_INTERRUPTED, MtqaError

SEVERITY_CHOICES = click.Choice(["minor", "major", "critical", "never"])
# Formats that carry the run's signature in the report itself (the others keep their records
# exactly as documented; `--signature` prints it for any format).
SIGNED = ("html", "sarif", "diff")


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _debug_on(ctx: click.Context | None) -> bool:
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and root.meta.get("mtqa.debug"))


def report_error(message: str, exc: BaseException | None = None, debug: bool = False, echo=None) -> None:
    """``mtqa: error: MESSAGE`` on stderr, control characters escaped; the traceback of what
    caused it with --debug. ``echo`` writes a line to stderr (the progress bar's, when one is shown)."""
    from mtqa.writers.text import escape_controls

    echo = echo or (lambda line: click.echo(line, err=True))
    echo(f"mtqa: error: {escape_controls(message)}")
    cause = exc.__cause__ if exc is not None and exc.__cause__ is not None else None
    if debug and cause is not None:
        import traceback

        echo("".join(traceback.format_exception(cause)).rstrip())


def _fail(exc: MtqaError, debug: bool = False) -> None:
    report_error(str(exc), exc, debug)
    sys.exit(exc.exit_code)


def _quiet_stdout() -> None:
    # stdout's reader has gone: point it at /dev/null so the interpreter's final flush is quiet
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class MtqaGroup(click.Group):
    """Every way a command can end, mapped to its exit code (see mtqa.errors): MtqaError is a
    one-line message and 2, Ctrl-C is 130, a bug is a one-line message and 3 (the traceback
    with --debug or MTQA_DEBUG=1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MtqaError as exc:
            _fail(exc, _debug_on(ctx))
        except (click.exceptions.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except (KeyboardInterrupt, click.exceptions.Abort):
            click.echo("\nmtqa: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:  # noqa: BLE001 - the last line: a bug is exit 3, not a traceback
            if _debug_on(ctx):
                import traceback

                traceback.print_exc()
            from mtqa.writers.text import escape_controls

            click.echo(escape_controls(f"mtqa: internal error: {type(exc).__name__}: {exc} (a bug in mtqa; "
                                       "--debug or MTQA_DEBUG=1 shows the traceback)"), err=True)
            sys.exit(EXIT_INTERNAL)


EXIT_CODES_HELP = """\b
Exit status:
  0    nothing at or above --fail-on
  1    findings at or above --fail-on (default: major)
  2    an input, output or usage error (the other inputs are still checked)
  3    an internal error (a bug; --debug shows the traceback)
  130  interrupted (Ctrl-C)"""


@click.group(cls=MtqaGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="mtqa")
@click.option("--debug", is_flag=True, default=False,
              help="Show the traceback of internal errors and of inputs that could not be read "
                   "(also MTQA_DEBUG=1).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Find machine-translation artifacts in English news copy."""
    # read once, here at the top, and kept on the root context
    ctx.meta["mtqa.debug"] = debug or os.environ.get("MTQA_DEBUG", "") not in ("", "0")
    from mtqa.progress import quiet_third_party_bars

    quiet_third_party_bars()


def _model_options(fn):
    for opt in reversed([
        click.option("--select", multiple=True, help="Only these codes, code prefixes or categories (comma-separated)."),
        click.option("--ignore", multiple=True, help="Skip these codes, code prefixes or categories."),
        click.option("--no-lm", is_flag=True, default=False, help="Rule-based detectors only; no language model."),
        click.option("--model", "model_dir", type=click.Path(file_okay=False), default=None,
                     help="A local Hugging Face causal LM directory instead of the bundled SmolLM2."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None,
                     help="Where the model runs (default: auto, a GPU when torch sees one)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help="Where the converted model and the score cache live (default: the user cache dir)."),
        click.option("--house-style", type=click.Path(dir_okay=False, exists=True), default=None,
                     help="TOML house-style list replacing corpora/house_style.toml."),
        click.option("--max-bytes", type=click.IntRange(min=1), default=None,
                     help="Refuse inputs larger than this (default 20 MB)."),
        click.option("--threads", type=click.IntRange(min=0), default=None,
                     help="CPU threads for the model (default: $MTQA_THREADS, else 0: every core this "
                          "process may use, at most 8)."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
                     help="Read settings from this file (mtqa.toml, pyproject.toml [tool.mtqa] or setup.cfg "
                          "[mtqa]) instead of searching upward from the working directory."),
    ]):
        fn = opt(fn)
    return fn


def _same_file(a: str, b: str) -> bool:
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _open_model(config):
    if not config.use_lm:
        return None, None
    from mtqa.scoring.runtime import open_model

    return open_model(config, log=lambda msg: click.echo(msg, err=True))


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="Output format (default: text); html is one self-contained page for review; "
                   "jsonl-evidence adds an 'evidence' key to each JSON line.")
@click.option("--reference", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A document that is the English original of a story (repeatable): evidence for the "
                   "cross-copy rules (MTQ6xx), never flagged by them.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of stdout (atomically, when the run ends).")
@click.option("--fail-on", type=SEVERITY_CHOICES, default=None,
              help="Exit 1 when a finding is at or above this severity (default: major).")
@click.option("--sort", type=click.Choice(["position", "score"]), default="position",
              help="Order findings by place in each input (default, streamed) or most likely first "
                   "(score, then severity; written when the run ends).")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Report only findings not recorded in this baseline file (matched by content, not offset).")
@click.option("--write-baseline", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Record every finding of this run in FILE as the baseline, and exit 0.")
@click.option("--stdin-filename", default=None, metavar="NAME",
              help="The name to show for - (stdin); its suffix picks the reader (.json ninjs, .rss, .xml, "
                   ".md, .txt) and per-path ignores match it. Without it, JSON and XML on stdin are "
                   "recognised by their content.")
@click.option("--color/--no-color", default=None,
              help="Colour the text format; default: when stdout is a terminal and NO_COLOR is not set.")
@click.option("--progress/--no-progress", default=None,
              help="A progress bar on stderr (documents done, rate, ETA); default: when stderr is a terminal.")
@click.option("--summary/--no-summary", default=None,
              help="A closing line on stderr such as '12 findings (3 major) in 5 files, 2.1 s'; "
                   "default: when stderr is a terminal.")
@click.option("--signature", "show_signature", is_flag=True, default=False,
              help="Print the run's signature (mtqa version, detectors, lexicon hashes, model, thresholds) "
                   "to stderr when it ends; the output itself is unchanged.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (each with its own model); findings and their order are those of one.")
@click.option("--engine", type=click.Choice(["process", "ray"]), default=None,
              help="process (default): this machine, --jobs workers; ray: --jobs Ray actors, on a local "
                   "Ray or the cluster at --address (pip install 'mtqa[ray]').")
@click.option("--address", "ray_address", default=None, metavar="ADDR",
              help="The Ray cluster for --engine ray (host:port, or 'auto' for the one this machine is in).")
@click.option("--resume", is_flag=True, default=False,
              help="With -o FILE (jsonl): write FILE as documents are done, log them in FILE.mtqa-resume, and "
                   "skip the documents an earlier --resume run already wrote (by path and text hash).")
@_model_options
def check(paths, fmt, output, sort, reference, select, ignore, fail_on, no_lm, model_dir, device, cache_dir,
          house_style, max_bytes, threads, config_file, baseline, write_baseline, stdin_filename, color, progress,
          summary, show_signature, jobs, engine, ray_address, resume):
    """Check PATHS (files, directories, or - for stdin) and report findings.

    Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 when an input
    could not be read (every other input is still checked and reported) or for a usage or
    output error, 3 for an internal error, 130 when interrupted. Inputs are only read, never
    modified; only regular files and - are read.

    \b
    Input formats (by suffix; directories are searched for these):
      .txt .text .md .markdown   plain text and Markdown (any other named file: plain text)
      .rss .atom .xml            RSS 2.0 / Atom feeds, IPTC NewsML-G2: one document per item
      .json .ninjs               IPTC ninjs 1.x/2.x: one document per item
      .html .htm                 only when named: plain text, markup included (README, Known limits)
      -                          stdin: plain text, or ninjs/RSS/Atom/NewsML-G2 recognised by
                                 content; --stdin-filename NAME names it and picks by suffix

    \b
    Config files, searched upward from the working directory, first found wins (or --config):
      mtqa.toml                  top-level keys, e.g. select = ["MTQ2"], fail-on = "minor"
      pyproject.toml             a [tool.mtqa] table with the same keys
      setup.cfg                  an [mtqa] section
    Keys: any option of this command (fail-on, select, ignore, format, house-style, ...) plus
    accept, accept-file, per-path-ignores and baseline (see the README, "Suppression").

    \b
    Environment variables:
      MTQA_CACHE_DIR             where the model and the score cache live (as --cache-dir)
      MTQA_PRECISION             auto|fp32|bf16|int8, the model's number format
      MTQA_THREADS               CPU threads for the model
      MTQA_DEBUG                 1: tracebacks of internal errors (as --debug)
      NO_COLOR                   no colour in text output on a terminal
    """
    from mtqa import engines
    from mtqa.config import build_config
    from mtqa.errors import InputError
    from mtqa.finding import SEVERITY_RANK
    from mtqa.pipeline import fails, Result
    from mtqa.progress import Progress, clock, summary as summarise
    from mtqa.readers import iter_sources, read_all
    from mtqa.output import atomic_output
    from mtqa.writers import STREAMING, WRITERS

    debug = _debug_on(click.get_current_context())
    config = build_config(
        config_file=config_file, select=_split_codes(select), ignore=_split_codes(ignore), fail_on=fail_on, format=fmt,
        use_lm=False if no_lm else None, model_dir=model_dir, device=device, cache_dir=cache_dir,
        house_style=house_style, max_bytes=max_bytes, threads=threads, baseline=baseline,
        reference=tuple(reference) or None, jobs=jobs, engine=engine, ray_address=ray_address,
    )
    if resume:
        from mtqa.resume import FORMATS as RESUMABLE

        if not output or output == "-" or config.format not in RESUMABLE or sort != "position" or write_baseline:
            raise click.UsageError(f"--resume needs -o FILE, --format {' or '.join(RESUMABLE)}, --sort position "
                                   "and no --write-baseline")
    if write_baseline:
        config = dataclasses.replace(config, baseline=None)  # record everything found today
    if output and any(p != "-" and _same_file(p, output) for p in paths):
        raise InputError(output, "the output file is one of the inputs; mtqa never overwrites its input")
    started = clock()
    # with workers, each loads its own model; this process only reads, orders and writes (and
    # loads one only to describe it in a signature)
    described = show_signature or config.format in SIGNED
    lm, scorer = _open_model(config) if not engines.parallel(config) or described else (None, None)
    writer = WRITERS[config.format]
    if color is None:  # https://no-color.org: any non-empty NO_COLOR turns colour off
        color = not output and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    if color and config.format == "text":
        writer = functools.partial(writer, color=True)
    signature = None
    if config.format in SIGNED:
        from mtqa.evaluation.signature import build_signature, format_signature

        signature = format_signature(build_signature(config, lm, scorer))
    if config.format in ("html", "sarif"):  # the page's footer; the SARIF run's properties
        writer = functools.partial(writer, signature=signature)
    result = Result()
    terminal = sys.stderr.isatty()
    try:
        n_inputs = sum(1 for _ in iter_sources(list(paths)))
    except MtqaError:
        n_inputs = None  # read_all reports it
    bar = Progress(n_inputs, enabled=terminal if progress is None else progress)
    if resume:
        from mtqa.resume import ResumableOutput

        opened = ResumableOutput(output, config)
        if opened.done_keys:
            bar.echo(f"mtqa: resuming {output}: {len(opened.done_keys)} document(s) already done are skipped")
    else:
        opened = atomic_output(output)
    with opened as out:
        if config.format == "diff":
            out.write(f"# mtqa signature: {signature}\n")  # a comment line, which patch skips
        inputs = bar.counting(read_all(list(paths), config.max_bytes, stdin_filename))
        for docs, findings, errors in engines.check(inputs, config, lm, scorer, skip=out.done if resume else None):
            for err in errors:
                report_error(str(err), err, debug, echo=bar.echo)
            if sort == "position" and config.format in STREAMING:
                writer(docs, findings, out)
                out.flush()  # each document's findings as soon as they are ready
                if resume:
                    out.commit(docs, findings)
            bar.advance(len(docs) + len(errors))
            result.documents.extend(docs)
            result.errors.extend(errors)
            result.findings.extend(findings)
        if sort == "score":
            ranked = sorted(result.findings, key=lambda f: (-(f.score if f.score is not None else -1.0),
                                                            -f.severity_rank, f.sort_key()))
            writer(result.documents, ranked, out)
        elif config.format not in STREAMING:
            writer(result.documents, result.findings, out)
    bar.close()
    if terminal if summary is None else summary:
        line = summarise(result.findings, result.documents, len(result.errors), clock() - started)
        if resume and opened.done_keys:  # the exit status counts those too: say they are there
            line += f"; and {len(opened.done_keys)} document(s) done by earlier runs, in {output}"
        click.echo(line, err=True)
    if show_signature:
        from mtqa.evaluation.signature import build_signature, format_signature

        click.echo(f"signature: {format_signature(build_signature(config, lm, scorer))}", err=True)
    if write_baseline and not result.errors:
        from mtqa.suppression import write_baseline as record

        n = record(write_baseline, result.documents, result.findings)
        click.echo(f"mtqa: wrote {n} finding(s) to the baseline {write_baseline}", err=True)
        sys.exit(0)
    if result.errors:
        sys.exit(2)
    earlier = out.worst if resume else -1  # what the runs before a --resume found
    sys.exit(1 if fails(result, config.fail_on) or (config.fail_on != "never" and earlier >= SEVERITY_RANK.get(
        config.fail_on, 99)) else 0)


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
        house_style, max_bytes, threads, config_file):
    """Apply mtqa's suggested fixes to PATH (plain text, Markdown, or a feed) and write the corrected copy.

    For a feed (RSS/Atom, ninjs, NewsML-G2) only the items' text is changed: each fix is put in
    place in the file's own encoding, and one that cannot be placed unambiguously is skipped
    and named.

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
    if interactive and not _stdin_is_terminal():
        raise click.UsageError("-i asks on the terminal, and stdin is not one; run it in a terminal, "
                               "or without -i (and --min-severity, --select to choose the fixes)")
    config = build_config(config_file=config_file, select=_split_codes(select), ignore=_split_codes(ignore),
                          use_lm=False if no_lm else None, model_dir=model_dir, device=device,
                          cache_dir=cache_dir, house_style=house_style, max_bytes=max_bytes, threads=threads)
    docs = read_source(path, Path(path), config.max_bytes)
    feed = bool(docs) and bool(docs[0].meta.get("item"))
    if not feed and (len(docs) != 1 or docs[0].path != path):
        raise InputError(path, "fix works on plain text, Markdown and feed files")
    target = path if in_place else output
    if target and target != "-" and not in_place and _same_file(target, path):
        raise InputError(path, "use --in-place to replace the input itself")
    lm, scorer = _open_model(config)

    def ask(f, context):
        before, span, after = context
        click.echo(f"\n{f.path}:{f.line}:{f.column}: {f.code} {f.severity} {f.message}", err=True)
        click.echo("  ..." + before.replace("\n", " ") + click.style(span, fg="red", bold=True)
                   + after.replace("\n", " ") + "...", err=True)
        click.echo("  -> " + (click.style(f.suggestions[0], fg="green") if f.suggestions[0] else "(delete)"), err=True)
        return click.prompt("Apply? [y]es [n]o [a]ll [q]uit", type=click.Choice(["y", "n", "a", "q"]),
                            default="n", show_choices=False, err=True)

    if feed:
        _fix_feed(path, docs, config, lm, scorer, target, min_severity, ask if interactive else None)
        return
    doc = docs[0]
    result = run([doc], config, lm=lm, scorer=scorer)
    if result.errors:
        raise result.errors[0]
    fixable = [f for f in choose_fixes(result.findings) if f.severity_rank >= SEVERITY_RANK[min_severity]]
    if interactive:
        fixable = review(doc.text, fixable, ask)
    fixed = apply_fixes(doc.text, fixable)
    # the corrected copy keeps the input's encoding and byte-order mark
    with atomic_output(target, encoding=doc.meta.get("encoding", "utf-8"), in_place=in_place) as out:
        out.write(("\ufeff" if doc.meta.get("bom") else "") + fixed)
    from mtqa.writers.text import escape_controls

    click.echo(escape_controls(f"mtqa: applied {len(fixable)} fix(es) to {path}"
                               + (f", written to {target}" if target else "")), err=True)


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, AttributeError):
        return False


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to serve on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port to serve on (default: a free one, printed with the URL).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="mtqa-review", show_default=True,
              help="Folder for the decision log and the exported corrected copy (never the inputs).")
@_model_options
def review(paths, host, port, out_dir, select, ignore, no_lm, model_dir, device, cache_dir, house_style, max_bytes,
           threads, config_file):
    """Check PATHS once and serve a review page on loopback: accept, reject, edit or choose among
    the fixes, then export the corrected copy. Decisions are saved to OUT/decisions.jsonl as they
    are made, so closing the browser loses nothing and reopening resumes. Ctrl-C stops it.
    """
    from mtqa.config import build_config
    from mtqa.review.app import build_app
    from mtqa.review.server import bind, is_loopback, lock_folder, serve
    from mtqa.review.session import ReviewSession

    if not is_loopback(host):
        raise click.UsageError("the review page has no login; serve it on a loopback address (127.0.0.1, ::1)")
    config = build_config(config_file=config_file, select=_split_codes(select), ignore=_split_codes(ignore),
                          use_lm=False if no_lm else None, model_dir=model_dir, device=device,
                          cache_dir=cache_dir, house_style=house_style, max_bytes=max_bytes, threads=threads)
    lock = lock_folder(Path(out_dir))  # noqa: F841 (held until the process ends)
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    lm, scorer = _open_model(config)
    session = ReviewSession.from_paths(list(paths), config, out_dir, lm=lm, scorer=scorer)
    for err in session.errors:
        click.echo(f"mtqa: error: {err}", err=True)
    if not session.documents:
        sock.close()
        sys.exit(2)
    click.echo(f"mtqa: {len(session.items)} finding(s) in {len(session.documents)} document(s); "
               f"decisions go to {session.log.path}", err=True)
    serve(build_app(session), sock, lambda url: click.echo(f"Review at {url}  (Ctrl-C to stop)"))


def _fix_feed(path, docs, config, lm, scorer, target, min_severity, ask) -> None:
    """Fix the items of a feed file and write the file back with only their text changed."""
    from mtqa.feed_fix import fix_feed
    from mtqa.finding import SEVERITY_RANK
    from mtqa.fixes import choose_fixes, review
    from mtqa.output import atomic_output
    from mtqa.pipeline import run
    from mtqa.readers.text import decode_text

    result = run(docs, config, lm=lm, scorer=scorer)
    if ask is not None:
        said: list[str] = []
        ask_one = ask

        def ask(f, context):  # 'a' (all the rest) and 'q' (quit) hold across items, as in one file
            if not said:
                answer = ask_one(f, context)
                if answer in ("a", "q"):
                    said.append(answer)
                return answer
            return said[0]
    chosen = {}
    for doc in docs:
        mine = [f for f in choose_fixes(f for f in result.findings if f.path == doc.path)
                if f.severity_rank >= SEVERITY_RANK[min_severity]]
        chosen[doc.path] = review(doc.text, mine, ask) if ask else mine
    data = Path(path).read_bytes()
    fixed, applied, skipped = fix_feed(decode_text(path, data), docs, chosen)
    for f in skipped:
        click.echo(f"mtqa: skipped {f.path}:{f.line}:{f.column} {f.code}: its text cannot be placed in the file "
                   "unambiguously (it spans markup or paragraphs); fix it by hand", err=True)
    with atomic_output(target) as out:
        out.write(("\ufeff" if data.startswith(b"\xef\xbb\xbf") else "") + fixed)
    items = len({f.path for f in applied})
    click.echo(f"mtqa: applied {len(applied)} fix(es) to {items} item(s) of {path}"
               + (f", written to {target}" if target else ""), err=True)


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1; any other needs --token).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8081).")
@click.option("--token", envvar="MTQA_SERVE_TOKEN", default=None,
              help="Answer only requests with 'Authorization: Bearer TOKEN' (default: $MTQA_SERVE_TOKEN).")
@click.option("--fail-on", type=SEVERITY_CHOICES, default=None,
              help="Severity at which a /v1/check answer says passed: false (default: major).")
@click.option("--queue-size", type=int, default=None, help="Requests that may wait; beyond, 503 (default 64).")
@click.option("--timeout", type=float, default=None, help="Seconds a request may take; beyond, 504 (default 60).")
@click.option("--max-batch", type=int, default=None, help="Requests checked together in one model pass (default 16).")
@click.option("--review", "review_paths", multiple=True, type=click.Path(exists=True),
              help="Also serve the review page (as `mtqa review`) for these files or folders at /review/ "
                   "(repeatable; loopback only, without --token).")
@click.option("--review-out", type=click.Path(file_okay=False), default="mtqa-review", show_default=True,
              help="Folder for the review page's decision log and exported copy.")
@_model_options
def serve(host, port, token, fail_on, queue_size, timeout, max_batch, review_paths, review_out, select, ignore, no_lm,
          model_dir, device, cache_dir, house_style, max_bytes, threads, config_file):
    """Answer checks over HTTP, with the model loaded once: POST /v1/check (mtqa's JSON),
    POST /v2/check (LanguageTool's API), GET /v1/rules, GET /health. --max-bytes bounds a request."""
    from mtqa.config import build_config
    from mtqa.server import serve as run_server

    config = build_config(
        config_file=config_file, select=_split_codes(select), ignore=_split_codes(ignore), fail_on=fail_on,
        use_lm=False if no_lm else None, model_dir=model_dir, device=device, cache_dir=cache_dir,
        house_style=house_style, max_bytes=max_bytes, threads=threads,
        serve_host=host, serve_port=port, serve_token=token, serve_queue=queue_size, serve_timeout=timeout,
        serve_batch=max_batch,
    )
    run_server(config, log=lambda msg: click.echo(msg, err=True), review=review_paths, review_out=review_out)


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
    """Show the documentation of detector CODE (for example MTQ201), or list the codes of a
    category (confusion), a code prefix (MTQ4) or a rule name."""
    from mtqa.config import check_patterns
    from mtqa.registry import RULES, RULES_BY_CODE, documentation, matches

    rule = RULES_BY_CODE.get(code.upper())
    if rule is None:
        try:
            check_patterns([code], "explain")
        except MtqaError as exc:
            click.echo(f"mtqa: error: {exc}", err=True)
            sys.exit(2)
        for r in (r for r in RULES if matches(r.code, [code])):
            lm = " (model)" if r.needs_lm else ""
            click.echo(f"{r.code}  {r.category:<18} {r.severity:<8} {r.summary}{lm}")
        click.echo("\n`mtqa explain CODE` shows what each one does.")
        return
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
