"""Known MT confusions and false friends (MTQ201): a data-driven engine over corpora/confusions/.

Each entry of a lexicon file describes one confusion:

- ``pattern`` (or ``patterns``, a list of them): a list of slots, each a regular expression of
  alternatives (``"make|makes|made|making"``); a slot starting with ``?`` is optional. Slots are
  separated by white space in the text.
- ``replace``: for each wrong word form (lower case), its likely intended forms, best first
  (``eviction = ["evacuation"]``, ``made = ["took", "taken"]``). Only the slots holding a word
  listed here form the reported span; the other slots are context. An empty replacement drops the
  word.
- ``cues``: a regular expression of words, one of which must occur in the sentence or the one
  before or after it (war, civilians, shelling near "eviction"); ``blockers``: words that, if
  present there, show the legitimate sense (tenant, landlord, court) and silence the entry.
- ``before`` / ``after``: regular expressions that must match just before / after the match;
  ``not_before`` / ``not_after``: ones that must not. ``lowercase``: match lower-case forms only
  (so names such as "Chicago Tribune" are left alone).
- ``broad``: wrong words (any form) to propose wherever they occur, in any context, when the
  language model is on. Their inflections come from lemminflect, each paired with the same
  inflection of the intended word ("evicted" -> "evacuated"); forms listed in ``replace`` keep
  their listed replacements. ``cues`` do not apply to broad proposals, ``blockers`` do, and
  ``broad_blockers`` (a regular expression of words, in the same window) and ``broad_not_after``
  (one that must not match right after the word, as ``not_after``) only to them: blockers are
  kept for contexts where the measured model is unreliable ("the actual controller" of a company,
  where the small model prefers "current").
- ``measured``: precision and recall of the entry, written by scripts/measure_lexicon.py.
- ``source`` and ``notes``: the source languages and why MT produces the confusion.

Two ways to propose: the narrow patterns (with their cues) fire with or without the model; the
broad proposals only when the model is on, because they say no more than "this word is often a
confusion" and leave the decision to the model, which compares the likelihood of the sentence as
written with each suggestion. With --no-lm only the narrow patterns fire.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Iterator

import regex

from mtqa import corpora, startup
from mtqa.config import CORPORA_DIR
from mtqa.detectors.base import Context, make_finding
from mtqa.detectors.tokens import words
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

LEXICON_DIR = "confusions"
_B = r"(?<![\p{L}\p{N}'’-])"  # word start
_E = r"(?![\p{L}\p{N}])"  # word end ("-" may follow: "eviction-related")
_SEP = r"[ \t\u00a0]+"
_FLAGS = regex.I | regex.V1  # full case folding, as str.casefold
# A broad proposal is a word that is usually right: the log-odds that one is a confusion, against
# the balanced classes of the scorer's calibration (about 1 in 33). The scorer adds it to the
# logit, so the model must prefer the intended word by about 1.3 nats before a broad proposal is
# kept (chosen between the margins of clean and injected words; scripts/measure_lexicon.py).
BROAD_PRIOR_LOG_ODDS = -3.5
_SENTENCE_START = regex.compile(r"(?:^|[.!?:]\s*|[\"“‘(]\s*)$")


@dataclass(frozen=True)
class Confusion:
    id: str
    slots: tuple[tuple[str, ...], ...]  # each pattern's slots, compiled on first use (patterns)
    nslots: tuple[int, ...]
    replace: dict[str, tuple[str, ...]]
    keys: frozenset[str]
    lowercase: bool
    source: tuple[str, ...]
    notes: str
    broad_words: tuple[str, ...] = ()
    specs: dict = field(default_factory=dict, compare=False, hash=False)  # the context regexes' sources

    # Compiling waits until a document holds one of the entry's key words: most entries never
    # match, and compiling all of them was most of a --no-lm run's start-up.
    @cached_property
    def patterns(self) -> tuple[regex.Pattern, ...]:
        return tuple(_compile_slots(list(p)) for p in self.slots)

    @cached_property
    def scans(self) -> tuple[regex.Pattern, ...]:
        """``patterns`` without their leading word-start test, which _matches applies to each
        match instead of regex trying it at every position of the text."""
        return tuple(_compile_slots(list(p), word_start=False) for p in self.slots)

    @cached_property
    def needles(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        """For each pattern, for each required slot whose every alternative starts with letters,
        those letters (case-folded): a match needs one of each slot's in the text (see
        _literal_prefix), so a pattern whose needles are absent is not run."""
        return tuple(tuple(alts for slot in p if not slot.startswith("?") and (alts := _slot_needles(slot)))
                     for p in self.slots)

    @cached_property
    def first_needles(self) -> tuple[frozenset[str], ...]:
        """For each pattern, the needles of its first slot (empty where that slot is optional or
        has an alternative without letters to start with)."""
        return tuple(frozenset(() if p[0].startswith("?") else _slot_needles(p[0])) for p in self.slots)

    @cached_property
    def needle_sets(self) -> tuple[tuple[frozenset[str], ...], ...]:
        return tuple(tuple(frozenset(alts) for alts in p) for p in self.needles)

    @cached_property
    def cues(self) -> regex.Pattern | None:
        return _words_regex(self.specs.get("cues"))

    @cached_property
    def blockers(self) -> regex.Pattern | None:
        return _words_regex(self.specs.get("blockers"))

    @cached_property
    def broad_blockers(self) -> regex.Pattern | None:
        return _words_regex(self.specs.get("broad_blockers"))

    def _ending(self, key: str) -> regex.Pattern | None:
        """The spec ``key`` as a pattern for the text just before a match (anchored at its end)."""
        return _opt(self.specs.get(key) and "(?:" + self.specs[key] + r")\s*$")

    def _starting(self, key: str) -> regex.Pattern | None:
        """The spec ``key`` as a pattern for the text just after a match (anchored at its start)."""
        return _opt(self.specs.get(key) and r"^\s*(?:" + self.specs[key] + ")")

    @cached_property
    def before(self) -> regex.Pattern | None:
        return self._ending("before")

    @cached_property
    def after(self) -> regex.Pattern | None:
        return self._starting("after")

    @cached_property
    def not_before(self) -> regex.Pattern | None:
        return self._ending("not_before")

    @cached_property
    def not_after(self) -> regex.Pattern | None:
        return self._starting("not_after")

    @cached_property
    def broad_not_after(self) -> regex.Pattern | None:
        return self._starting("broad_not_after")

    # Inflecting and compiling the broad words waits until a run with the model asks for them,
    # so that --no-lm runs never load lemminflect.
    @cached_property
    def broad(self) -> dict[str, tuple[str, ...]]:
        """Every form of the broad words with its intended forms (empty: narrow only)."""
        def compute() -> dict[str, list[str]]:
            out: dict[str, tuple[str, ...]] = {}
            for word in self.broad_words:
                for form, alts in inflections(word, self.replace[word]).items():
                    out.setdefault(form, alts)
            return {form: list(alts) for form, alts in out.items()}

        # lemminflect's import and tables cost about a third of a CPU second per process; the
        # result depends only on its version and the entry, so a later process reads it back
        inputs = json.dumps([self.broad_words, {w: self.replace[w] for w in self.broad_words}], sort_keys=True)
        key = f"broad|lemminflect {_lemminflect_version()}|{hashlib.sha256(inputs.encode()).hexdigest()}"
        got = startup.value(key, compute)
        return {form: self.replace.get(form, tuple(alts)) for form, alts in got.items()}

    @cached_property
    def broad_pattern(self) -> regex.Pattern | None:
        return _words_regex(sorted(map(regex.escape, self.broad), key=len, reverse=True)) if self.broad else None


def _compile_slots(slots: list[str], word_start: bool = True) -> regex.Pattern:
    parts = []
    for i, slot in enumerate(slots):
        optional = slot.startswith("?")
        body = f"(?P<s{i}>{slot[1:] if optional else slot})"
        if i == 0:
            parts.append(body if not optional else f"(?:{body}{_SEP})?")
        else:
            parts.append(f"(?:{_SEP}{body})?" if optional else f"{_SEP}{body}")
    return startup.compile((_B if word_start else "") + "(?:" + "".join(parts) + ")" + _E, _FLAGS)


# _B alone, compiled as the patterns are: the word-start test of a match found by a scan
_WORD_START = regex.compile(_B, _FLAGS)


_MAX_STARTS = 24  # past this many places where a match could start, one scan of the text is cheaper


def _starts(conf: Confusion, i: int, text: str, folded: str | None, present: frozenset[str]) -> list[int] | None:
    """Every offset where a match of pattern ``i`` could start, or None when they are not known
    or too many. A match starts with a needle of the first slot (_literal_prefix), at the same
    offset in ``folded`` where case folding keeps every character one character long."""
    first = conf.first_needles[i]
    if not first or folded is None or len(folded) != len(text):
        return None
    found: list[int] = []
    for n in first & present:
        p = folded.find(n)
        while p != -1:
            found.append(p)
            if len(found) > _MAX_STARTS:
                return None
            p = folded.find(n, p + 1)
    return sorted(set(found))


def _matches(conf: Confusion, i: int, text: str, folded: str | None = None,
             present: frozenset[str] = frozenset()) -> list[regex.Match]:
    """What ``conf.patterns[i].finditer(text)`` gives, found by the faster ``conf.scans[i]``: a
    match that does not start a word is dropped and the scan goes on from the next character,
    as the pattern's own scan goes on past a position where its word-start test fails. Given
    the case-folded text and the needles in it, the scan is tried only where a match can start
    (_starts), when those places are few."""
    scan, out, pos = conf.scans[i], [], 0
    starts = _starts(conf, i, text, folded, present)
    if starts is not None:
        for p in starts:
            if p < pos or (m := scan.match(text, p)) is None:
                continue
            if m.end() == m.start():
                return list(conf.patterns[i].finditer(text))
            if _WORD_START.match(text, p) is not None:
                out.append(m)
                pos = m.end()
        return out
    while (m := scan.search(text, pos)) is not None:
        if m.end() == m.start():
            # an empty match (no pattern of the lexicons has one) continues differently
            return list(conf.patterns[i].finditer(text))
        if _WORD_START.match(text, m.start()) is None:
            pos = m.start() + 1
            continue
        out.append(m)
        pos = m.end()
    return out


def _top_alternatives(slot: str) -> list[str]:
    """``slot`` split at its top-level ``|`` (not inside a group or a set)."""
    alts, depth, in_set, cur, i = [], 0, False, [], 0
    while i < len(slot):
        c = slot[i]
        if c == "\\":
            cur.append(slot[i : i + 2])
            i += 2
            continue
        if in_set:
            in_set = c != "]"
        elif c == "[":
            in_set = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alts.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    alts.append("".join(cur))
    return alts


def _literal_prefix(alternative: str) -> str:
    """The letters an alternative starts with, which any text it matches starts with too: up to
    the first character that is not a letter, less the last letter when a quantifier follows it
    ("frames?" -> "frame")."""
    n = 0
    while n < len(alternative) and alternative[n].isalpha():
        n += 1
    if n < len(alternative) and alternative[n] in "?*{":
        n -= 1
    return alternative[:n].casefold()


def _slot_needles(slot: str) -> tuple[str, ...]:
    """The literal starts of a slot's alternatives; empty when one has none (no test possible)."""
    prefixes = tuple(_literal_prefix(a) for a in _top_alternatives(slot))
    return () if not all(prefixes) else prefixes


