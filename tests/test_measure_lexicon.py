"""scripts/measure_lexicon.py without the model: injected substitutions and the measured lines."""

import importlib.util
import random
import shutil
import tomllib
from pathlib import Path

from mtqa import corpora
from mtqa.detectors.confusion import lexicon
from mtqa.document import Document
from mtqa.finding import Finding

ROOT = Path(__file__).resolve().parent.parent


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


M = load_script("measure_lexicon")


def _entry(directory, entry_id):
    conf = next(e for e in lexicon(directory) if e.id == entry_id)
    raw = next(r for p in sorted((corpora.CORPORA_DIR / directory).glob("*.toml"))
               for r in corpora.load(p)["entry"] if r["id"] == entry_id)
    return conf, raw


def test_a_word_is_swapped_for_its_confusion_where_the_entry_matches():
    conf, raw = _entry("confusions", "eviction-evacuation")
    doc = Document("d", "Officials met on Monday.\n\nThe evacuation of the town began at dawn.")
    ((inj, s, e, original),) = M.injection_sites(conf, raw, [doc], random.Random(1), 5)
    assert inj.text[s:e] == "eviction" and original == "evacuation"
    assert inj.text.replace("eviction", "evacuation") == doc.text


def test_a_calque_is_injected_from_its_own_example():
    conf, raw = _entry("calques", "discuss-about")
    doc = Document("d", "The ministers discussed the budget on Friday.")
    ((inj, s, e, original),) = M.injection_sites(conf, raw, [doc], random.Random(1), 5)
    assert inj.text == "The ministers discussed about the budget on Friday."
    assert (inj.text[s:e], original) == ("discussed about", "discussed")
    # no site where the entry would not match: "discussed about 30" is good English
    assert M.injection_sites(conf, raw, [Document("d", "They discussed 30 bills.")], random.Random(1), 5) == []


def test_a_finding_counts_only_when_its_suggestion_restores_the_original():
    text = "The ministers discussed about the budget."
    s, e = text.index("discussed about"), text.index(" the budget")
    good = Finding("MTQ202", "confusion", "minor", "d", s, e, text[s:e], 1, 1, "", ("discussed",))
    bad = Finding("MTQ202", "confusion", "minor", "d", s, e, text[s:e], 1, 1, "", ("talked",))
    assert M._fixes(text, good, "discussed", s, e) and not M._fixes(text, bad, "discussed", s, e)


def test_measured_lines_are_written_once_per_entry(tmp_path):
    for p in (corpora.CORPORA_DIR / "calques").glob("*.toml"):
        shutil.copy(p, tmp_path / p.name)
    for p in range(2):  # writing again replaces, never duplicates
        M.write_measured(tmp_path, {"depend-of": {"p": 0.5, "r": None, "n": 3, "fa": 1, "data": "x", "date": "d"}})
    entries = {e["id"]: e for p in tmp_path.glob("*.toml") for e in tomllib.loads(p.read_text())["entry"]}
    assert entries["depend-of"]["measured"] == {"p": 0.5, "r": "n/a", "n": 3, "fa": 1, "data": "x", "date": "d"}
    assert sum(p.read_text().count('id = "depend-of"') for p in tmp_path.glob("*.toml")) == 1
    assert all(e.get("incorrect") for e in entries.values())
    # the other entries keep what was measured before
    before = {e["id"]: e for p in (corpora.CORPORA_DIR / "calques").glob("*.toml") for e in corpora.load(p)["entry"]}
    assert all(entries[k].get("measured") == before[k].get("measured") for k in before if k != "depend-of")
