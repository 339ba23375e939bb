"""Plots for the book: landscapes, optimizer paths, loss curves, sweeps and schedules.

Every function draws on the matplotlib ``ax`` it is given (or on a new figure when ``ax`` is
``None``), returns the artist(s) it drew and never calls ``plt.show()``. Plot ranges come from
the objective's ``domain`` or from the data, never from constants. One small style dict,
:data:`STYLE`, gives every figure the same look; :data:`COLORS` is the colour cycle used for
optimizers (the first colour is the one a single path is drawn in).

The functions share the conventions of :mod:`gdcore`: parameters are arrays of shape
``(..., d)`` and :meth:`gdcore.Objective.value` evaluates a whole grid in one vectorised call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.quiver import Quiver

from ._objective import Objective
from ._validation import check_int
from .running import Trajectory
from .schedules import Schedule, rate_at

__all__ = [
    "COLORS",
    "STYLE",
    "contour",
    "curve",
    "fit_line",
    "gradient_field",
    "loss_curve",
    "lr_sweep",
    "path",
    "schedule",
    "surface",
]

#: The colour cycle for optimizers and runs, distinct from the contour map's colours.
COLORS: tuple[str, ...] = (
    "#d62728",  # red
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
)

#: The one style dict. Matplotlib rc settings plus the sizes of paths, markers and lines.
STYLE: dict[str, Any] = {
    "rc": {
        "font.size": 9.0,
        "axes.titlesize": 10.0,
        "axes.labelsize": 9.0,
        "xtick.labelsize": 8.0,
        "ytick.labelsize": 8.0,
        "legend.fontsize": 8.0,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=list(COLORS)),
    },
    "cmap": "viridis",  # contour lines and surfaces
    "contour_lw": 0.8,
    "contour_alpha": 0.75,
    "curve_color": "#333333",  # a 1-D objective's curve
    "curve_lw": 1.6,
    "path_lw": 1.5,  # optimizer paths (points)
    "path_ms": 3.5,  # iterate markers (points)
    "start_ms": 6.5,  # start marker (a hollow square)
    "current_ms": 8.0,  # the current iterate (a large dot)
    "loss_lw": 1.6,
    "min_color": "#222222",  # known minima: a black star
    "min_ms": 12.0,
    "data_color": "#7f7f7f",  # scatter of data points
    "data_ms": 4.0,
    "diverged_color": "#d62728",
}


# -- helpers -----------------------------------------------------------------------------------
def _axes(ax: Axes | None, projection: str | None = None) -> Axes:
    """``ax`` or a fresh one on a new pyplot figure (so that notebooks display it)."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
        if projection == "3d" and getattr(ax, "name", "") != "3d":
            raise ValueError("ax must be a 3-D axes (projection='3d') for surface()")
        return ax
    import matplotlib.pyplot as plt

    # The figure is made outside rc_context: creating it inside can make pyplot re-resolve the
    # backend when the context exits, after which the inline backend stops showing figures.
    fig = plt.figure(figsize=(5.0, 4.0) if projection == "3d" else (4.8, 3.6))
    with mpl.rc_context(STYLE["rc"]):
        return fig.add_subplot(projection=projection)


def _check_objective(objective: Any, dims: tuple[int, ...], fn: str) -> Objective:
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be a gdcore.Objective, got {type(objective).__name__}")
    if objective.dim not in dims:
        want = " or ".join(f"{d}-D" for d in dims)
        raise ValueError(f"{fn}() needs a {want} objective, got dim={objective.dim}")
    return objective


def _domain(objective: Objective, domain: Any) -> np.ndarray:
    """The plotting box: ``domain`` if given, else the objective's; shape ``(d, 2)``."""
    box = objective.domain if domain is None else np.asarray(domain, dtype=float)
    if box is None:
        raise ValueError(
            f"objective {objective.name!r} has no domain; pass domain=((low, high), ...)"
        )
    box = np.asarray(box, dtype=float).reshape(-1, 2)
    if box.shape[0] != objective.dim:
        raise ValueError(f"domain must have {objective.dim} (low, high) pairs, got {box.shape[0]}")
    if not np.all(np.isfinite(box)) or np.any(box[:, 0] >= box[:, 1]):
        raise ValueError(f"domain must be finite with low < high, got {box.tolist()}")
    return box


