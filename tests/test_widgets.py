"""gdcore.widgets.explore: the live explorer reacts to every control and shows exactly gdcore.run;
the static HTML form carries gdcore's runs (decoded, they equal gdcore.run) and works offline."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import base64
import html as htmllib
import io
import json
import re

import explorer_mirror as mirror
import ipywidgets as widgets
import numpy as np
import pytest
import traitlets
from PIL import Image

import gdcore
from gdcore.widgets import Explorer, _explorer, _figure, _schema, _spec, _static, explore

CURV = np.array([1.0, 10.0])  # the quadratic's Hessian is diag(1, 10): L = 10, 2/L = 0.2
X0 = [-2.5, 2.0]
TOL = 1e-6  # explore's default gradient tolerance


def quadratic() -> gdcore.Objective:
    return gdcore.Objective(
        lambda x: 0.5 * np.sum(CURV * x * x, axis=-1),
        lambda x: CURV * x,
        name="quadratic",
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        minima=[[0.0, 0.0]],
    )


def parabola() -> gdcore.Objective:
    return gdcore.Objective(
        lambda w: np.sum(w * w, axis=-1),
        lambda w: 2 * w,
        name="parabola",
        domain=((-5.0, 5.0),),
        minima=[[0.0]],
    )


def sphere(d: int = 5) -> gdcore.Objective:
    scale = np.arange(1.0, d + 1)
    return gdcore.Objective(
        lambda x: 0.5 * np.sum(scale * x * x, axis=-1), lambda x: scale * x, name="sphere", dim=d
    )


def mse(X, y) -> gdcore.Objective:
    """0.5 * mean squared error of the line w x + b, params [w, b]; a loss on data."""
    X = np.asarray(X, dtype=float).reshape(len(y), 1)
    y = np.asarray(y, dtype=float)

    def vg(p):
        r = p[..., :1] @ X.T + p[..., 1:] - y
        g = np.concatenate([r @ X / len(y), r.mean(axis=-1, keepdims=True)], axis=-1)
        return 0.5 * np.mean(r * r, axis=-1), g

    obj = gdcore.Objective(
        lambda p: vg(p)[0],
        lambda p: vg(p)[1],
        value_and_grad=vg,
        name="mse",
        domain=((-1.0, 4.0), (-2.0, 3.0)),
    )
    obj.n_samples = len(y)
    obj.X, obj.y = X, y
    obj.fit_kind = "linear"
    obj.on_batch = lambda rows: mse(X[rows], y[rows])
    return obj


def data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 30)
    return x, 1.5 * x + 0.5 + 0.3 * rng.standard_normal(30)


def picture(ex: Explorer) -> tuple[bytes, ...]:
    """The live widget's picture: the PNG of each panel."""
    return tuple(image.value for image in ex.images.values())


def png_pixels(b: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(b)).convert("RGB"))


def assert_same_run(t: gdcore.Trajectory, ref: gdcore.Trajectory) -> None:
    np.testing.assert_array_equal(t.params, ref.params)
    np.testing.assert_array_equal(t.losses, ref.losses)
    assert (t.status, t.nit, t.message, t.success) == (
        ref.status,
        ref.nit,
        ref.message,
        ref.success,
    )
    np.testing.assert_array_equal(t.x, ref.x)
    assert t.fun == ref.fun


# -- the live form ------------------------------------------------------------------------------
def test_controls_and_initial_state():
    ex = explore(
        quadratic(), x0=X0, lr=0.1, steps=30, max_steps=100, options={"momentum": [0, 0.5, 0.9]}
    )
    assert isinstance(ex, Explorer)
    assert list(ex.controls) == ["learning rate", "steps", "momentum"]
    lr, steps, mom = ex.controls.values()
    assert isinstance(lr, widgets.SelectionSlider) and lr.description == "learning rate"
    assert isinstance(steps, widgets.IntSlider) and (steps.min, steps.max) == (0, 100)
    assert isinstance(mom, widgets.SelectionSlider) and mom.value == 0.0
    assert isinstance(ex.status, widgets.HTML) and list(ex.images) == ["contour", "loss"]
    for image in ex.images.values():
        assert isinstance(image, widgets.Image) and image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert lr.value == 0.1 and steps.value == 30
    assert ex.figure is not None and len(ex.figure.axes) == 2
    assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=0.1), quadratic(), X0, 30, tol=TOL))


def test_lr_slider_positions_are_the_precomputation_grid():
    ex = explore(quadratic(), x0=X0, lr=0.1, lr_range=(1e-3, 1.0))
    s = ex.controls["learning rate"]
    grid = ex.spec.lr_grid
    assert len(grid) == 25
    # the slider's values are the grid's floats exactly, labelled with 3 significant digits
    assert list(s.options) == [(f"{v:.3g}", float(v)) for v in grid]
    assert ex.positions("lr") == [float(v) for v in grid]
    np.testing.assert_allclose(np.diff(np.log10(grid)), 0.125)
    assert grid[0] == 1e-3 and grid[-1] == 1.0 and 0.1 in grid
    # an lr off the lattice through lr_range[0]: the lattice moves to pass through lr exactly,
    # still covering lr_range
    g2, i2 = _spec.lr_lattice(0.3, 1e-3, 1.0, 25)
    assert g2[i2] == 0.3 and g2[0] <= 1e-3 and g2[-1] >= 1.0
    np.testing.assert_allclose(np.diff(np.log10(g2)), 0.125)


def test_lr_slider_extremes_rerun_and_redraw():
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.1, steps=40, max_steps=100)
    s = ex.controls["learning rate"]
    before = picture(ex)
    for lr in (ex.spec.lr_grid[0], ex.spec.lr_grid[-1]):
        s.value = float(lr)
        assert picture(ex) != before
        before = picture(ex)
        assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=float(lr)), f, X0, 40, tol=TOL))
    # lr = 1.0 > 2/L = 0.2: divergence, reported with the step where it happened
    ref = gdcore.run(gdcore.SGD(lr=1.0), f, X0, 100, tol=TOL)
    assert ref.status == "diverged" and ref.nit <= 40
    assert ex.status.value == f"diverged after {ref.nit} steps"
    with pytest.raises(traitlets.TraitError):  # a value between positions is refused
        s.value = 0.25
    assert ex.lr == 1.0
    s.value = 0.1
    ref = gdcore.run(gdcore.SGD(lr=0.1), f, X0, 40, tol=TOL)
    assert ex.status.value == f"after 40 steps: loss {float(np.float32(ref.losses[-1])):.3g}"


def test_status_converged():
    f = parabola()
    ex = explore(f, x0=[4.0], lr=0.1, steps=100, max_steps=100)
    ref = gdcore.run(gdcore.SGD(lr=0.1), f, [4.0], 100, tol=TOL)
    assert ref.status == "converged"
    assert ex.status.value == f"converged after {ref.nit} steps"
    assert_same_run(ex.trajectory, ref)
    assert list(ex.controls) == ["learning rate", "steps"]
    assert [ax.get_xlabel() for ax in ex.figure.axes] == ["$w$", "step"]


