"""Losses on data: linear regression, logistic regression and a one-hidden-layer network.

Each factory returns a :class:`gdcore.Objective` over one flat parameter vector ``params`` of
length ``d``. Like every objective they are vectorised: ``loss(params)`` takes ``params`` of
shape ``(..., d)`` (a stack of parameter vectors) and returns the losses, shape ``(...)``;
``loss.grad(params)`` returns shape ``(..., d)``; ``loss.value_and_grad(params)`` does one
forward pass for both. A single vector ``(d,)`` takes a plain 1-D fast path.

They are losses on data, so they also have ``n_samples`` and ``on_batch(rows)``, the same loss
on the rows ``rows`` only (what a mini-batch step differentiates), and ``predict(params, X)``
for drawing the fitted model.

Conventions: every loss is the **mean** over the rows (no factor :math:`\\tfrac12`), as in
``torch.nn.MSELoss`` and ``torch.nn.BCEWithLogitsLoss``. The data arrays are kept, not copied:
do not modify them in place while the loss is in use.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._objective import Objective
from ._validation import as_float_array, check_int

__all__ = ["BCE", "MLP", "MSE", "DataLoss", "bce", "mlp", "mse"]

Array = np.ndarray


# -- shared machinery ----------
def _check_X(name: str, X: Any, n_features: int | None = None) -> Array:
    X = as_float_array(name, X)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (n_samples, n_features), or (n_samples,) for one feature, "
            f"with at least one row and column; got shape {X.shape}"
        )
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} feature column(s) like the training data, "
            f"got shape {X.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return X


def _check_data(X: Any, y: Any, *, labels: bool = False) -> tuple[Array, Array]:
    X = _check_X("X", X)
    y = as_float_array("y", y)
    if y.ndim != 1:
        raise ValueError(f"y must be one-dimensional, shape (n_samples,), got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows, got X with {X.shape[0]} rows and y "
            f"with {y.shape[0]}"
        )
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite (no NaN or infinity)")
    if labels and np.any((y < 0.0) | (y > 1.0)):
        raise ValueError("y must hold class labels 0 and 1 (or probabilities in [0, 1])")
    # copies: changing the caller's arrays later does not change the loss
    return np.array(X), np.array(y)


def _softplus(z: Array) -> Array:
    """:math:`\\log(1 + e^z)` without overflow (``logaddexp(0, z)``)."""
    return np.logaddexp(0.0, z)


def _sigmoid_from_softplus(z: Array, sp: Array) -> Array:
    """:math:`\\sigma(z) = e^{z - \\log(1 + e^z)}`, reusing the softplus already computed."""
    return np.exp(z - sp)


def _sigmoid(z: Array) -> Array:
    """:math:`\\sigma(z) = 1 / (1 + e^{-z})`, stable for any ``z`` (no overflow warnings)."""
    return np.exp(-np.logaddexp(0.0, -z))


def _affine(params: Array, X: Array) -> Array:
    """:math:`X w + b` for ``params = [w, b]`` of shape ``(..., p+1)``; returns ``(..., n)``.

    A single parameter vector takes the 1-D path (one matrix-vector product, then in place).
    """
    p = X.shape[1]
    if params.ndim == 1:
        z = X @ params[:p]
        z += params[p]
    else:
        z = params[..., :p] @ X.T
        z += params[..., p:]
    return z


class DataLoss(Objective):
    """Base class of the losses on data: holds ``X`` ``(n_samples, n_features)`` and ``y``.

    Subclasses implement ``_forward_backward(params, want_grad)``. ``on_batch(rows)`` builds
    the same loss on ``X[rows], y[rows]`` without re-validating the data (it is called once per
    mini-batch step, so it must be cheap).
    """

    X: Array
    y: Array

    def __init__(self, X: Array, y: Array, *, name: str, dim: int, domain: Any, minima: Any):
        self._set_data(X, y)
        super().__init__(
            self._eval_value,
            self._eval_grad,
            name=name,
            domain=domain,
            minima=minima,
            value_and_grad=self._eval_value_and_grad,
            dim=dim,
        )

    def _set_data(self, X: Array, y: Array) -> None:
        self.X = X
        self.y = y
        self.n_samples, self.n_features = X.shape

    # -- evaluation ----------
    def _check_params(self, params: Array) -> None:
        if params.ndim == 0 or params.shape[-1] != self.dim:
            raise ValueError(
                f"params must have shape (..., {self.dim}) for {self.name}, got shape "
                f"{params.shape}"
            )

    def _forward_backward(self, params: Array, want_grad: bool) -> tuple[Array, Array | None]:
        raise NotImplementedError

    def _eval_value(self, params: Array) -> Array:
        self._check_params(params)
        return self._forward_backward(params, False)[0]

    def _eval_grad(self, params: Array) -> Array:
        self._check_params(params)
        return self._forward_backward(params, True)[1]

    def _eval_value_and_grad(self, params: Array) -> tuple[Array, Array]:
        self._check_params(params)
        return self._forward_backward(params, True)

    # -- mini-batches ----------------------------------------------------------------------------
    def on_batch(self, rows: Any) -> DataLoss:
        """The same loss on the rows ``rows`` only (an index array, a boolean mask or a slice).

        The plotting box is kept; ``minima`` is empty (a batch has its own minimiser).
        """
        batch = object.__new__(type(self))
        batch.__dict__.update(self.__dict__)  # the settings (hidden, activation, ...)
        if isinstance(rows, np.ndarray) and rows.dtype.kind in "iu":
            # integer rows (what gdcore.data.minibatches yields): take() gathers ~2x faster
            batch._set_data(self.X.take(rows, axis=0), self.y.take(rows, axis=0))
        else:
            batch._set_data(self.X[rows], self.y[rows])
        Objective.__init__(
            batch,
            batch._eval_value,
            batch._eval_grad,
            name=self.name,
            value_and_grad=batch._eval_value_and_grad,
            dim=self.dim,
        )
        batch.domain = self.domain
        return batch

    def _check_predict_X(self, X: Any) -> Array:
        return self.X if X is None else _check_X("X", X, self.n_features)


def _linear_param_names(p: int) -> list[str]:
    """Axis labels of a linear model's flat parameters: ``w, b`` or ``w_1 .. w_p, b``."""
    return ["w", "b"] if p == 1 else [f"w_{{{i + 1}}}" for i in range(p)] + ["b"]


