"""Fixtures of the browser suites: one Chromium for the session, the built book served on 127.0.0.1.

Select the suites with ``pytest -m browser``; they run by default (and in CI). Without
/usr/bin/chromium they skip locally and fail in CI (CI=true).

Overrides, for trying the harness on a throwaway book: GDCORE_BOOK_SRC (folder with _toc.yml and the
notebooks; default book/), GDCORE_BOOK_HTML (built HTML; default _build/html), GDCORE_BINDER_VENV,
GDCORE_ARTIFACTS (default artifacts/).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_helpers as bh  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium (Playwright) against the built HTML book or a live "
        "JupyterLab; runs by default and in CI",
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not (bh.REPORT["static"] or bh.REPORT["live"] or bh.REPORT["env"]):
        return
    terminalreporter.section("browser measurements")
    for line in bh.summary_lines():
        terminalreporter.write_line(line)
    path = bh.write_report()
    terminalreporter.write_line(f"report: {path}")


def _unavailable(reason: str):
    if bh.in_ci():
        pytest.fail(f"{reason} (CI=true: the browser suites must run in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(bh.CHROMIUM).exists():
        _unavailable(f"{bh.CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """One headless Debian Chromium for both suites."""
    b = playwright_instance.chromium.launch(
        executable_path=bh.CHROMIUM, args=bh.CHROMIUM_ARGS, headless=True
    )
    bh.REPORT["env"]["chromium"] = b.version
    yield b
    b.close()


def _ensure_book_built(request) -> Path:
    override = os.environ.get("GDCORE_BOOK_HTML")
    if override:
        html = Path(override)
    else:
        html = bh.REPO / "_build" / "html"
        try:  # the infra helper's session fixture (tests/conftest.py), when it exists
            got = request.getfixturevalue("built_book")
        except pytest.FixtureLookupError:
            got = None
        if got is not None and not isinstance(got, bool):
            got = Path(got)
            html = got / "html" if (got / "html" / "index.html").is_file() else got
    index = html / "index.html"
    if index.is_file():
        return html
    if os.environ.get("GDCORE_BOOK_BUILT"):
        pytest.fail(f"GDCORE_BOOK_BUILT is set but {index} is missing", pytrace=False)
    script = bh.REPO / "scripts" / "build_book.sh"
    if not script.is_file():
        pytest.fail(f"{index} is missing and {script} does not exist to build it", pytrace=False)
    t0 = time.monotonic()
    proc = subprocess.run(
        ["bash", str(script)], cwd=bh.REPO, capture_output=True, text=True, timeout=1800
    )
    bh.REPORT["env"]["book build (scripts/build_book.sh)"] = f"{time.monotonic() - t0:.0f} s"
    if proc.returncode != 0 or not index.is_file():
        pytest.fail(
            f"scripts/build_book.sh failed (exit {proc.returncode}); {index} "
            f"{'exists' if index.is_file() else 'missing'}\n--- stdout (tail)\n{proc.stdout[-4000:]}"
            f"\n--- stderr (tail)\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    return html


@pytest.fixture(scope="session")
def book_html(request) -> Path:
    """The built HTML book (_build/html), built once if it is missing."""
    return _ensure_book_built(request)


@pytest.fixture(scope="session")
def book_server(book_html):
    """The built book served by a threading http.server on 127.0.0.1:<free port>."""
    with bh.StaticServer(book_html) as srv:
        yield srv
