"""gdcore.run: closed forms, divergence, statuses, batching, tolerances, mini-batches, minima."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import gdcore
from gdcore import SGD, Adagrad, Adam, AdamW, RMSprop, run


# -- objectives written inline ------------------------------------------------------------------
def bowl(curvatures):
    lam = np.asarray(curvatures, dtype=float)
    return gdcore.Objective(
        lambda x: 0.5 * np.sum(lam * x * x, axis=-1),
        lambda x: lam * x,
        name="bowl",
        dim=len(lam),
        minima=[np.zeros(len(lam))],
    )


def _rosen_vg(x):
    r = 1.0 - x[..., 0]
    s = x[..., 1] - x[..., 0] ** 2
    g = np.empty_like(x)
    g[..., 0] = -2.0 * r - 400.0 * x[..., 0] * s
    g[..., 1] = 200.0 * s
    return r * r + 100.0 * s * s, g


ROSEN = gdcore.Objective(
    lambda x: _rosen_vg(x)[0],
    lambda x: _rosen_vg(x)[1],
    value_and_grad=_rosen_vg,
    name="rosenbrock",
    dim=2,
    minima=[[1.0, 1.0]],
)


def quartic():
    """f = x^4: overflows to inf quickly once a run diverges."""
    return gdcore.Objective(lambda x: np.sum(x**4, -1), lambda x: 4 * x**3, dim=1)


def data_objective(X, y, log=None):
    """Mean squared error of a linear model without bias, with n_samples/on_batch."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)

    def vg(w):
        r = w @ X.T - y
        return np.mean(r * r, axis=-1), 2.0 * (r @ X) / len(y)

    obj = gdcore.Objective(
        lambda w: vg(w)[0], lambda w: vg(w)[1], value_and_grad=vg, dim=X.shape[1], name="data"
    )
    obj.n_samples = len(y)

    def on_batch(rows):
        if log is not None:
            log.append(np.array(rows))
        return data_objective(X[rows], y[rows])

    obj.on_batch = on_batch
    return obj


