"""The run loop: apply an optimizer to an objective and record where it went.

:func:`run` returns a :class:`Trajectory`, which reads like ``scipy.optimize.OptimizeResult``
(``x``, ``fun``, ``nit``, ``success``, ``message``) and also keeps every iterate and loss.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._objective import Objective
from ._validation import check_int, check_point, check_real
from .data import minibatches
from .optimizers import Optimizer

__all__ = ["Trajectory", "run"]

CONVERGED, MAX_STEPS, DIVERGED = "converged", "max_steps", "diverged"


@dataclass(frozen=True)
class Trajectory:
    """The record of one run, or of a batch of independent runs.

    For a single run ``params`` has shape ``(nit + 1, d)`` and ``losses`` ``(nit + 1,)``: the
    start point and every iterate. For a batch of runs (leading axes ``...`` in ``x0`` or in the
    hyperparameters) they have shapes ``(k + 1, ..., d)`` and ``(k + 1, ...)`` where ``k`` is the
    longest run; a run that stopped earlier is padded with NaN after its last iterate.

    ``status`` is ``"converged"``, ``"max_steps"`` or ``"diverged"`` (an array of them for a
    batch); ``x`` and ``fun`` are the last finite iterate and its loss; ``nit`` the number of
    updates made; ``success`` is ``status == "converged"`` when a tolerance was given, otherwise
    ``status != "diverged"``.
    """

    params: np.ndarray
    losses: np.ndarray
    status: Any
    nit: Any
    x: np.ndarray
    fun: Any
    success: Any
    message: Any
    grad_norms: np.ndarray = field(repr=False)

    @property
    def diverged(self) -> Any:
        """``True`` where the run diverged."""
        return (
            np.asarray(self.status) == DIVERGED if np.ndim(self.status) else self.status == DIVERGED
        )

    def __repr__(self) -> str:
        if np.ndim(self.status) == 0:
            return f"Trajectory(status={self.status!r}, nit={self.nit}, fun={self.fun:.6g})"
        counts = {
            s: int(np.sum(np.asarray(self.status) == s)) for s in (CONVERGED, MAX_STEPS, DIVERGED)
        }
        return f"Trajectory(batch={np.shape(self.status)}, {counts})"


def _batch_shape(optimizer: Optimizer, x0: np.ndarray) -> tuple[int, ...]:
    shapes = [x0.shape]
    for v in optimizer.hyperparams.values():
        for item in v if isinstance(v, tuple) else (v,):
            if callable(item):  # a schedule: its learning rate(s) set the batch
                item = getattr(item, "lr", None)
            if isinstance(item, np.ndarray):
                shapes.append(item.shape)
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError as exc:
        raise ValueError(
            f"x0 of shape {x0.shape} does not broadcast with the optimizer's array "
            f"hyperparameters (shapes {shapes[1:]})"
        ) from exc


def run(
    optimizer: Optimizer,
    objective: Objective,
    x0: Any,
    steps: int,
    *,
    tol: float | None = None,
    ftol: float | None = None,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    loss_on: str = "full",
    diverge_above: float | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from ``x0`` for at most ``steps`` updates.

    Parameters
    ----------
    optimizer
        A :class:`gdcore.Optimizer` such as ``gdcore.SGD(lr=0.1)``. Array hyperparameters
        broadcast against ``x0``: ``SGD(lr=lrs[:, None])`` with ``x0`` of shape ``(d,)`` runs one
        trajectory per learning rate, all in one vectorised loop.
    objective
        The :class:`gdcore.Objective` to minimise.
    x0
        Start point, shape ``(d,)``, or a stack ``(..., d)`` of start points.
    steps
        Maximum number of updates (an integer >= 0).
    tol
        Stop a run as *converged* when :math:`\\lVert \\nabla f(x_k) \\rVert \\le` ``tol``.
    ftol
        Stop a run as *converged* when :math:`|f(x_{k-1}) - f(x_k)| \\le` ``ftol`` (the loss has
        stopped decreasing).
    batch_size
        ``None`` for full-batch gradients; for a loss on data, ``1`` (stochastic) or ``k``
        (mini-batch): each update uses the gradient on the next ``k`` rows of a permutation that
        is reshuffled every epoch.
    rng
        ``numpy.random.Generator`` for the shuffles; defaults to ``numpy.random.default_rng(0)``
        so that runs are reproducible.
    loss_on
        ``"full"`` records the loss on all the data at each iterate; ``"batch"`` records the
        mini-batch loss that the update used (cheaper on large data, and noisy).
    diverge_above
        A run *diverges* when its loss is not finite or exceeds this; default
        :math:`10^6 (|f(x_0)| + 1)`. A diverged run stops quietly: no overflow warnings, and its
        trajectory up to that point is kept.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            "optimizer must be a gdcore optimizer such as gdcore.SGD(lr=0.1), "
            f"got {type(optimizer).__name__}"
        )
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be a gdcore.Objective, got {type(objective).__name__}")
    x0 = check_point("x0", x0, objective.dim)
    steps = check_int("steps", steps, low=0)
    if tol is not None:
        tol = check_real("tol", tol, low=0.0)
    if ftol is not None:
        ftol = check_real("ftol", ftol, low=0.0)
    if diverge_above is not None:
        diverge_above = check_real("diverge_above", diverge_above, low=0.0, low_open=True)
    if not isinstance(loss_on, str) or loss_on not in ("full", "batch"):
        raise ValueError(f"loss_on must be 'full' or 'batch', got {loss_on!r}")
    if batch_size is not None:
        if objective.n_samples is None:
            raise ValueError(
                f"batch_size needs a loss on data (an objective with n_samples); "
                f"{objective.name!r} has no data rows, so leave batch_size=None"
            )
        batch_size = check_int("batch_size", batch_size, low=1, high=objective.n_samples)
    if rng is None:
        rng = np.random.default_rng(0)
    elif isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        rng = np.random.default_rng(check_int("rng", rng, low=0))
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator or a seed (int >= 0), got {type(rng).__name__}"
        )

    shape = _batch_shape(optimizer, x0)
    x = np.broadcast_to(x0, shape).copy() if shape != x0.shape else x0.copy()
    batch = shape[:-1]
    single = batch == ()

    with np.errstate(all="ignore"):
        if diverge_above is None:
            limit = 1e6 * (np.abs(objective.value(x)) + 1.0)
        else:
            limit = diverge_above
        P = np.empty((steps + 1, *shape))
        L = np.empty((steps + 1, *batch))
        G = np.empty((steps + 1, *batch))
        state = optimizer.init(x)
        step = optimizer.step
        # the named optimizers' step is params + update; call the update directly (one call less)
        update = optimizer._update if type(optimizer).step is Optimizer.step else None
        batches = minibatches(objective.n_samples, batch_size, rng) if batch_size else None
        vg = objective.value_and_grad
        # The stopping rules are applied to blocks of rows, after steps 0, 1, 3, 7, 15, 31 and
        # then every 32 steps: runs are independent, so the few updates made past a run's
        # stopping point cannot change it or the others, and they are cut off below. The
        # gradients of the current block wait in a small buffer for their norms.
        stopper = _Stopper(L, G, batch, steps, limit, tol, ftol)
        gbuf: list = []  # the block's gradients (the arrays themselves: no copy per step)
        g = None
        lo = 0  # first row of the current block
        check_at = 0
        block = 1
        k = 0
        while True:
            g_prev = g
            if batches is None:
                f, g = vg(x)
            else:
                sub = objective.on_batch(next(batches))
                if loss_on == "batch":
                    f, g = sub.value_and_grad(x)
                else:
                    f, g = objective.value(x), sub.grad(x)
            P[k] = x
            L[k] = f
            # an objective that hands back the same output array every time gets it copied
            gbuf.append(g if g is not g_prev else g.copy())
            if k == check_at:  # always true at k == steps
                if stopper.check(lo, k, gbuf) or k == steps:
                    break
                gbuf.clear()
                lo = k + 1
                block = min(2 * block, _BLOCK)
                check_at = min(k + block, steps)
            if update is None:
                x, state = step(x, g, state)
            else:
                u, state = update(g, state, x)
                x = x + u
            k += 1

        nit, status = stopper.nit, stopper.status
    k = int(np.max(nit)) if nit.size else 0
    P, L, G = P[: k + 1], L[: k + 1], G[: k + 1]
    if not single:
        # pad each stopped run with NaN after its last iterate
        after = np.arange(k + 1).reshape((-1,) + (1,) * len(batch)) > nit
        P[after] = np.nan
        L[after] = np.nan
        G[after] = np.nan
    # the last finite iterate: the one before the divergent step, if any
    idx = np.where(status == DIVERGED, np.maximum(nit - 1, 0), nit)
    given_tol = tol is not None or ftol is not None
    if single:
        n, i = int(nit), int(idx)
        st = str(status[()])
        success = st == CONVERGED if given_tol else st != DIVERGED
        message = _message(st, n, float(L[n]), float(G[n]), tol, ftol, float(limit))
        return Trajectory(P, L, st, n, P[i], float(L[i]), success, message, G)
    grid = np.indices(batch)
    st = status.astype(str)
    success = (st == CONVERGED) if given_tol else (st != DIVERGED)
    message = np.vectorize(
        lambda s, i, f, gn, lim: _message(s, int(i), float(f), float(gn), tol, ftol, float(lim)),
        otypes=[str],
    )(st, nit, L[(nit, *grid)], G[(nit, *grid)], np.broadcast_to(limit, batch))
    return Trajectory(P, L, st, nit, P[(idx, *grid)], L[(idx, *grid)], success, message, G)


_BLOCK = 32


class _Stopper:
    """Applies the stopping rules to the recorded losses and gradients, block by block."""

    def __init__(
        self,
        L: np.ndarray,
        G: np.ndarray,
        batch: tuple[int, ...],
        steps: int,
        limit: Any,
        tol: Any,
        ftol: Any,
    ) -> None:
        self.L, self.G, self.limit, self.tol, self.ftol = L, G, limit, tol, ftol
        self.nit = np.full(batch, steps)
        self.status = np.full(batch, MAX_STEPS, dtype=object)
        self.stopped = np.zeros(batch, dtype=bool)

    def check(self, lo: int, k: int, gbuf: np.ndarray) -> bool:
        """Examine rows ``lo..k`` (their gradients are the list ``gbuf``); record the runs that
        stop there; return ``True`` once every run has stopped."""
        gn = self.G[lo : k + 1]
        gn[...] = _norm(np.array(gbuf, dtype=float))
        L = self.L[lo : k + 1]
        bad = ~(np.abs(L) <= self.limit)  # also catches NaN
        stop = bad.copy()
        if self.tol is not None:
            stop |= gn <= self.tol
        if self.ftol is not None:
            prev = self.L[max(lo - 1, 0) : k]
            if lo == 0:  # no loss change at the start point
                stop[1:] |= np.abs(L[1:] - prev) <= self.ftol
            else:
                stop |= np.abs(L - prev) <= self.ftol
        if not stop.any():
            return False
        new = stop.any(axis=0) & ~self.stopped
        if not new.any():
            return bool(self.stopped.all())
        first = np.argmax(stop, axis=0)
        diverged = bad[(first, *np.indices(first.shape))]
        self.nit[new] = lo + first[new]
        self.status[new & diverged] = DIVERGED
        self.status[new & ~diverged] = CONVERGED
        self.stopped |= new
        return bool(self.stopped.all())


def _norm(g: np.ndarray) -> np.ndarray:
    """Euclidean norm along the last axis (column by column for short vectors: faster there)."""
    d = g.shape[-1]
    if d > 8:
        return np.sqrt(np.einsum("...i,...i->...", g, g))
    s = np.square(g[..., 0])
    for i in range(1, d):
        c = g[..., i]
        s += c * c
    return np.sqrt(s, out=s)


def _message(status: str, nit: int, f: float, gn: float, tol: Any, ftol: Any, limit: float) -> str:
    if status == DIVERGED:
        return f"diverged after {nit} steps: loss {f:.3g} is beyond {limit:.3g}"
    if status == CONVERGED:
        if tol is not None and gn <= tol:
            return f"converged after {nit} steps: gradient norm {gn:.3g} <= tol {tol:.3g}"
        return f"converged after {nit} steps: loss changed by <= ftol {ftol:.3g}"
    return f"stopped after the maximum of {nit} steps"