def param_labels(objective: Objective | None, d: int) -> list[str]:
    """Axis labels for the parameters: ``objective.param_names`` if set, else ``w`` / ``w_i``."""
    names = getattr(objective, "param_names", None)
    if names is not None and len(names) == d:
        return [f"${n}$" if "$" not in n else n for n in names]
    return ["$w$"] if d == 1 else [f"$w_{i + 1}$" for i in range(d)]


def grid(objective: Objective, domain: Any = None, resolution: int = 200) -> tuple:
    """``(X, Y, Z)``: a ``resolution``-square grid over a 2-D domain and ``f`` on it.

    ``f`` is evaluated in one vectorised call on the ``(resolution, resolution, 2)`` stack of
    points; non-finite values are masked.
    """
    box = _domain(objective, domain)
    xs = np.linspace(box[0, 0], box[0, 1], resolution)
    ys = np.linspace(box[1, 0], box[1, 1], resolution)
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        Z = np.asarray(objective.value(np.stack([X, Y], axis=-1)), dtype=float)
    return X, Y, np.ma.masked_invalid(Z)


def _levels(Z: np.ma.MaskedArray, levels: int | Sequence[float], log: bool | str) -> tuple:
    """Contour levels; log-spaced above the minimum when the values are very skewed."""
    if not isinstance(levels, (int, np.integer)):
        return np.asarray(levels, dtype=float), False
    z = Z.compressed()
    if z.size == 0:
        raise ValueError("the objective is not finite anywhere on the domain")
    lo, hi = float(z.min()), float(z.max())
    if hi <= lo:
        return np.array([lo]), False
    if log == "auto":
        # log spacing when half of the domain sits in the bottom tenth of the range
        log = float(np.median(z)) - lo < 0.1 * (hi - lo)
    if log:
        span = hi - lo
        return lo + np.geomspace(span * 1e-4, span, int(levels)), True
    return np.linspace(lo, hi, int(levels) + 2)[1:-1], False


def _mark_minima(ax: Axes, objective: Objective, box: np.ndarray) -> Line2D | None:
    pts = [m for m in objective.minima if np.all((m >= box[:, 0]) & (m <= box[:, 1]))]
    if not pts:
        return None
    pts = np.asarray(pts)
    if objective.dim == 1:
        with np.errstate(all="ignore"):
            xy = (pts[:, 0], np.asarray(objective.value(pts), dtype=float))
    else:
        xy = (pts[:, 0], pts[:, 1])
    (line,) = ax.plot(
        *xy,
        linestyle="none",
        marker="*",
        ms=STYLE["min_ms"],
        color=STYLE["min_color"],
        markeredgecolor="white",
        markeredgewidth=0.6,
        label="minimum",
        zorder=4,
    )
    return line


