"""Speed of gdcore against honest hand-written numpy loops, torch.optim and scikit-learn.

Run from the repository root::

    .venv/bin/python benchmarks/bench.py [--quick] [--cpu]

``--cpu`` times with ``time.process_time`` (this process's CPU time) instead of
``time.perf_counter``: use it on a loaded machine, where wall times mostly measure the other
processes. The load average is printed above the table.

A second table gives the peak memory (``tracemalloc``: every allocation numpy makes) of two runs
whose recorded trajectory is much smaller than ``steps`` rows: a run with ``steps=10**9`` that
converges early, and a sweep of 1000 learning rates over 100,000 steps with ``record_every``.
Its reference column is what buffers of ``steps + 1`` rows would take.

Every case times gdcore and its reference side by side in this one process (the median of
several repeats, each timed with ``time.perf_counter``) and prints one table row:
case, gdcore time, reference time, ratio (gdcore / reference), target, met?

The references do the same work as ``gdcore.run``: they evaluate the same objective, apply the
same update and record the parameters and the loss at every step, written as a careful numpy
user would write them (no deliberate slowness, no gdcore internals).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

import gdcore

Row = tuple[str, float, float, str, bool]
CLOCK = time.perf_counter


def timeit(*fns: Callable[[], object], repeats: int) -> list[float]:
    """Best wall time of each of ``fns`` over ``repeats`` rounds, after one warm-up call each.

    The functions are timed in turn within each round (gdcore, reference, gdcore, ...), so a
    burst of load from other processes hits both sides alike; the best of the rounds is the
    least disturbed measurement of each.
    """
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times, strict=True):
            t0 = CLOCK()
            fn()
            ts.append(CLOCK() - t0)
    return [min(ts) for ts in times]


# -- objectives -------------------------------------------------------------------------------
def rosenbrock_vg(x: np.ndarray, a: float = 1.0, b: float = 100.0):
    """Value and gradient of the Rosenbrock function, for points of shape (..., 2)."""
    x0 = x[..., 0]
    x1 = x[..., 1]
    r = a - x0
    s = x1 - x0 * x0
    f = r * r + b * s * s
    g = np.empty_like(x)
    g[..., 0] = -2.0 * r - 4.0 * b * x0 * s
    g[..., 1] = 2.0 * b * s
    return f, g


def rosenbrock() -> gdcore.Objective:
    funcs = getattr(gdcore, "functions", None)
    if funcs is not None and hasattr(funcs, "rosenbrock"):
        return funcs.rosenbrock()
    return gdcore.Objective(
        lambda x: rosenbrock_vg(x)[0],
        lambda x: rosenbrock_vg(x)[1],
        value_and_grad=rosenbrock_vg,
        name="rosenbrock",
        dim=2,
    )


def mse_objective(X: np.ndarray, y: np.ndarray) -> gdcore.Objective:
    """gdcore.losses.mse when it exists, else an inline equivalent (mean squared error)."""
    losses = getattr(gdcore, "losses", None)
    if losses is not None and hasattr(losses, "mse"):
        return losses.mse(X, y)
    return _inline_mse(X, y)


def _inline_mse(X: np.ndarray, y: np.ndarray) -> gdcore.Objective:
    """mean((X w + b - y)^2) over flat params [w_1..w_p, b], params of shape (..., p+1)."""
    n, p = X.shape

    def vg(w):
        res = w[..., :p] @ X.T + w[..., p:] - y
        f = np.mean(res * res, axis=-1)
        g = np.empty(w.shape)
        g[..., :p] = 2.0 * (res @ X) / n
        g[..., p] = 2.0 * np.mean(res, axis=-1)
        return f, g

    obj = gdcore.Objective(
        lambda w: vg(w)[0], lambda w: vg(w)[1], value_and_grad=vg, name="mse", dim=p + 1
    )
    obj.n_samples = n
    obj.on_batch = lambda rows: _inline_mse(X[rows], y[rows])
    return obj


# -- a) Adam on Rosenbrock -----------------------------------------------------------------------
def numpy_adam(vg, x0, steps, lr, b1=0.9, b2=0.999, eps=1e-8):
    """A hand-written Adam loop recording the parameters and the loss at every step."""
    x = np.array(x0, dtype=float)
    P = np.empty((steps + 1, *x.shape))
    L = np.empty((steps + 1, *x.shape[:-1]))
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    for t in range(1, steps + 1):
        f, g = vg(x)
        P[t - 1] = x
        L[t - 1] = f
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (g * g)
        mhat = m / (1 - b1**t)
        vhat = v / (1 - b2**t)
        x = x - lr * mhat / (np.sqrt(vhat) + eps)
    P[steps] = x
    L[steps] = vg(x)[0]
    return P, L


def torch_adam(x0, steps, lr):
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=lr)
    P = np.empty((steps + 1, 2))
    L = np.empty(steps + 1)
    for k in range(steps):
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        P[k] = x.detach().numpy()
        L[k] = loss.item()
        opt.step()
    P[steps] = x.detach().numpy()
    return P, L


def case_adam(repeats: int) -> list[Row]:
    f = rosenbrock()
    x0, steps, lr = [-1.5, 2.0], 3000, 0.01
    traj = gdcore.run(gdcore.Adam(lr=lr), f, x0, steps)
    P, _ = numpy_adam(f.value_and_grad, x0, steps, lr)
    assert np.allclose(traj.params, P, rtol=1e-10, atol=1e-12), "numpy Adam disagrees"
    t_gd, t_np = timeit(
        lambda: gdcore.run(gdcore.Adam(lr=lr), f, x0, steps),
        lambda: numpy_adam(f.value_and_grad, x0, steps, lr),
        repeats=repeats,
    )
    rows = [("a) Adam, Rosenbrock, 3000 steps vs numpy loop", t_gd, t_np, "<= 1.0", t_gd <= t_np)]
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(1)
        Pt, _ = torch_adam(x0, steps, lr)
        assert np.allclose(traj.params, Pt, rtol=1e-8, atol=1e-10), "torch Adam disagrees"
        (t_t,) = timeit(lambda: torch_adam(x0, steps, lr), repeats=max(1, repeats // 2))
        rows.append(
            (
                "a) Adam, Rosenbrock, 3000 steps vs torch.optim",
                t_gd,
                t_t,
                "<= 0.125 (8x)",
                t_gd * 8 <= t_t,
            )
        )
    return rows


# -- b) 100 learning rates in one batched run ------------------------------------------------
def numpy_sgd_batched(vg, x0, steps, lrs):
    """Hand-written batched gradient descent: one row per learning rate, recording everything."""
    x = np.broadcast_to(np.asarray(x0, dtype=float), (len(lrs), len(x0))).copy()
    lr = np.asarray(lrs, dtype=float)[:, None]
    P = np.empty((steps + 1, *x.shape))
    L = np.empty((steps + 1, len(lrs)))
    with np.errstate(all="ignore"):
        for k in range(steps):
            f, g = vg(x)
            P[k] = x
            L[k] = f
            x = x - lr * g
        P[steps] = x
        L[steps] = vg(x)[0]
    return P, L


def case_batched(repeats: int) -> list[Row]:
    f = rosenbrock()
    x0, steps = [-1.5, 2.0], 1000
    lrs = np.geomspace(1e-5, 1.5e-3, 100)  # all converge or wander; none overflow early
    opt = gdcore.SGD(lr=lrs[:, None])
    traj = gdcore.run(opt, f, x0, steps)
    P, _ = numpy_sgd_batched(f.value_and_grad, x0, steps, lrs)
    ok = ~np.isnan(traj.params)
    assert np.allclose(traj.params[ok], P[ok]), "batched numpy loop disagrees"
    t_gd, t_np = timeit(
        lambda: gdcore.run(opt, f, x0, steps),
        lambda: numpy_sgd_batched(f.value_and_grad, x0, steps, lrs),
        repeats=repeats,
    )
    n = steps * len(lrs)
    return [
        (
            f"b) SGD, 100 lrs batched, {steps} steps (per run-step)",
            t_gd / n,
            t_np / n,
            "<= 1.2",
            t_gd <= 1.2 * t_np,
        )
    ]


# -- c) one epoch of mini-batch SGD on 1,000,000 x 20 linear regression ----------------------
def numpy_minibatch_epoch(X, y, w0, lr, batch, rng):
    """One epoch of mini-batch SGD on the MSE, recording parameters and batch loss per step."""
    n, p = X.shape
    steps = -(-n // batch)
    w = np.array(w0, dtype=float)
    P = np.empty((steps + 1, p + 1))
    L = np.empty(steps + 1)
    perm = rng.permutation(n)
    for k in range(steps):
        rows = perm[k * batch : (k + 1) * batch]
        Xb, yb = X[rows], y[rows]
        r = Xb @ w[:p] + w[p] - yb
        P[k] = w
        L[k] = np.mean(r * r)
        g = np.empty(p + 1)
        g[:p] = (2.0 / len(rows)) * (r @ Xb)
        g[p] = 2.0 * r.mean()
        w = w - lr * g
    # the last iterate's loss on the next batch (the first of a new epoch), as gdcore records it
    rows = rng.permutation(n)[:batch]
    r = X[rows] @ w[:p] + w[p] - y[rows]
    P[steps] = w
    L[steps] = np.mean(r * r)
    return P, L


def case_minibatch(repeats: int) -> list[Row]:
    rng = np.random.default_rng(0)
    n, p, batch, lr = 1_000_000, 20, 256, 0.02
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + 0.5 + 0.1 * rng.standard_normal(n)
    obj = mse_objective(X, y)
    w0 = np.zeros(p + 1)
    steps = -(-n // batch)

    def gd():
        return gdcore.run(
            gdcore.SGD(lr=lr),
            obj,
            w0,
            steps,
            batch_size=batch,
            rng=np.random.default_rng(1),
            loss_on="batch",
        )

    traj = gd()
    P, L = numpy_minibatch_epoch(X, y, w0, lr, batch, np.random.default_rng(1))
    assert np.allclose(traj.params, P, rtol=1e-9, atol=1e-12), "numpy mini-batch loop disagrees"
    assert np.allclose(traj.losses, L, rtol=1e-9, atol=1e-12), "numpy mini-batch loop disagrees"
    t_gd, t_np = timeit(
        gd,
        lambda: numpy_minibatch_epoch(X, y, w0, lr, batch, np.random.default_rng(1)),
        repeats=repeats,
    )
    rows = [
        (
            "c) mini-batch SGD, 1e6 x 20, 1 epoch vs numpy loop",
            t_gd,
            t_np,
            "<= 1.25",
            t_gd <= 1.25 * t_np,
        )
    ]
    if importlib.util.find_spec("sklearn") is not None:
        from sklearn.linear_model import SGDRegressor

        def sk():
            m = SGDRegressor(
                learning_rate="constant",
                eta0=lr / 2,
                penalty=None,
                max_iter=1,
                tol=None,
                shuffle=True,
                random_state=1,
            )
            m.partial_fit(X, y)
            return m

        (t_sk,) = timeit(sk, repeats=max(1, repeats // 2))
        rows.append(
            (
                "c) mini-batch SGD, 1e6 x 20, 1 epoch vs sklearn SGDRegressor",
                t_gd,
                t_sk,
                "< 1.0",
                t_gd < t_sk,
            )
        )
    return rows


def explorer_rows(quick: bool) -> list[Row]:
    """Case d) from benchmarks/bench_explorer.py (owned by the widgets helper), when present.

    Its rows may be tuples ``(case, gdcore, reference, target, met)``, mappings or objects
    with those fields.
    """
    path = Path(__file__).with_name("bench_explorer.py")
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location("bench_explorer", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_explorer"] = mod
    spec.loader.exec_module(mod)
    fn = getattr(mod, "bench_explorer", None)
    if not callable(fn):
        return []
    try:
        raw = fn(quick=quick)
    except TypeError:
        raw = fn()
    fields = ("case", "gdcore", "reference", "target", "met")
    rows = []
    for r in raw:
        if isinstance(r, dict):
            r = tuple(r[f] for f in fields)
        elif not isinstance(r, tuple) or hasattr(r, "_fields"):
            r = tuple(getattr(r, f) for f in fields) if hasattr(r, "case") else tuple(r)
        rows.append((str(r[0]), float(r[1]), float(r[2]), str(r[3]), bool(r[4])))
    return rows


# -- e) peak memory: a long converging run, a long sweep with record_every --------------------
MemRow = tuple[str, int, float, int, int, str, bool]


def _peak(fn: Callable[[], object]) -> tuple[object, int, float]:
    """``(result, peak bytes allocated while fn ran, seconds)``."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn()
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return out, peak, seconds


