"""SARIF 2.1.0, the static-analysis format GitHub code scanning, GitLab and Azure DevOps read.

One run; every rule mtqa knows is listed in the driver, with its documentation as help. Each
result carries the code (ruleId), the level (error for critical and major, warning for minor;
mtqa's own severity, category and score are in its properties), the message, the region
(lines and columns in Unicode code points, as ``columnKind`` says) and the fix as a replacement.
A feed item's offsets point into the item's text, not the file, so its result names the item as
a logical location, carries its line and column in properties, and offers no fix.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from mtqa import __version__
from mtqa.document import Document
from mtqa.finding import Finding
from mtqa.writers.regions import LEVELS, by_path, region

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _uri(path: str) -> str:
    if path == "-":
        return "stdin"
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())  # a URI reference: spaces escaped


def fingerprint(f: Finding) -> str:
    """Stable across edits elsewhere in the file: the code, the flagged text and the fix."""
    return hashlib.sha256(f"{f.code}\0{f.text}\0{f.suggestion}".encode()).hexdigest()[:32]


def _rules(codes: set[str]) -> tuple[list[dict], dict[str, int]]:
    from mtqa.registry import RULES, documentation

    rules, index = [], {}
    for r in RULES:
        rule = {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "defaultConfiguration": {"level": LEVELS[r.severity]},
            "properties": {"category": r.category, "severity": r.severity},
        }
        if r.code in codes:  # the documentation imports the detector; only for codes reported
            rule["help"] = {"text": documentation(r.code)}
        index[r.code] = len(rules)
        rules.append(rule)
    return rules, index


def result(f: Finding, doc: Document | None, rule_index: dict[str, int]) -> dict:
    reg = region(f, doc)
    message = f.message + (f" (feed item {reg.item.get('id') or reg.item['n']})" if reg.item else "")
    out: dict = {
        "ruleId": f.code,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "partialFingerprints": {"mtqa/content/v1": fingerprint(f)},
        "properties": {"severity": f.severity, "category": f.category, "score": f.score, "text": f.text},
    }
    if f.code in rule_index:
        out["ruleIndex"] = rule_index[f.code]
    physical: dict = {"artifactLocation": {"uri": _uri(reg.file)}}
    location: dict = {"physicalLocation": physical}
    if reg.item:
        location["logicalLocations"] = [{"name": str(reg.item.get("id") or f"item {reg.item['n']}"),
                                         "fullyQualifiedName": f.path, "kind": "element"}]
        out["properties"].update(item=reg.item, itemLine=f.line, itemColumn=f.column)
    else:
        physical["region"] = {
            "startLine": reg.start_line, "startColumn": reg.start_column,
            "endLine": reg.end_line, "endColumn": reg.end_column,
            "snippet": {"text": f.text},
        }
        if f.suggestions:
            out["fixes"] = [{
                "description": {"text": f"Replace {f.text!r} with {f.suggestion!r}" if f.suggestion
                                else f"Delete {f.text!r}"},
                "artifactChanges": [{
                    "artifactLocation": {"uri": _uri(reg.file)},
                    "replacements": [{
                        "deletedRegion": {k: v for k, v in physical["region"].items() if k != "snippet"},
                        "insertedContent": {"text": f.suggestion},
                    }],
                }],
            }]
    out["locations"] = [location]
    return out


def write(docs: list[Document], findings: list[Finding], out: TextIO, signature: str | None = None) -> None:
    rules, index = _rules({f.code for f in findings})
    docs_by_path = by_path(docs)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "mtqa", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": [result(f, docs_by_path.get(f.path), index) for f in findings],
        }],
    }
    if signature:  # how the findings were made: mtqa version, detectors, lexicons, model, thresholds
        log["runs"][0]["properties"] = {"signature": signature}
    out.write(json.dumps(log, ensure_ascii=False, indent=2) + "\n")
