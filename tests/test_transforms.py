"""The small transforms and their composition (gdcore.optimizers.chain)."""

from __future__ import annotations

import numpy as np
import pytest

from gdcore.optimizers import (
    GradientTransformation,
    Optimizer,
    add_decayed_weights,
    chain,
    scale_by_adam,
    scale_by_learning_rate,
    scale_by_rms,
    scale_by_rss,
    trace,
)


def run_transform(tx, grads, params=None):
    params = np.zeros_like(grads[0]) if params is None else params
    state = tx.init(params)
    outs = []
    for g in grads:
        u, state = tx.update(g, state, params)
        outs.append(u)
    return np.array(outs), state


def test_add_decayed_weights():
    u, _ = run_transform(add_decayed_weights(0.5), [np.array([1.0, 2.0])], np.array([2.0, -4.0]))
    np.testing.assert_array_equal(u[0], [2.0, 0.0])


def test_trace_by_hand():
    g = [np.array([1.0]), np.array([2.0]), np.array([-1.0])]
    u, state = run_transform(trace(0.5), g)
    # b1 = 1, b2 = 0.5 + 2 = 2.5, b3 = 1.25 - 1 = 0.25
    np.testing.assert_allclose(u[:, 0], [1.0, 2.5, 0.25], rtol=1e-15)
    assert state.count == 3
    u, _ = run_transform(trace(0.5, dampening=0.5), g)
    # b1 = 1 (undampened), b2 = 0.5 + 1 = 1.5, b3 = 0.75 - 0.5 = 0.25
    np.testing.assert_allclose(u[:, 0], [1.0, 1.5, 0.25], rtol=1e-15)
    u, _ = run_transform(trace(0.5, nesterov=True), g)
    # g + mu b: 1 + 0.5, 2 + 1.25, -1 + 0.125
    np.testing.assert_allclose(u[:, 0], [1.5, 3.25, -0.875], rtol=1e-15)


def test_trace_array_momentum_zero_passes_gradient_through():
    g = [np.array([[1.0], [1.0]]), np.array([[3.0], [3.0]])]
    u, _ = run_transform(trace(np.array([[0.0], [0.5]]), dampening=0.5), g)
    np.testing.assert_allclose(u[:, 0, 0], [1.0, 3.0])  # plain gradient
    np.testing.assert_allclose(u[:, 1, 0], [1.0, 0.5 + 1.5])


def test_scale_by_rss_by_hand():
    u, state = run_transform(
        scale_by_rss(1.0, eps=0.0), [np.array([0.0, 3.0]), np.array([0.0, 4.0])]
    )
    np.testing.assert_allclose(u[0], [0.0, 3.0 / np.sqrt(10.0)], rtol=1e-15)
    np.testing.assert_allclose(u[1], [0.0, 4.0 / np.sqrt(26.0)], rtol=1e-15)
    np.testing.assert_array_equal(state.sum_sq, [1.0, 26.0])


def test_scale_by_rms_by_hand():
    u, state = run_transform(scale_by_rms(0.75, eps=0.0), [np.array([2.0]), np.array([2.0])])
    # v1 = 0.25 * 4 = 1, v2 = 0.75 + 1 = 1.75
    np.testing.assert_allclose(u[:, 0], [2.0, 2.0 / np.sqrt(1.75)], rtol=1e-15)
    assert state.grad_avg is None
    u, state = run_transform(scale_by_rms(0.75, eps=0.0, centered=True), [np.array([2.0])])
    # v = 1, gbar = 0.5, v - gbar^2 = 0.75
    np.testing.assert_allclose(u[0, 0], 2.0 / np.sqrt(0.75), rtol=1e-15)
    np.testing.assert_array_equal(state.grad_avg, [0.5])


def test_scale_by_adam_bias_correction_makes_first_update_sign():
    u, state = run_transform(scale_by_adam(0.9, 0.999, eps=0.0), [np.array([5.0, -0.01])])
    np.testing.assert_allclose(u[0], [1.0, -1.0], rtol=1e-13)
    assert state.count == 1 and state.max_exp_avg_sq is None


