"""The built HTML book works with no kernel and no CDN: a reader's browser against _build/html.

For every page in _toc.yml order, served from 127.0.0.1 in a fresh browser context (cold cache):

* no request leaves 127.0.0.1 (non-local requests are recorded and blocked), no page error, no
  console error;
* math is typeset by MathJax 3 (every ``.math`` element holds an ``mjx-container``; no raw ``$$``,
  ``\\(``, ``\\[`` or ``$\\cmd$`` left in the prose);
* every chapter has at least one explorer (``.gd-explorer``), each gets ``data-ready="1"``; every
  control in it (``[data-name]``) is moved to its far end the way a reader would (keyboard End/Home
  on a range input, choosing the last/first option of a select) and the explorer's figure
  (``.gd-figure``) changes (element screenshots differ) and, for sliders, its readout text changes;
* on 05_learning_rate the learning-rate slider at its maximum makes ``.gd-status`` say "diverged";
* page weight (bytes on the wire of every request of the page) is at most 2 MB.

Measured and printed, never asserted: input-to-frame time (input event dispatched in the page until
the next requestAnimationFrame; target <= 16 ms), page weights and request counts. One screenshot
per chapter goes to artifacts/screenshots/static/<chapter>.png.
"""

from __future__ import annotations

import time

import browser_helpers as bh
import pytest

pytestmark = pytest.mark.browser

PAGES = bh.static_pages()

CHANGE_TIMEOUT_S = 8.0  # how long a control may take to redraw before we call it "no change"

# JS: controls of one explorer, tagged with data-gdtest-ctrl so Python can address them.
_LIST_CONTROLS = """
(ex) => {
  const seen = new Set();
  const out = [];
  for (const el of ex.querySelectorAll('[data-name]')) {
    let c = el.matches('input, select, [role="slider"]') ? el
            : el.querySelector('input[type="range"], select, input, [role="slider"]');
    if (!c || seen.has(c)) continue;
    seen.add(c);
    const k = out.length;
    c.setAttribute('data-gdtest-ctrl', String(k));
    const r = c.getBoundingClientRect();
    out.push({
      k, name: el.getAttribute('data-name') || c.getAttribute('data-name') || '',
      tag: c.tagName.toLowerCase(), type: (c.getAttribute('type') || '').toLowerCase(),
      role: c.getAttribute('role') || '',
      value: c.value !== undefined ? String(c.value) : c.getAttribute('aria-valuenow'),
      min: c.min !== undefined && c.min !== '' ? Number(c.min)
           : Number(c.getAttribute('aria-valuemin')),
      max: c.max !== undefined && c.max !== '' ? Number(c.max)
           : Number(c.getAttribute('aria-valuemax')),
      selectedIndex: c.selectedIndex === undefined ? null : c.selectedIndex,
      nOptions: c.options ? c.options.length : null,
      visible: r.width > 0 && r.height > 0 && getComputedStyle(c).visibility !== 'hidden',
    });
  }
  return out;
}
"""

# JS: the explorer's text outside its figure (value readouts, status, legends).
_READOUT_TEXT = """
(ex) => {
  const c = ex.cloneNode(true);
  c.querySelectorAll('.gd-figure, script, style').forEach((e) => e.remove());
  return c.textContent.replace(/\\s+/g, ' ').trim();
}
"""

# JS: set a control's value programmatically (used only to restore a control after a test).
_SET_VALUE = """
(el, v) => {
  if (el.tagName === 'SELECT') el.selectedIndex = Number(v); else el.value = v;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
}
"""

# JS: input-to-frame timing of one range control, measured in the page.
_SWEEP = """
async (el, values) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const out = [];
  const orig = el.value;
  await frame();
  for (const v of values) {
    el.value = String(v);
    const t0 = performance.now();
    el.dispatchEvent(new Event('input', {bubbles: true}));
    const t1 = performance.now();
    await frame();
    const t2 = performance.now();
    await frame();
    const t3 = performance.now();
    out.push({handler: t1 - t0, frame: t2 - t0, next_frame: t3 - t0});
  }
  el.value = orig;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  await frame();
  return out;
}
"""

