"""Data, not code: installed as the package mtqa._corpora (see setup.py and mtqa/resources.py)."""
