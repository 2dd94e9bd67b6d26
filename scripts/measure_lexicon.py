#!/usr/bin/env python3
"""Per-entry precision and recall of a pattern lexicon (confusions MTQ201, calques MTQ202), on
clean news, written into the entries as ``measured = {p, r, n, fa, data, date}`` (LanguageTool
style).

    MTQA_THREADS=1 .venv/bin/python scripts/measure_lexicon.py --lexicon confusions --code MTQ201 \
        --clean-docs 100 --per-entry 5 [--no-lm] [--write] [--out margins.json]

* False alarms (``fa``): the entry's findings on the first ``--clean-docs`` articles of
  ../shared/data/clean_news_en (human-written copy: every finding there is a false alarm).
* Recall (``r`` over ``n``): injected substitutions into clean articles (all of them, so the
  injections do not depend on ``--clean-docs``): an occurrence
  of an intended form (the entry's first replacement of a wrong form) is replaced by the wrong
  form, where the entry would match the result, as scripts/calibrate_scorer.py does for its
  pairs; found means a finding of the code on the injected span that offers the original words.
  Up to ``--per-entry`` injections per entry, drawn with a fixed seed.
* Precision ``p = tp / (tp + fa)`` on that mix: the ``n`` injected sentences and the clean
  sample. It depends on the mix (one injected error per entry against ``--clean-docs`` clean
  articles), so compare entries with one another, not with other corpora; "n/a" when the entry
  neither fired nor was found (TOML has no null; ``r`` likewise when nothing was injected).

With the model on, findings pass the scorer as in ``mtqa check`` (a finding the model rejects is
dropped); with ``--no-lm`` only the narrow patterns run. ``--write`` stores the numbers in the
lexicon's TOML files (with the model; --no-lm numbers are printed only).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtqa import corpora  # noqa: E402
from mtqa.config import CORPORA_DIR, build_config  # noqa: E402
from mtqa.detectors import confusion  # noqa: E402
from mtqa.document import Document  # noqa: E402
from mtqa.evaluation.benchmarks import open_lm, read_clean_news  # noqa: E402
from mtqa.pipeline import run  # noqa: E402

WORD = regex.compile(r"\p{L}+")


def word_count(text: str) -> int:
    return sum(1 for _ in WORD.finditer(text))


def _pairs(entry: confusion.Confusion, raw: dict) -> dict[str, str]:
    """intended phrase -> wrong phrase: each single wrong word with its first replacement, and
    each incorrect example's span with its expected suggestion (for phrases such as "discussed
    about" -> "discussed", which no word-for-word swap would produce)."""
    from mtqa.corpora import parse_marked

    pairs: dict[str, str] = {}
    for table in (entry.broad, entry.replace):
        for wrong, alts in table.items():
            if alts and alts[0] and " " not in wrong and alts[0].lower() != wrong:
                pairs.setdefault(alts[0], wrong)
    for ex in raw.get("incorrect", []):
        if isinstance(ex, dict) and ex.get("suggestion") and "text" in ex:
            text, s, e = parse_marked(ex["text"])
            wrong, intended = text[s:e].strip(), ex["suggestion"].strip()
            if wrong and intended and wrong.lower() != intended.lower():
                pairs.setdefault(intended[:1].lower() + intended[1:], wrong[:1].lower() + wrong[1:])
    return pairs


def injection_sites(entry: confusion.Confusion, raw: dict, docs: list[Document], rng: random.Random, limit: int):
    """Up to ``limit`` (doc, start, end, original) substitutions of an intended phrase by its wrong
    form, each one the entry matches after the substitution (narrow or broad)."""
    sites = []
    for intended, wrong in _pairs(entry, raw).items():
        pat = regex.compile(r"(?<![\p{L}\p{N}'’-])" + regex.escape(intended) + r"(?![\p{L}\p{N}])")
        for d in docs:
            for m in pat.finditer(d.text):
                sites.append((d, m.start(), m.end(), wrong))
    rng.shuffle(sites)
    out = []
    for d, s, e, wrong in sites:
        para_end = d.text.find("\n\n", e)
        text = d.text[: para_end if para_end != -1 else len(d.text)]
        swapped = text[:s] + wrong + text[e:]
        lo = max(0, s - 300)
        probe = Document(d.path, swapped[lo : s + len(wrong) + 300])
        hits = [(lo + hs, lo + he) for _, hs, he, _, _ in confusion.find_confusions(probe, (entry,), broad=True)]
        if any(hs <= s < he or s <= hs < s + len(wrong) for hs, he in hits):
            out.append((Document(d.path + "#inj", swapped), s, s + len(wrong), d.text[s:e]))
            if len(out) >= limit:
                break
    return out


