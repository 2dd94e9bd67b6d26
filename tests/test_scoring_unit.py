"""Scorer logic with a fake language model (the model is not what these test), plus pieces that
need no model: the comparison texts, the cache, the calibration maths."""

import numpy as np
import pytest

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.scoring import calibration
from mtqa.scoring.cache import ScoreCache, text_key
from mtqa.scoring.context import comparison
from mtqa.scoring.lm import TokenScores
from mtqa.scoring.scorer import Scorer


class FakeLM:
    """Log-probability: -1 per character, and -50 for any text containing a 'bad' word."""

    def __init__(self, bad=("eviction",), exact_shift=0.0):
        self.bad = bad
        self.calls, self.exact = [], []
        self.exact_shift = exact_shift  # what the exact pass adds per token (0: agrees with the batched one)

    def score(self, items):
        self.calls.append(list(items))
        out = []
        for _, text in items:
            n = max(1, len(text))
            lp = np.full(n, -1.0, dtype=np.float32)
            if any(b in text for b in self.bad):
                lp[0] -= 50
            out.append(TokenScores(text, np.arange(n), np.arange(1, n + 1), lp, np.zeros(n, np.float32)))
        return out

    def score_exact(self, context, text):
        self.exact.append(text)
        (scores,) = self.score([(context, text)])
        self.calls.pop()
        return TokenScores(text, scores.starts, scores.ends, scores.logprobs + self.exact_shift, scores.entropies)


def finding(doc, word, suggestions, category="confusion", severity="major"):
    s = doc.text.index(word)
    return Finding("MTQ201", category, severity, doc.path, s, s + len(word), word, 1, 1, "", tuple(suggestions))


DOC = Document("d.txt", "Shelling went on. It was unclear whether a new eviction would take place. Then more.")


def test_comparison_keeps_the_context_and_swaps_only_the_span():
    c = comparison(DOC, finding(DOC, "eviction", ["evacuation"]))
    assert c.context == "Shelling went on. It was unclear whether a new"
    assert c.original == " eviction would take place."
    assert c.variants == (" evacuation would take place.",)


def test_comparison_of_a_deletion_leaves_one_space():
    doc = Document("d.txt", "He said the the plan failed.")
    s = doc.text.index("the the") + 4
    f = Finding("MTQ412", "punctuation", "minor", doc.path, s, s + 3, "the", 1, 1, "", ("",))
    c = comparison(doc, f)
    assert c.context + c.original == doc.text
    assert c.context + c.variants[0] == "He said the plan failed."


def test_suggestion_the_model_prefers_scores_high_and_a_rejected_one_is_dropped():
    scorer = Scorer(FakeLM(), Config())
    good = finding(DOC, "eviction", ["evacuation"])
    doc2 = Document("e.txt", "A new evacuation would take place.")
    bad = finding(doc2, "evacuation", ["eviction"])
    out = scorer.score_batch([(DOC, [good]), (doc2, [bad])])
    assert len(out[0]) == 1 and out[0][0].score > 0.9 and out[0][0].evidence["margin"] > 0
    assert out[1] == []


def test_rule_certain_categories_stay_near_their_prior():
    doc = Document("d.txt", "Read more: .vjs-menu {display: nobody;} eviction")
    f = finding(doc, "eviction", ["evacuation"], category="markup-leak", severity="critical")
    prior = calibration.CATEGORY_PRIORS["markup-leak"]
    (disliked,), = Scorer(FakeLM(bad=("evacuation",)), Config()).score_batch([(doc, [f])])
    (liked,), = Scorer(FakeLM(bad=("eviction",)), Config()).score_batch([(doc, [f])])
    assert prior - 0.1 <= disliked.score < prior <= liked.score <= prior + 0.1
    assert disliked.severity == liked.severity == "critical"


def test_low_score_downgrades_severity():
    scorer = Scorer(FakeLM(), Config(min_score=0.1))
    f = finding(DOC, "eviction", ["evacuation"]).with_(score=0.3)
    assert scorer.decide(f).severity == "minor"
    assert scorer.decide(f.with_(score=0.05)) is None
    assert scorer.decide(f.with_(score=0.9)).severity == "major"


