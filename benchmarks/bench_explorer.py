"""Speed of the live explorers: one slider change = the Python side of a redraw (new image bytes).

Run from the repository root::

    .venv/bin/python benchmarks/bench_explorer.py [--quick] [--chapter 05] [--json PATH]

Two parts:

* **Every explorer of every chapter** (the table the target is about). Each chapter's code cells
  run in this process (the install cell and IPython magics skipped, matplotlib on Agg) and every
  explorer that ``explore(...)`` returns is kept. Then, per explorer, its controls are moved
  through the widget objects, exactly as the front end's comm message would set them:
  the learning-rate slider to ``N`` grid positions spread over its range (in a fixed shuffled
  order, every change a real change, each position visited for the first time), the "steps"
  slider to ``N`` positions, and every option control (optimizer, momentum, batch size ...) to
  each of its values once. The time of a change is ``perf_counter`` (with ``--cpu``:
  ``process_time``, steadier on a loaded machine) around ``widget.value = v``
  (the observers run synchronously: the runs looked up, or computed as one batched run over
  the learning-rate positions the first time a combination of the other controls is shown;
  redraw, PNG encode, new ``Image.value``), so it is the kernel's share of slider-to-image;
  the browser suite (tests/browser/test_live_jupyterlab.py) measures the whole round trip in
  JupyterLab. Printed per explorer: median and 95th percentile
  (linear interpolation) of the learning-rate changes, of the step changes and of all changes,
  and the slowest change. Target per explorer: median <= 100 ms and p95 < 150 ms, over its
  learning-rate changes and over all its changes.
* **One synthetic case** (kept for ``benchmarks/bench.py``'s summary, :func:`bench_explorer`): a
  Rosenbrock explorer with 200 steps and no early stop; a learning-rate change against a full
  matplotlib redraw (``savefig`` of the explorer's figure after the same change), and a step
  change.

Nothing here asserts; the exit status is 1 when an explorer misses the target.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np

import gdcore
import gdcore.widgets

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"
TARGET_MEDIAN_MS = 100.0
TARGET_P95_MS = 150.0
TARGET_S = TARGET_MEDIAN_MS / 1e3
STEPS = 200
CLOCK = time.perf_counter  # time.process_time with --cpu
SKIP_CELL = re.compile(r"find_spec\(\s*[\"']gdcore[\"']\s*\)")  # the Colab install cell


class BenchRow(dict):
    """One result: a dict with keys case, gdcore, reference, target, met (times in seconds).

    It also unpacks like the 5-tuples of ``benchmarks/bench.py``
    (``case, t_gd, t_ref, target, met = row``).
    """

    FIELDS = ("case", "gdcore", "reference", "target", "met")

    def __iter__(self):  # type: ignore[override]
        return (self[k] for k in self.FIELDS)


# -- the widgets of an explorer, found through the widget tree only --------------------------


def _root_widget(ex: Any) -> Any:
    return getattr(ex, "widget", ex)


def _walk(w: Any):
    yield w
    for child in getattr(w, "children", ()) or ():
        yield from _walk(child)


def _controls(ex: Any) -> dict[str, Any]:
    """Controls by description: sliders and dropdowns with a ``value`` in the explorer's tree."""
    import ipywidgets as widgets

    kinds = (widgets.widgets.widget_int._Int, widgets.widgets.widget_float._Float)
    kinds += (widgets.widgets.widget_selection._Selection,)
    out = {}
    for w in _walk(_root_widget(ex)):
        if isinstance(w, kinds) and getattr(w, "description", ""):
            out[w.description] = w
    return out


def _images(ex: Any) -> list[Any]:
    import ipywidgets as widgets

    return [w for w in _walk(_root_widget(ex)) if isinstance(w, widgets.Image)]


def _picture(ex: Any) -> tuple[bytes, ...]:
    return tuple(bytes(im.value) for im in _images(ex))


def _slider_values(w: Any) -> list[Any]:
    """Every value the control can take, in order."""
    import ipywidgets as widgets

    if isinstance(w, widgets.FloatLogSlider):
        n = round((w.max - w.min) / w.step)
        return [float(w.base ** (w.min + k * w.step)) for k in range(n + 1)]
    if isinstance(w, widgets.widgets.widget_selection._Selection):
        return [v for _, v in w._options_full] if hasattr(w, "_options_full") else list(w.options)
    if isinstance(w, widgets.widgets.widget_int._Int):
        return list(range(int(w.min), int(w.max) + 1, max(1, int(getattr(w, "step", 1)))))
    n = round((w.max - w.min) / w.step)
    return [float(w.min + k * w.step) for k in range(n + 1)]


