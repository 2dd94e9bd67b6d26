"""Page code in the copy (MTQ301) and translated CSS values (MTQ302)."""

from mtqa.detectors.markup import bad_css_values
from mtqa.fixes import apply_fixes, deletion_extent
from tests.helpers import findings_for
from mtqa.config import Config
from mtqa.document import Document
from mtqa.pipeline import run


def test_deleting_a_line_keeps_one_paragraph_break():
    text = "A.\n\nCODE\n\nB."
    s, e = deletion_extent(text, 4, 8)
    assert text[:s] + text[e:] == "A.\n\nB."
    s, e = deletion_extent("A.\n\nCODE", 4, 8)
    assert "A.\n\nCODE"[:s] == "A."


def test_deleting_inside_a_line_leaves_single_spaces():
    text = "said (Photo: AP) that"
    s, e = deletion_extent(text, 5, 16)
    assert text[:s] + text[e:] == "said that"
    text = " date 2022-04-24 Ukraine said"
    s, e = deletion_extent(text, 1, 16)
    assert text[:s] + text[e:] == "Ukraine said"


def test_bad_css_values():
    text = ".x {display: nobody; color: #fff; width: calc(100% - 2px); visibility: hidden}"
    assert [v for *_, v in bad_css_values(text, 0, len(text))] == ["nobody"]


def test_css_line_fixed_to_clean_text():
    text = "He accused them.\n\n.vjs-texttrack-settings {display: nobody;}\n\nThe factory was transformed."
    doc = Document("t.txt", text)
    result = run([doc], Config(select=("MTQ301", "MTQ302"), use_lm=False))
    assert sorted(f.code for f in result.findings) == ["MTQ301", "MTQ302"]
    assert apply_fixes(text, result.findings) == "He accused them.\n\nThe factory was transformed."


def test_multi_line_script_is_one_finding():
    text = "Prices rose.\n\ngoogletag.cmd.push(function() {\n  googletag.display('div-1');\n});\n\nMore later."
    (f,) = findings_for(text, "MTQ301")
    assert f.text.startswith("googletag.cmd.push") and f.text.rstrip().endswith("});")


def test_prose_with_braces_and_math_is_clean():
    assert findings_for("The set {1, 2, 3} has three elements; x < 5 and y > 3.", "MTQ301") == []
