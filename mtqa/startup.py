"""What a fresh process would otherwise recompute on every start, kept in the cache dir: the
compiled programs of the big pattern files' regular expressions, and wordfreq's English table.

Compiling the boilerplate, metadata and lexicon patterns (the ``regex`` module does it in Python,
with full case folding) and loading wordfreq (its imports and its 320,000-word list) were most
of a ``--no-lm`` start-up. Both are pure functions of their inputs, so their results are stored
in SQLite files under the cache dir, keyed by everything they depend on (the regex version and
the pattern with its flags; wordfreq's files), and read back in a few milliseconds.

Each cache is only ever an accelerator: without a cache dir (``use`` never called, as in a
library call), or when one cannot be read or written, the same results are computed the plain
way. The location is set once per process from the Config (``use``), since the helpers that
need it (``mtqa.text.zipf``, a detector's patterns) are called far below any Config.
"""

from __future__ import annotations

import os
import json
import sqlite3
import threading
from pathlib import Path

import regex

_root: Path | None = None
_lock = threading.RLock()
_connections: dict[str, sqlite3.Connection | None] = {}


def use(cache_dir: str | os.PathLike | None) -> None:
    """Keep the start-up caches under ``cache_dir`` (None: none, everything computed afresh)."""
    global _root
    root = Path(cache_dir).expanduser() / "startup" if cache_dir else None
    with _lock:
        if root != _root:
            _root = root
            _connections.clear()


def _connect(name: str, schema: str) -> sqlite3.Connection | None:
    """The SQLite file ``name`` under the cache root, created with ``schema``; None without one."""
    with _lock:
        if name in _connections:
            return _connections[name]
        con = None
        if _root is not None:
            try:
                _root.mkdir(parents=True, exist_ok=True)
                con = sqlite3.connect(_root / name, timeout=10, check_same_thread=False, isolation_level=None)
                # a lost write costs a recompute, never a wrong answer, so no fsync per entry
                con.execute("PRAGMA synchronous=OFF")
                con.executescript(schema)
            except (OSError, sqlite3.Error):
                con = None
        _connections[name] = con
        return con


def _drop(name: str) -> None:
    with _lock:
        _connections[name] = None


# --- values -------------------------------------------------------------------------------------

_VALUES_SCHEMA = "CREATE TABLE IF NOT EXISTS value (key TEXT PRIMARY KEY, json TEXT NOT NULL)"


def value(key: str, compute):
    """``compute()`` (a JSON value), stored by an earlier process under ``key`` when there is one;
    ``key`` must name everything the value depends on (versions, the inputs' content)."""
    con = _connect("values.v1.sqlite", _VALUES_SCHEMA)
    if con is not None:
        try:
            row = con.execute("SELECT json FROM value WHERE key = ?", (key,)).fetchone()
            if row:
                return json.loads(row[0])
        except (sqlite3.Error, ValueError):
            pass
    result = compute()
    if con is not None:
        try:
            con.execute("INSERT OR REPLACE INTO value VALUES (?, ?)", (key, json.dumps(result)))
        except sqlite3.Error:
            pass
    return result


# --- compiled regular expressions ----------------------------------------------------------------

_REGEX_DB = "regex-" + regex.__version__ + ".v2.sqlite"
_REGEX_SCHEMA = "CREATE TABLE IF NOT EXISTS program (pattern TEXT, flags INTEGER, args TEXT, PRIMARY KEY (pattern, flags))"
_recording = threading.local()


