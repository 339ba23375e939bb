"""Fixtures of the browser suites: one Chromium for the session, the built book served on 127.0.0.1.

Select the suites with ``pytest -m browser``; they run by default (and in CI). Without
/usr/bin/chromium they skip locally and fail in CI (CI=true).

Overrides, for trying the harness on a throwaway book: GDCORE_BOOK_SRC (folder with _toc.yml and the
notebooks; default book/), GDCORE_BOOK_HTML (built HTML; default _build/html, built by
tests/book_fixtures.py unless GDCORE_BOOK_BUILT=1 or its stamp is current), GDCORE_BINDER_VENV
(default ~/.cache/gdcore-book/venv-binder), GDCORE_ARTIFACTS (default artifacts/).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import browser_helpers as bh


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


def _ensure_book_built() -> Path:
    override = os.environ.get("GDCORE_BOOK_HTML")
    if override:  # a throwaway book, built by hand
        html = Path(override)
        if not (html / "index.html").is_file():
            pytest.fail(f"GDCORE_BOOK_HTML={html} has no index.html", pytrace=False)
        return html
    # the one builder (tests/book_fixtures.py): stamp-checked, built at most once per session
    sys.path.insert(0, str(bh.REPO / "tests"))
    import book_fixtures

    t0 = time.monotonic()
    html = Path(book_fixtures.build_book())
    if time.monotonic() - t0 > 5:
        bh.REPORT["env"]["book build"] = f"{time.monotonic() - t0:.0f} s"
    return html


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The built HTML book (_build/html), built at most once per session (tests/book_fixtures)."""
    return _ensure_book_built()


@pytest.fixture(scope="session")
def book_server(book_html):
    """The built book served by a threading http.server on 127.0.0.1:<free port>."""
    with bh.StaticServer(book_html) as srv:
        yield srv
