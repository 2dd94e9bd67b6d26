#!/usr/bin/env python3
"""Is a word-bigram list a useful cheap second opinion next to the language model? (issue 9, item 6)

The candidate: the English bigram frequency list that symspellpy (MIT) ships,
``frequency_bigramdictionary_en_243_342.txt`` (242,342 bigrams from Google Books Ngrams, pruned
to counts of about 7 million and up). kenlm ships no English model on PyPI and wordfreq has no
bigrams, so this is the only packaged n-gram English data found (see the README).

Feature per sentence: among adjacent pairs of common lower-case words (both with a wordfreq Zipf
of at least --min-zipf, so that a normal pair of them would be frequent enough to be listed), the
share that is *not* in the list, and the count of such pairs. Higher means less idiomatic.

Dev data, as scripts/dev_fluency.py uses for MTQ501 (no test set is read):
- negatives: the judged sentences of ../shared/data/clean_news_en (false alarms);
- positives: MT sentences of newstest2020 zh-en (the development set, a deterministic sample of
  --groups source segments × 8 systems) that at least half of the raters marked with a major
  fluency or mistranslation span.
It reports, for each feature, the threshold allowing one clean sentence per 2,000 clean words
and the recall there, next to the AUC. (On the confusion and calque dev sets of
scripts/measure_lexicon.py the model alone already separates injected from clean, so there is
nothing there for a second opinion to add.)

    .venv/bin/python scripts/dev_ngram_prior.py --bigrams PATH [--groups 300] [--min-zipf 4.0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

PAIR_WORD = regex.compile(r"\p{Ll}+(?:['’]\p{Ll}+)?|\S")


def load_bigrams(path: Path) -> set[tuple[str, str]]:
    out = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                out.add((parts[0], parts[1]))
    return out


def sentence_features(text: str, bigrams: set, min_zipf: float) -> tuple[float, float, int]:
    """(share of unlisted common pairs, number of them, number of common pairs)."""
    from mtqa.detectors.tokens import zipf

    toks = [m.group(0) for m in PAIR_WORD.finditer(text)]
    pairs = [(a, b) for a, b in zip(toks, toks[1:])
             if a.isalpha() and b.isalpha() and a.islower() and b.islower()
             and zipf(a) >= min_zipf and zipf(b) >= min_zipf]
    if not pairs:
        return 0.0, 0.0, 0
    missing = sum(1 for p in pairs if p not in bigrams)
    return missing / len(pairs), float(missing), len(pairs)


def recall_at_budget(neg: np.ndarray, pos: np.ndarray, clean_words: int, rate: int = 2000) -> tuple[float, float]:
    """(threshold, recall) for 'flag when feature > threshold' allowing clean_words/rate alarms."""
    allowed = clean_words // rate
    s = np.sort(neg)[::-1]
    thr = s[allowed] if allowed < len(s) else -np.inf
    return float(thr), float((pos > thr).mean()) if len(pos) else 0.0


def auc(neg: np.ndarray, pos: np.ndarray) -> float:
    if not len(neg) or not len(pos):
        return float("nan")
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bigrams", type=Path, required=True, help="symspellpy's frequency_bigramdictionary_en_243_342.txt")
    ap.add_argument("--groups", type=int, default=300)
    ap.add_argument("--min-zipf", type=float, default=4.0)
    args = ap.parse_args(argv)

    import dev_fluency as D
    from mtqa.scoring import fluency as F

    bigrams = load_bigrams(args.bigrams)
    print(f"{len(bigrams)} bigrams from {args.bigrams.name}")

    clean = D.clean_docs()
    clean_words = sum(d.word_count for d in clean)
    neg = [sentence_features(d.text[s.start:s.end], bigrams, args.min_zipf)
           for d in clean for s in F.candidate_sentences(d)]
    mt = D.nt2020_docs(args.groups)
    pos, other = [], []
    for d, off, seg in mt:
        for s in F.candidate_sentences(d):
            if s.start < off:
                continue
            a, b = s.start - off, s.end - off
            votes = [any(g.severity in ("major", "critical") and g.category in ("fluency", "confusion")
                         and D.overlaps(g.start, g.end, a, b) for g in spans) for spans in seg.spans]
            n = len(votes)
            (pos if n and 2 * sum(votes) >= n else other).append(
                sentence_features(d.text[s.start:s.end], bigrams, args.min_zipf))
    print(f"clean news: {len(neg)} judged sentences, {clean_words} words; newstest2020 MT: {len(pos)} "
          f"sentences with a major fluency/mistranslation error, {len(other)} others")
    N, P, O = (np.array(x) for x in (neg, pos, other))
    for k, name in ((0, "share of unlisted common pairs"), (1, "unlisted common pairs")):
        thr, rec = recall_at_budget(N[:, k], P[:, k], clean_words)
        print(f"  {name:32s} AUC(major MT vs clean) {auc(N[:, k], P[:, k]):.3f}  AUC(major vs other MT) "
              f"{auc(O[:, k], P[:, k]):.3f}  at 1 per 2,000 clean words: threshold {thr:.3f}, recall {rec:.3f}")


if __name__ == "__main__":
    main()
