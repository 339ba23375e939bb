"""The explorer's specification: validated arguments, the learning-rate positions and the runs.

Both forms of the explorer (the live ipywidget and the static HTML block) read one
:class:`Spec`. Every trajectory either form shows comes from :func:`gdcore.run` through
:meth:`Spec.run` (one run, or one batched run over all learning-rate positions), so the math
has a single source. The options (momentum, start, batch size...) come from the registry in
:mod:`._options`.
"""

from __future__ import annotations

import copy
import itertools
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import losses
from .._objective import Objective
from .._validation import check_int, check_point, check_real
from ..optimizers import OPTIMIZERS, Optimizer
from ..running import MAX_STEPS, Trajectory, _message, run
from . import _schema
from ._options import OptionDef, RunSetting, known, lookup


@dataclass
class Series:
    """One optimizer the explorer can run: a label, its class and its keyword arguments."""

    label: str
    cls: type[Optimizer]
    kwargs: dict[str, Any]
    lr: float | None  # its own learning rate (base rate in compare mode), if given


@dataclass
class Option:
    """A discrete control: ``key``, ``name`` (its text), values, labels and its definition.

    ``definition`` is the registry entry (``None`` for the optimizer dropdown, whose values
    are the indices of the series).
    """

    key: str
    name: str
    values: list[Any]
    labels: list[str]
    kind: str  # "slider" or "dropdown"
    index: int = 0  # initially selected
    definition: OptionDef | None = None

    def positions(self) -> list[Any]:
        """The exact values of the control (what ``Explorer.set`` accepts).

        Start points are tuples of floats, the full batch is ``None``, optimizers are labels.
        """
        if self.key == "optimizer":
            return list(self.labels)
        if self.key == "start":
            return [tuple(float(v) for v in p) for p in self.values]
        return list(self.values)

    def matches(self, i: int, value: Any) -> bool:
        """Whether ``value`` is exactly position ``i``."""
        if self.key == "optimizer":
            return isinstance(value, str) and value == self.labels[i]
        if self.key == "start":
            try:
                v = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                return False
            return v.shape == self.values[i].shape and bool(np.all(v == self.values[i]))
        if self.values[i] is None:
            return value is None or (isinstance(value, str) and value == "full")
        return (
            isinstance(value, (numbers.Real, np.bool_))
            and not isinstance(value, str)
            and value == self.values[i]
        )

    def widget_values(self) -> list[Any]:
        """Values as the live widget holds them (hashable; ``None`` batch size is "full")."""
        if self.key == "optimizer":
            return list(self.labels)
        if self.key == "start":
            return [tuple(float(v) for v in p) for p in self.values]
        return ["full" if v is None else v for v in self.values]


