"""gdcore: exact, fast gradient descent in numpy, for the interactive textbook.

The flat namespace holds what a chapter needs most::

    import gdcore
    f = gdcore.functions.rosenbrock()
    traj = gdcore.run(gdcore.Adam(lr=0.05), f, x0=[-1.5, 2.0], steps=500)

Rooms: objectives (:class:`Objective`, :mod:`gdcore.functions`, :mod:`gdcore.losses`, gradient
checks), optimizers (:mod:`gdcore.optimizers`, :mod:`gdcore.schedules`), running
(:func:`run`, :class:`Trajectory`), data (:mod:`gdcore.data`), plotting
(:mod:`gdcore.plotting`) and widgets (:mod:`gdcore.widgets`).
"""

from . import autodiff, book, data, datasets, functions, losses, optimizers, schedules
from ._objective import Objective, check_grad, numerical_grad
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from .running import Trajectory, run

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Objective",
    "Optimizer",
    "RMSprop",
    "Trajectory",
    "autodiff",
    "book",
    "check_grad",
    "data",
    "datasets",
    "functions",
    "losses",
    "numerical_grad",
    "optimizers",
    "run",
    "schedules",
]
