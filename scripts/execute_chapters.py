"""Execute chapter notebooks in place, as they are committed: with outputs, without widget state.

    python scripts/execute_chapters.py book/05_learning_rate.ipynb [more.ipynb ...]

Each notebook runs top to bottom in a fresh kernel (the active Python environment's
``python3`` kernel, from the notebook's own folder, as nbval reruns it). Its outputs are kept,
the ipywidgets state that the live explorers leave in the notebook metadata and the
per-cell execution timestamps are dropped (they change on every run and nothing reads them),
so that a re-executed chapter differs from the committed one only where its outputs do.
A cell that raises stops the notebook with the error and a non-zero exit status.

The code cells of every exercise solution (between a ``{solution-start}`` and a
``{solution-end}`` Markdown cell) are marked ``jupyter.source_hidden`` and
``jupyter.outputs_hidden``: JupyterLab folds them, as the HTML book folds the solution into a
dropdown (jupyterlab-myst renders the gated directives, but cannot fold cells that are not its
own). ``--fold-only`` sets that metadata without executing anything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def fold_solutions(nb: nbformat.NotebookNode) -> int:
    """Mark the code cells inside gated solutions as folded in JupyterLab; return their number."""
    inside, folded = False, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "{solution-start}" in cell.source:
                inside = True
            elif "{solution-end}" in cell.source:
                inside = False
        elif cell.cell_type == "code":
            jupyter = cell.metadata.setdefault("jupyter", {})
            if inside:
                jupyter.update(source_hidden=True, outputs_hidden=True)
                folded += 1
            else:
                jupyter.pop("source_hidden", None)
                jupyter.pop("outputs_hidden", None)
            if not jupyter:
                del cell.metadata["jupyter"]
    return folded


def execute(path: Path, timeout: int = 600) -> float:
    """Run ``path`` in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    env_static = os.environ.pop("GDCORE_STATIC_HTML", None)  # the committed form is the live one
    try:
        t0 = time.perf_counter()
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        elapsed = time.perf_counter() - t0
    finally:
        if env_static is not None:
            os.environ["GDCORE_STATIC_HTML"] = env_static
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    fold_solutions(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument(
        "--fold-only", action="store_true", help="only mark solution code cells as folded"
    )
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"not a notebook: {path}")
        if args.fold_only:
            nb = nbformat.read(path, as_version=4)
            n = fold_solutions(nb)
            nbformat.write(nb, path)
            print(f"[fold] {path}: {n} solution code cells folded", flush=True)
            continue
        print(f"[execute] {path} ...", flush=True)
        print(f"[execute] {path} done in {execute(path, args.timeout):.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
