"""MTQ501 with the real model: it finds garbled sentences and stays quiet on fluent copy."""

import csv
import lzma
import os
from pathlib import Path

import pytest

from mtqa.config import Config
from mtqa.detectors import fluency as F
from mtqa.document import Document
from mtqa.pipeline import run

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEEDS = SHARED / "seeds"
NT2020 = SHARED / "data/wmt_mqm_zhen/qe2022_redistributed/zh-en-train-2020/mqm_newstest2020_zhen.tsv.xz"
pytestmark = [pytest.mark.model,
              pytest.mark.skipif(os.environ.get("MTQA_SKIP_MODEL_TESTS") == "1", reason="MTQA_SKIP_MODEL_TESTS=1")]

# `lm`: the real model, a session fixture in tests/conftest.py

GARBLED = ("The city council met on Tuesday to discuss the budget. "
           "The mayor has especially migrated the roads to the outside taxes.")
FLUENT = ("The city council met on Tuesday to discuss the budget. "
          "The mayor said the money would repair roads and lower taxes outside the city centre.")


def fluency(lm, text, scorer=None):
    res = run([Document("t.txt", text)], Config(select=("MTQ501",)), lm=lm, scorer=scorer)
    return [f for f in res.findings if f.code == "MTQ501"]


def exact_assessments(lm, doc):
    return [F.assess(doc, s, sc) for s, sc in F.scored_sentences(doc, lm.answer([]), exact=True)]


def test_finds_a_garbled_sentence_and_marks_its_odd_words(lm):
    found = fluency(lm, GARBLED)
    assert len(found) == 1, [f.text for f in found]
    f = found[0]
    assert GARBLED.index("The mayor") <= f.start < f.end <= len(GARBLED)
    assert f.text in ("especially", "migrated", "outside", "taxes", "outside taxes"), f.text
    assert f.category == "fluency" and f.suggestions == () and set(f.evidence["measures"]) == set(F.MEASURES)
    assert f"'{f.evidence['worst_word']}'" in f.message and "deficit" not in f.message


def test_the_fluent_version_is_not_flagged_and_scores_better(lm):
    assert fluency(lm, FLUENT) == []
    garbled = exact_assessments(lm, Document("g.txt", GARBLED))[-1]
    fluent = exact_assessments(lm, Document("f.txt", FLUENT))[-1]
    assert garbled.odd_per_word < fluent.odd_per_word and garbled.total < fluent.total


def _nt2020_output(system: str, seg_id: str) -> tuple[str, str]:
    """(previous segment, segment) of one system's output in newstest2020 zh-en (the dev set),
    read in place: the text of a rater's no-error row, else of any row, without the <v> tags."""
    found: dict[str, str] = {}
    with lzma.open(NT2020, "rt", encoding="utf-8", newline="") as fh:
        for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if r[0] == system and r[3] in (seg_id, str(int(seg_id) - 1)):
                text = r[6].replace("<v>", "").replace("</v>", "")
                if r[3] not in found or r[7].lower() == "no-error":
                    found[r[3]] = text
    return found[str(int(seg_id) - 1)], found[seg_id]


