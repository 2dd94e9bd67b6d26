"""How MTQ501's sentences are cut into model requests, design by design: the tokens each design
computes and what it does to the seeds' garbled sentence.

For one request per sentence (each after its own CONTEXT_CHARS) and for windows of several sizes,
across paragraphs or within one, it prints on the first --docs clean news articles the tokens the
requests compute (context and text, identical requests once; the tokenizer only, no forward) per
article token, the longest context a sentence gets (code points), and, with the model, the exact
pass's measures of "Plants have especially migrated to the outside world." (seed 000), the garbled
sentence the seeds must keep, against the thresholds in models/calibration.json [fluency].

    MTQA_THREADS=1 .venv/bin/python scripts/measure_fluency_windows.py [--docs 20] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json

from mtqa.config import PROJECT_ROOT, build_config
from mtqa.detectors import fluency as F
from mtqa.document import Document
from mtqa.scoring.runtime import load_lm

DATA = PROJECT_ROOT.parent / "shared" / "data" / "clean_news_en" / "clean_news_en.jsonl"
SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "000_74b76634e9d87410.txt"
GARBLED = "Plants have especially migrated"
SIZES = (300, 400, 600, 800, 1000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--cache-dir", default=None)
    args = ap.parse_args()
    lm = load_lm(build_config(cache_dir=args.cache_dir))
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")][: args.docs]
    docs = [Document(r["doc_id"], r["text"]) for r in rows]
    article = sum(len(lm._encode(d.text)[0]) for d in docs)
    seed = Document(SEED.name, SEED.read_text(encoding="utf-8"))
    (garbled,) = [s for s in F.candidate_sentences(seed) if seed.text.startswith(GARBLED, s.start)]
    answers = lm.answer([])
    thresholds = F.section()["thresholds"]

    def tokens(requests) -> int:
        unique = dict.fromkeys((q.context, q.text) for q in requests)
        return sum(len(lm._context_ids(c)) + min(len(lm._encode(t)[0]), lm.max_text_tokens) for c, t in unique)

    def seed_measures(request, window=None) -> dict:
        sc = answers.exact(request if window is None else window.up_to(garbled))
        a = F.assess(seed, garbled, sc if window is None else window.scores(sc, garbled))
        return {k: round(v, 3) for k, v in a.measures().items()}

    print(f"{len(docs)} clean articles, {article} article tokens; thresholds {thresholds}")
    print("design | tokens computed (per article token) | requests | longest context, chars | "
          "seed sentence: context chars, exact measures, flagged")
    alone = [F.sentence_request(d, s) for d in docs for s in F.candidate_sentences(d)]
    n = tokens(alone)
    longest = max(len(q.context) for q in alone)
    q = F.sentence_request(seed, garbled)
    m = seed_measures(q)
    print(f"one request per sentence | {n} ({n / article:.2f}) | {len(alone)} | {longest} | "
          f"{len(q.context)}, {m}, {F.flagged(m, thresholds)}")
    for by_paragraph in (False, True):
        for size in SIZES:
            ws = [w for d in docs for w in F.windows(d, window_chars=size, by_paragraph=by_paragraph)]
            n = tokens([w.request for w in ws])
            longest = max(len(w.request.context) + s.start - w.start for w in ws for s in w.sentences)
            (w,) = [w for w in F.windows(seed, window_chars=size, by_paragraph=by_paragraph) if garbled in w.sentences]
            m = seed_measures(None, w)
            print(f"windows of {size}{' within a paragraph' if by_paragraph else ''} | {n} ({n / article:.2f}) | "
                  f"{len(ws)} | {longest} | {len(w.request.context) + garbled.start - w.start}, {m}, "
                  f"{F.flagged(m, thresholds)}", flush=True)


if __name__ == "__main__":
    main()
