"""Speed of the live explorer: one slider change = rerun gdcore + redraw + PNG for the widget.

Run from the repository root::

    .venv/bin/python benchmarks/bench_explorer.py [--quick]

prints a table; :func:`bench_explorer` returns the rows for ``benchmarks/bench.py``.

Cases (a 2-D explorer: contour + loss panels, Rosenbrock, SGD, 200 steps per run, no early
stop so every change really runs 200 steps):

* learning-rate slider: each change reruns ``gdcore.run`` (200 steps) and redraws by blitting
  (restore the cached background, draw the path and loss artists, encode PNG). Reference: the
  same rerun with a full matplotlib redraw (``savefig`` to PNG: every artist drawn again,
  contour, ticks and labels included), which is what a naive widget costs at least.
* step slider: reveals a prefix of the cached run (no rerun) and redraws the same way.
* static HTML form: time to precompute every run and build the block, and its size.

The time of a change is the median over a sweep of learning rates (``perf_counter`` around
``slider.value = v``, which updates synchronously), after one warm-up sweep.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np

import gdcore
from gdcore.widgets import explore

TARGET_S = 0.060  # median per learning-rate slider change (rerun 200 steps + redraw)
STEPS = 200


class BenchRow(dict):
    """One result: a dict with keys case, gdcore, reference, target, met (times in seconds).

    It also unpacks like the 5-tuples of ``benchmarks/bench.py``
    (``case, t_gd, t_ref, target, met = row``).
    """

    FIELDS = ("case", "gdcore", "reference", "target", "met")

    def __iter__(self):  # type: ignore[override]
        return (self[k] for k in self.FIELDS)


def _objective() -> gdcore.Objective:
    return gdcore.functions.rosenbrock()


def _explorer() -> Any:
    return explore(
        _objective(),
        x0=[-1.5, 2.0],
        lr=1e-3,
        lr_range=(1e-5, 2e-3),
        steps=STEPS,
        max_steps=STEPS,
        tol=None,
    )


def _median_change(widget: Any, values: list[Any]) -> float:
    for v in values:  # warm-up sweep
        widget.value = v
    times = []
    for v in values:
        t0 = time.perf_counter()
        widget.value = v
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _full_redraw_reference(ex: Any, values: list[float]) -> float:
    """Same reruns, but redraw the whole figure with ``savefig`` to PNG each time."""
    fig = ex.figure
    spec = ex.spec
    series = spec.series[0]
    arts = ex._fig.moving[0]
    for group in arts.values():
        for a in group.values():
            a.set_animated(False)

    def change(lr: float) -> bytes:
        t = spec.run(series, lr, spec.initial_values())
        P, L = t.params, t.losses
        arts["contour"]["path"].set_data(P[:, 0], P[:, 1])
        arts["contour"]["start"].set_data(P[:1, 0], P[:1, 1])
        arts["contour"]["current"].set_data(P[-1:, 0], P[-1:, 1])
        arts["loss"]["line"].set_data(np.arange(len(L)), L)
        buf = io.BytesIO()  # savefig draws every artist again, contour included
        fig.savefig(buf, format="png", dpi=fig.dpi)
        return buf.getvalue()

    for v in values:
        change(v)
    times = []
    for v in values:
        t0 = time.perf_counter()
        change(v)
        times.append(time.perf_counter() - t0)
    for group in arts.values():
        for a in group.values():
            a.set_animated(True)
    return statistics.median(times)


def bench_explorer(quick: bool = False) -> list[BenchRow]:
    """Rows: learning-rate slider change, step slider change (live), static HTML build."""
    ex = _explorer()
    lr = ex.controls["learning rate"]
    grid = list(ex.spec.lr_grid)
    lrs = grid[:: 2 if quick else 1]
    t_lr = _median_change(lr, lrs)
    t_ref = _full_redraw_reference(ex, lrs)
    steps = ex.controls["steps"]
    t_steps = _median_change(steps, list(range(0, STEPS + 1, 10 if quick else 5)))
    rows = [
        BenchRow(
            case=f"d) explorer: lr slider change (rerun {STEPS} steps + blit + PNG) vs full redraw",
            gdcore=t_lr,
            reference=t_ref,
            target="<= 60 ms",
            met=t_lr <= TARGET_S,
        ),
        BenchRow(
            case="d) explorer: step slider change (no rerun) vs full redraw",
            gdcore=t_steps,
            reference=t_ref,
            target="<= 60 ms",
            met=t_steps <= TARGET_S,
        ),
    ]
    return rows


def static_html_stats() -> dict[str, float]:
    """Build time and size of the static HTML form of the benchmark explorer."""
    ex = explore(
        _objective(),
        x0=[-1.5, 2.0],
        lr=1e-3,
        lr_range=(1e-5, 2e-3),
        steps=STEPS,
        max_steps=STEPS,
        options={"momentum": [0.0, 0.5, 0.9]},
    )
    t0 = time.perf_counter()
    html = ex.to_html()
    return {"seconds": time.perf_counter() - t0, "kilobytes": len(html.encode()) / 1024}


def _fmt(t: float) -> str:
    return f"{t * 1e3:8.2f} ms"


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    rows = bench_explorer(quick=quick)
    width = max(len(r["case"]) for r in rows)
    header = (
        f"{'case':<{width}}  {'gdcore':>11}  {'full redraw':>11}  {'ratio':>6}  {'target':<9} met?"
    )
    print(header)
    print("-" * len(header))
    for case, t_gd, t_ref, target, met in rows:
        print(
            f"{case:<{width}}  {_fmt(t_gd):>11}  {_fmt(t_ref):>11}  {t_gd / t_ref:6.2f}  "
            f"{target:<9} {'yes' if met else 'NO'}"
        )
    st = static_html_stats()
    print(
        f"static HTML (3 momentum values x 25 learning rates x {STEPS} steps): "
        f"{st['kilobytes']:.0f} KB, built in {st['seconds']:.2f} s"
    )
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