def test_finding_without_suggestion_gets_a_prior_or_a_surprisal_score():
    doc = Document("d.txt", "A date 2022-04-24 sits here. Some name Zelenskyy here.")
    meta = finding(doc, "2022-04-24", [], category="metadata-leak")
    name = finding(doc, "Zelenskyy", [], category="name-variant")
    lm = FakeLM()
    (a, b), = Scorer(lm, Config()).scores([(doc, [meta, name])])
    assert a[0] == calibration.CATEGORY_PRIORS["metadata-leak"]
    assert 0.0 <= b[0] <= 1.0 and "span_slor" in b[1]
    assert len(lm.calls) == 1 and len(lm.calls[0]) == 1  # one batched call, only the judged span


def test_one_model_call_per_batch():
    lm = FakeLM()
    docs = [Document(f"{i}.txt", DOC.text) for i in range(3)]
    Scorer(lm, Config()).score_batch([(d, [finding(d, "eviction", ["evacuation"])]) for d in docs])
    assert len(lm.calls) == 1 and len(lm.calls[0]) == 6


def test_margin_score_is_monotonic_and_in_range():
    xs = [-30, -3, 0, 3, 30]
    ys = [calibration.margin_score(x, {"a": 0.7, "b": 0.1}) for x in xs]
    assert ys == sorted(ys) and all(0 <= y <= 1 for y in ys)
    assert calibration.sigmoid(-1000) == 0.0 and calibration.sigmoid(1000) == 1.0


def test_score_cache_round_trip(tmp_path):
    cache = ScoreCache(tmp_path / "c.sqlite")
    k = text_key("m", "ctx", "text")
    assert k != text_key("m2", "ctx", "text") and k != text_key("m", "ctxt", "ext")
    cache.put_many({k: np.array([[1.5, -2.0], [0.1, 0.2]], dtype=np.float32)})
    got = cache.get_many([k, "missing"])
    assert list(got) == [k] and got[k].tolist() == pytest.approx([1.5, -2.0, 0.1, 0.2])


def test_unwritable_cache_is_off_not_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ScoreCache(blocker / "sub" / "c.sqlite")
    assert not cache.enabled and cache.get_many(["a"]) == {}
    cache.put_many({"a": np.zeros(2)})


class NearLM(FakeLM):
    """The suggestion is 0.3 nats more likely in the batched pass: a margin whose score sits near
    the downgrade threshold, so only the exact pass may decide; there, the suggestion is 3 nats
    more likely."""

    def score(self, items):
        out = super().score(items)
        return [TokenScores(s.text, s.starts, s.ends, s.logprobs + (0.3 / len(s) if "evacuation" in s.text else 0),
                            s.entropies) for s in out]

    def score_exact(self, context, text):
        self.exact.append(text)
        (s,) = FakeLM.score(self, [(context, text)])
        self.calls.pop()
        return TokenScores(text, s.starts, s.ends, s.logprobs + (3.0 / len(s) if "evacuation" in text else 0),
                           s.entropies)


def test_a_margin_near_a_threshold_is_decided_by_the_exact_pass():
    doc = Document("d.txt", "Shelling went on. It was unclear whether a new eviction would take place.")
    f = finding(doc, "eviction", ["evacuation"])
    # "evacuation" is 2 characters longer than "eviction": -2 nats at -1 per character, so the
    # batched margin is -1.7 and the exact one +1.0
    lm = NearLM(bad=())
    (g,), = Scorer(lm, Config()).score_batch([(doc, [f])])
    assert lm.exact and g.evidence.get("exact") is True
    assert g.evidence["margin"] == pytest.approx(1.0, abs=1e-3)
    assert g.score == pytest.approx(calibration.margin_score(1.0, calibration.load()["suggestion"]))
    # far from every threshold, the batched pass decides alone
    far = FakeLM()
    (h,), = Scorer(far, Config()).score_batch([(DOC, [finding(DOC, "eviction", ["evacuation"])])])
    assert far.exact == [] and "exact" not in h.evidence


def _stated(doc, word, suggestion, min_margin, sure_margin):
    f = finding(doc, word, [suggestion])
    return f.with_(evidence={"min_margin": min_margin, "sure_margin": sure_margin})


