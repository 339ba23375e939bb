"""SGD, Adagrad, RMSprop, Adam and AdamW with ``torch.optim``'s arguments, defaults and formulas.

Each class only checks its arguments and chains the transforms of :mod:`._transforms`; the
algorithm written out in each docstring is exactly what the chain computes.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._validation import check_real
from . import _transforms as T
from ._base import Optimizer, chain


def _check_lr(lr: Any) -> Any:
    if callable(lr):
        return lr
    return check_real("lr", lr, low=0.0, low_open=True)


def _check_betas(betas: Any) -> tuple[Any, Any]:
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    b1 = check_real("betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
    b2 = check_real("betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
    return b1, b2


def _decay(weight_decay: Any) -> list:
    """The L2 weight-decay transform, or nothing when the decay is the number 0."""
    return [] if T._is_zero(weight_decay) else [T.add_decayed_weights(weight_decay)]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (``torch.optim.SGD``).

    .. math::
        &\textbf{input: } \eta \text{ (lr)},\ \mu \text{ (momentum)},\ \tau \text{ (dampening)},
          \ \lambda \text{ (weight decay)},\ \text{nesterov} \\
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad \textbf{if } \mu \neq 0: \\
        &\quad\quad b_t \leftarrow g_t \text{ if } t = 1 \text{ else } \mu b_{t-1} + (1-\tau) g_t \\
        &\quad\quad g_t \leftarrow g_t + \mu b_t \text{ if nesterov else } b_t \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta g_t

    Defaults: ``lr=1e-3``, ``momentum=0``, ``dampening=0``, ``weight_decay=0``,
    ``nesterov=False``. PyTorch's ``lr`` default is also ``1e-3``.

    Conventions differ: many texts write momentum as :math:`v_t = \beta v_{t-1} + (1-\beta) g_t`
    (an exponential average, ``dampening = momentum`` here) or put the learning rate inside the
    velocity, :math:`v_t = \mu v_{t-1} - \eta g_t`. With a constant learning rate the last form
    gives the same iterates as PyTorch's; the averaged form is PyTorch's with the learning rate
    divided by :math:`1-\beta` (apart from the first step).
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-3,
        "momentum": 0.0,
        "dampening": 0.0,
        "weight_decay": 0.0,
        "nesterov": False,
    }

    def __init__(
        self,
        lr: Any = 1e-3,
        momentum: Any = 0.0,
        dampening: Any = 0.0,
        weight_decay: Any = 0.0,
        nesterov: bool = False,
    ) -> None:
        lr = _check_lr(lr)
        momentum = check_real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        dampening = check_real("dampening", dampening, low=0.0, high=1.0)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and (np.any(np.asarray(momentum) <= 0) or np.any(np.asarray(dampening) != 0)):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0")
        parts = _decay(weight_decay)
        if not T._is_zero(momentum):
            parts.append(T.trace(momentum, dampening, bool(nesterov)))
        parts.append(T.scale_by_learning_rate(lr))
        super().__init__(
            chain(*parts),
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": bool(nesterov),
            },
        )


class Adagrad(Optimizer):
    r"""Adagrad: a per-coordinate step shrunk by all past squared gradients.

    As ``torch.optim.Adagrad``:

    .. math::
        &\textbf{input: } \eta \text{ (lr)},\ \lambda \text{ (weight decay)},\ \text{lr\_decay},
          \ s_0 \text{ (initial accumulator value)},\ \epsilon \\
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad \tilde\eta \leftarrow \eta / (1 + (t-1)\,\text{lr\_decay}) \\
        &\quad s_t \leftarrow s_{t-1} + g_t^2 \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \tilde\eta\, g_t / (\sqrt{s_t} + \epsilon)

    Defaults: ``lr=1e-2``, ``lr_decay=0``, ``weight_decay=0``, ``initial_accumulator_value=0``,
    ``eps=1e-10`` (as PyTorch). Duchi et al. (2011) write :math:`\epsilon` inside the root.
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }

    def __init__(
        self,
        lr: Any = 1e-2,
        lr_decay: Any = 0.0,
        weight_decay: Any = 0.0,
        initial_accumulator_value: Any = 0.0,
        eps: Any = 1e-10,
    ) -> None:
        lr = _check_lr(lr)
        lr_decay = check_real("lr_decay", lr_decay, low=0.0)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        initial_accumulator_value = check_real(
            "initial_accumulator_value", initial_accumulator_value, low=0.0
        )
        eps = check_real("eps", eps, low=0.0)
        super().__init__(
            chain(
                *_decay(weight_decay),
                T.scale_by_rss(initial_accumulator_value, eps),
                T.scale_by_learning_rate(lr, lr_decay),
            ),
            {
                "lr": lr,
                "lr_decay": lr_decay,
                "weight_decay": weight_decay,
                "initial_accumulator_value": initial_accumulator_value,
                "eps": eps,
            },
        )


