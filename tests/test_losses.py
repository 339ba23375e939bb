"""gdcore.losses: closed forms, backpropagation, mini-batches, vectorisation and validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore
from gdcore import check_grad, losses
from gdcore.data import linear_data, regression_1d, two_class_data

seeds = st.integers(0, 2**32 - 1)


def lin(n=40, p=3, seed=0):
    return linear_data(n, p, w=[1.0, -2.0, 0.5][:p], b=0.3, rng=seed)


def all_losses():
    X, y = lin()
    Xc, yc = two_class_data(60, rng=1)
    Xr, yr = regression_1d(30, rng=2)
    return {
        "mse": losses.mse(X, y),
        "bce": losses.bce(Xc, yc),
        "mlp_tanh_reg": losses.mlp(Xr, yr, hidden=6),
        "mlp_sigmoid_cls": losses.mlp(
            Xc, yc, hidden=4, activation="sigmoid", task="classification"
        ),
        "mlp_relu_reg": losses.mlp(X, y, hidden=5, activation="relu"),
        "mlp_tanh_cls": losses.mlp(Xc, yc, hidden=3, task="classification"),
    }


LOSSES = all_losses()
NAMES = sorted(LOSSES)


def random_params(f, rng, shape=()):
    if isinstance(f, losses.MLP):
        return f.init_params(rng, size=shape or None) + 0.1 * rng.normal(size=(*shape, f.dim))
    return rng.normal(size=(*shape, f.dim))


# -- common behaviour ----------
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=25)
@given(seed=seeds)
def test_gradient_matches_central_differences(name, seed, grad_error):
    f = LOSSES[name]
    rng = np.random.default_rng(seed)
    x = random_params(f, rng)
    assert grad_error(f, x) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_check_grad_on_several_points(name, rng):
    f = LOSSES[name]
    assert check_grad(f, random_params(f, rng, (4,))) < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_vectorised_over_a_grid_of_params(name, rng):
    f = LOSSES[name]
    P = random_params(f, rng, (5, 7))
    v, g = f.value_and_grad(P)
    assert v.shape == (5, 7) and g.shape == (5, 7, f.dim)
    np.testing.assert_array_equal(v, f.value(P))
    np.testing.assert_array_equal(g, f.grad(P))
    for i in range(5):
        for j in range(7):
            vi, gi = f.value_and_grad(P[i, j])
            assert v[i, j] == pytest.approx(float(vi), rel=1e-12)
            np.testing.assert_allclose(g[i, j], gi, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_on_batch_is_the_loss_on_the_sliced_data(name, rng):
    f = LOSSES[name]
    rows = rng.choice(f.n_samples, size=7, replace=False)
    sub = f.on_batch(rows)
    # the same kind of loss, built directly on the rows
    if isinstance(f, losses.MLP):
        direct = losses.mlp(
            f.X[rows], f.y[rows], hidden=f.hidden, activation=f.activation, task=f.task
        )
    else:
        direct = type(f)(f.X[rows], f.y[rows])
    x = random_params(f, rng, (3,))
    assert sub.n_samples == 7 and f.n_samples > 7
    np.testing.assert_allclose(sub(x), direct(x), rtol=1e-14)
    np.testing.assert_allclose(sub.grad(x), direct.grad(x), rtol=1e-12, atol=1e-15)
    v, g = sub.value_and_grad(x)
    np.testing.assert_array_equal(v, sub(x))
    np.testing.assert_array_equal(g, sub.grad(x))
    # the batch is a different loss from the full one, and the parent is untouched
    assert not np.allclose(sub(x), f(x))
    assert f.n_samples == len(f.y) == len(f.X)
    assert sub.dim == f.dim and sub.name == f.name
    assert sub.minima == ()


@pytest.mark.parametrize("name", NAMES)
def test_batches_average_to_the_full_gradient(name, rng):
    # equal-size batches that partition the rows: the mean batch gradient is the full gradient
    f = LOSSES[name]
    n = f.n_samples - f.n_samples % 5
    perm = rng.permutation(n)
    sub_full = f.on_batch(perm)
    x = random_params(f, rng)
    grads = [f.on_batch(rows).grad(x) for rows in np.split(perm, 5)]
    np.testing.assert_allclose(np.mean(grads, axis=0), sub_full.grad(x), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_wrong_parameter_length(name):
    f = LOSSES[name]
    with pytest.raises(ValueError, match=rf"params must have shape \(\.\.\., {f.dim}\)"):
        f(np.zeros(f.dim + 1))


@pytest.mark.parametrize("factory", [losses.mse, losses.bce, losses.mlp])
def test_rows_of_X_and_y_must_match(factory):
    with pytest.raises(ValueError, match=r"X and y .* X with 5 rows and y with 4"):
        factory(np.zeros((5, 2)), np.zeros(4))


@pytest.mark.parametrize("factory", [losses.mse, losses.bce, losses.mlp])
@pytest.mark.parametrize(
    ("X", "y", "exc", "match"),
    [
        ("abc", [0.0], TypeError, "X"),
        ([["a", "b"]], [0.0], TypeError, "X"),
        (np.zeros((3, 2)), ["a", "b", "c"], TypeError, "y"),
        (np.zeros((3, 2)), None, TypeError, "y"),
        (np.zeros((3, 2, 1)), np.zeros(3), ValueError, "X must have shape"),
        (np.zeros((0, 2)), np.zeros(0), ValueError, "X must have shape"),
        (np.zeros((3, 2)), np.zeros((3, 1)), ValueError, "y must be one-dimensional"),
        (np.full((3, 2), np.nan), np.zeros(3), ValueError, "X must be finite"),
        (np.zeros((3, 2)), [0.0, np.inf, 0.0], ValueError, "y must be finite"),
    ],
)
def test_data_validation(factory, X, y, exc, match):
    with pytest.raises(exc, match=match):
        factory(X, y)


def test_one_feature_may_be_a_vector():
    x = np.array([0.0, 1.0, 2.0])
    f = losses.mse(x, 2 * x + 1)
    assert f.dim == 2 and f.n_features == 1 and f.X.shape == (3, 1)
    assert f([2.0, 1.0]) == 0.0
    np.testing.assert_array_equal(f.predict([2.0, 1.0], [5.0, 6.0]), [11.0, 13.0])


@pytest.mark.parametrize(
    "make, labels",
    [(losses.mse, False), (losses.bce, True), (lambda X, y: losses.mlp(X, y, hidden=2), False)],
)
def test_data_is_copied_so_later_changes_do_not_alter_the_loss(make, labels):
    X, y = lin(100, 3)
    if labels:
        y = (y > 0).astype(float)
    f = make(X, y)
    theta = np.full(f.dim, 0.1)
    before = f(theta)
    X[...] = 0.0
    y[...] = 1.0
    assert f(theta) == before


# -- mse ----------
def test_mse_value_and_gradient_closed_form(rng):
    X, y = lin(50, 3)
    f = losses.mse(X, y)
    A = np.column_stack([X, np.ones(50)])
    theta = rng.normal(size=4)
    r = A @ theta - y
    assert f(theta) == pytest.approx(np.mean(r**2), rel=1e-14)
    np.testing.assert_allclose(f.grad(theta), 2 / 50 * A.T @ r, rtol=1e-13)
    # the gradient is affine: grad(theta) = H theta - 2/n A^T y with H = 2/n A^T A
    H = 2 / 50 * A.T @ A
    np.testing.assert_allclose(f.grad(theta), H @ theta - 2 / 50 * A.T @ y, rtol=1e-11)


def test_mse_minimum_is_least_squares():
    X, y = lin(80, 3, seed=5)
    f = losses.mse(X, y)
    A = np.column_stack([X, np.ones(80)])
    sol = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(f.minimum, sol, rtol=1e-12, atol=1e-14)
    assert np.linalg.norm(f.grad(sol)) < 1e-13
    assert np.linalg.norm(f.grad(f.minimum)) < 1e-13
    assert f.min_value == pytest.approx(np.mean((A @ sol - y) ** 2), rel=1e-12)
    # and it is the minimum: any step away increases the loss
    assert f(sol + 1e-3) > f(sol)


def test_mse_rank_deficient_minimum_is_minimum_norm():
    X = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])  # second column = 2 x first
    y = np.array([1.0, 2.0, 2.5])
    f = losses.mse(X, y)
    A = np.column_stack([X, np.ones(3)])
    sol = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(f.minimum, sol, atol=1e-10)
    assert np.linalg.norm(f.grad(f.minimum)) < 1e-10


def test_mse_default_domain_holds_origin_and_minimum():
    f = losses.mse(*linear_data())
    lo, hi = f.domain.T
    assert f.domain.shape == (2, 2)
    assert np.all(lo < 0) and np.all(hi > 0)
    assert np.all(lo < f.minimum) and np.all(f.minimum < hi)
    g = losses.mse(*linear_data(), domain=[(-1, 5), (-2, 2)])
    np.testing.assert_array_equal(g.domain, [[-1.0, 5.0], [-2.0, 2.0]])


def test_mse_predict(rng):
    X, y = lin(20, 3)
    f = losses.mse(X, y)
    theta = rng.normal(size=4)
    np.testing.assert_allclose(f.predict(theta), X @ theta[:3] + theta[3], rtol=1e-14)
    Xn = rng.normal(size=(6, 3))
    np.testing.assert_allclose(f.predict(theta, Xn), Xn @ theta[:3] + theta[3], rtol=1e-14)
    assert f.predict(rng.normal(size=(2, 5, 4)), Xn).shape == (2, 5, 6)
    with pytest.raises(ValueError, match="X must have 3 feature"):
        f.predict(theta, np.zeros((2, 2)))


def test_mse_converges_to_the_true_model_with_little_noise():
    data = linear_data(500, 2, noise=0.01, w=[3.0, -1.0], b=0.5, rng=3)
    f = losses.mse(data.X, data.y)
    traj = gdcore.run(gdcore.SGD(lr=0.1), f, np.zeros(3), steps=500)
    np.testing.assert_allclose(traj.x, data.theta, atol=5e-3)
    np.testing.assert_allclose(traj.x, f.minimum, atol=1e-10)


def test_mse_minibatch_run_uses_on_batch():
    f = losses.mse(*lin(64, 3))
    traj = gdcore.run(gdcore.SGD(lr=0.05), f, np.zeros(4), steps=400, batch_size=8)
    assert traj.status == "max_steps"
    assert traj.fun < 1.5 * f.min_value


# -- bce ----------
def naive_bce(X, y, theta):
    p = 1.0 / (1.0 + np.exp(-(X @ theta[:-1] + theta[-1])))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), p


@given(seed=seeds)
def test_bce_matches_the_naive_formula_on_tame_inputs(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 2))
    y = (rng.uniform(size=30) < 0.5).astype(float)
    theta = rng.uniform(-2, 2, size=3)
    f = losses.bce(X, y)
    value, p = naive_bce(X, y, theta)
    assert f(theta) == pytest.approx(value, rel=1e-12)
    A = np.column_stack([X, np.ones(30)])
    np.testing.assert_allclose(f.grad(theta), A.T @ (p - y) / 30, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(f.predict(theta), p, rtol=1e-13)


def test_bce_stays_finite_on_huge_logits():
    X = np.array([[1.0], [-1.0], [2.0], [-3.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    f = losses.bce(X, y)
    theta = np.array([1e4, 0.0])  # logits 1e4, -1e4, 2e4, -3e4: two right, two very wrong
    v, g = f.value_and_grad(theta)  # RuntimeWarnings are errors in this suite
    assert np.isfinite(v) and np.all(np.isfinite(g))
    assert v == pytest.approx((2e4 + 3e4) / 4, rel=1e-15)
    # the two wrong rows each contribute (p - y) x / n = (1)(2)/4 and (-1)(-3)/4
    np.testing.assert_allclose(g, [(2.0 + 3.0) / 4, (1.0 - 1.0) / 4], rtol=1e-15)
    theta = np.array([1e300, 0.0])
    v, g = f.value_and_grad(theta)
    assert np.all(np.isfinite(g))
    p = f.predict(np.array([-1e5, 0.0]))
    np.testing.assert_array_equal(p, [0.0, 1.0, 0.0, 1.0])


def test_bce_labels_and_accuracy():
    with pytest.raises(ValueError, match="y must hold class labels"):
        losses.bce(np.zeros((3, 1)), [0.0, 1.0, 2.0])
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    f = losses.bce(X, [0.0, 0.0, 1.0, 1.0])
    assert f.accuracy([1.0, 0.0]) == 1.0
    assert f.accuracy([-1.0, 0.0]) == 0.0
    np.testing.assert_array_equal(f.accuracy([[1.0, 0.0], [1.0, 1.5]]), [1.0, 0.75])
    assert f.minima == () and f.domain is None


def test_bce_at_zero_is_log_2():
    Xc, yc = two_class_data(50, rng=4)
    assert losses.bce(Xc, yc)(np.zeros(3)) == pytest.approx(np.log(2.0), rel=1e-15)


# -- mlp ----------
def test_mlp_unpack_layout_and_pack_roundtrip(rng):
    Xr, yr = linear_data(10, 3, rng=0)
    f = losses.mlp(Xr, yr, hidden=4)
    assert f.dim == 4 * 3 + 4 + 4 + 1
    theta = np.arange(f.dim, dtype=float)
    W1, b1, W2, b2 = f.unpack(theta)
    np.testing.assert_array_equal(W1, np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(b1, [12.0, 13.0, 14.0, 15.0])
    np.testing.assert_array_equal(W2, [16.0, 17.0, 18.0, 19.0])
    assert b2 == 20.0
    np.testing.assert_array_equal(f.pack(W1, b1, W2, b2), theta)
    P = rng.normal(size=(2, 3, f.dim))
    parts = f.unpack(P)
    assert [a.shape for a in parts] == [(2, 3, 3, 4), (2, 3, 4), (2, 3, 4), (2, 3)]
    np.testing.assert_array_equal(f.pack(*parts), P)
    with pytest.raises(ValueError, match="W1"):
        f.pack(np.zeros((2, 4)), b1, W2, b2)


def test_mlp_forward_matches_a_direct_formula(rng):
    Xr, yr = regression_1d(25, rng=0)
    for activation, phi in [
        ("tanh", np.tanh),
        ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
        ("relu", lambda a: np.maximum(a, 0)),
    ]:
        f = losses.mlp(Xr, yr, hidden=5, activation=activation)
        theta = rng.normal(size=f.dim)
        W1, b1, W2, b2 = f.unpack(theta)
        out = phi(Xr @ W1 + b1) @ W2 + b2
        np.testing.assert_allclose(f.predict(theta), out, rtol=1e-12)
        assert f(theta) == pytest.approx(np.mean((out - yr) ** 2), rel=1e-12)
    Xc, yc = two_class_data(40, rng=0)
    g = losses.mlp(Xc, yc, hidden=3, task="classification")
    theta = rng.normal(size=g.dim)
    W1, b1, W2, b2 = g.unpack(theta)
    logit = np.tanh(Xc @ W1 + b1) @ W2 + b2
    p = 1 / (1 + np.exp(-logit))
    np.testing.assert_allclose(g.predict(theta), p, rtol=1e-12)
    assert g(theta) == pytest.approx(-np.mean(yc * np.log(p) + (1 - yc) * np.log(1 - p)), rel=1e-12)
    assert 0.0 <= g.accuracy(theta) <= 1.0


def test_mlp_init_params_is_seeded_and_scaled():
    Xr, yr = linear_data(10, 3, rng=0)
    f = losses.mlp(Xr, yr, hidden=50)
    a, b = f.init_params(7), f.init_params(np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, f.init_params(8))
    W1, b1, W2, b2 = f.unpack(f.init_params(0, size=200))
    assert np.all(b1 == 0) and np.all(b2 == 0)
    assert np.std(W1) == pytest.approx(np.sqrt(2 / (3 + 50)), rel=0.05)
    assert np.std(W2) == pytest.approx(np.sqrt(2 / 51), rel=0.05)
    g = losses.mlp(Xr, yr, hidden=50, activation="relu")
    assert np.std(g.unpack(g.init_params(0, size=200))[0]) == pytest.approx(
        np.sqrt(2 / 3), rel=0.05
    )
    assert f.init_params(0, size=(2, 3)).shape == (2, 3, f.dim)
    with pytest.raises(TypeError, match="rng"):
        f.init_params("seed")


def test_mlp_learns_a_curve_a_line_cannot():
    Xr, yr = regression_1d(100, rng=0)
    f = losses.mlp(Xr, yr, hidden=8)
    traj = gdcore.run(gdcore.Adam(lr=0.02), f, f.init_params(0), steps=1500)
    line = losses.mse(Xr, yr)
    assert traj.fun < 0.05 < line.min_value


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"hidden": 0}, ValueError, "hidden"),
        ({"hidden": 2.5}, TypeError, "hidden"),
        ({"activation": "softmax"}, ValueError, "activation"),
        ({"task": "ranking"}, ValueError, "task"),
    ],
)
def test_mlp_argument_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        losses.mlp(np.zeros((3, 1)), np.zeros(3), **kwargs)


def test_mlp_classification_needs_labels():
    with pytest.raises(ValueError, match="y must hold class labels"):
        losses.mlp(np.zeros((3, 1)), [0.0, 1.0, -1.0], task="classification")
    f = losses.mlp(np.zeros((3, 1)), [0.0, 1.0, -1.0])
    with pytest.raises(ValueError, match="classification"):
        f.accuracy(np.zeros(f.dim))


def test_a_domain_with_the_wrong_number_of_rows_is_refused():
    X, y = lin(20, 2)
    with pytest.raises(ValueError, match=r"domain.*3 rows"):
        losses.mse(X, y, domain=[(-1, 1), (-1, 1)])
