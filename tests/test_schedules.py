"""Learning-rate schedules: closed forms, torch.optim.lr_scheduler, use as lr, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore
from gdcore import schedules


def test_constant():
    s = schedules.constant(0.3)
    assert s(0) == 0.3 and s(1000) == 0.3
    np.testing.assert_array_equal(s.values(4), [0.3] * 4)
    np.testing.assert_array_equal(s(np.arange(3)), [0.3] * 3)
    assert repr(s) == "constant(lr=0.3)"


def test_step_decay_closed_form():
    s = schedules.step_decay(1.0, step_size=3, gamma=0.5)
    np.testing.assert_array_equal(s.values(8), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
    assert s(3) == 0.5
    assert "step_size=3" in repr(s)


def test_exponential_decay_closed_form():
    s = schedules.exponential_decay(0.2, gamma=0.9)
    np.testing.assert_allclose(s.values(5), 0.2 * 0.9 ** np.arange(5), rtol=1e-15)
    assert s(0) == 0.2
    # halves every ln 2 / ln(1/gamma) steps
    t = np.log(2) / np.log(1 / 0.9)
    assert s(t) == pytest.approx(0.1, rel=1e-12)


def test_inverse_time_decay_closed_form():
    s = schedules.inverse_time_decay(1.0, decay_rate=0.5, decay_steps=2)
    np.testing.assert_allclose(s.values(5), [1, 1 / 1.25, 1 / 1.5, 1 / 1.75, 1 / 2.0], rtol=1e-15)


def test_array_lr_schedules_broadcast():
    lrs = np.array([[0.1], [0.2]])
    s = schedules.exponential_decay(lrs, gamma=0.5)
    v = s.values(3)
    assert v.shape == (3, 2, 1)
    np.testing.assert_allclose(v[:, 1, 0], [0.2, 0.1, 0.05])
    assert repr(s) == "exponential_decay"


def _torch_lrs(make_scheduler, n):
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.5)
    sched = make_scheduler(torch, opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


def test_step_decay_matches_steplr():
    ref = _torch_lrs(lambda t, o: t.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.3), 20)
    np.testing.assert_allclose(schedules.step_decay(0.5, 4, 0.3).values(20), ref, rtol=1e-13)


def test_exponential_decay_matches_exponentiallr():
    ref = _torch_lrs(lambda t, o: t.optim.lr_scheduler.ExponentialLR(o, gamma=0.93), 50)
    np.testing.assert_allclose(schedules.exponential_decay(0.5, 0.93).values(50), ref, rtol=1e-12)


def test_schedule_as_lr_in_run_is_the_rate_of_each_step():
    # on f(x) = x^2 / 2 a step multiplies x by (1 - lr_t)
    f = gdcore.Objective(lambda x: 0.5 * np.sum(x * x, -1), lambda x: x, dim=1)
    s = schedules.step_decay(0.5, step_size=2, gamma=0.5)
    traj = gdcore.run(gdcore.SGD(lr=s), f, [1.0], 5)
    expected = np.cumprod([1.0, *(1 - s.values(5))])
    np.testing.assert_allclose(traj.params[:, 0], expected, rtol=1e-15)


def test_array_lr_schedule_sets_the_batch_in_run():
    f = gdcore.Objective(lambda x: 0.5 * np.sum(x * x, -1), lambda x: x, dim=1)
    s = schedules.exponential_decay(np.array([[0.1], [0.5]]), gamma=0.9)
    traj = gdcore.run(gdcore.SGD(lr=s), f, [1.0], 4)
    assert traj.params.shape == (5, 2, 1)
    for i, lr in enumerate([0.1, 0.5]):
        single = gdcore.run(gdcore.SGD(lr=schedules.exponential_decay(lr, 0.9)), f, [1.0], 4)
        np.testing.assert_allclose(traj.params[:, i], single.params, rtol=1e-15)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: schedules.constant(0.0), ValueError, "lr"),
        (lambda: schedules.constant(-1.0), ValueError, "lr"),
        (lambda: schedules.constant(float("nan")), ValueError, "lr"),
        (lambda: schedules.constant("0.1"), TypeError, "lr"),
        (lambda: schedules.step_decay(0.1, 0), ValueError, "step_size"),
        (lambda: schedules.step_decay(0.1, 2.5), TypeError, "step_size"),
        (lambda: schedules.step_decay(0.1, 2, gamma=0.0), ValueError, "gamma"),
        (lambda: schedules.step_decay(0.1, 2, gamma=1.5), ValueError, "gamma"),
        (lambda: schedules.exponential_decay(0.1, gamma=-0.1), ValueError, "gamma"),
        (lambda: schedules.exponential_decay(0.1, gamma=float("inf")), ValueError, "gamma"),
        (lambda: schedules.inverse_time_decay(0.1, decay_rate=-1.0), ValueError, "decay_rate"),
        (lambda: schedules.inverse_time_decay(0.1, 1.0, decay_steps=0), ValueError, "decay_steps"),
        (lambda: schedules.constant(0.1).values(0), ValueError, "n"),
        (lambda: schedules.constant(0.1).values(2.0), TypeError, "n"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_rate_at_is_the_checked_contract_of_a_schedule():
    from gdcore.schedules import rate_at

    assert rate_at(schedules.exponential_decay(0.1, 0.5), 2) == pytest.approx(0.025)
    assert rate_at(lambda t: 0, 5) == 0
    np.testing.assert_array_equal(rate_at(lambda t: [0.1, 0.2], 0), [0.1, 0.2])
    for bad in (-0.1, float("nan"), float("inf"), np.array([0.1, -0.1])):
        with pytest.raises(ValueError, match=r"lr is a schedule .*t=7.*finite and >= 0"):
            rate_at(lambda t, bad=bad: bad, 7)
    with pytest.raises(TypeError, match=r"lr is a schedule .*str.*t=0"):
        rate_at(lambda t: "fast", 0)


# -- cosine decay and warm-up, against torch.optim.lr_scheduler ---------------------------------
def _torch_rates(make_scheduler, lr, steps):
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(torch.optim.lr_scheduler, opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


@pytest.mark.parametrize(("total", "eta_min"), [(10, 0.0), (25, 0.01), (1, 0.0)])
def test_cosine_decay_matches_cosine_annealing_lr(total, eta_min):
    ref = _torch_rates(
        lambda S, o: S.CosineAnnealingLR(o, T_max=total, eta_min=eta_min), 0.1, total + 1
    )
    np.testing.assert_allclose(
        schedules.cosine_decay(0.1, total, eta_min).values(total + 1), ref, rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize(
    ("warmup", "total", "start", "eta_min"),
    [(5, 20, 0.1, 0.0), (1, 8, 0.5, 0.001), (10, 40, 0.01, 0.0)],
)
def test_warmup_cosine_matches_sequential_linear_then_cosine(warmup, total, start, eta_min):
    def make(S, o):
        return S.SequentialLR(
            o,
            [
                S.LinearLR(o, start_factor=start, end_factor=1.0, total_iters=warmup),
                S.CosineAnnealingLR(o, T_max=total - warmup, eta_min=eta_min),
            ],
            milestones=[warmup],
        )

    ref = _torch_rates(make, 0.1, total + 1)
    ours = schedules.warmup_cosine(0.1, warmup, total, start_factor=start, eta_min=eta_min)
    np.testing.assert_allclose(ours.values(total + 1), ref, rtol=1e-12, atol=1e-15)


def test_warmup_cosine_closed_form_points():
    s = schedules.warmup_cosine(1.0, warmup_steps=4, total_steps=12)
    assert s(0) == 0.0 and s(2) == 0.5 and s(4) == 1.0
    assert s(8) == pytest.approx(0.5) and s(12) == 0.0 and s(100) == 0.0
    assert np.all(np.diff(s.values(5)) > 0) and np.all(np.diff(s.values(13)[4:]) < 0)


def test_warmup_cosine_runs_a_batch_of_peak_rates():
    peaks = np.array([[0.01], [0.1]])
    s = schedules.warmup_cosine(peaks, warmup_steps=2, total_steps=5)
    assert s.values(6).shape == (6, 2, 1)
    np.testing.assert_allclose(s.values(6)[:, 1, 0], 10 * s.values(6)[:, 0, 0])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: schedules.cosine_decay(0.1, total_steps=0), "total_steps"),
        (lambda: schedules.cosine_decay(0.1, total_steps=5, eta_min=0.2), "eta_min"),
        (lambda: schedules.warmup_cosine(0.1, warmup_steps=5, total_steps=5), "total_steps"),
        (lambda: schedules.warmup_cosine(0.1, 2, 5, start_factor=1.5), "start_factor"),
        (lambda: schedules.warmup_cosine(0.1, -1, 5), "warmup_steps"),
    ],
)
def test_bad_schedule_arguments_are_named(call, words):
    with pytest.raises(ValueError, match=words):
        call()