def test_step_slider_reveals_a_prefix_without_rerunning(monkeypatch):
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.05, steps=30, max_steps=100)
    calls = []
    original = ex.spec.run
    monkeypatch.setattr(ex.spec, "run", lambda *a, **k: calls.append(1) or original(*a, **k))
    s = ex.controls["steps"]
    images = {picture(ex)}
    for k in (0, 100, 1):
        s.value = k
        images.add(picture(ex))
        assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=0.05), f, X0, k, tol=TOL))
        loss = float(np.float32(ex.trajectory.losses[k]))
        assert ex.status.value == f"after {k} step{'s' if k != 1 else ''}: loss {loss:.3g}"
    assert calls == []
    assert len(images) == 4
    s.value = 0
    assert len(ex.trajectory.params) == 1


@pytest.mark.parametrize(
    ("name", "optimizer", "values", "kwargs"),
    [
        ("momentum", "sgd", [0.0, 0.99], lambda v: {"momentum": v}),
        ("beta1", "adam", [0.0, 0.95], lambda v: {"betas": (v, 0.999)}),
        ("beta2", "adam", [0.9, 0.9999], lambda v: {"betas": (0.9, v)}),
        ("weight_decay", "sgd", [0.0, 0.5], lambda v: {"weight_decay": v}),
    ],
)
def test_optimizer_options_at_both_ends(name, optimizer, values, kwargs):
    f = quadratic()
    ex = explore(
        f, x0=X0, optimizer=optimizer, lr=0.05, steps=60, max_steps=60, options={name: values}
    )
    w = ex.controls[name.replace("_", " ")]
    assert isinstance(w, widgets.SelectionSlider)
    cls = gdcore.optimizers.OPTIMIZERS[optimizer]
    seen = set()
    for v in (values[-1], values[0]):
        w.value = v
        seen.add(picture(ex))
        assert_same_run(ex.trajectory, gdcore.run(cls(lr=0.05, **kwargs(v)), f, X0, 60, tol=TOL))
    assert len(seen) == 2


def test_gamma_option_is_exponential_decay():
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.1, steps=50, max_steps=50, options={"gamma": [1.0, 0.9]})
    ex.controls["gamma"].value = 0.9
    sched = gdcore.schedules.exponential_decay(0.1, 0.9)
    assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=sched), f, X0, 50, tol=TOL))


def test_start_option_and_batch_size():
    x, y = data()
    f = mse(x, y)
    starts = [[-0.5, 2.5], [3.5, -1.5]]
    ex = explore(
        f,
        lr=0.1,
        steps=25,
        max_steps=50,
        options={"batch_size": [1, 5, None], "start": starts},
        panels=["contour", "loss", "fit"],
    )
    assert isinstance(ex.controls["start"], widgets.Dropdown)
    assert isinstance(ex.controls["batch size"], widgets.SelectionSlider)
    assert ex.controls["batch size"].value == 1
    rng = np.random.default_rng
    ref = gdcore.run(gdcore.SGD(lr=0.1), f, starts[0], 25, tol=TOL, batch_size=1, rng=rng(0))
    assert_same_run(ex.trajectory, ref)
    before = picture(ex)
    ex.controls["start"].value = tuple(starts[1])
    ex.controls["batch size"].value = "full"
    assert picture(ex) != before
    assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=0.1), f, starts[1], 25, tol=TOL))
    # the fit panel shows the current line w x + b across the panel
    fit_ax = ex.figure.axes[2]
    line = ex._fig.moving[0]["fit"]["line"]
    w, b = ex.trajectory.params[-1]
    xs = np.asarray(line.get_xdata())
    np.testing.assert_allclose(xs, fit_ax.get_xlim())
    np.testing.assert_allclose(line.get_ydata(), w * xs + b)


def test_optimizer_dropdown_jumps_to_its_learning_rate():
    f = quadratic()
    ex = explore(
        f,
        x0=X0,
        optimizers={"SGD": {"lr": 0.1}, "Adam": {"lr": 0.01, "betas": (0.8, 0.99)}},
        steps=20,
        max_steps=40,
    )
    dd = ex.controls["optimizer"]
    assert isinstance(dd, widgets.Dropdown) and dd.value == "SGD"
    dd.value = "Adam"
    assert ex.controls["learning rate"].value == pytest.approx(0.01)
    ref = gdcore.run(gdcore.Adam(lr=0.01, betas=(0.8, 0.99)), f, X0, 20, tol=TOL)
    assert_same_run(ex.trajectory, ref)
    dd.value = "SGD"
    assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=0.1), f, X0, 20, tol=TOL))


def test_optimizer_option_is_a_dropdown_of_defaults():
    f = quadratic()
    ex = explore(
        f,
        x0=X0,
        optimizer="adam",
        lr=0.05,
        steps=20,
        max_steps=20,
        options={"optimizer": ["sgd", "adam"], "momentum": [0.0, 0.9]},
    )
    assert list(ex.controls) == ["learning rate", "steps", "optimizer", "momentum"]
    assert ex.controls["optimizer"].value == "Adam"
    assert_same_run(ex.trajectory, gdcore.run(gdcore.Adam(lr=0.05), f, X0, 20, tol=TOL))
    ex.controls["optimizer"].value = "SGD"
    ex.controls["momentum"].value = 0.9
    ref = gdcore.run(gdcore.SGD(lr=0.05, momentum=0.9), f, X0, 20, tol=TOL)
    assert_same_run(ex.trajectory, ref)
    with pytest.raises(ValueError, match="optimizer"):
        explore(f, x0=X0, options={"optimizer": ["sgd", "lbfgs"]})


def test_loss_axis_is_logarithmic_only_for_nonnegative_losses():
    saddle = gdcore.Objective(
        lambda x: x[..., 0] ** 2 - x[..., 1] ** 2,
        lambda x: np.stack([2 * x[..., 0], -2 * x[..., 1]], axis=-1),
        name="saddle",
        domain=((-2.0, 2.0), (-2.0, 2.0)),
    )
    ex = explore(saddle, x0=[1.5, 0.01], lr=0.1, max_steps=60)
    loss_ax = ex.figure.axes[1]
    assert loss_ax.get_yscale() == "linear"
    lo, hi = loss_ax.get_ylim()  # no wider than the landscape on its domain (-4..4), padded
    assert -5.0 < lo < -4.0 and 2.25 < hi < 5.0
    assert explore(quadratic(), x0=X0).figure.axes[1].get_yscale() == "log"


def test_compare_mode_scales_each_learning_rate():
    f = quadratic()
    opts = {
        "SGD": {"lr": 0.05},
        "momentum": {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9},
        "Adam": {"lr": 0.1},
    }
    ex = explore(f, x0=X0, optimizers=opts, compare=True, steps=60, max_steps=60)
    assert list(ex.controls) == ["learning rate ×", "steps"]
    s = ex.controls["learning rate ×"]
    assert s.value == 1.0
    five = min(ex.positions("lr"), key=lambda v: abs(np.log(v / 5.0)))
    for m in (float(ex.spec.lr_grid[-1]), five):
        s.value = m
        trajs = ex.trajectory
        assert list(trajs) == ["SGD", "momentum", "Adam"]
        assert_same_run(trajs["SGD"], gdcore.run(gdcore.SGD(lr=0.05 * m), f, X0, 60, tol=TOL))
        assert_same_run(
            trajs["momentum"], gdcore.run(gdcore.SGD(lr=0.05 * m, momentum=0.9), f, X0, 60, tol=TOL)
        )
        assert_same_run(trajs["Adam"], gdcore.run(gdcore.Adam(lr=0.1 * m), f, X0, 60, tol=TOL))
    parts = ex.status.value.split("; ")
    assert [p.split(":")[0] for p in parts] == ["SGD", "momentum", "Adam"]
    nit = gdcore.run(gdcore.SGD(lr=0.05 * five), f, X0, 60, tol=TOL).nit
    assert parts[0] == f"SGD: diverged after {nit} steps"
    legend = ex.figure.axes[1].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["SGD", "momentum", "Adam"]