# -- closed forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("lr", [0.01, 0.1, 0.15, 0.199])
def test_gradient_descent_on_quadratic_follows_closed_form(lr):
    lam = np.array([1.0, 3.0, 10.0])
    w0 = np.array([1.0, -2.0, 0.5])
    traj = run(SGD(lr=lr), bowl(lam), w0, 50)
    k = np.arange(51)[:, None]
    expected = w0 * (1 - lr * lam) ** k
    np.testing.assert_allclose(traj.params, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(traj.losses, 0.5 * np.sum(lam * expected**2, -1), rtol=1e-12)
    np.testing.assert_allclose(traj.grad_norms, np.linalg.norm(lam * expected, axis=-1), rtol=1e-12)


def test_diverges_exactly_above_two_over_lambda_max():
    lam = np.array([0.5, 4.0])  # lambda_max = 4: threshold 0.5
    f = bowl(lam)
    below = run(SGD(lr=0.499), f, [1.0, 1.0], 20000, tol=1e-8)
    assert below.status == "converged" and below.success
    above = run(SGD(lr=0.501), f, [1.0, 1.0], 20000, tol=1e-8)
    assert above.status == "diverged" and not above.success
    # at the threshold the stiff coordinate flips sign forever: neither converges nor diverges
    edge = run(SGD(lr=0.5), f, [1.0, 1.0], 500, tol=1e-8)
    assert edge.status == "max_steps"
    np.testing.assert_allclose(np.abs(edge.params[:, 1]), 1.0, rtol=1e-15)


def test_batched_threshold_matches_theory():
    lam_max = 4.0
    lrs = np.array([*np.linspace(0.3, 0.49, 20), 0.5, *np.linspace(0.51, 0.7, 20)])
    traj = run(SGD(lr=lrs[:, None]), bowl([1.0, lam_max]), [1.0, 1.0], 5000, tol=1e-6)
    expected = np.where(
        lrs > 2 / lam_max, "diverged", np.where(lrs < 2 / lam_max, "converged", "max_steps")
    )
    assert expected[20] == "max_steps"
    np.testing.assert_array_equal(traj.status, expected)


def test_divergence_step_and_default_limit():
    # x_k = (1 - lr)^k = (-2)^k on f = x^2/2: loss 2^(2k)/2 passes 1e6 * (0.5 + 1) at k = 11
    traj = run(SGD(lr=3.0), bowl([1.0]), [1.0], 100)
    assert traj.status == "diverged"
    assert traj.nit == 11
    assert traj.losses[-1] == 0.5 * 4.0**11 > 1.5e6 >= traj.losses[-2]
    assert traj.params.shape == (12, 1)
    # x and fun are the last iterate before the divergent step
    assert traj.x[0] == (-2.0) ** 10 and traj.fun == 0.5 * 4.0**10
    assert traj.message.startswith("diverged after 11 steps")
    assert traj.diverged


def test_diverge_above():
    traj = run(SGD(lr=3.0), bowl([1.0]), [1.0], 100, diverge_above=100.0)
    assert traj.nit == 4  # 0.5 * 4^4 = 128 > 100 >= 32
    assert traj.status == "diverged"


def test_no_warning_escapes_on_divergence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(SGD(lr=1.0), quartic(), [3.0], 1000, diverge_above=float(np.finfo(float).max))
        assert traj.status == "diverged"
        assert not np.isfinite(traj.losses[-1])
        assert np.all(np.isfinite(traj.x))
        batch = run(
            SGD(lr=np.array([[1.0], [1e-3]])),
            quartic(),
            [3.0],
            300,
            diverge_above=float(np.finfo(float).max),
        )
        assert list(batch.status) == ["diverged", "max_steps"]
        traj = run(Adam(lr=1e3), quartic(), [3.0], 100)
        assert traj.status in ("diverged", "max_steps")


def test_nan_start_loss_is_diverged_at_step_zero():
    f = gdcore.Objective(lambda x: np.log(x[..., 0] - 5.0), lambda x: 1 / (x - 5.0), dim=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(SGD(lr=0.1), f, [1.0], 10)
    assert traj.status == "diverged" and traj.nit == 0
    assert traj.params.shape == (1, 1)
    np.testing.assert_array_equal(traj.x, [1.0])


# -- status, nit, x, fun, success, message ------------------------------------------------------
def test_max_steps_semantics():
    traj = run(SGD(lr=0.1), bowl([1.0, 2.0]), [1.0, 1.0], 7)
    assert traj.status == "max_steps" and traj.nit == 7 and traj.success
    assert traj.params.shape == (8, 2) and traj.losses.shape == (8,)
    np.testing.assert_array_equal(traj.x, traj.params[-1])
    assert traj.fun == traj.losses[-1]
    assert traj.message == "stopped after the maximum of 7 steps"
    assert isinstance(traj.nit, int) and isinstance(traj.fun, float)
    assert isinstance(traj.status, str) and isinstance(traj.success, bool)
    assert not traj.diverged
    assert "max_steps" in repr(traj)


def test_success_needs_convergence_when_a_tolerance_is_given():
    traj = run(SGD(lr=0.1), bowl([1.0]), [1.0], 5, tol=1e-12)
    assert traj.status == "max_steps" and not traj.success


def test_zero_steps():
    traj = run(SGD(lr=0.1), bowl([1.0]), [2.0], 0)
    assert traj.nit == 0 and traj.status == "max_steps"
    np.testing.assert_array_equal(traj.params, [[2.0]])
    assert traj.fun == 2.0


def test_tol_stops_at_first_small_gradient():
    lr = 0.1
    traj = run(SGD(lr=lr), bowl([1.0]), [1.0], 1000, tol=1e-3)
    # |grad| = 0.9^k <= 1e-3 first at k = ceil(log(1e-3) / log(0.9)) = 66
    assert traj.nit == 66 and traj.status == "converged" and traj.success
    assert traj.grad_norms[-1] <= 1e-3 < traj.grad_norms[-2]
    assert traj.message.startswith("converged after 66 steps: gradient norm")


def test_ftol_stops_when_loss_stops_changing():
    traj = run(SGD(lr=0.1), bowl([1.0]), [1.0], 1000, ftol=1e-6)
    L = 0.5 * 0.81 ** np.arange(200)
    k = int(np.argmax(np.abs(np.diff(L)) <= 1e-6)) + 1
    assert traj.nit == k and traj.status == "converged"
    assert "ftol" in traj.message
    np.testing.assert_allclose(traj.losses, L[: k + 1], rtol=1e-13)


def test_ftol_does_not_fire_on_the_start_point():
    # ftol compares two losses, so the earliest it can stop is after one step
    traj = run(SGD(lr=0.1), bowl([1.0]), [0.0], 5, ftol=1.0)
    assert traj.nit == 1 and traj.status == "converged"
    # tol can stop at the start point
    traj = run(SGD(lr=0.1), bowl([1.0]), [0.0], 5, tol=0.0)
    assert traj.nit == 0 and traj.status == "converged"


# -- batched runs equal a loop of single runs ---------------------------------------------------
@pytest.mark.parametrize(
    "make, values",
    [
        (lambda v: SGD(lr=v), [0.05, 0.2, 0.49, 0.51, 0.9]),
        (lambda v: SGD(lr=0.2, momentum=v), [0.0, 0.5, 0.9, 0.99]),
        (lambda v: Adam(lr=v), [0.01, 0.3, 5.0]),
        (lambda v: RMSprop(lr=v, centered=True), [0.001, 0.05]),
    ],
)
def test_batched_run_equals_loop_including_padding(make, values):
    f = bowl([1.0, 4.0])
    x0 = np.array([1.0, -1.0])
    batch = run(make(np.asarray(values)[:, None]), f, x0, 400, tol=1e-9)
    assert batch.params.shape[1:] == (len(values), 2)
    for i, v in enumerate(values):
        one = run(make(v), f, x0, 400, tol=1e-9)
        n = one.nit
        assert batch.status[i] == one.status and batch.nit[i] == n
        np.testing.assert_allclose(batch.params[: n + 1, i], one.params, rtol=1e-13)
        np.testing.assert_allclose(batch.losses[: n + 1, i], one.losses, rtol=1e-13)
        np.testing.assert_allclose(batch.grad_norms[: n + 1, i], one.grad_norms, rtol=1e-13)
        assert np.all(np.isnan(batch.params[n + 1 :, i]))
        assert np.all(np.isnan(batch.losses[n + 1 :, i]))
        np.testing.assert_allclose(batch.x[i], one.x, rtol=1e-13)
        assert batch.fun[i] == pytest.approx(one.fun, rel=1e-13)
        assert batch.success[i] == one.success and batch.message[i] == one.message
    assert batch.params.shape[0] == max(batch.nit) + 1


def test_batched_start_points():
    f = bowl([1.0, 2.0])
    x0 = np.array([[1.0, 1.0], [0.0, 0.0], [-3.0, 2.0]])
    batch = run(SGD(lr=0.1), f, x0, 30, tol=1e-4)
    for i in range(3):
        one = run(SGD(lr=0.1), f, x0[i], 30, tol=1e-4)
        assert batch.nit[i] == one.nit
        np.testing.assert_allclose(batch.params[: one.nit + 1, i], one.params, rtol=1e-15)
    assert batch.nit[1] == 0 and batch.status[1] == "converged"


def test_two_batch_axes():
    f = bowl([1.0])
    lrs = np.array([0.1, 0.5, 2.5])[:, None, None]
    x0 = np.array([[1.0], [-2.0]])
    traj = run(SGD(lr=lrs), f, x0, 20)
    assert traj.status.shape == (3, 2) and traj.params.shape[1:] == (3, 2, 1)
    assert traj.status[2, 0] == "diverged" or traj.nit[2, 0] == 20


def test_mismatched_batch_shapes():
    with pytest.raises(ValueError, match="x0"):
        run(SGD(lr=np.ones((3, 1))), bowl([1.0, 1.0]), np.ones((2, 2)), 5)


# -- mini-batches -------------------------------------------------------------------------------
def test_batch_size_covers_every_row_once_per_epoch():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((10, 2)), rng.standard_normal(10)
    log: list = []
    run(SGD(lr=0.01), data_objective(X, y, log), [0.0, 0.0], 12, batch_size=3, rng=1)
    sizes = [len(r) for r in log]
    assert sizes[:8] == [3, 3, 3, 1, 3, 3, 3, 1]
    for epoch in (log[0:4], log[4:8], log[8:12]):
        np.testing.assert_array_equal(np.sort(np.concatenate(epoch)), np.arange(10))
    assert not np.array_equal(np.concatenate(log[0:4]), np.concatenate(log[4:8]))


def test_minibatch_steps_use_the_batch_gradient_and_are_reproducible():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    f = data_objective(X, y)
    a = run(SGD(lr=0.05), f, np.zeros(3), 15, batch_size=4, rng=np.random.default_rng(3))
    b = run(SGD(lr=0.05), f, np.zeros(3), 15, batch_size=4, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.params, b.params)
    # replay by hand with the same shuffles
    gen = np.random.default_rng(3)
    w = np.zeros(3)
    perm = gen.permutation(20)
    for k in range(5):
        rows = perm[4 * k : 4 * k + 4]
        w = w - 0.05 * 2 * ((X[rows] @ w - y[rows]) @ X[rows]) / 4
        np.testing.assert_allclose(a.params[k + 1], w, rtol=1e-14)
    # loss_on="full" records the full-data loss; "batch" the mini-batch loss
    np.testing.assert_allclose(a.losses, f(a.params), rtol=1e-14)
    c = run(
        SGD(lr=0.05),
        f,
        np.zeros(3),
        15,
        batch_size=4,
        rng=np.random.default_rng(3),
        loss_on="batch",
    )
    np.testing.assert_allclose(c.params, a.params, rtol=1e-15)
    assert not np.allclose(c.losses, a.losses)


def test_full_batch_size_equals_full_gradient_descent():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((8, 2)), rng.standard_normal(8)
    f = data_objective(X, y)
    a = run(SGD(lr=0.1), f, [0.0, 0.0], 10, batch_size=8)
    b = run(SGD(lr=0.1), f, [0.0, 0.0], 10)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-13)


# -- reaching minima -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "opt",
    [
        SGD(lr=0.15),
        SGD(lr=0.05, momentum=0.9),
        SGD(lr=0.05, momentum=0.9, nesterov=True),
        Adagrad(lr=0.5),
        RMSprop(lr=0.01),
        Adam(lr=0.05),
        AdamW(lr=0.05, weight_decay=0.0),
    ],
    ids=repr,
)
def test_each_optimizer_reaches_the_bottom_of_a_bowl(opt):
    f = bowl([1.0, 10.0])
    traj = run(opt, f, [3.0, -2.0], 3000, tol=1e-4)
    assert traj.status == "converged", traj.message
    np.testing.assert_allclose(traj.x, [0.0, 0.0], atol=1e-3)


