"""The run loop: apply an optimizer to an objective and record where it went.

:func:`run` returns a :class:`Trajectory`, which reads like ``scipy.optimize.OptimizeResult``
(``x``, ``fun``, ``nit``, ``success``, ``message``) and also keeps the iterates and losses.

The code is in three parts: :func:`_setup` checks the arguments, :func:`_loop` makes the updates
and applies the stopping rules block by block, :func:`_assemble` builds the :class:`Trajectory`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ._objective import Objective
from ._validation import check_int, check_point, check_real
from .data import minibatches
from .optimizers import Optimizer
from .schedules import rate_at

__all__ = ["CONVERGED", "DIVERGED", "MAX_STEPS", "Trajectory", "run"]

#: status of a run that met ``tol`` or ``ftol``
CONVERGED = "converged"
#: status of a run that used all its ``steps`` without converging or diverging
MAX_STEPS = "max_steps"
#: status of a run whose loss, iterate or gradient became non-finite or passed ``diverge_above``
DIVERGED = "diverged"


@dataclass(frozen=True)
class Trajectory:
    """The record of one run, or of a batch of independent runs.

    For a single run ``params`` has shape ``(nit + 1, d)`` and ``losses`` and ``grad_norms``
    ``(nit + 1,)``: the start point and every iterate :math:`\\theta_0, \\dots, \\theta_{nit}`,
    :math:`f(\\theta_k)` and :math:`\\lVert g_k \\rVert`, with :math:`f` and :math:`g_k` of the
    full objective (in a mini-batch run with ``loss_on="batch"``, of the mini-batch the update
    used). For a batch of runs (leading axes ``...``
    in ``x0`` or in the hyperparameters) they have shapes ``(K + 1, ..., d)`` and
    ``(K + 1, ...)`` where ``K`` is the longest run's ``nit``; a run that stopped earlier is
    padded with NaN after its last iterate.

    With ``run(..., record_every=r)`` the rows are the steps ``0, r, 2r, ...`` and the step
    where each run stopped (its last iterate; ``step_index`` lists the steps), so ``params[i]``
    is :math:`\\theta_k` for ``k = step_index[i]``; ``nit``, ``x``, ``fun``, ``status`` and
    ``message`` are those of the whole run, whatever was recorded.

    ``status`` is ``"converged"``, ``"max_steps"`` or ``"diverged"`` (an array of them for a
    batch); ``x`` and ``fun`` are the last finite iterate and its loss (for a run that diverged at
    its start point, ``x0`` and its non-finite loss, and ``message`` says so); ``nit`` is the
    number of updates made; ``success`` is ``status == "converged"`` when a tolerance was given,
    otherwise ``status != "diverged"``.

    Examples
    --------
    >>> import gdcore
    >>> t = gdcore.run(gdcore.SGD(lr=0.25), gdcore.functions.parabola(), [4.0], steps=3)
    >>> t.params[:, 0], t.losses, t.nit, t.status   # w_k = 4 (1 - 2 lr)^k
    (array([4. , 2. , 1. , 0.5]), array([16.  ,  4.  ,  1.  ,  0.25]), 3, 'max_steps')
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
    record_every: int = 1
    step_index: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.step_index is None:
            object.__setattr__(self, "step_index", np.arange(len(self.losses)))

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