def test_high_dimensional_objective_shows_the_loss_only():
    f = sphere(5)
    ex = explore(f, x0=np.ones(5), optimizer="adam", lr=0.05, steps=30, max_steps=80)
    assert ex.spec.panels == ["loss"] and len(ex.figure.axes) == 1
    assert_same_run(ex.trajectory, gdcore.run(gdcore.Adam(lr=0.05), f, np.ones(5), 30, tol=TOL))


def test_redraw_changes_only_the_moving_parts():
    ex = explore(quadratic(), x0=X0, lr=0.05, steps=5, max_steps=50)
    a = np.concatenate([png_pixels(p) for p in picture(ex)], axis=1)
    ex.controls["steps"].value = 6
    b = np.concatenate([png_pixels(p) for p in picture(ex)], axis=1)
    changed = np.any(a != b, axis=-1)
    assert 0 < changed.mean() < 0.05  # a few pixels around the new point and loss segment
    assert a.shape == b.shape == (340, 840, 3)  # the panels' images make up the figure
    whole = np.asarray(ex.figure.canvas.buffer_rgba())[..., :3]
    np.testing.assert_array_equal(b, whole)


# -- the live cache: blocks of runs over every learning-rate position ----------------------------
def count_calls(monkeypatch, obj, name):
    calls = []
    original = getattr(obj, name)
    monkeypatch.setattr(obj, name, lambda *a, **k: calls.append(a) or original(*a, **k))
    return calls


def test_learning_rate_changes_are_lookups_in_one_batched_run(monkeypatch):
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.05, steps=40, max_steps=100, options={"momentum": [0.0, 0.9]})
    runs = count_calls(monkeypatch, ex.spec, "run")
    grid = ex.positions("lr")
    lrs = (grid[0], grid[-1], grid[len(grid) // 2], 0.05)
    shown = []
    for lr in lrs:
        ex.controls["learning rate"].value = lr
        shown.append((ex.status.value, ex._runs[0].nit))
    assert runs == []  # the block of the initial settings was run at construction
    for lr, (status, nit) in zip(lrs, shown, strict=True):
        ref = gdcore.run(gdcore.SGD(lr=lr), f, X0, 100, tol=TOL)
        k = min(40, ref.nit)
        assert nit == ref.nit
        assert status == _spec.status_text(
            _schema.STATUS_CODES[ref.status], ref.nit, 40, ref.losses[k]
        )
    ex.set(lr=grid[-1])
    assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=grid[-1]), f, X0, 40, tol=TOL))


def test_a_combination_is_run_once_on_first_use_then_looked_up(monkeypatch):
    monkeypatch.setattr(_explorer, "EAGER_BLOCK_S", float("inf"))
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.05, steps=40, max_steps=100, options={"momentum": [0.0, 0.9]})
    blocks = count_calls(monkeypatch, ex.spec, "run_block")
    ex.controls["momentum"].value = 0.9
    assert len(blocks) == 1
    grid = ex.positions("lr")
    ex.controls["learning rate"].value = grid[3]
    ex.controls["momentum"].value = 0.0
    ex.controls["momentum"].value = 0.9
    assert len(blocks) == 1
    assert_same_run(
        ex.trajectory, gdcore.run(gdcore.SGD(lr=grid[3], momentum=0.9), f, X0, 40, tol=TOL)
    )


def test_slow_explorers_run_a_new_combination_position_by_position(monkeypatch):
    monkeypatch.setattr(_explorer, "EAGER_BLOCK_S", 0.0)
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.05, steps=40, max_steps=100, options={"momentum": [0.0, 0.9]})
    blocks = count_calls(monkeypatch, ex.spec, "run_block")
    runs = count_calls(monkeypatch, ex.spec, "run")
    ex.controls["momentum"].value = 0.9
    grid = ex.positions("lr")
    ex.controls["learning rate"].value = grid[2]
    ex.controls["learning rate"].value = 0.05
    assert blocks == [] and len(runs) == 2  # one run per position, the second one cached
    assert_same_run(
        ex.trajectory, gdcore.run(gdcore.SGD(lr=0.05, momentum=0.9), f, X0, 40, tol=TOL)
    )
    ex.controls["momentum"].value = 0.0  # the initial combination is still a lookup
    ex.controls["learning rate"].value = grid[2]
    assert blocks == [] and len(runs) == 2
    assert ex._runs[0].nit == gdcore.run(gdcore.SGD(lr=grid[2]), f, X0, 100, tol=TOL).nit


def test_the_cache_of_blocks_is_bounded(monkeypatch):
    monkeypatch.setattr(_explorer, "EAGER_BLOCK_S", float("inf"))
    f = quadratic()
    moms = [0.0, 0.3, 0.6, 0.9]
    ex = explore(f, x0=X0, lr=0.05, steps=40, max_steps=100, options={"momentum": moms})
    one = next(iter(ex._blocks.values())).nbytes
    monkeypatch.setattr(_explorer, "CACHE_BYTES", 2 * one)
    blocks = count_calls(monkeypatch, ex.spec, "run_block")
    for m in moms[1:]:
        ex.controls["momentum"].value = m
        assert len(ex._blocks) <= 2
    assert len(blocks) == 3
    ex.controls["momentum"].value = 0.0  # evicted: run again, and the picture is right
    assert len(blocks) == 4 and len(ex._blocks) == 2
    ref = gdcore.run(gdcore.SGD(lr=0.05), f, X0, 100, tol=TOL)
    assert ex._runs[0].nit == ref.nit
    np.testing.assert_allclose(ex._runs[0].params, ref.params, rtol=1e-12, atol=1e-300)


def test_only_changed_panels_are_encoded_and_sent(monkeypatch):
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.1, steps=30, max_steps=300)
    nit = ex._runs[0].nit
    assert nit < 200  # the run converges early
    encoded = count_calls(monkeypatch, _figure, "png_from_rows")
    sent = []
    for im in ex.images.values():
        im.observe(lambda ch: sent.append(ch["owner"]), names="value")
    ex.controls["steps"].value = nit + 10
    assert len(encoded) == len(sent) == 2  # both panels show more steps
    ex.controls["steps"].value = nit + 20  # the run stopped at nit: nothing changes
    assert len(encoded) == len(sent) == 2
    ex.controls["steps"].value = 5
    assert len(encoded) == len(sent) == 4


