"""The start-up caches (mtqa.startup) give exactly what they stand in for: wordfreq's answers and
regex's compiled patterns, read back in a new process."""

import subprocess
import sys

import pytest
import regex

from mtqa import startup
from mtqa.detectors.boilerplate import load_patterns


@pytest.fixture
def cache_dir(tmp_path):
    before = startup._root
    startup.use(tmp_path)
    startup._words_state.clear()
    yield tmp_path
    startup.use(before.parent if before is not None else None)
    startup._words_state.clear()


def test_word_table_answers_as_wordfreq(cache_dir):
    from wordfreq import get_frequency_list, top_n_list, available_languages, zipf_frequency

    every = [w for band in get_frequency_list("en") for w in band]
    sample = every[::300]
    sample += [w.capitalize() for w in sample[::5]] + [w.upper() for w in sample[::11]]
    sample += ["Zxqvbnmw", "thisisnotaword", "Kyiv", "saidthat", "a", "I", "THE"]
    sample += ["don't", "it’s", "Soviet-era", "café", "naïve", "rock-n-roll", "x-ray", "3D", ""]
    for word in sample:
        assert startup.english_zipf(word) == zipf_frequency(word, "en"), word
    assert startup.english_zipf("the") > 7 and startup.english_zipf("thisisnotaword") == 0.0
    # the answers for words of another kind (wordfreq's tokenizer splits or folds them) are kept
    con = startup._word_table()
    assert con.execute("SELECT zipf FROM asked WHERE word = 'Soviet-era'").fetchone()[0] == 4.3
    assert con.execute("SELECT count(*) FROM asked").fetchone()[0] >= 9
    assert startup.top_english_words(100) == top_n_list("en", 100)
    assert startup.wordfreq_languages() == sorted(available_languages())
    assert list(cache_dir.glob("startup/wordfreq-en-*.sqlite"))


def test_without_a_cache_dir_nothing_is_kept():
    before = startup._root
    startup.use(None)
    try:
        assert startup.english_zipf("the") is None
        assert startup.top_english_words(10) is None
        assert startup.compile(r"\bab+c", regex.I).pattern == r"\bab+c"
    finally:
        startup.use(before.parent if before is not None else None)


def test_compiled_patterns_read_back_in_a_new_process(cache_dir):
    patterns = load_patterns.__wrapped__("boilerplate.toml")
    texts = ["Also Read: Russia pounds railroad stations", "Follow us on Telegram", "Photo: Reuters",
             "The minister said the talks would resume.", "STRASSE news: see more"]
    expected = [[(m.span(), m.groupdict()) for t in texts for m in p.regex.finditer(t)] for p in patterns]
    assert list(cache_dir.glob("startup/regex-*.sqlite"))
    # a fresh interpreter finds every program in the cache and never runs regex's compiler
    code = f"""
from mtqa import startup
from mtqa.detectors.boilerplate import load_patterns  # its module-level patterns compile here
import regex._main
startup.use({str(cache_dir)!r})
def refuse(*a, **k):
    raise SystemExit("regex's compiler ran")
regex._main._parse_pattern = refuse
texts = {texts!r}
out = [[(m.span(), m.groupdict()) for t in texts for m in p.regex.finditer(t)] for p in load_patterns("boilerplate.toml")]
print(repr(out))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert eval(res.stdout) == expected  # noqa: S307 - our own repr of tuples and dicts
    assert any(expected), "the sample texts match no pattern: the comparison says nothing"


def test_flags_are_part_of_the_key(cache_dir):
    folded = startup.compile("straße", regex.V1 | regex.I)
    plain = startup.compile("straße", regex.V1)
    assert folded.search("STRASSE") and not plain.search("STRASSE")
    startup.use(None)
    startup.use(cache_dir)  # reopened: both now come from the cache
    assert startup.compile("straße", regex.V1 | regex.I).search("STRASSE")
    assert not startup.compile("straße", regex.V1).search("STRASSE")


def test_broad_inflections_read_back_in_a_new_process_without_lemminflect(cache_dir):
    from mtqa.detectors import confusion

    expected = {c.id: c.broad for c in confusion.lexicon.__wrapped__() if c.broad_words}
    assert sum(map(len, expected.values())) > len(expected), "no inflected forms: the test says nothing"
    code = f"""
import sys
from mtqa import startup
startup.use({str(cache_dir)!r})
from mtqa.detectors import confusion
print(repr({{c.id: c.broad for c in confusion.lexicon() if c.broad_words}}))
print("lemminflect" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    got, imported = out.strip().splitlines()
    assert eval(got) == expected  # noqa: S307 - our own repr of tuples and dicts
    assert imported == "False"