def _positions(values: list[Any], current: Any, n: int, seed: int) -> list[Any]:
    """``n`` values spread over ``values`` (ends included), shuffled, never ``current`` first and
    never the same value twice in a row."""
    idx = np.unique(np.linspace(0, len(values) - 1, min(n, len(values))).round().astype(int))
    picks = [values[i] for i in idx]
    rng = np.random.default_rng(seed)
    rng.shuffle(picks)
    if picks and picks[0] == current and len(picks) > 1:
        picks.append(picks.pop(0))
    return picks


def _time_changes(ex: Any, w: Any, values: list[Any]) -> tuple[list[float], int]:
    """Seconds per change and how many changes left the image(s) unchanged."""
    times, same = [], 0
    for v in values:
        if v == w.value:
            continue
        before = _picture(ex)
        t0 = CLOCK()
        w.value = v
        times.append(CLOCK() - t0)
        same += _picture(ex) == before
    return times, same


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def med(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def measure_explorer(ex: Any, n: int = 12, seed: int = 0) -> dict[str, Any]:
    """Time every control of one explorer (see the module docstring); times in milliseconds."""
    controls = _controls(ex)
    lr_names = [k for k in controls if k.startswith("learning rate")]
    out: dict[str, Any] = {"controls": list(controls), "unchanged": 0}
    all_t: list[float] = []
    for kind, names in (
        ("lr", lr_names),
        ("steps", [k for k in controls if k == "steps"]),
        ("options", [k for k in controls if k not in lr_names and k != "steps"]),
    ):
        ts: list[float] = []
        for name in names:
            w = controls[name]
            values = _slider_values(w)
            picks = values if kind == "options" else _positions(values, w.value, n, seed)
            start = w.value
            t, same = _time_changes(ex, w, picks)
            ts += t
            out["unchanged"] += same
            _time_changes(ex, w, [start])  # back to the default for the next control
        out[kind] = [1e3 * t for t in ts]
        all_t += ts
    out["all"] = [1e3 * t for t in all_t]
    return out


# -- the chapters' explorers -----------------------------------------------------------------


def _code_cells(nb: Path) -> list[str]:
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    out = []
    for c in cells:
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"])
        if SKIP_CELL.search(src):
            continue
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        out.append("\n".join(lines))
    return out


def _label(ex: Any, k: int) -> str:
    spec = getattr(ex, "spec", None)
    title = getattr(spec, "title", None) or ""
    if not title:
        obj = getattr(spec, "objective", None)
        title = getattr(obj, "name", "") or ""
    return f"#{k} {title}".strip()


def chapter_explorers(nb: Path) -> tuple[list[tuple[str, Any]], float]:
    """Run a chapter's code cells here; return its explorers (label, object) and the run time."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    made: list[Any] = []
    real = gdcore.widgets.explore

    def recording_explore(*args: Any, **kwargs: Any) -> Any:
        ex = real(*args, **kwargs)
        made.append(ex)
        return ex

    ns: dict[str, Any] = {"__name__": "__main__", "display": display}
    cwd = os.getcwd()
    t0 = time.perf_counter()
    gdcore.widgets.explore = recording_explore
    try:
        os.chdir(nb.parent)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            for k, src in enumerate(_code_cells(nb)):
                try:
                    exec(compile(src, f"{nb.name}[code {k}]", "exec"), ns)
                except Exception as exc:  # report and go on: the explorers before still count
                    print(f"{nb.stem}: code cell {k} failed: {type(exc).__name__}: {exc}")
                    break
                plt.close("all")
    finally:
        gdcore.widgets.explore = real
        os.chdir(cwd)
    return [(_label(ex, k + 1), ex) for k, ex in enumerate(made)], time.perf_counter() - t0


def chapter_table(chapters: list[Path], n: int) -> list[dict[str, Any]]:
    rows = []
    for nb in chapters:
        explorers, t_run = chapter_explorers(nb)
        print(f"{nb.stem}: {len(explorers)} explorers, chapter ran in {t_run:.1f} s", flush=True)
        for label, ex in explorers:
            m = measure_explorer(ex, n=n)
            rows.append({"chapter": nb.stem, "explorer": label, **m})
    return rows


def _ms(v: float) -> str:
    return "      -" if v != v else f"{v:7.1f}"


def print_table(rows: list[dict[str, Any]]) -> bool:
    """Print the per-explorer table; True when every explorer meets the target."""
    w = max([len(f"{r['chapter']} {r['explorer']}") for r in rows] + [20])
    w = min(w, 64)
    head = (
        f"{'explorer':<{w}} {'lr med':>7} {'lr p95':>7} {'stp med':>7} {'all med':>7} "
        f"{'all p95':>7} {'max':>7} {'n':>3}  met?"
    )
    print(head)
    print("-" * len(head))
    ok_all = True
    for r in rows:
        a = r["all"]
        ok = max(med(a), med(r["lr"]) if r["lr"] else 0) <= TARGET_MEDIAN_MS
        ok &= max(p95(a), p95(r["lr"]) if r["lr"] else 0) < TARGET_P95_MS
        ok_all &= ok
        name = f"{r['chapter']} {r['explorer']}"[:w]
        print(
            f"{name:<{w}} {_ms(med(r['lr']))} {_ms(p95(r['lr']))} {_ms(med(r['steps']))} "
            f"{_ms(med(a))} {_ms(p95(a))} {_ms(max(a) if a else float('nan'))} {len(a):>3}  "
            f"{'yes' if ok else 'NO'}"
            + (f" ({r['unchanged']} unchanged)" if r["unchanged"] else "")
        )
    print(
        f"ms per control change, Python side (widget.value = v until the new Image bytes); "
        f"target per explorer: median <= {TARGET_MEDIAN_MS:.0f} ms and p95 < "
        f"{TARGET_P95_MS:.0f} ms, both over its learning-rate changes and over all its changes. "
        "'unchanged': changes that left the picture as it was (a run that had already stopped)."
    )
    return ok_all


# -- the synthetic case (benchmarks/bench.py) ------------------------------------------------


def _synthetic_explorer() -> Any:
    return gdcore.widgets.explore(
        gdcore.functions.rosenbrock(),
        x0=[-1.5, 2.0],
        lr=1e-3,
        lr_range=(1e-5, 2e-3),
        steps=STEPS,
        max_steps=STEPS,
        tol=None,
    )


def _full_redraw_reference(ex: Any, w: Any, values: list[float]) -> float:
    """The same learning-rate changes followed by a full ``savefig`` of the explorer's figure."""
    fig = getattr(ex, "figure", None)
    figs = fig if isinstance(fig, list | tuple) else [fig]
    if not figs or figs[0] is None or not hasattr(figs[0], "savefig"):
        return float("nan")
    times = []
    for v in values:
        t0 = time.perf_counter()
        w.value = v
        for f in figs:
            f.savefig(io.BytesIO(), format="png", dpi=f.dpi)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_explorer(quick: bool = False) -> list[BenchRow]:
    """Rows for benchmarks/bench.py: learning-rate and step changes of a synthetic explorer."""
    ex = _synthetic_explorer()
    c = _controls(ex)
    lr = c[next(k for k in c if k.startswith("learning rate"))]
    values = _slider_values(lr)[:: 2 if quick else 1]
    t_lr = med(_time_changes(ex, lr, values)[0])
    t_ref = _full_redraw_reference(ex, lr, values[::-1])
    steps = c["steps"]
    t_steps = med(_time_changes(ex, steps, list(range(0, STEPS + 1, 10 if quick else 5)))[0])
    return [
        BenchRow(
            case=f"d) explorer: lr slider change (rerun {STEPS} steps + redraw + PNG) vs savefig",
            gdcore=t_lr,
            reference=t_ref,
            target="<= 100 ms",
            met=t_lr <= TARGET_S,
        ),
        BenchRow(
            case="d) explorer: step slider change vs savefig",
            gdcore=t_steps,
            reference=t_ref,
            target="<= 100 ms",
            met=t_steps <= TARGET_S,
        ),
    ]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="6 positions per slider instead of 12")
    ap.add_argument("--chapter", action="append", default=[], help="e.g. 05 (repeatable)")
    ap.add_argument("--json", type=Path, help="also write the measurements to this file")
    ap.add_argument("--cpu", action="store_true", help="time with process CPU time")
    args = ap.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    os.environ.pop("GDCORE_STATIC_HTML", None)  # the live path only
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average: {load}; cores: {os.cpu_count()}")
    chapters = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
    if args.chapter:
        chapters = [p for p in chapters if any(p.stem.startswith(c) for c in args.chapter)]
    rows = chapter_table(chapters, n=6 if args.quick else 12)
    print()
    ok = print_table(rows)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
        print(f"written: {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