# -- landscapes ---------------------------------------------------------------------------------
def contour(
    objective: Objective,
    ax: Axes | None = None,
    *,
    levels: int | Sequence[float] = 20,
    log: bool | str = "auto",
    resolution: int = 200,
    domain: Any = None,
    filled: bool = False,
    minima: bool = True,
) -> QuadContourSet:
    r"""Contour lines of a 2-D objective over its domain, with its known minima as stars.

    The level sets :math:`\{x : f(x) = c\}` are drawn for ``levels`` values of :math:`c`.
    With ``log=True`` the levels are :math:`c_i = f_{\min} + \Delta\,10^{-4 + 4i/(n-1)}` (so the
    narrow valley of Rosenbrock's function shows); ``log="auto"`` picks this when half of the
    grid lies in the bottom tenth of the range of :math:`f`.

    Parameters
    ----------
    objective
        A 2-D :class:`gdcore.Objective`; ``f`` is evaluated once on the whole grid.
    ax
        Axes to draw on (a new figure when ``None``).
    levels
        Number of levels, or the level values themselves.
    log
        ``True``, ``False`` or ``"auto"``: log-spaced levels above the minimum.
    resolution
        Grid points per axis.
    domain
        Plotting box ``((x_lo, x_hi), (y_lo, y_hi))``; defaults to ``objective.domain``.
    filled
        Filled contours (``contourf``) instead of lines.
    minima
        Mark ``objective.minima`` that lie in the box (a ``Line2D`` labelled ``"minimum"``).

    Returns
    -------
    matplotlib.contour.QuadContourSet
    """
    objective = _check_objective(objective, (2,), "contour")
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, (int, np.integer))
        or resolution < 2
    ):
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    ax = _axes(ax)
    box = _domain(objective, domain)
    X, Y, Z = grid(objective, box, int(resolution))
    lv, _ = _levels(Z, levels, log)
    # one colour per level, evenly through the map (log-spaced levels get the whole map too);
    # the map's light yellow end is left out, it is hard to see on white
    colors = mpl.colormaps[STYLE["cmap"]](np.linspace(0.0, 0.88, len(lv) + (1 if filled else 0)))
    if filled:
        cs = ax.contourf(X, Y, Z, levels=lv, colors=colors, alpha=0.55, extend="max")
    else:
        cs = ax.contour(
            X,
            Y,
            Z,
            levels=lv,
            colors=colors,
            linewidths=STYLE["contour_lw"],
            alpha=STYLE["contour_alpha"],
        )
    if minima:
        _mark_minima(ax, objective, box)
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    xl, yl = param_labels(objective, 2)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    return cs


def surface(
    objective: Objective,
    ax: Axes | None = None,
    *,
    resolution: int = 80,
    domain: Any = None,
    log: bool = False,
) -> Any:
    r"""The graph :math:`z = f(x_1, x_2)` of a 2-D objective as a 3-D surface.

    With ``log=True`` the height is :math:`\log_{10}(f - f_{\min} + 10^{-3}\Delta)` (useful for
    steep functions). ``ax`` must be a 3-D axes (``projection="3d"``) or ``None``.

    Returns
    -------
    mpl_toolkits.mplot3d.art3d.Poly3DCollection
    """
    objective = _check_objective(objective, (2,), "surface")
    ax = _axes(ax, projection="3d")
    X, Y, Z = grid(objective, domain, int(resolution))
    Zf = Z.filled(np.nan)
    if log:
        lo = np.nanmin(Zf)
        Zf = np.log10(Zf - lo + 1e-3 * (np.nanmax(Zf) - lo))
    surf = ax.plot_surface(
        X,
        Y,
        Zf,
        cmap=STYLE["cmap"],
        linewidth=0,
        antialiased=True,
        rstride=1,
        cstride=1,
        alpha=0.95,
    )
    xl, yl = param_labels(objective, 2)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.set_zlabel("$\\log_{10} f$" if log else "$f$")
    return surf


def curve(
    objective: Objective,
    ax: Axes | None = None,
    *,
    resolution: int = 400,
    domain: Any = None,
    minima: bool = True,
) -> Line2D:
    r"""The graph :math:`y = f(w)` of a 1-D objective over its domain, minima starred.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve (``get_xdata()`` spans the domain).
    """
    objective = _check_objective(objective, (1,), "curve")
    ax = _axes(ax)
    box = _domain(objective, domain)
    w = np.linspace(box[0, 0], box[0, 1], int(resolution))
    with np.errstate(all="ignore"):
        fw = np.asarray(objective.value(w[:, None]), dtype=float)
    (line,) = ax.plot(w, fw, color=STYLE["curve_color"], lw=STYLE["curve_lw"], zorder=1)
    if minima:
        _mark_minima(ax, objective, box)
    ax.set_xlim(box[0])
    fin = fw[np.isfinite(fw)]
    if fin.size:
        pad = 0.06 * max(float(fin.max() - fin.min()), 1e-12)
        ax.set_ylim(float(fin.min()) - pad, float(fin.max()) + pad)
    ax.set_xlabel(param_labels(objective, 1)[0])
    ax.set_ylabel("$f(w)$")
    return line