@dataclass
class Spec:
    """Everything an explorer shows, checked: see :func:`make_spec`."""

    objective: Objective
    dim: int
    x0: np.ndarray | None
    lr_grid: np.ndarray
    lr_index: int
    marks: list[tuple[str, int]]  # (label, index into lr_grid) of each mark
    steps: int
    max_steps: int
    options: list[Option]
    series: list[Series]
    compare: bool
    panels: list[str]
    title: str | None
    tol: float | None
    seed: int
    fit_kind: str | None = None
    data: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    validation: Objective | None = None  # a second loss drawn along the same runs

    def validation_losses(self, params: np.ndarray) -> np.ndarray:
        """The validation loss at every point of ``params`` (``(..., d)``; NaN rows stay NaN)."""
        assert self.validation is not None
        with np.errstate(all="ignore"):
            return np.asarray(self.validation.value(params), dtype=float)

    @property
    def lr_name(self) -> str:
        return "learning rate ×" if self.compare else "learning rate"

    def keys(self) -> list[str]:
        """The controls' keys: ``"lr"``, ``"steps"`` and each option's."""
        return ["lr", "steps", *[o.key for o in self.options]]

    def control_name(self, key: str) -> str:
        if key == "lr":
            return self.lr_name
        o = self.option(key)
        return "steps" if o is None else o.name

    def positions(self, key: str) -> list[Any]:
        """The exact values control ``key`` can take, in slider order."""
        if key == "lr":
            return [float(v) for v in self.lr_grid]
        if key == "steps":
            return list(range(self.max_steps + 1))
        o = self.option(key)
        if o is None:
            raise ValueError(f"no control {key!r}; the controls are {self.keys()}")
        return o.positions()

    def index(self, key: str, value: Any) -> int:
        """The position of ``value`` on control ``key`` (ValueError if it is not one exactly)."""
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if key == "lr":
            ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            hits = np.flatnonzero(self.lr_grid == float(value)) if ok else []
            if len(hits):
                return int(hits[0])
        elif key == "steps":
            ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            if ok and float(value).is_integer() and 0 <= value <= self.max_steps:
                return int(value)
        else:
            o = self.option(key)
            if o is None:
                raise ValueError(f"no control {key!r}; the controls are {self.keys()}")
            for i in range(len(o.values)):
                if o.matches(i, value):
                    return i
        raise ValueError(
            f"{value!r} is not a position of the {self.control_name(key)!r} control "
            f"({key}=); {self._nearest(key, value)}"
        )

    def _nearest(self, key: str, value: Any) -> str:
        pos = self.positions(key)
        numeric = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
        if key == "steps" and numeric and math.isfinite(value):
            k = min(max(math.floor(value), 0), self.max_steps)
            near = sorted({k, min(k + 1, self.max_steps)})
        elif (
            numeric
            and math.isfinite(value)
            and all(
                isinstance(p, numbers.Real) and not isinstance(p, (bool, np.bool_)) for p in pos
            )
        ):
            x = np.asarray(pos, dtype=float)
            if key == "lr" and value > 0:
                dist = np.abs(np.log(x) - math.log(value))
            else:
                dist = np.abs(x - value)
            near = [pos[i] for i in sorted(np.argsort(dist, kind="stable")[:2])]
        else:
            near = pos if len(pos) <= 8 else [*pos[:4], "...", *pos[-4:]]
        text = "nearest positions: " + ", ".join(repr(p) for p in near)
        if key == "lr" and self.marks:
            text += "; marks: " + ", ".join(
                f"{label!r}: {float(self.lr_grid[i])!r}" for label, i in self.marks
            )
        return text

    def option(self, key: str) -> Option | None:
        for o in self.options:
            if o.key == key:
                return o
        return None

    # -- turning control values into runs --------------------------------------------------------
    def active_series(self, values: Mapping[str, Any]) -> list[int]:
        """Indices of the series drawn for these option values (all of them in compare mode)."""
        if self.compare:
            return list(range(len(self.series)))
        if self.option("optimizer") is not None:
            return [int(values["optimizer"])]
        return [0]

    def setting(self, s: Series, lr: Any, values: Mapping[str, Any]) -> RunSetting:
        """The run of series ``s`` at slider value ``lr`` with option indices ``values``."""
        assert self.x0 is not None or self.option("start") is not None
        setting = RunSetting(
            cls=s.cls,
            kwargs=dict(s.kwargs),
            lr=lr * s.lr if self.compare else lr,
            x0=self.x0,
            total_steps=self.max_steps,
        )
        defined = [o for o in self.options if o.definition is not None]
        for o in sorted(defined, key=lambda o: o.definition.stage):
            if o.definition.applies(s.cls):
                o.definition.apply(setting, o.values[int(values[o.key])])
        return setting

    def optimizer(self, s: Series, lr: Any, values: Mapping[str, Any]) -> Optimizer:
        """The optimizer of series ``s`` at slider value ``lr`` (a float or an ``(L, 1)`` array)."""
        return self.setting(s, lr, values).optimizer()

    def run(
        self, s: Series, lr: Any, values: Mapping[str, Any], steps: int | None = None
    ) -> Trajectory:
        """``gdcore.run`` for series ``s``; ``lr`` an ``(L, 1)`` array runs a batch over it."""
        setting = self.setting(s, lr, values)
        x0 = setting.x0
        if np.ndim(lr):
            x0 = np.broadcast_to(x0, (np.shape(lr)[0], self.dim))
        return run(
            setting.optimizer(),
            self.objective,
            x0,
            self.max_steps if steps is None else steps,
            tol=self.tol,
            batch_size=setting.batch_size,
            rng=np.random.default_rng(self.seed),
        )

    def block_key(self, i: int, values: Mapping[str, Any]) -> tuple:
        """What the runs of series ``i`` depend on: its index and the options it takes.

        Combinations of option values that differ only in an option series ``i`` ignores
        (``beta1`` for SGD, say) have the same key, and share one :meth:`run_block`.
        """
        s = self.series[i]
        return (i, *[(o.key, int(values[o.key])) for o in self.options if self.relevant(o, s)])

    def run_block(self, i: int, values: Mapping[str, Any]) -> Trajectory:
        """One batched ``gdcore.run`` of series ``i`` over every learning-rate position.

        ``lr`` has shape ``(L, 1)`` (``L = len(lr_grid)``): column ``j`` of the result is the run
        at slider position ``j``. Both forms of the explorer draw these blocks (the static form
        stores all of them, the live form computes each on first use).
        """
        return self.run(self.series[i], self.lr_grid[:, None], values)

    def relevant(self, o: Option, s: Series) -> bool:
        """Whether option ``o`` changes the runs of series ``s``."""
        return o.definition is not None and o.definition.applies(s.cls)

    def combos(self, keys: Sequence[str] | None = None) -> list[dict[str, int]]:
        """Every combination of option indices (of ``keys``, default all), the last fastest."""
        opts = [o for o in self.options if keys is None or o.key in keys]
        return [
            dict(zip([o.key for o in opts], c, strict=True))
            for c in itertools.product(*[range(len(o.values)) for o in opts])
        ]

    def initial_values(self) -> dict[str, int]:
        return {o.key: o.index for o in self.options}


