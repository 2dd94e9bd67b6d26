"""Fit the margin -> score curve of the suggestion scorer; store it in models/calibration.json.

Data (margins are nats, log p(suggestion version) - log p(original version), both after the same
preceding context, exactly as mtqa.scoring.scorer computes them):

* injected confusions: in clean news, a correct word from PAIRS is swapped for its MT confusion;
  the finding on the confusion suggesting the correct word is a positive, and the same span left
  as written with the confusion as its "suggestion" is a negative;
* known artifacts: the `incorrect` examples of corpora/confusions/*.toml with their suggestions
  (positives);
* what the rule detectors with suggestions (confusion, glued words, names) report on clean news
  is printed but, by default, not used: checked by hand (2026-11), those findings were real
  errors of the source copy ("gatheredin", "reportedthat", a name spelled two ways), not false
  alarms. ``--detector-negatives`` counts them as negatives anyway.

A one-dimensional logistic regression ``score = sigmoid(a * margin + b)`` is fitted to them. The
span-surprisal quantiles for findings without a suggestion come from random clean-news words.

    .venv/bin/python scripts/calibrate_scorer.py [--per-pair 6]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import regex

from mtqa.config import Config, PROJECT_ROOT
from mtqa.corpora import parse_marked
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.pipeline import run
from mtqa.scoring.calibration import save_section
from mtqa.scoring.context import comparison
from mtqa.scoring.runtime import load_lm
from mtqa.scoring.scorer import span_slor

DATA = PROJECT_ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"

# (correct word, MT confusion): false friends and sense confusions seen in MT of news.
PAIRS = [
    ("evacuation", "eviction"), ("evacuated", "evicted"), ("factory", "fabric"),
    ("resignation", "demission"), ("currently", "actually"), ("current", "actual"),
    ("possibly", "eventually"), ("sensitive", "sensible"), ("boss", "chef"), ("mayor", "major"),
    ("meeting", "reunion"), ("training", "formation"), ("pupils", "scholars"), ("lawmakers", "deputies"),
    ("receive", "become"), ("shop", "magazine"), ("advice", "council"), ("agreed", "accorded"),
    ("warehouse", "magazine"), ("attack", "attentat"), ("prosecutor", "procurator"),
    ("firing", "fire"), ("hearing", "audience"), ("sympathetic", "sympathic"), ("injured", "hurted"),
    ("election", "selection"), ("demonstration", "manifestation"), ("consequently", "consequentially"),
    ("gift", "present"), ("chance", "occasion"), ("novel", "roman"), ("ordinance", "ordonnance"),
]


def _finding(doc: Document, start: int, end: int, suggestion: str, category: str = "confusion") -> Finding:
    return Finding("MTQ201", category, "major", doc.path, start, end, doc.text[start:end], 1, 1, "", (suggestion,))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> tuple[float, float]:
    """Newton's method on the log-loss of sigmoid(a*x + b), with a little L2 on a. Both classes
    weigh the same in total, so the intercept does not just echo how many positives we found."""
    cw = np.where(y == 1, len(y) / (2 * max(1, (y == 1).sum())), len(y) / (2 * max(1, (y == 0).sum())))
    a, b = 0.0, 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(a * x + b)))
        g = np.array([(cw * (p - y) * x).sum() + l2 * a, (cw * (p - y)).sum()])
        w = cw * p * (1 - p)
        h = np.array([[(w * x * x).sum() + l2, (w * x).sum()], [(w * x).sum(), w.sum() + 1e-9]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--per-pair", type=int, default=6)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--detector-negatives", action="store_true",
                    help="count the rule detectors' findings on clean news as negatives")
    args = ap.parse_args()
    rng = random.Random(13)
    lm = load_lm(Config())
    rows = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    docs = [Document(r["doc_id"], r["text"]) for r in rows]
    started = time.time()

    # 1. injected confusions (positives) and the untouched spans (negatives)
    injected = []  # (doc with the confusion, finding on it)
    for correct, wrong in PAIRS:
        pat = regex.compile(r"\b" + regex.escape(correct) + r"\b")
        hits = [(d, m) for d in docs for m in pat.finditer(d.text)]
        rng.shuffle(hits)
        for d, m in hits[: args.per_pair]:
            swapped = Document(d.path + "#inj", d.text[: m.start()] + wrong + d.text[m.end():])
            injected.append((swapped, _finding(swapped, m.start(), m.start() + len(wrong), correct)))
    def margins(pairs):
        """Log-likelihood margin (suggestion - original) of each (document, finding), in context."""
        items, idx = [], []
        for d, f in pairs:
            c = comparison(d, f)
            idx.append(len(items))
            items += [(c.context, c.original), (c.context, c.variants[0])]
        r = lm.score(items)
        return np.array([r[i + 1].total - r[i].total for i in idx])

    inj = margins(injected)
    print(f"injected: {len(inj)} swaps over {len(PAIRS)} pairs, {time.time() - started:.0f} s; "
          f"margin median {np.median(inj):.2f}, share > 0: {(inj > 0).mean():.3f}")

    # 2. known artifacts: the lexicon's incorrect examples
    known = []
    for path in sorted((PROJECT_ROOT / "corpora" / "confusions").glob("*.toml")):
        import tomllib

        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("entry", []):
            for ex in entry.get("incorrect", []):
                text, s, e = parse_marked(ex["text"])
                if ex.get("suggestion"):
                    d = Document("example", text)
                    known.append((d, _finding(d, s, e, ex["suggestion"])))


    kn = margins(known) if known else np.zeros(0)
    print(f"known artifacts (lexicon examples): {len(kn)}, margin median {np.median(kn) if len(kn) else 0:.2f}")

    # 3. real false alarms of the rule detectors on clean news
    cfg = Config(select=("MTQ201", "MTQ211", "MTQ221"), use_lm=False)
    fa = [(d, f) for d in docs for f in run([d], cfg).findings if f.suggestions]
    fam = margins(fa) if fa else np.zeros(0)
    print(f"detector findings on clean news: {len(fam)}, margin median {np.median(fam) if len(fam) else 0:.2f}")
    for (d, f), m in zip(fa, fam):
        print(f"   {f.code} {f.text!r} -> {f.suggestions[0]!r}: margin {m:.2f}")
    if not args.detector_negatives:
        fam = np.zeros(0)

    x = np.concatenate([inj, kn, -inj, fam])
    y = np.concatenate([np.ones(len(inj) + len(kn)), np.zeros(len(inj) + len(fam))])
    a, b = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(a * x + b)))
    pos, neg = p[y == 1], p[y == 0]
    auc = float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())
    print(f"fit: a={a:.4f} b={b:.4f}; AUC {auc:.4f}; positives >= 0.5: {(pos >= 0.5).mean():.3f}; "
          f"negatives < 0.2 (dropped): {(neg < 0.2).mean():.3f}")
    for name, vals in (("injected", inj), ("known", kn), ("reversed", -inj)):
        sc = 1 / (1 + np.exp(-(a * vals + b)))
        print(f"   {name:9s} n={len(vals):4d} score quartiles " + " ".join(f"{q:.3f}" for q in np.quantile(sc, [0.25, 0.5, 0.75])))

    # 4. span surprisal of random clean words, for findings without a suggestion
    sample = []
    for d in rng.sample(docs, min(40, len(docs))):
        ws = list(regex.finditer(r"\b\p{L}+\b", d.text))
        for m in rng.sample(ws, min(3, len(ws))):
            sample.append((d, _finding(d, m.start(), m.end(), "")))
    items = [(comparison(d, f).context, comparison(d, f).original) for d, f in sample]
    sr = lm.score(items)
    slors = sorted(span_slor(r, f.end - f.start) for r, (_, f) in zip(sr, sample))
    qs = [round(float(np.quantile(slors, q)), 3) for q in np.linspace(0, 1, 101)]

    if not args.dry_run:
        save_section("suggestion", {
            "a": round(a, 5), "b": round(b, 5), "auc": round(auc, 4),
            "positives": {"injected": len(inj), "known_examples": len(kn)},
            "negatives": {"injected_reversed": len(inj), "detector_findings_on_clean": len(fam)},
            "pairs": [f"{c}->{w}" for c, w in PAIRS], "per_pair": args.per_pair,
            "model_id": lm.model_id, "data": "../shared/data/clean_news_en/clean_news_en.jsonl + corpora/confusions",
            "script": "scripts/calibrate_scorer.py", "created": time.strftime("%Y-%m-%d"),
        })
        save_section("surprisal", {
            "quantiles": qs, "words": len(slors), "model_id": lm.model_id,
            "data": "3 random words from each of 40 clean_news_en documents", "script": "scripts/calibrate_scorer.py",
            "created": time.strftime("%Y-%m-%d"),
        })
        print("wrote models/calibration.json [suggestion], [surprisal]")


if __name__ == "__main__":
    main()
