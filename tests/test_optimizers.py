"""Named optimizers: agreement with torch.optim, hand-worked first steps, purity, batching."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gdcore
from gdcore.optimizers import OPTIMIZERS, SGD, Adagrad, Adam, AdamW, RMSprop

# -- objectives written inline (numpy value and gradient) --------------------------------------
A = np.array([[3.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 0.2]])
C = np.array([1.0, -2.0, 0.5])


def quad_grad(x):
    return (x - C) @ A


def rosen_grad(x):
    a, b = 1.0, 100.0
    g = np.empty_like(x)
    g[..., 0] = -2 * (a - x[..., 0]) - 4 * b * x[..., 0] * (x[..., 1] - x[..., 0] ** 2)
    g[..., 1] = 2 * b * (x[..., 1] - x[..., 0] ** 2)
    return g


OBJECTIVES = {
    # name: (gradient, start, learning-rate scale)
    "quadratic": (quad_grad, np.array([2.0, 1.0, -1.5]), 1.0),
    "rosenbrock": (rosen_grad, np.array([-1.2, 1.0]), 0.02),
}
STEPS = 60


def gd_trajectory(opt, grad, x0, steps=STEPS):
    x = np.array(x0, dtype=float)
    state = opt.init(x)
    out = [x]
    for _ in range(steps):
        x, state = opt.step(x, grad(x), state)
        out.append(x)
    return np.array(out)


def torch_trajectory(name, kwargs, grad, x0, steps=STEPS, scheduler=None):
    torch = pytest.importorskip("torch")
    p = torch.tensor(np.array(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([p], **kwargs)
    sched = scheduler(opt) if scheduler is not None else None
    out = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        opt.step()
        if sched is not None:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def assert_close(ours, ref, rtol=1e-12):
    scale = max(1.0, float(np.max(np.abs(ref))))
    np.testing.assert_allclose(ours, ref, rtol=rtol, atol=rtol * scale)


def _grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, vals, strict=True)) for vals in itertools.product(*axes.values())]


SGD_CASES = [
    c
    for c in _grid(
        momentum=[0.0, 0.5, 0.9],
        dampening=[0.0, 0.3],
        nesterov=[False, True],
        weight_decay=[0.0, 0.1],
    )
    if not (c["nesterov"] and (c["momentum"] == 0 or c["dampening"] != 0))
]
ADAGRAD_CASES = [
    *_grid(lr_decay=[0.0, 0.05], initial_accumulator_value=[0.0, 0.5], weight_decay=[0.0, 0.1]),
    {"lr_decay": 0.05, "initial_accumulator_value": 0.0, "weight_decay": 0.1, "eps": 1e-3},
]
RMSPROP_CASES = _grid(
    alpha=[0.99, 0.8], centered=[False, True], momentum=[0.0, 0.9], weight_decay=[0.0, 0.1]
)
ADAM_CASES = [
    *_grid(
        betas=[(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)],
        amsgrad=[False, True],
        weight_decay=[0.0, 0.1],
    ),
    {"betas": (0.8, 0.95), "amsgrad": True, "weight_decay": 0.1, "eps": 1e-2},
]


def _ids(cases):
    return ["-".join(f"{k}={v}" for k, v in c.items()) for c in cases]


@pytest.mark.parametrize("obj", list(OBJECTIVES))
@pytest.mark.parametrize("kw", SGD_CASES, ids=_ids(SGD_CASES))
def test_sgd_matches_torch(obj, kw):
    grad, x0, scale = OBJECTIVES[obj]
    lr = 0.05 * scale if kw["momentum"] == 0 else 0.02 * scale
    ours = gd_trajectory(SGD(lr=lr, **kw), grad, x0)
    assert_close(ours, torch_trajectory("SGD", {"lr": lr, **kw}, grad, x0))


@pytest.mark.parametrize("obj", list(OBJECTIVES))
@pytest.mark.parametrize("kw", ADAGRAD_CASES, ids=_ids(ADAGRAD_CASES))
def test_adagrad_matches_torch(obj, kw):
    grad, x0, _ = OBJECTIVES[obj]
    ours = gd_trajectory(Adagrad(lr=0.2, **kw), grad, x0)
    assert_close(ours, torch_trajectory("Adagrad", {"lr": 0.2, **kw}, grad, x0))


@pytest.mark.parametrize("obj", list(OBJECTIVES))
@pytest.mark.parametrize("kw", RMSPROP_CASES, ids=_ids(RMSPROP_CASES))
def test_rmsprop_matches_torch(obj, kw):
    grad, x0, _ = OBJECTIVES[obj]
    lr = 0.01 if kw["momentum"] == 0 else 0.002
    ours = gd_trajectory(RMSprop(lr=lr, **kw), grad, x0)
    assert_close(ours, torch_trajectory("RMSprop", {"lr": lr, **kw}, grad, x0))


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("obj", list(OBJECTIVES))
@pytest.mark.parametrize("kw", ADAM_CASES, ids=_ids(ADAM_CASES))
def test_adam_adamw_match_torch(cls, obj, kw):
    grad, x0, _ = OBJECTIVES[obj]
    ours = gd_trajectory(cls(lr=0.02, **kw), grad, x0)
    assert_close(ours, torch_trajectory(cls.__name__, {"lr": 0.02, **kw}, grad, x0))


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_defaults_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = getattr(gdcore, name)
    p = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, name)([p]).defaults
    for key, value in ours.defaults.items():
        assert theirs[key] == value, key
    # and the constructor's defaults are the documented ones
    assert ours().hyperparams == ours.defaults
    # the default trajectories agree as well
    grad, x0, _ = OBJECTIVES["quadratic"]
    assert_close(gd_trajectory(ours(), grad, x0), torch_trajectory(name, {}, grad, x0))


def test_registry():
    assert OPTIMIZERS == {
        "sgd": SGD,
        "adagrad": Adagrad,
        "rmsprop": RMSprop,
        "adam": Adam,
        "adamw": AdamW,
        "preconditioned": gdcore.optimizers.Preconditioned,
        "newton": gdcore.optimizers.Newton,
    }


# -- schedules as lr, against torch.optim.lr_scheduler ----------------------------------------
def test_step_decay_schedule_matches_steplr():
    torch = pytest.importorskip("torch")
    grad, x0, _ = OBJECTIVES["quadratic"]
    opt = SGD(lr=gdcore.schedules.step_decay(0.1, step_size=7, gamma=0.5), momentum=0.9)
    ref = torch_trajectory(
        "SGD",
        {"lr": 0.1, "momentum": 0.9},
        grad,
        x0,
        scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
    )
    assert_close(gd_trajectory(opt, grad, x0), ref)


@pytest.mark.parametrize("cls", [Adam, AdamW, Adagrad, RMSprop])
def test_exponential_schedule_matches_exponentiallr(cls):
    torch = pytest.importorskip("torch")
    grad, x0, _ = OBJECTIVES["rosenbrock"]
    kw = {"lr_decay": 0.1} if cls is Adagrad else {}
    opt = cls(lr=gdcore.schedules.exponential_decay(0.05, gamma=0.95), **kw)
    ref = torch_trajectory(
        cls.__name__,
        {"lr": 0.05, **kw},
        grad,
        x0,
        scheduler=lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.95),
    )
    assert_close(gd_trajectory(opt, grad, x0), ref)


# -- first steps by hand ---------------------------------------------------------------------------
def test_sgd_first_steps_by_hand():
    opt = SGD(lr=0.1)
    x, _ = opt.step(np.array([1.0, -2.0]), np.array([4.0, 0.5]), opt.init(np.zeros(2)))
    np.testing.assert_array_equal(x, [1.0 - 0.4, -2.0 - 0.05])


def test_sgd_momentum_buffer_starts_at_first_gradient():
    opt = SGD(lr=0.1, momentum=0.9, dampening=0.5)
    p0 = np.array([1.0])
    s = opt.init(p0)
    p1, s = opt.step(p0, np.array([2.0]), s)
    # b1 = g1 = 2 (no dampening on the first step), p1 = 1 - 0.1 * 2
    assert p1[0] == pytest.approx(0.8, abs=1e-15)
    p2, s = opt.step(p1, np.array([1.0]), s)
    # b2 = 0.9 * 2 + (1 - 0.5) * 1 = 2.3, p2 = 0.8 - 0.23
    assert p2[0] == pytest.approx(0.57, abs=1e-15)


def test_sgd_nesterov_first_steps_by_hand():
    opt = SGD(lr=0.1, momentum=0.5, nesterov=True)
    s = opt.init(np.zeros(1))
    p1, s = opt.step(np.array([0.0]), np.array([2.0]), s)
    # b1 = 2, update g + mu b = 2 + 1 = 3
    assert p1[0] == pytest.approx(-0.3, abs=1e-15)
    p2, s = opt.step(p1, np.array([1.0]), s)
    # b2 = 0.5 * 2 + 1 = 2, update 1 + 0.5 * 2 = 2
    assert p2[0] == pytest.approx(-0.5, abs=1e-15)


def test_sgd_weight_decay_by_hand():
    opt = SGD(lr=0.5, weight_decay=0.1)
    p1, _ = opt.step(np.array([2.0]), np.array([1.0]), opt.init(np.zeros(1)))
    # g = 1 + 0.1 * 2 = 1.2
    assert p1[0] == pytest.approx(2.0 - 0.6, abs=1e-15)


def test_adam_first_step_is_lr_times_sign():
    opt = Adam(lr=0.01)
    g = np.array([3.0, -1e-3, 250.0, 0.0])
    p1, _ = opt.step(np.zeros(4), g, opt.init(np.zeros(4)))
    # m1/(1-b1) = g, sqrt(v1/(1-b2)) = |g|: the first step is -lr * g / (|g| + eps)
    np.testing.assert_allclose(p1, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    np.testing.assert_allclose(p1[:3], [-0.01, 0.01, -0.01], rtol=1e-5)
    assert p1[3] == 0.0


def test_adam_second_step_by_hand():
    b1, b2, lr, eps = 0.9, 0.999, 0.1, 1e-8
    opt = Adam(lr=lr, betas=(b1, b2), eps=eps)
    s = opt.init(np.zeros(1))
    p1, s = opt.step(np.zeros(1), np.array([1.0]), s)
    p2, s = opt.step(p1, np.array([-1.0]), s)
    m2 = (1 - b1) * (b1 * 1 - 1)  # 0.9 * 0.1 + 0.1 * (-1) = -0.01
    v2 = (1 - b2) * (b2 + 1)  # 0.001999
    expected = p1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    np.testing.assert_allclose(p2, expected, rtol=1e-14)
    assert s[0].count == 2 and s[0].exp_avg[0] == pytest.approx(-0.01, abs=1e-16)


def test_amsgrad_uses_running_max():
    opt = Adam(lr=0.1, betas=(0.0, 0.5), amsgrad=True)
    s = opt.init(np.zeros(1))
    p1, s = opt.step(np.zeros(1), np.array([4.0]), s)
    p2, s = opt.step(p1, np.array([1.0]), s)
    # v1 = 8, v2 = 0.5 * 8 + 0.5 * 1 = 4.5 < max = 8; bias corrections 0.5 and 0.75
    assert s[0].max_exp_avg_sq[0] == 8.0
    np.testing.assert_allclose(p2 - p1, -0.1 * 1.0 / (np.sqrt(8.0 / 0.75) + 1e-8), rtol=1e-14)


def test_adamw_decays_weights_not_gradient():
    opt = AdamW(lr=0.1, weight_decay=0.5)
    p1, _ = opt.step(np.array([2.0]), np.array([1.0]), opt.init(np.zeros(1)))
    # p (1 - lr wd) - lr sign(g) = 2 * 0.95 - 0.1
    assert p1[0] == pytest.approx(1.8, abs=1e-9)
    adam = Adam(lr=0.1, weight_decay=0.5)
    q1, _ = adam.step(np.array([2.0]), np.array([1.0]), adam.init(np.zeros(1)))
    # L2 penalty inside Adam is normalised away on the first step: -lr sign(g + wd p)
    assert q1[0] == pytest.approx(1.9, abs=1e-9)


def test_adagrad_first_steps_by_hand():
    opt = Adagrad(lr=1.0, lr_decay=0.5, initial_accumulator_value=1.0, eps=0.0)
    s = opt.init(np.zeros(1))
    p1, s = opt.step(np.zeros(1), np.array([np.sqrt(3.0)]), s)
    # s1 = 1 + 3 = 4, step = 1 * sqrt(3) / 2
    assert p1[0] == pytest.approx(-np.sqrt(3.0) / 2, abs=1e-15)
    p2, s = opt.step(p1, np.array([2.0]), s)
    # s2 = 8, lr / (1 + 1 * 0.5) = 2/3, step = 2/3 * 2 / sqrt(8)
    assert p2[0] - p1[0] == pytest.approx(-(2 / 3) * 2 / np.sqrt(8.0), abs=1e-15)


def test_rmsprop_first_step_by_hand():
    opt = RMSprop(lr=0.01, alpha=0.9, eps=0.0)
    p1, _s = opt.step(np.zeros(2), np.array([2.0, -0.5]), opt.init(np.zeros(2)))
    # v1 = 0.1 g^2, step = lr g / (sqrt(0.1) |g|) = lr sign(g) / sqrt(0.1)
    np.testing.assert_allclose(p1, [-0.01 / np.sqrt(0.1), 0.01 / np.sqrt(0.1)], rtol=1e-14)
    centered = RMSprop(lr=0.01, alpha=0.9, eps=0.0, centered=True)
    q1, _ = centered.step(np.zeros(1), np.array([2.0]), centered.init(np.zeros(1)))
    # v = 0.4, gbar = 0.2, v - gbar^2 = 0.36: step 0.01 * 2 / 0.6
    assert q1[0] == pytest.approx(-0.01 * 2 / 0.6, abs=1e-15)


# -- purity ------------------------------------------------------------------------------------
def _all_optimizers():
    return [
        SGD(lr=0.1),
        SGD(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.1),
        SGD(lr=0.1, momentum=0.9, nesterov=True),
        Adagrad(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.1, weight_decay=0.1),
        RMSprop(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
        RMSprop(lr=0.01),
        Adam(lr=0.01, amsgrad=True, weight_decay=0.1),
        AdamW(lr=0.01, amsgrad=True),
        Adam(lr=gdcore.schedules.exponential_decay(0.1, 0.9)),
    ]


def _arrays_equal(a, b):
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_arrays_equal(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is b
    return np.array_equal(a, b)


def _copy(state):
    if isinstance(state, tuple):
        return (
            type(state)(*map(_copy, state))
            if hasattr(state, "_fields")
            else tuple(map(_copy, state))
        )
    return state.copy() if isinstance(state, np.ndarray) else state


finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(
    p=arrays(np.float64, st.integers(1, 4), elements=finite),
    data=st.data(),
)
def test_init_and_step_never_mutate_inputs(p, data):
    grads = [data.draw(arrays(np.float64, p.shape, elements=finite)) for _ in range(3)]
    for opt in _all_optimizers():
        p_copy = p.copy()
        state = opt.init(p)
        assert np.array_equal(p, p_copy)
        x = p
        for g in grads:
            g_copy, x_copy, s_copy = g.copy(), x.copy(), _copy(state)
            x_new, new_state = opt.step(x, g, state)
            assert np.array_equal(g, g_copy) and np.array_equal(x, x_copy)
            assert _arrays_equal(state, s_copy), f"{opt!r} mutated its state"
            # replaying the same step from the same state gives the same result
            x_again, _ = opt.step(x, g, state)
            assert np.array_equal(x_new, x_again)
            x, state = x_new, new_state


def test_states_are_namedtuples_that_can_be_kept():
    opt = Adam(lr=0.1)
    s0 = opt.init(np.zeros(2))
    _x1, s1 = opt.step(np.zeros(2), np.ones(2), s0)
    adam0, adam1 = s0[0], s1[0]
    assert adam0.count == 0 and adam1.count == 1
    assert np.array_equal(adam0.exp_avg, [0.0, 0.0])
    assert adam1._fields == ("count", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")


# -- batched hyperparameters --------------------------------------------------------------------
def _batched_equals_loop(make, values, grad, x0, steps=40, rtol=1e-13):
    arr = np.asarray(values, dtype=float)
    batched = gd_trajectory(
        make(arr[:, None]), grad, np.broadcast_to(x0, (len(arr), len(x0))), steps
    )
    for i, v in enumerate(values):
        single = gd_trajectory(make(float(v)), grad, x0, steps)
        np.testing.assert_allclose(batched[:, i], single, rtol=rtol, atol=1e-300)


@pytest.mark.parametrize(
    "make",
    [
        lambda v: SGD(lr=v),
        lambda v: Adam(lr=v),
        lambda v: RMSprop(lr=v, momentum=0.5),
        lambda v: Adagrad(lr=v, lr_decay=0.1),
        lambda v: AdamW(lr=v, weight_decay=0.3),
    ],
)
def test_batched_lr_equals_loop(make):
    grad, x0, _ = OBJECTIVES["quadratic"]
    _batched_equals_loop(make, [0.001, 0.01, 0.1, 0.3], grad, x0)


@pytest.mark.parametrize(
    "make, values",
    [
        (lambda v: SGD(lr=1e-3, momentum=v), [0.0, 0.5, 0.9, 0.99]),
        (lambda v: SGD(lr=1e-3, momentum=v, dampening=0.5), [0.0, 0.5, 0.9]),
        (lambda v: SGD(lr=1e-3, momentum=0.9, dampening=v), [0.0, 0.5, 1.0]),
        (lambda v: SGD(lr=1e-3, weight_decay=v), [0.0, 0.1, 1.0]),
        (lambda v: Adam(lr=0.05, betas=(v, 0.999)), [0.0, 0.5, 0.9, 0.99]),
        (lambda v: Adam(lr=0.05, betas=(0.9, v)), [0.0, 0.5, 0.9, 0.999]),
        (lambda v: Adam(lr=0.05, eps=v, amsgrad=True), [1e-8, 1e-3, 1.0]),
        (lambda v: RMSprop(lr=1e-3, alpha=v, centered=True), [0.5, 0.9, 0.99]),
        (lambda v: RMSprop(lr=0.01, momentum=v), [0.0, 0.5, 0.9]),
        (lambda v: Adagrad(lr=0.1, initial_accumulator_value=v), [0.0, 0.1, 1.0]),
    ],
)
def test_batched_hyperparameters_equal_loop(make, values):
    grad, x0, _ = OBJECTIVES["rosenbrock"]
    _batched_equals_loop(make, values, grad, x0)


def test_array_momentum_zero_means_plain_sgd_even_with_dampening():
    grad, x0, _ = OBJECTIVES["quadratic"]
    mixed = SGD(lr=0.05, momentum=np.array([[0.0], [0.9]]), dampening=0.5)
    traj = gd_trajectory(mixed, grad, np.broadcast_to(x0, (2, 3)), 20)
    np.testing.assert_allclose(traj[:, 0], gd_trajectory(SGD(lr=0.05), grad, x0, 20), rtol=1e-15)


def test_hyperparameter_batch_broadcasts_single_start():
    grad, x0, _ = OBJECTIVES["quadratic"]
    opt = SGD(lr=np.array([[0.01], [0.1]]))
    x1, _ = opt.step(x0, grad(x0), opt.init(x0))
    assert x1.shape == (2, 3)
    np.testing.assert_allclose(x1[1], x0 - 0.1 * grad(x0), rtol=1e-15)


def test_per_coordinate_lr():
    opt = SGD(lr=np.array([0.1, 0.01]))
    x1, _ = opt.step(np.zeros(2), np.ones(2), opt.init(np.zeros(2)))
    np.testing.assert_allclose(x1, [-0.1, -0.01], rtol=1e-15)


def test_repr_and_hyperparams():
    assert repr(SGD(lr=0.1, momentum=0.9)) == (
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False)"
    )
    assert "lr=array(shape=(3, 1))" in repr(Adam(lr=np.ones((3, 1))))
    assert Adam(betas=(0.8, 0.9)).hyperparams["betas"] == (0.8, 0.9)
    assert AdamW().hyperparams["weight_decay"] == 0.01


# -- the optax shape: AdamW is Adam's transforms in another order; defaults stated once ----------
def _steps(tx, grads, p):
    state = tx.init(p)
    out = []
    for g in grads:
        u, state = tx.update(g, state, p)
        p = p + u
        out.append(p)
    return np.array(out)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_and_adamw_are_the_same_transforms_in_another_order(amsgrad):
    from gdcore.optimizers import add_decayed_weights, chain, scale_by_adam, scale_by_learning_rate

    rng = np.random.default_rng(4)
    grads = rng.standard_normal((20, 3))
    p0 = rng.standard_normal(3)
    lr, wd = 0.05, 0.3
    adam = Adam(lr=lr, weight_decay=wd, amsgrad=amsgrad)
    adamw = AdamW(lr=lr, weight_decay=wd, amsgrad=amsgrad)
    parts = (add_decayed_weights(wd), scale_by_adam(amsgrad=amsgrad), scale_by_learning_rate(lr))
    l2 = chain(parts[0], parts[1], parts[2])
    decoupled = chain(parts[1], parts[0], parts[2])
    np.testing.assert_array_equal(_steps(adam.transform, grads, p0), _steps(l2, grads, p0))
    np.testing.assert_array_equal(_steps(adamw.transform, grads, p0), _steps(decoupled, grads, p0))
    assert not hasattr(AdamW, "_decoupled")
    # the state holds one entry per transform: (adam, decay, learning rate)
    state = adamw.init(p0)
    assert len(state) == 3 and state[0].count == 0


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW])
def test_defaults_are_stated_once(cls):
    import inspect

    sig = inspect.signature(cls.__init__)
    assert {k: p.default for k, p in sig.parameters.items() if k != "self"} == dict(cls.defaults)
    assert cls().hyperparams == dict(cls.defaults)
    with pytest.raises(TypeError):
        cls.defaults["lr"] = 1.0  # read-only: nothing can drift from the signature


def test_update_is_public_and_step_adds_it():
    opt = Adam(lr=0.1)
    p = np.array([1.0, -2.0])
    g = np.array([0.5, 0.5])
    u, s1 = opt.update(g, opt.init(p), p)
    x, s2 = opt.step(p, g, opt.init(p))
    np.testing.assert_array_equal(x, p + u)
    assert s1.__class__ is s2.__class__
    with pytest.raises(TypeError, match="transform"):
        gdcore.Optimizer("sgd", {})


@pytest.mark.parametrize("cls", [SGD, Adagrad, RMSprop, Adam, AdamW])
@pytest.mark.parametrize("bad", [-1e-3, float("nan"), float("inf")])
def test_schedule_values_are_checked_by_every_optimizer(cls, bad):
    opt = cls(lr=lambda t: 0.01 if t == 0 else bad)
    p = np.array([1.0, 2.0])
    g = np.ones(2)
    x, state = opt.step(p, g, opt.init(p))
    with pytest.raises(ValueError, match=r"lr is a schedule .* at step t=1"):
        opt.step(x, g, state)
