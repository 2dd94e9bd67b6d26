"""Stress mtqa's reliability promises from the outside, with real processes, and count failures.

Families (each prints: inputs tried, crashes, hangs, data lost):
- hostile:  hostile inputs (deep JSON/XML/HTML, bad ninjs fields, FIFOs, devices, sockets, symlink
            loops, links out of the tree, UTF-16/32, escapes in names, mutated feeds) checked in
            batches beside a good control file; a crash is an exit code outside 0/1/2, a traceback
            or an error mtqa calls a bug; data lost is a control file missing from the report or an
            input modified.
- kill-o:   `check -o` killed with SIGKILL at random points; data lost is a target that is neither
            the old file nor the complete report; leftover temporary files are counted too.
- kill-fix: `fix --in-place` killed with SIGKILL at random points; data lost is a file that is
            neither the original nor the fully fixed copy.
- cache:    N processes scoring with the language model on one fresh score cache at once (some
            killed with SIGKILL); data lost is a run whose findings differ from a serial run, or a
            cache failing `PRAGMA integrity_check`.
- big:      multi-megabyte hostile shapes (one 2 MB token, one 2 MB line of artifacts, entities,
            CJK without spaces) checked with a time limit; a hang is a run over it.
- disk-full: `-o` and `fix --in-place` onto a tiny tmpfs (when this machine lets us mount one);
            a crash is anything but exit 2 with "cannot write"; data lost is a changed old file.

    python scripts/stress_reliability.py --kills 40 --hostile 300 --procs 4
    python scripts/stress_reliability.py --no-lm   # skip the model-backed cache family

It needs a POSIX system; the cache family needs the bundled model (`mtqa model fetch`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MTQA = [sys.executable, "-c", "from mtqa.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MTQA_THREADS": "1"}
SAMPLES = sorted((ROOT / "corpora" / "samples").glob("*.*"))
COPY = "\n\n".join(p.read_text(encoding="utf-8") for p in SAMPLES)
BAD_COPY = ("The decision was taken on Saturday (23) in the capital, officials said.. Also Read: more\n\n"
            "The Kiev government said the the talks would resume .\n")


class Family:
    def __init__(self, name: str):
        self.name, self.tried, self.crashes, self.hangs, self.lost, self.notes = name, 0, 0, 0, 0, []

    def row(self) -> str:
        extra = f"  ({'; '.join(self.notes)})" if self.notes else ""
        return f"{self.name:<10} {self.tried:>7} {self.crashes:>8} {self.hangs:>6} {self.lost:>10}{extra}"


def run(args: list[str], timeout: float, **kw) -> tuple[int | None, str, str]:
    try:
        p = subprocess.run([*MTQA, *args], capture_output=True, text=True, timeout=timeout, **{"env": ENV, **kw})
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as exc:
        return None, exc.stdout or "", exc.stderr or ""


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def leftovers(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- hostile inputs --------------------------------------------------------------------------

def hostile_inputs(folder: Path, n: int, rnd: random.Random) -> list[Path]:
    made: list[Path] = []

    def put(name: str, data: bytes | str) -> None:
        p = folder / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        made.append(p)

    item = {"headline": "Talks", "body_text": BAD_COPY}
    fixed = {
        "lang-und.json": json.dumps({**item, "language": "und"}), "lang-zz.json": json.dumps({**item, "language": "zz"}),
        "lang-num.json": json.dumps({**item, "language": 7}), "lang-list.json": json.dumps({**item, "language": ["de"]}),
        "body-num.json": json.dumps({"headline": "x", "body_html": 5}),
        "deep.json": '{"a":' + "[" * 100_000 + "]" * 100_000 + "}",
        "deep-items.json": json.dumps({"headline": "x", "body_text": "y"})[:-1] + ',"z":' + "{\"a\":" * 5000 + "1" + "}" * 5001,
        "deep.xml": '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">' + "<span>" * 100_000 + "x"
                    + "</span>" * 100_000 + "</newsMessage>",
        "deep-html.json": json.dumps({"headline": "x", "body_html": "<div>" * 5000 + BAD_COPY + "</div>" * 5000}),
        "deep.rss": '<rss version="2.0"><channel>' + "<x>" * 100_000 + "</x>" * 100_000 + "</channel></rss>",
        "utf16.txt": "\ufeff".encode("utf-16-le") + BAD_COPY.encode("utf-16-le"),
        "utf32.txt": BAD_COPY.encode("utf-32"),
        "esc\x1b[2J\u202e.txt": BAD_COPY, "nul.txt": b"a\x00b" * 100, "latin1.txt": "Café\n".encode("latin-1"),
        "empty.txt": b"", "bom-only.txt": b"\xef\xbb\xbf",
        "billion.xml": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
                       '<rss><channel><item><title>&b;</title></item></channel></rss>',
    }
    for name, data in fixed.items():
        put(name, data)
    os.mkfifo(folder / "fifo.txt")
    made.append(folder / "fifo.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "s.txt"))
    made.append(folder / "s.txt")
    for a, b in (("loop1.txt", "loop2.txt"), ("loop2.txt", "loop1.txt")):
        (folder / a).symlink_to(folder / b)
    made.append(folder / "loop1.txt")
    (folder / "escape.txt").symlink_to("/etc/hostname")
    made += [Path("/dev/zero"), Path("/dev/urandom")]
    templates = [
        ("feed.rss", f'<rss version="2.0"><channel><item><title>T</title><description>{BAD_COPY}</description></item></channel></rss>'),
        ("feed.atom", f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title><content type="html">&lt;p&gt;{BAD_COPY}</content></entry></feed>'),
        ("item.json", json.dumps([{**item, "body_html": "<p>" + BAD_COPY + "</p>"}, item])),
        ("g2.xml", '<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet><newsItem guid="g"><contentMeta>'
                   f'<headline>H</headline></contentMeta><contentSet><inlineXML><html xmlns="http://www.w3.org/1999/xhtml">'
                   f"<body><p>{BAD_COPY}</p></body></html></inlineXML></contentSet></newsItem></itemSet></newsMessage>"),
        ("copy.txt", BAD_COPY),
    ]
    junk = [b"<div>" * 400, b"[" * 3000, b"\xff\xfe", b"\x00", b"]]>", b"&#xD800;", b"<", b'"', b"\xc3", b"\x1b[31m",
            b"\u2028".decode("unicode_escape").encode(), b'{"language":5}', b"<![CDATA["]
    for i in range(max(0, n - len(made))):
        name, text = rnd.choice(templates)
        data = bytearray(text.encode("utf-8"))
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randint(0, len(data))
            op = rnd.randrange(4)
            if op == 0:
                data[at:at] = rnd.choice(junk) * rnd.randint(1, 3)
            elif op == 1:
                del data[at:at + rnd.randint(1, 30)]
            elif op == 2:
                data[at:at] = data[at:at + 20] * rnd.randint(2, 200)
            else:
                del data[at:]
        put(f"m{i:04d}-{name}", bytes(data))
    return made


def family_hostile(n: int, rnd: random.Random, batch: int = 40) -> Family:
    fam = Family("hostile")
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        folder = Path(tmp)
        inputs = hostile_inputs(folder, n, rnd)
        control = folder / "control" / "good.txt"
        control.parent.mkdir()
        control.write_text(BAD_COPY, encoding="utf-8")
        before = {p: digest(p) for p in inputs if p.is_file() and not p.is_symlink() and not str(p).startswith("/dev/")}
        for i in range(0, len(inputs), batch):
            chunk = inputs[i:i + batch]
            rnd.shuffle(chunk)
            args = ["check", "--no-lm", "--format", "jsonl", *map(str, chunk), str(control)]
            code, out, err = run(args, timeout=300, env={**ENV, "MTQA_DEBUG": "1"})
            fam.tried += len(chunk)
            if code is None:
                fam.hangs += 1
                continue
            bugs = err.count("a bug in mtqa") + err.count("internal error")
            if code not in (0, 1, 2) or "Traceback" in err or bugs:
                fam.crashes += max(1, bugs)
                fam.notes.append(err.strip().splitlines()[-1][:160])
            if not any(json.loads(line)["path"] == str(control) for line in out.splitlines() if line.startswith("{")):
                fam.lost += 1
                fam.notes.append("control file missing from the report")
        fam.lost += sum(1 for p, h in before.items() if digest(p) != h)
    return fam


# --- big hostile inputs: a hang is a run over the time limit -------------------------------

def family_big(size: int, limit: float, rnd: random.Random) -> Family:
    fam = Family("big")
    words = ["the", "minister", "said", "Kiev", "(23)", "..", "Also", "Read:", "3,5", "percent", "«x»", "thearea",
             "U.S.", "<div>", "&amp;", "&nbsp;", "{color:red}", "Привет", "日本"]
    shapes = {
        "one-token.txt": "a" * size,
        "one-line.txt": " ".join(rnd.choice(words) for _ in range(size // 6))[:size],
        "entities.txt": "&amp;<b>x</b> " * (size // 14),
        "short-lines.txt": ("x" * 80 + "\n") * (size // 81),
        "no-space-cjk.txt": "日本語の文章" * (size // 18),
    }
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        slow = []
        for name, text in shapes.items():
            p = Path(tmp) / name
            p.write_text(text, encoding="utf-8")
            t = time.monotonic()
            code, out, err = run(["check", "--no-lm", "--format", "jsonl", str(p), "-o", os.devnull], timeout=limit)
            fam.tried += 1
            if code is None:
                fam.hangs += 1
            elif code not in (0, 1, 2) or "Traceback" in err:
                fam.crashes += 1
            slow.append(f"{name} {time.monotonic() - t:.0f} s")
        fam.notes.append(f"{size / 1e6:.1f} MB each, limit {limit:.0f} s: " + ", ".join(slow))
    return fam


# --- SIGKILL during writes ---------------------------------------------------------------------

def kill_at(span: float, rnd: random.Random) -> float:
    # half the kills anywhere in the run, half in its last fifth, where the output is written
    return rnd.uniform(0, span * 1.1) if rnd.random() < 0.5 else rnd.uniform(span * 0.8, span * 1.05)


def _timed(args: list[str]) -> float:
    t = time.monotonic()
    run(args, timeout=300)
    return time.monotonic() - t


def family_kill_output(kills: int, rnd: random.Random) -> Family:
    fam = Family("kill-o")
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        folder = Path(tmp)
        src = folder / "copy.txt"
        src.write_text((BAD_COPY + COPY) * 20, encoding="utf-8")
        target = folder / "report.html"
        args = ["check", "--no-lm", "--format", "html", str(src), "-o", str(target)]
        run(args, timeout=300)
        complete = target.read_bytes()
        span = _timed(args)
        src_hash = digest(src)
        left = 0
        for _ in range(kills):
            target.write_bytes(b"old report\n")
            proc = subprocess.Popen([*MTQA, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(kill_at(span, rnd))
            proc.kill()
            proc.wait()
            fam.tried += 1
            now = target.read_bytes()
            if now not in (b"old report\n", complete):
                fam.lost += 1
            left += leftovers(folder)
            for p in folder.glob(".*.tmp"):
                p.unlink()
        fam.lost += digest(src) != src_hash
        fam.notes.append(f"run takes {span:.1f} s; temporary files left: {left}")
    return fam


def family_kill_fix(kills: int, rnd: random.Random) -> Family:
    fam = Family("kill-fix")
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        folder = Path(tmp)
        original = ((BAD_COPY + COPY) * 20).encode("utf-8")
        work = folder / "copy.txt"
        link = folder / "link.txt"  # through a symlink, as an editor's save-as might leave it
        link.symlink_to(work)
        work.write_bytes(original)
        args = ["fix", "--no-lm", "--in-place", str(link)]
        run(args, timeout=300)
        fixed = work.read_bytes()
        if fixed == original:
            fam.notes.append("nothing to fix: the family proves nothing")
        work.write_bytes(original)
        span = _timed(args)
        left = 0
        for _ in range(kills):
            work.write_bytes(original)
            os.chmod(work, 0o640)
            proc = subprocess.Popen([*MTQA, *args], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(kill_at(span, rnd))
            proc.kill()
            proc.wait()
            fam.tried += 1
            now = work.read_bytes() if work.exists() else b""
            if now not in (original, fixed) or not link.is_symlink() or (work.stat().st_mode & 0o777) != 0o640:
                fam.lost += 1
            left += leftovers(folder)
            for p in folder.glob(".*.tmp"):
                p.unlink()
        fam.notes.append(f"run takes {span:.1f} s; temporary files left: {left}")
    return fam


# --- concurrent processes on one cache -------------------------------------------------------

def family_cache(procs: int, rounds: int, rnd: random.Random) -> Family:
    fam = Family("cache")
    sys.path.insert(0, str(ROOT))
    from mtqa.scoring.manifest import install_record, model_path

    installed = model_path()
    if install_record(installed) is None:
        fam.notes.append(f"skipped: no model installed in {installed} (mtqa model fetch)")
        return fam
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        cache = Path(tmp) / "cache"
        (cache / "models").mkdir(parents=True)
        (cache / "models" / installed.name).symlink_to(installed)  # the weights, shared read-only
        src = Path(tmp) / "copy.txt"
        src.write_text(BAD_COPY + SAMPLES[0].read_text(encoding="utf-8"), encoding="utf-8")
        args = ["check", "--format", "jsonl", "--fail-on", "never", "--cache-dir", str(cache), str(src)]
        code, out, err = run(args, timeout=600)
        if code != 0:
            fam.notes.append(f"serial run failed: {err.strip()[-200:]}")
            fam.crashes += 1
            return fam
        reference = {(f["start"], f["end"], f["code"]) for f in map(json.loads, out.splitlines())}
        ref_scores = {(f["start"], f["end"], f["code"]): f["score"] for f in map(json.loads, out.splitlines())}
        (cache / "scores.sqlite").unlink()
        worst = 0.0
        for r in range(rounds):
            ps = [subprocess.Popen([*MTQA, *args], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for _ in range(procs)]
            victim = ps[0] if r % 2 else None  # every other round one process is killed mid-run
            if victim is not None:
                time.sleep(rnd.uniform(1, 6))
                victim.kill()
            for p in ps:
                try:
                    o, e = p.communicate(timeout=900)
                except subprocess.TimeoutExpired:
                    p.kill()
                    fam.hangs += 1
                    continue
                fam.tried += 1
                if p is victim:
                    continue
                if p.returncode != 0:
                    fam.crashes += 1
                    fam.notes.append(e.strip()[-160:])
                    continue
                got = list(map(json.loads, o.splitlines()))
                if {(f["start"], f["end"], f["code"]) for f in got} != reference:
                    fam.lost += 1
                for f in got:
                    k = (f["start"], f["end"], f["code"])
                    if f["score"] is not None and ref_scores.get(k) is not None:
                        worst = max(worst, abs(f["score"] - ref_scores[k]))
        db = sqlite3.connect(cache / "scores.sqlite")
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM logprobs").fetchone()[0]
        db.close()
        if ok != "ok":
            fam.lost += 1
        fam.notes.append(f"{procs} processes x {rounds} rounds; cache integrity {ok}, {rows} rows; "
                         f"largest score difference from the serial run {worst:.4f}")
    return fam


# --- disk full -------------------------------------------------------------------------------

def family_disk_full(rnd: random.Random) -> Family:
    fam = Family("disk-full")
    outcomes: dict[str, int] = {}
    mnt = Path(tempfile.mkdtemp(dir="/tmp", prefix="mtqa-tmpfs-"))
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], check=True,
                       capture_output=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        mnt.rmdir()
        err = getattr(exc, "stderr", b"") or b""
        fam.notes.append(f"skipped: cannot mount a tmpfs here ({err.decode(errors='replace').strip() or exc})")
        return fam
    try:
        with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
            src = Path(tmp) / "copy.txt"
            src.write_text((BAD_COPY + COPY) * 10, encoding="utf-8")
            for fill in (0, 16_000, 40_000, 60_000):
                for p in mnt.iterdir():
                    p.unlink()
                old = mnt / "report.jsonl"
                old.write_text("old report\n")
                (mnt / "filler").write_bytes(b"x" * fill)
                code, out, err = run(["check", "--no-lm", "--format", "jsonl", str(src), "-o", str(old)], timeout=300)
                fam.tried += 1
                outcomes[f"-o exit {code}"] = outcomes.get(f"-o exit {code}", 0) + 1
                if code != 2 or "cannot write" not in err or "Traceback" in err:
                    fam.crashes += code != 1  # exit 1: it fitted; anything else but 2 is wrong
                if code == 2 and old.read_text() != "old report\n":
                    fam.lost += 1
                fam.lost += leftovers(mnt) > 0
                # fix --in-place of a file on the full disk
                (mnt / "filler").unlink()
                work = mnt / "copy.txt"
                work.write_text(BAD_COPY * 200, encoding="utf-8")
                (mnt / "filler").write_bytes(b"x" * max(0, 64_000 - fill - work.stat().st_size - 8192))
                before = work.read_bytes()
                code, out, err = run(["fix", "--no-lm", "--in-place", str(work)], timeout=300)
                fam.tried += 1
                outcomes[f"fix exit {code}"] = outcomes.get(f"fix exit {code}", 0) + 1
                if code not in (0, 2) or "Traceback" in err or (code == 2 and "cannot write" not in err):
                    fam.crashes += 1
                    fam.notes.append(err.strip()[-160:])
                if code == 2 and work.read_bytes() != before:
                    fam.lost += 1
                fam.lost += leftovers(mnt) > 0
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        mnt.rmdir()
    fam.notes.append("64 KiB tmpfs: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    return fam


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=40, help="SIGKILLs per write family")
    ap.add_argument("--hostile", type=int, default=300, help="hostile inputs")
    ap.add_argument("--procs", type=int, default=4, help="concurrent processes on one cache")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-lm", action="store_true", help="skip the cache family (it needs the model)")
    ap.add_argument("--big", type=float, default=2.0, help="size of the big inputs in MB (0: skip them)")
    ap.add_argument("--big-limit", type=float, default=300, help="seconds a big input may take")
    ap.add_argument("--seed", type=int, default=14)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    started = time.monotonic()
    families = [family_hostile(a.hostile, rnd), family_kill_output(a.kills, rnd), family_kill_fix(a.kills, rnd),
                family_disk_full(rnd)]
    if a.big:
        families.append(family_big(int(a.big * 1e6), a.big_limit, rnd))
    if not a.no_lm:
        families.append(family_cache(a.procs, a.rounds, rnd))
    print(f"{'family':<10} {'inputs':>7} {'crashes':>8} {'hangs':>6} {'data lost':>10}")
    for fam in families:
        print(fam.row())
    total = [sum(getattr(f, k) for f in families) for k in ("tried", "crashes", "hangs", "lost")]
    print(f"{'total':<10} {total[0]:>7} {total[1]:>8} {total[2]:>6} {total[3]:>10}   "
          f"({time.monotonic() - started:.0f} s, seed {a.seed})")
    sys.exit(1 if any(total[1:]) else 0)


if __name__ == "__main__":
    main()
