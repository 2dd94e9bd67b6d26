"""Stories and alignment across copies: the engine under the cross-copy rules (MTQ6xx).

A run's documents are grouped into stories by what they say, not by their names alone: each
document's set of content words (lower-cased words rarer than everyday function words, and
numbers) is sketched with datasketch's MinHash and near neighbours are found with its LSH
banding (both computed with numpy, see StoryGrouper), so the cost grows with the number of
documents, not with the number of pairs. Candidate pairs are confirmed on the exact sets. Copies that share at least three rare names are joined too (a
story told with few shared words, but the same people and places). A pair is joined only when
each is among the other's nearest, so that stories do not chain into one another.

Inside a story each sentence is aligned with its counterpart in every other copy: character
4-gram vectors of all the story's sentences (each n-gram weighted by its word's rarity in English
and its idf among the story's sentences) are compared in one sparse matrix product, and a pair is
aligned when each is the other's best match in that copy and their cosine clears ALIGNED. (This
is chrF's idea, character n-grams, computed for all pairs at once: scoring each pair with
sacrebleu's chrF costs a Python call per pair, too slow for a desk's day.) Where one copy split
a sentence that another kept whole (or merged two), the half left without a one-to-one match is
recorded as a part of the longer sentence (:meth:`Story.parts`), apart from the one-to-one
counterparts, so that the rules can tell a split from an added or missing sentence. Word alignment inside
an aligned pair is difflib's matching of the two token lists; tokens keep their code-point
offsets, so every finding points into the original text.

Documents declared as references (the English original: ``--reference``, ``reference`` in the
config) take part as evidence and are never flagged by the cross-copy rules.

The work is organised per story (:class:`Story`), so it can be partitioned by story.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import regex

from mtqa.detectors.tokens import zipf
from mtqa.document import Document

if TYPE_CHECKING:
    from mtqa.detectors.base import Context

NUM_PERM = 64
LSH_THRESHOLD = 0.08  # the index's recall point; candidates are then confirmed exactly
MIN_JACCARD = 0.12  # content-word Jaccard from which two documents are copies of one story
MIN_SHARED_WORDS = 5  # and at least this many content words in common (short items)
NEAR_BEST = 0.5  # ... and at least this share of each one's best Jaccard
MIN_SHARED_NAMES = 3  # rare names that also make two copies one story
RARE_NAME = 3.0  # wordfreq Zipf at most this: a name that identifies a story
CONTENT_MAX_ZIPF = 5.5  # words more common than this (the, said, was) say nothing of the story
ALIGNED = 0.3  # cosine from which two sentences count as translations of one
PART = 0.2  # cosine from which a sentence left over next to an aligned one may be part of its match
PART_WORDS = 0.3  # ... if this share of its content words is in that match and not in the neighbour
GRAM_MAX = 2048  # distinct sentences up to which a story's similarities are computed all at once (32 MB)
CLOSE = 0.5  # from here, two aligned sentences are close enough to compare word by word

_TOKEN = regex.compile(
    r"\p{N}+(?:[.,'’\u00a0\u202f]\p{N}+)*|\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*|n['’]t"
)
_CONTENT = regex.compile(r"\p{L}[\p{L}\p{M}]{2,}|\p{N}+")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    # the form words are compared in; computed once, as the rules compare each token many times
    norm: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "norm", self.text.lower().replace("’", "'"))


def tokens(text: str, start: int, end: int) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text, start, end)]


@dataclass
class Copy:
    """One document of a story, and its sentences."""

    doc: Document
    reference: bool
    index: int  # position in the story
    # each sentence's tokens, made once: the rules read them once per pair of copies
    _tokens: dict[int, list[Token]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.doc.path

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self.doc.sentences]

    def sentence_text(self, i: int) -> str:
        s, e = self.sentences[i]
        return self.doc.text[s:e]

    def sentence_tokens(self, i: int) -> list[Token]:
        if i not in self._tokens:
            self._tokens[i] = tokens(self.doc.text, *self.sentences[i])
        return self._tokens[i]


@dataclass(slots=True)  # one per aligned sentence and other copy: made by the million
class Counterpart:
    copy: Copy
    sentence: int
    similarity: float

    @property
    def text(self) -> str:
        return self.copy.sentence_text(self.sentence)

    def evidence(self) -> dict:
        s, e = self.copy.sentences[self.sentence]
        return {"path": self.copy.path, "start": s, "end": e, "sentence": self.text,
                "similarity": round(self.similarity, 3), "reference": self.copy.reference}


@dataclass
class Story:
    """Copies of one story, with each sentence's counterparts in the other copies."""

    copies: list[Copy]
    aligned: dict[tuple[int, int], list[Counterpart]] = field(default_factory=dict)
    # a sentence that another copy carries inside a longer one (split or merged in translation):
    # that sentence, kept apart from the one-to-one counterparts
    part_of: dict[tuple[int, int], list[Counterpart]] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # per-sentence work the rules share (word alignments)

    def counterparts(self, copy: Copy, sentence: int) -> list[Counterpart]:
        return self.aligned.get((copy.index, sentence), [])

    def parts(self, copy: Copy, sentence: int) -> list[Counterpart]:
        """The other copies' sentences that hold this one as a part (see :func:`align`)."""
        return self.part_of.get((copy.index, sentence), [])

    def linked(self, copy: Copy, sentence: int) -> dict[int, int]:
        """The other copies (by index) that have this sentence, as a counterpart or holding it as a
        part, each with its sentence there (the first: counterparts before parts); made once."""
        memo = self.memo.setdefault("linked", {})
        key = (copy.index, sentence)
        if key not in memo:
            out: dict[int, int] = {}
            for cp in self.counterparts(copy, sentence) + self.parts(copy, sentence):
                out.setdefault(cp.copy.index, cp.sentence)
            memo[key] = out
        return memo[key]

    def parallel(self, a: Copy, b: Copy) -> float:
        """Share of the shorter copy's sentences that have a counterpart in the other."""
        memo = self.memo.setdefault("sentences aligned with", {})
        if a.index not in memo:
            # how many of a's sentences have a counterpart in each other copy, counted once for all
            n: dict[int, int] = defaultdict(int)
            for i in range(len(a.sentences)):
                for k in {c.copy.index for c in self.counterparts(a, i)}:
                    n[k] += 1
            memo[a.index] = n
        return memo[a.index].get(b.index, 0) / max(1, min(len(a.sentences), len(b.sentences)))


