"""Real data sets shipped with gdcore (no download), and a seeded train/validation split.

The files live in ``gdcore/_data`` with their source and licence (``_data/README.md``).

Examples
--------
>>> data = breast_cancer()
>>> data.X.shape, int(data.y.sum())
((569, 30), 212)
>>> train, val = split(data, n_train=100, rng=0)
>>> train.X.shape, val.X.shape
((100, 30), (469, 30))
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ._validation import check_int
from .data import as_generator

__all__ = ["LabelledData", "breast_cancer", "digits", "split", "standardize"]


@dataclass(frozen=True)
class LabelledData:
    """Inputs ``X`` (one row per example), targets ``y`` and the names of the columns of ``X``.

    The arrays are read-only views of the loaded file; copy them to change them.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    name: str

    def __len__(self) -> int:
        return len(self.y)

    def rows(self, index: Any) -> LabelledData:
        """The examples ``index`` (an array of row numbers or a boolean mask)."""
        return LabelledData(
            _readonly(self.X[index]), _readonly(self.y[index]), self.feature_names, self.name
        )


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


@cache
def _table(filename: str) -> tuple[tuple[str, ...], np.ndarray]:
    raw = resources.files("gdcore").joinpath("_data", filename).read_bytes()
    text = (gzip.decompress(raw) if filename.endswith(".gz") else raw).decode("utf-8")
    header, *lines = text.strip().splitlines()
    values = np.array([[float(v) for v in line.split(",")] for line in lines])
    values.flags.writeable = False
    return tuple(header.split(",")), values


def breast_cancer() -> LabelledData:
    """The Breast Cancer Wisconsin (Diagnostic) data: 569 tumours, 30 features, 0/1 labels.

    ``y`` is 1 for a malignant tumour (212 of them) and 0 for a benign one (357). The features
    (mean, standard error and worst value of ten measurements of the cell nuclei in an image)
    have very different scales (areas in the hundreds, smoothness around 0.1): standardise
    them (:func:`standardize`) before gradient descent. Source and licence (CC BY 4.0):
    ``gdcore/_data/README.md``.
    """
    names, table = _table("breast_cancer.csv")
    return LabelledData(
        _readonly(table[:, :-1]), _readonly(table[:, -1]), names[:-1], "breast cancer (Wisconsin)"
    )


def digits() -> LabelledData:
    """The UCI optical handwritten digits (test set): 1797 images of 8 x 8 pixels, labels 0-9.

    ``X`` holds the 64 pixel values row by row (``feature_names`` ``pixel_r_c``), each an
    integer from 0 (white) to 16 (black): the number of dark pixels in a 4 x 4 block of the
    32 x 32 bitmap; ``y`` holds the digit, 0 to 9 (174 to 183 images each). The same values
    as scikit-learn's ``load_digits``. Source and licence (CC BY 4.0):
    ``gdcore/_data/README.md``.

    Examples
    --------
    >>> import numpy as np
    >>> data = digits()
    >>> data.X.shape, float(data.X.max()), np.bincount(data.y.astype(int)).tolist()
    ((1797, 64), 16.0, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    """
    names, table = _table("digits.csv.gz")
    return LabelledData(
        _readonly(table[:, :-1]), _readonly(table[:, -1]), names[:-1], "handwritten digits (UCI)"
    )


def split(data: LabelledData, n_train: int, rng: Any = 0) -> tuple[LabelledData, LabelledData]:
    """A random split into ``n_train`` training examples and the rest for validation.

    The permutation comes from ``numpy.random.default_rng(rng)`` (or the Generator given), so a
    seed gives the same split on every machine.
    """
    if not isinstance(data, LabelledData):
        raise TypeError(f"data must be a gdcore.datasets.LabelledData, got {type(data).__name__}")
    n_train = check_int("n_train", n_train, low=1, high=len(data) - 1)
    order = as_generator(rng).permutation(len(data))
    return data.rows(np.sort(order[:n_train])), data.rows(np.sort(order[n_train:]))


def standardize(train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Centre and scale every column by the *training* mean and standard deviation.

    .. math:: x_{ij} \\leftarrow (x_{ij} - m_j) / s_j

    with :math:`m_j, s_j` computed on ``train`` only (the validation data must not leak into
    the model). Returns the transformed ``train`` followed by each of ``others``.
    """
    train = np.asarray(train, dtype=float)
    if train.ndim != 2 or len(train) < 2:
        raise ValueError(f"train must be a 2-D array with at least 2 rows, got shape {train.shape}")
    m = train.mean(axis=0)
    s = train.std(axis=0)
    s = np.where(s > 0, s, 1.0)  # a constant column stays constant (zero)
    out = [(train - m) / s]
    for i, o in enumerate(others):
        o = np.asarray(o, dtype=float)
        if o.ndim != 2 or o.shape[1] != train.shape[1]:
            raise ValueError(
                f"others[{i}] must have shape (n, {train.shape[1]}) like train, got {o.shape}"
            )
        out.append((o - m) / s)
    return tuple(out)
