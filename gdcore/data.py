"""Data: seeded synthetic datasets and the mini-batch iterator.

Every function that draws random numbers takes a ``numpy.random.Generator`` (or a seed), so
the same call gives the same data on every machine.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import as_float_array, check_int, check_real

__all__ = [
    "Dataset",
    "as_generator",
    "linear_data",
    "minibatches",
    "regression_1d",
    "two_class_data",
]


def as_generator(rng: Any) -> np.random.Generator:
    """``rng`` as a ``numpy.random.Generator``: a Generator is returned as it is, an integer
    ``>= 0`` is a seed, ``None`` means seed 0 (gdcore is deterministic by default)."""
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(check_int("rng", rng, low=0))
    raise TypeError(
        f"rng must be a numpy.random.Generator or an integer seed, got {type(rng).__name__}"
    )


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A synthetic dataset: inputs ``X`` ``(n, p)``, targets ``y`` ``(n,)`` and, for data from
    a known linear model, the true ``w`` ``(p,)`` and ``b``.

    It unpacks as ``X, y = dataset``; the true parameters are attributes (``None`` when the
    data has no true linear model). ``theta`` is ``[w, b]``, the flat parameter vector that
    :func:`gdcore.losses.mse` uses.
    """

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None = None
    b: float | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        yield self.X
        yield self.y

    @property
    def n_samples(self) -> int:
        """Number of rows ``n``."""
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        """Number of input columns ``p``."""
        return self.X.shape[1]

    @property
    def theta(self) -> np.ndarray | None:
        """The true parameters ``[w_1, ..., w_p, b]`` (``None`` without a true model)."""
        return None if self.w is None else np.append(self.w, self.b)

    def __repr__(self) -> str:
        extra = "" if self.w is None else f", w={np.round(self.w, 6).tolist()}, b={self.b:g}"
        return f"Dataset(n_samples={self.n_samples}, n_features={self.n_features}{extra})"


def linear_data(
    n: int = 100,
    n_features: int = 1,
    *,
    noise: float = 0.5,
    w: Any = 2.0,
    b: float = 1.0,
    rng: Any = 0,
) -> Dataset:
    """Noisy data from a linear model, for linear regression.

    .. math::

        x_i \\sim \\mathcal N(0, I_p), \\qquad y_i = x_i^\\top w + b + \\varepsilon_i,
        \\qquad \\varepsilon_i \\sim \\mathcal N(0, \\sigma^2)

    Parameters
    ----------
    n
        Number of rows (>= 1).
    n_features
        Number of input columns :math:`p` (>= 1).
    noise
        Standard deviation :math:`\\sigma \\ge 0` of the noise on ``y``.
    w
        True weights: a number (the same for every feature) or a sequence of ``n_features``
        numbers. Default 2, so with one feature the data lie around the line :math:`y = 2x + 1`.
    b
        True intercept.
    rng
        ``numpy.random.Generator`` or integer seed.

    Returns
    -------
    Dataset
        ``X`` ``(n, n_features)``, ``y`` ``(n,)`` and the true ``w``, ``b``.

    Examples
    --------
    >>> import gdcore
    >>> d = gdcore.data.linear_data(100, n_features=2, rng=0)
    >>> d.X.shape, d.y.shape
    ((100, 2), (100,))
    """
    n = check_int("n", n, low=1)
    n_features = check_int("n_features", n_features, low=1)
    noise = check_real("noise", noise, low=0.0)
    w_arr = as_float_array("w", w)
    if w_arr.ndim == 0:
        w_arr = np.full(n_features, float(w_arr))
    if w_arr.shape != (n_features,):
        raise ValueError(
            f"w must be a number or have n_features={n_features} entries, got shape {w_arr.shape}"
        )
    check_real("w", w_arr)
    b = check_real("b", b)
    gen = as_generator(rng)
    X = gen.standard_normal((n, n_features))
    y = X @ w_arr + b + noise * gen.standard_normal(n)
    return Dataset(X, y, w_arr.copy(), b)


