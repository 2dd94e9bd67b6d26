"""Detectors: one module per family; each registers one function per code in mtqa.registry."""
