"""Review decisions -> measured precision, per lexicon entry and per detector code.

Reads decision logs written by `mtqa review` (<out>/decisions.jsonl, or the copy exported beside
the corrected files), takes each finding's decision in force (undos replayed), and counts:

- a finding accepted (any alternative) or edited (the reviewer typed a correction) was a real
  problem: a true positive;
- a rejected finding was a false alarm.

p = (accepted + edited) / n. Each lexicon entry that produced findings (the entry id the detector
records in the finding's evidence: corpora/confusions/*.toml for MTQ201, boilerplate.toml and
metadata.toml for MTQ311/MTQ312) gets `review = {p, n, data, date}` written into its [[entry]]
table, so a weak entry shows where it is edited (as LanguageTool records p and r per confusion
pair). The key is `review`, apart from the `measured` tables written from injected data. Per code,
the same figures go to corpora/review_precision.toml. A finding decided in several logs counts
once (the last log given wins). The data files are rewritten with tomlkit, which keeps their
comments and layout, and atomically.

    python scripts/decisions_to_precision.py mtqa-review/decisions.jsonl [more logs] [--dry-run]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date as dt_date
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mtqa.config import CORPORA_DIR  # noqa: E402
from mtqa.output import write_text_atomic  # noqa: E402
from mtqa.review.decisions import read_events, replay  # noqa: E402

CODE_TABLE = "review_precision.toml"


@dataclass
class Count:
    n: int = 0
    real: int = 0  # accepted or edited

    def add(self, real: bool) -> None:
        self.n += 1
        self.real += real

    @property
    def p(self) -> float:
        return round(self.real / self.n, 3) if self.n else 0.0


def decisions_from(logs: list[Path]) -> dict[str, dict]:
    """The decision in force per finding key, over all logs (a later log wins), as its log event."""
    out: dict[str, dict] = {}
    for log in logs:
        decisions, _ = replay(read_events(log))
        for key, d in decisions.items():
            out[key] = d.event
    return out


def count(decisions: dict[str, dict]) -> tuple[dict[str, Count], dict[tuple[str, str], Count]]:
    by_code: dict[str, Count] = defaultdict(Count)
    by_entry: dict[tuple[str, str], Count] = defaultdict(Count)
    for ev in decisions.values():
        real = ev["action"] in ("accept", "edit")
        code = ev.get("code")
        if not isinstance(code, str):
            continue
        by_code[code].add(real)
        if isinstance(ev.get("entry"), str):
            by_entry[(code, ev["entry"])].add(real)
    return dict(by_code), dict(by_entry)


def _measure(c: Count, data: str, day: str):
    import tomlkit

    t = tomlkit.inline_table()
    t.update({"p": c.p, "n": c.n, "data": data, "date": day})
    return t


def write_entries(by_entry: dict[tuple[str, str], Count], data: str, day: str, corpora_dir: Path,
                  dry_run: bool = False) -> tuple[list[Path], list[tuple[str, str]]]:
    """Set `review` on every entry measured; (files changed, (code, entry) pairs found nowhere)."""
    import tomlkit

    left = dict(by_entry)
    changed = []
    for path in sorted(corpora_dir.rglob("*.toml")):
        text = path.read_text(encoding="utf-8")
        doc = tomlkit.parse(text)
        code = doc.get("code")
        if not isinstance(code, str):
            continue
        touched = False
        for entry in doc.get("entry", []):
            c = left.pop((code, str(entry.get("id"))), None)
            if c is not None:
                entry["review"] = _measure(c, data, day)
                touched = True
        if touched:
            changed.append(path)
            if not dry_run:
                write_text_atomic(path, tomlkit.dumps(doc))
    return changed, sorted(left)


def write_code_table(by_code: dict[str, Count], data: str, day: str, path: Path) -> None:
    """corpora/review_precision.toml: one table per code; codes not in this run keep their figures."""
    import tomlkit

    if path.exists():
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    else:
        doc = tomlkit.document()
        doc.add(tomlkit.comment("Precision of each detector code in review decisions: p = (accepted + edited) / n."))
        doc.add(tomlkit.comment("Written by scripts/decisions_to_precision.py; per-entry figures are the `review`"))
        doc.add(tomlkit.comment("field of the entries in the lexicons (corpora/confusions/*.toml, boilerplate.toml, ...)."))
    codes = doc.setdefault("codes", tomlkit.table())  # not "code": that marks a rule data file
    for code in sorted(by_code):
        c = by_code[code]
        t = tomlkit.table()
        t.update({"p": c.p, "n": c.n, "real": c.real, "data": data, "date": day})
        codes[code] = t
    write_text_atomic(path, tomlkit.dumps(doc))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("logs", nargs="+", type=Path, help="decision logs (JSONL) from mtqa review")
    ap.add_argument("--data", default=None, help="what the logs are, recorded with each figure (default: their names)")
    ap.add_argument("--date", default=None, help="date recorded (default: today, UTC)")
    ap.add_argument("--corpora", type=Path, default=CORPORA_DIR, help="the corpora folder to write into")
    ap.add_argument("--dry-run", action="store_true", help="print the figures, write nothing")
    args = ap.parse_args(argv)

    for log in args.logs:
        if not log.is_file():
            print(f"decisions_to_precision: {log}: no such file", file=sys.stderr)
            return 2
    day = args.date or datetime.now(timezone.utc).date().isoformat()
    dt_date.fromisoformat(day)
    data = args.data or "review:" + ",".join(str(p) for p in args.logs)
    by_code, by_entry = count(decisions_from(args.logs))
    if not by_code:
        print("decisions_to_precision: no decisions in these logs", file=sys.stderr)
        return 1

    print(f"{'code':8} {'entry':32} {'n':>5} {'p':>6}")
    for code in sorted(by_code):
        print(f"{code:8} {'(all)':32} {by_code[code].n:5d} {by_code[code].p:6.3f}")
        for (c, entry), cnt in sorted(by_entry.items()):
            if c == code:
                print(f"{'':8} {entry:32} {cnt.n:5d} {cnt.p:6.3f}")
    changed, missing = write_entries(by_entry, data, day, args.corpora, dry_run=args.dry_run)
    for code, entry in missing:
        print(f"decisions_to_precision: {code} entry {entry!r} is in no data file (renamed or removed?)",
              file=sys.stderr)
    if args.dry_run:
        print(f"dry run: would update {len(changed)} data file(s) and {args.corpora / CODE_TABLE}")
        return 0
    write_code_table(by_code, data, day, args.corpora / CODE_TABLE)
    for path in changed:
        print(f"updated {path}")
    print(f"updated {args.corpora / CODE_TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
