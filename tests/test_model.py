"""`Model` invariants checked when a model is built: what its functions return."""

import pytest

from pathjax import Model, Observable, Param, State
from pathjax._errors import InputError


def _model(rhs, obs=None) -> Model:
    extra = {} if obs is None else {"observable_specs": (Observable("twice_y", "mM"),),
                                    "observables_fn": obs}  # fmt: skip
    return Model(
        name="toy",
        state_specs=(State("y", "mM", 1.0), State("z", "mM", 0.0)),
        param_specs=(Param("k", "1/min", 0.5),),
        rhs_fn=rhs,
        **extra,
    )


def test_a_misspelt_derivative_key_is_an_error_naming_it():
    with pytest.raises(InputError, match=r"rhs returns 'yy'.*Did you mean 'y'"):
        _model(lambda t, y, p, u: {"yy": -p.k * y.y, "z": 0.0})


def test_a_missing_derivative_is_an_error_naming_the_state():
    # it used to be a silent zero derivative
    with pytest.raises(InputError, match=r"rhs returns no value for 'z'"):
        _model(lambda t, y, p, u: {"y": -p.k * y.y})


def test_observables_must_match_their_declaration():
    rhs = lambda t, y, p, u: {"y": -p.k * y.y, "z": 0.0}
    with pytest.raises(InputError, match=r"observables returns 'twice'"):
        _model(rhs, lambda t, y, p, u: {"twice": 2 * y.y, "twice_y": 2 * y.y})
    with pytest.raises(InputError, match=r"observables returns no value for 'twice_y'"):
        _model(rhs, lambda t, y, p, u: {})
    model = _model(rhs, lambda t, y, p, u: {"twice_y": 2 * y.y})
    assert model.observable_names == ("twice_y",)


def test_every_bundled_model_passes_the_check():
    import pathjax

    for name in pathjax.models.available():
        assert pathjax.models.load(name).state_names  # built, so checked
