"""Every bad input raises ValueError or TypeError naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

import gdcore
from gdcore import SGD, Adagrad, Adam, AdamW, RMSprop, run
from gdcore._validation import as_float_array, check_int, check_point, check_real

nan, inf = float("nan"), float("inf")


def bowl(d=2):
    return gdcore.Objective(lambda x: 0.5 * np.sum(x * x, -1), lambda x: x, dim=d)


def data_objective(n=10):
    f = bowl(2)
    f.n_samples = n
    f.on_batch = lambda rows: bowl(2)
    return f


OPTIMIZER_CASES = [
    # (constructor call, exception, match)
    *[
        (lambda v=v, c=c: c(lr=v), ValueError, "lr")
        for v in (0.0, -0.1, nan, inf, -inf)
        for c in (SGD, Adagrad, RMSprop, Adam, AdamW)
    ],
    (lambda: SGD(lr="0.1"), TypeError, "lr"),
    (lambda: SGD(lr=None), TypeError, "lr"),
    (lambda: SGD(lr=True), TypeError, "lr"),
    (lambda: SGD(lr=1 + 2j), TypeError, "lr"),
    (lambda: SGD(lr=np.array([0.1, -0.1])), ValueError, "lr"),
    (lambda: SGD(lr=np.array([0.1, nan])), ValueError, "lr"),
    (lambda: SGD(lr=np.array(["a"])), TypeError, "lr"),
    (lambda: SGD(lr=[0.1, object()]), TypeError, "lr"),
    (lambda: SGD(lr=0.1, momentum=-0.1), ValueError, "momentum"),
    (lambda: SGD(lr=0.1, momentum=1.0), ValueError, "momentum"),
    (lambda: SGD(lr=0.1, momentum=nan), ValueError, "momentum"),
    (lambda: SGD(lr=0.1, momentum=np.array([0.5, 1.5])), ValueError, "momentum"),
    (lambda: SGD(lr=0.1, momentum="0.9"), TypeError, "momentum"),
    (lambda: SGD(lr=0.1, momentum=0.9, dampening=-0.5), ValueError, "dampening"),
    (lambda: SGD(lr=0.1, momentum=0.9, dampening=1.5), ValueError, "dampening"),
    (lambda: SGD(lr=0.1, weight_decay=-1.0), ValueError, "weight_decay"),
    (lambda: SGD(lr=0.1, weight_decay=inf), ValueError, "weight_decay"),
    (lambda: SGD(lr=0.1, nesterov=True), ValueError, "nesterov"),
    (lambda: SGD(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError, "nesterov"),
    (lambda: SGD(lr=0.1, momentum=np.array([0.0, 0.9]), nesterov=True), ValueError, "nesterov"),
    (lambda: SGD(lr=0.1, momentum=0.9, nesterov=1), TypeError, "nesterov"),
    (lambda: Adagrad(lr_decay=-0.1), ValueError, "lr_decay"),
    (lambda: Adagrad(initial_accumulator_value=-1.0), ValueError, "initial_accumulator_value"),
    (lambda: Adagrad(eps=-1e-10), ValueError, "eps"),
    (lambda: Adagrad(weight_decay=nan), ValueError, "weight_decay"),
    (lambda: RMSprop(alpha=1.0), ValueError, "alpha"),
    (lambda: RMSprop(alpha=-0.01), ValueError, "alpha"),
    (lambda: RMSprop(eps=-1.0), ValueError, "eps"),
    (lambda: RMSprop(momentum=1.0), ValueError, "momentum"),
    (lambda: RMSprop(centered="yes"), TypeError, "centered"),
    (lambda: Adam(betas=(1.0, 0.999)), ValueError, r"betas\[0\]"),
    (lambda: Adam(betas=(-0.1, 0.999)), ValueError, r"betas\[0\]"),
    (lambda: Adam(betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
    (lambda: Adam(betas=(0.9, nan)), ValueError, r"betas\[1\]"),
    (lambda: Adam(betas=0.9), TypeError, "betas"),
    (lambda: Adam(betas=(0.9, 0.99, 0.999)), TypeError, "betas"),
    (lambda: Adam(betas="ab"), TypeError, "betas"),
    (lambda: Adam(eps=-1e-8), ValueError, "eps"),
    (lambda: Adam(amsgrad=None), TypeError, "amsgrad"),
    (lambda: AdamW(weight_decay=-0.01), ValueError, "weight_decay"),
]


@pytest.mark.parametrize("call, exc, match", OPTIMIZER_CASES)
def test_bad_optimizer_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_error_messages_state_the_allowed_range():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        SGD(lr=0.1, momentum=2.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        SGD(lr=0.0)


RUN_CASES = [
    (lambda: run("sgd", bowl(), [1.0, 1.0], 5), TypeError, "optimizer"),
    (lambda: run(SGD(lr=0.1), lambda x: x, [1.0, 1.0], 5), TypeError, "objective"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0, 1.0], 5), ValueError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), 1.0, 5), ValueError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), [nan, 1.0], 5), ValueError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), [inf, 1.0], 5), ValueError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), "1, 2", 5), TypeError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), ["a", "b"], 5), TypeError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), [None, 1.0], 5), TypeError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), [1j, 1.0], 5), TypeError, "x0"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], -1), ValueError, "steps"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5.0), TypeError, "steps"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5.5), TypeError, "steps"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], "5"), TypeError, "steps"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], True), TypeError, "steps"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], None), TypeError, "steps"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, tol=-1.0), ValueError, "tol"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, tol=nan), ValueError, "tol"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, tol="small"), TypeError, "tol"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, ftol=-1e-3), ValueError, "ftol"),
    (
        lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, diverge_above=0.0),
        ValueError,
        "diverge_above",
    ),
    (
        lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, diverge_above=nan),
        ValueError,
        "diverge_above",
    ),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, loss_on="mean"), ValueError, "loss_on"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, loss_on=None), ValueError, "loss_on"),
    (lambda: run(SGD(lr=0.1), bowl(), [1.0, 1.0], 5, batch_size=2), ValueError, "batch_size"),
    (
        lambda: run(SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=0),
        ValueError,
        "batch_size",
    ),
    (
        lambda: run(SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=11),
        ValueError,
        "batch_size",
    ),
    (
        lambda: run(SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=2.0),
        TypeError,
        "batch_size",
    ),
    (
        lambda: run(SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=2, rng="seed"),
        TypeError,
        "rng",
    ),
    (
        lambda: run(SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=2, rng=1.5),
        TypeError,
        "rng",
    ),
    (
        lambda: run(
            SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=2, rng=np.random.RandomState(0)
        ),
        TypeError,
        "rng",
    ),
    (
        lambda: run(SGD(lr=0.1), data_objective(), [1.0, 1.0], 5, batch_size=2, rng=-1),
        ValueError,
        "rng",
    ),
    (lambda: run(SGD(lr=np.ones((3, 1))), bowl(), np.ones((2, 2)), 5), ValueError, "x0"),
]


@pytest.mark.parametrize("call, exc, match", RUN_CASES)
def test_bad_run_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_good_rng_forms():
    f = data_objective()
    a = run(SGD(lr=0.1), f, [1.0, 1.0], 3, batch_size=2, rng=7)
    b = run(SGD(lr=0.1), f, [1.0, 1.0], 3, batch_size=2, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.params, b.params)


# -- the helpers themselves --------------------------------------------------------------------
def test_check_real_ranges():
    assert check_real("a", 0.5, low=0.0, high=1.0) == 0.5
    assert isinstance(check_real("a", np.float32(0.5)), float)
    assert check_real("a", 1, low=1) == 1.0
    with pytest.raises(ValueError, match=r"a must be in \(0, 1\]"):
        check_real("a", 0.0, low=0.0, high=1.0, low_open=True)
    with pytest.raises(ValueError, match="a must be <= 2"):
        check_real("a", 3.0, high=2.0)
    with pytest.raises(ValueError, match="a must be finite"):
        check_real("a", nan)
    arr = check_real("a", [0.1, 0.2], low=0.0)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float64
    with pytest.raises(TypeError, match="a must be a real number, got bool"):
        check_real("a", False)


def test_check_int():
    assert check_int("n", np.int32(3)) == 3
    with pytest.raises(TypeError, match=r"pass int\(3.0\)"):
        check_int("n", 3.0)
    with pytest.raises(ValueError, match=r"n must be an integer in \[1, 4\]"):
        check_int("n", 5, low=1, high=4)
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        check_int("n", -1)


def test_check_point_and_as_float_array():
    np.testing.assert_array_equal(check_point("x0", [1, 2], 2), [1.0, 2.0])
    assert check_point("x0", np.ones((3, 2)), 2).shape == (3, 2)
    assert check_point("x0", [True, False]).dtype == np.float64
    with pytest.raises(ValueError, match=r"x0 must have shape \(\.\.\., 3\)"):
        check_point("x0", [1.0, 2.0], 3)
    with pytest.raises(ValueError, match="x0 must have at least one axis"):
        check_point("x0", 2.0)
    with pytest.raises(TypeError, match="x must be a number or an array"):
        as_float_array("x", b"12")
    with pytest.raises(TypeError, match="x must be real"):
        as_float_array("x", [1j])
    with pytest.raises(TypeError, match="dtype"):
        as_float_array("x", np.array(["a"]))


def test_check_real_returns_a_copy_of_arrays():
    a = np.array([0.1, 0.2])
    out = check_real("lr", a, low=0.0)
    a[:] = -1.0
    assert out.tolist() == [0.1, 0.2]
