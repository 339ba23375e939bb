"""SGD, Adagrad, RMSprop, Adam and AdamW with ``torch.optim``'s arguments, defaults and formulas.

Each class only checks its arguments and chains the transforms of :mod:`._transforms`; the
algorithm written out in each docstring is exactly what the chain computes. Each default is
written once, in the class's ``defaults`` (``SGD.defaults`` ...), which the constructor's
signature reads; they are PyTorch's.

Array hyperparameters broadcast against the parameters, of shape ``(..., d)``: the last axis of
an array is the coordinate axis (size 1, or ``d`` for a value per coordinate) and its leading
axes are batch axes, so ``SGD(lr=lrs[:, None])`` is one optimizer for ``len(lrs)`` runs.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from .._validation import check_real
from . import _transforms as T
from ._base import Optimizer, chain

_SGD = MappingProxyType(
    {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}
)
_ADAGRAD = MappingProxyType(
    {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }
)
_RMSPROP = MappingProxyType(
    {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    }
)
_ADAM = MappingProxyType(
    {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}
)
_ADAMW = MappingProxyType({**_ADAM, "weight_decay": 1e-2})


def _check_lr(lr: Any) -> Any:
    """A number or array ``> 0``, or a schedule (checked at every step it is used)."""
    if callable(lr):
        return lr
    return check_real("lr", lr, low=0.0, low_open=True)


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_betas(betas: Any) -> tuple[Any, Any]:
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    b1 = check_real("betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
    b2 = check_real("betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
    return b1, b2


def _decay(weight_decay: Any) -> list:
    """The weight-decay transform, or nothing when the decay is the number 0."""
    return [] if T._is_zero(weight_decay) else [T.add_decayed_weights(weight_decay)]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (``torch.optim.SGD``).

    With learning rate :math:`\eta` (``lr``), momentum :math:`\beta` (``momentum``), dampening
    :math:`\tau` (``dampening``) and weight decay :math:`\omega` (``weight_decay``):

    .. math::
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \omega \theta_{t-1} \\
        &\quad \textbf{if } \beta \neq 0: \\
        &\quad\quad z_t \leftarrow g_t \text{ if } t = 1
          \text{ else } \beta z_{t-1} + (1-\tau) g_t \\
        &\quad\quad g_t \leftarrow g_t + \beta z_t \text{ if nesterov else } z_t \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta g_t

    :math:`z_t` is the momentum buffer (the "velocity"). Defaults (``SGD.defaults``) are
    PyTorch's: ``lr=1e-3``, no momentum, dampening or weight decay.

    Conventions differ: many texts write momentum as :math:`z_t = \beta z_{t-1} + (1-\beta) g_t`
    (an exponential average, ``dampening = momentum`` here) or put the learning rate inside the
    velocity, :math:`z_t = \beta z_{t-1} - \eta g_t`. With a constant learning rate the last form
    gives the same iterates as PyTorch's; the averaged form is PyTorch's with the learning rate
    divided by :math:`1-\beta` (apart from the first step).

    Examples
    --------
    >>> import gdcore
    >>> opt = gdcore.SGD(lr=0.1, momentum=0.9)
    >>> f = gdcore.functions.quadratic(curvatures=[1.0, 10.0])
    >>> traj = gdcore.run(opt, f, [1.0, 1.0], steps=500, tol=1e-8)
    >>> traj.status, traj.nit
    ('converged', 357)
    """

    defaults: ClassVar = _SGD

    def __init__(
        self,
        lr: Any = _SGD["lr"],
        momentum: Any = _SGD["momentum"],
        dampening: Any = _SGD["dampening"],
        weight_decay: Any = _SGD["weight_decay"],
        nesterov: bool = _SGD["nesterov"],
    ) -> None:
        lr = _check_lr(lr)
        momentum = check_real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        dampening = check_real("dampening", dampening, low=0.0, high=1.0)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        nesterov = _check_bool("nesterov", nesterov)
        if nesterov and (np.any(np.asarray(momentum) <= 0) or np.any(np.asarray(dampening) != 0)):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0")
        parts = _decay(weight_decay)
        if not T._is_zero(momentum):
            parts.append(T.trace(momentum, dampening, nesterov))
        parts.append(T.scale_by_learning_rate(lr))
        super().__init__(
            chain(*parts),
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
            },
        )


