"""Optimizers: pure ``init``/``step`` pairs with ``torch.optim``'s arguments and formulas.

Named optimizers (:class:`SGD`, :class:`Adagrad`, :class:`RMSprop`, :class:`Adam`,
:class:`AdamW`) are chains of the small transforms below, as in optax.
"""

from ._base import GradientTransformation, Optimizer, chain
from ._clip import ClipGradNorm, clip_by_global_norm
from ._named import SGD, Adagrad, Adam, AdamW, RMSprop
from ._second_order import Newton, Preconditioned, precondition, scale_by_inverse_hessian
from ._transforms import (
    add_decayed_weights,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_rms,
    scale_by_rss,
    trace,
)

#: the named optimizers by lower-case name, for explorers and sweeps
OPTIMIZERS = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "preconditioned": Preconditioned,
    "newton": Newton,
}

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "ClipGradNorm",
    "GradientTransformation",
    "Newton",
    "Optimizer",
    "Preconditioned",
    "RMSprop",
    "add_decayed_weights",
    "chain",
    "clip_by_global_norm",
    "precondition",
    "scale_by_adam",
    "scale_by_inverse_hessian",
    "scale_by_learning_rate",
    "scale_by_rms",
    "scale_by_rss",
    "trace",
]