def two_class_data(
    n: int = 200, *, kind: str = "moons", noise: float | None = None, rng: Any = 0
) -> Dataset:
    """Two classes that no straight line separates, for classification.

    ``kind="moons"`` (default): two interleaving half circles (class 0 the upper arc
    :math:`(\\cos t, \\sin t)`, class 1 the lower arc :math:`(1 - \\cos t, \\tfrac12 - \\sin t)`,
    :math:`t \\sim U[0, \\pi]`) plus Gaussian noise of standard deviation ``noise`` (default
    0.2). A straight boundary gets most points right but not all; a curved one (a small
    network) can do better.

    ``kind="blobs"``: two overlapping Gaussian clouds centred at :math:`(-1, -1)` and
    :math:`(1, 1)` with standard deviation ``noise`` (default 1.0): the classic setting of
    logistic regression, where the best line still misclassifies the overlap.

    Returns
    -------
    Dataset
        ``X`` ``(n, 2)`` and labels ``y`` ``(n,)`` as floats 0.0/1.0 (so they feed
        :func:`gdcore.losses.bce` directly), with :math:`\\lfloor n/2 \\rfloor` rows of class 0,
        in shuffled order.
    """
    n = check_int("n", n, low=2)
    if kind not in ("moons", "blobs"):
        raise ValueError(f"kind must be 'moons' or 'blobs', got {kind!r}")
    if noise is None:
        noise = 0.2 if kind == "moons" else 1.0
    noise = check_real("noise", noise, low=0.0)
    gen = as_generator(rng)
    n0 = n // 2
    y = np.zeros(n)
    y[n0:] = 1.0
    if kind == "moons":
        t = gen.uniform(0.0, math.pi, n)
        X = np.where(
            (y == 0.0)[:, None],
            np.stack([np.cos(t), np.sin(t)], axis=-1),
            np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=-1),
        )
    else:
        X = np.where((y == 0.0)[:, None], -1.0, 1.0) * np.ones((n, 2))
    X = X + noise * gen.standard_normal((n, 2))
    order = gen.permutation(n)
    return Dataset(X[order], y[order])


def regression_1d(n: int = 100, *, noise: float = 0.1, rng: Any = 0) -> Dataset:
    """Noisy samples of a curve, for fitting a small network (one feature).

    .. math:: x_i \\sim U[-3, 3], \\qquad y_i = \\sin x_i + \\varepsilon_i,
        \\qquad \\varepsilon_i \\sim \\mathcal N(0, \\sigma^2)

    A straight line cannot follow the curve (linear regression leaves a large error); a
    network with a few ``tanh`` units can. Returns ``X`` ``(n, 1)`` (unsorted) and ``y`` ``(n,)``.
    """
    n = check_int("n", n, low=1)
    noise = check_real("noise", noise, low=0.0)
    gen = as_generator(rng)
    x = gen.uniform(-3.0, 3.0, n)
    y = np.sin(x) + noise * gen.standard_normal(n)
    return Dataset(x[:, None], y)


def minibatches(
    n_samples: int, batch_size: int | None, rng: np.random.Generator | None = None
) -> Iterator[np.ndarray]:
    """Endless row indices for mini-batch gradient descent, reshuffled every epoch.

    ``batch_size=None`` yields all rows every time (full batch, no shuffling); ``1`` one row
    (stochastic); ``k`` the next ``k`` rows of a fresh permutation each epoch. When ``k`` does
    not divide ``n_samples`` the last batch of an epoch is smaller, so every row is used exactly
    once per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from gdcore.data import minibatches
    >>> batches = minibatches(5, 2, np.random.default_rng(0))
    >>> sorted(np.concatenate([next(batches) for _ in range(3)]).tolist())   # one epoch
    [0, 1, 2, 3, 4]
    """
    n_samples = check_int("n_samples", n_samples, low=1)
    if batch_size is None:
        rows = np.arange(n_samples)
        while True:
            yield rows
    batch_size = check_int("batch_size", batch_size, low=1, high=n_samples)
    if rng is None:
        rng = np.random.default_rng(0)
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    while True:
        perm = rng.permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            yield perm[start : start + batch_size]
