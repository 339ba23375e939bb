"""Gradient clipping by norm, against torch.nn.utils.clip_grad_norm_ before optimizer.step()."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore
from gdcore.optimizers import SGD, Adam, AdamW, ClipGradNorm, clip_by_global_norm

R = gdcore.functions.rosenbrock()


def ours(opt, x0, steps):
    return gdcore.run(opt, R, x0=x0, steps=steps).params


def torch_clipped(name, kwargs, max_norm, x0, steps):
    torch = pytest.importorskip("torch")
    p = torch.tensor(np.array(x0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, name)([p], **kwargs)
    out = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        p.grad = torch.from_numpy(R.grad(p.detach().numpy().copy()))
        torch.nn.utils.clip_grad_norm_([p], max_norm)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize(
    ("name", "make", "kwargs"),
    [
        ("SGD", lambda: SGD(lr=1e-3), {"lr": 1e-3}),
        ("SGD", lambda: SGD(lr=1e-3, momentum=0.9), {"lr": 1e-3, "momentum": 0.9}),
        ("Adam", lambda: Adam(lr=1e-2), {"lr": 1e-2}),
        ("AdamW", lambda: AdamW(lr=1e-2, weight_decay=0.1), {"lr": 1e-2, "weight_decay": 0.1}),
    ],
)
@pytest.mark.parametrize("max_norm", [0.5, 10.0, 1e4])
def test_matches_torch_clip_grad_norm(name, make, kwargs, max_norm):
    x0 = [-1.2, 1.0]
    got = ours(ClipGradNorm(make(), max_norm), x0, 60)
    ref = torch_clipped(name, kwargs, max_norm, x0, 60)
    np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-12)


def test_a_short_gradient_passes_and_a_long_one_gets_length_max_norm():
    tx = clip_by_global_norm(5.0)
    g = np.array([[3.0, 4.0], [30.0, 40.0]])  # norms 5 (at the threshold) and 50
    out, _ = tx.update(g, tx.init(g), np.zeros_like(g))
    np.testing.assert_allclose(out[0], g[0] * 5.0 / (5.0 + 1e-6))
    np.testing.assert_allclose(np.linalg.norm(out[1]), 5.0 * 50.0 / (50.0 + 1e-6))
    np.testing.assert_allclose(out[1] / np.linalg.norm(out[1]), g[1] / 50.0)


def test_batched_runs_are_clipped_one_by_one():
    x0 = np.array([[-1.2, 1.0], [0.0, 0.0]])
    batch = gdcore.run(ClipGradNorm(SGD(lr=1e-3), max_norm=2.0), R, x0=x0, steps=20)
    for i in range(2):
        single = gdcore.run(ClipGradNorm(SGD(lr=1e-3), max_norm=2.0), R, x0=x0[i], steps=20)
        np.testing.assert_allclose(batch.params[:, i], single.params, rtol=1e-12)


def test_an_array_of_thresholds_is_a_batch():
    norms = np.array([[0.1], [1.0], [100.0]])
    batch = gdcore.run(ClipGradNorm(SGD(lr=1e-3), max_norm=norms), R, x0=[-1.2, 1.0], steps=5)
    for i, c in enumerate(norms[:, 0]):
        single = gdcore.run(ClipGradNorm(SGD(lr=1e-3), max_norm=float(c)), R, [-1.2, 1.0], 5)
        np.testing.assert_allclose(batch.params[:, i], single.params, rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "exc", "words"),
    [
        (lambda: ClipGradNorm(SGD(lr=0.1), max_norm=0.0), ValueError, "max_norm"),
        (lambda: ClipGradNorm(SGD(lr=0.1), max_norm=float("nan")), ValueError, "max_norm"),
        (lambda: ClipGradNorm("sgd", max_norm=1.0), TypeError, "optimizer"),
    ],
)
def test_bad_arguments_are_named(make, exc, words):
    with pytest.raises(exc, match=words):
        make()
