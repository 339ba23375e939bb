"""The small transforms that the named optimizers are built from.

Each function returns a :class:`~gdcore.optimizers.GradientTransformation`. Notation: ``g`` is
the incoming update (the gradient, at the start of a chain), ``p`` the parameters, ``t`` the
number of steps already taken (0 on the first step). Hyperparameters may be floats or arrays
that broadcast against ``p``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._base import GradientTransformation

Array = np.ndarray


class EmptyState(NamedTuple):
    """State of a transform that keeps none."""


class CountState(NamedTuple):
    """Number of steps taken so far."""

    count: int


class TraceState(NamedTuple):
    """Momentum buffer ``b`` and step count."""

    count: int
    buf: Array


class RssState(NamedTuple):
    """Running sum of squared gradients (Adagrad)."""

    sum_sq: Array


class RmsState(NamedTuple):
    """Running averages of ``g**2`` (and of ``g`` when centred)."""

    square_avg: Array
    grad_avg: Array | None


class AdamState(NamedTuple):
    """Step count, first and second moment estimates, and the running max of ``v`` (AMSGrad)."""

    count: int
    exp_avg: Array
    exp_avg_sq: Array
    max_exp_avg_sq: Array | None


def _is_zero(x: Any) -> bool:
    return not isinstance(x, np.ndarray) and x == 0


def add_decayed_weights(weight_decay: float | Array) -> GradientTransformation:
    """L2 penalty folded into the gradient: :math:`g \\leftarrow g + \\lambda p`."""

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(g: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        if _is_zero(weight_decay):
            return g, state
        return g + weight_decay * params, state

    return GradientTransformation(init, update)


def trace(
    momentum: float | Array, dampening: float | Array = 0.0, nesterov: bool = False
) -> GradientTransformation:
    """PyTorch's momentum buffer.

    .. math::
        b_1 = g_1, \\qquad b_t = \\mu b_{t-1} + (1 - \\tau) g_t \\quad (t > 1)

    and the output is :math:`b_t`, or :math:`g_t + \\mu b_t` with Nesterov. The buffer starts as
    the first gradient itself (not as :math:`(1-\\tau) g_1`); with :math:`\\tau = 0` this equals
    starting from :math:`b_0 = 0`.
    """

    def init(params: Array) -> TraceState:
        return TraceState(0, np.zeros_like(params))

    def update(g: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        if state.count == 0:
            buf = g
        elif _is_zero(dampening):
            buf = momentum * state.buf + g
        else:
            buf = momentum * state.buf + (1 - dampening) * g
        out = g + momentum * buf if nesterov else buf
        return out, TraceState(state.count + 1, buf)

    return GradientTransformation(init, update)


def scale_by_rss(
    initial_accumulator_value: float | Array = 0.0, eps: float | Array = 1e-10
) -> GradientTransformation:
    """Adagrad's normalisation by the root of the summed squares.

    .. math:: s_t = s_{t-1} + g_t^2, \\qquad g \\leftarrow \\frac{g_t}{\\sqrt{s_t} + \\epsilon}
    """

    def init(params: Array) -> RssState:
        return RssState(np.zeros_like(params) + initial_accumulator_value)

    def update(g: Array, state: RssState, params: Array) -> tuple[Array, RssState]:
        s = state.sum_sq + g * g
        return g / (np.sqrt(s) + eps), RssState(s)

    return GradientTransformation(init, update)


def scale_by_rms(
    alpha: float | Array = 0.99, eps: float | Array = 1e-8, centered: bool = False
) -> GradientTransformation:
    """RMSprop's normalisation by a running root-mean-square.

    .. math::
        v_t = \\alpha v_{t-1} + (1-\\alpha) g_t^2, \\qquad g \\leftarrow \\frac{g_t}{\\sqrt{v_t} + \\epsilon}

    Centred: also :math:`\\bar g_t = \\alpha \\bar g_{t-1} + (1-\\alpha) g_t` and the denominator is
    :math:`\\sqrt{v_t - \\bar g_t^2} + \\epsilon`. ``eps`` is added *outside* the square root, as in
    PyTorch (TensorFlow and Keras add it inside).
    """

    def init(params: Array) -> RmsState:
        zeros = np.zeros_like(params)
        return RmsState(zeros, zeros if centered else None)

    def update(g: Array, state: RmsState, params: Array) -> tuple[Array, RmsState]:
        v = alpha * state.square_avg + (1 - alpha) * (g * g)
        if centered:
            ga = alpha * state.grad_avg + (1 - alpha) * g
            return g / (np.sqrt(v - ga * ga) + eps), RmsState(v, ga)
        return g / (np.sqrt(v) + eps), RmsState(v, None)

    return GradientTransformation(init, update)


def scale_by_adam(
    b1: float | Array = 0.9,
    b2: float | Array = 0.999,
    eps: float | Array = 1e-8,
    amsgrad: bool = False,
) -> GradientTransformation:
    """Adam's bias-corrected moment ratio, in PyTorch's arrangement.

    .. math::
        m_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t, \\qquad
        v_t = \\beta_2 v_{t-1} + (1-\\beta_2) g_t^2, \\\\
        g \\leftarrow \\frac{m_t}{1-\\beta_1^t} \\Big/ \\left(\\frac{\\sqrt{v_t}}{\\sqrt{1-\\beta_2^t}} + \\epsilon\\right)

    With AMSGrad, :math:`v_t` in the denominator is replaced by :math:`\\max_{s \\le t} v_s`.
    ``eps`` sits outside the square root and is *not* bias-corrected, as in PyTorch and the
    Adam paper (optax's ``eps_root`` is the inside variant).
    """
    scalar_betas = not isinstance(b1, np.ndarray) and not isinstance(b2, np.ndarray)

    def init(params: Array) -> AdamState:
        zeros = np.zeros_like(params)
        return AdamState(0, zeros, zeros, zeros if amsgrad else None)

    def update(g: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        t = state.count + 1
        m = b1 * state.exp_avg + (1 - b1) * g
        v = b2 * state.exp_avg_sq + (1 - b2) * (g * g)
        if scalar_betas:
            bc1 = 1.0 - b1**t
            bc2_sqrt = math.sqrt(1.0 - b2**t)
        else:
            bc1 = 1.0 - np.power(b1, t)
            bc2_sqrt = np.sqrt(1.0 - np.power(b2, t))
        vmax = None
        if amsgrad:
            vmax = np.maximum(state.max_exp_avg_sq, v)
            denom = np.sqrt(vmax) / bc2_sqrt + eps
        else:
            denom = np.sqrt(v) / bc2_sqrt + eps
        return (m / denom) / bc1, AdamState(t, m, v, vmax)

    return GradientTransformation(init, update)


LearningRate = float | Array | Callable[[int], Any]


def scale_by_learning_rate(lr: LearningRate, lr_decay: float | Array = 0.0) -> GradientTransformation:
    """Step against the update: :math:`u \\leftarrow -\\eta_t u`.

    ``lr`` is a number, an array, or a schedule (a callable of the step count ``t``, 0 on the
    first step). With ``lr_decay`` (Adagrad) the rate is :math:`\\eta_t / (1 + t\\,\\text{lr\\_decay})`.
    """
    scheduled = callable(lr)

    def init(params: Array) -> CountState:
        return CountState(0)

    def update(u: Array, state: CountState, params: Array) -> tuple[Array, CountState]:
        t = state.count
        rate = lr(t) if scheduled else lr
        if not _is_zero(lr_decay):
            rate = rate / (1 + t * lr_decay)
        return -rate * u, CountState(t + 1)

    return GradientTransformation(init, update)


def decoupled_weight_decay(
    lr: LearningRate, weight_decay: float | Array
) -> GradientTransformation:
    """AdamW's decay, applied to the parameters rather than the gradient.

    The incoming ``u`` is already the step; this adds :math:`-\\eta_t \\lambda p`, so that
    :math:`p + u = p(1 - \\eta_t\\lambda) - \\eta_t \\hat u`, as ``torch.optim.AdamW``.
    """
    scheduled = callable(lr)

    def init(params: Array) -> CountState:
        return CountState(0)

    def update(u: Array, state: CountState, params: Array) -> tuple[Array, CountState]:
        if _is_zero(weight_decay):
            return u, CountState(state.count + 1)
        rate = lr(state.count) if scheduled else lr
        return u - (rate * weight_decay) * params, CountState(state.count + 1)

    return GradientTransformation(init, update)
