"""The perplexity baseline's plumbing (chunks, word surprisal, spans, threshold) with a fake model:
the model is not the subject here, the offsets and the arithmetic are."""

import numpy as np
import pytest

from mtqa.document import Document
from mtqa.evaluation.benchmarks import (
    CHUNK_CHARS, Surprisal, baseline_spans, chunks, segment_score, surprisal, tune_threshold,
)
from mtqa.evaluation.gold import GoldSpan
from mtqa.evaluation.spans import PredSpan


class FakeScores:
    def __init__(self, text, starts, ends, logprobs):
        self.text, self.starts, self.ends, self.logprobs = text, np.array(starts), np.array(ends), np.array(logprobs)


class FakeLM:
    """Tokens are characters; every character costs 1 nat except the letters of 'zzz' (10 each)."""

    def __init__(self):
        self.calls = []

    def score(self, items):
        self.calls.extend(items)
        out = []
        for _, text in items:
            lp = [-10.0 if ch == "z" else -1.0 for ch in text]
            out.append(FakeScores(text, list(range(len(text))), list(range(1, len(text) + 1)), lp))
        return out


def test_chunks_cover_every_sentence_and_respect_paragraphs():
    text = "One two. Three four.\n\nFive six. " + "Long sentence here. " * 60
    doc = Document("d", text)
    cs = chunks(doc)
    assert cs[0] == (0, 20)  # the first paragraph, both sentences
    assert all(e - s <= CHUNK_CHARS for s, e in cs)
    covered = {i for s, e in cs for i in range(s, e)}
    assert all(i in covered for sp in doc.sentences for i in range(sp.start, sp.end))


def test_surprisal_sums_tokens_into_words_at_the_right_offsets():
    doc = Document("d", "Cats zzz here.\n\nDogs ok.")
    lm = FakeLM()
    (s,) = surprisal(lm, [doc])
    words = {doc.text[a:b]: v for a, b, v in s.words}
    assert words["zzz"] == pytest.approx(30.0)
    assert words["Cats"] == pytest.approx(4.0)
    assert words["."] == pytest.approx(1.0)
    assert words["Dogs"] == pytest.approx(4.0)  # second paragraph: offsets shifted correctly
    assert lm.calls[1][0].endswith("here.\n\n")  # the context is the text before the chunk


def test_baseline_spans_merge_adjacent_words():
    doc = Document("d", "a bb cc d")
    surp = Surprisal([(0, 1, 1.0), (2, 4, 9.0), (5, 7, 8.0), (8, 9, 1.0)], 2.0)
    spans = baseline_spans(doc, surp, threshold=5.0)
    assert [(p.start, p.end, doc.text[p.start:p.end]) for p in spans] == [(2, 7, "bb cc")]
    assert spans[0].score == 9.0
    assert baseline_spans(doc, surp, threshold=0.5)[0].end == 9


def test_tune_threshold_picks_the_separating_value():
    doc = Document("d", "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9")
    values = [1.0] * 9 + [20.0]
    surp = Surprisal([(3 * i, 3 * i + 2, v) for i, v in enumerate(values)], 1.0)
    gold = [GoldSpan("d", 27, 29, "fluency")]
    t = tune_threshold([doc], [surp], gold)
    assert 1.0 <= t < 20.0
    assert [(p.start, p.end) for p in baseline_spans(doc, surp, t)] == [(27, 29)]


def test_segment_score_prefers_model_scores_and_falls_back_to_severity():
    assert segment_score([]) == 0.0
    assert segment_score([PredSpan("d", 0, 1, "fluency", "minor"), PredSpan("d", 0, 1, "fluency", "critical")]) == 3.0
    assert segment_score([PredSpan("d", 0, 1, "fluency", "major", score=0.7)]) == 0.7


def test_perplexity_baseline_returns_the_threshold_it_tuned_so_test_sets_can_reuse_it():
    from mtqa.evaluation.benchmarks import perplexity_baseline
    from mtqa.evaluation.datasets import Segment

    text = "Cats sat here zzz now."
    seg = Segment("s1", "g1", "sys", text, raters=["r1"], spans=[[GoldSpan("s1#0", 14, 17, "fluency")]])
    doc = Document("s1", text)
    spans, _, tuned = perplexity_baseline(FakeLM(), [seg], [doc])
    assert tuned is not None and 4.0 <= tuned < 30.0  # between the plain words and "zzz"
    assert [(p.start, p.end) for p in spans["s1"]] == [(14, 17)]
    # a threshold given (frozen from the development set) is used as it is, not tuned again
    _, _, kept = perplexity_baseline(FakeLM(), [seg], [doc], threshold=100.0)
    assert kept == 100.0