def run(
    optimizer: Optimizer,
    objective: Objective,
    x0: Any,
    steps: int,
    *,
    tol: float | None = None,
    ftol: float | None = None,
    batch_size: int | None = None,
    rng: np.random.Generator | int | None = None,
    loss_on: str = "full",
    diverge_above: float | None = None,
    record_every: int = 1,
) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from ``x0`` for at most ``steps`` updates.

    Parameters
    ----------
    optimizer
        A :class:`gdcore.Optimizer` such as ``gdcore.SGD(lr=0.1)``.
    objective
        The :class:`gdcore.Objective` to minimise.
    x0
        Start point, shape ``(d,)``, or a stack ``(..., d)`` of start points (one run each).
        It is copied: changing it later does not change the run.
    steps
        Maximum number of updates (an integer >= 0).
    tol
        Stop a run as *converged* at the first iterate :math:`\\theta_k` with
        :math:`\\lVert \\nabla f(\\theta_k) \\rVert \\le` ``tol``, the gradient of the full
        objective (on all the data, also in a mini-batch run).
    ftol
        Stop a run as *converged* at the first :math:`k \\ge 1` with
        :math:`|f(\\theta_{k-1}) - f(\\theta_k)| \\le` ``ftol``, the full objective again.
    batch_size
        ``None`` for full-batch gradients; for a loss on data, ``1`` (stochastic) or ``k``
        (mini-batch): each update uses the gradient on the next ``k`` rows of a permutation that
        is reshuffled every epoch.
    rng
        ``numpy.random.Generator`` (or a seed) for the shuffles; defaults to
        ``numpy.random.default_rng(0)`` so that runs are reproducible.
    loss_on
        What a mini-batch run records. ``"full"`` (the default): the loss
        :math:`f(\\theta_k)` and gradient norm :math:`\\lVert \\nabla f(\\theta_k) \\rVert` on
        all the data, one full pass per step, which ``tol`` and ``ftol`` test. ``"batch"``: the
        mini-batch loss and gradient norm that the update used (cheaper on large data, and
        noisy); ``tol`` and ``ftol`` are then refused, since the full objective is not computed.
    diverge_above
        A run *diverges* when its loss exceeds this; default :math:`10^6 (|f(x_0)| + 1)`. A run
        also diverges when its loss, its gradient or its parameters stop being finite. A
        diverged run stops quietly (no overflow warnings) and its trajectory up to that point is
        kept; ``message`` says which of these happened.
    record_every
        Keep every ``record_every``-th iterate (steps ``0, r, 2r, ...``) and the last one of
        each run in ``params``, ``losses`` and ``grad_norms`` (``Trajectory.step_index`` lists
        the steps kept): a long sweep keeps only what a plot needs.
        The stopping rules still see every step. Memory grows with the steps actually made.

    Returns
    -------
    Trajectory
        ``x``, ``fun``, ``nit``, ``status``, ``success``, ``message``, and the recorded
        ``params``, ``losses``, ``grad_norms``.

    Notes
    -----
    **Batches.** Array hyperparameters broadcast against the parameters, of shape ``(..., d)``:
    the last axis of an array hyperparameter is the coordinate axis, of size 1 (the same value
    for every coordinate) or ``d`` (a value per coordinate), and its leading axes are batch
    axes, one run per entry. So ``SGD(lr=lrs[:, None])`` with ``x0`` of shape ``(d,)`` runs one
    trajectory per learning rate, all in one vectorised loop, and ``SGD(lr=rates[None, :])`` is
    one run (a batch of one) with a rate per coordinate. A one-axis array of several values,
    such as ``lr=[0.1, 0.01]``, could mean either, so it is refused with a ``ValueError`` that
    shows both spellings. A schedule (a callable of the step count) follows the same rule
    through its value at ``t = 0``.

    **Checks.** At step 0 the objective's outputs are checked: ``value`` must give one number per
    point (shape ``(...)``) and ``grad`` an array of the parameters' shape ``(..., d)``.
    A schedule's rate must be finite and >= 0 at every step.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> f = gdcore.functions.quadratic(curvatures=[1.0, 4.0])
    >>> traj = gdcore.run(gdcore.SGD(lr=0.1), f, [1.0, 1.0], steps=1000, tol=1e-6)
    >>> traj.status, traj.nit, traj.success
    ('converged', 132, True)
    >>> print(traj.message)
    converged after 132 steps: ...

    Three learning rates in one batched run, one of them past the threshold :math:`2/L = 0.5`:

    >>> lrs = np.array([0.1, 0.4, 0.6])
    >>> sweep = gdcore.run(gdcore.SGD(lr=lrs[:, None]), f, [1.0, 1.0], steps=1000, tol=1e-6)
    >>> sweep.status.tolist(), sweep.nit.tolist()
    (['converged', 'converged', 'diverged'], [132, 30, 22])
    """
    s = _setup(
        optimizer,
        objective,
        x0,
        steps,
        tol,
        ftol,
        batch_size,
        rng,
        loss_on,
        diverge_above,
        record_every,
    )
    recorder, stopper = _loop(optimizer, objective, s)
    return _assemble(s, recorder, stopper)


# -- 1. argument checking ------------------------------------------------------------------------
class _Setup(NamedTuple):
    x: np.ndarray  # the start point(s), broadcast to the batch: shape (*batch, d)
    batch: tuple[int, ...]
    steps: int
    tol: float | None
    ftol: float | None
    limit: np.ndarray  # divergence threshold per run, shape batch
    batches: Any  # iterator of row indices, or None
    loss_on: str
    record_every: int
    name: str  # the objective's, for messages


def _setup(
    optimizer: Any,
    objective: Any,
    x0: Any,
    steps: Any,
    tol: Any,
    ftol: Any,
    batch_size: Any,
    rng: Any,
    loss_on: Any,
    diverge_above: Any,
    record_every: Any,
) -> _Setup:
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
        if loss_on == "batch" and (tol is not None or ftol is not None):
            raise ValueError(
                "tol and ftol test the full objective, which loss_on='batch' does not compute; "
                "use loss_on='full' (the default) with tol or ftol"
            )
    record_every = check_int("record_every", record_every, low=1)
    if rng is None:
        rng = np.random.default_rng(0)
    elif isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        rng = np.random.default_rng(check_int("rng", rng, low=0))
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator or a seed (int >= 0), got {type(rng).__name__}"
        )
    shape = _batch_shape(optimizer, x0)
    x = np.array(np.broadcast_to(x0, shape))  # a copy: x0 is never kept
    batch = shape[:-1]
    with np.errstate(all="ignore"):
        f0 = _check_value(objective, x, objective.value(x), batch)
        if diverge_above is None:
            limit = 1e6 * (np.abs(f0) + 1.0)
        else:
            limit = np.full(batch, diverge_above)
        # an infinite loss is beyond any limit, even one computed from f(x0) = inf
        limit = np.minimum(limit, np.finfo(float).max)
    batches = minibatches(objective.n_samples, batch_size, rng) if batch_size else None
    limit = np.asarray(limit, dtype=float)
    return _Setup(x, batch, steps, tol, ftol, limit, batches, loss_on, record_every, objective.name)


def _hyperparameter_arrays(optimizer: Optimizer) -> list[tuple[str, tuple[int, ...]]]:
    """``(name, shape)`` of every array-valued hyperparameter (a schedule's value at t = 0)."""
    out = []
    for key, v in optimizer.hyperparams.items():
        items = [(f"{key}[{i}]", item) for i, item in enumerate(v)] if isinstance(v, tuple) else []
        for name, item in items or [(key, v)]:
            if callable(item):
                name, item = f"{name}(0) (the schedule's rate at t=0)", rate_at(item, 0)
            if np.ndim(item):
                out.append((name, np.shape(item)))
    return out


def _batch_shape(optimizer: Optimizer, x0: np.ndarray) -> tuple[int, ...]:
    """The shape ``(*batch, d)`` of the runs: ``x0`` broadcast with the array hyperparameters."""
    d = x0.shape[-1]
    arrays = _hyperparameter_arrays(optimizer)
    for name, shp in arrays:
        if len(shp) == 1 and shp[0] > 1:
            n = shp[0]
            raise ValueError(
                f"{name} has shape ({n},), which could mean {n} runs or a value per coordinate: "
                f"write {name.split('(')[0]}=values[:, None] (shape ({n}, 1)) for {n} runs, "
                f"one per value, or values[None, :] (shape (1, {n})) for one run with a value "
                "per coordinate"
            )
        if shp[-1] not in (1, d):
            raise ValueError(
                f"{name} has shape {shp}: the last axis of an array hyperparameter is the "
                f"coordinate axis, of size 1 or d = {d}, and the axes before it are the batch; "
                f"for a batch of runs use shape {(*shp, 1)}"
            )
    try:
        return np.broadcast_shapes(x0.shape, *(shp for _, shp in arrays))
    except ValueError as exc:
        raise ValueError(
            f"x0 of shape {x0.shape} does not broadcast with the optimizer's array "
            f"hyperparameters ({', '.join(f'{n}: {s}' for n, s in arrays)}); their batch axes "
            "(all but the last) must match x0's"
        ) from exc


def _check_value(objective: Objective, x: np.ndarray, f: Any, batch: tuple) -> np.ndarray:
    """``f`` as a float array of shape ``batch``, or an error naming the objective."""
    expected = f"one loss per point, shape {batch} for x of shape {x.shape}"
    if f is None or isinstance(f, (str, bytes)):
        raise TypeError(
            f"objective {objective.name!r}: value(x) returned {type(f).__name__}; "
            f"expected {expected}"
        )
    try:
        arr = np.asarray(f, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"objective {objective.name!r}: value(x) returned {type(f).__name__}; "
            f"expected {expected}"
        ) from exc
    if arr.shape != batch:
        raise ValueError(
            f"objective {objective.name!r}: value(x) returned shape {arr.shape}; "
            f"expected {expected}"
        )
    return arr


def _check_grad(objective: Objective, x: np.ndarray, g: Any, what: str) -> None:
    expected = f"the parameters' shape {x.shape}"
    if not isinstance(g, np.ndarray) or g.dtype.kind not in "fiu":
        raise TypeError(
            f"objective {objective.name!r}: {what}(x) returned {type(g).__name__}"
            f"{'' if not isinstance(g, np.ndarray) else ' of dtype ' + str(g.dtype)}; "
            f"expected a numpy array of floats of {expected}"
        )
    if g.shape != x.shape:
        raise ValueError(
            f"objective {objective.name!r}: {what}(x) returned shape {g.shape}; expected {expected}"
        )


# -- 2. the loop ----------------------------------------------------------------------------------
_BLOCK = 64


def _loop(optimizer: Optimizer, objective: Objective, s: _Setup) -> tuple[_Recorder, _Stopper]:
    """Make the updates; return what was recorded and how each run stopped.

    The stopping rules are applied to blocks of steps, after steps 0, 1, 3, 7, 15, 31, 63
    and then every 64 steps: runs are independent, so the few updates made past a run's
    stopping point cannot change it or the others, and they are cut off when the result is
    assembled. With ``record_every=1`` each iterate and loss is written straight into the
    recorder's buffers; otherwise the block's arrays wait in small lists (no copy per step)
    until the block is checked and its rows are picked. The gradients of a block wait in a
    list for their norms.
    """
    x, steps, batches, batch = s.x, s.steps, s.batches, s.batch
    B = math.prod(batch)
    d = x.shape[-1]
    stopper = _Stopper(B, d, steps, s.limit.reshape(B), s.tol, s.ftol)
    recorder = _Recorder(batch, d, steps, s.record_every)
    direct = s.record_every == 1
    P, L = recorder.P, recorder.L
    # Optimizer.step is params + transform.update(...): the same, one call less per step
    update = optimizer.transform.update
    vg = objective.value_and_grad
    full = s.loss_on == "full"
    with np.errstate(all="ignore"):
        state = optimizer.init(x)

        def evaluate(x: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
            """``(f, g, gr)``: the loss to record, the gradient for the update, the gradient
            whose norm is recorded (the full one when loss_on="full")."""
            if batches is None:
                f, g = vg(x)
                return f, g, g
            sub = objective.on_batch(next(batches))
            if full:
                f, gr = vg(x)
                return f, sub.grad(x), gr
            f, g = sub.value_and_grad(x)
            return f, g, g

        f, g, gr = evaluate(x)
        f_raw, gr_raw = f, gr
        _check_value(objective, x, f, batch)
        _check_grad(objective, x, g, "grad" if batches is None or full else "batch grad")
        _check_grad(objective, x, gr, "grad")
        xs: list = []
        fs: list = []
        gs: list = []
        lo = check_at = k = 0
        block = 1
        while True:
            if direct:
                P[k] = x
                L[k] = f
            else:
                xs.append(x)
                fs.append(f)
            gs.append(gr)
            if k == check_at:  # always true at k == steps
                n = k + 1 - lo
                if direct:
                    X = P[lo : k + 1].reshape(n, B, d)
                    F = L[lo : k + 1].reshape(n, B)
                else:
                    X = np.array(xs).reshape(n, B, d)
                    F = np.array(fs, dtype=float).reshape(n, B)
                G = _norm(np.array(gs, dtype=float)).reshape(n, B)
                done = stopper.check(lo, k, X, F, G)
                if direct:
                    recorder.written(lo, G)
                else:
                    recorder.add(lo, X, F, G, stopper.stops)
                if done:
                    recorder.finish(int(stopper.nit.max()))
                    break
                xs.clear()
                fs.clear()
                gs.clear()
                lo = k + 1
                block = min(2 * block, _BLOCK)
                check_at = min(k + block, steps)
                if direct and check_at >= recorder.cap:
                    recorder.grow(check_at + 1)
                    P, L = recorder.P, recorder.L
            u, state = update(g, state, x)
            x = x + u
            k += 1
            f_prev, gr_prev = f_raw, gr_raw
            if batches is None:  # inline: the common case, once per step
                f, g = vg(x)
                f_raw = f
                gr = gr_raw = g
            else:
                f, g, gr = evaluate(x)
                f_raw, gr_raw = f, gr
            # an objective that hands back the same output array every time gets it copied
            if gr is gr_prev:
                gr = gr.copy()
            if f is f_prev and not direct:
                f = np.array(f)
    return recorder, stopper


class _Stopper:
    """Applies the stopping rules block by block and keeps, for each run, how and where it
    stopped: ``nit``, ``status``, the last finite iterate ``x``, ``fun``, and the loss and
    gradient norm at step ``nit`` (for the message). Runs are flattened to ``B`` columns."""

    def __init__(self, B: int, d: int, steps: int, limit: np.ndarray, tol: Any, ftol: Any) -> None:
        self.steps, self.limit, self.tol, self.ftol = steps, limit, tol, ftol
        self.nit = np.full(B, steps)
        self.status = np.full(B, MAX_STEPS, dtype=object)
        self.stopped = np.zeros(B, dtype=bool)
        self.x = np.full((B, d), np.nan)
        self.fun = np.full(B, np.nan)
        self.f_at_nit = np.full(B, np.nan)
        self.gn_at_nit = np.full(B, np.nan)
        self.prev: tuple[np.ndarray, np.ndarray] | None = None  # last row of the previous block
        self.stops: set[int] = set()  # the steps where runs stopped in the last block checked

    def check(self, lo: int, k: int, X: np.ndarray, F: np.ndarray, G: np.ndarray) -> bool:
        """Examine steps ``lo..k`` (rows of ``X (n, B, d)``, ``F (n, B)``, ``G (n, B)``);
        record the runs that stop there; return ``True`` once every run has stopped."""
        bad = ~(np.abs(F) <= self.limit)  # also catches NaN
        if not np.isfinite(G).all():  # rare: then find the runs
            bad |= ~np.isfinite(G)
        if not np.isfinite(X).all():
            bad |= ~_finite_rows(X)
        stop = bad
        if self.tol is not None:
            stop = stop | (G <= self.tol)
        if self.ftol is not None:
            stop = stop.copy() if stop is bad else stop
            if self.prev is None:  # no loss change at the start point
                stop[1:] |= np.abs(F[1:] - F[:-1]) <= self.ftol
            else:
                prev_f = np.concatenate([self.prev[1][None], F[:-1]])
                stop |= np.abs(F - prev_f) <= self.ftol
        self.stops = set()
        if k != self.steps and not stop.any():  # the common case: nothing happened
            self.prev = (X[-1], F[-1])
            return False
        new = stop.any(axis=0) & ~self.stopped
        if new.any():
            first = np.argmax(stop, axis=0)
            cols = np.flatnonzero(new)
            rows = first[cols]
            diverged = bad[rows, cols]
            self.nit[cols] = lo + rows
            self.stops.update((lo + rows).tolist())
            self.status[cols] = np.where(diverged, DIVERGED, CONVERGED)
            self._keep(cols, rows, diverged, X, F, G)
            self.stopped |= new
        if k == self.steps:  # the rest stop at the step cap
            cols = np.flatnonzero(~self.stopped)
            rows = np.full(cols.size, len(F) - 1)
            if cols.size:
                self.stops.add(k)
            self._keep(cols, rows, np.zeros(cols.size, dtype=bool), X, F, G)
            self.stopped[:] = True
        self.prev = (X[-1], F[-1])
        return bool(self.stopped.all())

    def _keep(
        self,
        cols: np.ndarray,
        rows: np.ndarray,
        diverged: np.ndarray,
        X: np.ndarray,
        F: np.ndarray,
        G: np.ndarray,
    ) -> None:
        """Keep the values of runs ``cols`` stopping at block rows ``rows``: the last finite
        iterate is the one before the stop for a diverged run (``x0`` itself at step 0)."""
        self.f_at_nit[cols] = F[rows, cols]
        self.gn_at_nit[cols] = G[rows, cols]
        # rows of [previous block's last row, X...]; the start point stands in for its own
        # predecessor
        Xp = np.concatenate([X[:1] if self.prev is None else self.prev[0][None], X])
        Fp = np.concatenate([F[:1] if self.prev is None else self.prev[1][None], F])
        r = rows + 1 - diverged
        self.x[cols] = Xp[r, cols]
        self.fun[cols] = Fp[r, cols]


class _Recorder:
    """The recorded rows (steps ``0, r, 2r, ...`` and each run's last), in buffers that grow as
    the run proceeds: memory follows the steps made, not ``steps``. Buffers have shapes
    ``(cap, *batch, d)`` and ``(cap, *batch)``; rows ``0 .. n-1`` are filled."""

    def __init__(self, batch: tuple[int, ...], d: int, steps: int, every: int) -> None:
        self.every = every
        B = math.prod(batch)
        # every r-th step, the last, and up to one more row per run of a batch (its stop)
        self.max_rows = steps // every + 2 + (B if every > 1 else 0)
        row_bytes = 8 * B * (d + 2)
        if self.max_rows * row_bytes <= 1 << 24:  # up to 16 MB: all the rows the run may need
            self.cap = self.max_rows
        else:  # otherwise start at 1 MB and grow as the run proceeds
            self.cap = max(64, (1 << 20) // row_bytes)
        self.P = np.empty((self.cap, *batch, d))
        self.L = np.empty((self.cap, *batch))
        self.G = np.empty((self.cap, *batch))
        self.ks: list[int] = []
        self.n = 0

    def grow(self, need: int) -> None:
        """Make room for at least ``need`` rows (doubling), keeping the rows filled so far."""
        cap = min(max(2 * self.cap, need), self.max_rows)
        for name in ("P", "L", "G"):
            old = getattr(self, name)
            new = np.empty((cap, *old.shape[1:]))
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self.cap = cap

    def written(self, lo: int, G: np.ndarray) -> None:
        """Rows ``lo, lo+1, ...`` of ``P`` and ``L`` were written in place; add their ``G``."""
        m = len(G)
        self.G[lo : lo + m] = G.reshape(self.G[lo : lo + m].shape)
        self.ks += range(lo, lo + m)
        self.n = lo + m

    def add(self, lo: int, X: np.ndarray, F: np.ndarray, G: np.ndarray, stops: set) -> None:
        """Record the rows of block ``lo, lo+1, ...`` whose step is a multiple of ``every`` or
        is where a run stopped (its last iterate, kept for every run of a batch)."""
        ks = sorted({*range(lo + (-lo % self.every), lo + len(F), self.every), *stops})
        j = np.asarray(ks, dtype=np.intp) - lo
        m, n = len(ks), self.n
        if n + m > self.cap:
            self.grow(n + m)
        for buf, rows in ((self.P, X), (self.L, F), (self.G, G)):
            dst = buf[n : n + m]
            dst[...] = rows[j].reshape(dst.shape)
        self.ks += ks
        self.n = n + m

    def finish(self, last: int) -> None:
        """Drop the rows recorded past step ``last``, the longest run's last step."""
        keep = sum(1 for k in self.ks if k <= last)
        self.ks = self.ks[:keep]
        self.n = keep

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(params, losses, grad_norms, step_index)``, trimmed to the rows used."""
        n = self.n
        out = []
        for a in (self.P, self.L, self.G):
            a = a[:n]
            # give back the unused capacity when it is a sizeable part of the buffer
            out.append(a.copy() if self.cap > n + n // 4 + 64 else a)
        return out[0], out[1], out[2], np.asarray(self.ks)


def _finite_rows(x: np.ndarray) -> np.ndarray:
    """``True`` where every coordinate along the last axis is finite (column by column for short
    vectors: a reduction along a short last axis is slow in numpy)."""
    d = x.shape[-1]
    if d > 8:
        return np.isfinite(x).all(axis=-1)
    ok = np.isfinite(x[..., 0])
    for i in range(1, d):
        ok &= np.isfinite(x[..., i])
    return ok


def _norm(g: np.ndarray) -> np.ndarray:
    """Euclidean norm along the last axis (column by column for short vectors: faster there).

    Sums of squares that overflow (entries beyond about 1e154) are redone with scaling, so a
    finite gradient always has a finite norm.
    """
    d = g.shape[-1]
    if d > 8:
        s = np.sqrt(np.einsum("...i,...i->...", g, g))
    else:
        s = np.square(g[..., 0])
        for i in range(1, d):
            c = g[..., i]
            s += c * c
        s = np.sqrt(s, out=s)
    if not np.isfinite(s).all():  # rare: rescale where it overflowed
        over = np.isinf(s) & np.isfinite(g).all(axis=-1)
        if over.any():
            big = g[over]
            m = np.max(np.abs(big), axis=-1)
            s[over] = m * np.sqrt(np.sum(np.square(big / m[:, None]), axis=-1))
    return s


# -- 3. result assembly ---------------------------------------------------------------------------
def _assemble(s: _Setup, rec: _Recorder, stop: _Stopper) -> Trajectory:
    P, L, G, ks = rec.arrays()
    nit = stop.nit
    status = stop.status.astype(str)
    given_tol = s.tol is not None or s.ftol is not None
    success = (status == CONVERGED) if given_tol else (status != DIVERGED)
    limit = s.limit.reshape(-1)
    message = np.array(
        [
            _message(
                status[i],
                int(nit[i]),
                stop.f_at_nit[i],
                stop.gn_at_nit[i],
                s.tol,
                s.ftol,
                float(limit[i]),
                s.name,
            )
            for i in range(len(nit))
        ],
        dtype=str,
    )
    batch, d = s.batch, s.x.shape[-1]
    if batch == ():
        return Trajectory(
            params=P,
            losses=L,
            status=str(status[0]),
            nit=int(nit[0]),
            x=stop.x[0],
            fun=float(stop.fun[0]),
            success=bool(success[0]),
            message=str(message[0]),
            grad_norms=G,
            record_every=s.record_every,
            step_index=ks,
        )
    R = len(ks)
    after = ks[:, None] > nit[None, :]  # pad each stopped run with NaN after its last iterate
    if after.any():
        after = after.reshape(R, *batch)
        P[after] = np.nan
        L[after] = np.nan
        G[after] = np.nan
    return Trajectory(
        params=P,
        losses=L,
        status=status.reshape(batch),
        nit=nit.reshape(batch),
        x=stop.x.reshape(*batch, d),
        fun=stop.fun.reshape(batch),
        success=success.reshape(batch),
        message=message.reshape(batch),
        grad_norms=G,
        record_every=s.record_every,
        step_index=ks,
    )


def _message(
    status: str,
    nit: int,
    f: float,
    gn: float,
    tol: Any,
    ftol: Any,
    limit: float,
    name: str | None = None,
) -> str:
    """The one-line ``message`` of a run with this status, stopped at step ``nit`` with loss
    ``f`` and gradient norm ``gn`` there; ``name`` is the objective's, for a run that cannot
    start."""
    of = "" if name is None else f" of objective {name!r}"
    if status == DIVERGED:
        if not math.isfinite(f):
            if nit == 0:
                return (
                    f"diverged at the start: the loss{of} at x0 is {f} (not finite), so the run "
                    "cannot start there"
                )
            return f"diverged after {nit} steps: the loss is {f} (not finite)"
        if f > limit:
            return f"diverged after {nit} steps: loss {f:.3g} is beyond {limit:.3g}"
        if not math.isfinite(gn):
            if nit == 0:
                return f"diverged at the start: the gradient{of} at x0 is not finite (norm {gn})"
            return f"diverged after {nit} steps: the gradient is not finite (its norm is {gn})"
        return f"diverged after {nit} steps: the parameters are not finite (inf or NaN)"
    if status == CONVERGED:
        if tol is not None and gn <= tol:
            return f"converged after {nit} steps: gradient norm {gn:.3g} <= tol {tol:.3g}"
        return f"converged after {nit} steps: loss changed by <= ftol {ftol:.3g}"
    return f"stopped after the maximum of {nit} steps"
