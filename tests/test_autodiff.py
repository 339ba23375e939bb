"""gdcore.autodiff: reverse mode against analytic gradients, central differences and torch."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import gdcore
from gdcore.autodiff import Node, grad, value_and_grad

finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


def numerical(fn, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (float(fn(Node(x + e)).value) - float(fn(Node(x - e)).value)) / (2 * h)
    return g


def test_first_example_by_hand():
    x = Node(3.0)
    y = x * x + 2 * x
    y.backward()
    assert float(y.value) == 15.0
    assert float(x.grad) == 8.0  # 2x + 2


def test_a_node_used_twice_gets_both_contributions():
    a = Node(2.0)
    b = a * 3.0
    y = b * b + b  # y = 9a^2 + 3a, dy/da = 18a + 3 = 39
    y.backward()
    assert float(a.grad) == 39.0
    assert float(b.grad) == 2 * 6.0 + 1  # dy/db = 2b + 1


def test_gradients_accumulate_until_zeroed():
    x = Node(1.5)
    y = x * x
    y.backward()
    y.backward()
    assert float(x.grad) == 2 * 3.0  # two passes add up
    y.zero_grad()
    assert float(x.grad) == 0.0 and float(y.grad) == 0.0
    y.backward()
    assert float(x.grad) == 3.0


def test_topological_order_puts_parents_first_and_visits_each_node_once():
    x = Node(1.0)
    a = x + 1.0
    b = a * a
    c = b + a
    order = c.topological_order()
    assert order[-1] is c
    assert len({id(n) for n in order}) == len(order)
    pos = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            assert pos[id(p)] < pos[id(n)]


def test_deep_graph_needs_no_recursion():
    x = Node(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert float(x.grad) == pytest.approx(1.0001**5000, rel=1e-9)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: (x * x).sum(),
        lambda x: (x.tanh() * x.exp()).sum(),
        lambda x: (1.0 / (1.0 + x * x)).sum(),
        lambda x: ((x - 0.3) ** 3).mean(),
        lambda x: (x.sigmoid() + (x * x + 1.0).log()).sum(),
        lambda x: ((x + 5.0).relu() * x).sum() + (x - 5.0).relu().sum() - (x / 4.0).sum(),
    ],
)
@settings(max_examples=25, deadline=None)
@given(x=arrays(np.float64, 4, elements=finite))
def test_elementwise_functions_match_central_differences(fn, x):
    g = grad(fn)(x)
    assert np.allclose(g, numerical(fn, x), rtol=1e-6, atol=1e-6)


def test_broadcasting_sums_the_gradient_over_broadcast_axes():
    W = Node(np.arange(6.0).reshape(2, 3))
    b = Node(np.array([1.0, -1.0, 0.5]))
    s = Node(2.0)
    y = ((W + b) * s).sum()
    y.backward()
    assert np.array_equal(W.grad, np.full((2, 3), 2.0))
    assert np.array_equal(b.grad, np.full(3, 4.0))  # two rows
    assert float(s.grad) == float(np.sum(np.arange(6.0).reshape(2, 3) + np.array([1.0, -1.0, 0.5])))


def test_matmul_gradients_match_closed_form():
    rng = np.random.default_rng(1)
    A, x = rng.normal(size=(3, 4)), rng.normal(size=4)
    An, xn = Node(A), Node(x)
    y = ((An @ xn) ** 2).sum()  # ||Ax||^2: grad_x = 2 A^T A x, grad_A = 2 (Ax) x^T
    y.backward()
    assert np.allclose(xn.grad, 2 * A.T @ A @ x, rtol=1e-12)
    assert np.allclose(An.grad, 2 * np.outer(A @ x, x), rtol=1e-12)


def rosenbrock_node(p):
    x = p * np.array([1.0, 0.0])
    y = p * np.array([0.0, 1.0])
    xs, ys = x.sum(), y.sum()
    return (1.0 - xs) ** 2 + 100.0 * (ys - xs**2) ** 2


@settings(max_examples=50, deadline=None)
@given(p=arrays(np.float64, 2, elements=finite))
def test_rosenbrock_matches_gdcores_analytic_gradient(p):
    R = gdcore.functions.rosenbrock()
    f, g = value_and_grad(rosenbrock_node, p)
    assert f == pytest.approx(float(R.value(p)), rel=1e-12, abs=1e-12)
    assert np.allclose(g, R.grad(p), rtol=1e-12, atol=1e-9)


def test_small_network_matches_hand_written_backprop():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1]
    loss = gdcore.losses.mlp(X, y, hidden=5)
    params = loss.init_params(rng=3)
    W1, b1, W2, b2 = loss.unpack(params)

    def net(W1n, b1n, W2n, b2n):
        h = (Node(X) @ W1n + b1n).tanh()
        o = h @ W2n + b2n
        return ((o - y) ** 2).mean()

    value, (gW1, gb1, gW2, gb2) = value_and_grad(net, W1, b1, W2, b2)
    assert value == pytest.approx(float(loss.value(params)), rel=1e-12)
    assert np.allclose(loss.pack(gW1, gb1, gW2, gb2), loss.grad(params), rtol=1e-10, atol=1e-12)


def test_agrees_with_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(3, 3)), rng.normal(size=3)

    def f_node(A, v):
        return ((A @ v).tanh() * v + (v * v + 1.0).log()).sum() / (A * A + 1.0).sum()

    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    out = ((ta @ tb).tanh() * tb + torch.log(tb * tb + 1.0)).sum() / (ta * ta + 1.0).sum()
    out.backward()
    value, (ga, gb) = value_and_grad(f_node, a, b)
    assert value == pytest.approx(out.item(), rel=1e-12)
    assert np.allclose(ga, ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert np.allclose(gb, tb.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_numpy_operands_on_the_left_defer_to_node():
    x = Node([1.0, 2.0])
    y = (np.array([3.0, 4.0]) * x).sum() + np.float64(2.0) * x.sum()
    y.backward()
    assert isinstance(y, Node)
    assert np.array_equal(x.grad, [5.0, 6.0])


def test_inputs_are_copied():
    a = np.array([1.0, 2.0])
    x = Node(a)
    a[0] = 100.0
    assert x.value[0] == 1.0


@pytest.mark.parametrize(
    ("make", "exc", "words"),
    [
        (lambda: Node([1.0, 2.0]).backward(), ValueError, "scalar"),
        (lambda: Node("a"), TypeError, "value"),
        (lambda: Node(2.0) ** Node(2.0), TypeError, "constant"),
        (lambda: Node([1.0, 2.0]) @ Node([1.0, 2.0]), ValueError, "matrix"),
        (lambda: value_and_grad(lambda x: 1.0, [1.0]), TypeError, "Node"),
    ],
)
def test_bad_input_names_the_problem(make, exc, words):
    with pytest.raises(exc, match=words):
        make()


def test_indexing_sends_the_gradient_to_the_selected_entries():
    p = Node([1.0, 2.0, 3.0])
    y = p[0] * p[2] + p[[1, 1]].sum()  # p[1] used twice through a fancy index
    y.backward()
    assert np.array_equal(p.grad, [3.0, 2.0, 1.0])
