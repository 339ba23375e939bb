"""Reverse-mode automatic differentiation, small enough to read in one sitting.

A computation on :class:`Node` objects records a graph: each node keeps its value, the nodes
it was computed from (its *parents*) and how to pass a gradient back to them. Calling
:meth:`Node.backward` on a scalar result visits the graph once, in reverse topological order,
and leaves in every node's ``grad`` the derivative of the result with respect to that node:

.. math::
    \\bar v = \\frac{\\partial y}{\\partial v}
    = \\sum_{c \\,\\in\\, \\text{children}(v)} \\bar c \\, \\frac{\\partial c}{\\partial v}

(the chain rule, summed over every use of :math:`v`). A node used twice, as in
``x * x``, receives both contributions: gradients *accumulate* (``+=``), so they must be
reset with :meth:`Node.zero_grad` (or a new graph built) before the next backward pass.

Nodes hold numpy arrays of any shape, scalars included, and follow numpy's broadcasting; the
gradient flowing back to a broadcast operand is summed over the broadcast axes. The cost of one
backward pass is a small constant times the cost of the forward computation, whatever the
number of inputs; a central-difference gradient costs :math:`2d` evaluations.

Examples
--------
>>> x = Node(3.0)
>>> y = x * x + 2 * x          # y = x^2 + 2x
>>> y.backward()
>>> float(x.grad)              # dy/dx = 2x + 2
8.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import as_float_array

__all__ = ["Node", "grad", "value_and_grad"]


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes along which an operand of ``shape`` was broadcast."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


class Node:
    """A value in a computational graph, with the gradient that flows back into it.

    Parameters
    ----------
    value
        A number or array (stored as float64; the node keeps its own copy).

    Attributes
    ----------
    value : numpy.ndarray
        The value (a 0-d array for a scalar).
    grad : numpy.ndarray
        :math:`\\partial y / \\partial` (this node) after ``y.backward()``; zeros before.
    parents : tuple[Node, ...]
        The nodes this one was computed from (empty for an input).
    op : str
        The operation that made it (``""`` for an input), for display.
    """

    __array_ufunc__ = None  # ``array * node`` calls Node.__rmul__ instead of looping over it

    def __init__(
        self,
        value: Any,
        parents: tuple[Node, ...] = (),
        op: str = "",
        backward: Callable[[np.ndarray], None] | None = None,
    ) -> None:
        self.value = np.array(as_float_array("value", value), dtype=float)
        self.grad = np.zeros_like(self.value)
        self.parents = parents
        self.op = op
        self._backward = backward

    # -- graph traversal ---------------------------------------------------------------------
    def topological_order(self) -> list[Node]:
        """Every node this one depends on, each after all of its parents (this node last)."""
        order: list[Node] = []
        seen: set[int] = set()
        stack: list[tuple[Node, bool]] = [(self, False)]
        while stack:  # iterative depth-first search: deep graphs need no recursion
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
        return order

    def backward(self) -> None:
        """Accumulate :math:`\\partial y/\\partial v` into ``v.grad`` for every node ``v`` of
        the graph of this scalar node ``y`` (``y.grad`` is set to 1 first)."""
        if self.value.size != 1:
            raise ValueError(
                f"backward() needs a scalar result (a loss), got a node of shape "
                f"{self.value.shape}; reduce it first, e.g. with .sum()"
            )
        self.grad = np.ones_like(self.value)
        for node in reversed(self.topological_order()):
            if node._backward is not None:
                node._backward(node.grad)

    def zero_grad(self) -> None:
        """Reset the gradient of this node and of every node it depends on to zero."""
        for node in self.topological_order():
            node.grad = np.zeros_like(node.value)

    # -- construction helpers ----------------------------------------------------------------
    @staticmethod
    def _lift(other: Any) -> Node:
        return other if isinstance(other, Node) else Node(other)

    def _binary(
        self,
        other: Any,
        op: str,
        value: np.ndarray,
        d_self: Callable[[np.ndarray], np.ndarray],
        d_other: Callable[[np.ndarray], np.ndarray],
    ) -> Node:
        other = self._lift(other)
        out = Node(value, (self, other), op)

        def backward(g: np.ndarray) -> None:
            self.grad = self.grad + _unbroadcast(d_self(g), self.value.shape)
            other.grad = other.grad + _unbroadcast(d_other(g), other.value.shape)

        out._backward = backward
        return out

    def _unary(self, op: str, value: np.ndarray, local: Callable[[np.ndarray], np.ndarray]) -> Node:
        out = Node(value, (self,), op)

        def backward(g: np.ndarray) -> None:
            self.grad = self.grad + local(g)

        out._backward = backward
        return out

    # -- arithmetic --------------------------------------------------------------------------
    def __add__(self, other: Any) -> Node:
        o = self._lift(other)
        return self._binary(o, "+", self.value + o.value, lambda g: g, lambda g: g)

    def __radd__(self, other: Any) -> Node:
        return self._lift(other) + self

    def __neg__(self) -> Node:
        return self._unary("neg", -self.value, lambda g: -g)

    def __sub__(self, other: Any) -> Node:
        o = self._lift(other)
        return self._binary(o, "-", self.value - o.value, lambda g: g, lambda g: -g)

    def __rsub__(self, other: Any) -> Node:
        return self._lift(other) - self

    def __mul__(self, other: Any) -> Node:
        o = self._lift(other)
        a, b = self.value, o.value
        return self._binary(o, "*", a * b, lambda g: g * b, lambda g: g * a)

    def __rmul__(self, other: Any) -> Node:
        return self._lift(other) * self

    def __truediv__(self, other: Any) -> Node:
        o = self._lift(other)
        a, b = self.value, o.value
        return self._binary(o, "/", a / b, lambda g: g / b, lambda g: -g * a / (b * b))

    def __rtruediv__(self, other: Any) -> Node:
        return self._lift(other) / self

    def __pow__(self, p: float) -> Node:
        if isinstance(p, Node) or not np.isscalar(p):
            raise TypeError("Node ** p needs a constant number p (use exp/log for x ** y)")
        a = self.value
        return self._unary(f"**{p:g}", a**p, lambda g: g * p * a ** (p - 1))

    def __matmul__(self, other: Any) -> Node:
        o = self._lift(other)
        a, b = self.value, o.value
        if a.ndim != 2 or b.ndim not in (1, 2):
            raise ValueError(
                f"@ needs a matrix on the left and a vector or matrix on the right, "
                f"got shapes {a.shape} and {b.shape}"
            )
        if b.ndim == 1:
            return self._binary(o, "@", a @ b, lambda g: np.outer(g, b), lambda g: a.T @ g)
        return self._binary(o, "@", a @ b, lambda g: g @ b.T, lambda g: a.T @ g)

    def __rmatmul__(self, other: Any) -> Node:
        return self._lift(other) @ self

    def __getitem__(self, index: Any) -> Node:
        """An entry or a slice, ``p[0]``; the gradient flows back into those entries only."""
        shape = self.value.shape

        def local(g: np.ndarray) -> np.ndarray:
            out = np.zeros(shape)
            np.add.at(out, index, g)  # add.at: an index repeated in a fancy index adds up
            return out

        return self._unary("[]", self.value[index], local)

    # -- reductions and elementwise functions ---------------------------------------------------
    def sum(self) -> Node:
        """The sum of all entries (a scalar node)."""
        shape = self.value.shape
        return self._unary("sum", np.sum(self.value), lambda g: np.broadcast_to(g, shape).copy())

    def mean(self) -> Node:
        """The mean of all entries (a scalar node)."""
        return self.sum() * (1.0 / self.value.size)

    def exp(self) -> Node:
        e = np.exp(self.value)
        return self._unary("exp", e, lambda g: g * e)

    def log(self) -> Node:
        a = self.value
        return self._unary("log", np.log(a), lambda g: g / a)

    def tanh(self) -> Node:
        t = np.tanh(self.value)
        return self._unary("tanh", t, lambda g: g * (1.0 - t * t))

    def sigmoid(self) -> Node:
        s = 0.5 * (1.0 + np.tanh(0.5 * self.value))  # 1/(1+e^-x) without overflow
        return self._unary("sigmoid", s, lambda g: g * s * (1.0 - s))

    def relu(self) -> Node:
        a = self.value
        return self._unary("relu", np.maximum(a, 0.0), lambda g: g * (a > 0))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        v = self.value
        shown = f"{float(v):.6g}" if v.size == 1 else f"array(shape={v.shape})"
        return f"Node({shown}, op={self.op!r})" if self.op else f"Node({shown})"


def value_and_grad(
    fn: Callable[..., Node], x: Any, *more: Any
) -> tuple[float, np.ndarray | tuple[np.ndarray, ...]]:
    """``fn`` at ``x`` (and ``more`` inputs) and its gradient(s) by one backward pass.

    ``fn`` takes :class:`Node` inputs and returns a scalar :class:`Node`.

    Examples
    --------
    >>> f = lambda w: ((w * w).sum() - 1.0) ** 2
    >>> value_and_grad(f, [1.0, 2.0])
    (16.0, array([16., 32.]))
    """
    inputs = [Node(v) for v in (x, *more)]
    out = fn(*inputs)
    if not isinstance(out, Node):
        raise TypeError(f"fn must return a Node (built from its Node inputs), got {type(out)}")
    out.backward()
    grads = tuple(n.grad for n in inputs)
    return float(out.value), grads[0] if not more else grads


def grad(fn: Callable[..., Node]) -> Callable[..., Any]:
    """The gradient function of ``fn``: ``grad(fn)(x)`` is :math:`\\nabla f(x)` by reverse mode.

    Examples
    --------
    >>> grad(lambda x: (x * x).sum())([1.0, -3.0])
    array([ 2., -6.])
    """

    def g(x: Any, *more: Any) -> Any:
        return value_and_grad(fn, x, *more)[1]

    return g
