"""Development harness for MTQ501: candidate sentence features on clean news and real MT.

For every judged sentence (mtqa.detectors.fluency.candidate_sentences, scored exactly as `mtqa
check` scores it, so the clean news comes from the score cache) it computes a handful of candidate
"garbled" features from the per-token log-probabilities and entropies, then for each feature sets
the threshold that allows at most one clean-news sentence per RATE words and reports what that
threshold finds:

- negatives: all judged sentences of ../shared/data/clean_news_en (false alarms);
- positives: MT sentences of the *development* set newstest2020 zh-en (8 MT systems, a
  deterministic sample of source segments) where at least half of the raters marked a major
  fluency or mistranslation span inside the sentence. Each MT segment is scored after the
  previous segment of the same system and document, as it would be in a syndicated article; a
  document's first segment (its headline) is not judged, as in the detector;
- the seeds' gold fluency spans, for a sanity check only (never fitted).

    .venv/bin/python scripts/dev_fluency.py collect [--groups 300]   # score and pickle (slow once)
    .venv/bin/python scripts/dev_fluency.py report                   # features, thresholds, recall
    .venv/bin/python scripts/dev_fluency.py select                   # greedy logistic combinations
    .venv/bin/python scripts/dev_fluency.py fit [--cols a,b,c]       # one logistic combination, 2-fold CV
    .venv/bin/python scripts/dev_fluency.py compare                  # calibrated rule vs the old one
    .venv/bin/python scripts/dev_fluency.py compare-exact            # MTQ501 now (exact pass) vs before
    .venv/bin/python scripts/dev_fluency.py collect --test --groups 40 && ... compare --test  # once

The test sets are never used to choose anything; `collect --test` and `compare --test` read
newstest2021 (13 MT systems, one rater each) to report the final rule once.
"""

from __future__ import annotations

import argparse
import csv
import json
import lzma
import math
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from mtqa.config import Config, PROJECT_ROOT
from mtqa.document import Document, Span
from mtqa.detectors import fluency as F

DATA = PROJECT_ROOT.parent / "shared" / "data"
CLEAN = DATA / "clean_news_en" / "clean_news_en.jsonl"
NT2020 = DATA / "wmt_mqm_zhen" / "qe2022_redistributed" / "zh-en-train-2020" / "mqm_newstest2020_zhen.tsv.xz"
SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
SEED_GOLD = PROJECT_ROOT / "corpora" / "gold" / "seeds.jsonl"
NT2021 = DATA / "wmt_mqm_zhen" / "qe2022_redistributed" / "zh-en-train-2021-news" / "mqm-newstest2021_zhen.tsv.xz"
PICKLE = Path("/tmp/mtqa_dev_fluency.pkl")
TEST_PICKLE = Path("/tmp/mtqa_test_fluency.pkl")  # newstest2021: report once, never tune
RATE = 2000
HUMAN = ("Human-A.0", "Human-B.0")


# ---- data -----------------------------------------------------------------------------------

def clean_docs() -> list[Document]:
    return [Document(f"clean/{r['doc_id']}", r["text"]) for r in map(json.loads, CLEAN.open(encoding="utf-8"))]


def nt2020_docs(groups: int, path: Path = NT2020, name: str = "nt2020") -> list[tuple[Document, int, object]]:
    """(document, offset of the target segment, Segment) for a sample of MT outputs: the document
    is the previous segment of the same system and news document, a blank line, the segment."""
    from mtqa.evaluation.datasets import read_google_mqm, sample_groups

    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        doc_of = {}
        for r in rows:
            if len(r) >= 4:
                doc_of[r[3]] = (r[1], int(r[2]))  # seg_id -> (news doc, position in it)
    segments = read_google_mqm(path, None, name=name, group_cols=("seg_id",), seg_col="seg_id")
    text_of = {(s.system, s.key.rsplit("/", 1)[1]): s.text for s in segments}
    keep = sample_groups([s.group for s in segments if doc_of[s.key.rsplit("/", 1)[1]][1] > 1], groups)
    out = []
    for s in segments:
        seg = s.key.rsplit("/", 1)[1]
        if s.group not in keep or s.system in HUMAN or s.system.startswith("ref."):
            continue
        prev = text_of.get((s.system, str(int(seg) - 1)), "")
        if doc_of.get(str(int(seg) - 1), ("",))[0] != doc_of[seg][0]:
            prev = ""
        head = prev + "\n\n" if prev else "Headline.\n\n"
        out.append((Document(s.key, head + s.text), len(head), s))
    return out


