"""The request protocol between model-backed detectors, the pipeline and the model, with a fake
model (the model is not what these test; tests/test_fluency_model.py runs the real one), and the
boundaries the layout promises: detectors never import scoring, scoring never names a code."""

import re
from pathlib import Path

import numpy as np
import pytest

from mtqa.config import Config, build_config, environment_defaults
from mtqa.detectors import fluency as F
from mtqa.document import Document
from mtqa.errors import ConfigError
from mtqa.finding import CATEGORIES, CATEGORY_TABLE, Finding, category
from mtqa.pipeline import check_documents
from mtqa.registry import RULES, requests_of
from mtqa.scoring import calibration
from mtqa.scoring.lm import TokenScores

MTQA = Path(__file__).resolve().parent.parent / "mtqa"


class FakeLM:
    """Every token scores ``logprob``; records each batched call and each exact request."""

    def __init__(self, logprob=0.0):
        self.logprob = logprob
        self.batches, self.exact_requests = [], []

    def _scores(self, text):
        n = max(1, len(text))
        lp = np.full(n, self.logprob, np.float32)
        return TokenScores(text, np.arange(n), np.arange(1, n + 1), lp, np.zeros(n, np.float32))

    def answer(self, requests):
        self.batches.append(list(requests))
        fake = self

        class Answers:
            def __getitem__(self, q):
                return fake._scores(q.text)

            def exact(self, q):
                fake.exact_requests.append(q)
                return fake._scores(q.text)

        return Answers()


TEXT = ("A headline. The council met on Tuesday to discuss the budget for the coming year. "
        "The mayor said the money would repair the roads and the bridges.")


def test_the_pipeline_asks_the_model_once_per_batch_for_every_document():
    docs = [Document(f"d{i}.txt", TEXT) for i in range(5)]
    lm = FakeLM()
    list(check_documents(docs, Config(select=("MTQ501",)), lm=lm, batch_size=2, first_batch=2))
    # the two sentences are one window, the same in every copy: one request per document, and
    # the copies' identical requests are one computation
    assert [len(set(b)) for b in lm.batches] == [1, 1, 1]
    assert [len(b) for b in lm.batches] == [2, 2, 1]
    assert all(q.text.endswith(".") and q.context for b in lm.batches for q in b)


def test_exact_answers_are_asked_only_near_or_beyond_a_threshold():
    docs = [Document("d.txt", TEXT)]
    fluent = FakeLM(logprob=0.0)  # every word far likelier here than anywhere: nothing to check
    list(check_documents(docs, Config(select=("MTQ501",)), lm=fluent))
    assert fluent.exact_requests == []
    garbled = FakeLM(logprob=-30.0)  # every word far less likely here: decided by the exact pass
    out = [f for _, fs, _ in check_documents(docs, Config(select=("MTQ501",)), lm=garbled) for f in fs]
    assert len(garbled.exact_requests) == 2 and len(out) == 2
    assert all(set(f.evidence["measures"]) == set(F.MEASURES) and f.evidence["worst_word"] in f.message
               for f in out)


def test_no_model_no_requests():
    assert list(check_documents([Document("d.txt", TEXT)], Config(select=("MTQ501",)), lm=None))[0][1] == []


def test_every_model_backed_rule_declares_its_requests():
    for r in RULES:
        if r.needs_lm:
            assert callable(requests_of(r.code))


def _sources(sub):
    return {p: p.read_text(encoding="utf-8") for p in (MTQA / sub).rglob("*.py")}


def test_detectors_never_import_scoring_and_scoring_never_names_a_code():
    for p, src in _sources("detectors").items():
        assert not re.search(r"^\s*(from|import) mtqa\.scoring", src, re.M), p
    for p, src in _sources("scoring").items():
        assert not re.search(r"MTQ\d{3}", src), p
        assert not re.search(r"^\s*(from|import) mtqa\.detectors", src, re.M), p
    assert "hasattr(" not in (MTQA / "pipeline.py").read_text(encoding="utf-8")


