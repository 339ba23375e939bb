"""Helpers for the book's notebooks: numbers computed in a cell, quoted in the prose.

A chapter computes a number once and *glues* it under a name; the Markdown quotes it with
myst-nb's roles, so the prose can never disagree with the computation::

    glue("ch05_loss_30", float(runs.losses[30, 0]))      # in a code cell
    ... the loss has only fallen to {glue:text}`ch05_loss_30:.2f` ...   # in Markdown

:func:`glue` is myst-nb's ``glue`` when myst-nb is installed (the book build). Where it is not
(Binder, Colab, a plain JupyterLab) it writes the same hidden display output, so a chapter
runs everywhere with one import and nothing extra to install.

:func:`interior_best` checks that a tuned comparison searched far enough, and :func:`basin`
names the minimum a run ends in, for the hidden cells that check what the prose says a run
will do::

    assert basin(f, gdcore.run(gdcore.SGD(lr=0.2), f, x0=[2.0], steps=200).x) == 0
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["basin", "glue", "interior_best"]

#: the MIME-type prefix myst-nb gives a glued output that is not displayed
GLUE_PREFIX = "application/papermill.record/"


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, so that ``{glue:text}`name:.3f``` can format them.

    (numpy 2 shows ``np.float64(4.761)`` as the text of a scalar, which no format spec reads.)
    """
    if isinstance(value, np.generic) and np.ndim(value) == 0:
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store ``value`` under ``name`` for the prose (myst-nb's ``glue``); return it.

    Parameters
    ----------
    name
        A name unique within the book; by convention it starts with the chapter number,
        ``"ch05_best_lr"``.
    value
        A number (numpy scalars are turned into Python numbers) or any displayable object.
    display
        Also show the value in the cell's output (default ``False``: the prose shows it).

    Returns
    -------
    The value as stored, so that ``x = glue("name", expression)`` reads naturally.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    stored = _plain(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # no myst-nb: emit the same output myst-nb would
        from IPython.core.formatters import format_display_data
        from IPython.display import display as ipy_display

        bundle, metadata = format_display_data(stored)
        prefix = "" if display else GLUE_PREFIX
        metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
        ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
        return stored
    myst_glue(name, stored, display=display)
    return stored


def interior_best(grid: Any, scores: Any, *, name: str = "grid") -> tuple[float, int]:
    """The grid value with the lowest score, checked to lie strictly inside the grid.

    A tuned comparison is fair only if each method's optimum is inside the searched grid: a
    best value at either end means the grid cut the search short, and the method might do
    better beyond it. Scores that are NaN or infinite (diverged runs) count as worst.

    Parameters
    ----------
    grid
        The values tried, shape ``(n,)``, sorted (ascending or descending), ``n >= 3``.
    scores
        One score per grid value (lower is better), shape ``(n,)``.
    name
        What the grid is, for the error message (``"Adam's learning rates"``).

    Returns
    -------
    ``(best value, its index)``.

    Raises
    ------
    ValueError
        When the best score is at the first or last grid value, or every score is NaN/inf.

    Examples
    --------
    >>> interior_best([0.01, 0.1, 1.0], [3.0, 1.0, 2.0])
    (0.1, 1)
    """
    g = np.asarray(grid, dtype=float).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    if g.size < 3:
        raise ValueError(f"{name} must have at least 3 values, got {g.size}")
    if s.shape != g.shape:
        raise ValueError(f"scores must have one entry per {name} value ({g.size}), got {s.size}")
    d = np.diff(g)
    if not (np.all(d > 0) or np.all(d < 0)):
        raise ValueError(f"{name} must be strictly monotonic")
    s = np.where(np.isfinite(s), s, np.inf)
    if not np.isfinite(s).any():
        raise ValueError(f"every score on {name} is NaN or infinite: nothing converged")
    i = int(np.argmin(s))
    if i in (0, g.size - 1):
        edge = "first" if i == 0 else "last"
        raise ValueError(
            f"the best value of {name}, {g[i]:g}, is its {edge} value: extend {name} beyond it"
        )
    return float(g[i]), i


def basin(objective: Any, x: Any, *, within: float | None = None) -> Any:
    """The index of the known minimum nearest to ``x``: which basin a run ended in.

    The minima are ``objective.minima`` in their order (for :func:`gdcore.functions.double_well`
    the global minimum first, then the local one), and the distance is Euclidean:

    .. math:: \\operatorname{basin}(x) = \\arg\\min_j \\lVert x - m_j \\rVert .

    Parameters
    ----------
    objective
        An :class:`gdcore.Objective` with at least one known minimum (``objective.minima``).
    x
        A point, shape ``(d,)``, or a batch of points, shape ``(..., d)`` (for example the
        final points ``Trajectory.x`` of a batched run).
    within
        If given (``> 0``), a point farther than ``within`` from every minimum is in no basin.

    Returns
    -------
    An ``int`` for one point, an integer array of shape ``(...)`` for a batch; ``-1`` for a
    point that is not finite (a diverged run) or, with ``within``, too far from every minimum.

    Raises
    ------
    ValueError
        When the objective has no known minima, ``x`` has the wrong last dimension, or
        ``within`` is not positive.

    Examples
    --------
    >>> import gdcore
    >>> f = gdcore.functions.double_well()
    >>> [basin(f, m) for m in f.minima]
    [0, 1]
    """
    minima = getattr(objective, "minima", ())
    if not minima:
        raise ValueError("objective has no known minima (objective.minima is empty)")
    if within is not None and not (np.isfinite(within) and within > 0):
        raise ValueError(f"within must be a positive number, got {within!r}")
    m = np.stack([np.asarray(v, dtype=float) for v in minima])  # (n_minima, d)
    pts = np.asarray(x, dtype=float)
    if pts.ndim == 0 or pts.shape[-1] != m.shape[1]:
        raise ValueError(
            f"x must have shape (..., {m.shape[1]}) for this objective, got {pts.shape}"
        )
    dist = np.linalg.norm(pts[..., None, :] - m, axis=-1)  # (..., n_minima)
    finite = np.all(np.isfinite(pts), axis=-1)
    dist = np.where(finite[..., None], dist, np.inf)
    idx = np.argmin(dist, axis=-1)
    out = np.where(finite, idx, -1)
    if within is not None:
        out = np.where(np.min(dist, axis=-1) <= within, out, -1)
    return int(out) if out.ndim == 0 else out.astype(int)
