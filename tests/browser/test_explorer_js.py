"""The static explorer's JavaScript in a real browser: the HTML form, its decoders and inflate.

Uses the shared Chromium of tests/browser/conftest.py (one Playwright session per test run).
"""

from __future__ import annotations

import base64
import re

import explorer_mirror as mirror
import numpy as np
import pytest

from gdcore.functions import parabola, quadratic
from gdcore.widgets import _schema, _static, explore

X0 = [-2.5, 2.0]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 900}, device_scale_factor=2)
    pg = context.new_page()
    yield pg
    context.close()


def test_static_explorer_in_a_browser(page, tmp_path):
    f = quadratic()
    ex = explore(f, x0=X0, lr=0.1, steps=30, max_steps=60, options={"momentum": [0, 0.9]})
    ex2 = explore(parabola(), x0=[4.0], lr=0.1, max_steps=40)  # two explorers on one page
    path = tmp_path / "page.html"
    path.write_text("<!doctype html><meta charset='utf-8'><body>" + ex.to_html() + ex2.to_html())
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.gd-explorer[data-ready=\"1\"]').length == 2"
    )
    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests)
    root = page.locator(".gd-explorer").first
    status = root.locator(".gd-status")
    assert status.inner_text() == ex.status.value
    lr = root.locator('input[data-name="learning rate"]')
    readout = root.locator("output").first
    figure = root.locator(".gd-panels")
    shots = {figure.screenshot()}
    for key, value in (("End", 0.0), ("Home", 0.0), ("End", 0.9)):
        if value:
            root.locator('input[data-name="momentum"]').focus()
            page.keyboard.press("End")
            ex.controls["momentum"].value = 0.9
        lr.focus()
        page.keyboard.press(key)
        grid_value = float(ex.spec.lr_grid[-1 if key == "End" else 0])
        ex.controls["learning rate"].value = grid_value
        assert readout.inner_text() == f"{grid_value:.3g}"
        assert status.inner_text() == ex.status.value  # JS formats exactly what Python does
        shots.add(figure.screenshot())
    assert "diverged" in status.inner_text()
    assert len(shots) == 4
    # the JS decoding of stored losses gives Python's ".3g" text and the value
    values = [
        0.0123456,
        1.0,
        123456.0,
        1e-5,
        0.00012345,
        99.95,
        2.5e-12,
        1e300,
        0.5,
        -3.25,
        0.0,
        np.inf,
        1e-320,
    ]
    for refine in (False, True):
        codes = [int(c) for c in _static.loss_codes(np.array(values), refine)]
        js = page.evaluate(
            "([cs, r, S]) => cs.map((c) => window.gdExplorer.codec(S).decodeLoss(c, r))",
            [codes, refine, _schema.schema()],
        )
        assert [t for t, _ in js] == [f"{v:.3g}" for v in values]
        py = [mirror.decode_loss(c, refine)[1] for c in codes]
        np.testing.assert_allclose([x if x is not None else np.inf for _, x in js], py, rtol=1e-12)


def test_js_inflate_matches_zlib(page):
    """explorer.js's own inflate decodes what zlib writes (stored, fixed and dynamic blocks)."""
    import zlib

    page.set_content(
        "<!doctype html><body>" + explore(parabola(), x0=[4.0], steps=5, max_steps=5).to_html()
    )
    page.wait_for_selector('.gd-explorer[data-ready="1"]')
    rng = np.random.default_rng(1)
    datas = [
        rng.integers(0, 256, 70_000, dtype=np.uint8).tobytes(),  # incompressible: stored blocks
        (np.cumsum(rng.integers(-2, 3, 90_000)) % 256).astype(np.uint8).tobytes(),
        b"gradient descent " * 3000,
        b"x",
    ]
    for data in datas:
        for level in (0, 1, 6, 9):
            z = base64.b64encode(zlib.compress(data, level)).decode()
            out = page.evaluate(
                """([z, n]) => {
                     const bin = atob(z), src = new Uint8Array(bin.length);
                     for (let i = 0; i < bin.length; i++) src[i] = bin.charCodeAt(i);
                     const out = window.gdExplorer.inflate(src, n);
                     let s = '';
                     for (let i = 0; i < out.length; i++) s += String.fromCharCode(out[i]);
                     return btoa(s);
                   }""",
                [z, len(data)],
            )
            assert base64.b64decode(out) == data, (len(data), level)


def test_a_payload_of_another_format_or_a_broken_one_says_so_in_the_status_line(page):
    """explorer.js checks payload.v and shows any error in the status line."""
    html = explore(parabola(), x0=[4.0], steps=5, max_steps=20).to_html()
    v = f'"v":{_schema.VERSION}'
    assert html.count(v) == 1
    older = html.replace(v, f'"v":{_schema.VERSION - 1}')
    broken = re.sub(r'"data":"([A-Za-z0-9+/]{40})[^"]*"', r'"data":"\1"', html)
    assert broken != html
    page.set_content("<!doctype html><body>" + older + broken.replace("gdx-", "gdy-"))
    page.wait_for_function(
        "document.querySelectorAll('.gd-explorer[data-ready=\"error\"]').length == 2"
    )
    texts = page.locator(".gd-status").all_inner_texts()
    want = _schema.VERSION_MISMATCH.format(got=_schema.VERSION - 1, want=_schema.VERSION)
    assert texts[0] == _schema.ERROR_PREFIX + want
    assert texts[1] == _schema.ERROR_PREFIX + "gdExplorer: truncated data"
    assert page.locator(".gd-status.gd-error").count() == 2