# -- bad arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": 2.0}, ValueError, "lr must be in lr_range"),
        ({"lr": 1e-4}, ValueError, "lr must be in lr_range"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"lr_range": (1.0, 0.1)}, ValueError, "lr_range"),
        ({"lr_range": (0, 1.0)}, ValueError, "lr_range"),
        ({"lr_range": 0.5}, TypeError, "lr_range"),
        ({"steps": 101}, ValueError, "steps"),
        ({"steps": -1}, ValueError, "steps"),
        ({"steps": 2.5}, TypeError, "steps"),
        ({"max_steps": 0}, ValueError, "max_steps"),
        ({"optimizer": "lbfgs"}, ValueError, "optimizer"),
        ({"optimizer": 3}, TypeError, "optimizer"),
        ({"options": {"nesterov_momentum": [0.1]}}, ValueError, "options"),
        ({"options": {"momentum": [0.5, 1.5]}}, ValueError, "momentum"),
        ({"options": {"momentum": []}}, TypeError, "momentum"),
        ({"options": {"momentum": "0.9"}}, TypeError, "momentum"),
        ({"options": {"batch_size": [1, 4]}}, ValueError, "batch_size"),
        ({"options": {"beta1": [0.9]}}, ValueError, "beta1"),
        ({"options": {"start": [[0.0, 0.0, 0.0]]}}, ValueError, "start"),
        ({"options": {"gamma": [1.5]}}, ValueError, "gamma"),
        ({"optimizers": {"LBFGS": {"lr": 0.1}}}, ValueError, "optimizers"),
        ({"optimizers": {"Newton": {"lr": 0.1}}}, TypeError, "hessian"),
        ({"optimizers": {"SGD": {"momentun": 0.9}}}, ValueError, "momentun"),
        ({"optimizers": {"SGD": {"lr": 0.1}}, "compare": "yes"}, TypeError, "compare"),
        ({"compare": True}, ValueError, "compare"),
        ({"panels": ["contour", "histogram"]}, ValueError, "panels"),
        ({"panels": ["curve"]}, ValueError, "curve"),
        ({"panels": ["fit"]}, ValueError, "fit"),
        ({"panels": "loss"}, TypeError, "panels"),
        ({"x0": [1.0, 2.0, 3.0]}, ValueError, "x0"),
        ({"x0": [np.nan, 0.0]}, ValueError, "x0"),
        ({"x0": None}, TypeError, "x0"),
        ({"title": 3}, TypeError, "title"),
        ({"lr_points": 1}, ValueError, "lr_points"),
        ({"tol": -1.0}, ValueError, "tol"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, match):
    args = {"x0": X0, "lr": 0.1, "steps": 30, "max_steps": 100, **kwargs}
    with pytest.raises(error, match=match):
        explore(quadratic(), **args)


def test_bad_objective():
    with pytest.raises(TypeError, match="objective"):
        explore(lambda x: x, x0=[1.0])
    with pytest.raises(ValueError, match="x0 must be one of"):
        explore(quadratic(), x0=[1.0, 1.0], options={"start": [[0.0, 1.0]]})


# -- the static form ----------------------------------------------------------------------------
def static_payload(ex: Explorer) -> tuple[str, dict]:
    html = ex.to_html()
    m = re.search(r'<script type="application/json" class="gd-data">(.*?)</script>', html, re.S)
    return html, json.loads(m.group(1))


def decoded_runs(ex: Explorer) -> tuple[dict, dict]:
    _, payload = static_payload(ex)
    runs = mirror.unpack(base64.b64decode(payload["data"]), payload["layout"], ex.spec.dim)
    return payload, runs


def test_mimebundle_static_only_when_asked(monkeypatch):
    ex = explore(parabola(), x0=[4.0], lr=0.1, max_steps=40)
    monkeypatch.delenv("GDCORE_STATIC_HTML", raising=False)
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "text/html" not in bundle and bundle["text/plain"].startswith("Explorer(")
    monkeypatch.setenv("GDCORE_STATIC_HTML", "1")
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html = bundle["text/html"]
    assert 'class="gd-explorer"' in html and 'data-ready="0"' in html
    assert "http" not in html.lower() and "//cdn" not in html
    assert len(html) < 300_000


def test_static_html_has_every_control_and_the_hooks():
    ex = explore(
        quadratic(),
        x0=X0,
        lr=0.1,
        steps=30,
        max_steps=60,
        title="A <bowl>",
        options={"momentum": [0, 0.9], "start": [X0, [2.0, 2.0]]},
    )
    html, payload = static_payload(ex)
    for name in ("learning rate", "steps", "momentum", "start"):
        assert f'data-name="{name}"' in html
    assert html.count('type="range"') == 3 and html.count("<select") == 1
    assert 'class="gd-figure"' in html and 'class="gd-status"' in html
    assert "A &lt;bowl&gt;" in html
    assert 'value="16"' in html  # lr 0.1 is position 16 of the grid
    assert [c["name"] for c in payload["controls"]] == [
        "learning rate",
        "steps",
        "momentum",
        "start",
    ]
    assert payload["controls"][0]["labels"][payload["controls"][0]["value"]] == "0.1"
    pngs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    sizes = [Image.open(io.BytesIO(base64.b64decode(p))).size for p in pngs]
    panels = payload["panels"]
    assert [p["panel"] for p in panels] == ["contour", "loss"]
    # one image per panel, at twice the CSS size (crisp on high-density screens)
    assert sizes == [(2 * p["size"][0], 2 * p["size"][1]) for p in panels]
    assert sum(p["size"][0] for p in panels) == 840 and panels[0]["size"][1] == 340
    for p in panels:
        assert f'width="{p["size"][0]}" height="{p["size"][1]}"' in html
        x, y, w, h = p["box"]  # the axes box lies inside its own panel's image
        assert 0 < x < x + w < 1 and 0 < y < y + h < 1 and w > 0.5
    assert panels[0]["xlim"] == [-3.0, 3.0] and panels[1]["ylog"] is True
    status = re.search(r'class="gd-status"[^>]*>(.*?)</div>', html).group(1)
    assert htmllib.unescape(status) == ex.status.value


def run_slice(runs: dict, r: int, key: str) -> np.ndarray:
    off = runs["offsets"]
    return runs[key][off[r] : off[r + 1]]


def assert_stored_run(runs: dict, r: int, ref: gdcore.Trajectory, box=None) -> None:
    """Stored run ``r`` is ``ref``: same length/status, the loss texts of its exact losses,
    losses within 3 significant digits, params on the quantisation grid (or float32)."""
    assert runs["lens"][r] == ref.nit + 1 and runs["nits"][r] == ref.nit
    assert runs["codes"][r] == _schema.STATUS_CODES[ref.status]
    off = runs["offsets"][r]
    texts = runs["loss_texts"][off : off + ref.nit + 1]
    assert texts == [f"{v:.3g}" for v in ref.losses]  # exactly Python's digits
    Ls = run_slice(runs, r, "losses")
    fin = np.isfinite(ref.losses)
    np.testing.assert_allclose(Ls[fin], ref.losses[fin], rtol=5e-3)
    if box is not None:
        P = run_slice(runs, r, "params")
        step = (box[:, 1] - box[:, 0]) / _schema.QMAX
        inside = (ref.params >= box[:, 0]) & (ref.params <= box[:, 1])
        err = np.abs(P - ref.params)
        assert np.all(err[inside] <= (0.5 + 1e-9) * np.broadcast_to(step, P.shape)[inside])
        far = ~inside & np.isfinite(ref.params)  # outside the box: kept as float32
        np.testing.assert_allclose(P[far], ref.params[far], rtol=1e-6)


