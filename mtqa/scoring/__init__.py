"""The language model: fetching, loading, caching, in-context scoring, fluency, calibration.

Only this package imports torch and transformers, and only when the model is actually used, so
``mtqa --help`` and ``mtqa check --no-lm`` stay fast. The entry point for ``mtqa check`` is
:func:`mtqa.scoring.runtime.open_model`.
"""