def gradient_field(
    objective: Objective,
    ax: Axes | None = None,
    *,
    density: int = 15,
    domain: Any = None,
    normalize: bool = True,
) -> Quiver:
    r"""Arrows of the steepest-descent direction :math:`-\nabla f(x)` on a grid over the domain.

    With ``normalize=True`` every arrow has the same length and the colour shows
    :math:`\lVert \nabla f \rVert` (on a log scale); otherwise the arrow lengths are proportional
    to the gradient.

    Returns
    -------
    matplotlib.quiver.Quiver
    """
    objective = _check_objective(objective, (2,), "gradient_field")
    ax = _axes(ax)
    box = _domain(objective, domain)
    xs = np.linspace(box[0, 0], box[0, 1], int(density))
    ys = np.linspace(box[1, 0], box[1, 1], int(density))
    X, Y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        G = -np.asarray(objective.grad(np.stack([X, Y], axis=-1)), dtype=float)
    U, V = G[..., 0], G[..., 1]
    norm = np.hypot(U, V)
    if normalize:
        safe = np.where(norm > 0, norm, 1.0)
        q = ax.quiver(
            X,
            Y,
            U / safe,
            V / safe,
            np.log10(np.where(norm > 0, norm, np.nan)),
            cmap=STYLE["cmap"],
            angles="xy",
            pivot="mid",
            width=0.004,
        )
    else:
        q = ax.quiver(X, Y, U, V, color=STYLE["curve_color"], angles="xy", pivot="mid", width=0.004)
    ax.set_xlim(box[0])
    ax.set_ylim(box[1])
    xl, yl = param_labels(objective, 2)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    return q


# -- runs ---------------------------------------------------------------------------------------
def _runs(params: np.ndarray) -> list[np.ndarray]:
    """Split ``(k+1, d)`` or ``(k+1, B, d)`` params into single runs without NaN padding."""
    if params.ndim == 2:
        runs = [params]
    elif params.ndim == 3:
        runs = [params[:, b] for b in range(params.shape[1])]
    else:
        raise ValueError(f"params must have shape (k+1, d) or (k+1, B, d), got {params.shape}")
    return [r[np.all(~np.isnan(r), axis=-1)] for r in runs]


def path(
    trajectory_or_params: Trajectory | Any,
    ax: Axes | None = None,
    *,
    objective: Objective | None = None,
    color: str | None = None,
    label: str | None = None,
    markers: bool = True,
) -> Line2D | list[Line2D]:
    r"""Draw the iterates :math:`w_0, w_1, \dots` of a run.

    For 2-D parameters the iterates are joined in the parameter plane (draw :func:`contour`
    first, or pass ``objective`` with ``ax=None`` and the contour is drawn too). For 1-D
    parameters the points :math:`(w_k, f(w_k))` are drawn, ready to sit on :func:`curve`; their
    heights are the trajectory's losses, or ``objective(w_k)`` for a bare array. The start is a
    hollow square. A batched trajectory ``(k+1, B, d)`` draws one path per run.

    Returns
    -------
    matplotlib.lines.Line2D or list of them (one per run of a batch)
    """
    if isinstance(trajectory_or_params, Trajectory):
        params = np.asarray(trajectory_or_params.params, dtype=float)
        losses = np.asarray(trajectory_or_params.losses, dtype=float)
    else:
        try:
            params = np.asarray(trajectory_or_params, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                "trajectory_or_params must be a gdcore.Trajectory or an array of shape (k+1, d)"
            ) from exc
        losses = None
    if params.ndim < 2:
        raise ValueError(f"trajectory_or_params must have shape (k+1, d), got {params.shape}")
    d = params.shape[-1]
    if d not in (1, 2):
        raise ValueError(f"path() draws 1-D or 2-D parameters, got d={d}; use loss_curve()")
    if objective is not None and not isinstance(objective, Objective):
        raise TypeError(f"objective must be a gdcore.Objective, got {type(objective).__name__}")
    if ax is None and objective is not None:
        ax = _axes(None)
        (contour if d == 2 else curve)(objective, ax)
    ax = _axes(ax)
    lines = []
    for i, run in enumerate(_runs(params)):
        c = color or (COLORS[i % len(COLORS)] if params.ndim == 3 else COLORS[0])
        if d == 2:
            x, y = run[:, 0], run[:, 1]
        else:
            x = run[:, 0]
            if losses is not None:
                lv = losses if losses.ndim == 1 else losses[:, i]
                y = lv[: len(x)]
            elif objective is not None:
                with np.errstate(all="ignore"):
                    y = np.asarray(objective.value(run), dtype=float)
            else:
                raise ValueError("path() of bare 1-D params needs objective= for the heights f(w)")
        (line,) = ax.plot(
            x,
            y,
            color=c,
            lw=STYLE["path_lw"] if d == 2 else 0.9,
            ls="-" if d == 2 else "--",
            marker="o" if markers else None,
            ms=STYLE["path_ms"],
            label=label if i == 0 else None,
            zorder=3,
        )
        if len(x):
            ax.plot(x[:1], y[:1], zorder=3, **_start_marker(c))
        lines.append(line)
    return lines[0] if params.ndim == 2 else lines