# -- linear regression ----------
class MSE(DataLoss):
    """Mean squared error of a linear model; see :func:`mse`."""

    def __init__(self, X: Array, y: Array, *, domain: Any = None) -> None:
        p = X.shape[1]
        solution = self._least_squares(X, y)
        if domain is None:
            # a box holding both the origin (the usual start) and the minimiser, with margins
            lo = np.minimum(solution, 0.0)
            hi = np.maximum(solution, 0.0)
            span = max(1.0, float(np.max(hi - lo)))
            domain = np.stack([lo - 0.5 * span, hi + 0.5 * span], axis=-1)
        super().__init__(
            X, y, name="MSE (linear regression)", dim=p + 1, domain=domain, minima=[solution]
        )
        self.param_names = _linear_param_names(p)

    @staticmethod
    def _least_squares(X: Array, y: Array) -> Array:
        """The minimum-norm least-squares ``[w, b]`` from the normal equations, refined once.

        Works on the ``(p+1) x (p+1)`` Gram matrix, so it never copies ``X``.
        """
        n, p = X.shape
        s = X.sum(axis=0)
        gram = np.empty((p + 1, p + 1))
        gram[:p, :p] = X.T @ X
        gram[:p, p] = gram[p, :p] = s
        gram[p, p] = n
        pinv = np.linalg.pinv(gram, rcond=1e-12, hermitian=True)

        def rhs(r: Array) -> Array:
            return np.append(r @ X, r.sum())

        theta = pinv @ rhs(y)
        r = y - X @ theta[:p] - theta[p]
        return theta + pinv @ rhs(r)

    def _forward_backward(self, params: Array, want_grad: bool) -> tuple[Array, Array | None]:
        r = _affine(params, self.X)
        r -= self.y
        n, p = self.X.shape
        if params.ndim == 1:
            f = (r @ r) / n
        else:
            f = np.einsum("...i,...i->...", r, r) / n
        if not want_grad:
            return f, None
        g = np.empty(params.shape)
        np.matmul(r, self.X, out=g[..., :p])
        g[..., p] = r.sum(axis=-1)
        g *= 2.0 / n
        return f, g

    def predict(self, params: Any, X: Any = None) -> Array:
        """Model output :math:`x^\\top w + b` for each row of ``X`` (default: the training
        rows); ``params`` ``(..., p+1)`` -> shape ``(..., m)``."""
        params = as_float_array("params", params)
        self._check_params(params)
        return _affine(params, self._check_predict_X(X))


