"""The time-unit rule of `pathjax.sbml.load` (SBML declarations are unreliable, see
SOURCES.md §2): seconds -> "s", 60/3600/86400 s -> "min"/"h"/"day", anything else or
nothing -> "min"; an explicit ``time_unit`` wins and only labels the times."""

import numpy as np
import pytest

import pathjax
from helpers import SBML_DIR, make_sbml

SPECIES = (("A", "c", 1.0),)


@pytest.mark.parametrize(
    "level, declared, expected",
    [
        (2, None, "min"),
        (2, ("second", 1.0), "s"),
        (2, ("second", 60.0), "min"),
        (2, ("second", 3600.0), "h"),
        (2, ("second", 86400.0), "day"),
        (2, ("second", 7.0), "min"),
        (2, ("dimensionless", 1.0), "min"),
        (3, ("second", 1.0), "s"),
        (3, ("second", 86400.0), "day"),
    ],
)
def test_declared_time_units(level, declared, expected):
    text = make_sbml(
        level=level, version=4 if level == 2 else 1, species=SPECIES, time_units=declared
    )
    assert pathjax.sbml.load(text).time_unit == expected


def test_explicit_time_unit_only_labels():
    text = make_sbml(
        species=SPECIES, parameters=(("k", 1.0),), reactions=(("R", {"A": 1}, {}, "k * A"),)
    )
    m = pathjax.sbml.load(text, time_unit="day")
    assert m.time_unit == "day"
    ds = pathjax.simulate(m, [0.0, 1.0], rtol=1e-10, atol=1e-14)
    assert ds.time.attrs["units"] == "day"
    # the maths are not rescaled: one time unit of decay at k = 1
    np.testing.assert_allclose(ds["A"].values[0, 1], np.exp(-1.0), rtol=1e-8)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("sedaghat2002", "min"),  # declared 60 s
        ("borisov2009", "s"),  # declared second
        ("brannmark2013_normal", "min"),  # not declared
        ("topp2000", "min"),  # not declared; its time is in days: pass time_unit="day"
    ],
)
def test_bundled_test_files(name, expected):
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is marked fast.*")
        assert pathjax.sbml.load(SBML_DIR / f"{name}.xml").time_unit == expected