# JS: the timings explorer.js records itself (window.gdExplorer.timings: {handler, frame} in ms,
# from the input event's timeStamp to the end of the handler / to the next animation frame).
_EXPLORER_TIMINGS = """
() => {
  const g = window.gdExplorer;
  if (!g || !Array.isArray(g.timings)) return [];
  return g.timings.map((r) => [r.handler, r.frame]);
}
"""

_MATH = """
() => {
  const maths = Array.from(document.querySelectorAll('.math'));
  const untypeset = maths.filter((m) => !m.querySelector('mjx-container'))
                         .map((m) => m.textContent.trim().slice(0, 80));
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, textarea, noscript, .highlight, mjx-container, '
                         + '.gd-explorer, .cell_input').forEach((e) => e.remove());
  const text = clone.textContent;
  const raw = [];
  const pats = [/\\$\\$/, /\\\\\\(/, /\\\\\\[/, /\\\\begin\\{/,
                /\\$[^$\\n]{0,80}\\\\[a-zA-Z]+[^$\\n]{0,80}\\$/];
  for (const p of pats) {
    const m = text.match(p);
    if (m) raw.push(text.slice(Math.max(0, m.index - 40), m.index + 60).replace(/\\s+/g, ' '));
  }
  return {n: maths.length, mjx: document.querySelectorAll('mjx-container').length, untypeset, raw};
}
"""


def _figure_shot(fig) -> bytes:
    return fig.screenshot(animations="disabled", caret="hide")


def _wait_for_new_picture(page, fig, before: bytes) -> tuple[bool, bytes]:
    """Poll the figure until its pixels differ from ``before`` (or CHANGE_TIMEOUT_S passes)."""
    deadline = time.monotonic() + CHANGE_TIMEOUT_S
    shot = before
    while time.monotonic() < deadline:
        page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        shot = _figure_shot(fig)
        if shot != before:
            # let a redraw in progress finish, then take the settled picture
            page.wait_for_timeout(50)
            return True, _figure_shot(fig)
        page.wait_for_timeout(100)
    return False, shot


def _move_to_end(page, ctrl, info: dict, end: str) -> None:
    """Move a control to one end like a reader: keyboard on sliders, a click-choice on selects."""
    if info["tag"] == "select":
        idx = info["nOptions"] - 1 if end == "max" else 0
        value = ctrl.evaluate("(el, i) => el.options[i].value", idx)
        ctrl.select_option(value=value)
    elif info["type"] == "checkbox":
        ctrl.click()
    else:
        ctrl.focus()
        page.keyboard.press("End" if end == "max" else "Home")


def _far_end(info: dict) -> str:
    if info["tag"] == "select":
        return "max" if info["selectedIndex"] < info["nOptions"] - 1 else "min"
    try:
        v, lo, hi = float(info["value"]), float(info["min"]), float(info["max"])
    except (TypeError, ValueError):
        return "max"
    return "max" if (hi - v) >= (v - lo) else "min"


def _restore(ctrl, info: dict) -> None:
    orig = info["selectedIndex"] if info["tag"] == "select" else info["value"]
    ctrl.evaluate(_SET_VALUE, orig)