def mse(X: Any, y: Any, *, domain: Any = None) -> MSE:
    """Mean squared error of linear regression, over ``params = [w_1, ..., w_p, b]``.

    .. math::

        f(w, b) = \\frac1n \\sum_{i=1}^n (x_i^\\top w + b - y_i)^2

        \\nabla_w f = \\frac2n X^\\top r, \\qquad \\frac{\\partial f}{\\partial b} = \\frac2n
        \\sum_i r_i, \\qquad r = X w + b - y

    The mean over the rows with **no** factor :math:`\\tfrac12` (``torch.nn.MSELoss``), so the
    Hessian is :math:`\\tfrac2n [X, 1]^\\top [X, 1]`.

    Parameters
    ----------
    X
        Inputs, shape ``(n, p)`` (or ``(n,)`` for one feature).
    y
        Targets, shape ``(n,)``.
    domain
        Plotting box over the ``p + 1`` parameters; by default a box around the origin and the
        least-squares solution.

    Returns
    -------
    MSE
        An objective of dimension ``p + 1`` whose ``minimum`` is the least-squares solution
        (minimum-norm if it is not unique); ``n_samples``,
        ``n_features``, ``on_batch(rows)`` and ``predict(params, X=None)``.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> f = gdcore.losses.mse(X, 2 * X[:, 0] + 1)   # y = 2 x + 1: parameters (w, b)
    >>> f([2.0, 1.0]), f([0.0, 0.0]), f.minimum.round(12)
    (np.float64(0.0), np.float64(11.666666666666666), array([2., 1.]))
    >>> gdcore.check_grad(f, [0.5, -0.5]) < 1e-8
    True
    """
    X, y = _check_data(X, y)
    return MSE(X, y, domain=domain)


# -- logistic regression ----------
class BCE(DataLoss):
    """Binary cross-entropy of logistic regression; see :func:`bce`."""

    def __init__(self, X: Array, y: Array, *, domain: Any = None) -> None:
        super().__init__(
            X,
            y,
            name="cross-entropy (logistic regression)",
            dim=X.shape[1] + 1,
            domain=domain,
            minima=(),
        )
        self.param_names = _linear_param_names(X.shape[1])

    def _forward_backward(self, params: Array, want_grad: bool) -> tuple[Array, Array | None]:
        z = _affine(params, self.X)
        n, p = self.X.shape
        sp = _softplus(z)
        f = np.mean(sp - self.y * z, axis=-1)
        if not want_grad:
            return f, None
        r = _sigmoid_from_softplus(z, sp)
        r -= self.y
        g = np.empty(params.shape)
        np.matmul(r, self.X, out=g[..., :p])
        g[..., p] = r.sum(axis=-1)
        g *= 1.0 / n
        return f, g

    def predict(self, params: Any, X: Any = None) -> Array:
        """Predicted probability of class 1, :math:`\\sigma(x^\\top w + b)`, for each row of
        ``X`` (default: the training rows); shape ``(..., m)``."""
        params = as_float_array("params", params)
        self._check_params(params)
        return _sigmoid(_affine(params, self._check_predict_X(X)))

    def accuracy(self, params: Any) -> Array:
        """Fraction of training rows classified correctly (probability > 0.5 means class 1)."""
        return np.mean((self.predict(params) > 0.5) == (self.y > 0.5), axis=-1)


