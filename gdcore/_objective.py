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

from ._validation import as_float_array, check_int, check_real

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
        Optional callable returning the Hessian :math:`\\nabla^2 f(x)`, shape ``(..., d, d)``
        for ``x`` of shape ``(..., d)``. Without it, :meth:`hessian` differentiates the
        analytic gradient numerically.

    Notes
    -----
    Calling the objective, ``f(x)``, returns ``f.value(x)``. ``domain`` and ``minima`` are
    copied: changing the arrays given later does not change the objective.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> f = gdcore.Objective(
    ...     lambda x: np.sum(x * x, axis=-1),    # f(x) = |x|^2, one value per point
    ...     lambda x: 2 * x,                     # its gradient, one row per point
    ...     name="bowl",
    ...     domain=[(-2, 2), (-2, 2)],
    ...     minima=[(0.0, 0.0)],
    ... )
    >>> f.dim, f([1.0, 2.0]), f(np.ones((3, 2)))   # a stack of points is one call
    (2, np.float64(5.0), array([2., 2., 2.]))
    >>> gdcore.run(gdcore.SGD(lr=0.25), f, [1.0, 2.0], steps=2).params
    array([[1.  , 2.  ],
           [0.5 , 1.  ],
           [0.25, 0.5 ]])
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
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")
        self.name = name if name is not None else getattr(value, "__name__", "objective")
        if dim is not None:
            dim = check_int("dim", dim, low=1)
        # copies: changing the caller's arrays later does not change the objective
        self.domain = None if domain is None else np.array(as_float_array("domain", domain))
        if self.domain is not None and (self.domain.ndim != 2 or self.domain.shape[1] != 2):
            raise ValueError(
                f"domain must be a sequence of (low, high) pairs, got shape {self.domain.shape}"
            )
        if self.domain is not None and not np.all(np.isfinite(self.domain)):
            raise ValueError("domain must be finite (no NaN or infinity)")
        if self.domain is not None and np.any(self.domain[:, 0] >= self.domain[:, 1]):
            raise ValueError("domain must have low < high for every coordinate")
        self.minima = tuple(
            np.array(as_float_array(f"minima[{i}]", m)) for i, m in enumerate(minima)
        )
        if dim is None:
            if self.domain is not None:
                dim = self.domain.shape[0]
            elif self.minima:
                dim = self.minima[0].shape[-1]
        self.dim = dim
        if self.domain is not None and self.domain.shape[0] != dim:
            raise ValueError(
                f"domain must have one (low, high) row per coordinate, {dim} rows for dim={dim}, "
                f"got {self.domain.shape[0]}"
            )
        for i, m in enumerate(self.minima):
            if dim is not None and m.shape != (dim,):
                raise ValueError(f"minima[{i}] must have shape ({dim},), got {m.shape}")

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
        """The Hessian :math:`\\nabla^2 f(x)`, shape ``(..., d, d)``, at ``x`` (shape ``(..., d)``).

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

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> g = gdcore.numerical_grad(lambda x: np.sum(np.sin(x), axis=-1), np.array([0.0, 1.0]))
    >>> np.allclose(g, np.cos([0.0, 1.0]), atol=1e-9)
    True
    """
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
    r"""Error of the analytic gradient against the central-difference one at ``x``.

    .. math::
        \frac{\lVert g_a - g_n \rVert}
             {\max\left(\lVert g_a \rVert + \lVert g_n \rVert,\ s\right)},
        \qquad s = \frac{1 + |f(x)|}{1 + \lVert x \rVert}

    with :math:`g_a` the objective's ``grad(x)`` and :math:`g_n` :func:`numerical_grad`. Away
    from stationary points it is the relative error of the two gradients. The floor :math:`s`
    is a gradient on the problem's own scale (one that would change :math:`f` by about its size
    over the distance :math:`\lVert x \rVert`): where the gradient vanishes, as at a minimum,
    the difference is measured against it rather than against zero, so a correct gradient
    still checks as correct there.

    Values around ``1e-8`` or below mean the analytic gradient is right; ``1e-4`` or above
    means it is wrong (the central difference itself is good to about ``1e-9`` for functions of
    order one). For a stack of points the largest error is returned.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> R = gdcore.functions.rosenbrock()
    >>> gdcore.check_grad(R, [-1.2, 1.0]) < 1e-8
    True
    >>> gdcore.check_grad(R, [1.0, 1.0]) < 1e-8        # at the minimum too
    True
    >>> off = gdcore.Objective(R.value, lambda x: R.grad(x) + 0.01, dim=2)
    >>> round(gdcore.check_grad(off, [1.0, 1.0]), 3)   # a gradient off by 0.01 everywhere
    0.034
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be a gdcore.Objective, got {type(objective).__name__}")
    x = as_float_array("x", x)
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the parameter vector), got a scalar")
    ga = np.asarray(objective.grad(x), dtype=float)
    gn = numerical_grad(objective, x, h)
    fx = np.asarray(objective.value(x), dtype=float)
    num = np.linalg.norm(ga - gn, axis=-1)
    floor = (1.0 + np.abs(fx)) / (1.0 + np.linalg.norm(x, axis=-1))
    den = np.maximum(np.linalg.norm(ga, axis=-1) + np.linalg.norm(gn, axis=-1), floor)
    return float(np.max(num / den))