class RMSprop(Optimizer):
    r"""RMSprop: divide by a running root-mean-square of the gradient (``torch.optim.RMSprop``).

    .. math::
        &\textbf{input: } \eta \text{ (lr)},\ \alpha \text{ (smoothing)},\ \epsilon,
          \ \lambda \text{ (weight decay)},\ \mu \text{ (momentum)},\ \text{centered} \\
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad v_t \leftarrow \alpha v_{t-1} + (1-\alpha) g_t^2 \\
        &\quad \textbf{if centered: } \bar g_t \leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t,
          \ \ \tilde v_t \leftarrow v_t - \bar g_t^2 \ \textbf{else } \tilde v_t \leftarrow v_t \\
        &\quad \textbf{if } \mu > 0:
          b_t \leftarrow \mu b_{t-1} + g_t/(\sqrt{\tilde v_t} + \epsilon),
          \ \ \theta_t \leftarrow \theta_{t-1} - \eta b_t \\
        &\quad \textbf{else: }
          \theta_t \leftarrow \theta_{t-1} - \eta\, g_t/(\sqrt{\tilde v_t} + \epsilon)

    Defaults: ``lr=1e-2``, ``alpha=0.99``, ``eps=1e-8``, ``weight_decay=0``, ``momentum=0``,
    ``centered=False`` (as PyTorch; Hinton's lecture and Keras use ``rho = 0.9`` and put
    :math:`\epsilon` inside the root).
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    }

    def __init__(
        self,
        lr: Any = 1e-2,
        alpha: Any = 0.99,
        eps: Any = 1e-8,
        weight_decay: Any = 0.0,
        momentum: Any = 0.0,
        centered: bool = False,
    ) -> None:
        lr = _check_lr(lr)
        alpha = check_real("alpha", alpha, low=0.0, high=1.0, high_open=True)
        eps = check_real("eps", eps, low=0.0)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        momentum = check_real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        if not isinstance(centered, (bool, np.bool_)):
            raise TypeError(f"centered must be True or False, got {centered!r}")
        parts = [*_decay(weight_decay), T.scale_by_rms(alpha, eps, bool(centered))]
        if not T._is_zero(momentum):
            parts.append(T.trace(momentum))
        parts.append(T.scale_by_learning_rate(lr))
        super().__init__(
            chain(*parts),
            {
                "lr": lr,
                "alpha": alpha,
                "eps": eps,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "centered": bool(centered),
            },
        )


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMS scaling per coordinate, bias-corrected.

    As ``torch.optim.Adam``:

    .. math::
        &\textbf{input: } \eta \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \epsilon,
          \ \lambda \text{ (weight decay)},\ \text{amsgrad} \\
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        &\quad \hat m_t \leftarrow m_t / (1-\beta_1^t) \\
        &\quad \hat v_t \leftarrow \max(\hat v_{t-1}, v_t)\text{ if amsgrad else } v_t,
          \ \text{then } / (1-\beta_2^t) \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    Defaults: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=0``,
    ``amsgrad=False``. ``weight_decay`` here is an L2 penalty added to the gradient; for the
    decoupled decay of Loshchilov and Hutter use :class:`AdamW`.
    """

    defaults: ClassVar[dict[str, Any]] = {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }
    _decoupled = False

    def __init__(
        self,
        lr: Any = 1e-3,
        betas: tuple[Any, Any] = (0.9, 0.999),
        eps: Any = 1e-8,
        weight_decay: Any = 0.0,
        amsgrad: bool = False,
    ) -> None:
        lr = _check_lr(lr)
        b1, b2 = _check_betas(betas)
        eps = check_real("eps", eps, low=0.0)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise TypeError(f"amsgrad must be True or False, got {amsgrad!r}")
        adam = [T.scale_by_adam(b1, b2, eps, bool(amsgrad)), T.scale_by_learning_rate(lr)]
        if self._decoupled:
            parts = (
                adam
                if T._is_zero(weight_decay)
                else [*adam, T.decoupled_weight_decay(lr, weight_decay)]
            )
        else:
            parts = [*_decay(weight_decay), *adam]
        super().__init__(
            chain(*parts),
            {
                "lr": lr,
                "betas": (b1, b2),
                "eps": eps,
                "weight_decay": weight_decay,
                "amsgrad": bool(amsgrad),
            },
        )


class AdamW(Adam):
    r"""Adam with decoupled weight decay (``torch.optim.AdamW``).

    .. math::
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad \theta \leftarrow \theta_{t-1} - \eta \lambda \theta_{t-1}
          \quad \text{(decay the weights, not the gradient)} \\
        &\quad \theta_t \leftarrow \theta - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)
          \quad \text{(the Adam step, with } g_t = \nabla f(\theta_{t-1})\text{)}

    Defaults: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``, ``weight_decay=1e-2``,
    ``amsgrad=False``. The decay is multiplied by the learning rate, as in PyTorch; the paper's
    schedule multiplier :math:`\eta_t` is the ratio of the current to the initial rate.
    """

    defaults: ClassVar[dict[str, Any]] = {**Adam.defaults, "weight_decay": 1e-2}
    _decoupled = True

    def __init__(
        self,
        lr: Any = 1e-3,
        betas: tuple[Any, Any] = (0.9, 0.999),
        eps: Any = 1e-8,
        weight_decay: Any = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(lr, betas, eps, weight_decay, amsgrad)