def bce(X: Any, y: Any, *, domain: Any = None) -> BCE:
    """Binary cross-entropy of logistic regression, over ``params = [w_1, ..., w_p, b]``.

    .. math::

        z_i = x_i^\\top w + b, \\qquad p_i = \\sigma(z_i) = \\frac{1}{1 + e^{-z_i}}

        f(w, b) = -\\frac1n \\sum_{i=1}^n \\bigl(y_i \\log p_i + (1 - y_i) \\log(1 - p_i)\\bigr)
        = \\frac1n \\sum_{i=1}^n \\bigl(\\log(1 + e^{z_i}) - y_i z_i\\bigr)

        \\nabla_w f = \\frac1n X^\\top (p - y), \\qquad
        \\frac{\\partial f}{\\partial b} = \\frac1n \\sum_i (p_i - y_i)

    Computed in the second form with ``logaddexp(0, z)``, so huge logits give a finite loss
    and no overflow warnings. Labels ``y`` are 0 or 1 (probabilities in :math:`[0, 1]` are
    accepted too). There is no closed-form minimiser (and none at all when the classes are
    linearly separable), so ``minima`` is empty and ``domain`` is ``None`` unless given.

    Returns
    -------
    BCE
        An objective of dimension ``p + 1`` with ``n_samples``, ``n_features``,
        ``on_batch(rows)``, ``predict(params, X=None)`` (probabilities) and
        ``accuracy(params)``.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> X = np.array([[-1.0], [0.5], [2.0]])
    >>> f = gdcore.losses.bce(X, [0.0, 1.0, 1.0])
    >>> round(float(f([0.0, 0.0])), 6)   # log 2 at the start: every probability 1/2
    0.693147
    >>> f.accuracy([1.0, 0.0])
    np.float64(1.0)
    """
    X, y = _check_data(X, y, labels=True)
    return BCE(X, y, domain=domain)


# -- a one-hidden-layer network ----------
def _logistic(a: Array) -> Array:
    return _sigmoid(a)


#: activation name -> (phi(a), phi'(a) written in terms of a and h = phi(a))
ACTIVATIONS = {
    "tanh": (np.tanh, lambda a, h: 1.0 - h * h),
    "sigmoid": (_logistic, lambda a, h: h * (1.0 - h)),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, h: (a > 0.0).astype(float)),
}
TASKS = ("regression", "classification")


