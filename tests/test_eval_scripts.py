"""The table script end to end without the model, on a small sample of the real data."""

import importlib.util
import json
from pathlib import Path

import pytest

from mtqa.evaluation import datasets

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not datasets.DATA_DIR.is_dir() or not (ROOT.parent / "shared" / "seeds").is_dir(),
                                reason="../shared/data and ../shared/seeds are not beside this checkout")


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_make_results_table_no_lm(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, js = tmp_path / "results.md", tmp_path / "results.json"
    load_script("make_results_table").main(["--no-lm", "--limit", "3", "--only", "newstest2020-zhen",
                                            "--only", "wmt23-heen", "--out", str(out), "--json", str(js)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("## Results")
    assert "Signature: `mtqa:" in text and "model:none" in text and "data:newstest2020-zhen=3,wmt23-heen=3" in text
    assert "| newstest2020-zhen (dev) | mtqa |" in text and "| wmt23-heen (test) | mtqa |" in text
    assert "#### Seed gold" in text and "#### Clean news" in text
    dump = json.loads(js.read_text(encoding="utf-8"))
    (run,) = dump["runs"]
    assert run["seeds"]["report"]["partial"]["all"]["n_gold"] == sum(
        1 for line in (ROOT / "corpora" / "gold" / "seeds.jsonl").read_text(encoding="utf-8").splitlines() if line)
    assert run["clean_news"]["documents"] == 308