def _start_marker(color: Any) -> dict[str, Any]:
    """Line2D style of a run's start point: a hollow square in the run's colour."""
    return {
        "ls": "none",
        "marker": "s",
        "ms": STYLE["start_ms"],
        "mfc": "white",
        "mec": color,
        "mew": 1.5,
    }


def _as_runs(trajs: Any) -> list[tuple[str | None, np.ndarray]]:
    """Normalise a trajectory / list / dict / array of losses to ``[(label, losses), ...]``."""
    if isinstance(trajs, Mapping):
        items = list(trajs.items())
    elif isinstance(trajs, Trajectory) or not isinstance(trajs, (list, tuple)):
        items = [(None, trajs)]
    else:
        items = [(None, t) for t in trajs]
    out = []
    for label, t in items:
        L = np.asarray(t.losses if isinstance(t, Trajectory) else t, dtype=float)
        if L.ndim == 1:
            out.append((label, L))
        elif L.ndim == 2:
            out += [(label if j == 0 else None, L[:, j]) for j in range(L.shape[1])]
        else:
            raise ValueError(f"losses must have shape (k+1,) or (k+1, B), got {L.shape}")
    return out


def _finite_prefix(v: np.ndarray) -> np.ndarray:
    """``v`` up to its first non-finite entry (a diverged or stopped run)."""
    bad = ~np.isfinite(v)
    return v[: int(np.argmax(bad))] if bad.any() else v


def loss_curve(
    trajs: Any,
    ax: Axes | None = None,
    *,
    log: bool = True,
    labels: Sequence[str] | None = None,
) -> list[Line2D]:
    r"""Loss :math:`f(w_k)` against the step :math:`k` for one run or several.

    ``trajs`` is a :class:`gdcore.Trajectory` (a batch draws one line per run), an array of
    losses, a list of them, or a dict ``{label: trajectory}`` (labels go in a legend). A
    diverged run is drawn up to its last finite loss, and its end is marked with an ``x``;
    NaN padding after a stopped run is dropped. With ``log=True`` the y axis is logarithmic
    (non-positive losses are left out).

    Returns
    -------
    list of matplotlib.lines.Line2D, one per run
    """
    ax = _axes(ax)
    runs = _as_runs(trajs)
    if labels is not None:
        if len(labels) != len(runs):
            raise ValueError(f"labels must have {len(runs)} entries, got {len(labels)}")
        runs = [(lab, L) for lab, (_, L) in zip(labels, runs, strict=True)]
    lines = []
    for i, (label, L) in enumerate(runs):
        v = _finite_prefix(L)
        diverged = len(v) < len(L) and not np.isnan(L[len(v)])
        steps = np.arange(len(v))
        if log:
            v = np.where(v > 0, v, np.nan)
        (line,) = ax.plot(steps, v, color=COLORS[i % len(COLORS)], lw=STYLE["loss_lw"], label=label)
        if diverged and len(v):
            ax.plot(steps[-1:], v[-1:], ls="none", marker="x", ms=7, mew=2, color=line.get_color())
        lines.append(line)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if any(lab for lab, _ in runs):
        ax.legend()
    return lines


