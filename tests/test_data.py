"""gdcore.data: seeded synthetic datasets and the mini-batch iterator."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

import gdcore
from gdcore import data, losses
from gdcore.data import (
    Dataset,
    as_generator,
    linear_data,
    minibatches,
    regression_1d,
    two_class_data,
)

GENERATORS = {
    "linear_data": linear_data,
    "two_class_data": two_class_data,
    "regression_1d": regression_1d,
}


def linearly_separable(X, y) -> bool:
    """Exact test: is there (w, b) with (2y - 1)(x.w + b) >= 1 for every row? (an LP)."""
    s = 2.0 * y - 1.0
    A = -s[:, None] * np.column_stack([X, np.ones(len(X))])
    res = linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(X)), bounds=(None, None))
    return res.status == 0


# -- reproducibility and shapes ----------
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_seeded_and_reproducible(name):
    make = GENERATORS[name]
    a, b = make(rng=3), make(rng=3)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    c = make(rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.X, c.X)
    d = make(rng=4)
    assert not np.array_equal(a.X, d.X)
    # the default seed is fixed too
    np.testing.assert_array_equal(make().X, make(rng=0).X)


def test_generator_argument_is_advanced():
    gen = np.random.default_rng(0)
    first, second = linear_data(rng=gen), linear_data(rng=gen)
    assert not np.array_equal(first.X, second.X)


def test_linear_data_shapes_and_truth():
    ds = linear_data(n=50, n_features=3, noise=0.0, w=[1.0, -2.0, 0.5], b=4.0, rng=1)
    assert isinstance(ds, Dataset)
    assert ds.X.shape == (50, 3) and ds.y.shape == (50,)
    assert ds.n_samples == 50 and ds.n_features == 3
    np.testing.assert_array_equal(ds.w, [1.0, -2.0, 0.5])
    assert ds.b == 4.0
    np.testing.assert_array_equal(ds.theta, [1.0, -2.0, 0.5, 4.0])
    # without noise y is exactly the linear model
    np.testing.assert_allclose(ds.y, ds.X @ ds.w + ds.b, rtol=1e-14)
    X, y = ds  # unpacks as (X, y)
    assert X is ds.X and y is ds.y
    assert repr(ds) == "Dataset(n_samples=50, n_features=3, w=[1.0, -2.0, 0.5], b=4)"


def test_linear_data_defaults_line_y_2x_plus_1():
    ds = linear_data()
    assert ds.X.shape == (100, 1)
    np.testing.assert_array_equal(ds.w, [2.0])
    assert ds.b == 1.0
    resid = ds.y - (2.0 * ds.X[:, 0] + 1.0)
    assert np.std(resid) == pytest.approx(0.5, rel=0.2)
    # the least-squares fit recovers the line
    np.testing.assert_allclose(losses.mse(*ds).minimum, [2.0, 1.0], atol=0.2)


def test_linear_data_scalar_w_is_broadcast():
    np.testing.assert_array_equal(linear_data(n_features=4, w=-1.5).w, np.full(4, -1.5))


def test_two_class_data_shapes_and_balance():
    ds = two_class_data(n=101)
    assert ds.X.shape == (101, 2) and ds.y.shape == (101,)
    assert ds.y.dtype == np.float64
    assert set(np.unique(ds.y)) == {0.0, 1.0}
    assert int(np.sum(ds.y == 0)) == 50 and int(np.sum(ds.y == 1)) == 51
    assert ds.w is None and ds.b is None and ds.theta is None
    # shuffled: the labels are not sorted
    assert not np.all(np.diff(ds.y) >= 0)


@pytest.mark.parametrize("kind", ["moons", "blobs"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_classes_are_not_linearly_separable(kind, seed):
    X, y = two_class_data(200, kind=kind, rng=seed)
    assert not linearly_separable(X, y)


def test_separability_check_can_say_yes():
    # the same moons without noise and pulled apart are separable: the check is not vacuous
    X, y = two_class_data(200, noise=0.0, rng=0)
    X = X + np.where(y[:, None] == 1, 5.0, 0.0)
    assert linearly_separable(X, y)


def test_best_line_misclassifies_some_moons():
    ds = two_class_data(200, rng=0)
    f = losses.bce(*ds)
    # gradient descent close to the optimum of the convex loss: accuracy stays below 1
    traj = gdcore.run(gdcore.SGD(lr=1.0), f, np.zeros(3), steps=2000)
    assert 0.75 < f.accuracy(traj.x) < 1.0


def test_regression_1d():
    ds = regression_1d(n=80, noise=0.0, rng=2)
    assert ds.X.shape == (80, 1) and ds.y.shape == (80,)
    assert np.all(np.abs(ds.X) <= 3.0)
    np.testing.assert_allclose(ds.y, np.sin(ds.X[:, 0]), rtol=1e-15)


# -- argument validation ----------
@pytest.mark.parametrize(
    ("make", "kwargs", "exc", "match"),
    [
        (linear_data, {"n": 0}, ValueError, "n must"),
        (linear_data, {"n": 10.0}, TypeError, "n must"),
        (linear_data, {"n_features": 0}, ValueError, "n_features"),
        (linear_data, {"noise": -1.0}, ValueError, "noise"),
        (linear_data, {"noise": "big"}, TypeError, "noise"),
        (linear_data, {"n_features": 2, "w": [1.0, 2.0, 3.0]}, ValueError, "w must"),
        (linear_data, {"w": np.nan}, ValueError, "w must"),
        (linear_data, {"b": np.inf}, ValueError, "b must"),
        (linear_data, {"rng": "seed"}, TypeError, "rng"),
        (linear_data, {"rng": -1}, ValueError, "rng"),
        (linear_data, {"rng": 1.5}, TypeError, "rng"),
        (two_class_data, {"n": 1}, ValueError, "n must"),
        (two_class_data, {"kind": "circles"}, ValueError, "kind"),
        (two_class_data, {"noise": -0.1}, ValueError, "noise"),
        (regression_1d, {"n": -5}, ValueError, "n must"),
        (regression_1d, {"noise": np.nan}, ValueError, "noise"),
    ],
)
def test_generator_validation(make, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make(**kwargs)


def test_as_generator():
    gen = np.random.default_rng(1)
    assert as_generator(gen) is gen
    assert as_generator(5).integers(1000) == np.random.default_rng(5).integers(1000)
    assert as_generator(None).integers(1000) == np.random.default_rng(0).integers(1000)
    with pytest.raises(TypeError, match="rng"):
        as_generator(True)


# -- minibatches ----------
@pytest.mark.parametrize(
    ("n", "batch_size"),
    [(1, 1), (7, 1), (7, 3), (7, 7), (10, 3), (10, 4), (10, 5), (64, 7), (64, 16), (64, 64)],
)
def test_minibatches_cover_every_row_once_per_epoch(n, batch_size):
    it = minibatches(n, batch_size, np.random.default_rng(0))
    per_epoch = -(-n // batch_size)
    epochs = []
    for _ in range(3):
        batches = [next(it) for _ in range(per_epoch)]
        sizes = [len(b) for b in batches]
        assert sizes[:-1] == [batch_size] * (per_epoch - 1)
        assert sizes[-1] == n - batch_size * (per_epoch - 1)  # the smaller last batch
        rows = np.concatenate(batches)
        np.testing.assert_array_equal(np.sort(rows), np.arange(n))
        epochs.append(rows)
    if n > 3:
        assert not np.array_equal(epochs[0], epochs[1])  # reshuffled every epoch


@given(n=st.integers(1, 200), data_=st.data())
def test_minibatches_epoch_property(n, data_):
    batch_size = data_.draw(st.integers(1, n))
    it = minibatches(n, batch_size, np.random.default_rng(n))
    per_epoch = -(-n // batch_size)
    rows = np.concatenate([next(it) for _ in range(per_epoch)])
    np.testing.assert_array_equal(np.sort(rows), np.arange(n))


def test_minibatches_full_batch_yields_all_rows_in_order():
    for rows in itertools.islice(minibatches(5, None), 3):
        np.testing.assert_array_equal(rows, np.arange(5))


def test_minibatches_is_seeded():
    a = list(itertools.islice(minibatches(20, 6, np.random.default_rng(1)), 8))
    b = list(itertools.islice(minibatches(20, 6, np.random.default_rng(1)), 8))
    c = list(itertools.islice(minibatches(20, 6), 8))  # default: seed 0
    d = list(itertools.islice(minibatches(20, 6, np.random.default_rng(0)), 8))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(c, d, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        ((0, 1), ValueError, "n_samples"),
        ((5.0, 1), TypeError, "n_samples"),
        ((5, 0), ValueError, "batch_size"),
        ((5, 6), ValueError, "batch_size"),
        ((5, 2.5), TypeError, "batch_size"),
        ((5, 2, 7), TypeError, "rng"),
    ],
)
def test_minibatches_validation(args, exc, match):
    with pytest.raises(exc, match=match):
        next(minibatches(*args))


def test_public_names():
    for name in data.__all__:
        assert hasattr(data, name)