# -- status text (explorer.js formats the same strings from the schema) --------------------------
def format_g(v: float, p: int = _schema.LOSS_DIGITS) -> str:
    """``f"{v:.3g}"``: the loss as the status line shows it (explorer.js shows the same digits)."""
    return f"{float(v):.{p}g}"


def status_text(code: int, nit: int, k: int, loss_k: float) -> str:
    """The status after revealing ``k`` steps of a run with status ``code`` stopped at ``nit``."""
    return _schema.status_text(code, nit, k, format_g(loss_k))


def lr_labels(grid: np.ndarray) -> list[str]:
    """``.3g`` labels of the learning-rate positions, with more digits where two would agree."""
    digits = [3] * len(grid)
    while True:
        labels = [f"{float(v):.{d}g}" for v, d in zip(grid, digits, strict=True)]
        seen: dict[str, int] = {}
        for lab in labels:
            seen[lab] = seen.get(lab, 0) + 1
        if all(n == 1 for n in seen.values()):
            return labels
        digits = [d + 1 if seen[lab] > 1 else d for d, lab in zip(digits, labels, strict=True)]


def mark_rows(marks: list[tuple[str, int]], n: int, track_px: float) -> list[int]:
    """Rows (0, 1, ...) of the mark labels under a slider so that no two labels overlap.

    ``n`` positions spread over ``track_px`` pixels; a label is about 6.5 px per character
    wide, centred on its position. Greedy: each label (left to right) takes the first row
    whose last label ends before it starts.
    """
    order = sorted(range(len(marks)), key=lambda j: marks[j][1])
    ends: list[float] = []
    rows = [0] * len(marks)
    for j in order:
        label, i = marks[j]
        x = track_px * i / max(n - 1, 1)
        half = 3.25 * len(label) + 4
        for r, end in enumerate(ends):
            if x - half > end:
                rows[j], ends[r] = r, x + half
                break
        else:
            rows[j] = len(ends)
            ends.append(x + half)
    return rows


def prefix(t: Trajectory, k: int, tol: float | None) -> Trajectory:
    """The trajectory ``gdcore.run`` returns with ``steps=k``, cut from a longer single run."""
    n = int(t.nit)
    if t.status != MAX_STEPS and n <= k:
        return Trajectory(
            params=t.params[: n + 1],
            losses=t.losses[: n + 1],
            status=t.status,
            nit=n,
            x=t.x,
            fun=t.fun,
            success=t.success,
            message=t.message,
            grad_norms=t.grad_norms[: n + 1],
        )
    P, L, G = t.params[: k + 1], t.losses[: k + 1], t.grad_norms[: k + 1]
    limit = 1e6 * (abs(float(t.losses[0])) + 1.0)
    return Trajectory(
        params=P,
        losses=L,
        status=MAX_STEPS,
        nit=k,
        x=P[k],
        fun=float(L[k]),
        success=tol is None,
        message=_message(MAX_STEPS, k, float(L[k]), float(G[k]), tol, None, limit),
        grad_norms=G,
    )