@pytest.mark.parametrize(
    "opt, steps, atol",
    [
        (SGD(lr=1e-3), 30000, 5e-3),
        (SGD(lr=5e-4, momentum=0.9), 10000, 5e-3),
        (Adagrad(lr=1.0), 20000, 5e-3),
        # a constant-rate RMSprop ends up hovering around the minimum at a distance ~ lr
        (RMSprop(lr=1e-3), 10000, 2e-3),
        (RMSprop(lr=gdcore.schedules.exponential_decay(1e-3, 0.9998)), 10000, 5e-3),
        (Adam(lr=0.02), 10000, 5e-3),
        (AdamW(lr=0.02, weight_decay=0.0), 10000, 5e-3),
    ],
    ids=lambda v: repr(v) if not isinstance(v, (int, float)) else str(v),
)
def test_each_optimizer_reaches_the_rosenbrock_minimum(opt, steps, atol):
    traj = run(opt, ROSEN, [-1.5, 2.0], steps, tol=1e-5)
    assert traj.status != "diverged"
    np.testing.assert_allclose(traj.x, [1.0, 1.0], atol=atol)
    assert traj.fun < 1e-3


def test_run_does_not_mutate_x0():
    x0 = np.array([1.0, 2.0])
    run(Adam(lr=0.1), bowl([1.0, 1.0]), x0, 10)
    np.testing.assert_array_equal(x0, [1.0, 2.0])