def test_static_runs_equal_gdcore_run():
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.1, steps=30, max_steps=200, options={"momentum": [0, 0.9]})
    payload, runs = decoded_runs(ex)
    grid = ex.spec.lr_grid
    L = len(grid)
    assert payload["n_lr"] == L and len(runs["lens"]) == 2 * L
    assert runs["table"].tolist() == [0, 1]
    box = np.asarray(payload["layout"]["qbox"])
    np.testing.assert_allclose(box, [[-9.0, 9.0], [-9.0, 9.0]])
    saw = set()
    for combo, m in enumerate((0.0, 0.9)):
        for j in (0, 10, 16, L - 1):
            ref = gdcore.run(gdcore.SGD(lr=float(grid[j]), momentum=m), f, X0, 200, tol=TOL)
            assert_stored_run(runs, int(runs["table"][combo]) * L + j, ref, box)
            saw.add(ref.status)
    assert saw == {"converged", "max_steps", "diverged"}


def test_static_runs_are_shared_between_settings_that_do_not_change_them():
    f = quadratic()
    opts = {"SGD": {"lr": 0.05}, "Adam": {"lr": 0.1}}
    ex = explore(
        f,
        x0=X0,
        optimizers=opts,
        compare=True,
        max_steps=40,
        options={"beta1": [0.5, 0.9], "momentum": [0.0, 0.9]},
    )
    payload, runs = decoded_runs(ex)
    L = payload["n_lr"]
    # combinations (beta1, momentum), 2 series each: SGD ignores beta1, Adam ignores momentum
    table = runs["table"].reshape(4, 2)
    assert len(set(table[:, 0])) == 2 and len(set(table[:, 1])) == 2
    assert len(runs["lens"]) == 4 * L  # 4 distinct blocks, not 8
    j = ex.spec.lr_index
    for combo, (b1, mom) in enumerate([(0.5, 0.0), (0.5, 0.9), (0.9, 0.0), (0.9, 0.9)]):
        sgd = gdcore.run(gdcore.SGD(lr=0.05, momentum=mom), f, X0, 40, tol=TOL)
        adam = gdcore.run(gdcore.Adam(lr=0.1, betas=(b1, 0.999)), f, X0, 40, tol=TOL)
        assert_stored_run(runs, int(table[combo, 0]) * L + j, sgd)
        assert_stored_run(runs, int(table[combo, 1]) * L + j, adam)


def test_static_compare_and_dropdown_layouts():
    f = quadratic()
    opts = {"SGD": {"lr": 0.05}, "Adam": {"lr": 0.1}}
    ex = explore(f, x0=X0, optimizers=opts, compare=True, max_steps=40)
    payload, runs = decoded_runs(ex)
    L = payload["n_lr"]
    assert payload["n_active"] == 2 and len(runs["lens"]) == 2 * L
    j = ex.spec.lr_index
    assert_stored_run(runs, j, gdcore.run(gdcore.SGD(lr=0.05), f, X0, 40, tol=TOL))
    assert_stored_run(runs, L + j, gdcore.run(gdcore.Adam(lr=0.1), f, X0, 40, tol=TOL))
    ex2 = explore(f, x0=X0, optimizers=opts, max_steps=40)
    payload2, _ = decoded_runs(ex2)
    assert payload2["options"] == ["optimizer"] and payload2["n_active"] == 1
    grid = ex2.spec.lr_grid  # a lattice through SGD's 0.05: Adam jumps to the nearest position
    jump = payload2["jump"]
    assert jump[0] == ex2.spec.lr_index and grid[jump[0]] == 0.05
    assert jump[1] == np.argmin(np.abs(np.log(grid / 0.1)))
    ex2.controls["optimizer"].value = "Adam"  # the live form jumps to the same position
    assert ex2.controls["learning rate"].value == pytest.approx(grid[jump[1]])


def test_static_loss_only_explorer_has_no_params():
    ex = explore(sphere(6), x0=np.ones(6), lr=0.05, max_steps=30)
    payload, runs = decoded_runs(ex)
    assert "params" not in runs and payload["layout"]["qbox"] is None
    ref = gdcore.run(gdcore.SGD(lr=0.05), sphere(6), np.ones(6), 30, tol=TOL)
    assert_stored_run(runs, ex.spec.lr_index, ref)


def test_static_curve_explorer_refines_the_losses():
    ex = explore(parabola(), x0=[4.0], lr=0.1, max_steps=40)
    payload, runs = decoded_runs(ex)
    assert payload["layout"]["refine"] is True
    ref = gdcore.run(gdcore.SGD(lr=0.1), parabola(), [4.0], 40, tol=TOL)
    r = ex.spec.lr_index
    assert_stored_run(runs, r, ref, np.asarray(payload["layout"]["qbox"]))
    np.testing.assert_allclose(run_slice(runs, r, "losses"), ref.losses, rtol=5e-4)


@pytest.mark.parametrize("refine", [False, True])
def test_loss_codes_give_pythons_digits(refine):
    rng = np.random.default_rng(0)
    v = np.concatenate(
        [
            rng.standard_normal(300) * 10.0 ** rng.integers(-30, 30, 300),
            [
                0.0,
                -0.0,
                np.inf,
                -np.inf,
                np.nan,
                1e-320,
                5e-324,
                1.7e308,
                0.0001,
                0.00001,
                99.95,
                999.5,
                1234.5,
                0.125,
                1.125,
                2.675,
                1e16,
                123456.0,
            ],
        ]
    )
    codes = _static.loss_codes(v, refine)
    for x, c in zip(v, codes, strict=True):
        text, value = mirror.decode_loss(int(c), refine)
        assert text == f"{x:.3g}".replace("-0", "0") if x == 0 else text == f"{x:.3g}", (x, text)
        if np.isfinite(x) and x != 0 and abs(x) > 1e-300:
            scale = max(abs(x), abs(value))  # half a unit in the last stored digit
            assert abs(value - x) <= (5e-4 if refine else 5e-3) * scale * 1.0001


def test_static_html_is_deterministic():
    def build():
        return explore(quadratic(), x0=X0, lr=0.1, max_steps=30).to_html()

    a, b = build(), build()
    ida = re.search(r'id="(gdx-[0-9a-f]+)(-\d+)?"', a).group(1)
    idb = re.search(r'id="(gdx-[0-9a-f]+)(-\d+)?"', b).group(1)
    assert ida == idb  # the id is a hash of the content (plus a counter for repeats)
    assert re.sub(r"gdx-[0-9a-f-]+", "ID", a) == re.sub(r"gdx-[0-9a-f-]+", "ID", b)


def test_explorer_js_is_guarded_and_self_contained():
    js = _static.explorer_js()
    assert js.lstrip().startswith("/*") and "(function () {" in js
    assert "if (window.gdExplorer)" in js and "window.gdExplorer = api" in js
    top = [ln for ln in js.splitlines() if ln and not ln.startswith((" ", "/*", " *", "}", "("))]
    assert top == [], top  # nothing declared at the top level
    assert not re.search(r"^(let|const|class|function)\b", js, re.M)
    assert "http" not in js and "import(" not in js and "require(" not in js


