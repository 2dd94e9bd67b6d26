"""Readers for the external evaluation data in ../shared/data, read in place, never copied.

Each reader returns :class:`Segment` objects: one English MT output with its expert annotations
(one list of gold spans per rater) and, per rater, whether the rater marked a major error
anywhere (source-side omissions and whole-segment non-translations included). See
../shared/data/SOURCES.md for the formats and their pitfalls; the choices made here:

- Google MQM TSVs are read with ``csv`` and ``QUOTE_NONE``; the span is the ``<v>…</v>`` in
  ``target``, its offsets taken in the untagged text. Rows with the span in ``source`` give no
  English span but count towards "has a major error". ``Neutral`` rows and ``Source issue`` /
  ``Source_error`` rows are not translation errors and are dropped; so are ``HOTW-test``
  attention checks in the side-by-side 2023 file.
- newstest2020 post-edit traces: per (system, segment) the canonical text is that of a
  ``no-error`` row, else the most frequent untagged target, and a rater's annotation is kept
  only if every one of its rows has exactly that text.
- WMT23 QE span gold is read with standard CSV quoting, offsets are into its own ``mt`` field,
  and the synthetic hallucinations listed in ``hallucinations_idx.tsv`` are excluded. WMT23
  spans carry no category (``unlabelled``). One zh-en span (sid 1450) ends past its text and is
  clipped to it.
- Sampling is deterministic: source segments are ranked by the SHA-1 of their id and the first
  ``limit`` are kept, with every system's output of each.
"""

from __future__ import annotations

import csv
import hashlib
import lzma
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mtqa.config import PROJECT_ROOT
from mtqa.evaluation.gold import GoldSpan

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"
csv.field_size_limit(1 << 30)


@dataclass
class Segment:
    """One MT output and its annotations. ``key`` names it (and its Document) uniquely."""

    key: str
    group: str  # the source segment: all systems' outputs of one source share it
    system: str
    text: str
    raters: list[str] = field(default_factory=list)
    spans: list[list[GoldSpan]] = field(default_factory=list)  # per rater
    major: list[bool] = field(default_factory=list)  # per rater: marked a major error anywhere

    @property
    def has_major(self) -> bool:
        """At least half of the raters marked a major error."""
        return bool(self.major) and 2 * sum(self.major) >= len(self.major)


# ---- MQM category to mtqa category ---------------------------------------------------------

def map_mqm_category(category: str) -> str | None:
    """A coarse mtqa category for an MQM category; None for rows that are no translation error.

    Categories outside mtqa's list (``spelling``, ``omission``, ``addition``, ``other``) keep a
    name of their own so that results can be broken down by them.
    """
    c = category.strip().lower().replace("_", " ")
    if c in ("no-error", "no error") or c.startswith("source issue") or c.startswith("source error"):
        return None
    if c in ("found", "missed"):  # HOTW attention checks
        return None
    if c.startswith("non-translation") or c.startswith("non translation") or "untranslated" in c \
            or "source language fragment" in c:
        return "untranslated"
    if "mistranslation" in c or c.startswith("terminology/inappropriate"):
        return "confusion"
    if "inconsisten" in c or c.startswith("locale convention/name"):
        return "name-variant"
    if c.startswith("locale convention"):
        return "locale-convention"
    if "punctuation" in c:
        return "punctuation"
    if "spelling" in c:
        return "spelling"
    if "character encoding" in c or "display" in c or "text-breaking" in c:
        return "markup-leak"
    if "omission" in c:
        return "omission"
    if "addition" in c:
        return "addition"
    if c.startswith("fluency/") or c.startswith("style/"):
        return "fluency"
    return "other"


