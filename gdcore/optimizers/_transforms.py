"""The small transforms that the named optimizers are built from.

Each function returns a :class:`~gdcore.optimizers.GradientTransformation`. Notation: ``g`` is
the incoming update (the gradient, at the start of a chain), ``p`` the parameters, ``t`` the
number of steps already taken (0 on the first step). Hyperparameters may be floats or arrays
that broadcast against ``p``.

Speed notes (a run makes thousands of updates on small arrays, so the cost of each numpy call
matters more than its arithmetic): hyperparameters are materialised once per parameter shape as
read-only arrays of that shape (numpy multiplies two equal-shape arrays faster than an array by a
Python float or by a broadcast column), step-dependent scalars such as Adam's bias corrections
are Python floats, and each update uses as few numpy calls as its formula allows. Every function
still returns new arrays and never writes to its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ..schedules import rate_at
from ._base import GradientTransformation

Array = np.ndarray


class EmptyState(NamedTuple):
    """State of a transform that keeps none."""


class CountState(NamedTuple):
    """Number of steps taken so far."""

    count: int


class TraceState(NamedTuple):
    """Momentum buffer :math:`z` and step count."""

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
    """``True`` for a scalar hyperparameter equal to zero (arrays are never treated as zero)."""
    return not isinstance(x, np.ndarray) and x == 0


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray)


class _PerShape(dict):
    """Hyperparameters materialised as read-only arrays of the parameters' shape, cached by shape.

    ``consts[p.shape]`` is ``make(shape)``'s dict, built on first use (a dict lookup after that).
    """

    def __init__(self, make: Callable[[tuple[int, ...]], dict[str, Array]]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, shape: tuple[int, ...]) -> dict[str, Array]:
        consts = self[shape] = self.make(shape)
        return consts


def _full(value: Any, shape: tuple[int, ...]) -> Array:
    """``value`` broadcast to ``shape`` (and to ``value``'s own batch axes) as a read-only array."""
    out = np.full(np.broadcast_shapes(np.shape(value), shape), value, dtype=np.float64)
    out.flags.writeable = False
    return out


def add_decayed_weights(weight_decay: float | Array) -> GradientTransformation:
    """Weight decay added to the update: :math:`u \\leftarrow u + \\omega p` (``weight_decay``).

    At the start of a chain it is an L2 penalty on the gradient (:class:`~gdcore.Adam`); after
    ``scale_by_adam`` it is the decoupled decay of :class:`~gdcore.AdamW`.
    """
    consts = _PerShape(lambda shape: {"wd": _full(weight_decay, shape)})

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(g: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        if _is_zero(weight_decay):
            return g, state
        return g + consts[params.shape]["wd"] * params, state

    return GradientTransformation(init, update)


def trace(
    momentum: float | Array, dampening: float | Array = 0.0, nesterov: bool = False
) -> GradientTransformation:
    """PyTorch's momentum buffer :math:`z_t` (momentum :math:`\\beta`, dampening :math:`\\tau`).

    .. math::
        z_1 = g_1, \\qquad z_t = \\beta z_{t-1} + (1 - \\tau) g_t \\quad (t > 1)

    and the output is :math:`z_t`, or :math:`g_t + \\beta z_t` with Nesterov. The buffer starts as
    the first gradient itself (not as :math:`(1-\\tau) g_1`); with :math:`\\tau = 0` this equals
    starting from :math:`z_0 = 0`. Where an array ``momentum`` is 0 the output is :math:`g_t`
    whatever the dampening, as PyTorch's SGD without momentum.
    """
    if _is_array(momentum) or _is_array(dampening):
        # momentum 0 means "no buffer" in PyTorch: make b_t = g_t there by dropping the dampening
        dampening = np.where(np.asarray(momentum) == 0, 0.0, dampening)
    no_damp = _is_zero(dampening)
    consts = _PerShape(
        lambda shape: {"mu": _full(momentum, shape), "keep": _full(1.0 - dampening, shape)}
    )

    def init(params: Array) -> TraceState:
        return TraceState(0, np.zeros_like(params))

    def update(g: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        c = consts[g.shape]
        mu = c["mu"]
        if state.count == 0:
            buf = g
        elif no_damp:
            buf = mu * state.buf + g
        else:
            buf = mu * state.buf + c["keep"] * g
        out = g + mu * buf if nesterov else buf
        return out, TraceState(state.count + 1, buf)

    return GradientTransformation(init, update)


def scale_by_rss(
    initial_accumulator_value: float | Array = 0.0, eps: float | Array = 1e-10
) -> GradientTransformation:
    """Adagrad's normalisation by the root of the summed squares.

    .. math:: s_t = s_{t-1} + g_t^2, \\qquad g \\leftarrow \\frac{g_t}{\\sqrt{s_t} + \\epsilon}
    """
    consts = _PerShape(lambda shape: {"eps": _full(eps, shape)})

    def init(params: Array) -> RssState:
        return RssState(np.zeros_like(params) + initial_accumulator_value)

    def update(g: Array, state: RssState, params: Array) -> tuple[Array, RssState]:
        s = state.sum_sq + g * g
        return g / (np.sqrt(s) + consts[s.shape]["eps"]), RssState(s)

    return GradientTransformation(init, update)


def scale_by_rms(
    alpha: float | Array = 0.99, eps: float | Array = 1e-8, centered: bool = False
) -> GradientTransformation:
    """RMSprop's normalisation by a running root-mean-square.

    .. math::
        v_t = \\alpha v_{t-1} + (1-\\alpha) g_t^2, \\qquad
        g \\leftarrow \\frac{g_t}{\\sqrt{v_t} + \\epsilon}

    Centred: also :math:`\\bar g_t = \\alpha \\bar g_{t-1} + (1-\\alpha) g_t` and the denominator is
    :math:`\\sqrt{v_t - \\bar g_t^2} + \\epsilon`. ``eps`` is added *outside* the square root, as in
    PyTorch (TensorFlow and Keras add it inside).
    """
    consts = _PerShape(
        lambda shape: {
            "a": _full(alpha, shape),
            "c": _full(1.0 - np.asarray(alpha, dtype=float), shape),
            "eps": _full(eps, shape),
        }
    )

    def init(params: Array) -> RmsState:
        zeros = np.zeros_like(params)
        return RmsState(zeros, zeros if centered else None)

    def update(g: Array, state: RmsState, params: Array) -> tuple[Array, RmsState]:
        k = consts[g.shape]
        a, c = k["a"], k["c"]
        v = a * state.square_avg + c * (g * g)
        if centered:
            ga = a * state.grad_avg + c * g
            return g / (np.sqrt(v - ga * ga) + k["eps"]), RmsState(v, ga)
        return g / (np.sqrt(v) + k["eps"]), RmsState(v, None)

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
        g \\leftarrow \\frac{m_t}{1-\\beta_1^t} \\Big/
          \\left(\\frac{\\sqrt{v_t}}{\\sqrt{1-\\beta_2^t}} + \\epsilon\\right)
        = \\frac{\\sqrt{1-\\beta_2^t}}{1-\\beta_1^t}\\,
          \\frac{m_t}{\\sqrt{v_t} + \\epsilon\\sqrt{1-\\beta_2^t}}

    (the right-hand form is what is computed: one division by an array instead of three).
    With AMSGrad, :math:`v_t` in the denominator is replaced by :math:`\\max_{s \\le t} v_s`.
    ``eps`` sits outside the square root and is *not* bias-corrected, as in PyTorch and the
    Adam paper (optax's ``eps_root`` is the inside variant).
    """
    scalar = not (_is_array(b1) or _is_array(b2) or _is_array(eps))
    consts = _PerShape(
        lambda shape: {
            "b1": _full(b1, shape),
            "c1": _full(1.0 - np.asarray(b1, dtype=float), shape),
            "b2": _full(b2, shape),
            "c2": _full(1.0 - np.asarray(b2, dtype=float), shape),
        }
    )

    def init(params: Array) -> AdamState:
        zeros = np.zeros_like(params)
        return AdamState(0, zeros, zeros, zeros if amsgrad else None)

    def update(g: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        k = consts[g.shape]
        t = state.count + 1
        # new arrays are made only where needed and then updated in place (never the inputs)
        m = k["c1"] * g
        m += k["b1"] * state.exp_avg
        v = k["c2"] * g
        v *= g
        v += k["b2"] * state.exp_avg_sq
        vmax = np.maximum(state.max_exp_avg_sq, v) if amsgrad else None
        denom = np.sqrt(v if vmax is None else vmax)
        if scalar:
            bc2_sqrt = math.sqrt(1.0 - b2**t)
            scale = bc2_sqrt / (1.0 - b1**t)
            denom += eps * bc2_sqrt
        else:
            bc2_sqrt = np.sqrt(1.0 - np.power(b2, t))
            scale = bc2_sqrt / (1.0 - np.power(b1, t))
            denom = denom + eps * bc2_sqrt
        u = scale * m
        u /= denom
        return u, AdamState(t, m, v, vmax)

    return GradientTransformation(init, update)


LearningRate = float | Array | Callable[[int], Any]


def scale_by_learning_rate(
    lr: LearningRate, lr_decay: float | Array = 0.0
) -> GradientTransformation:
    r"""Step against the update: :math:`u \leftarrow -\eta_t u`.

    ``lr`` is a number, an array, or a schedule (a callable of the step count ``t``, 0 on the
    first step, whose values are checked at every step: finite and >= 0). With ``lr_decay``
    (Adagrad) the rate is :math:`\eta_t / (1 + t\,\text{lr\_decay})`.
    """
    scheduled = callable(lr)
    decay = not _is_zero(lr_decay)
    consts = _PerShape(lambda shape: {} if scheduled else {"neg_lr": _full(-np.asarray(lr), shape)})

    if not (scheduled or decay):
        # a constant rate needs no step count
        def init(params: Array) -> EmptyState:
            return EmptyState()

        def update(u: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
            return consts[u.shape]["neg_lr"] * u, state

        return GradientTransformation(init, update)

    def init(params: Array) -> CountState:
        return CountState(0)

    def update(u: Array, state: CountState, params: Array) -> tuple[Array, CountState]:
        t = state.count
        if scheduled:
            u = -rate_at(lr, t) * u
        else:
            u = consts[u.shape]["neg_lr"] * u
        if decay:
            u = u / (1 + t * lr_decay)
        return u, CountState(t + 1)

    return GradientTransformation(init, update)
