"""gdcore.plotting: each function draws what it says, on the axes it is given, in the domain."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D

import gdcore
from gdcore import plotting

CURV = np.array([1.0, 10.0])


def quadratic(domain=((-3.0, 3.0), (-2.0, 4.0))) -> gdcore.Objective:
    """0.5 * (x^2 + 10 y^2), minimum at the origin."""
    return gdcore.Objective(
        lambda x: 0.5 * np.sum(CURV * x * x, axis=-1),
        lambda x: CURV * x,
        name="quadratic",
        domain=domain,
        minima=[[0.0, 0.0]],
    )


def rosenbrock() -> gdcore.Objective:
    def value(x):
        return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2

    def grad(x):
        a, b = x[..., 0], x[..., 1]
        return np.stack([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)], axis=-1)

    return gdcore.Objective(
        value, grad, name="rosenbrock", domain=((-2, 2), (-1, 3)), minima=[[1.0, 1.0]]
    )


def parabola() -> gdcore.Objective:
    return gdcore.Objective(
        lambda w: np.sum(w * w, axis=-1),
        lambda w: 2 * w,
        name="parabola",
        domain=((-5.0, 5.0),),
        minima=[[0.0]],
    )


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("gdcore.plotting must never call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


@pytest.fixture
def ax():
    return plt.figure().add_subplot()


# -- contour ------------------------------------------------------------------------------------
def test_contour_spans_the_domain_and_marks_the_minimum(ax):
    f = quadratic()
    cs = plotting.contour(f, ax, levels=12)
    assert isinstance(cs, QuadContourSet)
    assert len(cs.levels) == 12
    assert ax.get_xlim() == (-3.0, 3.0) and ax.get_ylim() == (-2.0, 4.0)
    (star,) = [ln for ln in ax.lines if ln.get_label() == "minimum"]
    assert star.get_xdata().tolist() == [0.0] and star.get_ydata().tolist() == [0.0]
    # the levels lie strictly inside the range of f on the domain (corner value 0.5*(9 + 160))
    assert 0 < cs.levels.min() and cs.levels.max() < 0.5 * (9 + 10 * 16)


def test_contour_evaluates_the_grid_in_one_call(ax):
    calls = []
    base = quadratic()

    def value(x):
        calls.append(np.shape(x))
        return base.value(x)

    f = gdcore.Objective(value, base.grad, domain=base.domain, minima=base.minima)
    plotting.contour(f, ax, resolution=50)
    assert calls == [(50, 50, 2)]


def test_contour_log_levels_auto(ax):
    cs = plotting.contour(rosenbrock(), ax, levels=10)
    lv = np.asarray(cs.levels)
    ratios = np.diff(lv[1:]) / np.diff(lv[:-1])
    assert np.allclose(ratios, ratios[0])  # geometric spacing above the minimum
    assert ratios[0] > 2
    cs_lin = plotting.contour(quadratic(), plt.figure().add_subplot(), levels=10)
    assert np.allclose(np.diff(cs_lin.levels), np.diff(cs_lin.levels)[0])  # linear
    cs_forced = plotting.contour(quadratic(), plt.figure().add_subplot(), levels=10, log=True)
    assert not np.allclose(np.diff(cs_forced.levels), np.diff(cs_forced.levels)[0])


def test_contour_domain_argument_and_errors(ax):
    plotting.contour(quadratic(domain=None), ax, domain=((0, 1), (0, 2)))
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 2.0)
    with pytest.raises(ValueError, match="domain"):
        plotting.contour(quadratic(domain=None))
    with pytest.raises(ValueError, match="2-D"):
        plotting.contour(parabola())
    with pytest.raises(TypeError, match="objective"):
        plotting.contour(lambda x: x)
    with pytest.raises(ValueError, match="resolution"):
        plotting.contour(quadratic(), resolution=1)
    with pytest.raises(TypeError, match="ax"):
        plotting.contour(quadratic(), ax="left")


def test_contour_new_axes_when_none():
    cs = plotting.contour(quadratic())
    assert cs.axes.get_xlim() == (-3.0, 3.0)


# -- surface, curve, gradient field -------------------------------------------------------------
def test_surface_heights():
    f = quadratic()
    surf = plotting.surface(f, resolution=20)
    ax = surf.axes
    assert ax.name == "3d"
    zmin, zmax = ax.get_zlim()
    assert zmin <= 0.0 and zmax >= 0.5 * (9 + 160) * 0.99
    with pytest.raises(ValueError, match="3-D"):
        plotting.surface(f, plt.figure().add_subplot())


def test_curve_is_the_graph_over_the_domain(ax):
    f = parabola()
    line = plotting.curve(f, ax, resolution=101)
    assert isinstance(line, Line2D)
    x, y = line.get_xdata(), line.get_ydata()
    assert x[0] == -5.0 and x[-1] == 5.0 and len(x) == 101
    np.testing.assert_allclose(y, x**2)
    assert ax.get_xlim() == (-5.0, 5.0)
    lo, hi = ax.get_ylim()
    assert lo < 0 < 25 < hi
    with pytest.raises(ValueError, match="1-D"):
        plotting.curve(quadratic())


def test_gradient_field_points_downhill(ax):
    f = quadratic()
    q = plotting.gradient_field(f, ax, density=7)
    X = np.stack([q.X, q.Y], axis=-1)
    g = -f.grad(X)
    n = np.linalg.norm(g, axis=-1)
    ok = n > 0
    assert ok.sum() == 48  # 7 x 7 arrows, the one at the minimum has no direction
    unit = g / np.where(ok, n, 1.0)[..., None]
    np.testing.assert_allclose(np.ravel(q.U)[ok.ravel()], unit[..., 0][ok], atol=1e-12)
    np.testing.assert_allclose(np.ravel(q.V)[ok.ravel()], unit[..., 1][ok], atol=1e-12)
    assert ax.get_xlim() == (-3.0, 3.0)


# -- paths --------------------------------------------------------------------------------------
def test_path_2d_follows_the_trajectory(ax):
    f = quadratic()
    plotting.contour(f, ax)
    t = gdcore.run(gdcore.SGD(lr=0.05), f, [-2.5, 3.0], 15)
    line = plotting.path(t, ax, label="SGD")
    np.testing.assert_array_equal(line.get_xdata(), t.params[:, 0])
    np.testing.assert_array_equal(line.get_ydata(), t.params[:, 1])
    assert line.get_label() == "SGD"
    starts = [ln for ln in ax.lines if ln.get_marker() == "s"]
    assert starts and starts[-1].get_xdata().tolist() == [-2.5]


def test_path_1d_sits_on_the_curve(ax):
    f = parabola()
    t = gdcore.run(gdcore.SGD(lr=0.1), f, [4.0], 10)
    line = plotting.path(t, ax)
    np.testing.assert_array_equal(line.get_xdata(), t.params[:, 0])
    np.testing.assert_allclose(line.get_ydata(), t.params[:, 0] ** 2)
    bare = plotting.path(t.params, plt.figure().add_subplot(), objective=f)
    np.testing.assert_allclose(bare.get_ydata(), t.losses)
    with pytest.raises(ValueError, match="objective"):
        plotting.path(t.params, plt.figure().add_subplot())


def test_path_draws_the_landscape_when_given_the_objective():
    f = quadratic()
    line = plotting.path(gdcore.run(gdcore.SGD(lr=0.05), f, [-2.5, 3.0], 5), objective=f)
    assert line.axes.collections  # the contour set
    assert line.axes.get_xlim() == (-3.0, 3.0)


def test_path_batch_strips_padding(ax):
    f = quadratic()
    lrs = np.array([[0.05], [0.25]])  # the second diverges (2/L = 0.2)
    t = gdcore.run(gdcore.SGD(lr=lrs), f, [-2.5, 3.0], 40)
    lines = plotting.path(t, ax)
    assert len(lines) == 2
    assert len(lines[1].get_xdata()) == t.nit[1] + 1 < 41
    assert np.all(np.isfinite(lines[1].get_xdata()))


def test_path_errors(ax):
    with pytest.raises(ValueError, match="1-D or 2-D"):
        plotting.path(np.zeros((3, 4)), ax)
    with pytest.raises(ValueError, match="shape"):
        plotting.path(np.zeros(3), ax)


# -- loss curves, sweeps, schedules, fits -------------------------------------------------------
def test_loss_curve_draws_a_diverged_run_up_to_the_divergence(ax):
    f = quadratic()
    good = gdcore.run(gdcore.SGD(lr=0.05), f, [-2.5, 3.0], 30)
    bad = gdcore.run(gdcore.SGD(lr=0.25), f, [-2.5, 3.0], 200)
    assert bad.status == "diverged"
    lines = plotting.loss_curve({"lr 0.05": good, "lr 0.25": bad}, ax)
    assert [ln.get_label() for ln in lines] == ["lr 0.05", "lr 0.25"]
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(lines[0].get_ydata(), good.losses)
    y = lines[1].get_ydata()
    assert len(y) == bad.nit + 1 and np.all(np.isfinite(y))
    np.testing.assert_array_equal(lines[1].get_xdata(), np.arange(bad.nit + 1))
    assert ax.get_legend() is not None
    assert lines[0].get_color() != lines[1].get_color()


def test_loss_curve_inputs(ax):
    lines = plotting.loss_curve([np.array([4.0, 2.0, 1.0]), np.array([3.0, np.inf])], ax, log=False)
    assert lines[1].get_ydata().tolist() == [3.0]
    assert ax.get_yscale() == "linear"
    t = gdcore.run(gdcore.SGD(lr=np.array([[0.01], [0.1]])), quadratic(), [1.0, 1.0], 5)
    assert len(plotting.loss_curve(t, plt.figure().add_subplot())) == 2
    with pytest.raises(ValueError, match="labels"):
        plotting.loss_curve(t, plt.figure().add_subplot(), labels=["one"])


def test_lr_sweep_marks_diverged_runs(ax):
    lrs = np.array([0.01, 0.1, 0.3, 1.0])
    values = np.array([1.0, 0.1, np.inf, np.nan])
    line = plotting.lr_sweep(lrs, values, ax)
    assert line.get_xdata().tolist() == [0.01, 0.1]
    assert ax.get_xscale() == "log"
    (x,) = [ln for ln in ax.lines if ln.get_label() == "diverged"]
    assert x.get_xdata().tolist() == [0.3, 1.0]
    with pytest.raises(ValueError, match="same length"):
        plotting.lr_sweep([0.1], [1.0, 2.0])
    with pytest.raises(ValueError, match="lrs"):
        plotting.lr_sweep([0.0, 0.1], [1.0, 2.0])


def test_schedule_values(ax):
    sched = gdcore.schedules.step_decay(0.1, step_size=5, gamma=0.5)
    line = plotting.schedule(sched, 12, ax)
    np.testing.assert_allclose(line.get_ydata(), sched.values(12))
    assert line.get_xdata().tolist() == list(range(12))
    with pytest.raises(ValueError, match="steps"):
        plotting.schedule(sched, 0)
    with pytest.raises(TypeError, match="sched"):
        plotting.schedule(0.1, 10)


def test_fit_line(ax):
    X = np.array([[-1.0], [0.0], [2.0]])
    y = np.array([0.0, 1.0, 3.0])
    line = plotting.fit_line(X, y, [1.5, 0.5], ax)
    assert line.get_xdata().tolist() == [-1.0, 2.0]
    np.testing.assert_allclose(line.get_ydata(), [-1.0, 3.5])
    with pytest.raises(ValueError, match="params"):
        plotting.fit_line(X, y, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="one feature"):
        plotting.fit_line(np.zeros((3, 2)), y, [1.0, 2.0])


def test_style_is_consistent():
    assert len(set(plotting.COLORS)) == len(plotting.COLORS) >= 5
    assert plotting.STYLE["rc"]["axes.prop_cycle"].by_key()["color"] == list(plotting.COLORS)


# -- lr_sweep with a Trajectory, negative losses; batched schedules ----------------------------
def test_lr_sweep_takes_a_trajectory_and_marks_its_diverged_runs(ax):
    f = gdcore.functions.quadratic(curvatures=[1.0, 4.0])
    lrs = np.array([0.01, 0.1, 0.4, 0.6, 10.0])
    sweep = gdcore.run(gdcore.SGD(lr=lrs[:, None]), f, [1.0, 1.0], 30)
    assert sweep.status.tolist()[3:] == ["diverged", "diverged"]
    # the diverged runs' fun is their last finite loss: finite, and small for lr = 10
    assert np.all(np.isfinite(sweep.fun))
    line = plotting.lr_sweep(lrs, sweep, ax)
    assert line.get_xdata().tolist() == [0.01, 0.1, 0.4]
    (x,) = [ln for ln in ax.lines if ln.get_label() == "diverged"]
    assert x.get_xdata().tolist() == [0.6, 10.0] and x.get_marker() == "x"
    assert "diverged" in [t.get_text() for t in ax.legend().get_texts()]
    assert ax.get_ylabel() == "loss after 30 steps"


def test_lr_sweep_labels_runs_that_hit_the_step_cap(ax):
    f = gdcore.functions.quadratic(curvatures=[1.0, 4.0])
    lrs = np.array([0.001, 0.1, 0.4])
    sweep = gdcore.run(gdcore.SGD(lr=lrs[:, None]), f, [1.0, 1.0], 100, tol=1e-6)
    assert sweep.status.tolist() == ["max_steps", "max_steps", "converged"]
    plotting.lr_sweep(lrs, sweep, ax)
    assert ax.get_ylabel() == "final loss (converged, or after 100 steps)"
    (capped,) = [ln for ln in ax.lines if ln.get_label() == "not converged in 100 steps"]
    assert capped.get_xdata().tolist() == [0.001, 0.1] and capped.get_markerfacecolor() == "white"
    ax2 = plt.figure().add_subplot()
    converged = gdcore.run(gdcore.SGD(lr=lrs[1:, None]), f, [1.0, 1.0], 1000, tol=1e-6)
    plotting.lr_sweep(lrs[1:], converged, ax2)
    assert ax2.get_ylabel() == "loss at convergence"


def test_lr_sweep_keeps_negative_losses_on_a_linear_axis(ax):
    line = plotting.lr_sweep([0.01, 0.1, 1.0], [-2.0, -1.0, 0.5], ax)
    assert ax.get_yscale() == "linear"
    assert line.get_ydata().tolist() == [-2.0, -1.0, 0.5]
    ax2 = plt.figure().add_subplot()
    plotting.lr_sweep([0.01, 0.1], [2.0, 1.0], ax2)
    assert ax2.get_yscale() == "log"


@pytest.mark.parametrize(
    "sched",
    [
        gdcore.schedules.exponential_decay(np.array([[0.1], [0.05], [0.01]]), gamma=0.9),
        lambda t: np.array([[0.1], [0.05], [0.01]]) * 0.9**t,
    ],
    ids=["Schedule", "callable"],
)
def test_schedule_draws_a_batched_schedule_one_line_per_rate(ax, sched):
    line = plotting.schedule(sched, 10, ax, label="decay")
    assert len(ax.lines) == 3 and line is ax.lines[0]
    for ln, lr0 in zip(ax.lines, [0.1, 0.05, 0.01], strict=True):
        np.testing.assert_allclose(ln.get_ydata(), lr0 * 0.9 ** np.arange(10), rtol=1e-12)