def seed_docs() -> tuple[list[Document], dict[str, list]]:
    from mtqa.evaluation.gold import read_gold

    gold = defaultdict(list)
    for g in read_gold(SEED_GOLD):
        gold[g.doc].append(g)
    return [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))], gold


def overlaps(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


EXACT_WINDOW = {"total": -4.0, "odd_per_word": -0.1}  # as scripts/calibrate_fluency.py WINDOW


def windowed(lm, doc: Document, sentences=None):
    """(sentence, batched token scores, exact scores on demand) as MTQ501 scores them: in windows."""
    windows = F.windows(doc, sentences)
    answers = lm.answer([w.request for w in windows])
    for w in windows:
        for s in w.sentences:
            yield s, w.scores(answers[w.request], s), (lambda w=w, s=s: w.scores(answers.exact(w.up_to(s)), s))


def record(doc: Document, sent: Span, sc, exact=None, **extra) -> dict:
    """One sentence's scores. With ``exact`` (the detector's exact pass, on demand), a sentence
    whose batched measures fall in EXACT_WINDOW also gets its exact measures under ``exact``: what
    MTQ501 decides on."""
    a = F.assess(doc, sent, sc)
    if exact is not None and F.flagged(a.measures(), EXACT_WINDOW):
        ex = F.assess(doc, sent, exact())
        extra["exact"] = ex.measures()
    extra["screen"] = a.measures()
    return {"doc": doc.path, "sentence": doc.text[sent.start:sent.end], "start": sent.start, "end": sent.end,
            "words": a.words, "logprobs": np.asarray(sc.logprobs, np.float32),
            "entropies": np.asarray(sc.entropies, np.float32), "tok_starts": np.asarray(sc.starts),
            "text": sc.text, "shift": sent.start - (len(sc.text) - (sent.end - sent.start)), **extra}


def collect(groups: int, cache_dir: str | None, test: bool = False) -> None:
    from mtqa.config import build_config
    from mtqa.scoring.runtime import load_lm

    lm = load_lm(build_config(cache_dir=cache_dir))
    recs = []
    t0 = time.time()
    clean = clean_docs()
    words = sum(d.word_count for d in clean)
    for d in clean:
        for s, sc, exact in windowed(lm, d):
            recs.append(record(d, s, sc, exact, kind="clean"))
    print(f"clean: {len(recs)} sentences, {words} words, {time.time() - t0:.0f} s", flush=True)
    docs, gold = seed_docs()
    for d in docs:
        for s, sc, exact in windowed(lm, d):
            g = [x for x in gold[d.path] if overlaps(x.start, x.end, s.start, s.end)]
            recs.append(record(d, s, sc, exact, kind="seed", gold=[(x.category, x.severity, x.text) for x in g]))
    mt = nt2020_docs(groups, NT2021, "nt2021") if test else nt2020_docs(groups)
    print(f"{'nt2021 (TEST)' if test else 'nt2020'}: {len(mt)} MT segments", flush=True)
    for i in range(0, len(mt), 64):
        batch = mt[i:i + 64]
        meta = []
        for d, off, seg in batch:
            sents = [s for s in F.candidate_sentences(d) if s.start >= off]
            meta.extend((d, off, seg, s, sc, exact) for s, sc, exact in windowed(lm, d, sents))
        for d, off, seg, s, sc, exact in meta:
            a, b = s.start - off, s.end - off
            per_rater = []
            for spans in seg.spans:
                inside = [g for g in spans if overlaps(g.start, g.end, a, b) or (g.start == g.end == 0 and a == 0)]
                per_rater.append({"major_flu": any(g.severity in ("major", "critical") and g.category in ("fluency", "confusion") for g in inside),
                                  "major_any": any(g.severity in ("major", "critical") for g in inside),
                                  "any": bool(inside)})
            n = len(per_rater)
            recs.append(record(d, s, sc, exact, kind="mt", system=seg.system, group=seg.group, raters=n,
                               pos=2 * sum(r["major_flu"] for r in per_rater) >= n > 0,
                               major=2 * sum(r["major_any"] for r in per_rater) >= n > 0,
                               clean_mt=not any(r["any"] for r in per_rater),
                               gold=[(g.category, g.severity, g.text) for sp in seg.spans for g in sp
                                     if overlaps(g.start, g.end, a, b)]))
        print(f"  {i + len(batch)}/{len(mt)} segments, {time.time() - t0:.0f} s", flush=True)
    out = TEST_PICKLE if test else PICKLE
    out.write_bytes(pickle.dumps({"recs": recs, "clean_words": words, "groups": groups,
                                  "model_id": lm.model_id}))
    print(f"wrote {out}: {len(recs)} sentences, {time.time() - t0:.0f} s")


# ---- features -------------------------------------------------------------------------------

def features(r: dict) -> dict[str, float]:
    """Candidate features; lower means more garbled for every one of them."""
    from mtqa.detectors.tokens import zipf

    ws = r["words"]
    odd = np.array([w.oddness for w in ws]) if ws else np.zeros(1)
    judged = [i for i, w in enumerate(ws) if w.judged]
    jodd = odd[judged] if judged else np.zeros(1)
    lower = [i for i, w in enumerate(ws) if F._JUDGED.fullmatch(w.text)]  # any lower-case word
    lodd = odd[lower] if lower else np.zeros(1)
    lp, ent = r["logprobs"], r["entropies"]
    tok = lp + ent  # per-token "surprise beyond expectation", negative = worse
    jslor = np.array([ws[i].slor for i in judged]) if judged else np.zeros(1)
    f = {
        "sum_min_slor": float(np.minimum(0, jslor).sum()),  # the detector's deficit (chosen)
        "mean_min_slor": float(np.minimum(0, jslor).mean()),
        "mean_min_odd": float(np.minimum(0, jodd).mean()),  # the measure before (with entropy)
        "min_odd": float(jodd.min()),
        "sent_slor": float((sum(w.lm for w in ws) - sum(w.unigram for w in ws)) / max(1, len(lp))),
        "mean_lp": float(lp.mean()) if len(lp) else 0.0,
        "mean_lp_ent": float(tok.mean()) if len(lp) else 0.0,
        "p10_lp_ent": float(np.percentile(tok, 10)) if len(lp) else 0.0,
        "min_lp_ent": float(tok.min()) if len(lp) else 0.0,
        "frac_odd_lt-2": -float((jodd < -2).mean()) if judged else 0.0,
        "n_odd_lt-2": -float((jodd < -2).sum()),
        "n_odd_lt-3": -float((jodd < -3).sum()),
        "sum_min_odd": float(np.minimum(0, jodd).sum()),
        "mean_min_odd_lower": float(np.minimum(0, lodd).mean()),
        "sum_min_odd_lower": float(np.minimum(0, lodd).sum()),
    }
    # worst window of k words, over all words (sum of min(0, oddness), judged words only count)
    jm = np.array([min(0.0, w.oddness) if w.judged else 0.0 for w in ws]) if ws else np.zeros(1)
    lm_ = np.array([min(0.0, w.oddness) if F._JUDGED.fullmatch(w.text) else 0.0 for w in ws]) if ws else np.zeros(1)
    for k in (3, 5):
        f[f"win{k}_judged"] = float(min(jm[i:i + k].sum() for i in range(max(1, len(jm) - k + 1))))
        f[f"win{k}_lower"] = float(min(lm_[i:i + k].sum() for i in range(max(1, len(lm_) - k + 1))))
    # second-worst judged word: one odd word can be a legit rare usage, two rarely are
    s = np.sort(jodd)
    f["second_odd"] = float(s[1]) if len(s) > 1 else 0.0
    # surprise beyond expectation at judged words: entropy minus surprisal (negative = more
    # surprised than the model expected to be), without the unigram normaliser
    ex = np.array([ws[i].lm + ws[i].entropy for i in judged]) if judged else np.zeros(1)
    f["min_excess"] = float(ex.min())
    f["mean_min_excess"] = float(np.minimum(0, ex).mean())
    f["n_odd_lt0"] = -float((jodd < 0).sum())
    f["frac_odd_lt0"] = -float((jodd < 0).mean()) if judged else 0.0
    f["worst2_sum"] = float(np.minimum(0, s[:2]).sum())
    # the same, not judging a word right after a rare name or a number: after a token it has
    # never seen, the small model's prediction is unreliable ("the Azovstal *steel* plant")
    def after_name(i):
        p = ws[i - 1].text if i > 0 else ""
        return bool(p) and not F._JUDGED.fullmatch(p) and (p[0].isdigit() or zipf(p.lower()) < 4.0)
    nn = [i for i in judged if not after_name(i)]
    nodd = odd[nn] if nn else np.zeros(1)
    f["mean_min_odd_nn"] = float(np.minimum(0, nodd).mean())
    f["sum_min_odd_nn"] = float(np.minimum(0, nodd).sum())
    f["n_odd_lt0_nn"] = -float((nodd < 0).sum())
    f["min_odd_nn"] = float(nodd.min())
    f["n_judged"] = float(len(judged))
    f["n_words"] = float(len(ws))
    return f


def load(test: bool = False) -> dict:
    return pickle.loads((TEST_PICKLE if test else PICKLE).read_bytes())


def table(recs) -> tuple[list[str], np.ndarray]:
    feats = [features(r) for r in recs]
    names = list(feats[0])
    return names, np.array([[f[n] for n in names] for f in feats])


def threshold_at(clean_vals: np.ndarray, allowed: int) -> float:
    s = np.sort(clean_vals)
    return float(s[allowed] - 1e-6) if len(s) > allowed else -1e9


def evaluate(vals: np.ndarray, recs, allowed: int) -> dict:
    kind = np.array([r["kind"] for r in recs])
    thr = threshold_at(vals[kind == "clean"], allowed)
    flag = vals < thr
    mt = kind == "mt"
    pos = np.array([r.get("pos", False) for r in recs])
    major = np.array([r.get("major", False) for r in recs])
    seed_flu = np.array([any(g[0] == "fluency" for g in r.get("gold", [])) for r in recs]) & (kind == "seed")
    seed_any = np.array([bool(r.get("gold")) for r in recs]) & (kind == "seed")
    return {
        "thr": thr, "clean_fa": int((flag & (kind == "clean")).sum()),
        "mt_pos": int((pos & mt).sum()), "mt_recall": float((flag & pos & mt).sum() / max(1, (pos & mt).sum())),
        "mt_flagged": int((flag & mt).sum()),
        "mt_prec": float((flag & pos & mt).sum() / max(1, (flag & mt).sum())),
        "mt_prec_major": float((flag & major & mt).sum() / max(1, (flag & mt).sum())),
        "seed_flu": f"{int((flag & seed_flu).sum())}/{int(seed_flu.sum())}",
        "seed_fa": int((flag & (kind == "seed") & ~seed_any).sum()),
    }


def auc(vals, recs) -> float:
    """AUROC of -value separating MT positives from clean news sentences (ties count half)."""
    pos = np.array([v for v, r in zip(vals, recs) if r["kind"] == "mt" and r["pos"]])
    neg = np.sort(np.array([v for v, r in zip(vals, recs) if r["kind"] == "clean"]))
    below = np.searchsorted(neg, pos, side="left")  # clean sentences less garbled-looking... inverted below
    equal = np.searchsorted(neg, pos, side="right") - below
    # a positive beats a clean sentence when its value is lower
    return float(((len(neg) - below - equal) + 0.5 * equal).sum() / (len(pos) * len(neg)))


def report() -> None:
    data = load()
    recs = data["recs"]
    allowed = data["clean_words"] // RATE
    names, X = table(recs)
    print(f"{sum(r['kind'] == 'clean' for r in recs)} clean sentences ({data['clean_words']} words, "
          f"{allowed} alarms allowed); {sum(r['kind'] == 'mt' for r in recs)} MT sentences, "
          f"{sum(r.get('pos', False) for r in recs if r['kind'] == 'mt')} positives")
    print(f"{'feature':22s} {'AUROC':>6s} {'thr':>8s} {'FA':>3s} {'recall':>7s} {'flagMT':>6s} {'prec':>5s} {'precMaj':>7s} seeds(flu) seedFA")
    for j, n in enumerate(names):
        e = evaluate(X[:, j], recs, allowed)
        print(f"{n:22s} {auc(X[:, j], recs):6.3f} {e['thr']:8.3f} {e['clean_fa']:3d} {e['mt_recall']:7.3f} "
              f"{e['mt_flagged']:6d} {e['mt_prec']:5.2f} {e['mt_prec_major']:7.2f} {e['seed_flu']:>9s} {e['seed_fa']:4d}")


def logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> np.ndarray:
    """Weights (bias last) of an L2-regularised logistic regression, classes weighted equally,
    fitted by Newton's method."""
    Xb = np.hstack([X, np.ones((len(X), 1))])
    sw = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum())) * len(y)
    w = np.zeros(Xb.shape[1])
    reg = np.full(Xb.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(Xb @ w)))
        g = Xb.T @ (sw * (p - y)) + reg * w
        H = (Xb * (sw * p * (1 - p))[:, None]).T @ Xb + np.diag(reg)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def fit_eval(recs, X, cols, train, test, allowed_test) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    kind = np.array([r["kind"] for r in recs])
    y = np.array([1 if r.get("pos") else 0 for r in recs])
    use = train & ((kind == "clean") | ((kind == "mt") & (y == 1)))
    mu, sd = X[use][:, cols].mean(0), X[use][:, cols].std(0) + 1e-9
    w = logistic((X[use][:, cols] - mu) / sd, y[use])
    score = -(((X[:, cols] - mu) / sd) @ w[:-1] + w[-1])  # lower = more garbled, like the features
    sub = [r for r, t in zip(recs, test) if t]
    return evaluate(score[test], sub, allowed_test), w, mu, sd