def test_measured_score_is_minor_before_sure_and_major_from_there():
    sec = {"thresholds": {"total": -10.0, "odd_per_word": -0.5}, "sure": {"total": -20.0, "odd_per_word": -1.0}}
    at = calibration.measured_score({"total": -10.0, "odd_per_word": 0.0}, sec)
    mid = calibration.measured_score({"total": -15.0, "odd_per_word": 0.0}, sec)
    sure = calibration.measured_score({"total": -5.0, "odd_per_word": -1.0}, sec)
    far = calibration.measured_score({"total": -80.0, "odd_per_word": 0.0}, sec)
    assert at == pytest.approx(0.3) and mid == pytest.approx(0.4) and sure == pytest.approx(0.5)
    assert 0.5 < far <= 0.9


def test_the_category_table_is_the_one_source():
    assert CATEGORIES == tuple(c.name for c in CATEGORY_TABLE)
    assert set(calibration.CATEGORY_PRIORS) == set(CATEGORIES)
    assert {r.category for r in RULES} <= set(CATEGORIES)
    with pytest.raises(KeyError, match="unknown category"):
        category("typo")
    with pytest.raises(ValueError, match="unknown category"):
        Finding("MTQ101", "typo", "major", "p", 0, 1, "x", 1, 1, "")
    for own in ("encoding", "invisible-character", "fullwidth-punctuation"):
        assert own in CATEGORIES


def test_threads_and_precision_come_from_the_environment_once_into_config(monkeypatch):
    monkeypatch.setenv("MTQA_THREADS", "1")
    monkeypatch.setenv("MTQA_PRECISION", "fp32")
    c = build_config()
    assert (c.threads, c.precision) == (1, "fp32")
    assert build_config(threads=2).threads == 2  # the command line wins
    assert environment_defaults({"MTQA_THREADS": ""}) == {}
    with pytest.raises(ConfigError, match="MTQA_THREADS"):
        environment_defaults({"MTQA_THREADS": "many"})
    with pytest.raises(ConfigError, match="precision"):
        Config(precision="fp8")


COPIES = [
    "The bank's buying price was 3,193 dong, down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, which was down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 guilders from the previous trading day.",
]


def test_a_run_scope_rule_gets_its_model_answers_in_one_call_for_the_whole_run():
    docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(COPIES, 1)]
    likely = FakeLM(logprob=0.0)  # every word likely: nothing near the threshold, no exact pass
    found = [f for _, fs, _ in check_documents(docs, Config(select=("MTQ607",)), lm=likely) for f in fs]
    assert found == [] and likely.exact_requests == []
    assert len(likely.batches) == 1 and likely.batches[0]  # asked once, before any batch of documents
    unlikely = FakeLM(logprob=-30.0)  # every token unlikely: decided by the exact pass
    found = [f for _, fs, _ in check_documents(docs, Config(select=("MTQ607",)), lm=unlikely) for f in fs]
    assert [(f.path, f.text) for f in found] == [("copy5.txt", "guilders")]
    assert unlikely.exact_requests and found[0].suggestions == ("dong",)
    assert found[0].text == docs[4].text[found[0].start:found[0].end]
    assert found[0].evidence["measures"]["word_logprob"] < 0


def test_without_the_model_the_run_scope_model_rule_does_not_run():
    docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(COPIES, 1)]
    assert [f for _, fs, _ in check_documents(docs, Config(select=("MTQ607",), use_lm=False)) for f in fs] == []


def test_check_groups_answers_run_scope_requests_with_the_rest_in_one_call():
    from mtqa.pipeline import check_groups

    copies = [Document(f"copy{i}.txt", t) for i, t in enumerate(COPIES, 1)]
    lm = FakeLM(logprob=-30.0)
    alone = [Document("d.txt", TEXT)]
    out = check_groups([(copies, Config(select=("MTQ607",))), (alone, Config(select=("MTQ501",)))], lm=lm)
    assert len(lm.batches) == 1
    assert [(f.path, f.text) for f in out[0]] == [("copy5.txt", "guilders")]
    assert all(f.code == "MTQ501" for f in out[1])
