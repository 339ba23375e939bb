"""The explorer's options: one registry entry per option.

An option is a discrete control (``options={"momentum": [0.0, 0.9]}``). Its entry says how
its values are checked, which optimizers it applies to, how a value changes a run (the
optimizer's keyword arguments, its learning rate, the start or the batch size), how a value
is labelled and whether it is a slider or a dropdown. Adding an option is adding an entry
with :func:`register`; any keyword argument of an optimizer that has no entry is an option
too (:func:`kwarg_option`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import schedules
from .._objective import Objective
from .._validation import check_int, check_point, check_real
from ..optimizers import ClipGradNorm, Optimizer


@dataclass
class RunSetting:
    """What one run is made of; each option's ``apply`` changes it in place.

    ``kwargs`` are the optimizer's keyword arguments (without ``lr``), ``lr`` its learning
    rate (a number, an ``(L, 1)`` array of rates, or a schedule), ``x0`` the start point and
    ``batch_size`` the mini-batch size (``None``: the full batch), ``total_steps`` the length of
    the run and ``max_norm`` the gradient-clipping threshold (``None``: no clipping).
    """

    cls: type[Optimizer]
    kwargs: dict[str, Any]
    lr: Any
    x0: np.ndarray
    batch_size: int | None = None
    total_steps: int = 0
    max_norm: float | None = None

    def optimizer(self) -> Optimizer:
        opt = self.cls(lr=self.lr, **self.kwargs)
        return opt if self.max_norm is None else ClipGradNorm(opt, self.max_norm)


@dataclass(frozen=True)
class OptionDef:
    """One option.

    ``check(where, value, objective)`` returns the value as stored (or raises naming
    ``where``); ``applies(cls)`` says whether it changes runs of optimizer class ``cls``;
    ``apply(setting, value)`` changes a run; ``stage`` orders the applications (0: optimizer
    arguments and start, 1: learning-rate schedules, applied after the rate is set);
    ``label(value)`` is its readout text; ``kind`` is ``"slider"`` or ``"dropdown"``.
    """

    key: str
    check: Callable[[str, Any, Objective], Any]
    applies: Callable[[type[Optimizer]], bool]
    apply: Callable[[RunSetting, Any], None]
    label: Callable[[Any], str]
    kind: str = "slider"
    stage: int = 0


def number_label(v: Any) -> str:
    if v is None:
        return "full"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, numbers.Real):
        return f"{float(v):g}"
    return "(" + ", ".join(f"{float(x):g}" for x in np.ravel(v)) + ")"


def _item(v: Any) -> Any:
    """A 0-d numpy array as the Python number it holds (option values may come from numpy)."""
    return v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v


def _number(where: str, v: Any, objective: Objective) -> Any:
    v = _item(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if not isinstance(v, numbers.Real):
        raise TypeError(f"{where} must be a number, got {v!r}")
    return check_real(where, v)


def _always(cls: type[Optimizer]) -> bool:
    return True


REGISTRY: dict[str, OptionDef] = {}


def register(option: OptionDef) -> OptionDef:
    """Add ``option`` to the registry (its key is the name in ``options={...}``)."""
    REGISTRY[option.key] = option
    return option


def kwarg_option(key: str) -> OptionDef:
    """An optimizer keyword argument as an option (``"momentum"``, ``"weight_decay"``...)."""

    def apply(s: RunSetting, v: Any) -> None:
        s.kwargs[key] = v

    return OptionDef(
        key=key,
        check=_number,
        applies=lambda cls: key in cls.defaults,
        apply=apply,
        label=number_label,
    )


def lookup(key: str, classes: list[type[Optimizer]]) -> OptionDef | None:
    """The option ``key`` for these optimizers: its registry entry, or a keyword argument."""
    if key in REGISTRY:
        return REGISTRY[key]
    if key not in ("lr", "betas") and any(key in cls.defaults for cls in classes):
        return kwarg_option(key)
    return None


def known(classes: list[type[Optimizer]]) -> list[str]:
    """Every option key these optimizers accept."""
    kwargs = set().union(*(cls.defaults for cls in classes)) - {"lr", "betas"}
    return sorted(set(REGISTRY) | kwargs)


# -- the entries ----------------------------------------------------------------------------------
def _check_start(where: str, v: Any, objective: Objective) -> np.ndarray:
    p = np.array(check_point(where, v, objective.dim), dtype=float)  # a copy
    if p.ndim != 1:
        raise ValueError(f"{where} must be one start point of shape ({objective.dim},)")
    return p


def _set_start(s: RunSetting, v: Any) -> None:
    s.x0 = v


register(
    OptionDef(
        key="start",
        check=_check_start,
        applies=_always,
        apply=_set_start,
        label=number_label,
        kind="dropdown",
    )
)


def _check_batch(where: str, v: Any, objective: Objective) -> int | None:
    n = getattr(objective, "n_samples", None)
    if n is None:
        raise ValueError(
            f"{where}: a batch size needs a loss on data; {objective.name!r} has no data rows"
        )
    if v is None or (isinstance(v, str) and v == "full"):
        return None
    v = _item(v)
    return check_int(where, v, low=1, high=n)


def _set_batch(s: RunSetting, v: Any) -> None:
    s.batch_size = v


register(
    OptionDef(
        key="batch_size",
        check=_check_batch,
        applies=_always,
        apply=_set_batch,
        label=number_label,
    )
)


def _check_gamma(where: str, v: Any, objective: Objective) -> float:
    v = _item(v)
    return check_real(where, v, low=0.0, high=1.0, low_open=True)


def _set_gamma(s: RunSetting, v: Any) -> None:
    s.lr = schedules.exponential_decay(s.lr, v)  # eta_t = eta * gamma**t


register(
    OptionDef(
        key="gamma",
        check=_check_gamma,
        applies=_always,
        apply=_set_gamma,
        label=number_label,
        stage=1,
    )
)


def _beta(i: int) -> OptionDef:
    def apply(s: RunSetting, v: Any) -> None:
        betas = list(s.kwargs.get("betas", s.cls.defaults["betas"]))
        betas[i] = v
        s.kwargs["betas"] = tuple(betas)

    return OptionDef(
        key=f"beta{i + 1}",
        check=_number,
        applies=lambda cls: "betas" in cls.defaults,
        apply=apply,
        label=number_label,
    )


register(_beta(0))
register(_beta(1))


def _off_label(v: Any) -> str:
    return "off" if v is None else number_label(v)


def _check_max_norm(where: str, v: Any, objective: Objective) -> float | None:
    if v is None or (isinstance(v, str) and v == "off"):
        return None
    v = _item(v)
    return check_real(where, v, low=0.0, low_open=True)


def _set_max_norm(s: RunSetting, v: Any) -> None:
    s.max_norm = v


# gradient clipping by norm (gdcore.optimizers.ClipGradNorm); None is "off"
register(
    OptionDef(
        key="max_norm",
        check=_check_max_norm,
        applies=_always,
        apply=_set_max_norm,
        label=_off_label,
    )
)


def _check_warmup(where: str, v: Any, objective: Objective) -> int:
    v = _item(v)
    return check_int(where, v, low=0)


def _set_warmup(s: RunSetting, v: Any) -> None:
    # linear warm-up over v steps, then cosine decay to 0 at the end of the run
    if v >= s.total_steps:
        raise ValueError(f"warmup must be below the run's {s.total_steps} steps, got {v}")
    s.lr = schedules.warmup_cosine(s.lr, warmup_steps=v, total_steps=s.total_steps)


register(
    OptionDef(
        key="warmup",
        check=_check_warmup,
        applies=_always,
        apply=_set_warmup,
        label=number_label,
        stage=1,
    )
)
