"""Readers of the external MQM / WMT23 data: on tiny synthetic files, and on the real data when present."""

import pytest

from mtqa.evaluation import datasets
from mtqa.evaluation.datasets import (
    _untag, map_mqm_category, read_google_mqm, read_wmt23, sample_groups, targeted_categories,
)

HEADER = "system\tdoc\tdoc_id\tseg_id\trater\tsource\ttarget\tcategory\tseverity\n"


def test_untag():
    assert _untag("a <v>bad</v> day") == ("a bad day", 2, 5)
    assert _untag("<v></v>x") == ("x", 0, 0)
    assert _untag("no tag") == ("no tag", None, None)


@pytest.mark.parametrize("mqm,mtqa", [
    ("Accuracy/Mistranslation", "confusion"),
    ("Non-translation!", "untranslated"),
    ("Non_translation", "untranslated"),
    ("Accuracy/Source language fragment", "untranslated"),
    ("Fluency/Inconsistency", "name-variant"),
    ("Locale_convention/Name", "name-variant"),
    ("Locale convention/Currency format", "locale-convention"),
    ("Fluency/Punctuation", "punctuation"),
    ("Fluency/Spelling", "spelling"),
    ("Fluency/Character encoding", "markup-leak"),
    ("Style/Unnatural or awkward", "fluency"),
    ("Accuracy/Omission (Translation 2)", "omission"),
    ("Source issue", None),
    ("no-error", None),
    ("Found", None),
])
def test_category_mapping(mqm, mtqa):
    assert map_mqm_category(mqm) == mtqa


def test_targeted_categories():
    assert targeted_categories({"glued-word", "punctuation"}) == {"spelling", "punctuation"}
    assert targeted_categories({"boilerplate-leak"}) == set()


def test_sampling_is_deterministic_and_nested():
    groups = [str(i) for i in range(100)]
    assert sample_groups(groups, 10) == sample_groups(reversed(groups), 10)
    assert sample_groups(groups, 10) < sample_groups(groups, 20)
    assert sample_groups(groups, None) == set(groups)


def test_google_mqm_reader(tmp_path):
    rows = [
        # system S, segment 1: rater r1 annotated the canonical text; r2 a post-edit trace
        ("S", "1", "r1", "src", "The <v>cat</v> sat.", "Accuracy/Mistranslation", "Major"),
        ("S", "1", "r1", "src", "The cat <v>sat</v>.", "Fluency/Grammar", "Neutral"),
        ("S", "1", "r2", "src", "The cat sat.The <v>cat</v> sat.", "Fluency/Grammar", "Minor"),
        ("S", "1", "r3", "src", "The cat sat.", "no-error", "no-error"),
        # segment 2: a source-side omission only (no English span, still a major error)
        ("S", "2", "r1", "<v>src</v>", "Dogs run.", "Accuracy/Omission", "Major"),
        ("S", "2", "r1", "src", "Dogs <v>run</v>.", "Found", "HOTW-test"),
        ("S", "3", "r1", "src", "你好 world", "Non-translation!", "Major"),
    ]
    p = tmp_path / "m.tsv"
    p.write_text(HEADER + "".join(f"{s}\td\t1\t{seg}\t{r}\t{src}\t{tgt}\t{c}\t{sev}\n"
                                  for s, seg, r, src, tgt, c, sev in rows), encoding="utf-8")
    segs = {s.key: s for s in read_google_mqm(p, None, name="t", group_cols=("seg_id",), seg_col="seg_id")}
    one = segs["t/S/1"]
    assert one.text == "The cat sat."
    assert one.raters == ["r1", "r3"]  # r2's annotation of another text is dropped
    assert [(g.start, g.end, g.category, g.severity) for g in one.spans[0]] == [(4, 7, "confusion", "major")]
    assert one.spans[1] == [] and one.major == [True, False] and one.has_major  # 1 of 2: half counts
    two = segs["t/S/2"]
    assert two.spans == [[]] and two.major == [True]
    three = segs["t/S/3"]
    assert [(g.start, g.end, g.category) for g in three.spans[0]] == [(0, 8, "untranslated")]


def test_wmt23_reader_uses_csv_quoting_and_drops_injected(tmp_path):
    base = tmp_path / "wmt23_qe_spans" / "gold_labels"
    base.mkdir(parents=True)
    (base / "hallucinations_idx.tsv").write_text("lp\tsid\nzh-en\t2\n", encoding="utf-8")
    (base / "hallucinations_gold_T2_header.tsv").write_text(
        "lp\tgold\tsid\tmt\tstart_id\tend_id\terror\n"
        'zh-en\tgold\t0\t"He said ""no"" twice."\t8\t12\tmajor\n'
        "zh-en\tgold\t1\tAll fine.\t-1\t-1\tno-error\n"
        "zh-en\tgold\t2\tInjected nonsense.\t0\t8\tno-error\n"
        "zh-en\tgold\t3\tTwo errs here\t0 9 13\t3 13 13\tminor major major\n", encoding="utf-8")
    segs = read_wmt23("zh-en", None, data_dir=tmp_path)
    assert [s.group for s in segs] == ["0", "1", "3"]
    assert segs[0].text == 'He said "no" twice.' and segs[0].spans[0][0].text == '"no"'
    assert segs[1].spans == [[]] and not segs[1].has_major
    assert [(g.start, g.end) for g in segs[2].spans[0]] == [(0, 3), (9, 13), (13, 13)]


needs_data = pytest.mark.skipif(not datasets.DATA_DIR.is_dir(), reason="../shared/data is not beside this checkout")


@needs_data
def test_real_newstest2020_keeps_the_documented_rater_annotations():
    segs = datasets.BENCHMARKS["newstest2020-zhen"]["read"](None)
    assert sum(len(s.raters) for s in segs) == 48_511  # SOURCES.md: 48,511 of 60,000 pass
    assert all(g.end <= len(s.text) for s in segs for sp in s.spans for g in sp)


@needs_data
def test_real_wmt23_counts():
    assert len(read_wmt23("zh-en", None)) == 1677 - 13
    assert len(read_wmt23("he-en", None)) == 1182 - 48
    for s in read_wmt23("he-en", None):
        for g in s.spans[0]:
            assert 0 <= g.start <= g.end <= len(s.text)
