"""Preconditioned gradient descent, Newton's method and Objective.hessian."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gdcore
from gdcore.optimizers import Newton, Preconditioned

finite = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def rotated_bowl(angle=np.pi / 4, curvatures=(100.0, 1.0)):
    c, s = np.cos(angle), np.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    return gdcore.functions.quadratic(Q @ np.diag(curvatures) @ Q.T)


@settings(max_examples=30, deadline=None)
@given(x0=arrays(np.float64, 2, elements=finite))
def test_newton_reaches_the_minimum_of_a_quadratic_in_one_step(x0):
    bowl = rotated_bowl()
    traj = gdcore.run(Newton(bowl.hessian), bowl, x0=x0, steps=1)
    np.testing.assert_allclose(traj.x, bowl.centre, atol=1e-12)


def test_preconditioner_equal_to_the_inverse_hessian_is_newton_on_a_quadratic():
    bowl = rotated_bowl()
    traj = gdcore.run(Preconditioned(np.linalg.inv(bowl.A)), bowl, x0=[1.0, -2.0], steps=1)
    np.testing.assert_allclose(traj.x, bowl.centre, atol=1e-12)


def test_diagonal_preconditioner_fixes_an_axis_aligned_bowl_but_not_a_rotated_one():
    aligned = gdcore.functions.quadratic(curvatures=[100.0, 1.0])
    jacobi = Preconditioned(np.diag(1 / np.diag(aligned.A)))
    assert np.allclose(gdcore.run(jacobi, aligned, x0=[1.0, 1.0], steps=1).x, 0.0)
    rotated = rotated_bowl()
    # the diagonal of the rotated bowl is (50.5, 50.5): the Jacobi step is plain GD at 1/50.5,
    # whose factor along the flat direction is 1 - 1/50.5
    jacobi_r = Preconditioned(np.diag(1 / np.diag(rotated.A)))
    traj = gdcore.run(jacobi_r, rotated, x0=[1.0, 1.0], steps=10)
    gd = gdcore.run(gdcore.SGD(lr=1 / 50.5), rotated, x0=[1.0, 1.0], steps=10)
    np.testing.assert_allclose(traj.params, gd.params, rtol=1e-12, atol=1e-15)


def newton_by_hand(f, x, steps, lr=1.0):
    out = [np.array(x, dtype=float)]
    for _ in range(steps):
        x = x - lr * np.linalg.solve(f.hessian(x), f.grad(x))
        out.append(x)
    return np.array(out)


@pytest.mark.parametrize("lr", [1.0, 0.5])
def test_newton_on_rosenbrock_equals_the_iteration_written_out(lr):
    R = gdcore.functions.rosenbrock()
    traj = gdcore.run(Newton(R.hessian, lr=lr), R, x0=[-1.2, 1.0], steps=8)
    np.testing.assert_allclose(
        traj.params, newton_by_hand(R, np.array([-1.2, 1.0]), 8, lr), rtol=1e-12
    )


def test_pure_newton_converges_on_rosenbrock_in_few_steps():
    R = gdcore.functions.rosenbrock()
    traj = gdcore.run(Newton(R.hessian), R, x0=[-1.2, 1.0], steps=100, tol=1e-10)
    assert traj.status == "converged" and traj.nit < 10
    np.testing.assert_allclose(traj.x, [1.0, 1.0], atol=1e-9)


def test_newton_runs_a_batch_of_learning_rates():
    R = gdcore.functions.rosenbrock()
    lrs = np.array([[1.0], [0.5]])
    batch = gdcore.run(Newton(R.hessian, lr=lrs), R, x0=[-1.2, 1.0], steps=6)
    for i, lr in enumerate(lrs[:, 0]):
        single = gdcore.run(Newton(R.hessian, lr=float(lr)), R, x0=[-1.2, 1.0], steps=6)
        np.testing.assert_allclose(batch.params[:, i], single.params, rtol=1e-12)


def test_a_singular_hessian_ends_the_run_as_diverged_quietly():
    flat = gdcore.functions.quadratic(curvatures=[1.0, 0.0])
    traj = gdcore.run(Newton(flat.hessian), flat, x0=[1.0, 1.0], steps=5)
    assert traj.status == "diverged"


def test_shift_regularises_the_newton_step():
    bowl = gdcore.functions.quadratic(curvatures=[4.0, 1.0])
    traj = gdcore.run(Newton(bowl.hessian, shift=1.0), bowl, x0=[1.0, 1.0], steps=1)
    np.testing.assert_allclose(traj.x, [1 - 4 / 5, 1 - 1 / 2], rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, 2, elements=finite))
def test_rosenbrocks_analytic_hessian_matches_differences_of_its_gradient(x):
    R = gdcore.functions.rosenbrock()
    numeric = gdcore.Objective(R.value, R.grad, dim=2).hessian(x)  # no analytic Hessian
    np.testing.assert_allclose(R.hessian(x), numeric, rtol=1e-6, atol=1e-4)


def test_hessian_works_on_stacks():
    R = gdcore.functions.rosenbrock()
    pts = np.array([[[1.0, 1.0], [0.0, 0.0]], [[-1.2, 1.0], [2.0, 0.5]]])
    H = R.hessian(pts)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_array_equal(H[0, 0], [[802.0, -400.0], [-400.0, 200.0]])
    bowl = rotated_bowl()
    assert bowl.hessian(pts).shape == (2, 2, 2, 2)


def test_hessian_agrees_with_torch():
    torch = pytest.importorskip("torch")
    R = gdcore.functions.rosenbrock()
    x = np.array([0.3, -0.7])

    def f(t):
        return (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2

    ref = torch.autograd.functional.hessian(f, torch.tensor(x)).numpy()
    np.testing.assert_allclose(R.hessian(x), ref, rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "exc", "words"),
    [
        (lambda: Preconditioned(np.ones(3)), ValueError, "P"),
        (lambda: Preconditioned(np.eye(2), lr=-1.0), ValueError, "lr"),
        (lambda: Newton(np.eye(2)), TypeError, "hessian"),
        (lambda: Newton(lambda x: np.eye(2), shift=-1.0), ValueError, "shift"),
        (lambda: gdcore.Objective(np.sum, np.sign, dim=2, hessian=3), TypeError, "hessian"),
    ],
)
def test_bad_arguments_are_named(make, exc, words):
    with pytest.raises(exc, match=words):
        make()


def test_wrong_hessian_shape_is_named():
    bowl = gdcore.functions.quadratic(curvatures=[1.0, 2.0])
    with pytest.raises(ValueError, match="hessian"):
        gdcore.run(Newton(lambda x: np.eye(3)), bowl, x0=[1.0, 1.0], steps=1)


def test_preconditioner_shape_must_match_the_parameters():
    bowl = gdcore.functions.quadratic(curvatures=[1.0, 2.0])
    with pytest.raises(ValueError, match="P"):
        gdcore.run(Preconditioned(np.eye(3)), bowl, x0=[1.0, 1.0], steps=1)