# -- validation ---------------------------------------------------------------------------------
def lr_lattice(lr: float, lo: float, hi: float, points: int) -> tuple[np.ndarray, int]:
    """Log-spaced learning rates covering ``[lo, hi]`` with ``lr`` exactly on the grid.

    The spacing is that of ``points`` values from ``lo`` to ``hi``; the grid is anchored at
    ``lr`` and extends (by less than one spacing) past ``lo`` and ``hi`` when ``lr`` is not on
    the lattice through ``lo``. Returns the grid and the index of ``lr``.
    """
    a, b, c = math.log10(lo), math.log10(hi), math.log10(lr)
    h = (b - a) / (points - 1)
    below = math.ceil((c - a) / h - 1e-9)
    above = math.ceil((b - c) / h - 1e-9)
    grid = 10.0 ** (c + h * np.arange(-below, above + 1))
    grid[below] = lr
    for i, edge in ((0, lo), (-1, hi)):  # exact ends when they are on the lattice
        if abs(math.log10(grid[i]) - math.log10(edge)) < 1e-9:
            grid[i] = edge
    return grid, below


def lr_positions(
    lr: float, lo: float, hi: float, points: int, marks: Mapping[str, float]
) -> tuple[np.ndarray, int, list[tuple[str, int]]]:
    """The learning-rate slider's positions: the lattice of :func:`lr_lattice` plus the marks.

    Each mark is an exact position; lattice points closer to a mark than a third of the
    lattice step (in log10) are dropped so the spacing stays even. Returns the positions
    (increasing), the index of ``lr`` and ``[(label, index)]`` of the marks.
    """
    grid, i = lr_lattice(lr, lo, hi, points)
    h = (math.log10(hi) - math.log10(lo)) / (points - 1)
    pinned = [float(m) for m in marks.values()]
    keep = [
        float(g)
        for j, g in enumerate(grid)
        if j == i or all(abs(math.log10(g) - math.log10(m)) >= h / 3 for m in pinned)
    ]
    values = sorted(set(keep) | set(pinned))
    index = {v: k for k, v in enumerate(values)}
    return (
        np.asarray(values),
        index[float(lr)],
        [(lab, index[float(m)]) for lab, m in marks.items()],
    )


def _check_marks(marks: Any, lo: float, hi: float, compare: bool) -> dict[str, float]:
    if marks is None:
        return {}
    if not isinstance(marks, Mapping):
        raise TypeError(
            f"marks must be a dict {{label: learning rate}}, got {type(marks).__name__}"
        )
    out = {}
    what = "multiplier" if compare else "learning rate"
    for label, v in marks.items():
        if not isinstance(label, str) or not label:
            raise TypeError(f"marks keys must be non-empty labels (str), got {label!r}")
        v = check_real(f"marks[{label!r}]", v)
        if not lo <= v <= hi:
            raise ValueError(
                f"marks[{label!r}] = {v!r} must lie in lr_range [{lo:g}, {hi:g}] "
                f"(the {what} slider's range)"
            )
        out[label] = v
    return out


def _check_lr_pair(name: str, value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) of learning rates, got {value!r}")
    lo = check_real(f"{name}[0]", value[0], low=0.0, low_open=True)
    hi = check_real(f"{name}[1]", value[1], low=0.0, low_open=True)
    if not lo < hi:
        raise ValueError(f"{name} must have low < high, got {tuple(value)!r}")
    return lo, hi


