"""Properties of gdcore.run over objectives x optimizers x batch shapes x odd inputs (hypothesis).

For every combination drawn:

* no input is mutated, and none is retained (changing it afterwards changes nothing);
* every error names the argument it is about;
* every returned number is finite, or the run says why not (its status and message);
* a batched run equals the single runs it is made of.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gdcore
from gdcore import SGD, Adagrad, Adam, AdamW, RMSprop, run

F = gdcore.functions

# objectives computed with plain arithmetic, so that a batch and a single run round alike
OBJECTIVES = {
    "bowl": lambda: F.quadratic(curvatures=[1.0, 10.0]),
    "bowl3": lambda: F.quadratic(curvatures=[0.5, 2.0, 4.0], centre=[1.0, -1.0, 0.5]),
    "parabola": F.parabola,
    "rosenbrock": F.rosenbrock,
    "himmelblau": F.himmelblau,
    "booth": F.booth,
}

rates = st.floats(1e-4, 3.0)


@st.composite
def optimizers(draw, lr):
    """``(make, kwargs)``: an optimizer class with hyperparameters, ``make(lr)`` builds it."""
    name = draw(st.sampled_from(["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]))
    wd = draw(st.sampled_from([0.0, 0.0, 0.01, 0.5]))
    if name == "sgd":
        return lambda v: SGD(lr=v, weight_decay=wd)
    if name == "momentum":
        m = draw(st.floats(0.0, 0.99))
        damp = draw(st.sampled_from([0.0, 0.5]))
        return lambda v: SGD(lr=v, momentum=m, dampening=damp)
    if name == "nesterov":
        m = draw(st.floats(0.1, 0.99))
        return lambda v: SGD(lr=v, momentum=m, nesterov=True)
    if name == "adagrad":
        decay = draw(st.sampled_from([0.0, 0.1]))
        return lambda v: Adagrad(lr=v, lr_decay=decay)
    if name == "rmsprop":
        centered = draw(st.booleans())
        m = draw(st.sampled_from([0.0, 0.9]))
        return lambda v: RMSprop(lr=v, momentum=m, centered=centered, weight_decay=wd)
    b1 = draw(st.floats(0.0, 0.99))
    cls = draw(st.sampled_from([Adam, AdamW]))
    ams = draw(st.booleans())
    return lambda v: cls(lr=v, betas=(b1, 0.999), weight_decay=wd, amsgrad=ams)


def points(d, n=None):
    """Start points: ordinary, large (up to 1e200) and exactly zero coordinates."""
    coord = st.one_of(st.floats(-3.0, 3.0), st.sampled_from([0.0, 1e3, -1e200]))
    shape = (d,) if n is None else (n, d)
    return st.lists(coord, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))).map(
        lambda v: np.array(v).reshape(shape)
    )


def _check_finite_or_explained(t, i=None):
    """Every number of run ``i`` of ``t`` is finite, or its status and message say why."""
    pick = (lambda a: a) if i is None else (lambda a: a[:, i] if np.ndim(a) > 1 else a[i])
    status = t.status if i is None else t.status[i]
    nit = int(t.nit if i is None else t.nit[i])
    message = t.message if i is None else t.message[i]
    x = t.x if i is None else t.x[i]
    fun = float(t.fun if i is None else t.fun[i])
    P, L, G = pick(t.params), pick(t.losses), pick(t.grad_norms)
    rows = t.step_index <= nit
    assert status in ("converged", "max_steps", "diverged")
    assert np.all(np.isfinite(x)), "x is the last finite iterate"
    if status == "diverged":
        assert message.startswith("diverged")
        assert re.search(r"not finite|beyond", message)
        if not np.isfinite(fun):
            assert nit == 0 and "at the start" in message
        # finite up to the step before the divergence
        before = t.step_index < nit
        assert np.all(np.isfinite(P[before])) and np.all(np.isfinite(L[before]))
        assert np.all(np.isfinite(G[before]))
    else:
        assert np.isfinite(fun)
        assert np.all(np.isfinite(P[rows])) and np.all(np.isfinite(L[rows]))
        assert np.all(np.isfinite(G[rows]))
        assert message.startswith(("converged", "stopped"))
    # what lies past the run's stop (in a batch) is padding, NaN
    assert np.all(np.isnan(L[~rows]))


@settings(max_examples=100)
@given(
    data=st.data(),
    obj=st.sampled_from(sorted(OBJECTIVES)),
    n=st.integers(1, 4),
    steps=st.integers(0, 200),
    tol=st.sampled_from([None, 1e-6, 1e-2]),
    ftol=st.sampled_from([None, 1e-9]),
    every=st.sampled_from([1, 1, 3, 50]),
)
def test_batched_runs_equal_single_runs_and_every_number_is_accounted_for(
    data, obj, n, steps, tol, ftol, every
):
    f = OBJECTIVES[obj]()
    make = data.draw(optimizers(None))
    lrs = np.array(data.draw(st.lists(rates, min_size=n, max_size=n)))
    per_run_start = data.draw(st.booleans())
    x0 = data.draw(points(f.dim, n if per_run_start else None))
    x0_copy = x0.copy()
    lr_col = lrs[:, None].copy()
    lr_copy = lr_col.copy()
    opt = make(lr_col)
    kw = {"tol": tol, "ftol": ftol, "record_every": every}
    batch = run(opt, f, x0, steps, **kw)
    # nothing mutated
    np.testing.assert_array_equal(x0, x0_copy)
    np.testing.assert_array_equal(lr_col, lr_copy)
    # nothing retained: changing the inputs now changes neither the result nor the optimizer
    assert not np.shares_memory(batch.params, x0) and not np.shares_memory(batch.x, x0)
    kept = copy.deepcopy(batch)
    x0[...] = 7.0
    lr_col[...] = 5.0
    np.testing.assert_array_equal(batch.params, kept.params)
    again = run(opt, f, x0_copy, steps, **kw)
    np.testing.assert_array_equal(again.params, batch.params)
    np.testing.assert_array_equal(again.nit, batch.nit)

    assert batch.status.shape == (n,) and batch.params.shape[1:] == (n, f.dim)
    for i in range(n):
        _check_finite_or_explained(batch, i)
        one = run(make(float(lrs[i])), f, x0_copy[i] if per_run_start else x0_copy, steps, **kw)
        _check_finite_or_explained(one)
        assert (one.status, one.nit, one.message) == (
            batch.status[i],
            batch.nit[i],
            batch.message[i],
        )
        assert one.success == batch.success[i]
        # the batch keeps every row the single run keeps (its last included)
        rows = np.isin(batch.step_index, one.step_index)
        assert batch.step_index[rows].tolist() == one.step_index.tolist()
        # equal up to the rounding of a row-wise dot product (einsum for a batch, @ for one)
        close = {"rtol": 1e-12, "atol": 0.0}
        np.testing.assert_allclose(batch.params[rows, i], one.params, **close)
        np.testing.assert_allclose(batch.losses[rows, i], one.losses, **close)
        np.testing.assert_allclose(batch.grad_norms[rows, i], one.grad_norms, **close)
        np.testing.assert_allclose(batch.x[i], one.x, **close)
        np.testing.assert_allclose(batch.fun[i], one.fun, **close)


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2**16),
    batch_size=st.integers(1, 12),
    loss_on=st.sampled_from(["full", "batch"]),
    lr=st.floats(1e-3, 2.0),
    n=st.integers(1, 3),
)
def test_minibatch_runs_are_reproducible_batched_and_leave_the_data_alone(
    seed, batch_size, loss_on, lr, n
):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((12, 2))
    y = X @ np.array([1.0, -1.0]) + 0.1 * rng.standard_normal(12)
    X0, y0 = X.copy(), y.copy()
    f = gdcore.losses.mse(X, y)
    X[...] = 0.0  # the loss keeps its own copy
    y[...] = 0.0
    lrs = lr * np.arange(1, n + 1) / n
    kw = {"batch_size": batch_size, "loss_on": loss_on}
    tol = None if loss_on == "batch" else 1e-3
    batch = run(SGD(lr=lrs[:, None]), f, np.zeros(3), 40, tol=tol, rng=seed, **kw)
    for i in range(n):
        _check_finite_or_explained(batch, i)
        one = run(SGD(lr=float(lrs[i])), f, np.zeros(3), 40, tol=tol, rng=seed, **kw)
        assert (one.status, one.nit) == (batch.status[i], batch.nit[i])
        np.testing.assert_allclose(batch.params[: one.nit + 1, i], one.params, rtol=1e-10)
    if loss_on == "full":
        # the recorded values are the full objective's, which the tolerance tests
        k = int(batch.nit.max())
        P = batch.params[: k + 1]
        ok = ~np.isnan(P[..., 0])
        f_full = gdcore.losses.mse(X0, y0)
        np.testing.assert_allclose(batch.losses[ok], f_full(P[ok]), rtol=1e-10)


# -- errors name their argument ----------------------------------------------------------------
BOWL = F.quadratic(curvatures=[1.0, 2.0])
DATA = gdcore.losses.mse(np.eye(3)[:, :2], np.ones(3))

NUMBERS = {
    "negative": -1.0,
    "nan": float("nan"),
    "inf": float("inf"),
    "string": "0.1",
    "none": None,
    "list of strings": ["a"],
    "complex": 1j,
}

# (argument name, how to call with a bad value v, which odd values are bad for it)
CASES = [
    ("lr", lambda v: SGD(lr=v), ["negative", "nan", "inf", "string", "list of strings", "complex"]),
    ("momentum", lambda v: SGD(momentum=v), ["negative", "nan", "inf", "string"]),
    ("dampening", lambda v: SGD(dampening=v), ["negative", "nan", "string"]),
    ("weight_decay", lambda v: Adam(weight_decay=v), ["negative", "nan", "inf", "string"]),
    ("eps", lambda v: RMSprop(eps=v), ["negative", "nan", "string", "complex"]),
    ("alpha", lambda v: RMSprop(alpha=v), ["negative", "nan", "string"]),
    ("betas", lambda v: Adam(betas=(v, 0.9)), ["negative", "nan", "inf", "string", "none"]),
    ("lr_decay", lambda v: Adagrad(lr_decay=v), ["negative", "nan", "string"]),
    ("x0", lambda v: run(SGD(lr=0.1), BOWL, [v, 1.0], 3), ["nan", "inf", "string", "none"]),
    ("steps", lambda v: run(SGD(lr=0.1), BOWL, [1.0, 1.0], v), list(NUMBERS)),
    ("tol", lambda v: run(SGD(lr=0.1), BOWL, [1.0, 1.0], 3, tol=v), ["negative", "nan"]),
    ("ftol", lambda v: run(SGD(lr=0.1), BOWL, [1.0, 1.0], 3, ftol=v), ["negative", "string"]),
    (
        "diverge_above",
        lambda v: run(SGD(lr=0.1), BOWL, [1.0, 1.0], 3, diverge_above=v),
        ["negative", "nan", "string"],
    ),
    (
        "record_every",
        lambda v: run(SGD(lr=0.1), BOWL, [1.0, 1.0], 3, record_every=v),
        list(NUMBERS),
    ),
    (
        "batch_size",
        lambda v: run(SGD(lr=0.1), DATA, [0.0, 0.0, 0.0], 3, batch_size=v),
        ["negative", "nan", "string"],
    ),
    ("loss_on", lambda v: run(SGD(lr=0.1), BOWL, [1.0, 1.0], 3, loss_on=v), list(NUMBERS)),
    ("dim", lambda v: gdcore.Objective(np.sum, np.sign, dim=v), ["negative", "string", "nan"]),
    (
        "domain",
        lambda v: gdcore.Objective(np.sum, np.sign, domain=[(0.0, v)]),
        ["negative", "nan", "inf", "string"],
    ),
    ("h", lambda v: gdcore.numerical_grad(BOWL, [1.0, 1.0], h=v), ["negative", "nan", "string"]),
]


@given(case=st.sampled_from(CASES), data=st.data())
def test_every_error_names_its_argument(case, data):
    name, call, bad = case
    kind = data.draw(st.sampled_from(bad))
    with pytest.raises((TypeError, ValueError)) as info:
        call(NUMBERS[kind])
    assert name in str(info.value), (name, kind, str(info.value))


@given(
    lr=st.one_of(
        st.lists(rates, min_size=2, max_size=5).map(np.array),
        st.tuples(st.integers(1, 3), st.integers(3, 5)).map(lambda s: np.full(s, 0.1)),
    )
)
def test_arrays_that_are_neither_a_batch_nor_per_coordinate_are_refused_by_name(lr):
    with pytest.raises(ValueError, match=r"^lr has shape"):
        run(SGD(lr=lr), BOWL, [1.0, 1.0], 3)


@given(bad=st.sampled_from([-0.5, float("nan"), float("inf")]), at=st.integers(0, 20))
def test_a_schedule_that_leaves_the_allowed_range_is_refused_at_that_step(bad, at):
    def lr(t):
        return bad if t == at else 0.01

    with pytest.raises(ValueError, match=rf"^lr is a schedule .* at step t={at};"):
        run(Adam(lr=lr), BOWL, [1.0, 1.0], 30)