# ---- stories -------------------------------------------------------------------------------

def content_words(text: str) -> set[str]:
    return {w for w in {m.lower() for m in _CONTENT.findall(text)} if w[0].isdigit() or zipf(w) <= CONTENT_MAX_ZIPF}


def stems(text: str) -> set[str]:
    """Content words cut to five letters (renovated, renovations): what a sentence is about."""
    return {w[:5] for w in content_words(text)}


def _rare_names(text: str) -> set[str]:
    from mtqa.detectors.names import _name_occurrences

    return {n for n in _name_occurrences(text) if zipf(n) < RARE_NAME}


def identifying_names(doc: Document) -> set[str]:
    """The names that identify a story, from the document's names (worked out once per document:
    MTQ221 and MTQ601 read them too)."""
    from mtqa.detectors.names import name_occurrences

    return {n for n in name_occurrences(doc) if zipf(n) < RARE_NAME}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def group(docs: Sequence[Document], rare_names: Sequence[set[str]] | None = None) -> list[list[int]]:
    """Indices of ``docs`` grouped into stories (groups of at least two), near linear in len(docs).

    Two documents are joined when they are alike (content-word Jaccard at least MIN_JACCARD, or
    MIN_SHARED_NAMES rare names in common) and each is among the other's nearest: their Jaccard
    is at least NEAR_BEST times either document's best match. Without the
    second test, one story chains into the next through the items they share (the segments of
    one article, a day's coverage of one war) until a run is one giant story.
    """
    grouper = StoryGrouper()
    for k, d in enumerate(docs):
        grouper.add(d.text, identifying_names(d) if rare_names is None else rare_names[k])
    return grouper.groups()


