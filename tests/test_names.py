"""MTQ221 name variants and MTQ222 house style, beyond the corpora examples: the seeds, a custom
house-style file from the config, and the pieces of the variant test."""

from __future__ import annotations

from mtqa.config import Config
from mtqa.detectors import names
from mtqa.document import Document
from mtqa.pipeline import run
from tests.helpers import findings_for


def _codes(text: str, code: str, **cfg) -> list[tuple[str, str | None]]:
    result = run([Document("t.txt", text)], Config(select=(code,), use_lm=False, **cfg))
    return [(f.text, f.suggestion) for f in result.findings if f.code == code]


def test_seed_variants_found(seeds_dir):
    text = (seeds_dir / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    found = {(f.text, f.suggestion) for f in findings_for(text, "MTQ221")}
    assert ("Azvastal", "Azovstal") in found
    assert ("Zaporizhiya", "Zaporizhzhia") in found
    # the dominant spelling itself is never reported
    assert not any(t == "Azovstal" for t, _ in found)


def test_seed_house_style(seeds_dir):
    text = (seeds_dir / "004_defe518a12050a6b.txt").read_text(encoding="utf-8")
    assert ("Kiev", "Kyiv") in {(f.text, f.suggestion) for f in findings_for(text, "MTQ222")}
    text = (seeds_dir / "000_74b76634e9d87410.txt").read_text(encoding="utf-8")
    assert sum(f.text == "Donbass" for f in findings_for(text, "MTQ222")) == 3


def test_each_minority_occurrence_is_reported():
    text = "Azovstal held. Azovstal burned. Azovstal fell. Azvastal was empty. Azvastal's gates shut."
    assert [t for t, _ in _codes(text, "MTQ221")] == ["Azvastal", "Azvastal"]


def test_custom_house_style_file(tmp_path):
    style = tmp_path / "style.toml"
    style.write_text(
        'code = "MTQ222"\n[[entry]]\nwrong = ["Kyiv"]\nright = "Kiev"\n'
        'incorrect = [{ text = "in ⟦Kyiv⟧", suggestion = "Kiev" }]\ncorrect = ["in Kiev"]\n',
        encoding="utf-8",
    )
    text = "Talks in Kyiv and Kiev resumed."
    assert _codes(text, "MTQ222", house_style=str(style)) == [("Kyiv", "Kiev")]
    assert _codes(text, "MTQ222") == [("Kiev", "Kyiv")]


def test_exceptions_from_data():
    assert _codes("He ordered chicken Kiev and went to Odessa, Texas.", "MTQ222") == []
    assert _codes("He flew to Odessa.", "MTQ222") == [("Odessa", "Odesa")]


def test_variant_pieces():
    assert names._skeleton("Azvastal") == names._skeleton("Azovstal")
    assert names._skeleton("Austria") != names._skeleton("Australia")
    assert names._derived("Sudan", "Sudanese")
    assert names._derived("Ukraine", "Ukrainian")
    assert not names._derived("Zelensky", "Zelenskyy")
    assert names._edit_distance("Astafiev", "Astafeev", 2) == 1
    assert names._edit_distance("Kharkiv", "Mykolaiv", 2) == 3