def _optimizer_class(name: Any, where: str) -> type[Optimizer]:
    if not isinstance(name, str):
        raise TypeError(f"{where} must be an optimizer name (str), got {type(name).__name__}")
    cls = OPTIMIZERS.get(name.lower())
    if cls is None:
        raise ValueError(f"{where} must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return cls


def _series(optimizer: Any, optimizers: Any, compare: bool) -> list[Series]:
    if optimizers is None:
        if compare:
            raise ValueError("compare=True needs optimizers={label: {kwargs}, ...} to compare")
        cls = _optimizer_class(optimizer, "optimizer")
        return [Series(label=cls.__name__, cls=cls, kwargs={}, lr=None)]
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise TypeError("optimizers must be a non-empty dict {label: {optimizer kwargs}}")
    out = []
    for label, kw in optimizers.items():
        if not isinstance(label, str):
            raise TypeError(f"optimizers keys must be labels (str), got {label!r}")
        if kw is None:
            kw = {}
        if not isinstance(kw, Mapping):
            raise TypeError(f"optimizers[{label!r}] must be a dict of optimizer kwargs, got {kw!r}")
        kw = copy.deepcopy(dict(kw))  # nothing the caller changes later reaches the explorer
        name = kw.pop("optimizer", label)
        cls = _optimizer_class(name, f"optimizers[{label!r}] (its label or its 'optimizer' entry)")
        lr = kw.pop("lr", None)
        if lr is not None:
            lr = check_real(f"optimizers[{label!r}]['lr']", lr, low=0.0, low_open=True)
        unknown = sorted(set(kw) - set(cls.defaults))
        if unknown:
            raise ValueError(
                f"optimizers[{label!r}]: {cls.__name__} has no argument {unknown[0]!r}; "
                f"allowed: {sorted(cls.defaults)}"
            )
        try:  # let the optimizer check its arguments
            cls(lr=1e-3 if lr is None else lr, **kw)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"optimizers[{label!r}]: {exc}") from None
        out.append(Series(label=label, cls=cls, kwargs=kw, lr=lr))
    if compare:
        for s in out:
            if s.lr is None:
                s.lr = float(s.cls.defaults["lr"])
    return out


def _values_list(raw: str, values: Any) -> list[Any]:
    if isinstance(values, np.ndarray) and values.ndim >= 1:
        values = list(values)  # numpy arrays of values (rows of starts) are lists too
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
        raise TypeError(f"options[{raw!r}] must be a non-empty list of values, got {values!r}")
    return list(values)


def _options(options: Any, objective: Objective, series: list[Series], x0: Any) -> list[Option]:
    if options is None:
        return []
    if not isinstance(options, Mapping):
        raise TypeError(f"options must be a dict {{name: [values]}}, got {type(options).__name__}")
    classes = [s.cls for s in series]
    out = []
    for raw, values in options.items():
        if not isinstance(raw, str):
            raise TypeError(f"options keys must be names (str), got {raw!r}")
        key = raw.strip().replace(" ", "_")
        d = lookup(key, classes)
        if d is None:
            raise ValueError(f"options: unknown option {raw!r}; allowed: {known(classes)}")
        if not any(d.applies(cls) for cls in classes):
            names = sorted({cls.__name__ for cls in classes})
            raise ValueError(f"options: {raw!r} applies to none of the optimizers {names}")
        values = [
            d.check(f"options[{raw!r}][{i}]", v, objective)
            for i, v in enumerate(_values_list(raw, values))
        ]
        labels = [d.label(v) for v in values]
        if len(set(labels)) != len(labels):
            raise ValueError(f"options[{raw!r}] has repeated values: {labels}")
        index = 0
        if key == "start" and x0 is not None:
            hits = [i for i, v in enumerate(values) if np.allclose(v, x0)]
            if not hits:
                raise ValueError(
                    "x0 must be one of options['start'] (or None to start at the first)"
                )
            index = hits[0]
        out.append(
            Option(
                key=key,
                name=key.replace("_", " "),
                values=values,
                labels=labels,
                kind=d.kind,
                index=index,
                definition=d,
            )
        )
    return out


def _check_every_combination(spec: Spec) -> None:
    """Build every optimizer the controls can select; a failure names the option values."""
    lrs = spec.lr_grid[:, None]
    for s in spec.series:
        keys = [o.key for o in spec.options if spec.relevant(o, s)]
        for combo in spec.combos(keys):
            values = {**spec.initial_values(), **combo}
            try:
                spec.optimizer(s, lrs, values)
            except (TypeError, ValueError) as exc:
                chosen = {k: spec.option(k).values[i] for k, i in combo.items()}
                shown = ", ".join(f"{k}={v!r}" for k, v in chosen.items())
                raise ValueError(
                    f"options: {s.label} cannot run with {shown or 'its arguments'}: {exc}"
                ) from None


