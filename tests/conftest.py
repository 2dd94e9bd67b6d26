from pathlib import Path

import pytest
from hypothesis import settings

from tests.helpers import FULL_STRENGTH

# For @given tests without their own count (theirs go through tests.helpers.examples).
settings.register_profile("ci", max_examples=100, print_blob=True)
settings.register_profile("dev", max_examples=20)
settings.load_profile("ci" if FULL_STRENGTH else "dev")


def pytest_report_header(config):
    if FULL_STRENGTH:
        return "property tests: full strength (CI is set)"
    return "property tests: a tenth of the examples (set CI=true for the full count, as CI does)"


def pytest_collection_modifyitems(items):
    # every test that takes the real model (the lm fixture) is a model test, so
    # `pytest -m "not model"` never loads it, whichever file the test lives in
    for item in items:
        if "lm" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    return SEEDS


@pytest.fixture(scope="session")
def lm():
    """The bundled model, fetched once per session into $MTQA_CACHE_DIR (or the user cache dir)
    exactly as `mtqa model fetch` does, scoring for real: no disk cache."""
    from mtqa.config import build_config
    from mtqa.scoring.fetch import fetch
    from mtqa.scoring.runtime import load_lm

    fetch(log=lambda m: None, progress=False)
    model = load_lm(build_config())  # MTQA_PRECISION, MTQA_THREADS as for mtqa check
    model.forget(disk=True)
    return model
