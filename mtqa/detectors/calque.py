"""Literal translations (MTQ202): calques that repeat across stories, as data in corpora/calques/.

The entries use the confusion engine's format (see :mod:`mtqa.detectors.confusion`): slots of
word alternatives, the replacements of the wrong words, and context that must or must not be
there. They cover a verb with the source language's preposition or complement, a literal idiom,
and source-language habits of tense and article.
"""

from __future__ import annotations

from typing import Iterator

from mtqa.detectors.base import Context
from mtqa.detectors.confusion import lexicon, report
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.registry import detector

LEXICON_DIR = "calques"


@detector("MTQ202")
def calque(doc: Document, ctx: Context) -> Iterator[Finding]:
    """What it does:
    Finds constructions that machine translation copies word for word from the source language
    where English says it differently: a verb with the source's preposition or object ("depend
    of", "participate to", "explained him"), a literal idiom ("pour oil on the fire" for "add fuel
    to the fire"), or a source-language habit of tense or article ("is working here since 2019",
    "the President Macron", "the 60% of voters").

    The patterns are data in corpora/calques/*.toml, from Romance, Germanic and Slavic sources,
    each with the English it should have been. They fire with or without the language model; with
    the model, it compares the sentence as written with each suggestion in its context and drops
    what it does not prefer, since many of these phrases are also good English in another sense
    ("answer to the board", "married with two children").

    Why is this bad:
    A calque marks the copy as translated and can change the meaning: "in the last time" is
    "recently" in Russian, "the last time" in English.

    Example:
    Whether the reform passes will depend of the votes of the smaller parties.

    Use instead: ... will depend on the votes of the smaller parties.
    """
    yield from report(doc, "MTQ202", lexicon(LEXICON_DIR), broad=False,
                      message="{wrong!r} reads as a literal translation; English says {fix}{why}")