def _row_bytes(traj: gdcore.Trajectory) -> int:
    """Bytes of one recorded row: parameters, loss and gradient norm of every run."""
    return int(traj.params[0].nbytes + traj.losses[0].nbytes + traj.grad_norms[0].nbytes)


def memory_rows(quick: bool) -> list[MemRow]:
    f = rosenbrock()
    steps = 10**9
    traj, peak, secs = _peak(
        lambda: gdcore.run(gdcore.SGD(lr=1e-3), f, [-1.5, 2.0], steps, tol=1e-1)
    )
    assert traj.status == "converged", traj.message
    made = traj.nit + 1
    rows = [
        (
            f"e) SGD, Rosenbrock, steps=10**9, tol=1e-1: converged at step {traj.nit}",
            peak,
            secs,
            traj.nit,
            (steps + 1) * _row_bytes(traj),
            "<= 4 MB + 4x rows made",
            peak <= 4 * 2**20 + 4 * made * _row_bytes(traj),
        )
    ]
    n_lr, n_steps, every = (1000, 10_000, 100) if quick else (1000, 100_000, 1000)
    lrs = np.geomspace(1e-5, 1.5e-3, n_lr)
    sweep, peak, secs = _peak(
        lambda: gdcore.run(gdcore.SGD(lr=lrs[:, None]), f, [-1.5, 2.0], n_steps, record_every=every)
    )
    kept = len(sweep.step_index)
    rows.append(
        (
            f"e) SGD, {n_lr} lrs x {n_steps:,} steps, record_every={every}: {kept} rows kept",
            peak,
            secs,
            int(sweep.nit.max()),
            (n_steps + 1) * _row_bytes(sweep),
            "<= 4 MB + 4x rows kept",
            peak <= 4 * 2**20 + 4 * kept * _row_bytes(sweep) + 64 * n_lr * 2 * 8,
        )
    )
    return rows


