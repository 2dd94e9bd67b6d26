"""Evaluation: gold spans, span matching and metrics, signatures, and the `mtqa eval` command.

Nothing here detects or scores: it reads findings (from a run or a findings JSONL file) and gold
spans, and says in numbers how far apart they are.
"""