def lr_sweep(
    lrs: Any,
    values: Any,
    ax: Axes | None = None,
    *,
    log: bool = True,
    label: str | None = None,
) -> Line2D:
    r"""A final loss (or any value) against the learning rate, on a log-scaled rate axis.

    Diverged runs are not joined: they are marked with a red ``x`` along the top of the axes,
    with one legend entry "diverged". For a Trajectory the value axis is labelled for what
    the runs did: "loss at convergence", "loss after N steps" (every run stopped at the step
    cap), or "final loss (converged, or after N steps)", where the runs that reached the step
    cap without converging are drawn hollow, with their own legend entry.

    Parameters
    ----------
    lrs
        The learning rates, all finite and > 0.
    values
        One value per rate, where NaN or infinity marks a diverged run; or the
        :class:`~gdcore.Trajectory` of a batched run over the rates (such as
        ``run(SGD(lr=lrs[:, None]), ...)``), whose runs' ``fun`` are drawn and whose runs with
        status ``"diverged"`` are marked as diverged whatever their last finite loss.
    ax
        Axes to draw on (default: the current axes).
    log
        Log-scale the value axis too. It is used only when every finite value is > 0: with a
        zero or negative value (a loss that can go below zero) the axis stays linear.
    label
        Legend label of the line.

    Returns
    -------
    matplotlib.lines.Line2D
        The line through the values of the runs that did not diverge.

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> from gdcore import plotting
    >>> lrs = np.geomspace(0.01, 1.0, 9)
    >>> f = gdcore.functions.quadratic(curvatures=[1.0, 4.0])
    >>> sweep = gdcore.run(gdcore.SGD(lr=lrs[:, None]), f, [1.0, 1.0], steps=50)
    >>> line = plotting.lr_sweep(lrs, sweep)
    >>> line.axes.get_ylabel(), len(line.get_xdata())   # the two rates past 2/L = 0.5 diverge
    ('loss after 50 steps', 7)
    """
    ax = _axes(ax)
    lrs = np.asarray(lrs, dtype=float).ravel()
    traj = values if isinstance(values, Trajectory) else None
    if traj is not None:
        values = np.asarray(traj.fun, dtype=float).ravel()
        status = np.asarray(traj.status).ravel()
        nit = np.asarray(traj.nit).ravel()
    else:
        values = np.asarray(values, dtype=float).ravel()
        status = np.where(np.isfinite(values), "", "diverged")
        nit = None
    if lrs.shape != values.shape:
        raise ValueError(
            f"lrs and values must have the same length, got {lrs.size} and {values.size}"
        )
    if np.any(lrs <= 0) or not np.all(np.isfinite(lrs)):
        raise ValueError("lrs must be finite and > 0")
    bad = (status == "diverged") | ~np.isfinite(values)
    ok = ~bad
    log = bool(log) and bool(np.all(values[ok] > 0))
    (line,) = ax.plot(
        lrs[ok],
        values[ok],
        marker="o",
        ms=STYLE["path_ms"],
        lw=STYLE["loss_lw"],
        color=COLORS[1],
        label=label,
    )
    ax.set_xscale("log")
    if log:
        ax.set_yscale("log")
    if bad.any():
        ax.plot(
            lrs[bad],
            np.ones(bad.sum()),
            ls="none",
            marker="x",
            ms=7,
            mew=2,
            color=STYLE["diverged_color"],
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            label="diverged",
        )
    ylabel = "loss"
    if traj is not None and ok.any():
        capped = ok & (status == "max_steps")
        cap = int(np.max(nit[capped])) if capped.any() else 0
        if not capped.any():
            ylabel = "loss at convergence"
        elif capped[ok].all():
            ylabel = f"loss after {cap} steps"
        else:
            ylabel = f"final loss (converged, or after {cap} steps)"
            ax.plot(
                lrs[capped],
                values[capped],
                ls="none",
                marker="o",
                ms=STYLE["path_ms"] + 2,
                mfc="white",
                color=line.get_color(),
                label=f"not converged in {cap} steps",
            )
    ax.set_xlabel("learning rate")
    ax.set_ylabel(ylabel)
    return line


