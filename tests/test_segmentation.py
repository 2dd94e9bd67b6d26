"""Segmentation's internals that its speed depends on."""

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from mtqa.segmentation import _WORD_BEFORE
from tests.helpers import examples

_FORWARD = regex.compile(r"([\p{L}.]+)\.$")  # the word before a stop, as first written


@settings(max_examples=examples(2000))
@given(st.text(alphabet="aZé. \n-'1ß", max_size=80), st.data())
def test_word_before_a_stop_searched_backwards_is_the_forward_search(text, data):
    """The backward search finds what a forward search of the same window finds, at every
    stop, with the window's start inside a word or not."""
    for dot in [i for i, c in enumerate(text) if c == "."]:
        lo = data.draw(st.integers(0, dot))
        forward, backward = _FORWARD.search(text, lo, dot + 1), _WORD_BEFORE.search(text, lo, dot + 1)
        assert (forward and (forward.span(), forward.group(1))) == (backward and (backward.span(), backward.group(1)))


def test_word_before_a_stop():
    assert _WORD_BEFORE.search("Lt. Col. Smith", 0, 8).group(1) == "Col"
    assert _WORD_BEFORE.search("the U.S. said", 0, 8).group(1) == "U.S"
    assert _WORD_BEFORE.search("2019. Then", 0, 5) is None
