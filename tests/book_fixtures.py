"""The ``built_book`` session fixture: the HTML book in _build/html, built at most once.

Import it where it is needed (``from book_fixtures import built_book  # noqa: F401``); tests/
is on ``sys.path`` while pytest collects the files in it.

* ``GDCORE_BOOK_BUILT=1`` (set by scripts/test.sh after it built the book): use _build/html as
  it is.
* Otherwise, when the stamp scripts/build_book.sh left (_build/html/.gdbook-stamp, a hash of
  _config.yml, _toc.yml, book/, gdcore/ and the pins) matches the current files: use it.
* Otherwise run ``bash scripts/build_book.sh`` (a clean build with ``-W``) once for the session,
  in the Python environment running the tests, and fail with its output if it fails.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

#: the chapters, in reading order (the tests check that _toc.yml lists exactly these)
CHAPTERS = (
    "01_training",
    "02_landscape",
    "03_gradient",
    "04_update_rule",
    "05_learning_rate",
    "06_convergence",
    "07_high_dimensions",
    "08_one_iteration",
    "09_reverse_mode",
    "10_minibatch",
    "11_nonconvex",
    "12_momentum",
    "13_adaptive",
    "14_preconditioning",
    "15_schedules",
    "16_generalization",
    "17_recipe",
    "18_choosing",
)


def _stamp_module():
    spec = importlib.util.spec_from_file_location("book_stamp", ROOT / "scripts" / "book_stamp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_book() -> Path:
    """Build the book unless an up-to-date build exists; return the HTML folder."""
    index = HTML / "index.html"
    if os.environ.get("GDCORE_BOOK_BUILT") == "1":
        if not index.is_file():
            pytest.fail(f"GDCORE_BOOK_BUILT=1 but {index} does not exist", pytrace=False)
        return HTML
    if _stamp_module().is_current(ROOT):
        return HTML
    env = dict(os.environ, GDBOOK_SKIP_INSTALL="1")
    if sys.prefix != sys.base_prefix:  # build with the environment that runs the tests
        env["VIRTUAL_ENV"] = sys.prefix
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_book.sh")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not index.is_file():
        out = (proc.stdout + proc.stderr)[-6000:]
        pytest.fail(f"scripts/build_book.sh failed (exit {proc.returncode}):\n{out}", pytrace=False)
    return HTML


@pytest.fixture(scope="session")
def built_book() -> Path:
    """_build/html, built with -W by scripts/build_book.sh unless an up-to-date build exists."""
    return build_book()