# The MinHash and the LSH bands are datasketch's (version 2: its default "affine32" scheme with
# seed 1, SHA1 of each word's UTF-8; the b bands of r rows its MinHashLSH chooses for
# LSH_THRESHOLD and NUM_PERM), computed here with numpy and checked against datasketch by
# tests/test_across.py: importing datasketch brings scipy.integrate, about 0.3 CPU s a run (more
# than the rules' whole start), and its index gathers candidates one by one in a Python set, the
# most of grouping's time when news share common words and a tenth of the run comes back for
# each document.
LSH_BANDS, LSH_ROWS = 19, 1


def _sha1_hash32(data: bytes) -> int:
    """datasketch's default hash (``datasketch.hashfunc.sha1_hash32``)."""
    return int.from_bytes(hashlib.sha1(data).digest()[:4], "little")


@lru_cache(maxsize=1)
def _permutations():
    """datasketch's MinHash permutations (h -> a * h + b modulo 2^32, a odd) for NUM_PERM, seed 1."""
    import numpy as np

    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _permuted(hashes: list[int]):
    """Each hash's NUM_PERM permuted values (rows), as datasketch's MinHash takes the minimum of:
    MurmurHash3's finaliser, then each permutation (uint32 arithmetic wraps, as intended)."""
    import numpy as np

    h = np.array(hashes, dtype=np.uint32).reshape(-1, 1)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    a, b = _permutations()
    return h * a + b


