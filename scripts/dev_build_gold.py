#!/usr/bin/env python3
"""Regenerate the development set's texts and gold (corpora/dev/) from its marked sources.

Each file in corpora/dev/marked/ (and corpora/dev/heldout/marked/) is an article with every planted artifact written
``⟦span⟧{family|fix}``: the family (boilerplate, metadata, punctuation, numbers, repetition) and
the English replacement ("" deletes the span). The script strips the marks into
<set>/texts/<name>.txt and writes one gold span per mark to <set>/gold.jsonl, in the project's
gold format (corpora/gold/README.md) with the family in ``note``, for both sets.

    .venv/bin/python scripts/dev_build_gold.py [--check]

--check only verifies that the committed texts and gold are what the marked files give.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtqa.evaluation.gold import GoldSpan, write_gold  # noqa: E402

DEV = ROOT / "corpora" / "dev"
# The finding category each family's artifacts belong to.
FAMILIES = {
    "boilerplate": "boilerplate-leak",
    "metadata": "metadata-leak",
    "punctuation": "punctuation",
    "numbers": "locale-convention",
    "repetition": "repetition",
}
_MARK = regex.compile(r"⟦(.*?)⟧\{(\w+)\|([^{}]*)\}", regex.S)


def unmark(marked: str, doc: str) -> tuple[str, list[GoldSpan]]:
    out, spans, pos = [], [], 0
    length = 0
    for m in _MARK.finditer(marked):
        out.append(marked[pos : m.start()])
        length += m.start() - pos
        span, family, fix = m.group(1), m.group(2), m.group(3)
        if family not in FAMILIES:
            raise SystemExit(f"{doc}: unknown family {family!r}")
        spans.append(GoldSpan(doc, length, length + len(span), FAMILIES[family], "minor", fix, span,
                              f"family: {family}"))
        out.append(span)
        length += len(span)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "⟦" in text or "⟧" in text:
        raise SystemExit(f"{doc}: a mark is malformed")
    return text, spans


SETS = (DEV, DEV / "heldout")


def build(where: Path) -> tuple[dict[str, str], str]:
    texts, spans = {}, []
    for path in sorted((where / "marked").glob("*.txt")):
        text, found = unmark(path.read_text(encoding="utf-8"), path.name)
        texts[path.name] = text
        spans.extend(found)
    buf = io.StringIO()
    write_gold(spans, buf)
    return texts, buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    for where in SETS:
        texts, gold = build(where)
        if args.check:
            stale = [n for n, t in texts.items() if (where / "texts" / n).read_text(encoding="utf-8") != t]
            if (where / "gold.jsonl").read_text(encoding="utf-8") != gold:
                stale.append("gold.jsonl")
            if stale:
                raise SystemExit(f"stale in {where}: " + ", ".join(stale))
            continue
        (where / "texts").mkdir(exist_ok=True)
        for name, text in texts.items():
            (where / "texts" / name).write_text(text, encoding="utf-8")
        (where / "gold.jsonl").write_text(gold, encoding="utf-8")
        print(f"{gold.count(chr(10))} gold spans in {len(texts)} texts -> {where}")


if __name__ == "__main__":
    main()
