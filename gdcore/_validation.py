"""Argument checks shared by every public entry point.

Each check raises a ``TypeError`` for the wrong kind of value and a ``ValueError`` for a value
outside its range, and the message always names the argument and the allowed range.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def as_float_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float64 array, or raise ``TypeError`` naming ``name``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {type(value).__name__}"
        )
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be a number or an array of numbers") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be a number or an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got complex values")
    return arr.astype(np.float64, copy=False)


def check_real(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> Any:
    """Check a scalar or array hyperparameter lies in a range; return it (arrays as a float64
    copy, so that changing the caller's array later changes nothing here).

    ``low``/``high`` bound the range, closed unless ``low_open``/``high_open``. NaN and
    infinity are always rejected.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got bool")
    scalar = isinstance(value, numbers.Real)
    arr = np.float64(value) if scalar else as_float_array(name, value)
    lo = "" if low is None else ("(" if low_open else "[") + f"{low:g}"
    hi = "" if high is None else f"{high:g}" + (")" if high_open else "]")
    if low is None and high is None:
        allowed = "a finite number"
    elif high is None:
        allowed = f"{'>' if low_open else '>='} {low:g}"
    elif low is None:
        allowed = f"{'<' if high_open else '<='} {high:g}"
    else:
        allowed = f"in {lo}, {hi}"
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite and {allowed}, got {value!r}")
    bad = np.zeros(np.shape(arr), dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return float(arr) if scalar else np.array(arr)


def check_int(name: str, value: Any, *, low: int = 0, high: int | None = None) -> int:
    """Check ``value`` is an integer in ``[low, high]``; return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            raise TypeError(f"{name} must be an integer, got float {value!r}; pass int({value!r})")
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {allowed}, got {value}")
    return value


def check_point(name: str, value: Any, dim: int | None = None) -> np.ndarray:
    """Check a parameter vector (or stack of them): numeric, finite, last axis of size ``dim``."""
    arr = as_float_array(name, value)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the parameter vector), got a scalar")
    if dim is not None and arr.shape[-1] != dim:
        raise ValueError(
            f"{name} must have shape (..., {dim}) for this objective, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity), got {value!r}")
    return arr
