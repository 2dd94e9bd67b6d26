"""MTQ501's measures as `mtqa check` computes them, for the scripts that calibrate the rule and
measure its screening band (scripts/calibrate_fluency.py, scripts/measure_exact_band.py)."""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator, Sequence

from mtqa.detectors import fluency as F
from mtqa.document import Document, Span
from mtqa.pipeline import BATCH_SIZE


def screened(lm, docs: Sequence[Document], batch_docs: int = BATCH_SIZE,
             on_batch: Callable[[int], None] | None = None,
             ) -> Iterator[tuple[Document, Span, F.Assessment, Callable[[], F.Assessment]]]:
    """(document, sentence, batched assessment, exact) for every candidate sentence of ``docs``:
    the paragraph windows of ``batch_docs`` documents in one batched pass, as the pipeline batches
    them, and ``exact()`` the sentence's exact pass (its window cut after it), computed only when
    called. ``on_batch(documents done)`` follows each batch."""
    for b in range(0, len(docs), batch_docs):
        plan = [(d, w) for d in docs[b : b + batch_docs] for w in F.windows(d)]
        answers = lm.answer([w.request for _, w in plan])
        for d, w in plan:
            for s in w.sentences:
                yield d, s, F.assess(d, s, w.scores(answers[w.request], s)), partial(_exact, answers, d, w, s)
        if on_batch is not None:
            on_batch(min(b + batch_docs, len(docs)))


def _exact(answers, doc: Document, window, sentence: Span) -> F.Assessment:
    return F.assess(doc, sentence, window.scores(answers.exact(window.up_to(sentence)), sentence))
