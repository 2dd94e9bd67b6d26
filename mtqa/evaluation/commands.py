"""`mtqa eval`: score findings against gold spans and print the tables and the signature."""

from __future__ import annotations

import json
import sys

import click

from mtqa.errors import InputError


@click.command("eval")
@click.argument("findings", type=click.Path(dir_okay=False))
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("--texts", "texts", multiple=True, type=click.Path(exists=True),
              help="Files or directories holding the documents; every finding and gold span is then "
                   "checked against the text (offsets in range, text == document[start:end]).")
@click.option("--model-id", default=None,
              help="The model that scored the findings, for the signature (default: 'none' when no "
                   "finding has a score, else 'unknown').")
@click.option("--json", "as_json", is_flag=True, default=False, help="Print one JSON object instead of tables.")
def eval_command(findings, gold, texts, model_id, as_json):
    """Score FINDINGS (from `mtqa check --format jsonl`) against GOLD spans (JSONL; see
    corpora/gold/README.md).

    Reports span precision, recall and F1 with exact and partial-overlap matching, overall, by
    category and by severity, and the precision of each detector code. Every result carries a
    signature: mtqa version, detectors, lexicon hashes, model, thresholds, gold and findings hashes.
    """
    from mtqa.config import build_config
    from mtqa.evaluation.gold import check_against_texts, read_gold
    from mtqa.evaluation.metrics import evaluate, report_to_json
    from mtqa.evaluation.report import code_table, span_table
    from mtqa.evaluation.signature import build_signature, file_sha, format_signature
    from mtqa.evaluation.spans import align_docs, read_findings

    golds = read_gold(gold)
    preds = align_docs(read_findings(findings), {g.doc for g in golds})
    if texts:
        doc_texts = _read_texts(texts)
        problems = check_against_texts(golds, doc_texts)
        for p in preds:
            t = doc_texts.get(p.doc)
            if t is None or p.end > len(t) or (p.text is not None and t[p.start:p.end] != p.text):
                problems.append(f"finding {p.code} at {p.doc}:{p.start}-{p.end} does not match the text")
        if problems:
            for p in problems[:20]:
                click.echo(f"mtqa: error: {p}", err=True)
            sys.exit(2)
    if model_id is None:
        model_id = "unknown" if any(p.score is not None for p in preds) else "none"
    config = build_config()
    sig = build_signature(config, model=model_id, extra={
        "gold": f"{file_sha(gold)}({len(golds)})", "findings": f"{file_sha(findings)}({len(preds)})",
        "match": "exact+partial,1:1"})
    report = evaluate(preds, golds)
    if as_json:
        click.echo(json.dumps({"signature": format_signature(sig), "signature_fields": sig,
                               "results": report_to_json(report)}, ensure_ascii=False, indent=1))
        return
    click.echo(span_table(report))
    click.echo()
    click.echo(code_table(report))
    click.echo()
    click.echo(f"signature: {format_signature(sig)}")


def _read_texts(paths) -> dict[str, str]:
    """Document texts keyed by display path and by file name, read as `mtqa check` reads them."""
    from mtqa.readers import read_all

    out: dict[str, str] = {}
    for item in read_all(list(paths), 20_000_000):
        if isinstance(item, InputError):
            raise item
        out[item.path] = item.text
        out.setdefault(item.path.rsplit("/", 1)[-1], item.text)
    return out


COMMANDS = [eval_command]