class StoryGrouper:
    """:func:`group`, one document at a time, keeping only what grouping needs of each: its
    content words as sorted word ids, its MinHash in the LSH index and its rare names, a few
    kilobytes, so that a run can set its documents aside while the stories are found.

    The candidates that the index proposes for a document are confirmed against all its earlier
    documents at once (numpy): each word's documents are listed (an inverted index), so the words
    a document shares with every earlier one are counted in one pass over the lists of its words,
    not candidate by candidate (the index proposes about a tenth of all documents). The counts,
    Jaccards and joins are exactly those of comparing the word sets pair by pair.
    """

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.sets: list[array] = []  # each document's content words: sorted unique word ids
        self._lens = array("q")  # and how many
        # each word's documents (by word id), and each word's 32-bit hash for the MinHash, made once
        # per run rather than once per document, with its permuted values (rows of _permuted, made
        # as the words are first needed)
        self._postings: list[array] = []
        self._hashes: list[int] = []
        self._table = array("I")
        self.rare: list[set[str]] = []
        self.best = array("d")
        self.edges: list[tuple[int, int, float]] = []
        # the LSH index: each band's buckets of documents, by the band's values
        self._bands = [({}, k * LSH_ROWS, (k + 1) * LSH_ROWS) for k in range(LSH_BANDS)]
        self._first: int | None = None  # the first usable document, until a second

    def add(self, text: str, rare_names: set[str] | None = None) -> None:
        i = len(self.sets)
        words = content_words(text)
        vocab, postings, hashes = self.vocab, self._postings, self._hashes
        unsorted = []
        for w in words:
            k = vocab.get(w)
            if k is None:
                k = vocab[w] = len(vocab)
                postings.append(array("i"))
                hashes.append(_sha1_hash32(w.encode()))
            unsorted.append(k)
        # a C int array, not numpy: numpy is imported only once two documents are compared
        ids = array("i", sorted(unsorted))
        self.sets.append(ids)
        self._lens.append(len(ids))
        self.best.append(0.0)
        self.rare.append({sys.intern(n) for n in (_rare_names(text) if rare_names is None else rare_names)})
        if len(words) >= MIN_SHARED_WORDS:
            self._index(i, ids)
        for k in ids:
            postings[k].append(i)

    def _index(self, i: int, ids) -> None:
        if self._first is None and not self._table:
            self._first = i  # numpy is imported only once two documents can be compared
            return
        if self._first is not None:
            first, self._first = self._first, None
            self._insert(first, self._signature(self.sets[first]))
        sig = self._signature(ids)
        cands = self._query(i, sig)
        if cands is not None:
            self._confirm(i, ids, cands)
        self._insert(i, sig)

    def _signature(self, ids):
        """The document's MinHash values (datasketch's ``MinHash.hashvalues``)."""
        import numpy as np

        done = len(self._table) // NUM_PERM
        if done < len(self._hashes):
            self._table.frombytes(_permuted(self._hashes[done:]).tobytes())
        return np.frombuffer(self._table, dtype=np.uint32).reshape(-1, NUM_PERM)[
            np.frombuffer(ids, dtype=np.intc)].min(axis=0)

    def _query(self, i: int, sig):
        """datasketch's MinHashLSH query: the earlier documents (numpy) that agree with document
        ``i`` on all rows of a band, or None."""
        hits = [bucket for band, lo, hi in self._bands if (bucket := band.get(sig[lo:hi].tobytes()))]
        if not hits:
            return None
        import numpy as np

        # (not np.unique: a band whose minimum is a word in most documents holds most of them)
        seen = np.zeros(i, dtype=bool)
        for h in hits:
            seen[np.frombuffer(h, dtype=np.intc)] = True
        return np.flatnonzero(seen)

    def _insert(self, i: int, sig) -> None:
        for band, lo, hi in self._bands:
            band.setdefault(sig[lo:hi].tobytes(), array("i")).append(i)

    def _confirm(self, i: int, ids, c) -> None:
        """``c``: the candidates, earlier documents (numpy, int64)."""
        import numpy as np

        # the words document i shares with each earlier document: its words' lists of documents,
        # end to end, counted (views of the lists, let go before they grow)
        shared = np.bincount(np.concatenate([np.frombuffer(self._postings[k], dtype=np.intc) for k in ids]
                                            + [np.zeros(0, dtype=np.intc)]), minlength=i)
        shared = shared[c]
        keep = np.flatnonzero(shared >= MIN_SHARED_WORDS)
        if not len(keep):
            return
        sh = shared[keep]
        lens = np.frombuffer(self._lens, dtype=np.int64)[c]
        # the size of the union without building it; float64 division as Python's
        jac = sh / (len(ids) + lens[keep] - sh)
        js = c[keep]
        best = np.frombuffer(self.best, dtype=np.float64)
        best[i] = max(best[i], jac.max())
        np.maximum.at(best, js, jac)
        close = jac >= MIN_JACCARD
        self.edges.extend(zip([i] * int(close.sum()), js[close].tolist(), jac[close].tolist()))

    def _jaccard(self, i: int, j: int) -> float:
        import numpy as np

        a, b = self.sets[i], self.sets[j]
        if not len(a) and not len(b):
            return 0.0
        shared = len(np.intersect1d(np.frombuffer(a, dtype=np.intc), np.frombuffer(b, dtype=np.intc), assume_unique=True))
        return shared / (len(a) + len(b) - shared)

    def groups(self) -> list[list[int]]:
        n = len(self.sets)
        parent = list(range(n))
        best = list(self.best)
        edges = list(self.edges)

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        by_name: dict[str, list[int]] = defaultdict(list)
        for i, names in enumerate(self.rare):
            for name in names:
                by_name[name].append(i)
        shared_names: dict[tuple[int, int], int] = defaultdict(int)
        for holders in by_name.values():
            if len(holders) > 50:  # a name in this many items is no story's signature
                continue
            for x, i in enumerate(holders):
                for j in holders[x + 1:]:
                    shared_names[i, j] += 1
        for (i, j), k in shared_names.items():
            if k >= MIN_SHARED_NAMES:
                jac = self._jaccard(i, j)
                best[i], best[j] = max(best[i], jac), max(best[j], jac)
                edges.append((i, j, jac))
        for i, j, jac in edges:
            if jac >= NEAR_BEST * max(best[i], best[j]):
                parent[root(i)] = root(j)
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            groups[root(i)].append(i)
        return [g for g in groups.values() if len(g) > 1]