class _Recorder:
    """Stands in for regex's C module while a pattern compiles, to keep the arguments its Python
    compiler hands to ``_regex.compile`` (the finished program)."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def compile(self, *args):
        if getattr(_recording, "on", False):
            _recording.args = args
        return self._real.compile(*args)


def compile(pattern: str, flags: int = 0) -> regex.Pattern:  # noqa: A001 - regex.compile, cached
    """``regex.compile(pattern, flags)``, from the compiled program stored by an earlier process
    when there is one (regex's own compiler is slow on big case-insensitive alternations)."""
    con = _connect(_REGEX_DB, _REGEX_SCHEMA)
    if con is None:
        return regex.compile(pattern, flags)
    try:
        row = con.execute("SELECT args FROM program WHERE pattern = ? AND flags = ?", (pattern, flags)).fetchone()
        if row is not None:
            from regex import _regex

            return _regex.compile(*_decode(row[0]))
    except Exception:  # noqa: BLE001 - a stale or unreadable entry is recompiled below
        pass
    compiled, args = _compile_recording(pattern, flags)
    if args is not None:
        try:
            con.execute("INSERT OR REPLACE INTO program VALUES (?, ?, ?)", (pattern, flags, _encode(args)))
        except sqlite3.Error:
            _drop(_REGEX_DB)
    return compiled


def _compile_recording(pattern: str, flags: int) -> tuple[regex.Pattern, tuple | None]:
    from regex import _main

    with _lock:
        real = _main._regex
        _main._regex = _Recorder(real)
        _recording.on, _recording.args = True, None
        try:
            # not from regex's in-memory cache: the program is only seen when it is built
            compiled = regex.compile(pattern, flags, cache_pattern=False)
        finally:
            _recording.on = False
            _main._regex = real
    args = _recording.args
    # keep it only when it has no named lists (never used here) and the program rebuilt from the
    # stored arguments is the one regex built
    if args is None or args[0] != pattern or args[5] or args[6] or not _same(compiled, args):
        return compiled, None
    return compiled, args


def _encode(args: tuple) -> str:
    """The arguments of ``_regex.compile`` as JSON (data, never code, is read back from the
    cache dir): pattern, flags, program, group names both ways, the required string."""
    pattern, flags, code, group_index, index_group, _, _, req_offset, req_chars, req_flags, groups = args
    return json.dumps([pattern, int(flags), code, group_index, sorted(index_group.items()), req_offset,
                       None if req_chars is None else list(req_chars), req_flags, groups])


def _decode(text: str) -> tuple:
    pattern, flags, code, group_index, index_group, req_offset, req_chars, req_flags, groups = json.loads(text)
    return (pattern, flags, code, group_index, {int(k): v for k, v in index_group}, {}, [], req_offset,
            None if req_chars is None else tuple(req_chars), req_flags, groups)


def _same(compiled: regex.Pattern, args: tuple) -> bool:
    from regex import _regex

    try:
        again = _regex.compile(*_decode(_encode(args)))
    except Exception:  # noqa: BLE001
        return False
    return again.pattern == compiled.pattern and again.flags == compiled.flags and again.groupindex == compiled.groupindex


# --- wordfreq's English table --------------------------------------------------------------------

_WORDS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS word (word TEXT PRIMARY KEY, zipf REAL) WITHOUT ROWID;"
    # wordfreq's answers for the other words (not all ASCII letters) that runs have asked for
    "CREATE TABLE IF NOT EXISTS asked (word TEXT PRIMARY KEY, zipf REAL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"
)
TOP_WORDS_KEPT = 1000  # top_words(n) answers from the table up to this n
WORDS_BEFORE_LOADING = 20_000  # words asked of the table before it is read into memory whole


def _wordfreq_key() -> str | None:
    """What the table depends on: wordfreq's code and its English list, by size and mtime (an
    upgrade or reinstall rewrites both); None where wordfreq is not installed as files."""
    import importlib.util

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    pkg = Path(list(spec.submodule_search_locations)[0])
    parts = []
    for f in (pkg / "__init__.py", pkg / "tokens.py", pkg / "data" / "large_en.msgpack.gz"):
        try:
            st = f.stat()
        except OSError:
            return None
        parts.append(f"{st.st_size}.{st.st_mtime_ns}")
    return "-".join(parts)


_words_state: dict = {}