def test_run_accepts_lists_ints_and_numpy_steps():
    traj = run(SGD(lr=0.5), bowl([1.0]), [2], np.int64(3))
    np.testing.assert_allclose(traj.params[:, 0], [2.0, 1.0, 0.5, 0.25])


def test_objective_reusing_its_gradient_buffer_gets_right_grad_norms():
    buf = np.empty(1)

    def grad(x):
        np.multiply(x, 2.0, out=buf)  # the same output array on every call
        return buf

    f = gdcore.Objective(lambda x: np.sum(x * x, -1), grad, dim=1)
    traj = run(SGD(lr=0.1), f, [1.0], 40)
    np.testing.assert_allclose(traj.grad_norms, 2.0 * 0.8 ** np.arange(41), rtol=1e-14)
    np.testing.assert_allclose(traj.params[:, 0], 0.8 ** np.arange(41), rtol=1e-14)


# -- tol and ftol test the full objective in a mini-batch run -------------------------------------
def _noisy_regression():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 2))
    y = X @ np.array([1.0, -2.0]) + 0.5 * rng.standard_normal(200)
    return data_objective(X, y)


def test_minibatch_tol_is_tested_on_the_full_gradient():
    f = _noisy_regression()
    traj = run(SGD(lr=0.05), f, [0.0, 0.0], 3000, batch_size=1, tol=1e-2, rng=0)
    # the recorded gradient norms are the full gradient's, and the run stops at the first small one
    full = np.linalg.norm(f.grad(traj.params), axis=-1)
    np.testing.assert_allclose(traj.grad_norms, full, rtol=1e-12)
    if traj.status == "converged":
        assert full[-1] <= 1e-2 and np.all(full[:-1] > 1e-2)
    else:
        assert np.all(full > 1e-2)
    assert np.linalg.norm(f.grad(traj.x)) <= 1e-2 or traj.status != "converged"


