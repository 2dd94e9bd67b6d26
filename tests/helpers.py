"""Running detectors on a string, for the example and snapshot tests."""

from __future__ import annotations

import os

from mtqa.config import Config
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.pipeline import run
from mtqa.registry import RULES_BY_CODE

# CI (the CI variable set, as .ci/run and hosted CI runners do) runs every property and fuzz test
# at full strength; the local loop runs a tenth of the examples so `pytest -m "not model"` stays
# about a minute. tests/conftest.py loads the matching Hypothesis profile.
FULL_STRENGTH = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def examples(full: int) -> int:
    """Hypothesis examples for a property test: ``full`` in CI, a tenth (at least 20) locally."""
    return full if FULL_STRENGTH else max(20, full // 10)


class DetectOnly:
    """Stands in for the language model where a model-backed detector's detection is the
    subject: the detector runs, nothing is scored (the scorer's judgement is tested with the real
    model elsewhere). A rule that asks the model for token scores before it decides (MTQ607) is
    told that every token is far less likely than any threshold, so its examples test what it
    proposes; its fixture's snapshot runs it with the real model."""

    def answer(self, requests):
        return _Unlikely()


class _Unlikely:
    def __getitem__(self, request):
        import numpy as np

        from mtqa.scoring.lm import TokenScores

        n = len(request.text)
        return TokenScores(request.text, np.arange(n, dtype=np.int32), np.arange(1, n + 1, dtype=np.int32),
                           np.full(n, -100.0, np.float32), np.zeros(n, np.float32))

    exact = __getitem__


def findings_for(text: str | list[str], code: str, path: str = "example.txt",
                 reference: tuple[str, ...] = ()) -> list[Finding]:
    """Findings of ``code`` in ``text``; a list of texts is one run of several copies, named
    copy1.txt, copy2.txt, ... (``reference`` names the copies declared as the original)."""
    if isinstance(text, list):
        docs = [Document(f"copy{i}.txt", t) for i, t in enumerate(text, 1)]
    else:
        docs = [Document(path, text)]
    lm = DetectOnly() if RULES_BY_CODE[code].needs_lm else None
    result = run(docs, Config(select=(code,), use_lm=lm is not None, reference=reference), lm=lm)
    return [f for f in result.findings if f.code == code]
