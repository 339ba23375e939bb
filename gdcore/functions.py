"""Textbook test functions, each a :class:`gdcore.Objective` with a plotting box and its minima.

Every function is vectorised: ``f(x)`` takes ``x`` of shape ``(..., d)`` and returns shape
``(...)``, so a whole contour grid (``x`` of shape ``(ny, nx, 2)``) or a batch of runs is one
call; ``f.grad(x)`` returns shape ``(..., d)``; ``f.value_and_grad(x)`` shares the work.

One-dimensional curves (``x`` of shape ``(..., 1)``):

* :func:`parabola`: :math:`w^2`, minimum at 0; the reader's first loss.
* :func:`double_well`: :math:`w^4/4 - w^2 + t w`, a global and a local minimum.

Surfaces and bowls:

* :func:`quadratic`: :math:`\\tfrac12 (x-c)^\\top A (x-c)` in any dimension, minimum at :math:`c`.
* :func:`rosenbrock`: :math:`(a-x)^2 + b(y-x^2)^2`, minimum at :math:`(a, a^2)`.
* :func:`beale`: three squared terms, minimum at :math:`(3, 0.5)`.
* :func:`booth`: :math:`(x+2y-7)^2 + (2x+y-5)^2`, minimum at :math:`(1, 3)`.
* :func:`himmelblau`: :math:`(x^2+y-11)^2 + (x+y^2-7)^2`, four minima, all with value 0.
* :func:`rastrigin`: :math:`A d + \\sum_i (x_i^2 - A\\cos 2\\pi x_i)` in any dimension, minimum
  at 0 among many local minima.
* :func:`saddle`: :math:`x^2 - y^2`, no minimum (a saddle point at 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._objective import Objective
from ._validation import as_float_array, check_int, check_real

__all__ = [
    "Quadratic",
    "beale",
    "booth",
    "double_well",
    "himmelblau",
    "parabola",
    "quadratic",
    "rastrigin",
    "rosenbrock",
    "saddle",
]

Array = np.ndarray
VG = Callable[[Array], tuple[Array, Array]]


# -- helpers ----------
def _check_dim(x: Array, d: int, name: str) -> None:
    """Raise a clear error when the last axis of ``x`` is not ``d`` (a cheap shape check)."""
    if x.ndim == 0 or x.shape[-1] != d:
        raise ValueError(f"x must have shape (..., {d}) for {name}, got shape {x.shape}")


def _rowdot(a: Array, b: Array) -> Array:
    """Dot product along the last axis: shape ``(..., d)`` x ``(..., d)`` -> ``(...)``."""
    if a.ndim == 1:
        return a @ b
    return np.einsum("...i,...i->...", a, b)


def _objective(
    value: Callable[[Array], Array],
    value_and_grad: VG,
    *,
    name: str,
    domain: Sequence[Sequence[float]],
    minima: Sequence[Sequence[float]],
    dim: int,
    hessian: Callable[[Array], Array] | None = None,
) -> Objective:
    def grad(x: Array) -> Array:
        return value_and_grad(x)[1]

    return Objective(
        value,
        grad,
        name=name,
        domain=domain,
        minima=minima,
        value_and_grad=value_and_grad,
        dim=dim,
        hessian=hessian,
    )


def _xy(x: Array, name: str) -> tuple[Array, Array]:
    _check_dim(x, 2, name)
    return x[..., 0], x[..., 1]


# -- 1-D curves ----------
def parabola() -> Objective:
    """The reader's first loss curve: :math:`f(w) = w^2`.

    .. math:: f(w) = w^2, \\qquad f'(w) = 2w

    One parameter (``x`` has shape ``(..., 1)``), plotting box :math:`[-5, 5]`, minimum
    :math:`f(0) = 0`. The curvature is :math:`f'' = 2`, so gradient descent with learning rate
    :math:`\\eta` multiplies :math:`w` by :math:`1 - 2\\eta` each step: it converges for
    :math:`0 < \\eta < 1` and diverges beyond. The book's first run starts at :math:`w = 4`.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.parabola()
    >>> f([3.0]), f.grad([3.0])
    (np.float64(9.0), array([6.]))
    """

    def value(x: Array) -> Array:
        _check_dim(x, 1, "parabola")
        return x[..., 0] * x[..., 0]

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        _check_dim(x, 1, "parabola")
        return x[..., 0] * x[..., 0], 2.0 * x

    return _objective(
        value, value_and_grad, name="parabola", domain=[(-5.0, 5.0)], minima=[(0.0,)], dim=1
    )


#: largest |tilt| for which w^3 - 2w + tilt has three real roots (two minima): sqrt(32/27)
_MAX_TILT = math.sqrt(32.0 / 27.0)


def double_well(tilt: float = 0.5) -> Objective:
    """A tilted double well: a 1-D curve with a global and a local minimum.

    .. math::

        f(w) = \\frac{w^4}{4} - w^2 + t\\,w, \\qquad f'(w) = w^3 - 2w + t,
        \\qquad f''(w) = 3w^2 - 2

    With the default tilt :math:`t = 0.5` the stationary points are

    * the global minimum :math:`w \\approx -1.5257` (:math:`f \\approx -1.7360`),
    * a hill top (local maximum) :math:`w \\approx 0.2587` (:math:`f \\approx 0.0635`),
    * a local minimum :math:`w \\approx 1.2670` (:math:`f \\approx -0.3276`).

    Gradient descent started right of the hill top ends in the local minimum. A positive tilt
    makes the left well the deeper one, a negative tilt the right one; :math:`|t|` must be below
    :math:`\\sqrt{32/27} \\approx 1.0887` for the curve to have two wells. With :math:`t = 0`
    both wells are global.

    ``minima`` lists the global minimiser first and then the local one; the extra attributes
    ``local_minima`` (the minimisers that are not global) and ``local_maxima`` (the hill top)
    are tuples of arrays of shape ``(1,)``. Plotting box :math:`[-2.5, 2.5]`.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.double_well()
    >>> [m.round(4).tolist() for m in f.minima]   # the global minimum first
    [[-1.5257], [1.267]]
    """
    tilt = check_real("tilt", tilt, low=-_MAX_TILT, high=_MAX_TILT, low_open=True, high_open=True)

    def value(x: Array) -> Array:
        _check_dim(x, 1, "double_well")
        w = x[..., 0]
        w2 = w * w
        return w2 * (0.25 * w2 - 1.0) + tilt * w

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        _check_dim(x, 1, "double_well")
        w2 = x * x
        g = x * (w2 - 2.0) + tilt
        f = w2 * (0.25 * w2 - 1.0) + tilt * x
        return f[..., 0], g

    # the three stationary points: roots of w^3 - 2w + t, polished by Newton's method
    roots = np.sort(np.roots([1.0, 0.0, -2.0, tilt]).real)
    for _ in range(3):
        roots = roots - (roots**3 - 2.0 * roots + tilt) / (3.0 * roots**2 - 2.0)
    left, top, right = roots
    f_left, f_right = value(np.array([[left], [right]]))
    if f_left < f_right:
        minima, local = [left, right], [right]
    elif f_right < f_left:
        minima, local = [right, left], [left]
    else:
        minima, local = [left, right], []
    obj = _objective(
        value,
        value_and_grad,
        name="double well",
        domain=[(-2.5, 2.5)],
        minima=[(m,) for m in minima],
        dim=1,
    )
    obj.local_minima = tuple(np.array([m]) for m in local)
    obj.local_maxima = (np.array([top]),)
    obj.tilt = tilt
    return obj


# -- quadratic bowls ----------
class Quadratic(Objective):
    """The bowl :math:`f(x) = \\tfrac12 (x-c)^\\top A (x-c)` that :func:`quadratic` returns.

    Attributes
    ----------
    A
        The symmetric positive semi-definite matrix :math:`A` (the Hessian everywhere:
        ``hessian(x)`` returns it for every point), shape ``(d, d)``.
        A bowl built from ``curvatures`` stores only the diagonal and forms ``A`` (and
        ``eigenvectors``) on first access, so a million-parameter diagonal bowl is cheap.
    centre
        The centre :math:`c`, a minimiser, shape ``(d,)``.
    curvatures
        The eigenvalues of :math:`A`, shape ``(d,)``: the curvature of :math:`f` along each
        eigenvector ``eigenvectors[:, i]``. For ``quadratic(curvatures=...)`` they are in the
        order given (eigenvector ``i`` is coordinate axis ``i``); for ``quadratic(A)`` they are
        ascending (as :func:`numpy.linalg.eigh` returns them).
    eigenvectors
        Orthonormal eigenvectors of :math:`A` as columns, shape ``(d, d)``.
    L, mu
        The largest and smallest curvature: :math:`L = \\lambda_{\\max}` is the Lipschitz
        constant of the gradient, so gradient descent converges for learning rates
        :math:`0 < \\eta < 2/L`; :math:`\\mu = \\lambda_{\\min}`.
    condition_number
        :math:`\\kappa = L/\\mu` (infinite when :math:`\\mu = 0`).
    """

    def __init__(
        self,
        A: Array | None,
        centre: Array,
        curvatures: Array,
        eigenvectors: Array | None,
        *,
        domain: Any,
    ) -> None:
        # A is None for a diagonal bowl: the curvatures are the diagonal
        self._A = A
        self._eigenvectors = eigenvectors
        self._diagonal = A is None
        self.centre = centre
        self.curvatures = curvatures
        d = centre.shape[0]
        if self._diagonal and d <= 4:
            name = f"quadratic diag({', '.join(f'{c:g}' for c in curvatures)})"
        elif self._diagonal:
            name = f"quadratic diag (d={d})"
        else:
            name = f"quadratic (d={d})"
        super().__init__(
            self._f,
            self._g,
            name=name,
            domain=domain,
            minima=[centre],
            value_and_grad=self._fg,
            dim=d,
        )

    @property
    def A(self) -> Array:
        """The matrix :math:`A`, shape ``(d, d)``."""
        if self._A is None:
            self._A = np.diag(self.curvatures)
        return self._A

    def hessian(self, x: Any) -> Array:
        """The Hessian at ``x`` (shape ``(..., d)``): :math:`A` for every point,
        shape ``(..., d, d)``."""
        x = np.asarray(x, dtype=float)
        _check_dim(x, self.dim, "this quadratic")
        return np.broadcast_to(self.A, (*x.shape, self.dim)).copy()

    @property
    def eigenvectors(self) -> Array:
        """Orthonormal eigenvectors of :math:`A` as columns; column ``i`` goes with
        ``curvatures[i]``."""
        if self._eigenvectors is None:
            self._eigenvectors = np.eye(self.dim)
        return self._eigenvectors

    @property
    def L(self) -> float:
        """The largest curvature :math:`\\lambda_{\\max}(A)`."""
        return float(np.max(self.curvatures))

    @property
    def mu(self) -> float:
        """The smallest curvature :math:`\\lambda_{\\min}(A)`."""
        return float(np.min(self.curvatures))

    @property
    def condition_number(self) -> float:
        """:math:`\\kappa = \\lambda_{\\max} / \\lambda_{\\min}` (``inf`` when singular)."""
        return math.inf if self.mu == 0.0 else self.L / self.mu

    def _fg(self, x: Array) -> tuple[Array, Array]:
        _check_dim(x, self.dim, "this quadratic")
        r = x - self.centre
        g = r * self.curvatures if self._diagonal else r @ self._A
        return 0.5 * _rowdot(r, g), g

    def _f(self, x: Array) -> Array:
        _check_dim(x, self.dim, "this quadratic")
        r = x - self.centre
        return 0.5 * _rowdot(r, r * self.curvatures if self._diagonal else r @ self._A)

    def _g(self, x: Array) -> Array:
        _check_dim(x, self.dim, "this quadratic")
        r = x - self.centre
        return r * self.curvatures if self._diagonal else r @ self._A


def quadratic(
    A: Any = None,
    centre: Any = None,
    *,
    curvatures: Any = None,
    domain: Sequence[Sequence[float]] | None = None,
) -> Quadratic:
    """The quadratic bowl, the model problem of gradient descent.

    .. math::

        f(x) = \\tfrac12 (x - c)^\\top A (x - c), \\qquad \\nabla f(x) = A (x - c),
        \\qquad \\nabla^2 f = A

    Parameters
    ----------
    A
        Symmetric positive semi-definite matrix, shape ``(d, d)``.
    centre
        The centre :math:`c` (a minimiser, where :math:`f = 0`), shape ``(d,)``; default the
        origin.
    curvatures
        Alternative to ``A``: the diagonal of :math:`A`, i.e. the curvature along each axis,
        all :math:`\\ge 0`. ``quadratic(curvatures=(1, 10))`` is the elongated 2-D bowl
        :math:`\\tfrac12 (x^2 + 10 y^2)`. Give ``A`` or ``curvatures``, not both.
    domain
        Plotting box; default :math:`c_i \\pm 5` along every axis.

    Notes
    -----
    With neither ``A`` nor ``curvatures`` the bowl is the 2-D ``curvatures=(1, 10)``
    (condition number 10). The returned :class:`Quadratic` carries the spectrum:
    ``f.curvatures``, ``f.L`` (so the largest stable learning rate is ``2 / f.L``), ``f.mu``,
    ``f.condition_number``, ``f.eigenvectors``, ``f.A``. When :math:`A` is singular every point of
    :math:`c + \\ker A` is a minimiser; ``minima`` lists only :math:`c`.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.quadratic(curvatures=[1.0, 10.0])
    >>> f.L, f.mu, f.condition_number   # so gradient descent converges for lr < 2 / L = 0.2
    (10.0, 1.0, 10.0)
    >>> f([1.0, 1.0]), f.grad([1.0, 1.0])
    (np.float64(5.5), array([ 1., 10.]))
    >>> gdcore.functions.quadratic([[2.0, 1.0], [1.0, 2.0]]).curvatures
    array([1., 3.])
    """
    if A is not None and curvatures is not None:
        raise ValueError("give either A or curvatures, not both")
    if A is None:
        if curvatures is None:
            curvatures = (1.0, 10.0)
        curv = np.atleast_1d(as_float_array("curvatures", curvatures))
        if curv.ndim != 1 or curv.size == 0:
            raise ValueError(
                "curvatures must be a non-empty 1-D sequence of numbers >= 0, "
                f"got shape {curv.shape}"
            )
        check_real("curvatures", curv, low=0.0)
        curv = curv.copy()
        d = curv.size
        mat, vecs = None, None
    else:
        mat = as_float_array("A", A)
        if mat.ndim != 2 or mat.shape[0] != mat.shape[1] or mat.shape[0] == 0:
            raise ValueError(f"A must be a square matrix of shape (d, d), got shape {mat.shape}")
        if not np.all(np.isfinite(mat)):
            raise ValueError("A must be finite (no NaN or infinity)")
        scale = float(np.max(np.abs(mat))) if mat.size else 0.0
        if not np.allclose(mat, mat.T, rtol=1e-10, atol=1e-12 * max(scale, 1.0)):
            raise ValueError("A must be symmetric (A == A.T)")
        mat = 0.5 * (mat + mat.T)
        curv, vecs = np.linalg.eigh(mat)
        if curv[0] < -1e-12 * max(scale, 1.0):
            raise ValueError(
                f"A must be positive semi-definite (eigenvalues >= 0), got smallest eigenvalue "
                f"{curv[0]:.6g}"
            )
        curv = np.maximum(curv, 0.0)
        d = mat.shape[0]
        if np.count_nonzero(mat - np.diag(np.diag(mat))) == 0:
            # diagonal after all: keep the axis order and the cheap elementwise path
            curv, mat, vecs = np.diag(mat).copy(), None, None
    if centre is None:
        c = np.zeros(d)
    else:
        c = np.atleast_1d(as_float_array("centre", centre)).copy()
        if c.shape != (d,):
            raise ValueError(f"centre must have shape ({d},) to match A, got shape {c.shape}")
        if not np.all(np.isfinite(c)):
            raise ValueError("centre must be finite (no NaN or infinity)")
    if domain is None:
        domain = np.stack([c - 5.0, c + 5.0], axis=-1)
    return Quadratic(mat, c, curv, vecs, domain=domain)


# -- 2-D test functions ----------
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """Rosenbrock's banana valley (Rosenbrock, 1960).

    .. math::

        f(x, y) = (a - x)^2 + b\\,(y - x^2)^2

        \\nabla f = \\bigl(-2(a - x) - 4 b x (y - x^2),\\; 2 b (y - x^2)\\bigr)

        \\nabla^2 f = \\begin{pmatrix} 2 - 4b(y - x^2) + 8 b x^2 & -4bx \\\\ -4bx & 2b
        \\end{pmatrix}

    Unique minimum :math:`f(a, a^2) = 0` at the end of a long curved valley along
    :math:`y = x^2`. Default plotting box :math:`[-2, 2] \\times [-1, 3]` (widened to contain the
    minimum for other ``a``). ``b`` must be > 0.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.rosenbrock()
    >>> f([-1.5, 2.0]), f.minimum, f.grad(f.minimum)
    (np.float64(12.5), array([1., 1.]), array([-0.,  0.]))
    """
    a = check_real("a", a)
    b = check_real("b", b, low=0.0, low_open=True)

    def value(x: Array) -> Array:
        u, v = _xy(x, "rosenbrock")
        s = v - u * u
        return (a - u) ** 2 + b * s * s

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        u, v = _xy(x, "rosenbrock")
        s = v - u * u
        e = a - u
        g = np.stack([-2.0 * e - 4.0 * b * u * s, 2.0 * b * s], axis=-1)
        return e * e + b * s * s, g

    def hessian(x: Array) -> Array:
        u, v = _xy(x, "rosenbrock")
        xx = 2.0 - 4.0 * b * (v - u * u) + 8.0 * b * u * u
        xy = -4.0 * b * u
        yy = np.broadcast_to(2.0 * b, np.shape(u))
        return np.stack([np.stack([xx, xy], axis=-1), np.stack([xy, yy], axis=-1)], axis=-2)

    domain = [
        (min(-2.0, a - 1.0), max(2.0, a + 1.0)),
        (min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0)),
    ]
    return _objective(
        value,
        value_and_grad,
        name="rosenbrock",
        domain=domain,
        minima=[(a, a * a)],
        dim=2,
        hessian=hessian,
    )


def beale() -> Objective:
    """Beale's function: a flat plateau and sharp ridges.

    .. math::

        f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    Unique minimum :math:`f(3, 0.5) = 0`; plotting box :math:`[-4.5, 4.5]^2`.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.beale()
    >>> f(f.minimum)
    np.float64(0.0)
    """

    def terms(x: Array) -> tuple[Array, ...]:
        u, v = _xy(x, "beale")
        v2 = v * v
        t1 = 1.5 - u + u * v
        t2 = 2.25 - u + u * v2
        t3 = 2.625 - u + u * v2 * v
        return u, v, v2, t1, t2, t3

    def value(x: Array) -> Array:
        _, _, _, t1, t2, t3 = terms(x)
        return t1 * t1 + t2 * t2 + t3 * t3

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        u, v, v2, t1, t2, t3 = terms(x)
        gx = 2.0 * (t1 * (v - 1.0) + t2 * (v2 - 1.0) + t3 * (v2 * v - 1.0))
        gy = 2.0 * u * (t1 + 2.0 * v * t2 + 3.0 * v2 * t3)
        return t1 * t1 + t2 * t2 + t3 * t3, np.stack([gx, gy], axis=-1)

    return _objective(
        value, value_and_grad, name="beale", domain=[(-4.5, 4.5)] * 2, minima=[(3.0, 0.5)], dim=2
    )


def booth() -> Objective:
    """Booth's function: a tilted, mildly elongated quadratic bowl.

    .. math:: f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2

    Unique minimum :math:`f(1, 3) = 0`; plotting box :math:`[-10, 10]^2`. Its Hessian is the
    constant :math:`\\begin{pmatrix}10 & 8\\\\ 8 & 10\\end{pmatrix}` with curvatures 2 and 18.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.booth()
    >>> f([1.0, 3.0]), f([0.0, 0.0])
    (np.float64(0.0), np.float64(74.0))
    """

    def value(x: Array) -> Array:
        u, v = _xy(x, "booth")
        p = u + 2.0 * v - 7.0
        q = 2.0 * u + v - 5.0
        return p * p + q * q

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        u, v = _xy(x, "booth")
        p = u + 2.0 * v - 7.0
        q = 2.0 * u + v - 5.0
        g = np.stack([2.0 * p + 4.0 * q, 4.0 * p + 2.0 * q], axis=-1)
        return p * p + q * q, g

    return _objective(
        value, value_and_grad, name="booth", domain=[(-10.0, 10.0)] * 2, minima=[(1.0, 3.0)], dim=2
    )


#: Himmelblau's four minimisers (Newton-refined to full float64 precision; f = 0 at each)
HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286169),
    (3.5844283403304917, -1.8481265269644034),
)


def himmelblau() -> Objective:
    """Himmelblau's function: four minima of equal depth.

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

        \\nabla f = \\bigl(4x(x^2 + y - 11) + 2(x + y^2 - 7),\\;
        2(x^2 + y - 11) + 4y(x + y^2 - 7)\\bigr)

    Four global minima, all with :math:`f = 0`: :math:`(3, 2)`, :math:`(-2.805118, 3.131312)`,
    :math:`(-3.779310, -3.283186)`, :math:`(3.584428, -1.848127)` (``minima`` holds them to full
    float precision, see :data:`HIMMELBLAU_MINIMA`). Plotting box :math:`[-5, 5]^2`. Which one
    gradient descent finds depends on where it starts.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> f = gdcore.functions.himmelblau()
    >>> len(f.minima), np.allclose(f(np.array(f.minima)), 0.0)
    (4, True)
    """

    def value(x: Array) -> Array:
        u, v = _xy(x, "himmelblau")
        p = u * u + v - 11.0
        q = u + v * v - 7.0
        return p * p + q * q

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        u, v = _xy(x, "himmelblau")
        p = u * u + v - 11.0
        q = u + v * v - 7.0
        g = np.stack([4.0 * u * p + 2.0 * q, 2.0 * p + 4.0 * v * q], axis=-1)
        return p * p + q * q, g

    return _objective(
        value,
        value_and_grad,
        name="himmelblau",
        domain=[(-5.0, 5.0)] * 2,
        minima=HIMMELBLAU_MINIMA,
        dim=2,
    )


def saddle() -> Objective:
    """The saddle :math:`f(x, y) = x^2 - y^2`: a stationary point that is not a minimum.

    .. math:: f(x, y) = x^2 - y^2, \\qquad \\nabla f = (2x, -2y)

    The origin has zero gradient but is a minimum along :math:`x` and a maximum along
    :math:`y`; the function is unbounded below, so ``minima`` is empty and ``saddle_points`` is
    ``(array([0., 0.]),)``. Plotting box :math:`[-2, 2]^2`. Gradient descent started exactly on
    the :math:`x` axis converges to the saddle; any other start escapes along :math:`y`
    (and the run is reported as diverged once the loss falls far enough).

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.saddle()
    >>> f.grad([0.0, 0.0]), f.minima   # a stationary point that is no minimum
    (array([ 0., -0.]), ())
    """

    def value(x: Array) -> Array:
        u, v = _xy(x, "saddle")
        return u * u - v * v

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        u, v = _xy(x, "saddle")
        return u * u - v * v, np.stack([2.0 * u, -2.0 * v], axis=-1)

    obj = _objective(
        value, value_and_grad, name="saddle", domain=[(-2.0, 2.0)] * 2, minima=(), dim=2
    )
    obj.saddle_points = (np.zeros(2),)
    return obj


# -- n-D multimodal ----------
def rastrigin(dim: int = 2, A: float = 10.0) -> Objective:
    """Rastrigin's function: a bowl covered in a regular grid of local minima.

    .. math::

        f(x) = A d + \\sum_{i=1}^{d} \\bigl(x_i^2 - A \\cos(2\\pi x_i)\\bigr),
        \\qquad \\frac{\\partial f}{\\partial x_i} = 2 x_i + 2\\pi A \\sin(2\\pi x_i)

    Global minimum :math:`f(0) = 0`; local minima near every integer point. Plotting box
    :math:`[-5.12, 5.12]^d`. ``dim`` >= 1, ``A`` >= 0 (``A = 0`` is the plain bowl
    :math:`\\lVert x \\rVert^2`).

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> f = gdcore.functions.rastrigin(dim=3)
    >>> f(np.zeros(3)), f([1.0, 0.0, 0.0])   # a local minimum near every integer point
    (np.float64(0.0), np.float64(1.0))
    """
    dim = check_int("dim", dim, low=1)
    A = check_real("A", A, low=0.0)
    two_pi = 2.0 * math.pi

    def value(x: Array) -> Array:
        _check_dim(x, dim, "rastrigin")
        return A * dim + np.sum(x * x - A * np.cos(two_pi * x), axis=-1)

    def value_and_grad(x: Array) -> tuple[Array, Array]:
        _check_dim(x, dim, "rastrigin")
        t = two_pi * x
        f = A * dim + np.sum(x * x - A * np.cos(t), axis=-1)
        return f, 2.0 * x + (two_pi * A) * np.sin(t)

    return _objective(
        value,
        value_and_grad,
        name="rastrigin",
        domain=[(-5.12, 5.12)] * dim,
        minima=[np.zeros(dim)],
        dim=dim,
    )
