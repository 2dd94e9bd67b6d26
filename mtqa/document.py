"""Document: the exact original text of one item, and its paragraphs and sentences as offsets."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mtqa.segmentation import split_paragraphs, split_sentences


@dataclass(frozen=True)
class Span:
    """A half-open range ``[start, end)`` of code points in the document's original text."""

    start: int
    end: int


@dataclass(eq=False)
class Document:
    """One item of copy. ``text`` is never altered: every offset in mtqa points into it.

    ``path`` is the name shown to the user (a file path as given, ``-`` for stdin, or
    ``feed.xml#3`` for the third item of a feed). ``meta`` holds what a reader knew about the
    item (title, source, language, ...).
    """

    path: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    # what detectors derive from the text and more than one of them reads (its names), computed
    # once and kept with the document, also through a run's set-aside on disk (mtqa.across)
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def paragraphs(self) -> list[Span]:
        return [Span(s, e) for s, e in split_paragraphs(self.text)]

    @cached_property
    def sentences(self) -> list[Span]:
        out: list[Span] = []
        for para in self.paragraphs:
            out.extend(Span(s, e) for s, e in split_sentences(self.text, para.start, para.end))
        return out

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def sentence_at(self, offset: int) -> Span | None:
        """The sentence that contains ``offset``, or None when it falls between sentences."""
        starts = [s.start for s in self.sentences]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < self.sentences[i].end:
            return self.sentences[i]
        return None

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a code-point offset."""
        i = bisect.bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i] + 1

    @cached_property
    def word_count(self) -> int:
        return len(self.text.split())