def _exercise_explorer(page, ex, idx: int, chapter: str, problems: list, stats: dict) -> None:
    label = f"explorer #{idx + 1}"
    ex.scroll_into_view_if_needed()
    try:
        ex.wait_for(state="visible", timeout=10_000)
        page.wait_for_function(
            "(el) => el.getAttribute('data-ready') === '1'", arg=ex.element_handle(), timeout=30_000
        )
    except Exception as exc:
        problems.append(f'{label}: never got data-ready="1" ({type(exc).__name__})')
        return
    fig = ex.locator(".gd-figure").first
    if fig.count() == 0:
        problems.append(f"{label}: no .gd-figure element")
        return
    controls = ex.evaluate(_LIST_CONTROLS)
    names = [c["name"] for c in controls]
    stats["controls"] += len(controls)
    if not any("learning rate" in n for n in names):
        problems.append(f"{label}: no 'learning rate' control (controls: {names})")
    if not any(n == "steps" for n in names):
        problems.append(f"{label}: no 'steps' control (controls: {names})")

    for info in controls:
        name = info["name"]
        if not info["visible"]:
            stats["notes"].append(f"{label} control {name!r} hidden; skipped")
            continue
        ctrl = ex.locator(f'[data-gdtest-ctrl="{info["k"]}"]')
        before = _figure_shot(fig)
        text_before = ex.evaluate(_READOUT_TEXT)
        first = _far_end(info)
        tried = []
        changed = False
        for end in (first, "min" if first == "max" else "max"):
            _move_to_end(page, ctrl, info, end)
            tried.append(end)
            changed, _ = _wait_for_new_picture(page, fig, before)
            if changed:
                break
        text_after = ex.evaluate(_READOUT_TEXT)
        stats["interactions"].append(
            {
                "explorer": idx + 1,
                "control": name,
                "end": tried[-1],
                "picture_changed": changed,
                "readout_changed": text_after != text_before,
            }
        )
        if not changed:
            problems.append(
                f"{label}: moving {name!r} to its ends ({tried}) did not change .gd-figure"
            )
        elif text_after == text_before and info["tag"] != "select":
            problems.append(f"{label}: moving {name!r} changed the figure but no readout text")
        _restore(ctrl, info)
        page.wait_for_timeout(50)

    # input-to-frame sweep over each range control (restored afterwards by the sweep itself)
    for info in controls:
        if not info["visible"] or info["type"] != "range":
            continue
        lo, hi = info["min"], info["max"]
        values = [lo + (hi - lo) * i / 9 for i in range(10)]
        ctrl = ex.locator(f'[data-gdtest-ctrl="{info["k"]}"]')
        for s in ctrl.evaluate(_SWEEP, values):
            stats["handler"].append(s["handler"])
            stats["frame"].append(s["frame"])


def _check_diverges(page, explorers, problems: list) -> None:
    """05_learning_rate: the learning-rate slider at its maximum -> .gd-status says "diverged"."""
    seen = []
    for i in range(explorers.count()):
        ex = explorers.nth(i)
        ex.scroll_into_view_if_needed()
        lr = ex.locator('[data-name="learning rate"]').first
        if lr.count() == 0:
            continue
        if lr.evaluate("(el) => el.matches('input, select, [role=slider]')") is False:
            lr = lr.locator('input[type="range"], [role="slider"]').first
        orig = lr.evaluate("(el) => el.value")
        lr.focus()
        page.keyboard.press("End")
        status = ex.locator(".gd-status").first
        text = ""
        deadline = time.monotonic() + CHANGE_TIMEOUT_S
        while time.monotonic() < deadline:
            text = status.text_content() if status.count() else ""
            if "diverged" in (text or ""):
                break
            page.wait_for_timeout(100)
        seen.append(text)
        lr.evaluate(_SET_VALUE, orig)
        if "diverged" in (text or ""):
            return
    problems.append(
        "05_learning_rate: no explorer's .gd-status says 'diverged' with the learning-rate "
        "slider at "
        f"its maximum (status texts seen: {seen})"
    )


def test_toc_lists_every_chapter():
    """_toc.yml exists and lists the 15 chapters, in order."""
    toc = bh.find_toc()
    assert toc is not None, "no _toc.yml in book/ or the repository root"
    chapters = [bh.chapter_of(p) for p in bh.toc_files(toc) if bh.is_chapter(p)]
    assert chapters == list(bh.CHAPTERS), f"{toc} chapters: {chapters}"