# Which mapped gold categories each mtqa finding category can plausibly find. A gold category is
# "targeted" when some active detector's category covers it.
COVERS: dict[str, tuple[str, ...]] = {
    "script-intrusion": ("untranslated", "punctuation"),  # MTQ105: full-width punctuation
    "untranslated": ("untranslated",),
    "confusion": ("confusion",),
    "markup-leak": ("markup-leak",),
    "boilerplate-leak": (),
    "metadata-leak": (),
    "locale-convention": ("locale-convention", "punctuation"),
    "glued-word": ("spelling",),
    "punctuation": ("punctuation",),
    "name-variant": ("name-variant",),
    "house-style": ("name-variant", "spelling"),
    "fluency": ("fluency",),
    "cross-copy": ("name-variant", "confusion"),  # MTQ602 numbers and MTQ604 polarity are mistranslations
}


def targeted_categories(finding_categories) -> set[str]:
    return {g for c in finding_categories for g in COVERS.get(c, ())}


def _severity(sev: str) -> str | None:
    s = sev.strip().lower()
    return s if s in ("minor", "major", "critical") else None


# ---- sampling ------------------------------------------------------------------------------

def sample_groups(groups, limit: int | None) -> set:
    """The first ``limit`` groups ranked by SHA-1 of their id (all of them when limit is None)."""
    ranked = sorted(set(groups), key=lambda g: hashlib.sha1(str(g).encode()).hexdigest())
    return set(ranked if limit is None else ranked[:limit])


# ---- Google MQM TSVs -----------------------------------------------------------------------

def _untag(tagged: str) -> tuple[str, int | None, int | None]:
    """Text without <v></v>, and the span's offsets in it (None when there is no complete tag)."""
    a = tagged.find("<v>")
    b = tagged.find("</v>")
    text = tagged.replace("<v>", "").replace("</v>", "")
    if a < 0 or b < 0 or b < a:
        return text, None, None
    return text, a, b - 3


def read_google_mqm(path: Path, limit: int | None, *, name: str, group_cols: tuple[str, ...],
                    seg_col: str, drop_severity: tuple[str, ...] = ("HOTW-test",)) -> list[Segment]:
    """Segments from a Google MQM TSV (newstest2020/2021 layout, or the 2023 side-by-side one)."""
    opener: Callable = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        col = {h: i for i, h in enumerate(header)}
        rows = [r for r in reader if len(r) >= len(col) - 1]
    keep_groups = sample_groups((tuple(r[col[c]] for c in group_cols) for r in rows), limit)
    by_output: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for r in rows:
        if tuple(r[col[c]] for c in group_cols) not in keep_groups:
            continue
        if r[col["severity"]] in drop_severity:
            continue
        by_output[(r[col["system"]], r[col[seg_col]])].append(r)

    segments = []
    for (system, seg), out_rows in sorted(by_output.items()):
        untagged = [_untag(r[col["target"]])[0] for r in out_rows]
        clean = [t for r, t in zip(out_rows, untagged) if _severity(r[col["severity"]]) is None
                 and r[col["category"]].lower().replace("_", "-") in ("no-error",)]
        canonical = Counter(clean).most_common(1)[0][0] if clean else Counter(untagged).most_common(1)[0][0]
        key = f"{name}/{system}/{seg}"
        segment = Segment(key, f"{name}/{seg}", system, canonical)
        by_rater: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
        for r, t in zip(out_rows, untagged):
            by_rater[r[col["rater"]]].append((r, t))
        for rater, items in sorted(by_rater.items()):
            if any(t != canonical for _, t in items):
                continue  # a post-edit trace: the rater annotated some other text
            spans, major = [], False
            for r, _ in items:
                category = map_mqm_category(r[col["category"]])
                severity = _severity(r[col["severity"]])
                if category is None or severity is None:
                    continue
                major = major or severity in ("major", "critical")
                if category == "untranslated" and "non" in r[col["category"]].lower():
                    spans.append(GoldSpan(key, 0, len(canonical), category, severity, text=canonical))
                    continue
                _, s, e = _untag(r[col["target"]])
                if s is None:  # span on the source side: no English span, still an error
                    continue
                spans.append(GoldSpan(key, s, e, category, severity, text=canonical[s:e]))
            segment.raters.append(rater)
            segment.spans.append(spans)
            segment.major.append(major)
        if segment.raters:
            segments.append(segment)
    return segments


