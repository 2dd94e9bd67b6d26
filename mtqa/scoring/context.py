"""In-context comparison of a finding's text against its suggestions.

For a finding at ``text[start:end]`` with suggestions, the scored unit is the rest of its
sentence from the span on, once as written and once with each suggestion in the span's place.
Both are conditioned on the same preceding context (the document before the span, truncated by
the model to its window of a few hundred tokens), so the words before the span cancel out and the
margin ``log p(suggestion version) - log p(original version)`` says, in nats, how much more the
model believes the fix than the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from mtqa.document import Document
from mtqa.finding import Finding

CONTEXT_CHARS = 2000  # more than the model's window of tokens ever needs


@dataclass(frozen=True)
class Comparison:
    context: str
    original: str
    variants: tuple[str, ...]


def _sentence_bounds(doc: Document, start: int, end: int) -> tuple[int, int]:
    first = doc.sentence_at(start)
    last = doc.sentence_at(max(start, end - 1))
    s = first.start if first else start
    e = last.end if last else end
    if first is None or last is None:  # between sentences: the line around the span
        line_end = doc.text.find("\n", end)
        e = max(e, line_end if line_end != -1 else len(doc.text))
    return min(s, start), max(e, end)


def comparison(doc: Document, f: Finding) -> Comparison:
    """The context and the continuations (original, then one per suggestion) to score for ``f``."""
    text = doc.text
    _, sent_end = _sentence_bounds(doc, f.start, f.end)
    # White space before the span belongs to the continuation: BPE tokenisers glue a leading
    # space to the word after it, so cutting after the space would split the word's token.
    cut = f.start
    while cut > 0 and text[cut - 1] in " \t\u00a0":
        cut -= 1
    lead = text[cut : f.start]
    context = text[max(0, cut - CONTEXT_CHARS) : cut]
    rest = text[f.end : sent_end]

    def build(replacement: str) -> str:
        if replacement == "" and lead and rest[:1] in (" ", ",", ".", ";", ":", ""):
            return rest  # deleting a word: the space after it (or the punctuation) stays
        return lead + replacement + rest

    return Comparison(context, lead + text[f.start : f.end] + rest, tuple(build(s) for s in f.suggestions))
