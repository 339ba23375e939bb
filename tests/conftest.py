"""Shared test settings: hypothesis profiles and small helpers used by several test files."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# "default": 50 examples, no deadline (the machine may be busy); "ci": the same, derandomized
# so that a CI run is reproducible. Choose with HYPOTHESIS_PROFILE=ci.
settings.register_profile(
    "default", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh seeded generator for each test."""
    return np.random.default_rng(12345)


def _grad_error(objective, x, h: float = 1e-6) -> float:
    from gdcore import numerical_grad

    x = np.asarray(x, dtype=float)
    ga = objective.grad(x)
    gn = numerical_grad(objective, x, h)
    num = np.linalg.norm(ga - gn, axis=-1)
    den = np.maximum(np.linalg.norm(ga, axis=-1) + np.linalg.norm(gn, axis=-1), 1.0)
    return float(np.max(num / den))


@pytest.fixture(scope="session")
def grad_error():
    """``grad_error(objective, x)``: the analytic gradient's error against central differences,
    relative to the gradient's size but never divided by less than 1 (so flat points are judged
    on absolute error). Equal to :func:`gdcore.check_grad` wherever the gradient norms sum to at
    least 1. (A session fixture, so hypothesis tests may use it.)"""
    return _grad_error