# ---- sentence alignment --------------------------------------------------------------------

NGRAM = 4
_WORDISH = regex.compile(r"\p{L}[\p{L}\p{M}'’\-]*|\p{N}+(?:[.,]\p{N}+)*")


def _ngrams(text: str) -> dict[str, float]:
    """Character 4-grams of each word, weighted by how rare the word is in English: two
    translations of one sentence share their rare words more than their function words, and the
    weights do not depend on which other copies happen to be in the story. Each word counts once
    per sentence: an error word that recurs ("23,050 Vietnamese guilders, down 5 Vietnamese
    guilders" where the other copies say "dong") would otherwise outweigh the rest of the
    sentence and keep it from its counterparts."""
    out: dict[str, float] = defaultdict(float)
    for w in set(_WORDISH.findall(text.lower())):
        grams, weight = _word_ngrams(w)
        for g in grams:
            out[g] += weight
    return out


@lru_cache(maxsize=20_000)  # bounded: about 12 MB when full
def _word_ngrams(w: str) -> tuple[tuple[str, ...], float]:
    # a word's n-grams and weight, worked out once per word rather than once per occurrence;
    # the n-grams of its ASCII form: copies write one name with and without its diacritics
    # (Biała, Biala), and those are one word, not two
    t = f" {_ascii(w)} "
    return (tuple(t[k:k + NGRAM] for k in range(max(1, len(t) - NGRAM + 1))),
            4.0 if w[0].isdigit() else max(0.3, 7.0 - zipf(w)))


def _ascii(w: str) -> str:
    if w.isascii():
        return w
    from anyascii import anyascii

    return anyascii(w).lower() or w


