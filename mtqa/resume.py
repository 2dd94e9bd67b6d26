"""``mtqa check --resume -o FILE``: an archive run that can be killed and continued.

FILE (jsonl or jsonl-evidence) is written as the run goes, never rewritten, and beside it
``FILE.mtqa-resume`` logs what is done: a header with the settings, then one line per checked
document, ``{"path", "sha256" (of its text), "end" (FILE's size once its findings were on
disk), "worst" (its worst severity rank, -1 for none)}``. The 12 JSONL keys stay as they are,
and a document without findings counts as done too.

The order of writes is what makes a kill at any instant safe: a batch's findings are written to
FILE and fsynced, then its documents' lines are appended to the log and fsynced. On resume the
log is read up to its last whole line, FILE is truncated to the last logged ``end`` (dropping
findings of a batch whose log lines never made it to disk), and every document whose path and
text hash are logged is skipped. So nothing is lost and nothing is written twice. A document
whose text has changed since is checked again (its old findings stay in FILE).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TextIO

from mtqa.config import Config
from mtqa.document import Document
from mtqa.errors import ConfigError, OutputError

SUFFIX = ".mtqa-resume"
FORMATS = ("jsonl", "jsonl-evidence")


def header(config: Config) -> dict:
    """What the log's first line holds: every setting that changes what a document's findings
    are, so that a resumed run never appends findings of other settings to FILE. That is the
    report's signature (mtqa version, detectors, the hashes of their data files and of a house
    style, the model, the selection and thresholds), the files and terms that suppress findings,
    and the references the cross-copy rules read. Not how the run goes (--jobs, --engine,
    --threads, the cache dir, the machine): a run killed with --jobs 4 may be resumed with one."""
    from mtqa.evaluation.signature import build_signature

    def file_hash(path: str | None) -> str | None:
        if not path:
            return None
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
        except OSError:
            return "unreadable"

    model = (os.path.abspath(config.model_dir) if config.model_dir else "bundled") if config.use_lm else "none"
    return {"mtqa-resume": 2, "format": config.format, "use_lm": config.use_lm,
            "signature": build_signature(config, model=model),
            "reference": sorted([os.path.abspath(r), file_hash(r)] for r in config.reference),
            "accept": sorted(config.accept), "accept_file": file_hash(config.accept_file),
            "per_path_ignores": [[g, list(c)] for g, c in config.per_path_ignores],
            "baseline": file_hash(config.baseline)}


def _differences(old: dict, new: dict) -> str:
    """The settings in which the log and this run differ, as 'key: LOG there, THIS here'."""
    def flat(d: dict, prefix: str = "") -> dict:
        out = {}
        for k, v in d.items():
            if isinstance(v, dict):
                out.update(flat(v, f"{prefix}{k}."))
            else:
                out[prefix + k] = v
        return out

    def shown(v) -> str:
        text = json.dumps(v, ensure_ascii=False)
        return text if len(text) <= 60 else text[:56] + " ..."

    a, b = flat(old), flat(new)
    keys = [k for k in list(a) + [k for k in b if k not in a] if a.get(k) != b.get(k)]
    said = "; ".join(f"{k}: {shown(a.get(k))} in the log, {shown(b.get(k))} here" for k in keys[:3])
    return said + (f"; and {len(keys) - 3} more" if len(keys) > 3 else "")


def text_hash(doc: Document) -> str:
    return hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()


class ResumableOutput:
    """A text stream onto FILE (in append mode) with the log of what is done."""

    def __init__(self, path: str, config: Config):
        self.path = path
        self.log_path = path + SUFFIX
        self.done_keys: set[tuple[str, str]] = set()
        self.worst = -1  # over the documents done by earlier runs
        self.header = header(config)
        end = self._read_log()
        try:
            self.out: TextIO = open(path, "a+", encoding="utf-8", newline="")
            self.out.truncate(end)  # whatever follows the last logged batch was never committed
            self.out.seek(0, os.SEEK_END)
            self.log = open(self.log_path, "a", encoding="utf-8", newline="")
            if end == 0 and not self.done_keys:
                self.log.truncate(0)
                self.log.write(json.dumps(self.header) + "\n")
                self._sync(self.log)
        except OSError as exc:
            raise OutputError(path, exc.strerror or str(exc)) from None

    def _read_log(self) -> int:
        """FILE's committed size from the log (0 for a fresh run); fills ``done_keys``."""
        try:
            with open(self.log_path, "r+", encoding="utf-8", newline="") as fh:
                raw = fh.read()
                whole = raw[: raw.rfind("\n") + 1]  # a torn last line was never committed
                if len(whole) != len(raw):
                    fh.truncate(len(whole.encode("utf-8")))
        except FileNotFoundError:
            if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
                raise OutputError(self.path, f"it exists without {os.path.basename(self.log_path)}, so what it "
                                  "holds cannot be resumed; remove it or write to another file") from None
            return 0
        except (OSError, UnicodeDecodeError) as exc:
            raise OutputError(self.log_path, str(exc)) from None
        lines = whole.splitlines()
        try:
            header = json.loads(lines[0]) if lines else None
            records = [json.loads(line) for line in lines[1:]]
        except ValueError:
            raise OutputError(self.log_path, "not a resume log of mtqa (remove it to start over)") from None
        if header is None:
            return 0
        if header != self.header:
            raise ConfigError(f"{self.path} was written with other settings ({_differences(header, self.header)}); "
                              "resume with the same ones, or remove it and its .mtqa-resume log to start over")
        end = 0
        for r in records:
            self.done_keys.add((r["path"], r["sha256"]))
            self.worst = max(self.worst, r["worst"])
            end = max(end, r["end"])
        size = os.path.getsize(self.path) if os.path.exists(self.path) else 0
        if size < end:
            raise OutputError(self.path, f"it is shorter than {os.path.basename(self.log_path)} says; remove "
                              "both to start over")
        return end

    def done(self, doc: Document) -> bool:
        return (doc.path, text_hash(doc)) in self.done_keys

    # the writers' side: a text stream
    def write(self, text: str) -> int:
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()

    def commit(self, docs: list[Document], findings: list) -> None:
        """``docs`` are done: their findings (already written) reach the disk, then their log lines."""
        try:
            self._sync(self.out)
            end = os.fstat(self.out.fileno()).st_size
            worst: dict[str, int] = {}
            for f in findings:
                worst[f.path] = max(worst.get(f.path, -1), f.severity_rank)
            for d in docs:
                self.log.write(json.dumps({"path": d.path, "sha256": text_hash(d), "end": end,
                                           "worst": worst.get(d.path, -1)}, ensure_ascii=False) + "\n")
            self._sync(self.log)
        except OSError as exc:
            raise OutputError(self.path, exc.strerror or str(exc)) from None

    @staticmethod
    def _sync(fh) -> None:
        fh.flush()
        os.fsync(fh.fileno())

    def close(self) -> None:
        self.out.close()
        self.log.close()

    def __enter__(self) -> "ResumableOutput":
        # SIGTERM and SIGHUP end the run as Ctrl-C does (exit 143 / 129, the workers stopped,
        # FILE and its log closed on a batch's boundary), as with an atomic -o
        from mtqa.output import _exit_on_termination

        self._termination = _exit_on_termination()
        self._termination.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.close()
        finally:
            self._termination.__exit__(*exc)
