"""Data: seeded synthetic datasets and the mini-batch iterator.

Every function that draws random numbers takes a ``numpy.random.Generator`` (or a seed), so
the same call gives the same data on every machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._validation import check_int

__all__ = ["minibatches"]


def minibatches(
    n_samples: int, batch_size: int | None, rng: np.random.Generator | None = None
) -> Iterator[np.ndarray]:
    """Endless row indices for mini-batch gradient descent, reshuffled every epoch.

    ``batch_size=None`` yields all rows every time (full batch, no shuffling); ``1`` one row
    (stochastic); ``k`` the next ``k`` rows of a fresh permutation each epoch. When ``k`` does
    not divide ``n_samples`` the last batch of an epoch is smaller, so every row is used exactly
    once per epoch.
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