def test_minibatch_ftol_is_tested_on_the_full_loss():
    f = _noisy_regression()
    traj = run(SGD(lr=0.05), f, [0.0, 0.0], 3000, batch_size=1, ftol=1e-6, rng=0)
    full = f(traj.params)
    np.testing.assert_allclose(traj.losses, full, rtol=1e-12)
    changes = np.abs(np.diff(full))
    assert traj.status == "converged"
    assert changes[-1] <= 1e-6 and np.all(changes[:-1] > 1e-6)


def test_batch_records_refuse_tolerances():
    f = _noisy_regression()
    for kw in ({"tol": 1e-3}, {"ftol": 1e-3}):
        with pytest.raises(ValueError, match=r"tol.*loss_on"):
            run(SGD(lr=0.05), f, [0.0, 0.0], 10, batch_size=4, loss_on="batch", **kw)


# -- learning-rate callables ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", [-0.1, np.nan, np.inf, np.array([[0.1], [-0.1]])])
def test_callable_lr_values_are_checked_at_every_step(bad):
    def lr(t):
        return 0.1 if t < 3 else bad

    with pytest.raises(ValueError, match=r"lr .*t=3"):
        run(SGD(lr=lr), bowl([1.0]), [1.0], 10)
    with pytest.raises(ValueError, match=r"lr .*t=3"):
        run(AdamW(lr=lr), bowl([1.0]), [1.0], 10)


def test_callable_lr_of_zero_is_allowed():
    traj = run(SGD(lr=lambda t: 0.0), bowl([1.0]), [1.0], 3)
    np.testing.assert_array_equal(traj.params[:, 0], [1.0, 1.0, 1.0, 1.0])


def test_plain_callable_returning_an_array_runs_a_batch():
    lrs = np.array([[0.05], [0.2], [0.5]])
    f = bowl([1.0, 3.0])
    batch = run(SGD(lr=lambda t: lrs * 0.99**t), f, [1.0, -1.0], 40)
    assert batch.params.shape == (41, 3, 2)
    for i in range(3):
        one = run(SGD(lr=lambda t, i=i: lrs[i, 0] * 0.99**t), f, [1.0, -1.0], 40)
        np.testing.assert_allclose(batch.params[:, i], one.params, rtol=1e-14)


# -- the objective's outputs are checked at step 0 -------------------------------------------------
@pytest.mark.parametrize(
    "value, grad, exc, match",
    [
        # a scalar for a batch: sums the points instead of one loss each
        (lambda x: np.sum(x * x), lambda x: 2 * x, ValueError, r"'bad'.*value.*shape \(3,\)"),
        (lambda x: np.sum(x * x, -1), lambda x: None, TypeError, r"'bad'.*grad.*NoneType"),
        (lambda x: np.sum(x * x, -1), lambda x: [1.0, 2.0], TypeError, r"'bad'.*grad.*list"),
        (lambda x: np.sum(x * x, -1), lambda x: 2 * x[0], ValueError, r"'bad'.*grad.*\(3, 2\)"),
        (lambda x: None, lambda x: 2 * x, TypeError, r"'bad'.*value.*NoneType"),
    ],
)
def test_objective_outputs_are_checked_at_step_zero(value, grad, exc, match):
    f = gdcore.Objective(value, grad, name="bad", dim=2)
    with pytest.raises(exc, match=match):
        run(SGD(lr=0.1), f, np.ones((3, 2)), 5)


