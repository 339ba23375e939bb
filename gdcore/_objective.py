"""The :class:`Objective`: a differentiable function with its analytic gradient.

An objective maps a parameter vector :math:`x \\in \\mathbb{R}^d` to a loss :math:`f(x)`. Both
callables work on stacks: ``value(x)`` takes ``x`` of shape ``(..., d)`` and returns shape
``(...)``; ``grad(x)`` returns shape ``(..., d)``. Leading axes are independent points (a
plotting grid) or independent runs (a learning-rate sweep), so one call does them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._validation import as_float_array

Array = np.ndarray
ValueFn = Callable[[Array], Array]
GradFn = Callable[[Array], Array]


class Objective:
    """A function to minimise, with its gradient, plotting box and known minimisers.

    Parameters
    ----------
    value, grad
        Callables taking ``x`` of shape ``(..., d)``; ``value`` returns ``(...)``, ``grad``
        returns ``(..., d)`` with :math:`\\nabla f(x)` along the last axis.
    name
        A short human-readable name used in plots and messages.
    domain
        The plotting box, one ``(low, high)`` pair per coordinate, e.g. ``((-2, 2), (-1, 3))``.
    minima
        Known minimisers, each a length-``d`` sequence. For a function with several minima
        list them all; the first is taken as *the* minimum.
    value_and_grad
        Optional callable returning ``(value(x), grad(x))`` in one pass; used by :func:`gdcore.run`
        when present because it shares work between the two.
    dim
        Number of parameters ``d``. Inferred from ``domain`` or ``minima`` when omitted.
    hessian
        Optional callable returning the Hessian :math:`\nabla^2 f(x)`, shape ``(..., d, d)``
        for ``x`` of shape ``(..., d)``. Without it, :meth:`hessian` differentiates the
        analytic gradient numerically.

    Notes
    -----
    Calling the objective, ``f(x)``, returns ``f.value(x)``.
    """

    def __init__(
        self,
        value: ValueFn,
        grad: GradFn,
        *,
        name: str | None = None,
        domain: Sequence[Sequence[float]] | None = None,
        minima: Sequence[Sequence[float]] = (),
        value_and_grad: Callable[[Array], tuple[Array, Array]] | None = None,
        dim: int | None = None,
        hessian: Callable[[Array], Array] | None = None,
    ) -> None:
        if not callable(value):
            raise TypeError(f"value must be callable, got {type(value).__name__}")
        if not callable(grad):
            raise TypeError(f"grad must be callable, got {type(grad).__name__}")
        if value_and_grad is not None and not callable(value_and_grad):
            raise TypeError("value_and_grad must be callable or None")
        self._value = value
        self._grad = grad
        self._value_and_grad = value_and_grad
        if hessian is not None and not callable(hessian):
            raise TypeError(f"hessian must be callable or None, got {type(hessian).__name__}")
        self._hessian = hessian
        self.name = name if name is not None else getattr(value, "__name__", "objective")
        self.domain = None if domain is None else np.asarray(domain, dtype=float)
        if self.domain is not None and (self.domain.ndim != 2 or self.domain.shape[1] != 2):
            raise ValueError(
                f"domain must be a sequence of (low, high) pairs, got shape {self.domain.shape}"
            )
        if self.domain is not None and np.any(self.domain[:, 0] >= self.domain[:, 1]):
            raise ValueError("domain must have low < high for every coordinate")
        self.minima = tuple(np.asarray(m, dtype=float) for m in minima)
        if dim is None:
            if self.domain is not None:
                dim = self.domain.shape[0]
            elif self.minima:
                dim = self.minima[0].shape[-1]
        self.dim = dim
        for m in self.minima:
            if dim is not None and m.shape != (dim,):
                raise ValueError(f"each of minima must have shape ({dim},), got {m.shape}")

    # -- evaluation --------------------------------------------------------------------------
    def value(self, x: Any) -> Array:
        """:math:`f(x)` for ``x`` of shape ``(..., d)``; returns shape ``(...)``."""
        return self._value(np.asarray(x, dtype=float))

    def grad(self, x: Any) -> Array:
        """:math:`\\nabla f(x)` for ``x`` of shape ``(..., d)``; returns shape ``(..., d)``."""
        return self._grad(np.asarray(x, dtype=float))

    def value_and_grad(self, x: Any) -> tuple[Array, Array]:
        """``(f(x), grad f(x))`` in one call (one shared pass when the objective provides it)."""
        x = np.asarray(x, dtype=float)
        if self._value_and_grad is not None:
            return self._value_and_grad(x)
        return self._value(x), self._grad(x)

    def hessian(self, x: Any) -> Array:
        """The Hessian :math:`\nabla^2 f(x)`, shape ``(..., d, d)`` for ``x`` of shape ``(..., d)``.

        The objective's own (analytic) Hessian when it has one; otherwise central differences
        of the analytic gradient, :math:`H_{ij} \\approx (\\partial_j f(x + h e_i) -
        \\partial_j f(x - h e_i)) / 2h` with :math:`h = 10^{-5}`, symmetrised.
        """
        x = np.asarray(x, dtype=float)
        if self._hessian is not None:
            return np.asarray(self._hessian(x), dtype=float)
        h = 1e-5
        eye = np.eye(x.shape[-1]) * h
        H = (self._grad(x[..., None, :] + eye) - self._grad(x[..., None, :] - eye)) / (2.0 * h)
        return 0.5 * (H + np.swapaxes(H, -1, -2))

    def __call__(self, x: Any) -> Array:
        return self.value(x)

    # -- data-backed objectives ------------------------------------------------------------------
    #: number of data rows for a loss on data; ``None`` for a plain function
    n_samples: int | None = None

    def on_batch(self, rows: Array) -> Objective:
        """The same loss restricted to the data rows ``rows`` (only for losses on data)."""
        raise TypeError(f"{self.name!r} is not a loss on data, so it has no mini-batches")

    @property
    def minimum(self) -> Array | None:
        """The first known minimiser, or ``None``."""
        return self.minima[0] if self.minima else None

    @property
    def min_value(self) -> float | None:
        """:math:`f` at the first known minimiser, or ``None``."""
        return None if not self.minima else float(self.value(self.minima[0]))

    def __repr__(self) -> str:
        return f"Objective(name={self.name!r}, dim={self.dim})"


def numerical_grad(f: Callable[[Array], Any], x: Any, h: float = 1e-6) -> Array:
    """Central-difference gradient of a scalar function.

    .. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}

    The error is :math:`O(h^2)` from truncation plus :math:`O(\\epsilon / h)` from rounding, so
    ``h = 1e-6`` is close to the best step in float64 for functions of order one.

    ``f`` may be an :class:`Objective` or any callable that accepts ``(..., d)`` arrays;
    ``x`` may be a point ``(d,)`` or a stack ``(..., d)``.
    """
    from ._validation import check_real

    h = check_real("h", h, low=0.0, low_open=True)
    x = as_float_array("x", x)
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the parameter vector), got a scalar")
    d = x.shape[-1]
    eye = np.eye(d) * h
    # shape (..., d, d): row i is x + h e_i
    plus = x[..., None, :] + eye
    minus = x[..., None, :] - eye
    return (np.asarray(f(plus)) - np.asarray(f(minus))) / (2.0 * h)


def check_grad(objective: Objective, x: Any, h: float = 1e-6) -> float:
    """Relative error between the analytic and the numerical gradient at ``x``.

    .. math::
        \\frac{\\lVert g_a - g_n \\rVert}
             {\\max(\\lVert g_a \\rVert + \\lVert g_n \\rVert, 10^{-12})}

    Values around ``1e-8`` or below mean the analytic gradient is right; ``1e-3`` or above
    means it is wrong. For a stack of points the largest error is returned.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be a gdcore.Objective, got {type(objective).__name__}")
    x = as_float_array("x", x)
    ga = objective.grad(x)
    gn = numerical_grad(objective, x, h)
    num = np.linalg.norm(ga - gn, axis=-1)
    den = np.maximum(np.linalg.norm(ga, axis=-1) + np.linalg.norm(gn, axis=-1), 1e-12)
    return float(np.max(num / den))