@pytest.mark.parametrize("page_path", PAGES, ids=[bh.chapter_of(p) for p in PAGES])
def test_static_page(browser, book_server, book_html, page_path):
    chapter = bh.chapter_of(page_path)
    html_file = book_html / f"{page_path}.html"
    assert html_file.is_file(), f"{html_file} missing from the built book"
    url = f"{book_server.url}/{page_path}.html"
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=1, service_workers="block"
    )
    page = context.new_page()
    rec = bh.PageRecorder(context, page)
    problems: list[str] = []
    stats = {
        "controls": 0,
        "interactions": [],
        "handler": [],
        "frame": [],
        "explorer_timings": [],
        "notes": [],
    }
    result: dict = {}
    phases: dict[str, float] = {}
    t_phase = time.monotonic()

    def phase(name: str) -> None:
        nonlocal t_phase
        now = time.monotonic()
        phases[name] = round(now - t_phase, 2)
        t_phase = now

    try:
        page.goto(url, wait_until="load", timeout=60_000)
        try:
            page.wait_for_load_state("networkidle", timeout=15_000)
        except Exception:  # a page that keeps polling is judged by the checks below
            stats["notes"].append("network never idle for 500 ms")
        phase("load")

        # math
        if page.evaluate("() => document.querySelectorAll('.math').length") > 0:
            try:
                page.wait_for_function(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                    timeout=20_000,
                )
                page.evaluate("() => MathJax.startup.promise.then(() => true)")
            except Exception:
                problems.append(
                    "MathJax 3 never loaded (is it served locally? see external requests)"
                )
        math = page.evaluate(_MATH)
        phase("math")
        result["math"] = math["n"]
        if math["untypeset"]:
            problems.append(
                f"{len(math['untypeset'])} of {math['n']} math elements not typeset, e.g. "
                f"{math['untypeset'][:3]}"
            )
        if math["raw"]:
            problems.append(f"raw TeX left in the text: {math['raw']}")

        # explorers
        explorers = page.locator(".gd-explorer")
        n_ex = explorers.count()
        result["explorers"] = n_ex
        if bh.is_chapter(page_path) and n_ex == 0:
            problems.append("chapter has no explorer (.gd-explorer) in the static HTML")
        for i in range(n_ex):
            _exercise_explorer(page, explorers.nth(i), i, chapter, problems, stats)
        if chapter == "05_learning_rate" and n_ex:
            _check_diverges(page, explorers, problems)
        stats["explorer_timings"] = page.evaluate(_EXPLORER_TIMINGS)
        phase("explorers")

        # screenshot: the first explorer in view (else the top of the page)
        shot = bh.screenshot_path("static", chapter)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        if n_ex:
            explorers.first.evaluate("(el) => el.scrollIntoView({block: 'start'})")
            page.evaluate("() => window.scrollBy(0, -60)")
            page.wait_for_timeout(100)
        else:
            page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(shot))
        result["screenshot"] = (
            str(shot.relative_to(bh.REPO)) if shot.is_relative_to(bh.REPO) else str(shot)
        )
        print(f"screenshot: {shot}")
        phase("screenshot")
    finally:
        total, decoded, by_type = rec.transferred_bytes()
        result.update(
            requests=len(rec.requests),
            external=len(rec.external),
            bytes=total,
            bytes_uncompressed=decoded,
            bytes_by_type=by_type,
            controls=stats["controls"],
            handler_ms=bh.median(stats["handler"]),
            frame_ms=bh.median(stats["frame"]),
            interactions=stats["interactions"],
            explorer_timings_n=len(stats["explorer_timings"]),
            notes=stats["notes"],
            page_errors=rec.page_errors,
            console_errors=rec.console_errors,
            external_urls=sorted(set(rec.external)),
        )
        result["explorer_handler_ms"] = bh.median(t[0] for t in stats["explorer_timings"])
        result["explorer_ms"] = bh.median(t[1] for t in stats["explorer_timings"])
        phase("weights")
        result["phase_s"] = phases
        print(f"phases (s): {phases}")
        bh.REPORT["static"][chapter] = result
        context.close()

    if rec.external:
        hosts = sorted({u.split("/")[2] if "//" in u else u for u in rec.external})
        problems.append(
            f"{len(rec.external)} requests left 127.0.0.1 (hosts {hosts}): "
            f"{sorted(set(rec.external))[:8]}"
        )
    if rec.page_errors:
        problems.append(f"page errors: {rec.page_errors[:5]}")
    if rec.console_errors:
        problems.append(f"console errors: {rec.console_errors[:5]}")
    if total > bh.PAGE_WEIGHT_LIMIT:
        problems.append(f"page weight {total} B > {bh.PAGE_WEIGHT_LIMIT} B; by type {by_type}")
    assert not problems, f"{page_path}.html:\n  - " + "\n  - ".join(problems)