class MLP(DataLoss):
    """A one-hidden-layer network with hand-written backpropagation; see :func:`mlp`."""

    def __init__(self, X: Array, y: Array, *, hidden: int, activation: str, task: str) -> None:
        self.hidden = hidden
        self.activation = activation
        self.task = task
        self._phi, self._dphi = ACTIVATIONS[activation]
        p = X.shape[1]
        super().__init__(
            X,
            y,
            name=f"MLP {p}-{hidden}-1 ({activation}, {task})",
            dim=hidden * (p + 2) + 1,
            domain=None,
            minima=(),
        )

    # -- the flat parameter vector ----------
    def unpack(self, params: Any) -> tuple[Array, Array, Array, Array]:
        """Split ``params`` ``(..., d)`` into views ``W1 (..., p, h)``, ``b1 (..., h)``,
        ``W2 (..., h)``, ``b2 (...)``. The layout is ``[W1 row by row, b1, W2, b2]``."""
        params = np.asarray(params, dtype=float)
        self._check_params(params)
        p, h = self.n_features, self.hidden
        lead = params.shape[:-1]
        k = p * h
        W1 = params[..., :k].reshape(*lead, p, h)
        b1 = params[..., k : k + h]
        W2 = params[..., k + h : k + 2 * h]
        b2 = params[..., k + 2 * h]
        return W1, b1, W2, b2

    def pack(self, W1: Any, b1: Any, W2: Any, b2: Any) -> Array:
        """Inverse of :meth:`unpack`: the flat vector ``[W1.ravel(), b1, W2, b2]``, shape
        ``(..., d)`` (leading axes broadcast)."""
        p, h = self.n_features, self.hidden
        W1 = as_float_array("W1", W1)
        b1 = as_float_array("b1", b1)
        W2 = as_float_array("W2", W2)
        b2 = as_float_array("b2", b2)
        for name, arr, shape in (("W1", W1, (p, h)), ("b1", b1, (h,)), ("W2", W2, (h,))):
            if arr.shape[arr.ndim - len(shape) :] != shape or arr.ndim < len(shape):
                raise ValueError(f"{name} must have shape (..., {', '.join(map(str, shape))})")
        lead = np.broadcast_shapes(W1.shape[:-2], b1.shape[:-1], W2.shape[:-1], b2.shape)
        return np.concatenate(
            [
                np.broadcast_to(W1, (*lead, p, h)).reshape(*lead, p * h),
                np.broadcast_to(b1, (*lead, h)),
                np.broadcast_to(W2, (*lead, h)),
                np.broadcast_to(b2, lead)[..., None],
            ],
            axis=-1,
        )

    def init_params(self, rng: Any = 0, size: int | tuple[int, ...] | None = None) -> Array:
        """Random starting parameters: Glorot-scaled weights, zero biases.

        :math:`W_1 \\sim \\mathcal N(0, \\tfrac{2}{p + h})` for ``tanh``/``sigmoid`` or
        :math:`\\mathcal N(0, \\tfrac{2}{p})` (He) for ``relu``; :math:`W_2 \\sim
        \\mathcal N(0, \\tfrac{2}{h + 1})`; :math:`b_1 = 0`, :math:`b_2 = 0`.

        ``rng`` is a ``numpy.random.Generator`` or an integer seed; ``size`` adds leading axes
        (``size=5`` gives 5 independent initialisations, shape ``(5, d)``).
        """
        from .data import as_generator

        rng = as_generator(rng)
        lead: tuple[int, ...] = () if size is None else (size,) if np.ndim(size) == 0 else size
        lead = tuple(check_int("size", s, low=1) for s in lead)
        p, h = self.n_features, self.hidden
        std1 = math.sqrt(2.0 / p) if self.activation == "relu" else math.sqrt(2.0 / (p + h))
        W1 = rng.normal(0.0, std1, (*lead, p, h))
        W2 = rng.normal(0.0, math.sqrt(2.0 / (h + 1)), (*lead, h))
        return self.pack(W1, np.zeros(h), W2, np.zeros(lead))

    # -- forward and backward ----------
    def _forward(self, params: Array, X: Array) -> tuple[Array, ...]:
        W1, b1, W2, b2 = self.unpack(params)
        A = X @ W1  # (..., n, h) hidden pre-activations
        A += b1[..., None, :]
        H = self._phi(A)  # (..., n, h) hidden activations
        out = (H @ W2[..., :, None])[..., 0]  # (..., n) network output
        out += b2[..., None]
        return W2, A, H, out

    def _forward_backward(self, params: Array, want_grad: bool) -> tuple[Array, Array | None]:
        X, y = self.X, self.y
        n = self.n_samples
        # forward pass, keeping what the backward pass needs
        W2, A, H, out = self._forward(params, X)
        if self.task == "regression":
            err = out - y
            f = np.mean(err * err, axis=-1)
        else:
            sp = _softplus(out)
            f = np.mean(sp - y * out, axis=-1)
        if not want_grad:
            return f, None
        # backward pass: the chain rule, layer by layer, from the loss back to the inputs.
        # output layer: dL/d out_i, then the gradients of W2 (..., h) and b2 (...)
        if self.task == "regression":
            d_out = (2.0 / n) * err
        else:
            d_out = _sigmoid_from_softplus(out, sp)
            d_out -= y
            d_out *= 1.0 / n
        g_W2 = (d_out[..., None, :] @ H)[..., 0, :]  # sum_i d_out_i H_i
        g_b2 = d_out.sum(axis=-1)  # sum_i d_out_i
        # back through W2 to the hidden activations, then through phi: dL/dA (..., n, h)
        d_H = d_out[..., :, None] * W2[..., None, :]
        d_A = d_H * self._dphi(A, H)
        # hidden layer: the gradients of W1 (..., p, h) and b1 (..., h)
        g_W1 = X.T @ d_A  # sum_i x_i^T dL/dA_i
        g_b1 = d_A.sum(axis=-2)  # sum_i dL/dA_i
        lead = params.shape[:-1]
        g = np.concatenate([g_W1.reshape(*lead, -1), g_b1, g_W2, g_b2[..., None]], axis=-1)
        return f, g

    def predict(self, params: Any, X: Any = None) -> Array:
        """Network output for each row of ``X`` (default: the training rows), shape
        ``(..., m)``: the prediction for regression, the probability of class 1 for
        classification."""
        params = as_float_array("params", params)
        out = self._forward(params, self._check_predict_X(X))[-1]
        return _sigmoid(out) if self.task == "classification" else out

    def accuracy(self, params: Any) -> Array:
        """Fraction of training rows classified correctly (classification only)."""
        if self.task != "classification":
            raise ValueError("accuracy needs task='classification'")
        return np.mean((self.predict(params) > 0.5) == (self.y > 0.5), axis=-1)