@pytest.mark.skipif(not NT2020.is_file(), reason="../shared/data is not beside this checkout")
def test_finds_a_garbled_mt_sentence_from_the_dev_set(lm):
    # DeepMind, newstest2020 segment 276: the raters marked "engage in a congress battle" and
    # "alkali beach" as major mistranslations in "Wang Boxiang organized more than 100,000 people
    # to engage in a congress battle and camped on the barren alkali beach for 40 or 50 days."
    prev, seg = _nt2020_output("DeepMind.381", "276")
    text = prev + "\n\n" + seg
    found = fluency(lm, text)
    s = text.index("Wang Boxiang organized")
    assert any(s <= f.start < text.index(" days.", s) for f in found), [f.text for f in found]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_seed_findings_are_well_formed_spans_inside_one_sentence(lm):
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for f in fluency(lm, text):
            s, e = f.evidence["sentence"]
            assert s <= f.start < f.end <= e and f.text == text[f.start:f.end]
            assert f.category == "fluency" and f.suggestions == () and f.evidence["worst_word"] in f.text


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_the_seeds_short_garbled_sentence_is_decided_by_its_exact_measure(lm):
    """"Plants have especially migrated to the outside world." was found on one machine and missed
    on another. Its short-sentence measure sits near the threshold, so what is asserted is what is
    true everywhere: the decision is its exact (float32, alone) measure against the calibrated
    threshold, and the batched pass, whatever its precision, cannot change it."""
    seed = (SEEDS / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    at = seed.index("Plants have especially migrated")
    # An excerpt around the sentence, at a fraction of the cost of the whole seed.
    doc = Document("seed-000-excerpt.txt", seed[at - 1000 : at + 400])
    s = doc.text.index("Plants have especially migrated")
    (a,) = [F.assess(doc, x, sc) for x, sc in F.scored_sentences(doc, lm.answer([]), exact=True) if x.start == s]
    assert a.words[a.worst].text == "especially"
    found = [f for f in fluency(lm, doc.text) if f.evidence["sentence"][0] == s]
    assert bool(found) == F.flagged(a.measures(), F.section()["thresholds"])
    # Its window holds its paragraph only, so it keeps the finding it had when scored alone (a
    # window reaching back to the earlier "Azovstal plant" made "Plants" fit and lost it).
    assert found, a.measures()
    assert found[0].text == "especially" and found[0].evidence["measures"]["odd_per_word"] == round(a.odd_per_word, 4)


# Sentences of many lengths, to put a sentence in a batch with padding around it.
OTHERS = [
    "Officials said.", "The river rose again overnight, and the town's two bridges were closed to traffic.",
    "Prices went up.", "Schools will reopen on Monday after the holiday, the education ministry said in a statement.",
    "The match ended in a draw.", "He was born in 1950 in a small village in the north of the country, where his "
    "father ran a shop and his mother taught at the school for more than thirty years.",
    "Rain is expected.", "The company reported higher profits for the third quarter in a row on Thursday.",
    "Talks will resume.", "Police closed the road for several hours while the fire brigade cleared the wreckage.",
    "The vote was delayed.", "Farmers say the dry summer has cut the harvest by a third in some regions.",
    "It was not clear why.", "The museum, which opened in 1902, holds one of the largest collections of maps.",
    "Nobody was hurt.",
]
TOLERANCE = 1e-4  # the exact pass's score, alone or in any batch: float32 rounding only


def test_one_sentence_alone_and_in_a_batch_of_16_gets_the_same_decision_and_score(lm):
    from mtqa.scoring.scorer import Scorer

    scorer = Scorer(lm, Config())
    target = Document("garbled.txt", GARBLED)
    others = [Document(f"o{i}.txt", "A headline. The council met on Tuesday. " + t) for i, t in enumerate(OTHERS)]
    config = Config(select=("MTQ501",))
    lm.forget()
    alone = [f for f in run([target], config, lm=lm, scorer=scorer).findings]
    lm.forget()
    batched = [f for f in run(others[:8] + [target] + others[8:], config, lm=lm, scorer=scorer).findings
               if f.path == "garbled.txt"]
    assert [(f.start, f.end, f.severity) for f in alone] == [(f.start, f.end, f.severity) for f in batched]
    assert alone, "the garbled sentence is found"
    for a, b in zip(alone, batched):
        assert abs(a.score - b.score) <= TOLERANCE
        for k in F.MEASURES:
            assert abs(a.evidence["measures"][k] - b.evidence["measures"][k]) <= TOLERANCE


def test_float32_and_bf16_machines_decide_the_same(lm):
    """The batched pass in bf16 and in float32 differ by up to a few hundredths per word; the
    decision comes from the exact pass only, so the findings are the same."""
    import torch

    from mtqa.scoring.lm import LanguageModel
    from mtqa.scoring.manifest import manifest, model_path

    seed = (SEEDS / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    at = seed.index("Plants have especially migrated")
    texts = [GARBLED, FLUENT, seed[max(0, at - 1500) : at + 600]]  # the seed's marginal sentence, in context
    out = {}
    for precision in ("fp32", "bf16"):
        m = LanguageModel.load(model_path(), device="cpu", precision=precision, native=True,
                               prefix_token=manifest().prefix_token, model_id=manifest().id)
        assert m.backend.model.embed.dtype == (torch.float32 if precision == "fp32" else torch.bfloat16)
        res = run([Document(f"{i}.txt", t) for i, t in enumerate(texts)], Config(select=("MTQ501",)), lm=m)
        out[precision] = [(f.path, f.start, f.end, f.evidence["measures"]) for f in res.findings]
    assert out["fp32"] == out["bf16"] and out["fp32"]


def test_clean_copy_gives_no_fluency_finding(lm):
    text = ("The city council approved the new budget on Tuesday after a long debate. "
            "The mayor said the money would pay for more buses and repairs to two bridges. "
            "Opposition members voted against the plan, saying taxes would rise next year.")
    assert fluency(lm, text) == []


def test_fluency_needs_the_model():
    res = run([Document("t.txt", "Plants have especially migrated to the outside world. " * 3)],
              Config(select=("MTQ501",), use_lm=False))
    assert res.findings == []


def test_a_window_scores_each_sentence_as_its_own_exact_pass_does(lm):
    """The premise of windows: a causal model does not look ahead, so a sentence's tokens in its
    whole window and in the window cut after it (what the exact pass computes) are the same
    numbers, and the first sentence of a window is scored exactly as it was alone."""
    seed = (SEEDS / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    doc = Document("seed-000-start.txt", seed[:1500])
    windows = F.windows(doc)
    assert len(windows) >= 2 and all(len(w.sentences) >= 1 for w in windows)
    answers = lm.answer([])
    for w in windows:
        whole = lm.score_exact(w.request.context, w.request.text)
        for s in w.sentences:
            cut = answers.exact(w.up_to(s))
            a, b = w.scores(whole, s), w.scores(cut, s)
            assert list(a.starts) == list(b.starts) and len(a) >= 3
            assert max(abs(x - y) for x, y in zip(a.logprobs, b.logprobs)) < 1e-3
        first = w.sentences[0]
        alone = lm.score_exact(*F.sentence_items(doc, [first])[0])
        a = w.scores(whole, first)
        assert a.text == alone.text and list(a.starts) == list(alone.starts)
        assert max(abs(x - y) for x, y in zip(a.logprobs, alone.logprobs)) < 1e-3