def test_status_text_matches_the_python_format():
    assert _spec.status_text(2, 12, 30, 1e9) == "diverged after 12 steps"
    assert _spec.status_text(2, 12, 11, 1e9) == "after 11 steps: loss 1e+09"
    assert _spec.status_text(1, 1, 30, 0.0) == "converged after 1 step"
    assert _spec.status_text(0, 30, 30, 0.012345) == "after 30 steps: loss 0.0123"
    assert _spec.format_g(123456.0) == "1.23e+05"
    assert _spec.format_g(0.0001234) == "0.000123"


# -- the keyword API: marks, set, trajectory_at, positions ----------------------------------------
def test_arguments_after_x0_are_keyword_only_and_steps_default_fits_max_steps():
    with pytest.raises(TypeError):
        explore(quadratic(), X0, "sgd")
    ex = explore(parabola(), [4.0], max_steps=20)
    assert ex.controls["steps"].value == 20 and ex.positions("steps") == list(range(21))
    assert explore(parabola(), [4.0]).controls["steps"].value == 30


def test_marks_are_exact_positions_of_an_evenly_spaced_slider():
    f = parabola()
    marks = {"one step": 0.5, "2/L": 1.0, "third": 1 / 3}
    ex = explore(f, [4.0], lr=0.1, lr_range=(1e-3, 1.5), max_steps=60, marks=marks)
    pos = ex.positions("lr")
    assert pos == sorted(pos) and len(set(pos)) == len(pos)
    for label, v in marks.items():
        assert v in pos
        assert (label, pos.index(v)) in ex.spec.marks
    assert 0.1 in pos
    h = np.log10(1.5 / 1e-3) / 24
    gaps = np.diff(np.log10(pos))  # a point within h/3 of a mark gives way to it
    assert gaps.min() >= h / 3 - 1e-12 and gaps.max() <= 4 * h / 3 + 1e-12
    # the live slider holds the exact floats; the marks strip names every mark
    assert [v for _, v in ex.controls["learning rate"].options] == pos
    for label in marks:
        assert htmllib.escape(label) in ex.marks.value
    # the ends of lr_range may be marks too (the lattice through lr = 0.1 passes beyond them)
    ends = explore(f, [4.0], lr_range=(1e-3, 1.5), marks={"lo": 1e-3, "hi": 1.5})
    assert 1e-3 in ends.positions("lr") and 1.5 in ends.positions("lr")


@pytest.mark.parametrize("bad", [1.6, 1e-4, -0.5])
def test_a_mark_outside_lr_range_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"marks\['far'\].*lr_range \[0.001, 1.5\]"):
        explore(parabola(), [4.0], lr_range=(1e-3, 1.5), marks={"ok": 0.5, "far": bad})


def test_marks_in_compare_mode_are_multipliers():
    opts = {"SGD": {"lr": 0.05}, "Adam": {"lr": 0.1}}
    ex = explore(quadratic(), X0, optimizers=opts, compare=True, max_steps=40, marks={"x4": 4.0})
    ex.set(lr=4.0)
    trajs = ex.trajectory
    assert_same_run(trajs["SGD"], gdcore.run(gdcore.SGD(lr=0.2), quadratic(), X0, 30, tol=TOL))
    assert_same_run(trajs["Adam"], gdcore.run(gdcore.Adam(lr=0.4), quadratic(), X0, 30, tol=TOL))
    with pytest.raises(ValueError, match="multiplier"):
        explore(quadratic(), X0, optimizers=opts, compare=True, marks={"x40": 40.0})


def test_mark_rows_never_overlap():
    marks = [("one step", 10), ("2/L", 11), ("a long label", 12), ("z", 24)]
    rows = _spec.mark_rows(marks, 25, 150)
    assert rows[0] != rows[1] and rows[1] != rows[2] and rows[0] != rows[2]
    assert rows[3] == 0
    assert _spec.mark_rows([("a", 0), ("b", 24)], 25, 150) == [0, 0]


def every_setting(ex: Explorer) -> list[dict]:
    """Each control at each of its extremes, the others at their initial values."""
    out = []
    for key in ex.spec.keys():
        pos = ex.positions(key)
        out += [{key: pos[0]}, {key: pos[-1]}]
    return out


def test_set_moves_every_control_to_its_extremes_and_equals_gdcore_run():
    x, y = data()
    f = mse(x, y)
    starts = [[-0.5, 2.5], [3.5, -1.5]]
    ex = explore(
        f,
        lr=0.1,
        steps=25,
        max_steps=40,
        options={"batch_size": [1, 5, None], "start": starts, "momentum": [0.0, 0.9]},
        panels=["contour", "loss", "fit"],
        marks={"half": 0.5},
    )
    rng = np.random.default_rng
    for values in every_setting(ex):
        ex.set(**{k: ex.positions(k)[0] for k in ex.spec.keys() if k != "steps"}, steps=25)
        before = picture(ex)
        assert ex.set(**values) is ex
        lr = values.get("lr", ex.positions("lr")[0])
        k = values.get("steps", 25)
        bs = values.get("batch_size", 1)
        x0 = values.get("start", tuple(starts[0]))
        mom = values.get("momentum", 0.0)
        ref = gdcore.run(
            gdcore.SGD(lr=lr, momentum=mom), f, list(x0), k, tol=TOL, batch_size=bs, rng=rng(0)
        )
        assert_same_run(ex.trajectory, ref)
        assert_same_run(ex.trajectory_at(**values), ref)
        assert ex.controls[ex.spec.control_name(next(iter(values)))].value in (
            lr,
            k,
            "full" if bs is None else bs,
            tuple(x0),
            mom,
        )
        if values != {"lr": ex.positions("lr")[0]} and values != {"batch_size": 1}:
            if values not in ({"start": tuple(starts[0])}, {"momentum": 0.0}):
                assert picture(ex) != before


def test_trajectory_at_leaves_the_widget_alone():
    f = parabola()
    ex = explore(f, [4.0], lr=0.1, lr_range=(1e-3, 1.5), max_steps=60, marks={"2/L": 1.0})
    image, status, lr = picture(ex), ex.status.value, ex.controls["learning rate"].value
    t = ex.trajectory_at(lr=1.05 if 1.05 in ex.positions("lr") else 1.0, steps=60)
    assert_same_run(t, gdcore.run(gdcore.SGD(lr=1.0), f, [4.0], 60, tol=TOL))
    assert t.status == "max_steps"  # lr = 2/L: w bounces between 4 and -4
    big = ex.positions("lr")[-1]
    assert ex.trajectory_at(lr=big, steps=60).status == "diverged"
    assert (picture(ex), ex.status.value, ex.controls["learning rate"].value) == (
        image,
        status,
        lr,
    )
    assert ex.lr == 0.1


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (
            {"lr": 0.5000001},
            r"0\.5000001 .*'learning rate'.*nearest positions: 0\.5, .*marks: "
            r"'one step': 0\.5",
        ),
        ({"lr": 2.0}, r"'learning rate'.*nearest positions"),
        ({"lr": "0.5"}, r"'learning rate'"),
        ({"steps": 30.5}, r"30\.5 .*'steps'.*nearest positions: 30, 31"),
        ({"steps": -1}, r"'steps'.*nearest positions: 0"),
        ({"steps": 61}, r"'steps'.*nearest positions: 60"),
        ({"momentum": 0.91}, r"0\.91 .*'momentum'.*nearest positions: 0\.5, 0\.9"),
        ({"momentum": None}, r"'momentum'"),
        ({"start": [1.0]}, r"'start'.*nearest positions: \(4\.0,\), \(-2\.0,\)"),
        ({"momentum": 0.9, "steps": 1000}, r"'steps'"),
        ({"momentun": 0.9}, r"no control 'momentun'; the controls are \['lr', 'steps'"),
    ],
)
def test_set_and_trajectory_at_refuse_values_that_are_not_positions(values, match):
    ex = explore(
        parabola(),
        [4.0],
        lr=0.1,
        lr_range=(1e-3, 1.5),
        max_steps=60,
        options={"momentum": [0.0, 0.5, 0.9], "start": [[4.0], [-2.0]]},
        marks={"one step": 0.5},
    )
    state = (picture(ex), ex.lr, ex.controls["steps"].value, ex.controls["momentum"].value)
    with pytest.raises(ValueError, match=match):
        ex.trajectory_at(**values)
    with pytest.raises(ValueError, match=match):
        ex.set(**values)
    assert state == (
        picture(ex),
        ex.lr,
        ex.controls["steps"].value,
        ex.controls["momentum"].value,
    )


