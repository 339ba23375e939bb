"""Gradient clipping by norm, as ``torch.nn.utils.clip_grad_norm_`` before ``optimizer.step()``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_real
from ._base import GradientTransformation, Optimizer, chain
from ._transforms import EmptyState

Array = np.ndarray

#: PyTorch adds this to the norm before dividing (``clip_grad_norm_``)
CLIP_EPS = 1e-6


def clip_by_global_norm(max_norm: float | Array) -> GradientTransformation:
    """Rescale the gradient so that its norm is at most ``max_norm``.

    .. math::
        g \\leftarrow g \\cdot \\min\\Bigl(1,\\ \\frac{c}{\\lVert g \\rVert + 10^{-6}}\\Bigr)

    with :math:`c` = ``max_norm`` and the Euclidean norm over all parameters of one run (the
    last axis), exactly as ``torch.nn.utils.clip_grad_norm_(params, max_norm)``: a gradient
    shorter than :math:`c` passes unchanged (up to the :math:`10^{-6}`), a longer one keeps its
    direction and gets length :math:`c`.
    """

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(g: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        norm = np.sqrt(np.sum(g * g, axis=-1, keepdims=True))
        coef = np.minimum(max_norm / (norm + CLIP_EPS), 1.0)
        return g * coef, state

    return GradientTransformation(init, update)


class ClipGradNorm(Optimizer):
    r"""An optimizer whose gradients are clipped by norm first.

    .. math::
        &\textbf{input: } \text{an optimizer},\ c \text{ (max\_norm)} \\
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) \cdot
            \min\bigl(1,\ c / (\lVert \nabla f(\theta_{t-1}) \rVert + 10^{-6})\bigr) \\
        &\quad \theta_t \leftarrow \text{the optimizer's step with } g_t

    The same as calling ``torch.nn.utils.clip_grad_norm_(params, max_norm)`` between
    ``loss.backward()`` and ``optimizer.step()``: the clipped gradient is what the optimizer
    sees, so its momentum and moment estimates are built from clipped gradients, and its
    weight decay (added inside the optimizer) is not clipped.

    Examples
    --------
    >>> import gdcore
    >>> from gdcore.optimizers import SGD, ClipGradNorm
    >>> opt = ClipGradNorm(SGD(lr=0.1), max_norm=1.0)
    >>> R = gdcore.functions.rosenbrock()
    >>> float(abs(R.grad([-1.2, 1.0])).max()) > 100   # a steep start
    True
    >>> step = gdcore.run(opt, R, x0=[-1.2, 1.0], steps=1).params
    >>> round(float(((step[1] - step[0]) ** 2).sum() ** 0.5), 6)   # lr * max_norm
    0.1
    """

    def __init__(self, optimizer: Optimizer, max_norm: Any) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be a gdcore optimizer such as SGD(lr=0.1), "
                f"got {type(optimizer).__name__}"
            )
        max_norm = check_real("max_norm", max_norm, low=0.0, low_open=True)
        self.optimizer = optimizer
        super().__init__(
            chain(clip_by_global_norm(max_norm), optimizer.transform),
            {**optimizer.hyperparams, "max_norm": max_norm},
        )

    def __repr__(self) -> str:
        return f"ClipGradNorm({self.optimizer!r}, max_norm={self.hyperparams['max_norm']!r})"
