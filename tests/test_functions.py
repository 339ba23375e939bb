"""gdcore.functions: formulas, gradients, minima, vectorisation and argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gdcore
from gdcore import check_grad, functions

# every factory with default arguments, and a few non-default ones
FACTORIES = {
    "parabola": functions.parabola,
    "double_well": functions.double_well,
    "double_well_neg": lambda: functions.double_well(tilt=-0.8),
    "quadratic": functions.quadratic,
    "quadratic_full": lambda: functions.quadratic([[3.0, 1.0], [1.0, 2.0]], centre=[1.0, -1.0]),
    "quadratic_4d": lambda: functions.quadratic(curvatures=[0.5, 1.0, 2.0, 4.0]),
    "rosenbrock": functions.rosenbrock,
    "rosenbrock_a2": lambda: functions.rosenbrock(a=2.0, b=10.0),
    "beale": functions.beale,
    "booth": functions.booth,
    "himmelblau": functions.himmelblau,
    "rastrigin": functions.rastrigin,
    "rastrigin_3d": lambda: functions.rastrigin(dim=3, A=5.0),
    "saddle": functions.saddle,
}
NAMES = sorted(FACTORIES)


def points_in_domain(f, u):
    """Map u in [0, 1]^(..., d) into f's plotting box."""
    lo, hi = f.domain[:, 0], f.domain[:, 1]
    return lo + u * (hi - lo)


unit_points = arrays(np.float64, 4, elements=st.floats(0.0, 1.0))


@pytest.mark.parametrize("name", NAMES)
def test_is_an_objective_with_a_domain(name):
    f = FACTORIES[name]()
    assert isinstance(f, gdcore.Objective)
    assert f.domain.shape == (f.dim, 2)
    assert isinstance(f.name, str) and f.name
    for m in f.minima:
        assert m.shape == (f.dim,)
        # every listed minimiser is inside the plotting box
        assert np.all((f.domain[:, 0] < m) & (m < f.domain[:, 1]))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=25)
@given(u=unit_points)
def test_gradient_matches_central_differences(name, u, grad_error):
    f = FACTORIES[name]()
    x = points_in_domain(f, u[: f.dim] if f.dim <= 4 else u)
    assert grad_error(f, x) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_check_grad_on_a_random_sample(name, rng):
    f = FACTORIES[name]()
    x = points_in_domain(f, rng.uniform(0.05, 0.95, size=(20, f.dim)))
    assert check_grad(f, x) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_value_and_grad_agree_with_value_and_grad(name, rng):
    f = FACTORIES[name]()
    x = points_in_domain(f, rng.uniform(size=(3, f.dim)))
    v, g = f.value_and_grad(x)
    np.testing.assert_array_equal(v, f.value(x))
    np.testing.assert_array_equal(g, f.grad(x))


