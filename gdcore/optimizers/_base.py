"""The optimizer protocol: pure ``init``/``update`` transforms and their composition.

A *gradient transformation* is a pair of pure functions over a small named state::

    state = tx.init(params)
    updates, state = tx.update(updates, state, params)

``updates`` enters as the gradient and leaves as whatever the transformation makes of it
(a decayed, averaged, rescaled gradient...). :func:`chain` composes transformations left to
right, and an :class:`Optimizer` applies the final updates: ``params + updates``. No function here
mutates what it is given, so a state can be kept, compared or replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._validation import as_float_array

Array = np.ndarray
State = Any


class GradientTransformation(NamedTuple):
    """A pair of pure functions: ``init(params) -> state`` and
    ``update(updates, state, params) -> (updates, state)``."""

    init: Callable[[Array], State]
    update: Callable[[Array, State, Array], tuple[Array, State]]


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply ``transforms`` one after the other; the state is the tuple of their states.

    The state always holds one entry per transform, a tuple even for a chain of one, as in
    optax, so ``state[i]`` is the state of ``transforms[i]`` whatever the length of the chain.

    Examples
    --------
    >>> import numpy as np
    >>> from gdcore.optimizers import chain, trace, scale_by_learning_rate
    >>> tx = chain(trace(0.9), scale_by_learning_rate(0.1))
    >>> state = tx.init(np.zeros(2))
    >>> u, state = tx.update(np.array([1.0, -2.0]), state, np.zeros(2))
    >>> print(u, len(state), state[0].count)
    [-0.1  0.2] 2 1
    """
    if not transforms:
        raise ValueError("chain needs at least one transformation")
    for i, t in enumerate(transforms):
        if not isinstance(t, GradientTransformation):
            raise TypeError(
                f"transforms[{i}] must be a GradientTransformation, got {type(t).__name__}"
            )
    updates_fns = tuple(t.update for t in transforms)

    def init(params: Array) -> tuple:
        return tuple(t.init(params) for t in transforms)

    if len(transforms) == 1:
        (u1,) = updates_fns

        def update(updates: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
            updates, s1 = u1(updates, state[0], params)
            return updates, (s1,)

    elif len(transforms) == 2:
        # unrolled: this runs once per step, so its Python overhead counts
        u1, u2 = updates_fns

        def update(updates: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
            updates, s1 = u1(updates, state[0], params)
            updates, s2 = u2(updates, state[1], params)
            return updates, (s1, s2)

    elif len(transforms) == 3:
        u1, u2, u3 = updates_fns

        def update(updates: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
            updates, s1 = u1(updates, state[0], params)
            updates, s2 = u2(updates, state[1], params)
            updates, s3 = u3(updates, state[2], params)
            return updates, (s1, s2, s3)

    else:

        def update(updates: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
            new_state = []
            for fn, s in zip(updates_fns, state, strict=True):
                updates, s = fn(updates, s, params)
                new_state.append(s)
            return updates, tuple(new_state)

    return GradientTransformation(init, update)


class Optimizer:
    """A named optimizer: a chain of transforms plus its hyperparameters.

    The protocol is pure and mirrors ``optax``::

        state = opt.init(params)
        params, state = opt.step(params, grad, state)

    ``params`` may be one parameter vector of shape ``(d,)`` or a stack ``(..., d)`` of
    independent runs; hyperparameters may be arrays that broadcast against ``params`` (for
    example ``lr`` of shape ``(B, 1)`` with ``params`` of shape ``(B, d)``), so a sweep is one
    vectorised run. Neither ``params`` nor ``state`` is mutated.

    ``update(grad, state, params)`` returns the update :math:`u` and the new state, and
    ``step`` is ``params + u``: what :func:`gdcore.run` applies at every step.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> from gdcore.optimizers import chain, trace, scale_by_learning_rate
    >>> heavy_ball = gdcore.Optimizer(
    ...     chain(trace(0.9), scale_by_learning_rate(0.1)), {"lr": 0.1, "momentum": 0.9}
    ... )
    >>> p = np.array([1.0])
    >>> state = heavy_ball.init(p)
    >>> for _ in range(2):
    ...     p, state = heavy_ball.step(p, 2 * p, state)   # the gradient of p^2
    >>> p, state[0].buf                                   # z_2 = beta z_1 + g_2
    (array([0.46]), array([3.4]))
    """

    #: hyperparameters and their defaults, in PyTorch's order; set by each subclass
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, transform: GradientTransformation, hyperparams: dict[str, Any]) -> None:
        if not isinstance(transform, GradientTransformation):
            raise TypeError(
                f"transform must be a GradientTransformation, got {type(transform).__name__}"
            )
        self.transform = transform
        self.hyperparams = hyperparams

    def init(self, params: Any) -> State:
        """The initial state for ``params`` (zeros buffers, step count 0)."""
        params = as_float_array("params", params)
        return self.transform.init(params)

    def update(self, grad: Array, state: State, params: Array) -> tuple[Array, State]:
        """The update ``u`` (so that the new parameters are ``params + u``) and the new state."""
        return self.transform.update(grad, state, params)

    def step(self, params: Array, grad: Array, state: State) -> tuple[Array, State]:
        """One update: return ``(new_params, new_state)`` from the gradient at ``params``."""
        updates, state = self.transform.update(grad, state, params)
        return params + updates, state

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.hyperparams.items())
        return f"{type(self).__name__}({args})"


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array(shape={v.shape})"
    return repr(v)
