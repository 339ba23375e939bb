"""The Objective class, numerical_grad and check_grad."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gdcore
from gdcore import Objective, check_grad, numerical_grad


def sphere() -> Objective:
    """f(x) = sum x_i^2 with its exact gradient."""
    return Objective(
        lambda x: np.sum(x * x, axis=-1),
        lambda x: 2.0 * x,
        name="sphere",
        domain=[(-1, 1), (-2, 2)],
        minima=[(0.0, 0.0)],
    )


# -- construction ----------
def test_attributes_and_call():
    f = sphere()
    assert f.name == "sphere"
    assert f.dim == 2
    np.testing.assert_array_equal(f.domain, [[-1.0, 1.0], [-2.0, 2.0]])
    assert f.domain.dtype == np.float64
    assert len(f.minima) == 1
    np.testing.assert_array_equal(f.minimum, [0.0, 0.0])
    assert f.min_value == 0.0
    assert f([3.0, 4.0]) == 25.0 == f.value([3, 4])
    np.testing.assert_array_equal(f.grad([3.0, 4.0]), [6.0, 8.0])
    v, g = f.value_and_grad([1.0, 2.0])
    assert v == 5.0
    np.testing.assert_array_equal(g, [2.0, 4.0])
    assert f.n_samples is None
    assert repr(f) == "Objective(name='sphere', dim=2)"


def test_value_and_grad_prefers_the_shared_callable():
    calls = []

    def vg(x):
        calls.append(x.shape)
        return np.sum(x, axis=-1), np.ones_like(x)

    f = Objective(lambda x: 0 * x[..., 0], lambda x: 0 * x, value_and_grad=vg, dim=3)
    v, g = f.value_and_grad([1.0, 2.0, 3.0])
    assert v == 6.0 and calls == [(3,)]
    np.testing.assert_array_equal(g, np.ones(3))
    assert f(np.zeros(3)) == 0.0  # value() does not use value_and_grad


def test_inputs_are_converted_to_float_arrays():
    seen = []
    f = Objective(lambda x: seen.append(x.dtype) or x[..., 0], lambda x: x, dim=1)
    f([1])
    f(np.array([1], dtype=np.int32))
    assert seen == [np.float64, np.float64]


def test_dim_is_inferred_from_domain_then_minima():
    f = Objective(lambda x: x[..., 0], lambda x: x, minima=[(1.0, 2.0, 3.0)])
    assert f.dim == 3
    g = Objective(lambda x: x[..., 0], lambda x: x)
    assert g.dim is None and g.minimum is None and g.min_value is None and g.domain is None


def test_name_defaults_to_the_value_function_name():
    def bowl(x):
        return x[..., 0] ** 2

    assert Objective(bowl, lambda x: 2 * x).name == "bowl"


def test_several_minima_first_is_the_minimum():
    f = Objective(lambda x: (x[..., 0] ** 2 - 1) ** 2, lambda x: x, minima=[(1.0,), (-1.0,)])
    assert len(f.minima) == 2
    np.testing.assert_array_equal(f.minimum, [1.0])
    assert f.min_value == 0.0


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"value": 3}, TypeError, "value"),
        ({"grad": "no"}, TypeError, "grad"),
        ({"value_and_grad": 1}, TypeError, "value_and_grad"),
        ({"domain": [1, 2, 3]}, ValueError, "domain"),
        ({"domain": [(0, 1, 2)]}, ValueError, "domain"),
        ({"domain": [(1, 0), (0, 1)]}, ValueError, "domain"),
        ({"domain": [(0, 1), (0, 1)], "minima": [(0.0, 0.0, 0.0)]}, ValueError, "minima"),
        ({"dim": 2, "minima": [(0.0,)]}, ValueError, "minima"),
        ({"dim": "2"}, TypeError, "dim"),
        ({"dim": 2.0}, TypeError, "dim"),
        ({"dim": 0}, ValueError, "dim"),
        ({"dim": 3, "domain": [(0, 1), (0, 1)]}, ValueError, r"domain.*3 rows.*got 2"),
        ({"domain": [(0, np.inf)]}, ValueError, "domain"),
        ({"name": 3}, TypeError, "name"),
    ],
)
def test_constructor_validation(kwargs, exc, match):
    args = {"value": lambda x: x[..., 0], "grad": lambda x: x}
    args.update(kwargs)
    value, grad = args.pop("value"), args.pop("grad")
    with pytest.raises(exc, match=match):
        Objective(value, grad, **args)


def test_domain_and_minima_are_copied():
    domain = np.array([[-1.0, 1.0], [-2.0, 2.0]])
    minimum = np.array([0.0, 0.0])
    f = Objective(lambda x: np.sum(x * x, -1), lambda x: 2 * x, domain=domain, minima=[minimum])
    domain[:] = 7.0
    minimum[:] = 7.0
    assert f.domain.tolist() == [[-1.0, 1.0], [-2.0, 2.0]]
    assert f.minimum.tolist() == [0.0, 0.0]


def test_plain_function_has_no_batches():
    with pytest.raises(TypeError, match="not a loss on data"):
        sphere().on_batch(np.arange(3))


# -- numerical gradient ----------
def sin_exp() -> Objective:
    def value(x):
        return np.sin(x[..., 0]) * np.exp(0.5 * x[..., 1]) + x[..., 2] ** 3

    def grad(x):
        s, c, e = np.sin(x[..., 0]), np.cos(x[..., 0]), np.exp(0.5 * x[..., 1])
        return np.stack([c * e, 0.5 * s * e, 3 * x[..., 2] ** 2], axis=-1)

    return Objective(value, grad, dim=3)


@given(arrays(np.float64, 3, elements=st.floats(-2, 2)))
def test_numerical_grad_matches_known_gradient(x):
    f = sin_exp()
    np.testing.assert_allclose(numerical_grad(f, x), f.grad(x), rtol=1e-7, atol=1e-8)


def test_numerical_grad_is_vectorised_and_exact_on_quadratics(rng):
    f = sphere()
    x = rng.normal(size=(4, 5, 2))
    gn = numerical_grad(f, x)
    assert gn.shape == (4, 5, 2)
    # central differences are exact for quadratics up to rounding
    np.testing.assert_allclose(gn, 2 * x, rtol=1e-8, atol=1e-8)


def test_numerical_grad_accepts_plain_callables():
    gn = numerical_grad(lambda x: np.sum(np.cos(x), axis=-1), np.array([0.3, -1.2]))
    np.testing.assert_allclose(gn, -np.sin([0.3, -1.2]), rtol=1e-8)


@pytest.mark.parametrize(
    ("h", "x", "exc", "match"),
    [
        (0.0, [1.0], ValueError, "h"),
        (-1e-6, [1.0], ValueError, "h"),
        (1e-6, 1.0, ValueError, "x"),
        (1e-6, "a", TypeError, "x"),
    ],
)
def test_numerical_grad_validation(h, x, exc, match):
    with pytest.raises(exc, match=match):
        numerical_grad(sphere(), x, h=h)


# -- check_grad ----------
def test_check_grad_accepts_a_right_gradient(rng):
    assert check_grad(sin_exp(), rng.normal(size=3)) < 1e-8
    assert check_grad(sin_exp(), rng.normal(size=(6, 3))) < 1e-8


def test_check_grad_detects_a_wrong_gradient(rng):
    f = sin_exp()
    wrong = Objective(f.value, lambda x: f.grad(x) * np.array([1.0, 1.0, 0.9]), dim=3)
    x = np.array([0.4, 0.2, 1.5])
    assert check_grad(wrong, x) > 1e-3
    # a sign error is as wrong as it gets: relative error 1
    flipped = Objective(f.value, lambda x: -f.grad(x), dim=3)
    assert check_grad(flipped, x) == pytest.approx(1.0)


def test_check_grad_reports_the_worst_point_of_a_stack():
    f = sphere()
    # wrong only where x[0] > 0
    bad = Objective(f.value, lambda x: np.where(x[..., :1] > 0, 3 * x, 2 * x), dim=2)
    x = np.array([[-1.0, 1.0], [-2.0, 0.5], [1.0, 1.0]])
    assert check_grad(bad, x[:2]) < 1e-8
    assert check_grad(bad, x) > 0.1


def test_check_grad_rejects_non_objectives():
    with pytest.raises(TypeError, match="objective"):
        check_grad(lambda x: x, [1.0])


def test_flat_namespace():
    assert gdcore.check_grad is check_grad and gdcore.Objective is Objective


# -- check_grad at the minima: a floor on the problem's scale --------------------------------------
def _all_minima():
    F, Ls = gdcore.functions, gdcore.losses
    data = gdcore.data.linear_data(50, n_features=2, rng=3)
    objs = [
        F.parabola(),
        F.double_well(),
        F.quadratic(),
        F.quadratic([[2.0, 1.0], [1.0, 3.0]], [1.0, -1.0]),
        F.rosenbrock(),
        F.rosenbrock(a=2.0, b=10.0),
        F.beale(),
        F.booth(),
        F.himmelblau(),
        F.rastrigin(3),
        Ls.mse(data.X, data.y),
    ]
    return [(f.name, f, m) for f in objs for m in f.minima]


MINIMA = _all_minima()


@pytest.mark.parametrize(("name", "f", "m"), MINIMA, ids=[f"{n}@{m}" for n, _, m in MINIMA])
def test_check_grad_calls_a_right_gradient_right_at_every_minimum(name, f, m):
    assert check_grad(f, m) < 1e-8
    # and near it, where the gradient is tiny but not zero
    assert check_grad(f, m + 1e-7) < 1e-6


@pytest.mark.parametrize(("name", "f", "m"), MINIMA, ids=[f"{n}@{m}" for n, _, m in MINIMA])
@pytest.mark.parametrize(
    "plant",
    [
        lambda g, x: g + 1e-3,  # a small constant offset
        lambda g, x: 2.0 * g + 0.01 * (x + 1.0),  # wrong scale and a wrong term
        lambda g, x: g[..., ::-1] + 0.01,  # swapped components
    ],
    ids=["offset", "scale", "swap"],
)
def test_check_grad_calls_a_planted_wrong_gradient_wrong_at_every_minimum(name, f, m, plant):
    wrong = Objective(f.value, lambda x: plant(f.grad(x), x), dim=f.dim)
    assert check_grad(wrong, m) > 1e-4


def test_check_grad_floor_makes_the_minimum_of_rosenbrock_pass():
    # the relative error with nothing to be relative to was 1.0 here
    R = gdcore.functions.rosenbrock()
    assert check_grad(R, [1.0, 1.0]) < 1e-8
    assert check_grad(R, [[1.0, 1.0], [-1.2, 1.0]]) < 1e-8