def align(story: Story) -> None:
    """Fill ``story.aligned``: mutual best sentence matches between every two copies; and
    ``story.part_of``: the halves of split or merged sentences (:func:`_parts`)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    rows = []
    seen: dict[str, dict[str, float]] = {}  # copies of one story repeat sentences word for word
    for c in story.copies:
        for i in range(len(c.sentences)):
            text = c.sentence_text(i)
            if text not in seen:
                seen[text] = _ngrams(text)
            rows.append(seen[text])
    if not rows:
        return
    vocab: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    add = vocab.setdefault
    made: dict[int, tuple[list[int], list[float]]] = {}  # a repeated sentence's row, by its n-grams
    for r in rows:
        if id(r) not in made:
            made[id(r)] = ([add(g, len(vocab)) for g in r], list(r.values()))
        ids, values = made[id(r)]
        indices.extend(ids)
        data.extend(values)
        indptr.append(len(indices))
    x = csr_matrix((np.array(data), np.array(indices), np.array(indptr)), shape=(len(rows), len(vocab)))
    # Smoothed idf over the story's sentences, on top of the word weights: what every sentence of
    # the story says (its places, its people) does not tell which sentence is which.
    df = np.bincount(x.indices, minlength=len(vocab))
    x = x.multiply((np.log((len(rows) + 1) / (df + 1)) + 1)[None, :]).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = csr_matrix(x.multiply(1.0 / norms[:, None]))
    offsets, n = [], 0
    for c in story.copies:
        offsets.append(n)
        n += len(c.sentences)
    # A sentence repeated word for word has one row, repeated: where that makes the distinct
    # sentences few, their similarities are computed once, all against all, and each copy's block
    # is gathered from them (the same floats: each is the same two rows' product).
    distinct: dict[int, int] = {}
    which = np.array([distinct.setdefault(id(r), len(distinct)) for r in rows])
    pairs = (n * n - sum(len(c.sentences) ** 2 for c in story.copies)) // 2
    gram = None
    if len(distinct) ** 2 < pairs and len(distinct) <= GRAM_MAX:
        first = np.zeros(len(distinct), dtype=np.int64)
        first[which] = np.arange(len(rows))  # a row of each (any: they are equal)
        xd = x[first]
        gram = (xd @ xd.T).toarray()
    # each sentence's counterparts, filled in below and kept by (copy, sentence) at the end
    found: list[list[list[Counterpart]]] = [[[] for _ in c.sentences] for c in story.copies]
    for a in story.copies:
        na = len(a.sentences)
        if not na or a.index == len(story.copies) - 1:
            continue
        # one copy's sentences against every later copy's: memory stays rows x sentences even
        # when a story holds hundreds of copies
        lo = offsets[a.index]
        if gram is not None:
            rows_a = gram[np.ix_(which[lo:lo + na], which[lo + na:])]
        else:
            rows_a = (x[lo:lo + na] @ x[lo + na:].T).toarray()
        later = [b for b in story.copies[a.index + 1:] if b.sentences]
        if not later:
            continue
        # every later copy at once: its columns in rows_a, contiguous as copies without sentences
        # have none
        starts = np.array([offsets[b.index] - lo - na for b in later])
        sizes = np.array([len(b.sentences) for b in later])
        # each row's best column in each later copy, the first of equal bests as argmax takes it
        best = np.maximum.reduceat(rows_a, starts, axis=1)
        cols = np.arange(rows_a.shape[1])
        first = np.where(rows_a == np.repeat(best, sizes, axis=1), cols, rows_a.shape[1])
        best_col = np.minimum.reduceat(first, starts, axis=1)  # (rows, later copies), in rows_a
        best_row = rows_a.argmax(axis=0)  # each column's best row
        rows_i = np.arange(na)[:, None]
        # the mutual best matches that clear ALIGNED, found for all rows and copies at once
        mutual = (best_row[best_col] == rows_i) & (rows_a[rows_i, best_col] >= ALIGNED)
        ks, ins = np.nonzero(mutual.T)  # by copy, then by row: the order the lists are filled in
        cs = best_col[ins, ks]
        at = starts.tolist()
        mine = found[a.index]
        for k, i, c, s in zip(ks.tolist(), ins.tolist(), cs.tolist(), rows_a[ins, cs].tolist()):
            b = later[k]
            j = c - at[k]
            mine[i].append(Counterpart(b, j, s))
            found[b.index][j].append(Counterpart(a, i, s))
        counts = mutual.sum(axis=0)
        for k in np.flatnonzero(counts < np.maximum(na, sizes)).tolist():
            # a sentence is left over: a split, a merge or an addition
            b, start, nb = later[k], int(starts[k]), int(sizes[k])
            block = rows_a[:, start:start + nb]
            best_b = best_col[:, k] - start
            m = np.flatnonzero(mutual[:, k])
            _parts(story, a, b, block, best_b, m)
            _parts(story, b, a, block.T, best_row[start:start + nb], best_b[m])
    story.aligned.update(((k, i), cps) for k, sentences in enumerate(found) for i, cps in enumerate(sentences) if cps)


def _parts(story: Story, a: Copy, b: Copy, block, best_b, mutual) -> None:
    """One copy split a sentence in two where the other kept one (or merged two): the half left
    without a one-to-one counterpart is part of the sentence that its neighbour is aligned with,
    when that is its own best match and it carries what that sentence says beyond the
    neighbour (at least PART_WORDS of its content words are among those the neighbour lacks).
    A part shares only some of the longer sentence's n-grams, hence the lower cosine (PART); an
    added sentence next to an aligned one brings words the longer sentence does not have."""
    paired = set(mutual.tolist())
    partner = dict(zip(mutual.tolist(), best_b[mutual].tolist()))
    for i in range(block.shape[0]):
        if i in paired:
            continue
        j = int(best_b[i])
        if block[i, j] < PART:
            continue
        mine = sentence_stems(story, a, i)
        if not mine:
            continue
        for n in (i - 1, i + 1):
            if partner.get(n) != j:
                continue
            rest = sentence_stems(story, b, j) - sentence_stems(story, a, n)
            if len(mine & rest) >= PART_WORDS * len(mine):
                story.part_of.setdefault((a.index, i), []).append(Counterpart(b, j, float(block[i, j])))
                break


def sentence_stems(story: Story, copy: Copy, i: int) -> set[str]:
    memo = story.memo.setdefault("sentence stems", {})
    if (copy.index, i) not in memo:
        memo[copy.index, i] = stems(copy.sentence_text(i))
    return memo[copy.index, i]


# ---- word alignment ------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """Tokens ``mine[i1:i2]`` of this copy's sentence stand where the other copy has
    ``theirs[j1:j2]`` (difflib's replace, delete or insert)."""

    tag: str
    mine: tuple[Token, ...]
    theirs: tuple[Token, ...]
    before: Token | None  # this copy's token just before the edit (for an insertion point)
    after: Token | None


def word_matcher(mine: list[Token], theirs: list[Token]) -> difflib.SequenceMatcher | None:
    """difflib's matching of the two sentences' words; None where they are the same words (no
    edits, ratio 1.0: copies of a story often repeat a sentence word for word)."""
    a, b = [t.norm for t in mine], [t.norm for t in theirs]
    return None if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False)