def _folds(recs) -> np.ndarray:
    """Two folds: clean news by document, MT by source segment (a stable hash of each)."""
    import hashlib

    key = [r["doc"] if r["kind"] == "clean" else r.get("group", r["doc"]) for r in recs]
    return np.array([int(hashlib.sha1(k.encode()).hexdigest(), 16) % 2 for k in key])


def fit(combos: list[list[str]] | None = None) -> None:
    data = load()
    recs = data["recs"]
    names, X = table(recs)
    kind = np.array([r["kind"] for r in recs])
    fold = _folds(recs)  # seeds always in the test half
    clean_words = data["clean_words"]
    combos = combos or [
        ["mean_min_odd"],
        ["mean_min_odd", "min_odd", "sent_slor"],
        ["mean_min_odd", "sent_slor", "mean_lp_ent"],
        ["mean_min_odd", "min_odd", "sent_slor", "mean_lp_ent", "p10_lp_ent"],
        ["mean_min_odd", "second_odd", "sent_slor", "mean_lp_ent", "win3_lower"],
        ["mean_min_odd_lower", "win3_lower", "sent_slor", "mean_lp_ent", "p10_lp_ent"],
        ["mean_min_odd", "mean_min_odd_lower", "sent_slor", "mean_lp_ent", "win3_judged", "n_words"],
    ]
    for cols_n in combos:
        cols = [names.index(c) for c in cols_n]
        rows = []
        for k in (0, 1):
            train, test = fold != k, (fold == k) | (kind == "seed")
            # the clean words of the test half set its allowance
            frac = (test & (kind == "clean")).sum() / max(1, (kind == "clean").sum())
            e, w, _, _ = fit_eval(recs, X, cols, train, test, int(clean_words * frac) // RATE)
            rows.append(e)
        e_all, w, mu, sd = fit_eval(recs, X, cols, np.ones(len(recs), bool), np.ones(len(recs), bool),
                                     clean_words // RATE)
        if len(combos) == 1:
            score = -(((X[:, cols] - mu) / sd) @ w[:-1] + w[-1])
            thr = e_all["thr"]
            for i, r in enumerate(recs):
                flu = r["kind"] == "seed" and any(g[0] == "fluency" for g in r["gold"])
                if r["kind"] == "seed" and (flu or score[i] < thr):
                    print(f"  seed {'GOLD' if flu else '----'} {'FLAG' if score[i] < thr else '    '} {score[i]:6.2f} {r['sentence'][:90]!r}")
        cv = " | ".join(f"FA {e['clean_fa']:2d} R {e['mt_recall']:.3f} P {e['mt_prec']:.2f}" for e in rows)
        print(f"{'+'.join(cols_n)}\n   cv: {cv}\n   all: thr {e_all['thr']:.3f} FA {e_all['clean_fa']} "
              f"recall {e_all['mt_recall']:.3f} flagged {e_all['mt_flagged']} prec {e_all['mt_prec']:.2f} "
              f"precMaj {e_all['mt_prec_major']:.2f} seeds {e_all['seed_flu']} seedFA {e_all['seed_fa']}"
              f"\n   w {np.round(w, 3).tolist()}")


def cv_recall(recs, X, cols, fold, kind, clean_words) -> tuple[float, int]:
    rec, fa = 0.0, 0
    for k in (0, 1):
        train, test = fold != k, fold == k
        frac = (test & (kind == "clean")).sum() / max(1, (kind == "clean").sum())
        e, *_ = fit_eval(recs, X, cols, train, test, int(clean_words * frac) // RATE)
        rec += e["mt_recall"] / 2
        fa += e["clean_fa"]
    return rec, fa


def select(exclude=("n_judged", "n_words")) -> None:
    """Greedy forward selection of features by two-fold cross-validated recall."""
    data = load()
    recs = data["recs"]
    names, X = table(recs)
    kind = np.array([r["kind"] for r in recs])
    fold = _folds(recs)
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < 6:
        trials = [(cv_recall(recs, X, chosen + [j], fold, kind, data["clean_words"]), j)
                  for j in range(len(names)) if j not in chosen and names[j] not in exclude]
        (rec, fa), j = max(trials)
        if rec <= best + 0.003:
            break
        chosen.append(j)
        best = rec
        print(f"+ {names[j]:20s} cv recall {rec:.3f} (clean FA {fa})", flush=True)


def compare(old_threshold: float = -0.264, test: bool = False) -> None:
    """The detector's rule as calibrated (models/calibration.json [fluency]: deficit or per-word
    oddness) against the deficit alone and the old rule (mean over judged words of min(0, SLOR +
    entropy) below ``old_threshold``), on the same sentences."""
    from mtqa.scoring.calibration import load as load_calibration

    data = load(test)
    recs = data["recs"]
    names, X = table(recs)
    thr = load_calibration()["fluency"]["thresholds"]
    kind = np.array([r["kind"] for r in recs])
    mt, cl = kind == "mt", kind == "clean"
    pos = np.array([r.get("pos", False) for r in recs])
    major = np.array([r.get("major", False) for r in recs])
    posf = np.array([r["kind"] == "mt" and 2 * sum(1 for g in r["gold"] if g[0] == "fluency" and g[1] == "major")
                     >= r["raters"] for r in recs])
    seed_flu = np.array([r["kind"] == "seed" and any(g[0] == "fluency" for g in r["gold"]) for r in recs])
    seed_gold = np.array([r["kind"] == "seed" and bool(r["gold"]) for r in recs])
    print(f"clean: {cl.sum()} sentences, {data['clean_words']} words; "
          f"{'newstest2021 TEST' if test else 'newstest2020 dev'}: {mt.sum()} MT sentences "
          f"({data['groups']} source segments x the MT systems), {(pos & mt).sum()} with a major fluency/mistranslation "
          f"error (majority of raters), {posf.sum()} with a major fluency error")
    for name, flag in ((f"old: mean min(0, SLOR + entropy) < {old_threshold}", X[:, names.index("mean_min_odd")] < old_threshold),
                       (f"deficit alone: sum min(0, SLOR) < {thr['total']}", X[:, names.index("sum_min_slor")] < thr["total"]),
                       (f"calibrated: sum min(0, SLOR) < {thr['total']} or mean min(0, SLOR + entropy) < {thr['odd_per_word']}",
                        (X[:, names.index("sum_min_slor")] < thr["total"]) | (X[:, names.index("mean_min_odd")] < thr["odd_per_word"]))):
        fa = int((flag & cl).sum())
        print(f"{name}\n  clean FA {fa} ({fa / data['clean_words'] * 1000:.3f} per 1,000 words); "
              f"MT flagged {(flag & mt).sum()}: recall {(flag & pos).sum() / (pos & mt).sum():.3f}, "
              f"precision {(flag & pos).sum() / max(1, (flag & mt).sum()):.2f} "
              f"(any major error: {(flag & major).sum() / max(1, (flag & mt).sum()):.2f}); "
              f"major-fluency recall {(flag & posf).sum() / posf.sum():.3f}; "
              f"seed sentences with fluency gold flagged {(flag & seed_flu).sum()}/{seed_flu.sum()}, "
              f"seed sentences without any gold flagged {(flag & (kind == 'seed') & ~seed_gold).sum()}")
        for i in np.where(flag & (kind == "seed"))[0]:
            print(f"    seed {'GOLD' if seed_flu[i] else '----'} {recs[i]['sentence'][:100]!r}")

def compare_exact(old=(-8.45, -0.42), test: bool = False) -> None:
    """MTQ501 as landed before the exact pass (the batched measures against the thresholds
    calibrated on them, ``old``: total, odd_per_word) against MTQ501 now (the exact measures
    against models/calibration.json [fluency] thresholds, and its ``sure`` thresholds for major),
    on the same sentences: clean false alarms, recall and precision on the dev set."""
    from mtqa.calibration_file import load as load_calibration

    data = load(test)
    recs = data["recs"]
    sec = load_calibration()["fluency"]
    kind = np.array([r["kind"] for r in recs])
    mt, cl = kind == "mt", kind == "clean"
    pos = np.array([r.get("pos", False) for r in recs])
    major = np.array([r.get("major", False) for r in recs])
    seed_flu = np.array([r["kind"] == "seed" and any(g[0] == "fluency" for g in r["gold"]) for r in recs])
    screen = [r["screen"] for r in recs]
    exact = [r.get("exact", r["screen"]) for r in recs]
    thr_old = {"total": old[0], "odd_per_word": old[1]}
    rows = (("before: batched measures, old thresholds", [F.flagged(m, thr_old) for m in screen]),
            ("now: exact measures, calibrated thresholds (any severity)", [F.flagged(m, sec["thresholds"]) for m in exact]),
            ("now: major only (sure thresholds)", [F.flagged(m, sec["sure"]) for m in exact]))
    n_exact = sum("exact" in r for r in recs)
    diffs = {k: max((abs(r["exact"][k] - r["screen"][k]) for r in recs if "exact" in r), default=0) for k in F.MEASURES}
    print(f"clean: {cl.sum()} sentences, {data['clean_words']} words; "
          f"{'newstest2021 TEST' if test else 'newstest2020 dev'}: {mt.sum()} MT sentences, "
          f"{(pos & mt).sum()} with a major fluency/mistranslation error; {n_exact} sentences with an exact pass, "
          f"largest batched-vs-exact difference {diffs}")
    for name, flag in rows:
        flag = np.array(flag)
        fa = int((flag & cl).sum())
        print(f"{name}\n  clean FA {fa} ({fa / data['clean_words'] * 1000:.3f} per 1,000 words); "
              f"MT flagged {(flag & mt).sum()}: recall {(flag & pos).sum() / (pos & mt).sum():.3f}, "
              f"precision {(flag & pos).sum() / max(1, (flag & mt).sum()):.2f} "
              f"(any major error: {(flag & major).sum() / max(1, (flag & mt).sum()):.2f}); "
              f"seed sentences with fluency gold flagged {(flag & seed_flu).sum()}/{seed_flu.sum()}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=("collect", "report", "fit", "select", "compare", "compare-exact"))
    ap.add_argument("--groups", type=int, default=300)
    ap.add_argument("--test", action="store_true",
                    help="collect/compare on the newstest2021 TEST set instead: once, at the end, never to tune")
    ap.add_argument("--cols", default=None, help="fit: one comma-separated feature list")
    ap.add_argument("--cache-dir", default=None, help="score cache (default: mtqa's)")
    ap.add_argument("--pickle", type=Path, default=None,
                    help=f"where collect writes and the other stages read the scores (default {PICKLE}, {TEST_PICKLE} with --test)")
    args = ap.parse_args()
    if args.pickle:
        PICKLE = TEST_PICKLE = args.pickle
    if args.stage == "collect":
        collect(args.groups, args.cache_dir, args.test)
    elif args.stage == "report":
        report()
    elif args.stage == "compare":
        compare(test=args.test)
    elif args.stage == "compare-exact":
        compare_exact(test=args.test)
    elif args.stage == "select":
        select()
    else:
        fit([args.cols.split(",")] if args.cols else None)
