"""`check --format html`: one self-contained page; highlights at the findings' exact offsets."""

from __future__ import annotations

import io

from click.testing import CliRunner
from lxml import html as lxml_html

from mtqa.cli import cli
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.writers import html

TEXT = ("<script>alert(1)</script> The decision was taken on Saturday (23) in thearea, "
        "officials said.\nAlso Read: Markets rally\n")


def _f(text, start, end, code="MTQ403", severity="minor", sugg=("",), msg="m"):
    return Finding(code, "locale-convention", severity, "a.txt", start, end, text[start:end], 1, start + 1, msg, sugg)


def _page(docs, findings) -> str:
    buf = io.StringIO()
    html.write(docs, findings, buf)
    return buf.getvalue()


def test_highlights_cover_exactly_the_findings_and_the_text_is_kept():
    doc = Document("a.txt", TEXT)
    s = TEXT.index(" (23)")
    g = TEXT.index("thearea")
    findings = [_f(TEXT, s, s + 5), _f(TEXT, g, g + 7, "MTQ211", "major", ("the area",))]
    tree = lxml_html.fromstring(_page([doc], findings))
    marks = tree.findall(".//mark")
    assert [m.text_content() for m in marks] == [" (23)", "thearea"]
    assert [m.get("class") for m in marks] == ["minor", "major"]
    # The rendered text is the document, character for character.
    assert tree.find_class("text")[0].text_content() == TEXT
    # Each table row links to its highlight.
    links = [a.get("href") for a in tree.findall(".//table[@class='findings']//a")]
    assert links == ["#" + m.get("id") for m in marks]


def test_input_markup_is_shown_never_run():
    doc = Document("a.txt", TEXT)
    page = _page([doc], [_f(TEXT, 0, 8, "MTQ301", "major")])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert lxml_html.fromstring(page).find(".//script") is None


def test_overlapping_findings_share_a_highlight_naming_both():
    doc = Document("a.txt", TEXT)
    g = TEXT.index("thearea")
    a, b = _f(TEXT, g, g + 7, "MTQ211", "major", msg="glued"), _f(TEXT, g + 3, g + 7, "MTQ201", "minor", msg="sense")
    marks = lxml_html.fromstring(_page([doc], [a, b])).findall(".//mark")
    assert [m.text_content() for m in marks] == ["the", "area"]
    assert "MTQ211" in marks[1].get("title") and "MTQ201" in marks[1].get("title")
    assert marks[1].get("class") == "major"  # the worse severity colours the shared piece


def test_an_empty_span_shows_as_a_caret():
    doc = Document("a.txt", TEXT)
    tree = lxml_html.fromstring(_page([doc], [_f(TEXT, 10, 10, sugg=(",",))]))
    (mark,) = tree.findall(".//mark")
    assert mark.text_content() == "‸"
    assert tree.find_class("text")[0].text_content().replace("‸", "") == TEXT


def test_check_writes_one_page_for_the_whole_run(tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("Clean copy about the weather, officials said.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The decision was taken on Saturday (23) in the capital.\n", encoding="utf-8")
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["check", str(tmp_path), "--no-lm", "--format", "html", "-o", str(out),
                                 "--select", "MTQ403"])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert page.count("<!DOCTYPE html>") == 1 and page.rstrip().endswith("</html>")
    tree = lxml_html.fromstring(page)
    assert [m.text_content() for m in tree.findall(".//mark")] == [" (23)"]
    assert len(tree.find_class("clean")[0].findall("li")) == 2


def test_the_page_carries_the_run_signature_in_its_footer(tmp_path):
    from click.testing import CliRunner

    from mtqa.cli import cli

    p = tmp_path / "a.txt"
    p.write_text("Prices rose on Monday (3).\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["check", str(p), "--no-lm", "--format", "html", "--fail-on", "never"])
    assert r.exit_code == 0, r.output
    footer = lxml_html.fromstring(r.output).find(".//footer")
    assert footer is not None and footer.text_content().startswith("mtqa:") and "|model:none|" in footer.text_content()