def _fixes(text: str, f, original: str, s: int, e: int) -> bool:
    """Whether one of the finding's suggestions, applied, gives back the original text around the
    injected span (the finding's span may be wider or narrower than the injection)."""
    lo, hi = min(s, f.start), max(e, f.end)
    want = (text[lo:s] + original + text[e:hi]).lower()
    return any((text[lo:f.start] + sug + text[f.end:hi]).lower() == want for sug in f.suggestions)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lexicon", default="confusions", help="directory under corpora/ (confusions, calques)")
    ap.add_argument("--code", default="MTQ201")
    ap.add_argument("--clean-docs", type=int, default=100)
    ap.add_argument("--per-entry", type=int, default=5)
    ap.add_argument("--no-lm", action="store_true")
    ap.add_argument("--write", action="store_true", help="store measured = {...} in the lexicon files")
    ap.add_argument("--out", type=Path, help="write every scored finding (margin, score) as JSON here")
    args = ap.parse_args(argv)

    config = build_config(use_lm=False if args.no_lm else None, select=(args.code,))
    log = lambda m: print(m, file=sys.stderr)  # noqa: E731
    lm, scorer = open_lm(config, log)
    entries = confusion.lexicon(args.lexicon)
    by_id = {e.id: e for e in entries}
    docs = read_clean_news()
    clean, pool = docs[: args.clean_docs], docs
    started = time.time()
    rows = []

    fa = Counter()
    words = sum(word_count(d.text) for d in clean)
    for f in run(clean, config, lm, scorer).findings:
        if f.code == args.code:
            fa[f.evidence.get("entry")] += 1
            rows.append({"set": "clean", "entry": f.evidence.get("entry"), "text": f.text,
                         "suggestion": f.suggestion, "score": f.score, "margin": f.evidence.get("margin"),
                         "proposal": f.evidence.get("proposal"), "path": f.path, "start": f.start})
    log(f"clean: {len(clean)} articles, {words} words, {sum(fa.values())} findings, {time.time() - started:.0f} s")

    rng = random.Random(29)
    n, tp = Counter(), Counter()
    raw = {entry["id"]: entry for path in sorted((CORPORA_DIR / args.lexicon).glob("*.toml"))
           for entry in corpora.load(path).get("entry", [])}
    injected = {e.id: injection_sites(e, raw[e.id], pool, rng, args.per_entry) for e in entries}
    flat = [(eid, d, s, e, orig) for eid, sites in injected.items() for d, s, e, orig in sites]
    docs_inj = [d for _, d, _, _, _ in flat]
    # one run over all injected documents, so the model batches them; paths keep them apart
    for i, d in enumerate(docs_inj):
        docs_inj[i] = Document(f"{d.path}{i}", d.text)
    found = defaultdict(list)
    for f in run(docs_inj, config, lm, scorer).findings:
        if f.code == args.code:
            found[f.path].append(f)
    for (eid, _, s, e, orig), d in zip(flat, docs_inj):
        n[eid] += 1
        hit = [f for f in found[d.path] if f.start <= s < f.end or s <= f.start < e]
        ok = any(_fixes(d.text, f, orig, s, e) for f in hit)
        tp[eid] += ok
        for f in hit:
            rows.append({"set": "injected", "entry": eid, "text": f.text, "suggestion": f.suggestion,
                         "score": f.score, "margin": f.evidence.get("margin"), "proposal": f.evidence.get("proposal"),
                         "original": orig, "found": ok})
        if not hit:
            rows.append({"set": "injected", "entry": eid, "original": orig, "found": False, "missed": True,
                         "context": d.text[max(0, s - 60): e + 40]})
    log(f"injected: {sum(n.values())} substitutions, {sum(tp.values())} found, {time.time() - started:.0f} s")

    mode = "no-lm" if lm is None else "model"
    data = (f"clean_news_en: false alarms on the first {len(clean)} articles ({words} words), "
            f"injections into all {len(pool)}; {mode}")
    date = time.strftime("%Y-%m-%d")
    measured = {}
    print(f"| entry | fa | found/injected | p | r |\n|---|---|---|---|---|")
    for e in entries:
        p = round(tp[e.id] / (tp[e.id] + fa[e.id]), 3) if tp[e.id] + fa[e.id] else None
        r = round(tp[e.id] / n[e.id], 3) if n[e.id] else None
        measured[e.id] = {"p": p, "r": r, "n": n[e.id], "fa": fa[e.id], "data": data, "date": date}
        print(f"| {e.id} | {fa[e.id]} | {tp[e.id]}/{n[e.id]} | {p} | {r} |")
    T, N, F = sum(tp.values()), sum(n.values()), sum(fa.values())
    print(f"\ntotal: {F} false alarms on {len(clean)} clean articles ({1000 * F / max(1, words):.3f} per 1,000 words); "
          f"recall {T}/{N} = {T / max(1, N):.3f}; precision on the mix {T / max(1, T + F):.3f} ({mode}, "
          f"{len(entries)} entries, {sum(1 for e in entries if n[e.id])} with injections)")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.write and lm is not None:
        write_measured(CORPORA_DIR / args.lexicon, measured)
        print(f"wrote measured = {{...}} into corpora/{args.lexicon}/*.toml")
    del by_id


def _toml_value(v) -> str:
    if v is None:
        return '"n/a"'
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def write_measured(directory: Path, measured: dict[str, dict]) -> None:
    """Put (or replace) a ``measured = {...}`` line right after each entry's ``id`` line."""
    for path in sorted(directory.glob("*.toml")):
        out, current = [], None
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.startswith("measured = ") and current in measured:
                continue
            out.append(line)
            m = regex.match(r'id = "([^"]+)"', line)
            if m:
                current = m.group(1)
            if m and current in measured:
                vals = measured[current]
                out.append("measured = { " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in vals.items()) + " }")
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text("\n".join(out), encoding="utf-8")
        tmp.replace(path)


if __name__ == "__main__":
    main()