def schedule(
    sched: Callable[[Any], Any], steps: int, ax: Axes | None = None, *, label: str | None = None
) -> Line2D:
    r"""The learning rate :math:`\eta_t` of a schedule for :math:`t = 0, \dots, \text{steps}-1`.

    ``sched`` is a :class:`~gdcore.schedules.Schedule` or any callable of the step count. A
    batched schedule (an array ``lr``, or a callable returning an array) draws one line per
    rate, all with the label (the first line is returned).

    Returns
    -------
    matplotlib.lines.Line2D

    Examples
    --------
    >>> import numpy as np, gdcore
    >>> from gdcore import plotting
    >>> s = gdcore.schedules.exponential_decay(np.array([[0.1], [0.05]]), gamma=0.99)
    >>> line = plotting.schedule(s, 100)
    >>> len(line.axes.lines), line.get_ydata()[:2].round(4).tolist()
    (2, [0.1, 0.099])
    """
    if not callable(sched):
        raise TypeError(
            f"sched must be a schedule (callable of the step count), got {type(sched).__name__}"
        )
    steps = check_int("steps", steps, low=1)
    ax = _axes(ax)
    t = np.arange(steps)
    if isinstance(sched, Schedule):
        values = sched.values(steps)
    else:
        values = np.array([np.asarray(rate_at(sched, int(k)), dtype=float) for k in t])
    values = values.reshape(steps, -1)
    lines = ax.plot(
        t,
        values,
        lw=STYLE["loss_lw"],
        color=COLORS[1] if values.shape[1] == 1 else None,
        drawstyle="steps-post",
        label=label if label is not None else repr(sched),
    )
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"learning rate $\eta_t$")
    return lines[0]


def fit_line(
    X: Any,
    y: Any,
    params: Any,
    ax: Axes | None = None,
    *,
    scatter: bool = True,
    color: str | None = None,
    label: str | None = None,
) -> Line2D:
    r"""Data of a 1-feature regression and the fitted line :math:`\hat y = w x + b`.

    ``params`` is ``[w, b]`` (gdcore's flat parameter order). The line spans the range of
    ``X``; with ``scatter=True`` the data points are drawn too.

    Returns
    -------
    matplotlib.lines.Line2D
        The fitted line.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if X.ndim != 1:
        raise ValueError(f"X must have one feature, shape (n,) or (n, 1), got {X.shape}")
    y = np.asarray(y, dtype=float).ravel()
    if y.shape != X.shape:
        raise ValueError(f"y must have shape ({X.size},), got {y.shape}")
    p = np.asarray(params, dtype=float).ravel()
    if p.shape != (2,):
        raise ValueError(f"params must be [w, b], got shape {p.shape}")
    ax = _axes(ax)
    if scatter:
        ax.plot(
            X,
            y,
            ls="none",
            marker="o",
            ms=STYLE["data_ms"],
            color=STYLE["data_color"],
            alpha=0.7,
            zorder=1,
        )
    xs = np.array([X.min(), X.max()])
    (line,) = ax.plot(xs, p[0] * xs + p[1], color=color or COLORS[0], lw=2.0, label=label, zorder=3)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    return line


def scatter_data(X: Any, y: Any, ax: Axes) -> PathCollection:
    """Scatter of 1-feature data (used by the explorer's "fit" panel)."""
    X = np.asarray(X, dtype=float).reshape(len(y), -1)[:, 0]
    return ax.scatter(
        X,
        np.asarray(y, dtype=float),
        s=STYLE["data_ms"] ** 2,
        color=STYLE["data_color"],
        alpha=0.7,
        zorder=1,
        linewidths=0,
    )