def word_ratio(sm: difflib.SequenceMatcher | None) -> float:
    return 1.0 if sm is None else sm.ratio()


def word_edits(mine: list[Token], theirs: list[Token], sm: difflib.SequenceMatcher | None = None) -> list[Edit]:
    """``sm``: :func:`word_matcher` of the two, where it was made already."""
    if sm is None:
        sm = word_matcher(mine, theirs)
        if sm is None:
            return []
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        out.append(Edit(tag, tuple(mine[i1:i2]), tuple(theirs[j1:j2]),
                        mine[i1 - 1] if i1 > 0 else None, mine[i2] if i2 < len(mine) else None))
    return out


# ---- the run's stories, once per run -------------------------------------------------------

def is_reference(doc: Document, references: Iterable[str]) -> bool:
    refs = list(references)
    if not refs:
        return False
    if doc.path in refs:
        return True
    try:
        here = Path(doc.path).resolve()
    except (OSError, ValueError):
        return False
    return any(here == Path(r).resolve() for r in refs)


def one_story(docs: Sequence[Document], ctx: "Context") -> None:
    """Tell :func:`stories` that ``docs`` are the copies of one story (grouped already)."""
    ctx.memo[("one story", tuple(id(d) for d in docs))] = [list(range(len(docs)))]


def stories(docs: Sequence[Document], ctx: "Context") -> list[Story]:
    """The run's stories, grouped and aligned once and shared by every cross-copy rule."""
    key = ("stories", tuple(id(d) for d in docs))
    memo = ctx.memo
    if key not in memo:
        refs = ctx.config.reference
        out = []
        # the copies of one story, already grouped among the whole run (mtqa.across): grouped
        # again among themselves they are still one story, so they are not grouped twice
        for members in memo.get(("one story", key[1])) or group(docs):
            story = Story([Copy(docs[i], is_reference(docs[i], refs), k) for k, i in enumerate(members)])
            align(story)
            out.append(story)
        memo.clear()  # one run at a time: keep only this run's stories
        memo[key] = out
    return memo[key]


def quote(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