@pytest.mark.parametrize("name", NAMES)
def test_vectorised_over_a_grid(name, rng):
    f = FACTORIES[name]()
    x = points_in_domain(f, rng.uniform(size=(5, 7, f.dim)))
    v, g = f.value(x), f.grad(x)
    assert v.shape == (5, 7) and g.shape == (5, 7, f.dim)
    for i in range(5):
        for j in range(7):
            assert v[i, j] == pytest.approx(float(f.value(x[i, j])), rel=1e-13, abs=1e-13)
            np.testing.assert_allclose(g[i, j], f.grad(x[i, j]), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", NAMES)
def test_minima_have_zero_gradient_and_are_lowest_nearby(name, rng):
    f = FACTORIES[name]()
    for m in f.minima:
        v, g = f.value_and_grad(m)
        assert np.linalg.norm(g) < 1e-12
        # a local minimum: every nearby point is higher
        near = m + 1e-3 * rng.normal(size=(50, f.dim))
        assert np.all(f(near) > v)


@pytest.mark.parametrize(
    ("name", "minimum"),
    [
        ("parabola", (0.0,)),
        ("quadratic", (0.0, 0.0)),
        ("quadratic_full", (1.0, -1.0)),
        ("rosenbrock", (1.0, 1.0)),
        ("rosenbrock_a2", (2.0, 4.0)),
        ("beale", (3.0, 0.5)),
        ("booth", (1.0, 3.0)),
        ("rastrigin", (0.0, 0.0)),
        ("rastrigin_3d", (0.0, 0.0, 0.0)),
    ],
)
def test_known_minimum_value_zero(name, minimum):
    f = FACTORIES[name]()
    np.testing.assert_array_equal(f.minimum, minimum)
    assert f.min_value == 0.0
    np.testing.assert_array_equal(f.grad(np.array(minimum)), np.zeros(len(minimum)))


# -- reference values ----------
@pytest.mark.parametrize(
    ("name", "x", "value"),
    [
        ("parabola", [4.0], 16.0),
        ("parabola", [-3.0], 9.0),
        ("quadratic", [1.0, 1.0], 5.5),
        ("quadratic_full", [2.0, 0.0], 0.5 * (3 + 2 + 2)),
        ("rosenbrock", [0.0, 0.0], 1.0),
        ("rosenbrock", [-1.0, 1.0], 4.0),
        ("rosenbrock", [-1.5, 2.0], 2.5**2 + 100 * 0.25**2),
        ("beale", [0.0, 0.0], 1.5**2 + 2.25**2 + 2.625**2),
        ("beale", [1.0, 1.0], 1.5**2 + 2.25**2 + 2.625**2),
        ("booth", [0.0, 0.0], 74.0),
        ("himmelblau", [0.0, 0.0], 170.0),
        ("rastrigin", [1.0, 0.5], 1.0 + 0.25 + 20.0),
        ("rastrigin_3d", [1.0, 1.0, 1.0], 3.0),
        ("saddle", [1.0, 2.0], -3.0),
        ("double_well", [2.0], 4.0 - 4.0 + 1.0),
        ("double_well_neg", [1.0], 0.25 - 1.0 - 0.8),
    ],
)
def test_reference_values(name, x, value):
    assert FACTORIES[name]()(x) == pytest.approx(value, rel=1e-14)


def test_rosenbrock_gradient_by_hand():
    f = functions.rosenbrock()
    # at (0, 0): (-2(1-0) - 0, 0)
    np.testing.assert_array_equal(f.grad([0.0, 0.0]), [-2.0, 0.0])
    # at (-1, 1): valley floor, only the first term pulls: (-2 * 2, 0)
    np.testing.assert_array_equal(f.grad([-1.0, 1.0]), [-4.0, 0.0])
    np.testing.assert_array_equal(f.domain, [[-2.0, 2.0], [-1.0, 3.0]])


def test_rosenbrock_domain_follows_the_minimum():
    f = functions.rosenbrock(a=2.0)
    lo, hi = f.domain.T
    assert np.all(lo < f.minimum) and np.all(f.minimum < hi)


# -- himmelblau ----------
def test_himmelblau_has_four_exact_minima():
    f = functions.himmelblau()
    assert len(f.minima) == 4
    approx = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for m, a in zip(f.minima, approx, strict=True):
        np.testing.assert_allclose(m, a, atol=1e-6)
        v, g = f.value_and_grad(m)
        assert v < 1e-30  # one ulp off already gives f > 1e-29
        assert np.max(np.abs(g)) < 1e-13
    # full precision: each listed minimum is the float nearest the true one, i.e. one Newton step
    # from it moves it by less than half a unit in the last place
    for m in f.minima:
        x, y = m
        p, q = x * x + y - 11, x + y * y - 7
        hess = np.array(
            [[4 * p + 8 * x * x + 2, 4 * x + 4 * y], [4 * x + 4 * y, 4 * q + 8 * y * y + 2]]
        )
        step = np.linalg.solve(hess, f.grad(m))
        assert np.all(np.abs(step) < 0.5 * np.spacing(np.abs(m)))


def test_himmelblau_start_decides_which_minimum():
    f = functions.himmelblau()
    starts = np.array([[4.0, 4.0], [-4.0, 4.0], [-4.0, -4.0], [4.0, -4.0]])
    traj = gdcore.run(gdcore.SGD(lr=0.01), f, starts, steps=2000)
    np.testing.assert_allclose(traj.x, np.array(f.minima), atol=1e-6)


# -- quadratic ----------
def test_quadratic_default_is_diag_1_10():
    f = functions.quadratic()
    np.testing.assert_array_equal(f.A, np.diag([1.0, 10.0]))
    np.testing.assert_array_equal(f.hessian(np.zeros(f.dim)), f.A)
    np.testing.assert_array_equal(f.curvatures, [1.0, 10.0])
    assert f.L == 10.0 and f.mu == 1.0 and f.condition_number == 10.0
    assert 2 / f.L == 0.2
    np.testing.assert_array_equal(f.centre, [0.0, 0.0])
    np.testing.assert_array_equal(f.domain, [[-5.0, 5.0], [-5.0, 5.0]])
    assert f.name == "quadratic diag(1, 10)"


def test_quadratic_curvatures_keep_axis_order():
    f = functions.quadratic(curvatures=(10, 1), centre=(1, 2))
    np.testing.assert_array_equal(f.curvatures, [10.0, 1.0])
    np.testing.assert_array_equal(f.eigenvectors, np.eye(2))
    np.testing.assert_array_equal(f.grad([2.0, 3.0]), [10.0, 1.0])
    np.testing.assert_array_equal(f.domain, [[-4.0, 6.0], [-3.0, 7.0]])


def test_quadratic_full_matrix_spectrum(rng):
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    lam = np.array([0.5, 2.0, 8.0])
    A = Q @ np.diag(lam) @ Q.T
    A = 0.5 * (A + A.T)
    f = functions.quadratic(A)
    np.testing.assert_allclose(f.curvatures, lam, rtol=1e-12)
    assert f.L == pytest.approx(8.0) and f.mu == pytest.approx(0.5)
    assert f.condition_number == pytest.approx(16.0)
    V = f.eigenvectors
    np.testing.assert_allclose(A @ V, V * f.curvatures, atol=1e-12)
    # value and gradient against the textbook formula
    x = rng.normal(size=3)
    assert f(x) == pytest.approx(0.5 * x @ A @ x, rel=1e-12)
    np.testing.assert_allclose(f.grad(x), A @ x, rtol=1e-12)


def test_quadratic_step_size_limit_is_2_over_L():
    f = functions.quadratic(curvatures=(1.0, 10.0))
    lrs = np.array([0.19, 0.21])[:, None]
    traj = gdcore.run(gdcore.SGD(lr=lrs), f, [1.0, 1.0], steps=300)
    assert list(traj.status) == ["max_steps", "diverged"]


def test_quadratic_singular_is_allowed():
    f = functions.quadratic(curvatures=(0.0, 2.0))
    assert f.mu == 0.0 and f.condition_number == math.inf
    assert f([5.0, 0.0]) == 0.0  # the whole x axis is minimal
    g = functions.quadratic([[1.0, 1.0], [1.0, 1.0]])
    assert g.mu == pytest.approx(0.0, abs=1e-15) and g.L == pytest.approx(2.0)


def test_quadratic_one_dimensional():
    f = functions.quadratic(curvatures=2.0)
    assert f.dim == 1
    assert f([4.0]) == 16.0 == functions.parabola()([4.0])


@pytest.mark.parametrize(
    ("args", "kwargs", "exc", "match"),
    [
        (([[1.0, 2.0], [0.0, 1.0]],), {}, ValueError, "symmetric"),
        (([[1.0, 0.0], [0.0, -1.0]],), {}, ValueError, "positive semi-definite"),
        (([1.0, 2.0],), {}, ValueError, "square"),
        (([[1.0, np.nan], [np.nan, 1.0]],), {}, ValueError, "finite"),
        (("ab",), {}, TypeError, "A"),
        ((np.eye(2),), {"curvatures": (1, 2)}, ValueError, "not both"),
        ((), {"curvatures": (1, -2)}, ValueError, "curvatures"),
        ((), {"curvatures": []}, ValueError, "curvatures"),
        ((), {"curvatures": [[1, 2]]}, ValueError, "curvatures"),
        ((), {"curvatures": (1, 2), "centre": (1, 2, 3)}, ValueError, "centre"),
        ((), {"centre": (1, np.inf)}, ValueError, "centre"),
        ((), {"centre": "x"}, TypeError, "centre"),
    ],
)
def test_quadratic_validation(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        functions.quadratic(*args, **kwargs)


# -- 1-D curves ----------
def test_parabola():
    f = functions.parabola()
    assert f.dim == 1
    np.testing.assert_array_equal(f.domain, [[-5.0, 5.0]])
    assert f([4.0]) == 16.0
    np.testing.assert_array_equal(f.grad([4.0]), [8.0])
    # gradient descent multiplies w by (1 - 2 lr): lr = 0.25 halves it each step
    traj = gdcore.run(gdcore.SGD(lr=0.25), f, [4.0], steps=3)
    np.testing.assert_array_equal(traj.params[:, 0], [4.0, 2.0, 1.0, 0.5])


def test_double_well_minima_and_hill_top():
    f = functions.double_well()
    assert f.tilt == 0.5
    glob, loc = f.minima
    (loc2,) = f.local_minima
    (top,) = f.local_maxima
    np.testing.assert_array_equal(loc, loc2)
    assert f(glob) < f(loc)
    np.testing.assert_allclose(
        [glob[0], top[0], loc[0]], [-1.525687, 0.258652, 1.267035], atol=1e-6
    )
    for w in (glob, loc, top):
        assert abs(w[0] ** 3 - 2 * w[0] + 0.5) < 1e-14  # stationary: f'(w) = 0
    # the hill top is a maximum, the minima are minima (sign of f'' = 3w^2 - 2)
    assert 3 * top[0] ** 2 - 2 < 0 < 3 * loc[0] ** 2 - 2
    # the start decides: right of the hill top gradient descent ends in the local minimum
    traj = gdcore.run(gdcore.SGD(lr=0.05), f, [[2.0], [-2.0], [0.3], [0.2]], steps=2000)
    np.testing.assert_allclose(traj.x[:, 0], [loc[0], glob[0], loc[0], glob[0]], atol=1e-8)


def test_double_well_negative_tilt_swaps_the_wells():
    f = functions.double_well(tilt=-0.5)
    assert f.minimum[0] > 0 > f.local_minima[0][0]


def test_double_well_no_tilt_has_two_global_minima():
    f = functions.double_well(tilt=0.0)
    assert f.local_minima == ()
    np.testing.assert_allclose(sorted(m[0] for m in f.minima), [-math.sqrt(2), math.sqrt(2)])
    assert f(f.minima[0]) == pytest.approx(f(f.minima[1]))


@pytest.mark.parametrize(("tilt", "exc"), [(1.1, ValueError), (-2.0, ValueError), ("a", TypeError)])
def test_double_well_validation(tilt, exc):
    with pytest.raises(exc, match="tilt"):
        functions.double_well(tilt=tilt)


# -- saddle, rastrigin, rosenbrock arguments ----------
def test_saddle_has_no_minima():
    f = functions.saddle()
    assert f.minima == () and f.minimum is None and f.min_value is None
    np.testing.assert_array_equal(f.saddle_points[0], [0.0, 0.0])
    np.testing.assert_array_equal(f.grad(f.saddle_points[0]), [0.0, 0.0])
    np.testing.assert_array_equal(f.domain, [[-2.0, 2.0], [-2.0, 2.0]])


def test_rastrigin_local_minima_near_integers():
    f = functions.rastrigin()
    traj = gdcore.run(gdcore.SGD(lr=0.001), f, [1.1, -2.1], steps=2000)
    np.testing.assert_allclose(traj.x, [0.99496, -1.98991], atol=1e-4)
    assert traj.fun > 1.0  # stuck in a local minimum


def test_rastrigin_with_A_zero_is_a_bowl(rng):
    x = rng.normal(size=(4, 5))
    np.testing.assert_allclose(functions.rastrigin(dim=5, A=0.0)(x), np.sum(x * x, axis=-1))


@pytest.mark.parametrize(
    ("factory", "kwargs", "exc", "match"),
    [
        (functions.rastrigin, {"dim": 0}, ValueError, "dim"),
        (functions.rastrigin, {"dim": 2.0}, TypeError, "dim"),
        (functions.rastrigin, {"A": -1.0}, ValueError, "A"),
        (functions.rosenbrock, {"b": 0.0}, ValueError, "b"),
        (functions.rosenbrock, {"a": np.nan}, ValueError, "a"),
        (functions.rosenbrock, {"a": "1"}, TypeError, "a"),
    ],
)
def test_argument_validation(factory, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        factory(**kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_point_dimension_is_an_error(name):
    f = FACTORIES[name]()
    with pytest.raises(ValueError, match=rf"shape \(\.\.\., {f.dim}\)"):
        f(np.zeros(f.dim + 1))
    with pytest.raises(ValueError, match="shape"):
        f.grad(np.zeros((3, f.dim + 1)))


def test_quadratic_diagonal_bowl_scales_to_a_million_parameters():
    # a dense 10^6 x 10^6 matrix would need 8 TB: the diagonal bowl never forms it
    d = 1_000_000
    f = functions.quadratic(curvatures=np.linspace(1.0, 10.0, d))
    x = np.ones(d)
    assert f(x) == pytest.approx(0.5 * np.sum(np.linspace(1.0, 10.0, d)), rel=1e-12)
    np.testing.assert_array_equal(f.grad(x), f.curvatures)
    assert f.L == 10.0 and f.mu == 1.0 and f.name == "quadratic diag (d=1000000)"


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: functions.rastrigin(dim="2"), TypeError, "dim"),
        (lambda: functions.rastrigin(dim=2.0), TypeError, "dim"),
        (
            lambda: functions.quadratic(curvatures=[1.0, 2.0], domain=[(-1, 1)]),
            ValueError,
            "domain",
        ),
        (
            lambda: functions.quadratic(curvatures=[1.0], domain=[(-1, 1), (-1, 1)]),
            ValueError,
            "domain",
        ),
    ],
)
def test_constructors_reject_a_string_dim_and_a_domain_with_the_wrong_rows(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
