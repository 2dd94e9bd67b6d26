"""Data, not code: installed as the package mtqa._models (see setup.py and mtqa/resources.py)."""