def fmt_bytes(b: float) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if b >= size:
            return f"{b / size:7.1f} {unit}"
    return f"{b:7.0f} B "


def fmt_time(t: float) -> str:
    if t < 1e-3:
        return f"{t * 1e6:9.2f} us"
    if t < 1:
        return f"{t * 1e3:9.2f} ms"
    return f"{t:9.3f} s "


def main(argv: list[str]) -> int:
    global CLOCK
    quick = "--quick" in argv
    if "--cpu" in argv:
        CLOCK = time.process_time
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"clock: {CLOCK.__name__}; load average: {load}; cores: {os.cpu_count()}")
    repeats = 3 if quick else 7
    rows: list[Row] = []
    rows += case_adam(repeats)
    rows += case_batched(repeats)
    rows += case_minibatch(max(3, repeats // 2))
    rows += explorer_rows(quick)
    width = max(len(r[0]) for r in rows)
    header = (
        f"{'case':<{width}}  {'gdcore':>12}  {'reference':>12}  {'ratio':>6}  {'target':<14} met?"
    )
    print(header)
    print("-" * len(header))
    for case, t_gd, t_ref, target, met in rows:
        ratio = t_gd / t_ref if t_ref else float("nan")
        print(
            f"{case:<{width}}  {fmt_time(t_gd):>12}  {fmt_time(t_ref):>12}  {ratio:6.2f}  "
            f"{target:<14} {'yes' if met else 'NO'}"
        )
    mem = memory_rows(quick)
    width = max(len(r[0]) for r in mem)
    header = (
        f"{'case':<{width}}  {'peak memory':>12}  {'time':>10}  {'steps':>9}  "
        f"{'steps+1 rows':>12}  {'target':<24} met?"
    )
    print()
    print(header)
    print("-" * len(header))
    for case, peak, secs, steps, full, target, met in mem:
        print(
            f"{case:<{width}}  {fmt_bytes(peak):>12}  {fmt_time(secs):>10}  {steps:>9}  "
            f"{fmt_bytes(full):>12}  {target:<24} {'yes' if met else 'NO'}"
        )
    return 0 if all(r[4] for r in rows) and all(r[6] for r in mem) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
