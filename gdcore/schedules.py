"""Learning-rate schedules: the rate :math:`\\eta_t` as a function of the step count :math:`t`.

A schedule is a callable, so it can be passed as the ``lr`` of any optimizer::

    opt = gdcore.SGD(lr=gdcore.schedules.exponential_decay(0.1, gamma=0.99))

The contract of a schedule is only that: **any callable of the step count** ``t`` (an
integer, the number of updates already made, so the first update uses :math:`\\eta_0`) that
returns a finite rate ``>= 0``, a number or an array that broadcasts against the parameters
like an array ``lr`` (so an array of shape ``(B, 1)`` is a batch of ``B`` runs). The optimizers
check each value through :func:`rate_at`, and :func:`gdcore.run` reads the batch shape from
the value at ``t = 0``; nothing else about the callable is looked at. A plain function such as
``lambda t: 0.1 / (1 + t)`` is a schedule.

:class:`Schedule`, which the functions below return, adds a name and ``values(n)``; it also
accepts an array of step counts (``sched(np.arange(100))``), which is how it is plotted. The
step count matches calling ``torch.optim.lr_scheduler``'s ``step()`` once after every
optimizer step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import check_int, check_real

__all__ = [
    "Schedule",
    "constant",
    "cosine_decay",
    "exponential_decay",
    "inverse_time_decay",
    "rate_at",
    "step_decay",
    "warmup_cosine",
]


def rate_at(lr: Callable[[int], Any], t: int) -> Any:
    r"""The rate :math:`\eta_t`, the value ``lr(t)`` of a schedule, checked.

    This is the whole contract of a schedule: any callable of the step count ``t`` (0 on the
    first update) returning a finite number or array ``>= 0`` (an array broadcasts against the
    parameters, as an array ``lr`` does). A value outside that raises a ``ValueError`` naming
    ``lr`` and the step; the optimizers call this at every step.

    Examples
    --------
    >>> from gdcore.schedules import rate_at
    >>> rate_at(lambda t: 0.1 / (1 + t), 4)
    0.02
    >>> rate_at(lambda t: 0.1 - 0.01 * t, 11)
    Traceback (most recent call last):
    ...
    ValueError: lr is a schedule that returned -0.0... at step t=11; a learning rate must be ...
    """
    eta = lr(t)
    if type(eta) is float:  # the common case, checked without numpy
        if eta >= 0.0 and eta != math.inf:
            return eta
    else:
        try:
            arr = np.asarray(eta, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"lr is a schedule that returned {type(eta).__name__} {eta!r} at step t={t}; "
                "it must return a number or an array of numbers"
            ) from exc
        if np.all(arr >= 0.0) and np.all(np.isfinite(arr)):
            return eta if isinstance(eta, (np.ndarray, np.floating, int)) else arr
    shown = (
        repr(eta)
        if np.ndim(eta) == 0
        else f"an array of shape {np.shape(eta)} holding {np.min(eta)!r} and {np.max(eta)!r}"
    )
    raise ValueError(
        f"lr is a schedule that returned {shown} at step t={t}; a learning rate must be "
        "finite and >= 0"
    )


class Schedule:
    """A learning rate as a function of the step count, with a readable name.

    ``sched(t)`` returns :math:`\\eta_t` for an integer ``t`` or an array of them;
    ``sched.values(n)`` returns :math:`\\eta_0, \\dots, \\eta_{n-1}`. ``lr`` is the initial
    rate :math:`\\eta_0` (a number, or an array for a batch of runs).

    Examples
    --------
    >>> import numpy as np
    >>> from gdcore.schedules import Schedule
    >>> halving = Schedule(lambda t: 0.1 * 0.5 ** np.asarray(t), "halving", 0.1)
    >>> halving.values(3), halving
    (array([0.1  , 0.05 , 0.025]), halving)
    """

    def __init__(self, fn: Callable[[Any], Any], name: str, lr: Any) -> None:
        self._fn = fn
        self.name = name
        self.lr = lr

    def __call__(self, t: Any) -> Any:
        return self._fn(t)

    def values(self, n: int) -> np.ndarray:
        """The first ``n`` learning rates, shape ``(n,)`` (or ``(n, ...)`` for array ``lr``)."""
        n = check_int("n", n, low=1)
        t = np.arange(n).reshape((n,) + (1,) * np.ndim(self.lr))
        return np.broadcast_to(self._fn(t), (n, *np.shape(self.lr))).astype(float)

    def __repr__(self) -> str:
        return self.name


def _lr(lr: Any) -> Any:
    return check_real("lr", lr, low=0.0, low_open=True)


def constant(lr: Any) -> Schedule:
    """:math:`\\eta_t = \\eta_0`.

    Examples
    --------
    >>> from gdcore import schedules
    >>> schedules.constant(0.1).values(3)
    array([0.1, 0.1, 0.1])
    """
    lr = _lr(lr)

    def fn(t: Any) -> Any:
        return lr * np.ones_like(t, dtype=float) if np.ndim(t) else lr

    return Schedule(fn, f"constant(lr={lr:g})" if np.ndim(lr) == 0 else "constant", lr)


def step_decay(lr: Any, step_size: int, gamma: Any = 0.1) -> Schedule:
    """Multiply by ``gamma`` every ``step_size`` steps.

    .. math:: \\eta_t = \\eta_0\\,\\gamma^{\\lfloor t / s \\rfloor}

    As ``torch.optim.lr_scheduler.StepLR(step_size, gamma=0.1)``.

    Examples
    --------
    >>> from gdcore import schedules
    >>> schedules.step_decay(0.1, step_size=2, gamma=0.5).values(5)
    array([0.1  , 0.1  , 0.05 , 0.05 , 0.025])
    """
    lr = _lr(lr)
    step_size = check_int("step_size", step_size, low=1)
    gamma = check_real("gamma", gamma, low=0.0, high=1.0, low_open=True)
    return Schedule(
        lambda t: lr * gamma ** (np.asarray(t) // step_size),
        f"step_decay(lr={lr:g}, step_size={step_size}, gamma={gamma:g})"
        if np.ndim(lr) == 0
        else "step_decay",
        lr,
    )


def exponential_decay(lr: Any, gamma: Any) -> Schedule:
    """Multiply by ``gamma`` every step: :math:`\\eta_t = \\eta_0\\,\\gamma^t`.

    As ``torch.optim.lr_scheduler.ExponentialLR(gamma)``. The rate halves every
    :math:`\\ln 2 / \\ln(1/\\gamma)` steps.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> s = gdcore.schedules.exponential_decay(0.1, gamma=0.5)
    >>> float(s(0)), float(s(3))
    (0.1, 0.0125)
    >>> batch = gdcore.schedules.exponential_decay(np.array([[0.1], [0.2]]), gamma=0.5)
    >>> batch.values(2)[:, :, 0]   # one column per run of a batched optimizer
    array([[0.1 , 0.2 ],
           [0.05, 0.1 ]])
    """
    lr = _lr(lr)
    gamma = check_real("gamma", gamma, low=0.0, high=1.0, low_open=True)
    return Schedule(
        lambda t: lr * gamma ** np.asarray(t, dtype=float),
        f"exponential_decay(lr={lr:g}, gamma={gamma:g})"
        if np.ndim(lr) == 0
        else "exponential_decay",
        lr,
    )


def inverse_time_decay(lr: Any, decay_rate: Any, decay_steps: int = 1) -> Schedule:
    """Inverse-time decay: :math:`\\eta_t = \\eta_0 / (1 + r\\, t / s)`.

    ``decay_rate`` is :math:`r` and ``decay_steps`` :math:`s`.

    As Keras' ``InverseTimeDecay`` (non-staircase). The step sizes sum to infinity while their
    squares do not, the classical (Robbins-Monro) condition for stochastic gradient descent
    to converge.

    Examples
    --------
    >>> from gdcore import schedules
    >>> schedules.inverse_time_decay(0.1, decay_rate=1.0).values(4).round(4)
    array([0.1   , 0.05  , 0.0333, 0.025 ])
    """
    lr = _lr(lr)
    decay_rate = check_real("decay_rate", decay_rate, low=0.0)
    decay_steps = check_int("decay_steps", decay_steps, low=1)
    return Schedule(
        lambda t: lr / (1.0 + decay_rate * np.asarray(t, dtype=float) / decay_steps),
        f"inverse_time_decay(lr={lr:g}, decay_rate={decay_rate:g})"
        if np.ndim(lr) == 0
        else "inverse_time_decay",
        lr,
    )


def cosine_decay(lr: Any, total_steps: int, eta_min: Any = 0.0) -> Schedule:
    """Half a cosine from :math:`\\eta_0` down to :math:`\\eta_{\\min}` over ``total_steps``.

    .. math::
        \\eta_t = \\eta_{\\min} + \\tfrac12(\\eta_0 - \\eta_{\\min})
        \\bigl(1 + \\cos(\\pi\\, t / T)\\bigr) \\quad (t \\le T), \\qquad
        \\eta_t = \\eta_{\\min} \\quad (t > T)

    As ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min)`` for :math:`t \\le T`
    (PyTorch's schedule then rises again along the cosine; this one stays at
    :math:`\\eta_{\\min}`).

    Examples
    --------
    >>> from gdcore import schedules
    >>> schedules.cosine_decay(0.1, total_steps=4).values(6).round(4)
    array([0.1   , 0.0854, 0.05  , 0.0146, 0.    , 0.    ])
    """
    lr = _lr(lr)
    total_steps = check_int("total_steps", total_steps, low=1)
    eta_min = check_real("eta_min", eta_min, low=0.0)
    if np.any(np.asarray(eta_min) > np.asarray(lr)):
        raise ValueError(f"eta_min must be <= lr, got eta_min={eta_min!r} and lr={lr!r}")

    def fn(t: Any) -> Any:
        progress = np.minimum(np.asarray(t, dtype=float), total_steps) / total_steps
        return eta_min + 0.5 * (lr - eta_min) * (1.0 + np.cos(np.pi * progress))

    name = (
        f"cosine_decay(lr={lr:g}, total_steps={total_steps}, eta_min={eta_min:g})"
        if np.ndim(lr) == 0 and np.ndim(eta_min) == 0
        else "cosine_decay"
    )
    return Schedule(fn, name, lr)


def warmup_cosine(
    lr: Any,
    warmup_steps: int,
    total_steps: int,
    start_factor: Any = 0.0,
    eta_min: Any = 0.0,
) -> Schedule:
    """Linear warm-up to :math:`\\eta_0` over ``warmup_steps``, then :func:`cosine_decay`.

    With :math:`W` = ``warmup_steps``, :math:`T` = ``total_steps`` and :math:`s` =
    ``start_factor``:

    .. math::
        \\eta_t = \\eta_0 \\Bigl(s + (1 - s)\\,\\frac{t}{W}\\Bigr) \\quad (t < W), \\qquad
        \\eta_t = \\eta_{\\min} + \\tfrac12(\\eta_0 - \\eta_{\\min})
        \\Bigl(1 + \\cos\\frac{\\pi (t - W)}{T - W}\\Bigr) \\quad (W \\le t \\le T)

    and :math:`\\eta_{\\min}` after :math:`T`. As PyTorch's ``SequentialLR`` of
    ``LinearLR(start_factor=s, total_iters=W)`` and ``CosineAnnealingLR(T_max=T - W, eta_min)``
    with ``milestones=[W]`` (PyTorch needs :math:`s > 0`; here :math:`s = 0`, the first update
    made with a zero rate, is allowed). ``warmup_steps=0`` is plain cosine decay.

    Examples
    --------
    >>> from gdcore import schedules
    >>> schedules.warmup_cosine(0.1, warmup_steps=2, total_steps=6).values(7).round(4)
    array([0.    , 0.05  , 0.1   , 0.0854, 0.05  , 0.0146, 0.    ])
    """
    lr = _lr(lr)
    warmup_steps = check_int("warmup_steps", warmup_steps, low=0)
    total_steps = check_int("total_steps", total_steps, low=warmup_steps + 1)
    start_factor = check_real("start_factor", start_factor, low=0.0, high=1.0)
    cosine = cosine_decay(lr, total_steps - warmup_steps, eta_min)

    def fn(t: Any) -> Any:
        t = np.asarray(t, dtype=float)
        ramp = lr * (start_factor + (1.0 - start_factor) * t / max(warmup_steps, 1))
        out = np.where(t < warmup_steps, ramp, cosine(np.maximum(t - warmup_steps, 0.0)))
        return out if out.ndim else float(out)

    name = (
        f"warmup_cosine(lr={lr:g}, warmup_steps={warmup_steps}, total_steps={total_steps})"
        if np.ndim(lr) == 0
        else "warmup_cosine"
    )
    return Schedule(fn, name, lr)