def test_scale_by_adam_array_betas_equal_scalar_betas():
    grads = [np.array([[1.0, -2.0]] * 2) * k for k in (1.0, 0.5, -3.0)]
    ua, _ = run_transform(scale_by_adam(np.array([[0.9], [0.5]]), 0.99), grads)
    u0, _ = run_transform(scale_by_adam(0.9, 0.99), [g[0] for g in grads])
    u1, _ = run_transform(scale_by_adam(0.5, 0.99), [g[1] for g in grads])
    np.testing.assert_allclose(ua[:, 0], u0, rtol=1e-14)
    np.testing.assert_allclose(ua[:, 1], u1, rtol=1e-14)


def test_scale_by_learning_rate_constant_schedule_and_decay():
    g = [np.ones(1)] * 3
    u, _ = run_transform(scale_by_learning_rate(0.5), g)
    np.testing.assert_array_equal(u[:, 0], [-0.5] * 3)
    u, _ = run_transform(scale_by_learning_rate(lambda t: 1.0 / (t + 1)), g)
    np.testing.assert_allclose(u[:, 0], [-1.0, -0.5, -1 / 3], rtol=1e-15)
    u, state = run_transform(scale_by_learning_rate(1.0, lr_decay=1.0), g)
    np.testing.assert_allclose(u[:, 0], [-1.0, -0.5, -1 / 3], rtol=1e-15)
    assert state.count == 3


def test_chain_composes_left_to_right_and_keeps_tuple_state():
    tx = chain(add_decayed_weights(1.0), trace(0.5), scale_by_learning_rate(0.1))
    p = np.array([1.0])
    state = tx.init(p)
    assert isinstance(state, tuple) and len(state) == 3
    u, state = tx.update(np.array([1.0]), state, p)
    np.testing.assert_allclose(u, [-0.2], rtol=1e-15)  # -(0.1) * (1 + 1 * 1)
    assert state[1].count == 1


def test_chain_of_four_and_of_one():
    four = chain(add_decayed_weights(0.0), scale_by_rss(), trace(0.5), scale_by_learning_rate(1.0))
    u, state = run_transform(four, [np.array([2.0])])
    assert len(state) == 4
    np.testing.assert_allclose(u[0], [-2.0 / (2.0 + 1e-10)], rtol=1e-15)
    # a chain of one is still a chain: its state is a tuple of one state
    one = chain(scale_by_learning_rate(2.0, lr_decay=0.5))
    state = one.init(np.zeros(1))
    assert isinstance(state, tuple) and len(state) == 1 and state[0].count == 0
    u, state = one.update(np.array([1.0]), state, np.zeros(1))
    np.testing.assert_allclose(u, [-2.0], rtol=1e-15)
    assert len(state) == 1 and state[0].count == 1


def test_chain_rejects_bad_parts():
    with pytest.raises(ValueError, match="at least one"):
        chain()
    with pytest.raises(TypeError, match=r"transforms\[1\]"):
        chain(trace(0.5), "sgd")


def test_custom_optimizer_from_transforms():
    opt = Optimizer(chain(trace(0.9), scale_by_learning_rate(0.1)), {"lr": 0.1})
    x, _ = opt.step(np.array([1.0]), np.array([1.0]), opt.init(np.array([1.0])))
    np.testing.assert_allclose(x, [0.9])
    assert isinstance(opt.transform, GradientTransformation)


def test_materialised_hyperparameters_are_read_only_and_inputs_untouched():
    lr = np.array([[0.1], [0.2]])
    tx = scale_by_learning_rate(lr)
    g = np.ones((2, 3))
    u, _ = tx.update(g, tx.init(g), g)
    u2, _ = tx.update(g, tx.init(g), g)
    assert u is not u2
    u[...] = 7.0  # the output is the caller's to change...
    u3, _ = tx.update(g, tx.init(g), g)
    np.testing.assert_allclose(u3[:, 0], [-0.1, -0.2])  # ...without touching the cache
    np.testing.assert_array_equal(lr, [[0.1], [0.2]])
    np.testing.assert_array_equal(g, np.ones((2, 3)))