class Adagrad(Optimizer):
    r"""Adagrad: a per-coordinate step shrunk by all past squared gradients.

    As ``torch.optim.Adagrad``, with learning rate :math:`\eta` (``lr``), weight decay
    :math:`\omega` (``weight_decay``), ``lr_decay``, :math:`s_0` (``initial_accumulator_value``)
    and :math:`\epsilon` (``eps``):

    .. math::
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \omega \theta_{t-1} \\
        &\quad \tilde\eta \leftarrow \eta / (1 + (t-1)\,\text{lr\_decay}) \\
        &\quad s_t \leftarrow s_{t-1} + g_t^2 \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \tilde\eta\, g_t / (\sqrt{s_t} + \epsilon)

    Defaults (``Adagrad.defaults``) are PyTorch's: ``lr=1e-2``, ``eps=1e-10``, the others 0.
    Duchi et al. (2011) add their :math:`\delta` outside the root too, as here.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.quadratic(curvatures=[1.0, 10.0])
    >>> traj = gdcore.run(gdcore.Adagrad(lr=0.5), f, [1.0, 1.0], steps=3)
    >>> traj.params.round(4)   # the same steps on both axes: g / sqrt(s) forgets the scale
    array([[1.    , 1.    ],
           [0.5   , 0.5   ],
           [0.2764, 0.2764],
           [0.1564, 0.1564]])
    """

    defaults: ClassVar = _ADAGRAD

    def __init__(
        self,
        lr: Any = _ADAGRAD["lr"],
        lr_decay: Any = _ADAGRAD["lr_decay"],
        weight_decay: Any = _ADAGRAD["weight_decay"],
        initial_accumulator_value: Any = _ADAGRAD["initial_accumulator_value"],
        eps: Any = _ADAGRAD["eps"],
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

    With learning rate :math:`\eta` (``lr``), smoothing constant :math:`\alpha` (``alpha``),
    :math:`\epsilon` (``eps``), weight decay :math:`\omega` (``weight_decay``) and momentum
    :math:`\beta` (``momentum``):

    .. math::
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \omega \theta_{t-1} \\
        &\quad v_t \leftarrow \alpha v_{t-1} + (1-\alpha) g_t^2 \\
        &\quad \textbf{if centered: } \bar g_t \leftarrow \alpha \bar g_{t-1} + (1-\alpha) g_t,
          \ \ \tilde v_t \leftarrow v_t - \bar g_t^2 \ \textbf{else } \tilde v_t \leftarrow v_t \\
        &\quad \textbf{if } \beta > 0:
          z_t \leftarrow \beta z_{t-1} + g_t/(\sqrt{\tilde v_t} + \epsilon),
          \ \ \theta_t \leftarrow \theta_{t-1} - \eta z_t \\
        &\quad \textbf{else: }
          \theta_t \leftarrow \theta_{t-1} - \eta\, g_t/(\sqrt{\tilde v_t} + \epsilon)

    Defaults (``RMSprop.defaults``) are PyTorch's: ``lr=1e-2``, ``alpha=0.99``, ``eps=1e-8``
    (Hinton's lecture uses 0.9 and no :math:`\epsilon`; TensorFlow 1 puts :math:`\epsilon` inside
    the root).

    Examples
    --------
    >>> import gdcore
    >>> traj = gdcore.run(gdcore.RMSprop(lr=0.01), gdcore.functions.parabola(), [2.0], steps=2)
    >>> traj.params[:, 0].round(4)   # the first step is lr / sqrt(1 - alpha) = 0.1
    array([2.    , 1.9   , 1.8309])
    """

    defaults: ClassVar = _RMSPROP

    def __init__(
        self,
        lr: Any = _RMSPROP["lr"],
        alpha: Any = _RMSPROP["alpha"],
        eps: Any = _RMSPROP["eps"],
        weight_decay: Any = _RMSPROP["weight_decay"],
        momentum: Any = _RMSPROP["momentum"],
        centered: bool = _RMSPROP["centered"],
    ) -> None:
        lr = _check_lr(lr)
        alpha = check_real("alpha", alpha, low=0.0, high=1.0, high_open=True)
        eps = check_real("eps", eps, low=0.0)
        weight_decay = check_real("weight_decay", weight_decay, low=0.0)
        momentum = check_real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        centered = _check_bool("centered", centered)
        parts = [*_decay(weight_decay), T.scale_by_rms(alpha, eps, centered)]
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
                "centered": centered,
            },
        )


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMS scaling per coordinate, bias-corrected.

    As ``torch.optim.Adam``, with learning rate :math:`\eta` (``lr``), :math:`\beta_1, \beta_2`
    (``betas``), :math:`\epsilon` (``eps``) and weight decay :math:`\omega` (``weight_decay``):

    .. math::
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad g_t \leftarrow \nabla f(\theta_{t-1}) + \omega \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        &\quad \hat m_t \leftarrow m_t / (1-\beta_1^t) \\
        &\quad \hat v_t \leftarrow \max(\hat v_{t-1}, v_t)\text{ if amsgrad else } v_t,
          \ \text{then } / (1-\beta_2^t) \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    The chain is ``add_decayed_weights`` (when :math:`\omega \ne 0`), ``scale_by_adam``,
    ``scale_by_learning_rate``: ``weight_decay`` here is an L2 penalty added to the gradient;
    for the decoupled decay of Loshchilov and Hutter use :class:`AdamW`. Defaults
    (``Adam.defaults``) are PyTorch's: ``lr=1e-3``, ``betas=(0.9, 0.999)``, ``eps=1e-8``.

    Examples
    --------
    >>> import gdcore
    >>> traj = gdcore.run(gdcore.Adam(lr=0.1), gdcore.functions.parabola(), [2.0], steps=3)
    >>> traj.params[:, 0].round(6)   # each early step is about lr
    array([2.      , 1.9     , 1.800166, 1.700623])
    """

    defaults: ClassVar = _ADAM

    def __init__(
        self,
        lr: Any = _ADAM["lr"],
        betas: tuple[Any, Any] = _ADAM["betas"],
        eps: Any = _ADAM["eps"],
        weight_decay: Any = _ADAM["weight_decay"],
        amsgrad: bool = _ADAM["amsgrad"],
    ) -> None:
        hp = _adam_hyperparams(lr, betas, eps, weight_decay, amsgrad)
        adam = T.scale_by_adam(*hp["betas"], hp["eps"], hp["amsgrad"])
        # the L2 penalty enters the gradient before the moments
        parts = [*_decay(hp["weight_decay"]), adam, T.scale_by_learning_rate(hp["lr"])]
        super().__init__(chain(*parts), hp)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (``torch.optim.AdamW``).

    The same transforms as :class:`Adam` in another order (as optax's ``adamw``):
    ``scale_by_adam``, then ``add_decayed_weights``, then ``scale_by_learning_rate``, so the
    decay :math:`\omega\theta` (``weight_decay``) is added to Adam's normalised step rather
    than to the gradient, and is multiplied by the learning rate with it:

    .. math::
        &\textbf{for } t = 1, 2, \dots: \\
        &\quad \theta_t \leftarrow \theta_{t-1}
          - \eta \left(\hat m_t / (\sqrt{\hat v_t} + \epsilon) + \omega \theta_{t-1}\right)
          \quad (m_t, v_t \text{ from } g_t = \nabla f(\theta_{t-1})\text{, as in Adam})

    which is PyTorch's :math:`\theta \leftarrow \theta(1 - \eta\omega)` followed by the Adam step.
    Defaults (``AdamW.defaults``) are Adam's with ``weight_decay=1e-2``, as in PyTorch. The
    paper's schedule multiplier :math:`\eta_t` is the ratio of the current to the initial rate.

    Examples
    --------
    >>> import gdcore
    >>> opt = gdcore.AdamW(lr=0.1, weight_decay=0.5)
    >>> traj = gdcore.run(opt, gdcore.functions.parabola(), [2.0], steps=1)
    >>> traj.params[1, 0].round(6)   # 2 - 0.1 * (1 + 0.5 * 2)
    np.float64(1.8)
    """

    defaults: ClassVar = _ADAMW

    def __init__(
        self,
        lr: Any = _ADAMW["lr"],
        betas: tuple[Any, Any] = _ADAMW["betas"],
        eps: Any = _ADAMW["eps"],
        weight_decay: Any = _ADAMW["weight_decay"],
        amsgrad: bool = _ADAMW["amsgrad"],
    ) -> None:
        hp = _adam_hyperparams(lr, betas, eps, weight_decay, amsgrad)
        adam = T.scale_by_adam(*hp["betas"], hp["eps"], hp["amsgrad"])
        # the decay is added to Adam's step, before the learning rate scales both
        parts = [adam, *_decay(hp["weight_decay"]), T.scale_by_learning_rate(hp["lr"])]
        Optimizer.__init__(self, chain(*parts), hp)


def _adam_hyperparams(lr: Any, betas: Any, eps: Any, weight_decay: Any, amsgrad: Any) -> dict:
    return {
        "lr": _check_lr(lr),
        "betas": _check_betas(betas),
        "eps": check_real("eps", eps, low=0.0),
        "weight_decay": check_real("weight_decay", weight_decay, low=0.0),
        "amsgrad": _check_bool("amsgrad", amsgrad),
    }