def _fit_kind(objective: Objective) -> str:
    """The model the fit panel draws: ``objective.fit_kind``, or the kind of gdcore loss."""
    kind = getattr(objective, "fit_kind", None)
    if kind is None:
        if isinstance(objective, losses.BCE):
            kind = "logistic"
        elif isinstance(objective, losses.MSE):
            kind = "linear"
        else:
            raise ValueError(
                f"panels: 'fit' needs to know the model of {objective.name!r}: use "
                f"gdcore.losses.mse or bce, or set objective.fit_kind to one of "
                f"{list(_schema.FIT_KINDS)}"
            )
    if kind not in _schema.FIT_KINDS:
        raise ValueError(
            f"objective.fit_kind must be one of {list(_schema.FIT_KINDS)}, got {kind!r}"
        )
    return kind


def _panels(panels: Any, objective: Objective, dim: int) -> list[str]:
    allowed = list(_schema.PANELS)
    if panels is None:
        return {1: ["curve", "loss"], 2: ["contour", "loss"]}.get(dim, ["loss"])
    if isinstance(panels, str) or not isinstance(panels, Sequence):
        raise TypeError(f"panels must be a list of panel names from {allowed}, got {panels!r}")
    panels = list(panels)
    for p in panels:
        if p not in allowed:
            raise ValueError(f"panels: unknown panel {p!r}; allowed: {allowed}")
    if not panels or len(set(panels)) != len(panels):
        raise ValueError(f"panels must be a non-empty list without repeats, got {panels!r}")
    if "curve" in panels and dim != 1:
        raise ValueError(f"panels: 'curve' needs a 1-D objective, got dim={dim}")
    if "contour" in panels and dim != 2:
        raise ValueError(f"panels: 'contour' needs a 2-D objective, got dim={dim}")
    if ("curve" in panels or "contour" in panels) and objective.domain is None:
        raise ValueError(
            f"panels: 'curve'/'contour' need objective.domain; {objective.name!r} has none"
        )
    return panels


