"""mtqa: find machine-translation artifacts in syndicated English news copy."""

__version__ = "0.1.0"