def test_optimizer_labels_and_numpy_values():
    f = quadratic()
    ex = explore(
        f,
        np.array(X0),
        optimizers={"SGD": {"lr": 0.1}, "Adam": {"lr": 0.01}},
        options={"beta1": np.array([0.5, 0.9]), "start": np.array([X0, [1.0, 1.0]])},
        max_steps=30,
        marks={"a": np.float64(0.05)},
    )
    assert ex.positions("optimizer") == ["SGD", "Adam"]
    assert ex.positions("beta1") == [0.5, 0.9]
    assert ex.positions("start") == [tuple(X0), (1.0, 1.0)]
    ex.set(optimizer="Adam", beta1=np.float64(0.9), start=np.array([1.0, 1.0]), lr=np.float64(0.05))
    ref = gdcore.run(gdcore.Adam(lr=0.05, betas=(0.9, 0.999)), f, [1.0, 1.0], 30, tol=TOL)
    assert_same_run(ex.trajectory, ref)
    assert ex.controls["optimizer"].value == "Adam"
    with pytest.raises(ValueError, match=r"'optimizer'.*nearest positions: 'SGD', 'Adam'"):
        ex.set(optimizer="adam")


def test_payload_controls_carry_exact_values_and_marks():
    ex = explore(
        parabola(),
        [4.0],
        lr=0.1,
        lr_range=(1e-3, 1.5),
        max_steps=60,
        options={"momentum": [0, 0.9]},
        marks={"one step": 0.5, "2/L": 1.0},
    )
    html, payload = static_payload(ex)
    lr, steps, mom = payload["controls"]
    assert lr["values"] == ex.positions("lr")
    assert lr["marks"] == [["one step", lr["values"].index(0.5)], ["2/L", lr["values"].index(1.0)]]
    assert lr["labels"][lr["marks"][0][1]] == "0.5"
    assert steps["values"] == list(range(61)) and mom["values"] == [0.0, 0.9]
    # the range input lists its marks (ticks) and labels them
    m = re.search(r'<input type="range" data-name="learning rate"[^>]*list="([^"]+)"', html)
    datalist = re.search(rf'<datalist id="{m.group(1)}">(.*?)</datalist>', html).group(1)
    assert re.findall(r'value="(\d+)"', datalist) == [str(i) for _, i in lr["marks"]]
    assert re.findall(r'class="gd-mark"[^>]*>([^<]*)<', html) == ["one step", "2/L"]


# -- the contract with explorer.js, the option registry, validation --------------------------------
def test_payload_carries_the_schema_and_the_script_defines_none_of_it():
    _, payload = static_payload(explore(parabola(), [4.0], max_steps=20))
    assert payload["v"] == _schema.VERSION
    assert payload["schema"] == _schema.schema()
    js = _static.explorer_js()
    # the script states the one format it implements, and no other shared constant
    assert re.findall(r"var FORMAT = (\d+);", js) == [str(_schema.VERSION)]
    for value in (
        _schema.SIGN_BIT,
        _schema.CODE_NAN,
        _schema.CODE_INF,
        _schema.CODE_NINF,
        _schema.E_MIN,
        _schema.MANTISSAS,
        _schema.QMAX,
        _schema.CLIP_MARGIN_PX,
    ):
        assert not re.search(rf"(?<![\w.]){value}(?![\w.])", js), value
    literals = re.findall(r'"([^"\n]*)"', js)  # the script's string literals
    for text in (*_schema.STATUS_TEXTS.values(), "diverged", "converged", "after "):
        assert not any(text in lit for lit in literals), text
    assert not set(_schema.STEP_WORDS) & set(literals)


def test_status_texts_come_from_the_schema(monkeypatch):
    monkeypatch.setitem(_schema.STATUS_TEXTS, 2, "blew up after {steps}")
    assert _spec.status_text(2, 3, 10, 1e9) == "blew up after 3 steps"
    assert _schema.schema()["status_texts"]["2"] == "blew up after {steps}"


def test_an_invalid_combination_of_options_is_refused_at_construction():
    with pytest.raises(ValueError, match=r"SGD cannot run with .*momentum=0\.0.*nesterov=True"):
        explore(
            quadratic(),
            X0,
            options={"momentum": [0.0, 0.9], "nesterov": [False, True]},
        )
    with pytest.raises(ValueError, match=r"options: 'beta1' applies to none of the optimizers"):
        explore(quadratic(), X0, options={"beta1": [0.9]})
    # one valid combination per series is fine: Adam never sees momentum, SGD never beta1
    explore(
        quadratic(),
        X0,
        optimizers={"SGD": {}, "Adam": {}},
        options={"momentum": [0.0, 0.9], "beta1": [0.5, 0.9]},
    )


def test_an_option_is_one_registry_entry():
    from gdcore.widgets import _options

    def scale(s, v):
        s.lr = s.lr * v

    entry = _options.OptionDef(
        key="lr_scale",
        check=lambda where, v, objective: _options.check_real(where, v, low=0.0, low_open=True),
        applies=lambda cls: True,
        apply=scale,
        label=_options.number_label,
    )
    _options.register(entry)
    try:
        f = quadratic()
        ex = explore(f, X0, lr=0.1, max_steps=20, options={"lr_scale": [1.0, 0.5]})
        assert ex.positions("lr_scale") == [1.0, 0.5]
        ex.set(lr_scale=0.5)
        assert_same_run(ex.trajectory, gdcore.run(gdcore.SGD(lr=0.05), f, X0, 20, tol=TOL))
        with pytest.raises(ValueError, match=r"options\['lr_scale'\]\[1\]"):
            explore(f, X0, options={"lr_scale": [1.0, -1.0]})
    finally:
        del _options.REGISTRY["lr_scale"]


def test_fit_panel_model_is_explicit_not_read_from_the_name():
    x, y = data()
    f = mse(x, y)
    del f.fit_kind
    f.name = "logistic bce cross-entropy"  # a name says nothing
    with pytest.raises(ValueError, match="fit_kind"):
        explore(f, [0.0, 0.0], panels=["contour", "fit"])
    f.fit_kind = "logistic"
    assert explore(f, [0.0, 0.0], panels=["contour", "fit"]).spec.fit_kind == "logistic"
    f.fit_kind = "cubic"
    with pytest.raises(ValueError, match="fit_kind"):
        explore(f, [0.0, 0.0], panels=["contour", "fit"])
    X = x.reshape(-1, 1)
    lin = gdcore.losses.mse(X, y, domain=[(-1.0, 4.0), (-2.0, 3.0)])
    assert explore(lin, [0.0, 0.0], panels=["contour", "fit"]).spec.fit_kind == "linear"
    logit = gdcore.losses.bce(X, (y > 1).astype(float), domain=[(-3.0, 3.0), (-3.0, 3.0)])
    assert explore(logit, [0.0, 0.0], panels=["contour", "fit"]).spec.fit_kind == "logistic"


