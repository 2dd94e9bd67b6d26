"""The review page: accept, reject, edit or choose among a run's fixes in a browser, and export
the corrected copy (`mtqa review`). See mtqa.review.app for the web side and
mtqa.review.decisions for the decision log."""

from __future__ import annotations


def create_review_app(config, paths, out_dir, lm=None, scorer=None, **options):
    """The review page for ``paths`` as a Starlette app (see mtqa.review.app.create_review_app)."""
    from mtqa.review.app import create_review_app as create

    return create(config, paths, out_dir, lm=lm, scorer=scorer, **options)


__all__ = ["create_review_app"]
