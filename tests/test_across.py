"""The run-scope rules a story at a time (mtqa.across): the same findings as over the whole run,
the input's order, and nothing left behind."""

from __future__ import annotations

from pathlib import Path

from mtqa.across import SetAside, by_story
from mtqa.config import Config
from mtqa.detectors.base import Context
from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.pipeline import active_rules, detect_across
from mtqa.stories import StoryGrouper, group

ROOT = Path(__file__).resolve().parent.parent


def _documents(seeds_dir: Path) -> list:
    """The five seed copies spread among unrelated documents, with a read error among them."""
    seeds = [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]
    others = [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "corpora/samples").iterdir())]
    items: list = []
    for i, seed in enumerate(seeds):
        items.append(seed)
        items.extend(others[i % len(others):i % len(others) + 1])
        if i == 2:
            items.append(InputError("missing.txt", "cannot read"))
    return items


def test_same_findings_as_over_the_whole_run_and_in_order(seeds_dir):
    _check_same_as_whole_run(seeds_dir)


def test_same_findings_with_the_documents_kept_in_memory(seeds_dir, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError("no temporary directory here")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    _check_same_as_whole_run(seeds_dir)


def _check_same_as_whole_run(seeds_dir):
    items = _documents(seeds_dir)
    config = Config(use_lm=False)
    rules = active_rules(config, False)
    docs = [d for d in items if isinstance(d, Document)]
    whole = detect_across(docs, rules, Context(config=config))
    assert sum(map(len, whole.values())) > 0, "the seeds give cross-copy findings: the test says something"

    across: dict = {}
    ctx = Context(config=config)
    out = list(by_story(iter(items), lambda story: detect_across(story, rules, ctx, one_story=True), across))
    assert [getattr(i, "path", None) for i in out] == [getattr(i, "path", None) for i in items]
    assert isinstance(out[items.index(next(i for i in items if isinstance(i, InputError)))], InputError)
    for doc in out:
        if isinstance(doc, Document):
            assert doc.text == next(d.text for d in docs if d.path == doc.path)
            got = sorted(f.sort_key() for f in across.pop(id(doc)))
            assert got == sorted(f.sort_key() for f in whole.get(doc.path, []))
    assert not across


def test_grouper_one_document_at_a_time_is_group(seeds_dir):
    items = [d for d in _documents(seeds_dir) if isinstance(d, Document)]
    grouper = StoryGrouper()
    for d in items:
        grouper.add(d.text)
    assert grouper.groups() == group(items)
    # the five seeds, and one sample given twice (two documents of one path)
    assert grouper.groups() == [[0, 2, 4, 6, 8], [1, 9]]


def test_set_aside_gives_documents_back_and_leaves_nothing():
    shelf = SetAside()
    doc = Document("a.txt", "Text with an accent: café.\n", meta={"title": "T"})
    shelf.put(7, doc)
    back = shelf.get(7)
    assert (back.path, back.text, back.meta) == (doc.path, doc.text, doc.meta)
    where = shelf.dir
    assert where.is_dir()
    shelf.close()
    assert not where.exists()


def test_stopping_early_removes_the_documents_set_aside(tmp_path, monkeypatch):
    made = []
    real = SetAside.__init__

    def spy(self):
        real(self)
        made.append(self.dir)

    monkeypatch.setattr(SetAside, "__init__", spy)
    items = [Document(f"d{i}.txt", f"Document number {i} says little.") for i in range(3)]
    stream = by_story(iter(items), lambda story: {}, {})
    next(stream)
    stream.close()
    assert made and not made[0].exists()


def test_without_a_temporary_directory_the_documents_stay_in_memory(monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError("no temporary directory here")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    shelf = SetAside()
    doc = Document("a.txt", "Some text.")
    shelf.put(0, doc)
    assert shelf.con is None and shelf.get(0) is doc and shelf.get(0, last=True).text == doc.text
    shelf.close()


def test_grouper_confirms_exactly_what_datasketchs_index_proposes():
    """The grouper's MinHash, banded index and counts stand in for datasketch's MinHash,
    MinHashLSH and a pair by pair Jaccard: every document's candidates are those MinHashLSH
    proposes (same hash values, same bands), and every pair joined and every best Jaccard are
    those of the word sets themselves."""
    from datasketch import MinHash, MinHashLSH

    from mtqa.stories import (LSH_BANDS, LSH_ROWS, LSH_THRESHOLD, MIN_JACCARD, MIN_SHARED_WORDS, NUM_PERM,
                              content_words)

    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (LSH_BANDS, LSH_ROWS)
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests/fixtures/stories").glob("*/*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora/samples").iterdir())]
    # near copies too: many candidates per document, as in a run of syndicated copies
    texts += [f"Item {k}. " + t for k, t in enumerate(texts[:12])]
    grouper = StoryGrouper()
    signatures = {}
    real_signature = grouper._signature

    def signature(ids):
        sig = real_signature(ids)
        signatures[tuple(ids)] = sig
        return sig

    grouper._signature = signature  # type: ignore[method-assign]
    proposed: list[tuple[int, int]] = []
    minhashes = {}
    words = [content_words(t) for t in texts]
    for i, t in enumerate(texts):
        grouper.add(t, set())
        if len(words[i]) < MIN_SHARED_WORDS:
            continue
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([w.encode() for w in words[i]])
        minhashes[i] = m
        proposed.extend((i, j) for j in lsh.query(m))
        lsh.insert(i, m)
    assert len(proposed) > 50
    assert all(list(signatures[tuple(grouper.sets[i])]) == list(m.hashvalues) for i, m in minhashes.items())

    def jaccard(i, j):
        return len(words[i] & words[j]) / len(words[i] | words[j])

    expected = sorted((i, j, jaccard(i, j)) for i, j in proposed
                      if len(words[i] & words[j]) >= MIN_SHARED_WORDS and jaccard(i, j) >= MIN_JACCARD)
    assert sorted(grouper.edges) == expected
    best = [0.0] * len(texts)
    for i, j in proposed:
        if len(words[i] & words[j]) >= MIN_SHARED_WORDS:
            best[i], best[j] = max(best[i], jaccard(i, j)), max(best[j], jaccard(i, j))
    assert list(grouper.best) == best


def test_grouper_hashes_words_as_datasketch_does():
    from datasketch.hashfunc import sha1_hash32

    from mtqa.stories import _sha1_hash32

    assert all(_sha1_hash32(w.encode()) == sha1_hash32(w.encode()) for w in ("Kyiv", "Zürich", "2,000", ""))
