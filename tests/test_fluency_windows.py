"""MTQ501's windows and the token-score slices they are read with (no model)."""

import numpy as np

from mtqa.detectors import fluency as F
from mtqa.document import Document
from mtqa.scoring.lm import TokenScores

TEXT = ("Headline of the story\n\n" + " ".join(
    f"Sentence number {i} says that the council met again on Tuesday to talk." for i in range(40)))


def test_windows_cover_every_candidate_sentence_once_within_the_budget():
    doc = Document("t.txt", TEXT)
    windows = F.windows(doc)
    assert [s for w in windows for s in w.sentences] == F.candidate_sentences(doc)
    assert len(windows) > 1
    for w in windows:
        lo, hi = w.sentences[0].start, w.sentences[-1].end
        assert hi - lo <= F.WINDOW_CHARS or len(w.sentences) == 1
        # the request's text is the window's text, after a lead-in space when there is a context
        assert w.request.text.endswith(doc.text[lo:hi]) and w.request.text[lo - w.start :] == doc.text[lo:hi]
        assert w.request.context == F.sentence_request(doc, w.sentences[0]).context
        cut = w.up_to(w.sentences[-1])
        assert cut.text == w.request.text and cut.read_from == w.sentences[-1].start - w.start


PARAGRAPHS = "Headline of the story\n\n" + "\n\n".join(
    " ".join(f"Paragraph {p} sentence {i} says that the council met again on Tuesday." for i in range(n))
    for p, n in enumerate([1, 3, 2, 12, 1]))


def test_a_window_stays_within_its_paragraph():
    """No sentence reads more than its paragraph and the context before it: a window never spans a
    paragraph break, and a paragraph within the budget is one window."""
    doc = Document("t.txt", PARAGRAPHS)
    windows = F.windows(doc)
    assert [s for w in windows for s in w.sentences] == F.candidate_sentences(doc)
    for w in windows:
        lo, hi = w.sentences[0].start, w.sentences[-1].end
        assert "\n\n" not in doc.text[lo:hi]
        assert w.request.context == F.sentence_request(doc, w.sentences[0]).context
    sizes = [len(w.sentences) for w in windows]
    assert sizes[:3] == [1, 3, 2] and sizes[-1] == 1 and sum(sizes[3:-1]) == 12 and len(sizes) > 5
    # across paragraphs, the same budget makes fewer, longer windows
    assert len(F.windows(doc, by_paragraph=False)) < len(windows)


def test_wire_copy_with_one_line_per_paragraph_gets_a_window_per_line():
    lines = ["Headline of the story"] + [
        f"Line {i} says that the council met again on Tuesday. It voted on the budget for {i} hours." for i in range(4)]
    doc = Document("t.txt", "\n".join(lines))
    assert len(doc.paragraphs) == 1  # one paragraph for the segmenter: no blank line
    windows = F.windows(doc)
    assert [len(w.sentences) for w in windows] == [2, 2, 2, 2]
    assert all("\n" not in w.request.text for w in windows)


def _scores(text, pieces):
    starts, ends, pos = [], [], 0
    for p in pieces:
        starts.append(pos)
        pos += len(p)
        ends.append(pos)
    assert "".join(pieces) == text
    n = len(pieces)
    return TokenScores(text, np.array(starts, np.int32), np.array(ends, np.int32),
                       -np.arange(1, n + 1, dtype=np.float32), np.zeros(n, np.float32))


def test_a_slice_keeps_the_leading_space_token_and_drops_a_token_of_the_word_before():
    sc = _scores(" One two. Three four.", [" One", " two", ".", " Three", " four", "."])
    s = sc.slice(10, 21)  # "Three four."
    assert s.text == " Three four." and list(s.starts) == [0, 6, 11] and list(s.logprobs) == [-4, -5, -6]
    sc = _scores("ab.\n\nCd ef.", ["ab", ".", "\n\n", "Cd", " ef", "."])
    s = sc.slice(5, 11)  # "Cd ef.": the line break token ends where the sentence starts
    assert s.text == "Cd ef." and list(s.logprobs) == [-4, -5, -6]
    sc = _scores('x."Yes no.', ["x", '."', "Yes", " no", "."])
    s = sc.slice(2, 10)  # a token that starts inside the sentence before is not this sentence's
    assert s.text == '"Yes no.' and list(s.logprobs) == [-3, -4, -5]
