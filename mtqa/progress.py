"""What a run tells the person watching it: a progress bar on stderr while it works (only when
stderr is a terminal) and a closing summary line. Neither goes to stdout, which is the report."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import Iterable, Iterator

from mtqa.document import Document
from mtqa.errors import InputError
from mtqa.finding import SEVERITIES, Finding


def quiet_third_party_bars() -> None:
    """Off a terminal, a progress bar is a stream of carriage returns in someone's log: tell tqdm
    (which transformers and huggingface_hub use) to stay silent. Called once, at the top of the
    command line, before anything imports tqdm (tqdm reads TQDM_* when it is imported; mtqa
    imports it and the model libraries only when needed, and tests/test_progress.py checks it)."""
    if not sys.stderr.isatty():
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Progress:
    """Documents done of those known so far, with rate and ETA (tqdm). The total starts as the
    number of input files and grows as each feed is read and its items are counted."""

    def __init__(self, total: int | None, enabled: bool):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, leave=False,
                            disable=False, smoothing=0.1)
        self._feeds: set[str] = set()

    def counting(self, items: Iterable[Document | InputError]) -> Iterator[Document | InputError]:
        for item in items:
            feed = item.meta.get("item") if isinstance(item, Document) else None
            if self.bar is not None and feed and feed["file"] not in self._feeds:
                self._feeds.add(feed["file"])
                if self.bar.total is not None:
                    self.bar.total += feed.get("items_in_file", 1) - 1
                    self.bar.refresh()
            yield item

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def echo(self, message: str) -> None:
        """A line on stderr that does not tear the bar."""
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary(findings: list[Finding], documents: list[Document], errors: int, seconds: float) -> str:
    """'12 findings (1 critical, 3 major) in 5 files, 2.1 s'; feeds add their item count."""
    by_severity = Counter(f.severity for f in findings)
    serious = [f"{by_severity[s]} {s}" for s in reversed(SEVERITIES) if s != "minor" and by_severity[s]]
    files = {(d.meta.get("item") or {}).get("file", d.path) for d in documents}
    items = sum(1 for d in documents if d.meta.get("item"))
    n = len(findings)
    line = f"{n} finding{'' if n == 1 else 's'}" + (f" ({', '.join(serious)})" if serious else "")
    line += f" in {len(files)} file{'' if len(files) == 1 else 's'}"
    if items:
        line += f" ({items} feed item{'' if items == 1 else 's'})"
    if errors:
        line += f", {errors} input error{'' if errors == 1 else 's'}"
    return line + f", {seconds:.1f} s"


def clock() -> float:
    return time.perf_counter()