def test_make_spec_takes_keywords():
    with pytest.raises(TypeError):
        _spec.make_spec(quadratic(), X0, "sgd")
    spec = _spec.make_spec(quadratic(), X0, lr=0.05, max_steps=10)
    assert spec.steps == 10 and spec.lr_grid[spec.lr_index] == 0.05


def test_nothing_passed_in_is_kept_by_reference():
    f = quadratic()
    x0 = np.array(X0)
    starts = np.array([X0, [1.0, 1.0]])
    moms = [0.0, 0.9]
    opts = {"SGD": {"lr": 0.1, "momentum": 0.5}, "Adam": {"lr": 0.01, "betas": [0.8, 0.99]}}
    marks = {"a": 0.05}
    panels = ["contour", "loss"]
    ex = explore(
        f,
        x0,
        optimizers=opts,
        options={"start": starts, "weight_decay": moms},
        marks=marks,
        panels=panels,
        max_steps=20,
    )
    before = (ex.trajectory_at(optimizer="Adam", lr=0.05), ex.trajectory_at(start=(1.0, 1.0)))
    x0[:] = 7.0
    starts[:] = 7.0
    moms[1] = 0.1
    opts["SGD"]["momentum"] = 0.0
    opts["Adam"]["betas"][0] = 0.1
    marks["a"] = 0.5
    panels.append("fit")
    after = (ex.trajectory_at(optimizer="Adam", lr=0.05), ex.trajectory_at(start=(1.0, 1.0)))
    for a, b in zip(before, after, strict=True):
        assert_same_run(a, b)
    # the explorer caches runs: settings not run before are computed now, from the values
    # as they were passed in
    fresh = (
        ex.trajectory_at(optimizer="Adam", lr=0.05, weight_decay=0.9),
        ex.trajectory_at(start=(1.0, 1.0), weight_decay=0.9),
    )
    refs = (
        gdcore.run(gdcore.Adam(lr=0.05, betas=(0.8, 0.99), weight_decay=0.9), f, X0, 20, tol=TOL),
        gdcore.run(gdcore.SGD(lr=0.1, momentum=0.5, weight_decay=0.9), f, [1.0, 1.0], 20, tol=TOL),
    )
    for a, ref in zip(fresh, refs, strict=True):
        assert_same_run(a, ref)
    assert ex.positions("weight_decay") == [0.0, 0.9] and ex.spec.panels == ["contour", "loss"]
    assert 0.05 in ex.positions("lr") and 0.5 not in ex.positions("lr")


def test_a_failing_redraw_shows_its_error_in_the_status_line(monkeypatch):
    ex = explore(quadratic(), X0, lr=0.1, max_steps=20, options={"momentum": [0.0, 0.9]})

    def boom(*args, **kwargs):
        raise RuntimeError("the run failed")

    monkeypatch.setattr(ex.spec, "run", boom)
    ex.controls["momentum"].value = 0.9
    assert ex.error == "RuntimeError: the run failed"
    assert "error: RuntimeError: the run failed" in ex.status.value
    monkeypatch.undo()
    ex.controls["momentum"].value = 0.0
    assert ex.error is None and ex.status.value.startswith("after 20 steps")


def test_validation_loss_is_drawn_along_every_run():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    Xv, yv = rng.normal(size=(20, 2)), rng.normal(size=20)
    f, fv = gdcore.losses.mse(X, y), gdcore.losses.mse(Xv, yv)
    ex = explore(f, x0=np.zeros(3), lr=0.1, max_steps=40, steps=40, validation=fv)
    art = ex._fig.moving[0]["loss"]["validation"]
    xs, ys = art.get_data()
    t = ex.trajectory
    np.testing.assert_array_equal(xs, np.arange(t.nit + 1))
    np.testing.assert_allclose(ys, fv.value(t.params), rtol=1e-12)
    # the static payload carries the same validation losses, to the stored four digits
    data = _static.precompute(ex.spec)
    packed, meta = _static.pack(ex.spec, data)
    decoded = mirror.unpack(packed, meta, ex.spec.dim)
    np.testing.assert_allclose(decoded["vlosses"], data["vlosses"], rtol=1e-3)
    np.testing.assert_allclose(data["vlosses"], fv.value(data["params"]), rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "exc", "words"),
    [
        ({"validation": "val"}, TypeError, "validation"),
        ({"validation": gdcore.functions.quadratic(curvatures=[1.0, 2.0, 3.0])}, ValueError, "3"),
        ({"validation": gdcore.functions.quadratic(), "panels": ["contour"]}, ValueError, "loss"),
    ],
)
def test_validation_is_checked(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        explore(gdcore.functions.quadratic(), x0=X0, **kwargs)


def test_newton_and_a_preconditioner_in_the_optimizer_dropdown():
    f = quadratic()
    ex = explore(
        f,
        x0=X0,
        lr=1.0,
        lr_range=(0.01, 2.0),
        max_steps=10,
        steps=10,
        optimizers={
            "Newton": {"optimizer": "newton", "hessian": f.hessian},
            "Jacobi": {"optimizer": "preconditioned", "P": np.diag(1 / CURV)},
        },
    )
    newton = ex.trajectory_at(optimizer="Newton", lr=1.0)
    assert newton.status == "converged" and newton.nit == 1
    jacobi = ex.trajectory_at(optimizer="Jacobi", lr=1.0)
    ref = gdcore.run(gdcore.optimizers.Preconditioned(np.diag(1 / CURV)), f, X0, 10, tol=TOL)
    assert_same_run(jacobi, ref)


def test_warmup_and_clipping_options_equal_the_runs_they_name():
    f = gdcore.functions.rosenbrock()
    ex = explore(
        f,
        x0=[-1.2, 1.0],
        lr=0.001,
        max_steps=60,
        options={"warmup": [0, 20], "max_norm": [None, 1.0]},
    )
    assert ex.positions("max_norm") == [None, 1.0]
    assert ex.controls["max norm"].options[0][0] == "off"
    for warmup in (0, 20):
        for max_norm in (None, 1.0):
            opt = gdcore.SGD(lr=gdcore.schedules.warmup_cosine(0.001, warmup, 60))
            if max_norm is not None:
                opt = gdcore.optimizers.ClipGradNorm(opt, max_norm)
            ref = gdcore.run(opt, f, [-1.2, 1.0], 60, tol=TOL)
            got = ex.trajectory_at(warmup=warmup, max_norm=max_norm, steps=60)
            assert_same_run(got, ref)


def test_a_warmup_as_long_as_the_run_is_refused():
    with pytest.raises(ValueError, match="warmup"):
        explore(
            gdcore.functions.rosenbrock(), x0=[0.0, 0.0], max_steps=50, options={"warmup": [50]}
        )
