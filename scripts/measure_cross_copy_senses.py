#!/usr/bin/env python3
"""Measure signals that might tell a wrong sense from a synonym among MTQ603's candidates, on the
development set only (newstest2020-zhen; the test sets are never read here).

    .venv/bin/python scripts/measure_cross_copy_senses.py [--limit 160] [--cache-dir DIR] [--floor 3.0]

Every MTQ603 candidate (the detector's output before scoring) in both settings of
scripts/calibrate_cross_copy_wording.py (the translations as copies of each other, and with one
human translation of each source declared the reference) gets its margin as the scorer computes it
(exact pass) and is labelled: inside any rater's span ("span"), or a false alarm (on a human
translation that is not the reference, outside every span). Printed for the candidates from
--floor nats on, three signals:

- agreement: whether all the other copies that read the place share one word and none carries
  this copy's (unanimous), against the rest;
- the cosine of the two words' input embeddings in the model (mean over their tokens);
- the margin the other way: the other copies' word against this copy's in the other copy's
  sentence after its own preceding text (the reference's sentence where it has the word).

Nothing is written; the README (MTQ603) quotes what it printed.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    from mtqa.evaluation.multicopy import calibration_parser, development_copies

    ap = calibration_parser(__doc__.splitlines()[0], default_limit=160)
    ap.add_argument("--floor", type=float, default=3.0, help="only candidates from this margin on (nats)")
    args = ap.parse_args(argv)

    import regex

    from mtqa.evaluation.multicopy import is_human, references
    from mtqa.pipeline import run
    from mtqa.scoring.context import CONTEXT_CHARS, comparison

    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    config, lm, segments, docs = development_copies("measure_cross_copy_senses", args.limit, args.cache_dir, log)
    by_path = {d.path: d for d in docs}
    seg_of = {s.key: s for s in segments}
    refs = references(segments)

    def reverse(f) -> float | None:
        """log p(their word) - log p(this copy's word) in the first counterpart sentence (the
        reference's first) that carries their word."""
        mine, theirs = f.text, f.suggestions[0]
        for c in sorted(f.evidence["copies"], key=lambda c: not c["reference"]):
            m = regex.search(r"(?<!\w)" + regex.escape(theirs) + r"(?!\w)", c["sentence"], flags=regex.I)
            if not m:
                continue
            text = by_path[c["path"]].text
            s, e = c["start"] + m.start(), c["start"] + m.end()
            cut = s
            while cut > 0 and text[cut - 1] in " \t\u00a0":
                cut -= 1
            context, lead, rest = text[max(0, cut - CONTEXT_CHARS):cut], text[cut:s], text[e:c["end"]]
            return lm.score_exact(context, lead + text[s:e] + rest).total - lm.score_exact(context, lead + mine + rest).total
        return None

    rows = []
    for name, reference in (("with an original", tuple(sorted(refs))), ("copies only", ())):
        cfg = replace(config, reference=reference)
        for f in run(docs, replace(cfg, select=("MTQ603",)), lm=lm).findings:  # detected, not scored
            c = comparison(by_path[f.path], f)
            base = lm.score_exact(c.context, c.original).total
            margin = max(lm.score_exact(c.context, v).total - base for v in c.variants)
            if margin < args.floor:
                continue
            seg = seg_of[f.path]
            span = any(g.start < f.end and f.start < g.end for spans in seg.spans for g in spans)
            readings = {r.lower() for r in f.evidence["readings"]}
            rows.append({"setting": name, "text": f.text, "suggestion": f.suggestions[0], "margin": margin,
                         "span": span, "fa": is_human(seg.system) and not span and not (reference and f.path in refs),
                         "unanimous": f.evidence["agree"] == 0 and len(readings) == 1 and len(f.evidence["readings"]) >= 2,
                         "cosine": _cosine(lm, config.cache_dir, f.text, f.suggestions[0]), "reverse": reverse(f)})
        log(f"{name}: {sum(r['setting'] == name for r in rows)} candidates from {args.floor} nats")

    def count(sel) -> str:
        return f"{len(sel)} | {sum(r['span'] for r in sel)} | {sum(r['fa'] for r in sel)}"

    print("| setting | signal | candidates | inside a span | false alarms |\n|---|---|---|---|---|")
    for name in ("with an original", "copies only"):
        rs = [r for r in rows if r["setting"] == name]
        print(f"| {name} | unanimous | {count([r for r in rs if r['unanimous']])} |")
        print(f"| {name} | not unanimous | {count([r for r in rs if not r['unanimous']])} |")
        for lo, hi in ((-1.0, 0.25), (0.25, 0.5), (0.5, 1.01)):
            print(f"| {name} | cosine {lo:.2f}-{hi:.2f} | {count([r for r in rs if lo <= r['cosine'] < hi])} |")
        for m in (args.floor, 5.0, 6.305):
            for b in (None, 0.0, 3.5, 5.0):
                sel = [r for r in rs if r["margin"] >= m and (b is None or (r["reverse"] is not None and r["reverse"] >= b))]
                print(f"| {name} | margin >= {m}" + ("" if b is None else f", reverse >= {b}") + f" | {count(sel)} |")


_EMB = {}


def _cosine(lm, cache_dir, a: str, b: str) -> float:
    """The cosine of two words' mean input embeddings, read from the installed model's weights."""
    import torch
    from safetensors import safe_open

    from mtqa.scoring.manifest import model_path

    if "emb" not in _EMB:
        with safe_open(str(model_path(cache_dir) / "native" / "fp32.safetensors"), "pt") as fh:
            key = next(k for k in fh.keys() if k == "embed" or k.endswith("embed_tokens.weight"))
            _EMB["emb"] = fh.get_tensor(key).float()

    def vec(w: str):
        return _EMB["emb"][lm.tokenizer(" " + w, add_special_tokens=False)["input_ids"]].mean(0)

    return float(torch.nn.functional.cosine_similarity(vec(a), vec(b), dim=0))


if __name__ == "__main__":
    main()
