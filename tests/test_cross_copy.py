"""The cross-copy engine (mtqa.stories) and what the MTQ6xx rules decide from it: stories by
content, reference copies, ties, transliteration keys, and the evidence in JSONL and HTML."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner

from mtqa.cli import cli
from mtqa.config import Config
from mtqa.detectors.base import Context
from mtqa.detectors.cross_copy import transliteration_key
from mtqa.document import Document
from mtqa.pipeline import run
from mtqa.stories import group, stories
from tests.helpers import findings_for

STORY = [
    "Heavy rain flooded the lower town of Porto on Sunday, and firefighters pumped water from cellars "
    "along the river while the council closed three schools and the market hall.",
    "Firefighters pumped water out of flooded cellars along the river in Porto on Sunday after heavy "
    "rain, and the council shut three schools and the market hall in the lower town.",
    "In the lower town of Porto, heavy rain on Sunday flooded cellars along the river; firefighters "
    "pumped out the water and the council closed the market hall and three schools.",
]
OTHER = ("The central bank raised its main interest rate by a quarter point on Thursday, citing wages "
         "and energy prices, and said further increases were possible before the summer.")


def test_copies_with_no_rare_name_in_common_are_one_story_by_content():
    docs = [Document(f"c{i}.txt", t) for i, t in enumerate(STORY + [OTHER])]
    assert group(docs) == [[0, 1, 2]]


def test_sentences_align_across_copies():
    docs = [Document(f"c{i}.txt", t) for i, t in enumerate(STORY)]
    (story,) = stories(docs, Context(Config(use_lm=False)))
    assert [cp.copy.path for cp in story.counterparts(story.copies[0], 0)] == ["c1.txt", "c2.txt"]


@pytest.mark.parametrize("a,b", [("Şahin", "Shahin"), ("Zelenskyy", "Zelenski"), ("Kharkiv", "Harkiv"),
                                 ("Romanov", "Romanoff"), ("Zelenskiy", "Zelensky"), ("Jurij", "Yuriy"),
                                 ("Lindqvist", "Lindkvist"), ("Aleksandr", "Alexandr"), ("Dzhanibek", "Djanibek"),
                                 ("Ghulam", "Gulam"), ("Nicos", "Nikos"), ("Yevgeny", "Evgeny"),
                                 ("Abdallah", "Abdalla")])
def test_transliteration_variants_share_a_key(a, b):
    assert transliteration_key(a) == transliteration_key(b)


@pytest.mark.parametrize("a,b", [("Austria", "Australia"), ("Johnson", "Jackson"), ("Kovalenko", "Kovalchuk"),
                                 ("Chavez", "Kavez"), ("Yemen", "Oman")])
def test_different_names_do_not(a, b):
    assert transliteration_key(a) != transliteration_key(b)


NAMES = [
    "Deputy Prime Minister Iryna Vereshchuk said buses would leave Mariupol for Zaporizhzhia after the Azovstal talks.",
    "Deputy Prime Minister Irina Vereshchuk said the Mariupol convoy would reach Zaporizhzhia once Azovstal was cleared.",
]


def test_a_tie_is_reported_on_both_sides_without_a_suggestion():
    found = findings_for(NAMES, "MTQ601")
    assert sorted((f.path, f.text) for f in found) == [("copy1.txt", "Iryna"), ("copy2.txt", "Irina")]
    assert all(f.suggestions == () for f in found)


def test_the_reference_decides_and_is_never_flagged():
    found = findings_for(NAMES, "MTQ601", reference=("copy1.txt",))
    assert [(f.path, f.text, f.suggestions) for f in found] == [("copy2.txt", "Irina", ("Iryna",))]
    found = findings_for(NAMES, "MTQ601", reference=("copy2.txt",))
    assert [(f.path, f.text, f.suggestions) for f in found] == [("copy1.txt", "Iryna", ("Irina",))]


NUMBERS = [
    "Lubrani said a total of 127 people arrived in Zaporizhzhia on Tuesday after the convoy left Mariupol.",
    "Lubrani said a total of 172 people arrived in Zaporizhzhia on Tuesday after the convoy left Mariupol.",
]


def test_two_copies_disagreeing_on_a_number_are_both_reported_without_a_guess():
    found = findings_for(NUMBERS, "MTQ602")
    assert sorted((f.path, f.text, f.suggestions) for f in found) == [("copy1.txt", "127", ()), ("copy2.txt", "172", ())]


def test_a_single_document_gets_no_cross_copy_finding():
    assert not [f for f in run([Document("a.txt", NUMBERS[0])], Config(use_lm=False)).findings
                if f.code.startswith("MTQ6")]


def _write(tmp_path: Path, texts: list[str]) -> list[str]:
    paths = []
    for i, t in enumerate(texts, 1):
        p = tmp_path / f"copy{i}.txt"
        p.write_text(t, encoding="utf-8")
        paths.append(str(p))
    return paths


def test_jsonl_keeps_its_12_keys_and_jsonl_evidence_adds_the_other_copies(tmp_path):
    paths = _write(tmp_path, NUMBERS + [NUMBERS[0].replace("left", "had left")])
    r = CliRunner().invoke(cli, ["check", *paths, "--no-lm", "--select", "MTQ602", "--format", "jsonl"])
    plain = [json.loads(line) for line in r.output.splitlines()]
    assert [len(rec) for rec in plain] == [12]
    r = CliRunner().invoke(cli, ["check", *paths, "--no-lm", "--select", "MTQ602", "--format", "jsonl-evidence"])
    (rec,) = [json.loads(line) for line in r.output.splitlines()]
    assert {k: rec[k] for k in plain[0]} == plain[0]
    assert rec["text"] == "172" and rec["suggestion"] == "127"
    assert sorted(c["path"] for c in rec["evidence"]["copies"]) == [paths[0], paths[2]]
    assert all("127 people" in c["sentence"] for c in rec["evidence"]["copies"])


def test_reference_option_makes_the_original_decide(tmp_path):
    paths = _write(tmp_path, NUMBERS)
    r = CliRunner().invoke(cli, ["check", *paths, "--no-lm", "--select", "MTQ602", "--format", "jsonl",
                                 "--reference", paths[1]])
    recs = [json.loads(line) for line in r.output.splitlines()]
    assert [(Path(x["path"]).name, x["text"], x["suggestion"]) for x in recs] == [("copy1.txt", "127", "172")]


def test_html_report_shows_the_other_copies_side_by_side(tmp_path):
    paths = _write(tmp_path, NUMBERS + [NUMBERS[0].replace("left", "had left")])
    r = CliRunner().invoke(cli, ["check", *paths, "--no-lm", "--select", "MTQ602", "--format", "html"])
    from lxml import html as lxml_html

    page = lxml_html.fromstring(r.output)
    (table,) = page.xpath("//table[@class='copies']")
    heads = [th.text_content() for th in table.xpath(".//th")]
    cells = [td.text_content() for td in table.xpath(".//td")]
    assert heads == ["this copy", paths[0], paths[2]]
    assert "172 people" in cells[0] and "127 people" in cells[1] and "127 people" in cells[2]


WORDING = [
    "Hundreds of civilians remained in the plant, and it was unclear whether a new evacuation would take place.",
    "Hundreds of civilians remained in the plant and it was unclear whether a new evacuation would take place.",
    "Hundreds of civilians remained in the plant, and it was unclear whether a new eviction would take place.",
    "Hundreds of civilians remained inside the plant, and it was unclear whether a new evacuation would take place.",
]


@pytest.mark.skipif(os.environ.get("MTQA_SKIP_MODEL_TESTS") == "1", reason="MTQA_SKIP_MODEL_TESTS=1")
def test_the_scorer_keeps_a_wording_the_model_agrees_with(lm):
    from mtqa.scoring.scorer import Scorer

    config = Config(select=("MTQ603",))
    docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(WORDING, 1)]
    found = run(docs, config, lm=lm, scorer=Scorer(lm, config)).findings
    assert [(f.path, f.text, f.suggestion) for f in found] == [("copy3.txt", "eviction", "evacuation")]
    assert found[0].score is not None and found[0].evidence["margin"] > 0


@pytest.mark.parametrize("a,b,same", [
    ("1,5 million", "1.5 million", True),
    ("1.5 million", "1,500,000", True),
    ("140 miles", "230 kilometres", True),
    ("140 miles", "300 kilometres", False),
    ("101 people", "100 people", False),
    ("2.3 billion", "2.3 million", False),
    ("5 lakh", "500,000", True),
    ("1.2 billion", "1,200 million", True),
    ("three thousand", "3,000", True),
    ("three thousand", "300", False),
    ("twenty-five", "25", True),
    ("USD 375m", "375 million", True),
    ("$375m", "375,000", False),
    ("12,000 hectares", "120 square kilometres", True),
    ("12,000 hectares", "12,000 acres", False),
    ("100 km", "101 km", False),
    ("44 degrees Celsius", "111 degrees Fahrenheit", True),
    ("44 degrees", "111 degrees Fahrenheit", True),
    ("5 per cent", "5%", True),
    ("9 am", "9:00", True),
    ("2 pm", "14:00", True),
    ("9 am", "9 pm", False),
])
def test_amounts_compare_once_normalised(a, b, same):
    from mtqa.detectors.divergence import _same, quantities

    (qa,), (qb,) = quantities(a), quantities(b)
    assert _same(qa, qb) is same


@pytest.mark.parametrize("text", ["one of the 90 deputies", "a risk of tsunami", "no one was hurt", "375m of road"])
def test_articles_pronouns_and_metres_are_no_amounts_of_money(text):
    from mtqa.detectors.divergence import quantities

    assert all(q.dim in (None, "length") and text[q.start:q.end] not in ("one", "a") for q in quantities(text))
    assert [text[q.start:q.end] for q in quantities(text) if q.dim == "length"] == (["375m"] if "375m" in text else [])


STORY_DIR = Path(__file__).parent / "fixtures" / "cross_copy_story"


def test_a_story_in_three_translations_and_its_original():
    """copy_ar changed a number and dropped a sentence, copy_es spelled a name otherwise and
    dropped a negation, copy_tr added a line; original.txt is declared the reference."""
    r = CliRunner().invoke(cli, ["check", str(STORY_DIR), "--no-lm", "--select", "MTQ6", "--format", "jsonl",
                                 "--reference", str(STORY_DIR / "original.txt")])
    got = [(Path(x["path"]).name, x["code"], x["text"], x["suggestion"]) for x in map(json.loads, r.output.splitlines())]
    assert got == [
        ("copy_ar.txt", "MTQ602", "64", "46"),
        ("copy_ar.txt", "MTQ606", "", None),
        ("copy_es.txt", "MTQ601", "Irina", "Iryna"),
        ("copy_es.txt", "MTQ604", "decided", "decided not"),
        ("copy_tr.txt", "MTQ605", "Click here to read more.", None),
    ]


@pytest.mark.parametrize("code", ["MTQ601", "MTQ602", "MTQ603", "MTQ604", "MTQ605", "MTQ606", "MTQ607"])
def test_each_cross_copy_rule_is_documented(code):
    from mtqa.registry import documentation

    doc = documentation(code)
    for heading in ("What it does:", "Why is this bad:", "Example:"):
        assert heading in doc


UNSUPPORTED = [
    "The bank's buying price was 3,193 dong, down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, which was down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 dong from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 guilders from the previous trading day.",
    "The bank's buying price was 3,193 dong, down 1 dong from the prior trading day.",
]


@pytest.mark.model
def test_an_unsupported_word_is_reported_only_where_the_model_finds_it_unlikely(lm):
    """"guilders" and "prior" are both words no other copy carries; the model finds only the first
    out of place, and the decision comes from the exact pass."""
    from mtqa.detectors.support import candidates
    from mtqa.scoring.scorer import Scorer

    config = Config(select=("MTQ607",))
    docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(UNSUPPORTED, 1)]
    assert {c.token.text for c in candidates(docs, Context(config=config))} == {"guilders", "prior"}
    found = run(docs, config, lm=lm, scorer=Scorer(lm, config)).findings
    assert [(f.path, f.text, f.suggestion) for f in found] == [("copy5.txt", "guilders", "dong")]
    f = found[0]
    assert f.text == docs[4].text[f.start:f.end] and f.evidence["support"] == 0 and f.evidence["others"] == 5


def test_a_sentence_worded_more_freely_than_the_others_word_it_is_not_judged(monkeypatch):
    """The same "guilders", once in a copy that follows the others' wording and once in one that
    rewords the whole sentence (chrF 65 against the others, which are at 95 with each other):
    only the first is a candidate, and without the gate the second would be too."""
    from mtqa.detectors import support

    fixtures = Path(__file__).parent / "fixtures" / "MTQ607"
    others = [Document(p.name, p.read_text(encoding="utf-8")) for p in sorted(fixtures.glob("copy_[abc].txt"))]
    close = Document("close.txt", (fixtures / "copy_d.txt").read_text(encoding="utf-8"))
    free = Document("free.txt", "Yuan steady against the dong\n\nRespectively, the yuan's buying and selling "
                    "prices at the bank were 3,193 dong and 3,326 dong, which is 1 guilders and 2 dong lower than "
                    "on the trading day before. Traders expect the rate to hold this week.\n")
    ctx = lambda: Context(config=Config(select=("MTQ607",)))  # noqa: E731
    [c] = support.candidates(others + [close], ctx())
    assert c.token.text == "guilders" and c.closeness[0] >= support.MIN_CHRF_RATIO * c.closeness[1]
    assert support.candidates(others + [free], ctx()) == []
    monkeypatch.setattr(support, "MIN_CHRF_RATIO", 0.0)
    assert "guilders" in {c.token.text for c in support.candidates(others + [free], ctx())}


def test_an_unsupported_words_log_probability_is_the_sum_of_the_tokens_it_starts():
    import numpy as np

    from mtqa.detectors.support import stem, word_logprob
    from mtqa.scoring.lm import TokenScores
    from mtqa.stories import tokens

    doc = Document("d.txt", "Intro. It fell 1 guilders today.")
    s, e = 7, len(doc.text)
    text = " " + doc.text[s:e]  # a request's text: the sentence after a space, as after context
    # tokens: " It", " fell", " 1", " gu", "ilders", " today", "."
    bounds = [(0, 3), (3, 8), (8, 10), (10, 13), (13, 19), (19, 25), (25, 26)]
    scores = TokenScores(text, np.array([a for a, _ in bounds]), np.array([b for _, b in bounds]),
                         np.array([-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0], np.float32),
                         np.zeros(len(bounds), np.float32))
    guilders = next(t for t in tokens(doc.text, s, e) if t.text == "guilders")
    assert doc.text[guilders.start:guilders.end] == "guilders"
    assert word_logprob(scores, doc, s, e, guilders) == -9.0
    assert stem("Renovations") == stem("renovated") == "renov" and stem("Iran's") == "iran"


RATES = [
    "The State Bank of Vietnam set the central exchange rate at 23,145 dong per dollar on Monday. "
    "The buying price at Vietcombank was 23,050 dong, down 5 dong from the previous trading day, and the selling price "
    "was 23,260 dong. Commercial banks kept their rates unchanged during the morning session.",
    "The State Bank of Vietnam fixed the central rate at 23,145 dong per US dollar on Monday. At Vietcombank the buying "
    "price stood at 23,050 dong, 5 dong lower than the previous session, while the selling price was 23,260 dong. "
    "Commercial banks left rates unchanged in the morning.",
    "The State Bank of Vietnam set the central exchange rate at 23,145 dong per dollar on Monday. "
    "The buying price at Vietcombank was 23,050 Vietnamese guilders, down 5 Vietnamese guilders from the previous "
    "trading day, and the selling price was 23,260 Vietnamese guilders. Commercial banks kept their rates unchanged "
    "during the morning session.",
]


def test_a_recurring_error_word_does_not_keep_a_sentence_from_its_counterparts():
    from mtqa.stories import CLOSE

    docs = [Document(f"c{i}.txt", t) for i, t in enumerate(RATES)]
    (story,) = stories(docs, Context(Config(use_lm=False)))
    cps = story.counterparts(story.copies[2], 1)
    assert sorted((cp.copy.path, cp.sentence) for cp in cps) == [("c0.txt", 1), ("c1.txt", 1)]
    assert all(cp.similarity >= CLOSE for cp in cps)


SPLIT = [
    "A magnitude 6.8 earthquake struck southern Peru on Saturday, killing at least 14 people and injuring 230, the "
    "civil defence agency said. The epicentre was 225 kilometres south-east of Arequipa. Officials said there was no "
    "risk of a tsunami.",
    "A magnitude 6.8 earthquake hit southern Peru on Saturday. According to the civil protection authority, at least "
    "41 people were killed and 230 injured. The epicentre lay 225 km south-east of Arequipa. According to officials, "
    "there was no risk of a tsunami.",
]


def test_half_of_a_split_sentence_is_part_of_the_whole_and_its_numbers_are_compared():
    docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(SPLIT, 1)]
    (story,) = stories(docs, Context(Config(use_lm=False, reference=("copy1.txt",))))
    assert [(cp.copy.path, cp.sentence) for cp in story.parts(story.copies[1], 1)] == [("copy1.txt", 0)]
    assert story.counterparts(story.copies[1], 1) == []
    found = findings_for(SPLIT, "MTQ602", reference=("copy1.txt",))
    assert [(f.path, f.text, f.suggestions) for f in found] == [("copy2.txt", "41", ("14",))]
    assert not findings_for(SPLIT, "MTQ605", reference=("copy1.txt",))


def test_a_wording_finding_states_its_calibrated_margin_for_the_scorer():
    from mtqa.calibration_file import load as load_calibration
    from mtqa.detectors.base import Context
    from mtqa.detectors.divergence import WORDING_SECTION, cross_copy_wording

    docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(WORDING, 1)]
    (f,) = cross_copy_wording(docs, Context(config=Config()))  # detected, not scored
    sec = load_calibration()[WORDING_SECTION]
    assert (f.evidence["min_margin"], f.evidence["sure_margin"]) == (sec["min_margin"], sec["sure_margin"])
    assert 0 < sec["min_margin"] < sec["sure_margin"] and "prior_log_odds" not in f.evidence


_WORDS = ["not", "No", "never", "don't", "can’t", "won't", "isn't", "failed", "unable", "to", "nothing", "snot",
          "non-profit", "no-one", "know", "note", "NOT", "cannot", "without", "1", "n't", "tonight", "é"]


@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(["", " ", "-", "'", ".", "1", "’"])),
                max_size=8).map(lambda parts: "".join(w + sep for w, sep in parts)))
def test_a_sentence_without_the_negation_hint_has_no_negation(text):
    # the hint only lets MTQ604 skip tokenising a sentence; it must never miss a negation
    from mtqa.detectors.divergence import _NEGATION_HINT, _negations
    from mtqa.stories import tokens

    if _negations(tokens(text, 0, len(text))):
        assert _NEGATION_HINT.search(text)


def test_a_time_that_is_no_time_of_day_is_not_compared():
    # "13 pm" has no reading; before, it reached the comparison and stopped the whole run
    from mtqa.detectors.divergence import quantities

    assert quantities("The meeting ends at 13 pm.") == []
    copies = ["The meeting ended at 13 pm on Monday, the ministry said in a statement.",
              "The meeting ended at 13 pm on Monday, the ministry said in a statement.",
              "The meeting ended at 1 pm on Monday, the ministry said in a statement."]
    assert findings_for(copies, "MTQ602") == []


def test_a_name_reported_with_a_spelling_is_not_reported_again_without_one():
    # MTQ601 (the other copies' spelling) and MTQ607 (a word they do not carry) on the same span:
    # the reader gets the finding that can be applied; a lone finding without a fix stays
    from mtqa.detectors.base import make_finding
    from mtqa.pipeline import _dedupe

    doc = Document("c.txt", "Governor Fatikh Karahan said the bank would act.")
    s = doc.text.index("Fatikh")
    named = make_finding(doc, "MTQ601", s, s + 6, "spelled 'Fatih' elsewhere", suggestions=("Fatih",))
    unsupported = make_finding(doc, "MTQ607", s, s + 6, "no other copy has it")
    other = make_finding(doc, "MTQ607", s + 7, s + 14, "no other copy has it")
    assert [f.code for f in _dedupe([unsupported, named, other])] == ["MTQ601", "MTQ607"]
    assert _dedupe([unsupported]) == [unsupported]


def test_a_word_written_without_its_diacritics_is_carried_by_the_copies_that_have_them():
    # MTQ607 looks a word up in the other copies by its stem; "Klodzko" is the others' "Kłodzko"
    from mtqa.detectors.support import stem

    assert stem("Klodzko") == stem("Kłodzko")
    assert stem("Timişoara") == stem("Timișoara")
    assert stem("Klodzko") != stem("Kladno")
