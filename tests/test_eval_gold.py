"""The gold format, the committed seed gold, and `mtqa eval` end to end."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.errors import InputError
from mtqa.evaluation.gold import GoldSpan, check_against_texts, read_gold
from mtqa.finding import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = ROOT / "corpora" / "gold" / "seeds.jsonl"


def write(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return p


@pytest.mark.parametrize("record,message", [
    ({"doc": "a", "start": 0, "end": 1}, "missing key"),
    ({"doc": "a", "start": 0, "end": 1, "category": "typo"}, "unknown category"),
    ({"doc": "a", "start": 0, "end": 1, "category": "fluency", "severity": "huge"}, "severity"),
    ({"doc": "a", "start": 2, "end": 1, "category": "fluency"}, "bad span"),
    ({"doc": "a", "start": "0", "end": 1, "category": "fluency"}, "integers"),
    ({"doc": "a", "start": 0, "end": 1, "category": "fluency", "sevrity": "minor"}, "unknown key"),
])
def test_malformed_gold_is_refused(tmp_path, record, message):
    with pytest.raises(InputError, match=message):
        read_gold(write(tmp_path, "g.jsonl", [record]))


def test_gold_round_trip(tmp_path):
    rec = {"doc": "a.txt", "start": 3, "end": 3, "category": "fluency", "severity": "minor", "fix": "",
           "text": "", "note": "omission point"}
    (g,) = read_gold(write(tmp_path, "g.jsonl", [rec]))
    assert g == GoldSpan("a.txt", 3, 3, "fluency", "minor", "", "", "omission point")
    assert g.to_json() == rec


def test_check_against_texts():
    texts = {"a": "the area"}
    assert check_against_texts([GoldSpan("a", 4, 8, "glued-word", text="area")], texts) == []
    assert check_against_texts([GoldSpan("a", 4, 8, "glued-word", text="aera")], texts)
    assert check_against_texts([GoldSpan("a", 4, 9, "glued-word")], texts)
    assert check_against_texts([GoldSpan("b", 0, 1, "glued-word")], texts)


def test_seed_gold_is_valid_and_covers_the_artifact_families():
    golds = read_gold(SEED_GOLD)
    assert len(golds) >= 40
    assert all(g.category in CATEGORIES and g.severity and g.text is not None for g in golds)
    assert len({(g.doc, g.start, g.end) for g in golds}) == len(golds)
    texts = {g.text for g in golds}
    for must in ("সাম", "$ 375", "eviction", "evictees", "fire stations", "thearea", " .", "Azvastal",
                 "Zaporizhiya", "Kiev", "Donbass", "date 2022-04-24", " (23)", "Read More About: World News",
                 ".vjs-texttrack-settings {display: nobody;}", "Plants have especially migrated to the outside world."):
        assert must in texts, must


def test_seed_gold_offsets_match_the_seeds(seeds_dir):
    golds = read_gold(SEED_GOLD)
    texts = {p.name: p.read_bytes().decode("utf-8-sig") for p in seeds_dir.glob("*.txt")}
    assert check_against_texts(golds, texts) == []


def test_seed_gold_is_what_the_build_script_makes(seeds_dir):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", ROOT / "scripts" / "eval_build_seed_gold.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    texts = {p.name: p.read_bytes().decode("utf-8-sig") for p in seeds_dir.glob("*.txt")}
    assert [g.to_json() for g in build.resolve(texts)] == [g.to_json() for g in read_gold(SEED_GOLD)]


# ---- mtqa eval -------------------------------------------------------------------------------

def finding(path, start, end, text, code="MTQ211", category="glued-word", severity="minor"):
    return {"path": path, "start": start, "end": end, "line": 1, "column": start + 1, "text": text,
            "code": code, "category": category, "severity": severity, "message": "m", "suggestion": None,
            "score": None}


@pytest.fixture
def eval_files(tmp_path):
    doc = tmp_path / "docs" / "a.txt"
    doc.parent.mkdir()
    doc.write_text("We took positions in thearea and Kiev .", encoding="utf-8")
    gold = write(tmp_path, "gold.jsonl", [
        {"doc": "a.txt", "start": 21, "end": 28, "category": "glued-word", "severity": "minor", "text": "thearea"},
        {"doc": "a.txt", "start": 33, "end": 37, "category": "house-style", "severity": "minor", "text": "Kiev"},
    ])
    findings = write(tmp_path, "f.jsonl", [
        finding(str(doc), 21, 28, "thearea"),
        finding(str(doc), 37, 39, " .", "MTQ405", "locale-convention"),
    ])
    return doc, gold, findings


def test_eval_command_json(eval_files):
    doc, gold, findings = eval_files
    res = CliRunner().invoke(cli, ["eval", str(findings), str(gold), "--texts", str(doc.parent), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    allp = out["results"]["partial"]["all"]
    assert (allp["n_pred"], allp["pred_hits"], allp["n_gold"], allp["gold_hits"]) == (2, 1, 2, 1)
    assert out["results"]["exact"]["by_category"]["house-style"]["recall"] == 0.0
    sig = out["signature"]
    for field in ("mtqa:", "det:", "lex:", "model:none", "thr:", "gold:", "findings:"):
        assert field in sig


def test_eval_command_tables(eval_files):
    doc, gold, findings = eval_files
    res = CliRunner().invoke(cli, ["eval", str(findings), str(gold)])
    assert res.exit_code == 0, res.output
    assert "| **all** (any category) | 0.500 | 0.500 | 0.500 |" in res.output
    assert "category: glued-word" in res.output and "severity: minor" in res.output
    assert res.output.strip().splitlines()[-1].startswith("signature: mtqa:")


def test_eval_command_refuses_findings_that_do_not_match_the_text(tmp_path, eval_files):
    doc, gold, _ = eval_files
    bad = write(tmp_path, "bad.jsonl", [finding(str(doc), 21, 28, "the area")])
    res = CliRunner().invoke(cli, ["eval", str(bad), str(gold), "--texts", str(doc.parent)])
    assert res.exit_code == 2
    assert "does not match" in res.output


def test_eval_command_bad_gold_is_a_clean_error(tmp_path, eval_files):
    _, _, findings = eval_files
    gold = write(tmp_path, "g.jsonl", [{"doc": "a", "start": 0}])
    res = CliRunner().invoke(cli, ["eval", str(findings), str(gold)])
    assert res.exit_code == 2
    assert "missing key" in res.output