def mlp(
    X: Any,
    y: Any,
    hidden: int = 8,
    activation: str = "tanh",
    task: str = "regression",
) -> MLP:
    """Loss of a network with one hidden layer, differentiated by hand-written backpropagation.

    The network maps an input row :math:`x \\in \\mathbb R^p` through ``hidden`` units with
    activation :math:`\\phi` (``"tanh"``, ``"sigmoid"`` or ``"relu"``) to one output:

    .. math::

        a = x W_1 + b_1, \\qquad h = \\phi(a), \\qquad o = h^\\top W_2 + b_2

    The loss is the mean over the rows of :math:`(o_i - y_i)^2` for ``task="regression"`` (as
    :func:`mse`) or of the cross-entropy :math:`\\log(1 + e^{o_i}) - y_i o_i` for
    ``task="classification"`` (as :func:`bce`; ``o`` is the logit). Backpropagation applies the
    chain rule backwards, reusing the forward pass's :math:`a, h, o`:

    .. math::

        \\delta^o_i = \\frac{\\partial L}{\\partial o_i} =
        \\begin{cases} \\tfrac2n (o_i - y_i) & \\text{regression} \\\\
        \\tfrac1n (\\sigma(o_i) - y_i) & \\text{classification} \\end{cases}

        \\nabla_{W_2} L = \\sum_i \\delta^o_i h_i, \\qquad
        \\frac{\\partial L}{\\partial b_2} = \\sum_i \\delta^o_i

        \\delta^h_i = \\delta^o_i W_2, \\qquad
        \\delta^a_i = \\delta^h_i \\odot \\phi'(a_i)

        \\nabla_{W_1} L = \\sum_i x_i^\\top \\delta^a_i = X^\\top \\delta^a, \\qquad
        \\nabla_{b_1} L = \\sum_i \\delta^a_i

    Parameters
    ----------
    X, y
        Inputs ``(n, p)`` (or ``(n,)``) and targets ``(n,)``; for classification labels 0/1.
    hidden
        Number of hidden units :math:`h \\ge 1`.
    activation
        ``"tanh"`` (default), ``"sigmoid"`` or ``"relu"``.
    task
        ``"regression"`` (default) or ``"classification"``.

    Returns
    -------
    MLP
        An objective of dimension :math:`d = h(p + 2) + 1` over the flat vector
        ``[W1 (p*h, row by row), b1 (h), W2 (h), b2 (1)]``, with ``unpack(params)``,
        ``pack(W1, b1, W2, b2)``, ``init_params(rng=0, size=None)``,
        ``predict(params, X=None)``, ``accuracy(params)`` (classification), ``n_samples`` and
        ``on_batch(rows)``. ``minima`` is empty and ``domain`` is ``None``.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> data = gdcore.data.regression_1d(50, rng=0)
    >>> net = gdcore.losses.mlp(data.X, data.y, hidden=4)
    >>> theta0 = net.init_params(rng=0)
    >>> net.dim, theta0.shape   # h (p + 2) + 1 parameters
    (13, (13,))
    >>> gdcore.check_grad(net, theta0) < 1e-6   # the hand-written backpropagation is right
    True
    """
    if not isinstance(task, str) or task not in TASKS:
        raise ValueError(f"task must be 'regression' or 'classification', got {task!r}")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, got {activation!r}"
        )
    hidden = check_int("hidden", hidden, low=1)
    X, y = _check_data(X, y, labels=task == "classification")
    return MLP(X, y, hidden=hidden, activation=activation, task=task)
