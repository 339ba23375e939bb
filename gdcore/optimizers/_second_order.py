"""Gradient descent with a preconditioner, and Newton's method.

Both rescale the gradient by a matrix before the step:

.. math:: \\theta_{k+1} = \\theta_k - \\eta\\, P_k\\, g_k

with a fixed :math:`P` (:class:`Preconditioned`) or :math:`P_k = (H(\\theta_k) + \\delta I)^{-1}`,
the inverse Hessian at the current point (:class:`Newton`). The adaptive methods of
:mod:`gdcore.optimizers` are the diagonal special case, with a :math:`P_k` estimated from past
gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .._validation import as_float_array, check_real
from ._base import GradientTransformation, Optimizer, chain
from ._transforms import EmptyState, scale_by_learning_rate

Array = np.ndarray


def precondition(P: Any) -> GradientTransformation:
    """Multiply the update by a fixed symmetric matrix: :math:`u \\leftarrow P u`.

    ``P`` has shape ``(d, d)``; it acts on the last axis of ``u`` (one parameter vector, or a
    stack of independent runs).
    """
    P = as_float_array("P", P).copy()
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be a square matrix of shape (d, d), got shape {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ValueError("P must be finite")
    P.flags.writeable = False

    def init(params: Array) -> EmptyState:
        if params.shape[-1] != P.shape[0]:
            raise ValueError(
                f"P has shape {P.shape} but the parameters have {params.shape[-1]} coordinates"
            )
        return EmptyState()

    def update(u: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        return u @ P.T, state

    return GradientTransformation(init, update)


def scale_by_inverse_hessian(
    hessian: Callable[[Array], Array], shift: float = 0.0
) -> GradientTransformation:
    """Newton's direction: :math:`u \\leftarrow (H(\\theta) + \\delta I)^{-1} u`.

    ``hessian(params)`` returns :math:`H` of shape ``(..., d, d)`` for ``params`` of shape
    ``(..., d)``; :math:`\\delta` is ``shift`` (0: the pure Newton direction).
    """

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(u: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        H = np.asarray(hessian(params), dtype=float)
        d = params.shape[-1]
        if H.shape != (*params.shape, d):
            raise ValueError(
                f"hessian(params) must have shape {(*params.shape, d)} for params of shape "
                f"{params.shape}, got {H.shape}"
            )
        if shift:
            H = H + shift * np.eye(d)
        with np.errstate(all="ignore"):
            try:
                step = np.linalg.solve(H, u[..., None])[..., 0]
            except np.linalg.LinAlgError:  # a singular Hessian: no Newton step exists there
                step = np.full_like(u, np.nan)
        return step, state

    return GradientTransformation(init, update)


class Preconditioned(Optimizer):
    r"""Gradient descent with a fixed preconditioner :math:`P`.

    .. math::
        &\textbf{input: } \eta \text{ (lr)},\ P \text{ (a symmetric positive definite } d\times d
          \text{ matrix)} \\
        &\textbf{for } k = 0, 1, \dots: \quad
          \theta_{k+1} \leftarrow \theta_k - \eta\, P\, \nabla f(\theta_k)

    On a quadratic with Hessian :math:`A` the iteration contracts each direction by the
    eigenvalues of :math:`I - \eta P A`: with :math:`P = A^{-1}` and :math:`\eta = 1` it reaches
    the minimum in one step; with :math:`P = \mathrm{diag}(A)^{-1}` (Jacobi) it fixes the scales
    of the coordinates but not a rotated valley. Defaults: ``lr=1.0``.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> A = np.array([[10.0, 0.0], [0.0, 1.0]])
    >>> bowl = gdcore.functions.quadratic(A)
    >>> opt = Preconditioned(np.linalg.inv(A), lr=1.0)
    >>> gdcore.run(opt, bowl, x0=[1.0, 1.0], steps=1).x
    array([0., 0.])
    """

    defaults: ClassVar[dict[str, Any]] = {"P": None, "lr": 1.0}

    def __init__(self, P: Any, lr: Any = 1.0) -> None:
        lr = check_real("lr", lr, low=0.0, low_open=True)
        transform = chain(precondition(P), scale_by_learning_rate(lr))
        # P is a matrix, not a batch of values: it is kept apart from the hyperparameters
        # that gdcore.run broadcasts into a batch of runs
        self.P = np.array(P, dtype=float)
        super().__init__(transform, {"lr": lr})


class Newton(Optimizer):
    r"""Newton's method, damped when :math:`\eta < 1`.

    .. math::
        &\textbf{input: } \eta \text{ (lr)},\ H \text{ (the Hessian, a function of }
          \theta),\ \delta \text{ (shift)} \\
        &\textbf{for } k = 0, 1, \dots: \quad
          \theta_{k+1} \leftarrow \theta_k - \eta\, \big(H(\theta_k) + \delta I\big)^{-1}
          \nabla f(\theta_k)

    With :math:`\eta = 1` and :math:`\delta = 0` this is the pure Newton step: it jumps to the
    minimum of the quadratic model of :math:`f` at :math:`\theta_k`, so on a quadratic it
    reaches the minimum in one step from anywhere. A *damped* step (:math:`\eta < 1`) or a
    positive shift :math:`\delta` makes it safer far from a minimum, where the quadratic model
    is poor or :math:`H` is not positive definite. Where :math:`H + \delta I` is singular the
    step is undefined (NaN) and :func:`gdcore.run` reports the run as diverged. Defaults:
    ``lr=1.0``, ``shift=0``.

    ``hessian`` is a callable such as ``objective.hessian``, mapping parameters ``(..., d)`` to
    ``(..., d, d)``. Each step solves a :math:`d \times d` linear system: :math:`O(d^3)` work
    and :math:`d^2` numbers, which is why Newton's method is not used for large networks.

    Examples
    --------
    >>> import gdcore
    >>> bowl = gdcore.functions.quadratic(curvatures=[100.0, 1.0])
    >>> gdcore.run(Newton(bowl.hessian), bowl, x0=[1.0, 1.0], steps=1).x
    array([0., 0.])
    """

    defaults: ClassVar[dict[str, Any]] = {"hessian": None, "lr": 1.0, "shift": 0.0}

    def __init__(self, hessian: Callable[[Array], Array], lr: Any = 1.0, shift: Any = 0.0) -> None:
        if not callable(hessian):
            raise TypeError(
                f"hessian must be a callable of the parameters (such as objective.hessian), "
                f"got {type(hessian).__name__}"
            )
        lr = check_real("lr", lr, low=0.0, low_open=True)
        shift = check_real("shift", shift, low=0.0)
        transform = chain(scale_by_inverse_hessian(hessian, shift), scale_by_learning_rate(lr))
        self.hessian = hessian  # a function, not a batch of values: kept apart (see Preconditioned)
        super().__init__(transform, {"lr": lr, "shift": shift})