# -- non-finite values are divergence, with a message that says which ------------------------------
def test_non_finite_iterate_is_divergence_even_with_a_finite_loss():
    # f = exp(x) is 0 at x = -inf; the (huge, finite) gradient sends x there in one step
    f = gdcore.Objective(
        lambda x: np.sum(np.exp(x), -1), lambda x: np.full_like(x, 1e200), name="exp", dim=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(SGD(lr=1e200), f, [0.0], 5)
    assert traj.grad_norms[0] == 1e200  # a finite gradient has a finite norm
    assert traj.status == "diverged" and traj.nit == 1 and not traj.success
    assert "parameters are not finite" in traj.message
    np.testing.assert_array_equal(traj.x, [0.0])
    assert traj.fun == 1.0


def test_nan_start_loss_has_a_clear_message():
    f = gdcore.Objective(
        lambda x: np.log(x[..., 0] - 5.0), lambda x: 1 / (x - 5.0), dim=1, name="log"
    )
    traj = run(SGD(lr=0.1), f, [1.0], 10)
    assert traj.message.startswith(
        "diverged at the start: the loss of objective 'log' at x0 is nan"
    )
    assert "beyond" not in traj.message
    batch = run(SGD(lr=0.1), f, [[1.0], [6.0]], 3)
    assert batch.status.tolist() == ["diverged", "max_steps"]
    assert batch.message[0].startswith("diverged at the start")


def test_non_finite_gradient_is_divergence():
    f = gdcore.Objective(
        lambda x: np.sum(np.abs(x), -1), lambda x: np.where(x == 0, np.nan, np.sign(x)), dim=1
    )
    traj = run(SGD(lr=0.5), f, [1.0], 10)
    assert traj.status == "diverged" and traj.nit == 2
    assert "gradient is not finite" in traj.message
    np.testing.assert_array_equal(traj.x, [0.5])


# -- array hyperparameters: batch or per coordinate -----------------------------------------------
@pytest.mark.parametrize("lr", [[0.1, 0.001], [0.1, 0.01, 0.001]])
def test_one_axis_arrays_of_several_rates_are_refused_with_both_spellings(lr):
    with pytest.raises(ValueError, match=r"lr has shape.*\[:, None\].*\[None, :\]"):
        run(SGD(lr=np.array(lr)), bowl([1.0, 2.0]), [1.0, 1.0], 5)


def test_array_hyperparameter_last_axis_is_the_coordinate_axis():
    f = bowl([1.0, 2.0])
    per_coord = run(SGD(lr=np.array([[0.1, 0.2]])), f, [1.0, 1.0], 3)
    assert per_coord.params.shape == (4, 1, 2)
    np.testing.assert_allclose(per_coord.params[:, 0, 1], 0.6 ** np.arange(4), rtol=1e-15)
    np.testing.assert_allclose(per_coord.params[:, 0, 0], 0.9 ** np.arange(4), rtol=1e-15)
    with pytest.raises(ValueError, match=r"lr has shape \(3, 3\).*coordinate axis"):
        run(SGD(lr=np.full((3, 3), 0.1)), f, [1.0, 1.0], 3)
    with pytest.raises(ValueError, match=r"betas\[0\] has shape"):
        run(Adam(betas=(np.array([0.5, 0.9, 0.99]), 0.999)), f, [1.0, 1.0], 3)


# -- memory: buffers grow with the steps made; record_every ----------------------------------------
def test_a_huge_step_cap_costs_nothing_when_the_run_converges_early():
    import tracemalloc

    tracemalloc.start()
    try:
        traj = run(SGD(lr=0.1), bowl([1.0, 2.0]), [1.0, 1.0], 10**9, tol=1e-1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert traj.status == "converged" and traj.params.shape == (traj.nit + 1, 2)
    # buffers for every possible step would take 10**9 * 32 bytes; a small start size is all
    assert peak < 4 * 2**20


@pytest.mark.parametrize("every", [1, 3, 7, 50])
def test_record_every_keeps_every_kth_iterate_and_the_last(every):
    f = bowl([1.0, 4.0])
    full = run(Adam(lr=0.1), f, [1.0, -1.0], 100, tol=1e-3)
    thin = run(Adam(lr=0.1), f, [1.0, -1.0], 100, tol=1e-3, record_every=every)
    n = full.nit
    ks = sorted({*range(0, n + 1, every), n})
    assert thin.step_index.tolist() == ks and thin.record_every == every
    np.testing.assert_array_equal(thin.params, full.params[ks])
    np.testing.assert_array_equal(thin.losses, full.losses[ks])
    np.testing.assert_array_equal(thin.grad_norms, full.grad_norms[ks])
    assert (thin.nit, thin.status, thin.message, thin.fun) == (
        full.nit,
        full.status,
        full.message,
        full.fun,
    )
    np.testing.assert_array_equal(thin.x, full.x)


def test_record_every_in_a_batch_keeps_each_runs_last_iterate_and_pads_after_it():
    f = bowl([1.0, 4.0])
    opt = SGD(lr=np.array([[0.05], [0.2], [0.6]]))
    full = run(opt, f, [1.0, -1.0], 200, tol=1e-4)
    thin = run(opt, f, [1.0, -1.0], 200, tol=1e-4, record_every=10)
    K = int(full.nit.max())
    ks = sorted({*range(0, K + 1, 10), *full.nit.tolist()})
    assert thin.step_index.tolist() == ks
    np.testing.assert_array_equal(thin.params, full.params[ks])
    np.testing.assert_array_equal(thin.nit, full.nit)
    np.testing.assert_array_equal(thin.x, full.x)
    for i, n in enumerate(full.nit):
        assert np.all(np.isnan(thin.losses[thin.step_index > n, i]))
    with pytest.raises(ValueError, match="record_every"):
        run(opt, f, [1.0, -1.0], 5, record_every=0)


# -- nothing the caller passes is kept by reference ------------------------------------------------
def test_changing_arrays_after_construction_changes_nothing():
    f = bowl([1.0, 4.0])
    expected = run(SGD(lr=np.array([[0.1], [0.2]]), momentum=0.5), f, [1.0, 1.0], 20)
    lrs = np.array([[0.1], [0.2]])
    opt = SGD(lr=lrs, momentum=0.5)
    lrs[:] = 5.0  # before the optimizer has ever been used
    np.testing.assert_array_equal(run(opt, f, [1.0, 1.0], 20).params, expected.params)
    x0 = np.array([1.0, 1.0])
    traj = run(SGD(lr=0.1), f, x0, 3)
    x0[:] = 9.0
    assert traj.params[0].tolist() == [1.0, 1.0]


def test_trajectory_is_built_by_keyword_and_positionally_compatible():
    traj = run(SGD(lr=0.1), bowl([1.0]), [1.0], 2)
    fields = [
        "params",
        "losses",
        "status",
        "nit",
        "x",
        "fun",
        "success",
        "message",
        "grad_norms",
        "record_every",
        "step_index",
    ]
    assert [f.name for f in dataclasses.fields(traj)] == fields
    old = gdcore.Trajectory(*(getattr(traj, f) for f in fields[:9]))
    assert old.record_every == 1 and old.step_index.tolist() == [0, 1, 2]


@pytest.mark.parametrize("every", [1, 4])
def test_objective_reusing_its_output_buffers_is_recorded_right(every):
    fbuf, gbuf = np.empty(()), np.empty(1)

    def vg(x):
        np.multiply(x[0], x[0], out=fbuf)
        np.multiply(x, 2.0, out=gbuf)
        return fbuf, gbuf

    f = gdcore.Objective(lambda x: vg(x)[0], lambda x: vg(x)[1], value_and_grad=vg, dim=1)
    traj = run(SGD(lr=0.1), f, [1.0], 40, record_every=every)
    k = traj.step_index
    np.testing.assert_allclose(traj.losses, 0.64**k, rtol=1e-14)
    np.testing.assert_allclose(traj.grad_norms, 2.0 * 0.8**k, rtol=1e-14)