# -- phones ---------------------------------------------------------------------------------------
PHONE = {"width": 390, "height": 844}
PHONE_PAGES = [p for p in PAGES if bh.chapter_of(p) in bh.CHAPTERS]  # every chapter

# JS: the layout of the page at phone width: page overflow, each explorer's panels against the
# width of the column the explorer sits in, the height of every range input.
_PHONE_LAYOUT = """
() => {
  const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]) || 0;
  const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
               explorers: [], wide: []};
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && r.width > 0
        && getComputedStyle(el).position !== 'fixed'
        && !el.closest('.bd-sidebar-primary, .bd-sidebar-secondary')) {
      out.wide.push(el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' +
                    Math.round(r.right));
    }
  }
  out.wide = out.wide.slice(0, 8);
  for (const ex of document.querySelectorAll('.gd-explorer')) {
    const col = ex.parentElement.closest('article, main') || document.body;
    const content = col.clientWidth - px(col, 'paddingLeft') - px(col, 'paddingRight');
    out.explorers.push({
      content,
      explorer: ex.getBoundingClientRect().width,
      panels: [...ex.querySelectorAll('.gd-panel')].map((p) => p.getBoundingClientRect().width),
      ranges: [...ex.querySelectorAll('input[type=range]')].map(
        (r) => [r.getAttribute('data-name'), r.getBoundingClientRect().height]),
      font: px(ex, 'fontSize'),
    });
  }
  return out;
}
"""


@pytest.mark.parametrize("page_path", PHONE_PAGES, ids=[bh.chapter_of(p) for p in PHONE_PAGES])
def test_phone_layout(browser, book_server, book_html, page_path):
    """At 390 x 844 the page does not scroll sideways, every explorer panel takes (nearly) the
    full width of the text column, and every slider is a 44 px touch target."""
    chapter = bh.chapter_of(page_path)
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="block",
    )
    page = context.new_page()
    try:
        page.goto(f"{book_server.url}/{page_path}.html", wait_until="load", timeout=60_000)
        explorers = page.locator(".gd-explorer")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.gd-explorer')]"
            ".every((e) => e.getAttribute('data-ready') === '1')",
            timeout=30_000,
        )
        layout = page.evaluate(_PHONE_LAYOUT)
        shot = bh.screenshot_path("phone", chapter)
        if explorers.count():
            explorers.first.evaluate("(el) => el.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(100)
        page.screenshot(path=str(shot))
        print(f"screenshot: {shot}")
    finally:
        context.close()
    bh.REPORT.setdefault("phone", {})[chapter] = layout
    problems = []
    if layout["scrollWidth"] > layout["innerWidth"]:
        problems.append(
            f"the page scrolls sideways: scrollWidth {layout['scrollWidth']} > "
            f"{layout['innerWidth']} (wide elements: {layout['wide']})"
        )
    if not layout["explorers"]:
        problems.append("no explorer on the page")
    for i, ex in enumerate(layout["explorers"]):
        label = f"explorer #{i + 1}"
        for j, w in enumerate(ex["panels"]):
            if w < 0.9 * ex["content"]:
                problems.append(
                    f"{label} panel {j + 1}: {w:.0f} px < 90% of the {ex['content']:.0f} px column"
                )
        for name, h in ex["ranges"]:
            if h < 44:
                problems.append(f"{label} slider {name!r}: {h:.0f} px tall < 44 px")
        if ex["font"] < 14:
            problems.append(f"{label}: text {ex['font']} px < 14 px")
    assert not problems, f"{page_path}.html at 390 x 844:\n  - " + "\n  - ".join(problems)
