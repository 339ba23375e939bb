"""gdcore.datasets: the shipped data sets (breast cancer, digits), the split, standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore import datasets


def test_breast_cancer_is_the_wisconsin_diagnostic_data():
    data = datasets.breast_cancer()
    assert data.X.shape == (569, 30)
    assert len(data.feature_names) == 30 and data.feature_names[0] == "mean_radius"
    assert set(np.unique(data.y)) == {0.0, 1.0}
    assert int(data.y.sum()) == 212  # malignant; 357 benign
    # first row of the UCI file: mean radius 17.99, worst fractal dimension 0.1189, malignant
    assert data.X[0, 0] == 17.99 and data.X[0, -1] == 0.1189 and data.y[0] == 1.0


def test_loaded_arrays_are_read_only():
    data = datasets.breast_cancer()
    with pytest.raises(ValueError):
        data.X[0, 0] = 1.0
    assert datasets.breast_cancer().X[0, 0] == 17.99


def test_split_is_seeded_disjoint_and_complete():
    data = datasets.breast_cancer()
    a_train, a_val = datasets.split(data, n_train=60, rng=0)
    b_train, _ = datasets.split(data, n_train=60, rng=0)
    c_train, _ = datasets.split(data, n_train=60, rng=1)
    assert np.array_equal(a_train.X, b_train.X)
    assert not np.array_equal(a_train.X, c_train.X)
    assert len(a_train) == 60 and len(a_val) == 509
    rows = {tuple(r) for r in a_train.X} | {tuple(r) for r in a_val.X}
    assert rows == {tuple(r) for r in data.X}  # every example once (the rows are distinct)


def test_standardize_uses_the_training_statistics_only():
    rng = np.random.default_rng(0)
    train, val = rng.normal(3.0, 2.0, size=(50, 4)), rng.normal(size=(20, 4))
    t, v = datasets.standardize(train, val)
    assert np.allclose(t.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(t.std(axis=0), 1.0)
    assert np.allclose(v, (val - train.mean(axis=0)) / train.std(axis=0))


def test_standardize_keeps_a_constant_column_finite():
    (t,) = datasets.standardize(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]))
    assert np.all(np.isfinite(t)) and np.all(t[:, 1] == 0.0)


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: datasets.split(datasets.breast_cancer(), n_train=0), ValueError, "n_train"),
        (lambda: datasets.split(datasets.breast_cancer(), n_train=569), ValueError, "n_train"),
        (lambda: datasets.split(np.zeros((3, 2)), n_train=1), TypeError, "data"),
        (lambda: datasets.standardize(np.zeros(3)), ValueError, "train"),
        (lambda: datasets.standardize(np.zeros((3, 2)), np.zeros((3, 3))), ValueError, "others"),
    ],
)
def test_bad_input_names_the_argument(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


def test_digits_are_scikit_learns_copy_of_the_uci_test_set():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    reference = sklearn_datasets.load_digits()
    data = datasets.digits()
    np.testing.assert_array_equal(data.X, reference.data)
    np.testing.assert_array_equal(data.y, reference.target)
    assert data.feature_names[:2] == ("pixel_0_0", "pixel_0_1")
    assert len(data.feature_names) == 64
    assert not data.X.flags.writeable


def test_digits_counts_and_pixel_range():
    data = datasets.digits()
    assert data.X.shape == (1797, 64)
    assert np.bincount(data.y.astype(int)).tolist() == [
        178,
        182,
        177,
        183,
        181,
        182,
        181,
        179,
        174,
        180,
    ]
    assert data.X.min() == 0.0 and data.X.max() == 16.0
    assert np.all(data.X == np.round(data.X))
