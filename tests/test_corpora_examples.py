"""Every entry of every rule data file in corpora/ carries examples, and every example holds.

For each incorrect example (span marked with ⟦ ⟧): exactly one finding of the file's code, at
exactly that span, offering the expected suggestion; after applying that suggestion, the finding
is gone. For each correct example: no finding of that code at all.

Rules that look across copies (run scope) take examples as several copies: an incorrect example
is ``{ copies = ["…", "… ⟦span⟧ …"], suggestion = "…" }`` with the span in one copy, and a
correct example is a list of copies, or ``{ copies = [...], reference = 1 }`` where copy 1 is
declared the original (``reference`` works in incorrect examples too). A rule that needs the model
is run for its detection alone (tests.helpers.DetectOnly).
"""

from __future__ import annotations

import pytest

from mtqa import corpora
from mtqa.registry import RULES_BY_CODE
from tests.helpers import findings_for

CASES = []
for path in corpora.data_files():
    data = corpora.load(path)
    for i, entry in enumerate(data.get("entry", [])):
        name = f"{path.relative_to(corpora.CORPORA_DIR)}:{entry.get('id', i)}"
        CASES.append(pytest.param(data["code"], entry, id=name))


def test_there_are_data_files():
    assert len(CASES) > 0


@pytest.mark.parametrize("code,entry", CASES)
def test_entry_has_examples(code, entry):
    assert code in RULES_BY_CODE, f"unknown code {code}"
    assert entry.get("incorrect"), "every entry needs at least one incorrect example"
    assert entry.get("correct"), "every entry needs at least one correct example"


def _unmark_copies(copies: list[str]) -> tuple[list[str], str, int, int, str]:
    """(plain copies, the marked copy's path, start, end, marked copy)."""
    plain, where = [], None
    for i, c in enumerate(copies, 1):
        if corpora.MARK_OPEN in c:
            text, start, end = corpora.parse_marked(c)
            where = (f"copy{i}.txt", start, end, c)
            plain.append(text)
        else:
            plain.append(c)
    assert where, "one copy must hold the marked span"
    return (plain, *where)


@pytest.mark.parametrize("code,entry", CASES)
def test_incorrect_examples(code, entry):
    for example in entry.get("incorrect", []):
        if isinstance(example, dict) and "copies" in example:
            copies, path, start, end, marked = _unmark_copies(example["copies"])
            ref = (f"copy{example['reference']}.txt",) if "reference" in example else ()
            found = findings_for(copies, code, reference=ref)
            assert [(f.path, f.start, f.end) for f in found] == [(path, start, end)], (
                f"{code} on {example['copies']!r}: got {[(f.path, f.text, f.start) for f in found]}")
            want = example.get("suggestion")
            if want is not None:
                assert want in found[0].suggestions
                i = int(path[4:-4]) - 1
                copies[i] = copies[i][:start] + want + copies[i][end:]
                assert not findings_for(copies, code, reference=ref), f"applying {want!r} did not clear {marked!r}"
            continue
        marked = example["text"] if isinstance(example, dict) else example
        text, start, end = corpora.parse_marked(marked)
        found = findings_for(text, code)
        assert [(f.start, f.end) for f in found] == [(start, end)], (
            f"{code} on {marked!r}: expected one finding at {text[start:end]!r}, "
            f"got {[(f.text, f.start, f.end) for f in found]}"
        )
        f = found[0]
        if isinstance(example, dict) and "suggestion" in example:
            want = example["suggestion"]
            assert want in f.suggestions, f"{marked!r}: suggestions {f.suggestions}, expected {want!r}"
            fixed = text[:start] + want + text[end:]
            again = findings_for(fixed, code)
            touched = [g for g in again if g.start < start + len(want) + 1 and g.end > start - 1]
            assert not touched, f"applying {want!r} to {marked!r} left {[(g.text, g.start) for g in touched]}"


@pytest.mark.parametrize("code,entry", CASES)
def test_correct_examples(code, entry):
    for example in entry.get("correct", []):
        if isinstance(example, dict) and "copies" in example:
            text, ref = example["copies"], (f"copy{example['reference']}.txt",) if "reference" in example else ()
        else:
            text, ref = (example["text"] if isinstance(example, dict) else example), ()  # a list: several copies
        found = findings_for(text, code, reference=ref)
        assert not found, f"{code} fired on a correct example {text!r}: {[(f.text, f.message) for f in found]}"
