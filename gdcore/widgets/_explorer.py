"""``explore``: an interactive gradient-descent explorer (live ipywidget + static HTML form)."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import numpy as np

from .._objective import Objective
from ..running import Trajectory
from . import _schema
from ._figure import ExplorerFigure, loss_limits
from ._schema import STATUS_CODES
from ._spec import lr_labels, make_spec, mark_rows, prefix, status_text

__all__ = ["Explorer", "explore"]

STATIC_ENV = "GDCORE_STATIC_HTML"
LIVE_DPI = 100  # the live PNG is drawn at the figure's CSS size (fast to draw and encode)
LR_DESC_PX = 110  # width of the learning-rate slider's description (its marks strip aligns)
LIVE_TRACK = (LR_DESC_PX + 14, 82)  # px left and right of the slider track in the 330 px box
LIVE_PANEL_BASIS = 290  # px: panels share a row while each gets this much, else they wrap
CACHE_BYTES = 64 * 2**20  # bound of an explorer's cached blocks of runs (the newest always kept)
EAGER_BLOCK_S = 0.1  # a combination whose blocks took longer than this is run position by position
SINGLES_KEPT = 64  # single runs kept per explorer (exact ones for .trajectory, and fallbacks)


@dataclass
class _Block:
    """One batched run of a series over every learning-rate position (``Spec.run_block``)."""

    runs: Trajectory
    vlosses: np.ndarray | None  # validation losses along every run, (K + 1, L)
    nbytes: int


@dataclass
class _Shown:
    """What the picture and the status line show of one run (views, no copies)."""

    params: np.ndarray  # (nit + 1, d)
    losses: np.ndarray  # (nit + 1,)
    status: str
    nit: int
    vlosses: np.ndarray | None  # (nit + 1,) with a validation loss


def explore(
    objective: Objective,
    x0: Any = None,
    *,
    optimizer: str = "sgd",
    lr: float | None = None,
    lr_range: tuple[float, float] | None = None,
    steps: int | None = None,
    max_steps: int = 100,
    options: Mapping[str, Sequence[Any]] | None = None,
    optimizers: Mapping[str, Mapping[str, Any]] | None = None,
    compare: bool = False,
    panels: Sequence[str] | None = None,
    title: str | None = None,
    marks: Mapping[str, float] | None = None,
    validation: Objective | None = None,
    tol: float | None = 1e-6,
    lr_points: int = 25,
    seed: int = 0,
) -> Explorer:
    r"""An interactive explorer of gradient descent on ``objective``.

    Sliders set the learning rate (log scale) and the number of steps shown; optional controls
    set optimizer hyperparameters, the batch size, the start point or the optimizer. Every
    change redraws the path on the landscape and the loss :math:`f(w_k)` against the step
    :math:`k`. The runs come from one batched :func:`gdcore.run` over all grid learning rates
    per combination of the other controls. Displayed in Jupyter it is a live ipywidget, which
    computes a combination's batch the first time it is shown and keeps it (in a bounded cache),
    so that moving the learning-rate or the step slider only looks the run up and redraws; in
    the built book (environment variable ``GDCORE_STATIC_HTML=1``) it is also a self-contained
    HTML block with every combination's batch precomputed.

    Parameters
    ----------
    objective
        A :class:`gdcore.Objective`: 1-D (curve view), 2-D (contour view) or n-D (loss view).
    x0
        Start point, shape ``(d,)``. May be omitted when ``options`` has ``"start"`` (the first
        start is used) or the objective has an attribute ``x0``.
    optimizer
        Name in ``gdcore.optimizers.OPTIMIZERS`` (``"sgd"``, ``"adagrad"``, ``"rmsprop"``,
        ``"adam"``, ``"adamw"``); with ``optimizers`` (and ``compare=False``) the label selected
        first in the "optimizer" dropdown.
    lr
        Initial learning rate, in ``lr_range`` (default 0.1, or the selected entry's ``lr``).
        With ``compare=True`` it is the multiplier of each optimizer's own rate (default 1).
    lr_range
        ``(low, high)`` of the log-scaled learning-rate slider, default ``(1e-3, 1)``; with
        ``compare=True`` the multiplier's range, default ``(0.1, 10)``. The slider's positions
        are ``lr_points`` log-spaced values across the range on a lattice through ``lr`` (so
        ``lr`` is exact; if ``lr`` is off the lattice through ``low`` the ends move outwards
        by less than one position), plus the ``marks``.
    steps
        Initial number of steps shown, ``0 <= steps <= max_steps``; default
        ``min(30, max_steps)``.
    max_steps
        Length of every run (the step slider only reveals a prefix).
    options
        Extra controls, each a list of values, the first selected initially:
        ``"momentum"`` (SGD, RMSprop), ``"beta1"``/``"beta2"`` (Adam's ``betas``), ``"gamma"``
        (exponential learning-rate decay :math:`\eta_t = \eta\gamma^t`), ``"warmup"`` (a linear
        warm-up over that many steps, then cosine decay to 0 at ``max_steps``:
        :func:`gdcore.schedules.warmup_cosine`), ``"max_norm"`` (gradient clipping by norm,
        :class:`gdcore.optimizers.ClipGradNorm`; ``None`` is off), ``"batch_size"``
        (losses on data; ``None`` is the full batch), ``"start"`` (start points, a dropdown)
        and any other keyword argument of the optimizer(s) (``"weight_decay"``, ``"alpha"``...).
    optimizers
        ``{label: {kwargs}}``, e.g. ``{"SGD": {"lr": 0.01}, "Adam": {"lr": 0.1}}``. The
        optimizer is the label (case-insensitive) or an ``"optimizer"`` entry:
        ``{"momentum": {"optimizer": "sgd", "momentum": 0.9, "lr": 0.01}}``. With
        ``compare=False`` an "optimizer" dropdown (choosing one jumps the learning rate to
        its ``lr``); with ``compare=True`` all are drawn at once.
    compare
        Race the ``optimizers``: one path and loss line each, with a legend; the slider
        "learning rate ×" multiplies every optimizer's own ``lr``.
    panels
        Panels, one image each, side by side (stacked at full width on screens narrower
        than 600 px): default ``["curve", "loss"]`` (1-D), ``["contour", "loss"]``
        (2-D), ``["loss"]`` otherwise; ``"fit"`` adds the data and the current fitted line
        for a loss on 1-feature data (``objective.X``, ``objective.y``, params ``[w, b]``).
    title
        Text above the controls.
    marks
        ``{label: value}`` pinned onto the learning-rate slider (the multiplier's slider with
        ``compare=True``), e.g. ``{"2/L": 0.2}``: each value, which must lie in ``lr_range``,
        is an exact position of the slider, drawn as a labelled tick under it. Lattice points
        closer to a mark than a third of the lattice step are dropped.
    validation
        A second :class:`gdcore.Objective` with the same parameters, typically the same loss on
        held-out data: the loss panel draws it along every run (dashed) next to the loss being
        minimised (solid), so that overfitting shows as the dashed line turning up.
    tol
        Gradient-norm tolerance of the runs: a run stops as *converged* when
        :math:`\lVert\nabla f(w_k)\rVert \le` ``tol`` (``None``: never).
    lr_points
        Number of learning-rate slider positions across ``lr_range``.
    seed
        Seed of the mini-batch shuffles (``numpy.random.default_rng(seed)`` for every run).

    Returns
    -------
    Explorer
        ``ex.controls[description]`` (the widgets: "learning rate", "steps", and one per
        option), ``ex.status`` (HTML status line), ``ex.images`` (one PNG per panel),
        ``ex.figure``,
        ``ex.trajectory`` (equal to ``gdcore.run`` with the current settings and ``steps``;
        a dict by label in compare mode). Setting a control's ``value`` updates at once;
        ``ex.set(lr=..., steps=...)``, ``ex.trajectory_at(...)`` and ``ex.positions(key)``
        address the controls by key with exact values.

    Raises
    ------
    TypeError, ValueError
        For a bad argument; the message names it and the allowed values.
    """
    spec = make_spec(
        objective,
        x0,
        optimizer=optimizer,
        lr=lr,
        lr_range=lr_range,
        steps=steps,
        max_steps=max_steps,
        options=options,
        optimizers=optimizers,
        compare=compare,
        panels=panels,
        title=title,
        marks=marks,
        validation=validation,
        tol=tol,
        lr_points=lr_points,
        seed=seed,
    )
    return Explorer(spec)


class Explorer:
    """An explorer; display it (last line of a cell) to show it. Made by :func:`explore`.

    Attributes
    ----------
    controls : dict[str, ipywidgets.Widget]
        The controls by description ("learning rate" or "learning rate ×", "steps", options).
    status : ipywidgets.HTML
        One line: "converged after 41 steps", "diverged after 12 steps",
        "after 30 steps: loss 0.0123" (one entry per optimizer in compare mode).
    images : dict[str, ipywidgets.Image]
        One PNG per panel, by panel name, in a box that wraps (the panels stack on a narrow
        screen).
    figure : matplotlib.figure.Figure
        The figure behind the images (the panels side by side).
    widget : ipywidgets.VBox
        The whole live widget.
    error : str or None
        The error of the last redraw, also shown in the status line (``None`` if it worked).
    """

    def __init__(self, spec: Any) -> None:  # a validated Spec from explore()
        self.spec = spec
        self._values = spec.initial_values()
        self._lr_index = int(spec.lr_index)
        self._lr = float(spec.lr_grid[spec.lr_index])
        self._steps = spec.steps
        self._runs: dict[int, _Shown] = {}
        self._blocks: OrderedDict[tuple, _Block] = OrderedDict()
        self._singles: OrderedDict[tuple, tuple[Trajectory, np.ndarray | None]] = OrderedDict()
        self._static_html: str | None = None
        self._hold = False

        # the blocks of the initial settings: one batched run per series over every slider
        # position (the loss panel's limits come from them; a learning-rate change is a lookup)
        t0 = time.perf_counter()
        samples = [self._block(i, self._values) for i in spec.active_series(self._values)]
        # a combination this slow is not batched on a change: one run per position visited
        self._eager = time.perf_counter() - t0 <= EAGER_BLOCK_S
        losses = [b.runs.losses for b in samples]
        diverged = [b.runs.diverged for b in samples]
        if spec.validation is not None:
            losses += [b.vlosses for b in samples]
            diverged += diverged
        limits = loss_limits(spec, losses, diverged)
        self._fig = ExplorerFigure(spec, limits, dpi=LIVE_DPI)
        self.error: str | None = None
        self._build_controls()
        self._rerun()
        self._redraw()
        for i in self._runs:  # the exact runs of the initial settings (what .trajectory returns)
            self._single(i, self._values, self._lr_index)

    # -- widgets ---------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        spec = self.spec
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="330px")
        lr_options = list(
            zip(lr_labels(spec.lr_grid), (float(v) for v in spec.lr_grid), strict=True)
        )
        lr = widgets.SelectionSlider(
            options=lr_options,
            value=self._lr,
            description=spec.lr_name,
            style={"description_width": f"{LR_DESC_PX}px"},
            layout=layout,
            continuous_update=True,
        )
        steps = widgets.IntSlider(
            value=spec.steps,
            min=0,
            max=spec.max_steps,
            description="steps",
            style=style,
            layout=layout,
        )
        self.controls: dict[str, widgets.Widget] = {spec.lr_name: lr, "steps": steps}
        self._keys = {"lr": spec.lr_name, "steps": "steps"}
        for o in spec.options:
            opts = list(zip(o.labels, o.widget_values(), strict=True))
            value = opts[o.index][1]
            if o.kind == "dropdown":
                w = widgets.Dropdown(
                    options=opts, value=value, description=o.name, style=style, layout=layout
                )
            else:
                w = widgets.SelectionSlider(
                    options=opts,
                    value=value,
                    description=o.name,
                    style=style,
                    layout=layout,
                    continuous_update=True,
                )
            self.controls[o.name] = w
            self._keys[o.key] = o.name
        for name, w in self.controls.items():
            w.observe(self._on_change, names="value")
            w._gd_name = name
        self.images = {
            p["panel"]: widgets.Image(
                value=b"",
                format="png",
                layout=widgets.Layout(
                    flex=f"1 1 {min(LIVE_PANEL_BASIS, p['size'][0])}px",
                    max_width=f"{p['size'][0]}px",
                    min_width="0",
                    height="auto",
                    align_self="flex-start",
                ),
            )
            for p in self._fig.geometry()
        }
        self.status = widgets.HTML(value="")
        children: list[widgets.Widget] = []
        if spec.title:
            children.append(widgets.HTML(value=f"<b>{_escape(spec.title)}</b>"))
        boxes = list(self.controls.values())
        if spec.marks:  # the learning-rate slider with its marks strip underneath
            self.marks = widgets.HTML(value=_marks_html(spec), layout=widgets.Layout(width="330px"))
            boxes[0] = widgets.VBox([lr, self.marks])
        children += [
            widgets.HBox(boxes, layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox(list(self.images.values()), layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
        ]
        self.widget = widgets.VBox(children)

    def _on_change(self, change: dict[str, Any]) -> None:
        if self._hold:
            return
        name = change["owner"]._gd_name
        if name == "steps":
            self._steps = int(change["new"])
            self._update(rerun=False)
            return
        if name == self.spec.lr_name:
            self._set_lr(self.spec.index("lr", float(change["new"])))
        else:
            o = next(o for o in self.spec.options if o.name == name)
            index = o.widget_values().index(change["new"])
            self._values[o.key] = index
            if o.key == "optimizer":
                s = self.spec.series[index]
                if s.lr is not None:  # jump to this optimizer's own rate (nearest position)
                    self._set_lr(int(np.argmin(np.abs(np.log(self.spec.lr_grid / s.lr)))))
                    self._hold = True
                    try:
                        self.controls[self.spec.lr_name].value = self._lr
                    finally:
                        self._hold = False
        self._update(rerun=True)

    def _set_lr(self, j: int) -> None:
        self._lr_index = j
        self._lr = float(self.spec.lr_grid[j])

    # -- setting controls by key ----------------------------------------------------------------
    def _resolve(self, values: Mapping[str, Any]) -> tuple[float, int, dict[str, int]]:
        """(lr, steps, option indices) with ``values`` applied; ValueError for a non-position."""
        spec = self.spec
        lr, steps, opts = self._lr, self._steps, dict(self._values)
        for key, value in values.items():
            if key not in spec.keys():
                raise ValueError(f"no control {key!r}; the controls are {spec.keys()}")
            i = spec.index(key, value)
            if key == "lr":
                lr = float(spec.lr_grid[i])
            elif key == "steps":
                steps = i
            else:
                opts[key] = i
        return lr, steps, opts

    def set(self, **values: Any) -> Explorer:
        """Move controls to exact positions: ``ex.set(lr=0.5, steps=60, momentum=0.9)``.

        Keys are ``"lr"`` (the multiplier in compare mode), ``"steps"`` and the options'
        keys (``"momentum"``, ``"start"``, ``"batch_size"``, ``"optimizer"`` (a label)...).
        Every value must be exactly one of :meth:`positions` of its control, else a
        ``ValueError`` names the control and the nearest positions (nothing is changed).
        Returns the explorer, redrawn once.
        """
        lr, steps, opts = self._resolve(values)
        self._hold = True
        try:
            self.controls[self.spec.lr_name].value = lr
            self.controls["steps"].value = steps
            for o in self.spec.options:
                self.controls[o.name].value = o.widget_values()[opts[o.key]]
        finally:
            self._hold = False
        self._set_lr(self.spec.index("lr", lr))
        self._steps, self._values = steps, opts
        self._update(rerun=True)
        return self

    def trajectory_at(self, **values: Any) -> Trajectory | dict[str, Trajectory]:
        """What the explorer shows with the controls at ``values``, leaving the widget as it is.

        The same keys and checks as :meth:`set`; controls not given keep their current values.
        Equal to ``gdcore.run`` with those settings and ``steps``; a dict by label in compare
        mode.
        """
        lr, steps, opts = self._resolve(values)
        j = self.spec.index("lr", lr)
        out = {
            self.spec.series[i].label: prefix(self._single(i, opts, j)[0], steps, self.spec.tol)
            for i in self.spec.active_series(opts)
        }
        return out if self.spec.compare else next(iter(out.values()))

    def positions(self, key: str) -> list[Any]:
        """The exact values control ``key`` can take (``"lr"``, ``"steps"``, option keys)."""
        return self.spec.positions(key)

    # -- computing and drawing -------------------------------------------------------------------
    # A control change: _update -> _rerun (not for the step slider: for each series drawn, its
    # column of the cached block of runs over every learning-rate position, the block computed
    # on first use by one batched gdcore.run, as the static form does) -> _redraw
    # (ExplorerFigure.update blits the moving artists onto the cached background,
    # changed_pngs() encodes the panels whose pixels changed, only those images and the status
    # are set). .trajectory and trajectory_at are single gdcore.run calls (equal to the batched
    # columns up to rounding in the last bits of matrix products), kept in a small cache.
    def _update(self, rerun: bool) -> None:
        """Rerun (if asked) and redraw; an error is shown in the status line, not swallowed."""
        try:
            if rerun:
                self._rerun()
            self._redraw()
            self.error = None
        except Exception as exc:  # shown to the reader, kept in ex.error
            self.error = f"{type(exc).__name__}: {exc}"
            self.status.value = (
                f'<span style="color:#b00020">{_escape(_schema.ERROR_PREFIX + self.error)}</span>'
            )

    def _block(self, i: int, values: Mapping[str, int]) -> _Block:
        """The block of series ``i`` for option indices ``values``: cached, else computed."""
        key = self.spec.block_key(i, values)
        block = self._blocks.get(key)
        if block is not None:
            self._blocks.move_to_end(key)
            return block
        runs = self.spec.run_block(i, values)
        v = None if self.spec.validation is None else self.spec.validation_losses(runs.params)
        size = runs.params.nbytes + runs.losses.nbytes + runs.grad_norms.nbytes
        block = _Block(runs, v, size + (0 if v is None else v.nbytes))
        self._blocks[key] = block
        total = sum(b.nbytes for b in self._blocks.values())
        while total > CACHE_BYTES and len(self._blocks) > 1:
            total -= self._blocks.popitem(last=False)[1].nbytes
        return block

    def _single(
        self, i: int, values: Mapping[str, int], j: int
    ) -> tuple[Trajectory, np.ndarray | None]:
        """The single ``gdcore.run`` of series ``i`` at position ``j`` (and its validation
        losses), cached."""
        key = (self.spec.block_key(i, values), j)
        hit = self._singles.get(key)
        if hit is not None:
            self._singles.move_to_end(key)
            return hit
        t = self.spec.run(self.spec.series[i], float(self.spec.lr_grid[j]), values)
        v = None if self.spec.validation is None else self.spec.validation_losses(t.params)
        self._singles[key] = (t, v)
        while len(self._singles) > SINGLES_KEPT:
            self._singles.popitem(last=False)
        return t, v

    def _lookup(self, i: int, values: Mapping[str, int], j: int) -> _Shown:
        """Run ``j`` of series ``i``: a column of its block, or a single run when the blocks
        of this explorer are too slow to compute on a change and this one is not cached."""
        key = self.spec.block_key(i, values)
        if self._eager or key in self._blocks:
            b = self._block(i, values)
            t, n = b.runs, int(b.runs.nit[j])
            v = None if b.vlosses is None else b.vlosses[: n + 1, j]
            return _Shown(t.params[: n + 1, j], t.losses[: n + 1, j], str(t.status[j]), n, v)
        t, v = self._single(i, values, j)
        return _Shown(t.params, t.losses, str(t.status), int(t.nit), v)

    def _rerun(self) -> None:
        self._runs = {
            i: self._lookup(i, self._values, self._lr_index)
            for i in self.spec.active_series(self._values)
        }

    def _shown(self) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]]:
        out = []
        for i, r in self._runs.items():
            n = min(self._steps, r.nit) + 1
            v = None if r.vlosses is None else r.vlosses[:n]
            out.append((i, r.params[:n], r.losses[:n], v))
        return out

    def _status(self) -> str:
        parts = []
        for i, r in self._runs.items():
            k = min(self._steps, r.nit)
            text = status_text(STATUS_CODES[r.status], r.nit, self._steps, float(r.losses[k]))
            label = self.spec.series[i].label
            parts.append(f"{label}{_schema.LABEL_SEPARATOR}{text}" if self.spec.compare else text)
        return _schema.SERIES_SEPARATOR.join(parts)

    def _redraw(self) -> None:
        self._fig.update(self._shown())
        for image, png in zip(self.images.values(), self._fig.changed_pngs(), strict=True):
            if png is not None:  # an unchanged panel is neither encoded nor sent
                image.value = png
        self.status.value = self._status()

    # -- public ----------------------------------------------------------------------------------
    @property
    def figure(self) -> Any:
        """The matplotlib figure (its Agg canvas holds the current picture)."""
        return self._fig.fig

    @property
    def trajectory(self) -> Trajectory | dict[str, Trajectory]:
        """What ``gdcore.run`` returns for the current settings with ``steps`` = the step slider.

        A dict ``{label: Trajectory}`` in compare mode.
        """
        out = {
            self.spec.series[i].label: prefix(
                self._single(i, self._values, self._lr_index)[0], self._steps, self.spec.tol
            )
            for i in self._runs
        }
        return out if self.spec.compare else next(iter(out.values()))

    @property
    def lr(self) -> float:
        """The current learning rate (the multiplier in compare mode)."""
        return self._lr

    def to_html(self) -> str:
        """The self-contained static HTML form (no kernel, no network)."""
        if self._static_html is None:
            from ._static import render_html

            self._static_html = render_html(self.spec)
        return self._static_html

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/plain"] = repr(self)
        if os.environ.get(STATIC_ENV) == "1":
            bundle["text/html"] = self.to_html()
        return bundle

    def __repr__(self) -> str:
        names = ", ".join(self.controls)
        return f"Explorer({self.spec.objective.name!r}, controls: {names})"


def _marks_html(spec: Any) -> str:
    """Labelled ticks under the live learning-rate slider, placed by percentage of its track."""
    n = len(spec.lr_grid)
    left, right = LIVE_TRACK
    rows = mark_rows(spec.marks, n, 330 - left - right)
    parts = []
    for (label, i), row in zip(spec.marks, rows, strict=True):
        pct = 100.0 * i / max(n - 1, 1)
        parts.append(
            f'<span style="position:absolute;left:{pct:.3f}%;top:0;height:5px;'
            f'border-left:1px solid #555"></span>'
            f'<span style="position:absolute;left:{pct:.3f}%;top:{5 + 14 * row}px;'
            f'transform:translateX(-50%);white-space:nowrap">{_escape(label)}</span>'
        )
    height = 5 + 14 * (max(rows) + 1)
    return (
        f'<div class="gd-marks" style="position:relative;height:{height}px;'
        f'margin:-4px {right}px 0 {left}px;font-size:11px;line-height:14px;color:#444">'
        + "".join(parts)
        + "</div>"
    )


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