def _word_table() -> sqlite3.Connection | None:
    """The open English table, built from wordfreq on first use; None without a cache dir."""
    with _lock:
        if "con" in _words_state and _words_state.get("root") is _root:
            return _words_state["con"]
        _words_state.clear()
        con = None
        key = _wordfreq_key() if _root is not None else None
        if key is not None:
            import hashlib

            name = "wordfreq-en-" + hashlib.sha1(key.encode()).hexdigest()[:12] + ".sqlite"
            con = _connect(name, _WORDS_SCHEMA)
            if con is not None:
                try:
                    if con.execute("SELECT value FROM meta WHERE key = 'complete'").fetchone() is None:
                        _build_word_table(con)
                except sqlite3.Error:
                    _drop(name)
                    con = None
        _words_state.update(con=con, root=_root)
        return con


def _build_word_table(con: sqlite3.Connection) -> None:
    """Every all-ASCII-letters word of wordfreq's English list with its Zipf frequency, as
    wordfreq itself computes it (once per frequency band), its commonest words, and its
    languages."""
    import json

    from wordfreq import available_languages, get_frequency_list, top_n_list, zipf_frequency

    rows = []
    for band in get_frequency_list("en"):
        plain = [w for w in band if w.isascii() and w.isalpha() and w.islower()]
        if plain:
            # one token, no digits: a word's frequency is its band's, so wordfreq's answer for
            # one word of the band is the answer for all of them
            z = zipf_frequency(plain[0], "en")
            rows.extend((w, z) for w in plain)
    with con:
        con.execute("BEGIN")
        con.execute("DELETE FROM word")
        con.executemany("INSERT OR REPLACE INTO word VALUES (?, ?)", rows)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('top', ?)", (json.dumps(top_n_list("en", TOP_WORDS_KEPT)),))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('languages', ?)", (json.dumps(sorted(available_languages())),))
        con.execute("INSERT OR REPLACE INTO meta VALUES ('complete', '1')")


def english_zipf(word: str) -> float | None:
    """wordfreq's English Zipf frequency of ``word``, from the table; None without one (ask
    wordfreq). An all-ASCII-letters word is looked up (wordfreq's answer is its band's); any other
    (hyphens, apostrophes, accents, which wordfreq's tokenizer splits or folds) is asked of
    wordfreq once and its answer kept in the table for later runs."""
    table = _words_state.get("dict")
    plain = word.isascii() and word.isalpha()
    if plain and table is not None and _words_state.get("root") is _root:
        return table.get(word.lower(), 0.0)
    con = _word_table()
    if con is None:
        return None
    try:
        if not plain:
            row = con.execute("SELECT zipf FROM asked WHERE word = ?", (word,)).fetchone()
            if row is None:
                from wordfreq import zipf_frequency

                row = (zipf_frequency(word, "en"),)
                con.execute("INSERT OR REPLACE INTO asked VALUES (?, ?)", (word, row[0]))
            return row[0]
        row = con.execute("SELECT zipf FROM word WHERE word = ?", (word.lower(),)).fetchone()
        # A long run asks for many words: past a few thousand, the whole table in memory (a
        # fifth of a second to load) is cheaper than more queries.
        _words_state["asked"] = _words_state.get("asked", 0) + 1
        if _words_state["asked"] == WORDS_BEFORE_LOADING:
            _words_state["dict"] = dict(con.execute("SELECT word, zipf FROM word"))
    except sqlite3.Error:
        return None
    return row[0] if row else 0.0


def _meta(key: str):
    con = _word_table()
    if con is None:
        return None
    import json

    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return json.loads(row[0]) if row else None


def top_english_words(n: int) -> list[str] | None:
    """wordfreq's ``top_n_list("en", n)`` from the table; None without one."""
    if n > TOP_WORDS_KEPT:
        return None
    top = _meta("top")
    return None if top is None else top[:n]


def wordfreq_languages() -> list[str] | None:
    """wordfreq's ``available_languages()`` codes from the table; None without one."""
    return _meta("languages")
