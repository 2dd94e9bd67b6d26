"""The one table of detector codes.

Each row names a code, its category and default severity, and the module that implements it. A
module registers one function per code with :func:`detector`; that function's docstring is the
rule's documentation (shown by ``mtqa explain CODE``) under the headings What it does / Why is
this bad / Example.

Code blocks: MTQ1xx script and language, MTQ2xx lexical, MTQ3xx markup and boilerplate,
MTQ4xx conventions and punctuation, MTQ5xx fluency (language model), MTQ6xx across copies
(run-scope rules, which see every document of a run at once).
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from mtqa.finding import SEVERITIES, category

if TYPE_CHECKING:
    from mtqa.finding import Finding

# A document-scope detector takes (Document, Context); a run-scope one (list[Document], Context).
DetectFn = Callable[..., Iterable["Finding"]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: str
    module: str
    summary: str
    needs_lm: bool = False
    scope: str = "document"  # "run": called once with every document of the run (across copies)


_D = "mtqa.detectors."
RULES: tuple[Rule, ...] = (
    Rule("MTQ101", "foreign-script-token", "script-intrusion", "major", _D + "script_intrusion",
         "A token in a script other than the document's"),
    Rule("MTQ102", "mixed-script-word", "script-intrusion", "major", _D + "script_intrusion",
         "Cyrillic or Greek look-alike letters inside a Latin word"),
    Rule("MTQ105", "fullwidth-punctuation", "fullwidth-punctuation", "minor", _D + "encoding",
         "Full-width Chinese or Japanese punctuation in English copy"),
    Rule("MTQ106", "source-script-punctuation", "script-intrusion", "minor", _D + "source_punctuation",
         "Punctuation of another script (، ؟ । ։ ። 《》 ¿) left in English copy"),
    Rule("MTQ111", "untranslated-sentence", "untranslated", "major", _D + "untranslated",
         "A sentence not in the document's language"),
    Rule("MTQ201", "confusion", "confusion", "major", _D + "confusion",
         "A known MT confusion or false friend"),
    Rule("MTQ202", "calque", "confusion", "minor", _D + "calque",
         "A literal translation of a source-language construction (calque)"),
    Rule("MTQ211", "glued-words", "glued-word", "minor", _D + "glued_words",
         "Two words written together without a space"),
    Rule("MTQ221", "name-variant", "name-variant", "major", _D + "names",
         "One name spelled two ways in a document"),
    Rule("MTQ222", "house-style", "house-style", "minor", _D + "names",
         "A spelling that the house style replaces"),
    Rule("MTQ231", "repetition", "repetition", "major", _D + "repetition",
         "A word, phrase or sentence repeated back to back (MT oscillation)"),
    Rule("MTQ301", "code-leak", "markup-leak", "critical", _D + "markup",
         "Page code (CSS, script, HTML) left in the copy"),
    Rule("MTQ302", "translated-css-value", "markup-leak", "critical", _D + "markup",
         "A CSS value that is no CSS keyword, as when MT translated 'none'"),
    Rule("MTQ303", "mojibake", "encoding", "major", _D + "encoding",
         "Characters garbled by a wrong text encoding (mojibake)"),
    Rule("MTQ304", "invisible-character", "invisible-character", "minor", _D + "encoding",
         "An invisible character (zero-width space, soft hyphen, ...) inside the copy"),
    Rule("MTQ311", "boilerplate", "boilerplate-leak", "major", _D + "boilerplate",
         "Site boilerplate such as 'Also Read:' left in the copy"),
    Rule("MTQ312", "metadata", "metadata-leak", "major", _D + "boilerplate",
         "A date stamp, byline or other metadata inside the copy"),
    Rule("MTQ401", "decimal-separator", "locale-convention", "major", _D + "locale",
         "A decimal comma or thousands dot in an English number"),
    Rule("MTQ402", "currency-space", "locale-convention", "minor", _D + "locale",
         "A space between a currency symbol and its amount"),
    Rule("MTQ403", "weekday-day-number", "locale-convention", "minor", _D + "locale",
         "A weekday followed by a bare day number in parentheses"),
    Rule("MTQ404", "guillemets", "locale-convention", "minor", _D + "locale",
         "Guillemets used as quotation marks"),
    Rule("MTQ405", "space-before-punctuation", "locale-convention", "minor", _D + "locale",
         "A space before a punctuation mark"),
    Rule("MTQ406", "ordinal-degree-sign", "locale-convention", "minor", _D + "locale",
         "The ordinal indicator 'º' used as a degree sign"),
    Rule("MTQ407", "continental-date", "locale-convention", "minor", _D + "locale",
         "A date written '24.04.2022' or '23. April'"),
    Rule("MTQ408", "source-scale-number", "locale-convention", "minor", _D + "numbers",
         "A number in the source's units: '12 thousand', '4,700 million', lakh, 'bln'"),
    Rule("MTQ409", "source-number-form", "locale-convention", "minor", _D + "numbers",
         "A percent, currency code or date in the source's form: '5 %', '300 USD', '15-th'"),
    Rule("MTQ411", "unbalanced-quotes", "punctuation", "minor", _D + "punctuation",
         "An unbalanced or dangling quotation mark"),
    Rule("MTQ412", "doubled-punctuation", "punctuation", "minor", _D + "punctuation",
         "A punctuation mark written twice"),
    Rule("MTQ413", "missing-space-after-sentence", "punctuation", "minor", _D + "punctuation",
         "Two sentences run together without a space"),
    Rule("MTQ501", "garbled-sentence", "fluency", "major", _D + "fluency",
         "A sentence the language model finds garbled", needs_lm=True),
    Rule("MTQ601", "cross-copy-name-variant", "cross-copy", "minor", _D + "cross_copy",
         "A name spelled differently in another copy of the same story", scope="run"),
    Rule("MTQ602", "cross-copy-number", "cross-copy", "major", _D + "divergence",
         "A number or amount that disagrees with the other copies of the story", scope="run"),
    Rule("MTQ603", "cross-copy-wording", "confusion", "major", _D + "divergence",
         "A word where this copy departs from the other copies' wording", needs_lm=True, scope="run"),
    Rule("MTQ604", "cross-copy-polarity", "cross-copy", "major", _D + "divergence",
         "A negation dropped or added against the other copies of the story", scope="run"),
    Rule("MTQ605", "cross-copy-added-sentence", "cross-copy", "minor", _D + "divergence",
         "A sentence that the other copies of the story do not have", scope="run"),
    Rule("MTQ606", "cross-copy-missing-sentence", "cross-copy", "minor", _D + "divergence",
         "A sentence that the other copies of the story have and this one lacks", scope="run"),
    Rule("MTQ607", "unsupported-wording", "cross-copy", "major", _D + "support",
         "A word the other copies of the story do not carry, and the model finds unlikely there",
         needs_lm=True, scope="run"),
)

RULES_BY_CODE = {r.code: r for r in RULES}
for _r in RULES:  # a rule in an unknown category or severity fails at import, not when it fires
    category(_r.category)
    if _r.severity not in SEVERITIES:
        raise ValueError(f"{_r.code}: unknown severity {_r.severity!r}")
_IMPL: dict[str, DetectFn] = {}
_REQUESTS: dict[str, Callable] = {}


def detector(code: str) -> Callable[[DetectFn], DetectFn]:
    """Register ``fn`` as the implementation of ``code`` (which must be in RULES)."""
    if code not in RULES_BY_CODE:
        raise KeyError(f"{code} is not in mtqa.registry.RULES")

    def deco(fn: DetectFn) -> DetectFn:
        _IMPL[code] = fn
        return fn

    return deco


def model_requests(code: str) -> Callable[[Callable], Callable]:
    """Register ``fn(doc, ctx) -> list[ModelRequest]``: what the model-backed rule ``code``
    (``needs_lm=True`` in RULES) needs the model to compute for a document; for a run-scope
    rule ``fn(docs, ctx)``, for every document of the run at once."""
    if code not in RULES_BY_CODE or not RULES_BY_CODE[code].needs_lm:
        raise KeyError(f"{code} is not a model-backed rule (needs_lm) in mtqa.registry.RULES")

    def deco(fn: Callable) -> Callable:
        _REQUESTS[code] = fn
        return fn

    return deco


def implementation(code: str) -> DetectFn:
    if code not in _IMPL:
        importlib.import_module(RULES_BY_CODE[code].module)
    if code not in _IMPL:
        raise LookupError(f"{RULES_BY_CODE[code].module} registers no detector for {code}")
    return _IMPL[code]


def requests_of(code: str) -> Callable:
    """The request function of the model-backed rule ``code``."""
    implementation(code)
    if code not in _REQUESTS:
        raise LookupError(f"{code} needs the model but {RULES_BY_CODE[code].module} declares no model_requests")
    return _REQUESTS[code]


def documentation(code: str) -> str:
    fn = implementation(code)
    return inspect.getdoc(fn) if fn.__doc__ else RULES_BY_CODE[code].summary


def matches(code: str, patterns: Iterable[str]) -> bool:
    """Does ``code`` match any of the code prefixes or category names in ``patterns``?"""
    rule = RULES_BY_CODE.get(code)
    for p in patterns:
        if code.startswith(p.upper()) or (rule is not None and p.lower() in (rule.category, rule.name)):
            return True
    return False


def selected_rules(select: Iterable[str], ignore: Iterable[str]) -> list[Rule]:
    select, ignore = list(select), list(ignore)
    return [
        r for r in RULES
        if (not select or matches(r.code, select)) and not matches(r.code, ignore)
    ]