# ---- WMT23 QE span gold --------------------------------------------------------------------

def read_wmt23(lp: str, limit: int | None, data_dir: Path = DATA_DIR) -> list[Segment]:
    base = data_dir / "wmt23_qe_spans" / "gold_labels"
    injected = set()
    with open(base / "hallucinations_idx.tsv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        for row in reader:
            if len(row) >= 2 and row[0] == lp:
                injected.add(row[1])
    with open(base / "hallucinations_gold_T2_header.tsv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader)
        col = {h: i for i, h in enumerate(header)}
        rows = [r for r in reader if r[col["lp"]] == lp and r[col["sid"]] not in injected]
    keep = sample_groups((r[col["sid"]] for r in rows), limit)
    segments = []
    for r in rows:
        sid = r[col["sid"]]
        if sid not in keep:
            continue
        key = f"wmt23-{lp}/{sid}"
        text = r[col["mt"]]
        starts = [int(x) for x in r[col["start_id"]].split()]
        ends = [int(x) for x in r[col["end_id"]].split()]
        sevs = r[col["error"]].split()
        spans, major = [], False
        for s, e, sev in zip(starts, ends, sevs):
            severity = _severity(sev)
            if s < 0 or severity is None:
                continue
            e = min(e, len(text))  # one zh-en row (sid 1450) ends at 1154 in a 179-character text
            major = major or severity == "major"
            spans.append(GoldSpan(key, s, e, "unlabelled", severity, text=text[s:e]))
        segments.append(Segment(key, sid, "wmt23", text, ["gold"], [spans], [major]))
    return sorted(segments, key=lambda s: int(s.group))


# ---- the benchmarks ------------------------------------------------------------------------

MQM = DATA_DIR / "wmt_mqm_zhen"
BENCHMARKS: dict[str, dict] = {
    "newstest2020-zhen": {
        "role": "dev",
        "path": MQM / "qe2022_redistributed/zh-en-train-2020/mqm_newstest2020_zhen.tsv.xz",
        "read": lambda limit: read_google_mqm(
            MQM / "qe2022_redistributed/zh-en-train-2020/mqm_newstest2020_zhen.tsv.xz", limit,
            name="nt2020", group_cols=("seg_id",), seg_col="seg_id"),
    },
    "newstest2021-zhen": {
        "role": "test",
        "path": MQM / "qe2022_redistributed/zh-en-train-2021-news/mqm-newstest2021_zhen.tsv.xz",
        # seg_id is one-to-one with the source text here (650 of each), so it keys the segment
        "read": lambda limit: read_google_mqm(
            MQM / "qe2022_redistributed/zh-en-train-2021-news/mqm-newstest2021_zhen.tsv.xz", limit,
            name="nt2021", group_cols=("seg_id",), seg_col="seg_id"),
    },
    "generalMT2023-zhen": {
        "role": "test",
        "path": MQM / "google/generalMT2023/zhen/sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.xz",
        "read": lambda limit: read_google_mqm(
            MQM / "google/generalMT2023/zhen/sxs_mqm_generalMT2023_zhen.3ratingsPerSegment.tsv.xz", limit,
            name="gmt2023", group_cols=("globalSegId",), seg_col="globalSegId"),
    },
    "wmt23-zhen": {"role": "test", "path": DATA_DIR / "wmt23_qe_spans",
                   "read": lambda limit: read_wmt23("zh-en", limit)},
    "wmt23-heen": {"role": "test", "path": DATA_DIR / "wmt23_qe_spans",
                   "read": lambda limit: read_wmt23("he-en", limit)},
}

CLEAN_NEWS = DATA_DIR / "clean_news_en" / "clean_news_en.jsonl"
