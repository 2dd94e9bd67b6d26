"""``mtqa serve``: checks over HTTP, with the model loaded once and its score cache shared.

- :mod:`mtqa.server.app`: the Starlette application (routes, token, size limit, JSON errors) and
  :func:`serve`, which runs it on uvicorn.
- :mod:`mtqa.server.worker`: the one thread that owns the model and checks queued requests in
  batches through :func:`mtqa.pipeline.check_groups`.
- :mod:`mtqa.server.languagetool`: LanguageTool's ``/v2/check`` API over mtqa's findings.
"""

from mtqa.server.app import create_app, serve

__all__ = ["create_app", "serve"]