def test_a_stated_margin_drops_a_suggestion_the_model_prefers_by_less():
    # NearLM: batched margin -1.7, more than the band below the stated 5 nats: dropped unread
    doc = Document("d.txt", "Shelling went on. It was unclear whether a new eviction would take place.")
    lm = NearLM(bad=())
    assert Scorer(lm, Config()).score_batch([(doc, [_stated(doc, "eviction", "evacuation", 5.0, 10.0)])]) == [[]]
    # a clear preference (FakeLM: +48 nats) far beyond both margins: major, no exact pass needed
    far = FakeLM()
    (g,), = Scorer(far, Config()).score_batch([(DOC, [_stated(DOC, "eviction", "evacuation", 5.0, 10.0)])])
    assert g.severity == "major" and g.score >= 0.5 and far.exact == []
    # kept from the stated margin on, minor until the sure one
    (h,), = Scorer(FakeLM(), Config()).score_batch([(DOC, [_stated(DOC, "eviction", "evacuation", 5.0, 60.0)])])
    assert h.severity == "minor" and 0.3 <= h.score < 0.5


def test_a_stated_margin_near_its_threshold_is_decided_by_the_exact_pass():
    # batched margin -1.7, exact +1.0: a stated margin of -0.5 is within the band of the batched
    # one, which alone would drop the finding; the exact pass keeps it
    doc = Document("d.txt", "Shelling went on. It was unclear whether a new eviction would take place.")
    lm = NearLM(bad=())
    (g,), = Scorer(lm, Config()).score_batch([(doc, [_stated(doc, "eviction", "evacuation", -0.5, 10.0)])])
    assert lm.exact and g.evidence.get("exact") is True and g.evidence["margin"] == pytest.approx(1.0, abs=1e-3)
    assert g.score == pytest.approx(calibration.stated_margin_score(1.0, -0.5, 10.0)) and g.severity == "minor"


def test_stated_margin_score_is_monotonic_and_zero_below_its_margin():
    xs = [-3, 0.99, 1.0, 2, 5, 30]
    ys = [calibration.stated_margin_score(x, 1.0, 5.0) for x in xs]
    assert ys == sorted(ys) and ys[0] == ys[1] == 0.0
    assert ys[2] == pytest.approx(0.3) and ys[4] == pytest.approx(0.5) and ys[5] < 1.0


def test_length_batches_cut_where_padding_costs_more_than_a_forward():
    from mtqa.scoring import lm as lm_module
    from mtqa.scoring.lm import length_batches

    rows = [[0] * n for n in (50, 52, 55, 200, 205, 210, 60, 900)]
    batches = length_batches(rows, 4096)
    assert sorted(map(len, (r for b in batches for r in b))) == sorted(map(len, rows))  # each row once
    assert [[len(r) for r in b] for b in batches] == [[50, 52, 55, 60], [200, 205, 210], [900]]
    # filling up to the budget in length order put the 50s beside the 210s: more positions computed
    positions = lambda bs: sum(len(b) * max(map(len, b)) for b in bs)  # noqa: E731
    assert positions(batches) < positions([[r for r in sorted(rows, key=len) if len(r) < 900], rows[-1:]])
    # within the budget (rows x longest row), except a row longer than it, alone
    assert all(len(b) * max(map(len, b)) <= 256 or len(b) == 1 for b in length_batches(rows, 256))
    assert length_batches([[0] * 300], 256) == [[[0] * 300]] and length_batches([], 256) == []
    # a forward's own cost: rows of nearly one length are not split to save a little padding
    assert len(length_batches([[0] * n for n in range(100, 110)], 4096)) == 1
    assert lm_module.BATCH_COST > 0


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_token_scores_are_log_softmax_and_entropy_and_leave_the_logits_alone(dtype):
    torch = pytest.importorskip("torch")
    from mtqa.scoring.lm import LanguageModel

    gen = torch.Generator().manual_seed(0)
    logits = (torch.randn(11, 3000, generator=gen) * 3).to(getattr(torch, dtype))  # 11: a last, partial chunk
    before = logits.clone()
    targets = torch.randint(0, 3000, (11,), generator=gen)
    got = LanguageModel._token_scores(logits, targets)
    assert torch.equal(logits, before)  # in-place steps never write into the model's logits
    logp = torch.log_softmax(logits.double(), -1)
    np.testing.assert_allclose(got[0], logp.gather(-1, targets[:, None])[:, 0].numpy(), atol=1e-4)
    np.testing.assert_allclose(got[1], -(logp.exp() * logp).sum(-1).numpy(), atol=1e-4)
    assert got.dtype == np.float32 and LanguageModel._token_scores(logits[:0], targets[:0]).shape == (2, 0)