def _words_regex(spec) -> regex.Pattern | None:
    if not spec:
        return None
    if isinstance(spec, list):
        spec = "|".join(spec)
    return startup.compile(_B + "(?:" + spec + ")" + _E, regex.I | regex.V1)


def _opt(spec: str | None, flags=regex.I | regex.V1) -> regex.Pattern | None:
    return startup.compile(spec, flags) if spec else None


def _head(phrase: str, upos: str) -> int:
    """Index of the word to inflect in a multi-word phrase: a verb's first ("carry out"), a noun's
    or adjective's last ("ten days", "training ground")."""
    return 0 if upos == "VERB" else len(phrase.split(" ")) - 1


@lru_cache(maxsize=1)
def _lemminflect_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lemminflect")
    except PackageNotFoundError:
        return "unknown"


def inflections(form: str, targets: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The inflections of the base form ``form`` with the same inflection of each target, by
    lemminflect (from the NIH SPECIALIST lexicon): ``inflections("eviction", ("evacuation",))`` ->
    {"eviction": ("evacuation",), "evictions": ("evacuations",)}. Only a word that lemminflect
    knows, given in its base form, is inflected, in its first part of speech that the target
    shares; other words ("demission", "effectives", "embarrassed") stay as given, so a guessed
    inflection never invents a wrong word (the singular "effective" is no confusion)."""
    import lemminflect

    out: dict[str, list[str]] = {form: list(targets)}
    for upos, lemmas in lemminflect.getAllLemmas(form).items():
        if upos not in ("NOUN", "VERB", "ADJ") or form not in lemmas:
            continue
        wrong = lemminflect.getAllInflections(form, upos=upos)
        shared = False
        for target in targets:
            words_ = target.split(" ")
            h = _head(target, upos)
            t_lemmas = lemminflect.getAllLemmas(words_[h]).get(upos)
            if not t_lemmas:
                continue
            shared = True
            t_infl = lemminflect.getAllInflections(t_lemmas[0], upos=upos)
            for tag, fs in wrong.items():
                if tag in t_infl and fs[0] != form:
                    inflected = " ".join(words_[:h] + [t_infl[tag][0]] + words_[h + 1:])
                    alts = out.setdefault(fs[0], [])
                    if inflected not in alts:
                        alts.append(inflected)
        if shared:
            break
    return {k: tuple(v) for k, v in out.items() if v}


def _broad_words(entry: dict, replace: dict[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    words_ = tuple(w.lower() for w in entry.get("broad", ()))
    for word in words_:
        if word not in replace or not all(replace[word]):
            raise ValueError(f"{where}: entry {entry.get('id')}: broad word {word!r} needs a replacement in replace")
    return words_


def _entry(entry: dict, where: str) -> Confusion:
    pats = entry.get("patterns") or [entry["pattern"]]
    replace = {k.lower(): tuple(v if isinstance(v, list) else [v]) for k, v in entry["replace"].items()}
    if not replace:
        raise ValueError(f"{where}: entry {entry.get('id')} has no replacements")
    broad_words = _broad_words(entry, replace, where)
    return Confusion(
        id=entry["id"],
        slots=tuple(tuple(p) for p in pats),
        nslots=tuple(len(p) for p in pats),
        replace=replace,
        keys=frozenset(k.split()[0] for k in replace),
        lowercase=bool(entry.get("lowercase", False)),
        source=tuple(entry.get("source", ())),
        notes=entry.get("notes", ""),
        broad_words=broad_words,
        specs={k: entry[k] for k in ("cues", "blockers", "before", "after", "not_before", "not_after",
                                     "broad_blockers", "broad_not_after") if entry.get(k)},
    )


@lru_cache(maxsize=None)
def lexicon(directory: str = LEXICON_DIR) -> tuple[Confusion, ...]:
    out = []
    for path in sorted((CORPORA_DIR / directory).glob("*.toml")):
        data = corpora.load(path)
        for entry in data.get("entry", []):
            out.append(_entry(entry, str(path)))
    return tuple(out)


def match_case(original: str, replacement: str, title_words: bool) -> str:
    """``replacement`` in the case of ``original`` ("Eviction" -> "Evacuation", "EVICTEES" ->
    "EVACUEES"); a capitalised word inside a sentence capitalises each replacing word."""
    if not replacement:
        return replacement
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        if title_words:
            return " ".join(w[:1].upper() + w[1:] for w in replacement.split(" "))
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _suggestions(text: str, m: regex.Match, nslots: int, conf: Confusion, limit: int = 6) -> tuple[int, int, list[str]]:
    """(span start, span end, suggestions) for one match."""
    slots = [(i, m.start(f"s{i}"), m.end(f"s{i}")) for i in range(nslots) if m.start(f"s{i}") >= 0]
    replaced = [(i, s, e) for i, s, e in slots if text[s:e].lower() in conf.replace]
    if not replaced:
        return -1, -1, []
    span_s, span_e = replaced[0][1], replaced[-1][2]
    inside = [(i, s, e) for i, s, e in slots if span_s <= s and e <= span_e]
    choices = []
    for i, s, e in inside:
        word = text[s:e]
        alts = conf.replace.get(word.lower())
        if alts is None:
            choices.append((word,))
        else:
            mid = not _SENTENCE_START.search(text[max(0, s - 3) : s]) and s > 0
            choices.append(tuple(match_case(word, a, title_words=mid and word[:1].isupper()) for a in alts))
    out = []
    for combo in itertools.product(*choices):
        kept = [w for w in combo if w]
        out.append(" ".join(kept))
        if len(out) >= limit:
            break
    if all(not s for s in out):
        # a pure deletion: take the white space before the span with it
        while span_s > 0 and text[span_s - 1] in " \t":
            span_s -= 1
    return span_s, span_e, out


class _Window:
    """Sentence windows of a document: the sentence at an offset and its neighbours in the same
    paragraph (a cue in the next story's paragraph says nothing about this one)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.spans = doc.sentences
        self.starts = [s.start for s in self.spans]
        self.para_starts = [p.start for p in doc.paragraphs]
        self.paras = doc.paragraphs

    def around(self, start: int, end: int) -> tuple[int, int]:
        """(window start, window end) around ``text[start:end]``."""
        if not self.spans:
            return 0, len(self.doc.text)
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        j = i
        while j + 1 < len(self.spans) and self.spans[j].end < end:
            j += 1
        p = max(0, bisect.bisect_right(self.para_starts, start) - 1)
        ps, pe = self.paras[p].start, self.paras[p].end
        lo, hi = max(0, i - 1), min(len(self.spans) - 1, j + 1)
        ws = self.spans[lo].start if self.spans[lo].start >= ps else self.spans[i].start
        we = self.spans[hi].end if self.spans[hi].end <= pe else self.spans[j].end
        return min(ws, start), max(we, end)


@lru_cache(maxsize=2)
def _present(text: str) -> frozenset[str]:
    # the document's words in lower case, for MTQ201 and MTQ202 alike
    return frozenset(map(str.lower, map(itemgetter(2), words(text))))


@lru_cache(maxsize=2)
def _casefolded(text: str) -> str:
    return text.casefold()


class _Index:
    """A lexicon's entries by key word, and an Aho-Corasick automaton (pyahocorasick) of all its
    needles, which finds every needle a text holds in one pass over it, where looking for each
    in turn read the whole text again for every needle it does not hold."""

    def __init__(self, entries: tuple[Confusion, ...]) -> None:
        import ahocorasick

        self.entries = entries
        self.by_key: dict[str, list[int]] = {}
        self.automaton = ahocorasick.Automaton()
        for i, conf in enumerate(entries):
            for key in conf.keys:
                self.by_key.setdefault(key, []).append(i)
            for needles in conf.needle_sets:
                for alts in needles:
                    for n in alts:
                        self.automaton.add_word(n, n)
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    def needles_in(self, folded: str) -> frozenset[str]:
        """The needles that occur in ``folded`` (as ``needle in folded``)."""
        return frozenset() if self.empty else frozenset(map(itemgetter(1), self.automaton.iter(folded)))


_INDEXES: dict[int, _Index] = {}


def _index(entries: tuple[Confusion, ...]) -> _Index:
    """The index of ``entries``, kept for the lexicons' tuples (the same ones for a whole run)."""
    kept = _INDEXES.get(id(entries))
    if kept is not None and kept.entries is entries:
        return kept
    if len(_INDEXES) > 16:
        _INDEXES.clear()
    kept = _INDEXES[id(entries)] = _Index(entries)
    return kept


def find_confusions(
    doc: Document, entries: tuple[Confusion, ...], broad: bool = False
) -> Iterator[tuple[Confusion, int, int, list[str], dict]]:
    """(entry, span start, span end, suggestions, evidence) for each match: the narrow patterns,
    and with ``broad`` every form of each entry's broad words as well."""
    text = doc.text
    present = _present(text)
    window: _Window | None = None

    def ctx_around(s: int, e: int) -> str:
        nonlocal window
        window = window or _Window(doc)
        ws, we = window.around(s, e)
        return text[ws:s] + " " + text[e:we]

    index = _index(entries)
    needles_in: frozenset[str] | None = None
    if not broad:
        # only the entries with a key word in the document can match: looked up by word
        entries = tuple(entries[i] for i in sorted({i for w in index.by_key.keys() & present for i in index.by_key[w]}))
    for conf in entries:
        if not conf.keys.isdisjoint(present):
            for i, (nslots, needles) in enumerate(zip(conf.nslots, conf.needle_sets)):
                # The patterns match without regard to case (full case folding, as str.casefold):
                # a pattern whose required slot has none of its alternatives' letters in the
                # case-folded text cannot match, and most calque patterns are skipped so.
                if needles:
                    if needles_in is None:
                        needles_in = index.needles_in(_casefolded(text))
                    if not all(not needles_in.isdisjoint(alts) for alts in needles):
                        continue
                for m in _matches(conf, i, text, _casefolded(text), needles_in or frozenset()):
                    s, e, suggs = _suggestions(text, m, nslots, conf)
                    if not suggs:
                        continue
                    if conf.lowercase and any(c.isupper() for c in text[s:e]):
                        continue
                    before, after = text[max(0, m.start() - 80) : m.start()], text[m.end() : m.end() + 80]
                    if conf.before and not conf.before.search(before):
                        continue
                    if conf.after and not conf.after.search(after):
                        continue
                    if conf.not_before and conf.not_before.search(before):
                        continue
                    if conf.not_after and conf.not_after.search(after):
                        continue
                    evidence: dict = {"entry": conf.id, "source": list(conf.source), "proposal": "narrow"}
                    if conf.cues or conf.blockers:
                        ctx = ctx_around(m.start(), m.end())
                        if conf.blockers and conf.blockers.search(ctx):
                            continue
                        if conf.cues:
                            c = conf.cues.search(ctx)
                            if not c:
                                continue
                            evidence["cue"] = c.group(0)
                    yield conf, s, e, suggs, evidence
        if broad and conf.broad_words and not present.isdisjoint(conf.broad):
            for m in conf.broad_pattern.finditer(text):
                s, e, word = m.start(), m.end(), m.group(0)
                sentence_start = s == 0 or bool(_SENTENCE_START.search(text[max(0, s - 3) : s]))
                if word[:1].isupper() and not sentence_start:
                    continue  # a name or a title ("Fabric", "Actual Group"), not the common word
                if conf.lowercase and any(c.isupper() for c in word):
                    continue
                if conf.broad_not_after and conf.broad_not_after.search(text[e : e + 80]):
                    continue
                if conf.blockers or conf.broad_blockers:
                    ctx = ctx_around(s, e)
                    if (conf.blockers and conf.blockers.search(ctx)) or (
                        conf.broad_blockers and conf.broad_blockers.search(ctx)
                    ):
                        continue
                suggs = [match_case(word, a, title_words=False) for a in conf.broad[word.lower()]]
                yield conf, s, e, suggs, {"entry": conf.id, "source": list(conf.source), "proposal": "broad",
                                          "prior_log_odds": BROAD_PRIOR_LOG_ODDS}


@detector("MTQ201")
def confusion(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds words and phrases that machine translation often puts in place of the intended one: false
    friends and calques from Romance, Germanic and Slavic source languages, such as "eviction" for
    "evacuation" (civilians leaving a war zone), "fire stations" for "firing positions", "make a
    photo" for "take a photo", "actual" for "current", "eventual" for "possible", "gymnasium" for
    "secondary school", "fabric" for "factory", "demission" for "resignation", "decade" for "ten
    days" (Slavic "dekada").

    The lexicon is data in corpora/confusions/*.toml: each entry lists the wrong forms with their
    inflections, the likely intended forms, and context cues, so that a word in its legitimate
    sense (a tenant's eviction, a school gymnasium) is not reported. The suggestions, best first,
    keep the case and inflection of the text. With the language model on, the false friends are
    also proposed in any context, whatever words stand around them, and the model decides between
    the text and each suggestion; without it (--no-lm) only the patterns with their cues fire.

    Why is this bad:
    A false friend reads as fluent English but says something else: "a new eviction would take
    place" tells the reader that someone is being thrown out of a home, not rescued.

    Example:
    Hundreds of civilians remained, and it was unclear whether a new eviction would take place.

    Use instead: ... whether a new evacuation would take place.
    """
    yield from report(doc, "MTQ201", lexicon(), broad=ctx.model_judges,
                      message="{wrong!r} may be an MT confusion for {fix}{why}")


def report(doc: Document, code: str, entries: tuple[Confusion, ...], broad: bool, message: str) -> Iterator[Finding]:
    """The findings of ``code`` for the entries' matches, one per span (the longer span, then a
    narrow match, wins where two overlap). Broad proposals only when the model is there to judge
    them (see the module docstring)."""
    found = sorted(find_confusions(doc, entries, broad=broad),
                   key=lambda f: (f[1], -(f[2] - f[1]), f[4]["proposal"] != "narrow"))
    kept: list[tuple[int, int]] = []
    for conf, s, e, suggs, evidence in found:
        if any(s < ke and e > ks for ks, ke in kept):
            continue
        kept.append((s, e))
        wrong = doc.text[s:e]
        why = f" ({conf.notes})" if conf.notes else ""
        yield make_finding(
            doc, code, s, e, message.format(wrong=wrong, fix=repr(suggs[0]) if suggs[0] else "nothing (delete it)", why=why),
            suggestions=tuple(suggs), evidence=evidence,
        )