def _fit_data(objective: Objective, dim: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = getattr(objective, "X", None), getattr(objective, "y", None)
    if X is None or y is None:
        raise ValueError(
            "panels: 'fit' needs a loss on data with attributes X and y (gdcore.losses.mse or bce)"
        )
    X = np.array(X, dtype=float)
    X = X.reshape(len(X), -1)
    if X.shape[1] != 1 or dim != 2:
        raise ValueError(
            f"panels: 'fit' draws 1-feature models [w, b]; X has {X.shape[1]} "
            f"features and the objective {dim} parameters"
        )
    return X[:, 0].copy(), np.array(y, dtype=float).ravel()


def make_spec(
    objective: Any,
    x0: Any = None,
    *,
    optimizer: Any = "sgd",
    lr: Any = None,
    lr_range: Any = None,
    steps: Any = None,
    max_steps: Any = 100,
    options: Any = None,
    optimizers: Any = None,
    compare: Any = False,
    panels: Any = None,
    title: Any = None,
    marks: Any = None,
    validation: Any = None,
    tol: Any = 1e-6,
    lr_points: Any = 25,
    seed: Any = 0,
) -> Spec:
    """Check every argument of :func:`explore` and build the :class:`Spec`.

    Every optimizer the controls can select is built once here, so that a combination of
    options that cannot run is a ``ValueError`` now, not when a reader selects it.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be a gdcore.Objective, got {type(objective).__name__}")
    dim = objective.dim
    if dim is None:
        raise ValueError("objective must know its dimension (pass dim= or domain= to Objective)")
    if not isinstance(compare, (bool, np.bool_)):
        raise TypeError(f"compare must be True or False, got {compare!r}")
    compare = bool(compare)
    if isinstance(options, Mapping) and "optimizer" in options:
        # options={"optimizer": ["sgd", "adam"]}: a dropdown of optimizers with default arguments
        if optimizers is not None:
            raise ValueError(
                "give the optimizers either as optimizers={...} or as "
                "options['optimizer'], not both"
            )
        names = options["optimizer"]
        if isinstance(names, (str, bytes)) or not isinstance(names, Sequence) or not names:
            raise TypeError(
                f"options['optimizer'] must be a list of optimizer names, got {names!r}"
            )
        optimizers = {}
        for name in names:
            cls = _optimizer_class(name, "options['optimizer']")
            optimizers[cls.__name__] = {"optimizer": name}
        options = {k: v for k, v in options.items() if k != "optimizer"}
        if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
            optimizer = OPTIMIZERS[optimizer.lower()].__name__
    series = _series(optimizer, optimizers, compare)
    max_steps = check_int("max_steps", max_steps, low=1, high=100_000)
    if steps is None:
        steps = min(30, max_steps)
    steps = check_int("steps", steps, low=0, high=max_steps)
    lr_points = check_int("lr_points", lr_points, low=2, high=1000)
    seed = check_int("seed", seed, low=0)
    if tol is not None:
        tol = check_real("tol", tol, low=0.0)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {type(title).__name__}")
    x0_arr = None
    if x0 is not None:
        x0_arr = np.array(check_point("x0", x0, dim), dtype=float)  # a copy
        if x0_arr.ndim != 1:
            raise ValueError(f"x0 must be one start point of shape ({dim},), got {x0_arr.shape}")
    opts = _options(options, objective, series, x0_arr)
    if not compare and len(series) > 1:
        labels = [s.label for s in series]
        index = labels.index(optimizer) if isinstance(optimizer, str) and optimizer in labels else 0
        opts.insert(
            0,
            Option(
                key="optimizer",
                name="optimizer",
                values=list(range(len(series))),
                labels=labels,
                kind="dropdown",
                index=index,
            ),
        )
    if x0_arr is None:
        start = next((o for o in opts if o.key == "start"), None)
        if start is not None:
            x0_arr = start.values[start.index]
        else:
            default = getattr(objective, "x0", None)
            if default is None:
                raise TypeError(
                    "explore() needs a start point: pass x0=[...] or options={'start': [...]}"
                )
            x0_arr = np.array(check_point("objective.x0", default, dim), dtype=float)

    # learning-rate slider
    if compare:
        lo, hi = _check_lr_pair("lr_range", (0.1, 10.0) if lr_range is None else lr_range)
        lr = 1.0 if lr is None else lr
    else:
        lo, hi = _check_lr_pair("lr_range", (1e-3, 1.0) if lr_range is None else lr_range)
        if lr is None:
            first = series[opts[0].index] if opts and opts[0].key == "optimizer" else series[0]
            lr = first.lr if first.lr is not None else 0.1
    lr = check_real("lr", lr, low=0.0, low_open=True)
    if not lo * (1 - 1e-12) <= lr <= hi * (1 + 1e-12):
        what = (
            "lr (with compare=True: the multiplier of every optimizer's own lr)"
            if compare
            else "lr"
        )
        raise ValueError(f"{what} must be in lr_range [{lo:g}, {hi:g}], got {lr:g}")
    grid, lr_index, mark_index = lr_positions(
        lr, lo, hi, lr_points, _check_marks(marks, lo, hi, compare)
    )

    panels = _panels(panels, objective, dim)
    if validation is not None:
        if not isinstance(validation, Objective):
            raise TypeError(
                f"validation must be a gdcore.Objective (a loss on held-out data), "
                f"got {type(validation).__name__}"
            )
        if validation.dim != dim:
            raise ValueError(
                f"validation must have the objective's {dim} parameters, got dim={validation.dim}"
            )
        if "loss" not in panels:
            raise ValueError("validation is drawn in the 'loss' panel: add 'loss' to panels")
    fit_kind, data = None, None
    if "fit" in panels:
        data = _fit_data(objective, dim)
        fit_kind = _fit_kind(objective)

    spec = Spec(
        objective=objective,
        dim=dim,
        x0=x0_arr,
        lr_grid=grid,
        lr_index=lr_index,
        marks=mark_index,
        steps=steps,
        max_steps=max_steps,
        options=opts,
        series=series,
        compare=compare,
        panels=panels,
        title=title,
        tol=tol,
        seed=seed,
        fit_kind=fit_kind,
        data=data,
        validation=validation,
    )
    _check_every_combination(spec)
    return spec
