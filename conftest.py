"""Fixtures for every test pytest collects here: the tests and the doctests in src/."""

import pytest


@pytest.fixture(autouse=True)
def _bounded_memory_mappings():
    """Every compiled program holds ~1,000+ memory mappings on a CPU; the suite compiles
    far more programs than a process may map (vm.max_map_count), so past half of the
    limit the in-memory compiled programs are dropped between tests, doctests included
    (pathjax itself does so, with a warning, at 80 %)."""
    from pathjax._devices import relieve_map_pressure

    relieve_map_pressure(0.5, warn=False)
    yield
