"""Shared test configuration: float64, strict rank promotion, hypothesis profile, markers."""

import os

# Tests compile into memory only: the persistent cache (src/pathjax/_cache.py) serves
# users' repeated runs; a test run neither reads stale entries nor writes ~/.cache (and
# subprocesses started by tests inherit this).
os.environ.setdefault("PATHJAX_NO_CACHE", "1")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=25)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PATHJAX_SLOW") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with PATHJAX_SLOW=1 or -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
    if not any(d.platform == "gpu" for d in jax.devices()):
        skip_gpu = pytest.mark.skip(reason="needs a GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip_gpu)
