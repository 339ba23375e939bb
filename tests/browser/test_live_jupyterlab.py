"""The reader's live path (Binder-equivalent): every chapter runs in JupyterLab, its MyST renders,
its sliders work.

A venv made like Binder's image (``pip install -r binder/requirements.txt``, which brings
jupyterlab-myst, + the JupyterLab pin of requirements-dev.txt; reused while the requirement files
are unchanged) runs ``jupyter lab`` on 127.0.0.1 with a random token over a temporary copy of book/
(news, announcements and update checks off; settings and workspaces in a temporary folder). One
server and one Chromium page for all chapters; for every chapter:

* open it (the first by its ``lab/tree`` URL, the others with File > Open from Path), wait for the
  kernel, Edit > Clear Outputs of All Cells, then Run > Run All Cells;
* while the kernel runs, the Markdown as jupyterlab-myst draws it: every Markdown cell drawn as
  MyST, no raw directive fence (```{...} or :::{...}) and no role prefix such as ``{cite}``
  visible, no "Unknown Directive" box, as many exercises and dropdown solutions as the source has,
  every ``{cite}`` key parsed as a citation, and every dropdown solution closed at first and open
  with its body visible after a click on its title (screenshot: artifacts/screenshots/live-myst/);
* the run ends: kernel idle and every non-empty code cell has an execution count; no output is an
  error (stderr with a traceback / ``...Error:``; widget errors);
* every explorer rendered as a live widget (one per explorer cell); in each, the "steps" and the
  "learning rate" sliders are dragged with the mouse (noUiSlider handle) to the far end and the
  explorer's images (``img`` src) and its status line (the last HTML widget) change; then twelve
  clicks on the learning-rate track, each a single value change, must each bring a new picture;
* on 05_learning_rate the learning-rate slider dragged to the far right makes a status say
  "diverged";
* File > Close and Shut Down Notebook (the kernel must be gone afterwards).

Measured and printed, not asserted: per explorer, the median and 95th percentile of the time from
a slider value change (its readout text) to the new picture (the last of its panel images to
change) over the twelve clicks, and the median time to the first panel image (MutationObserver +
performance.now() in the page; target median <= 100 ms, p95 < 150 ms), as a table at the end of
the run and in artifacts/live-latency.{txt,json}; per chapter what jupyterlab-myst made of the
MyST (citations resolved or only parsed, glue roles shown as their key); the time Run All took
and the binder venv's size. Screenshots: artifacts/screenshots/live/ and live-myst/.

jupyterlab-myst 2.7.0 reads no .bib file (a citation shows its key, marked "Citation Not Found")
and has no glue roles (``{glue:text}`name:.3f``` shows ``name:.3f``): both are reported, not
failed, since the HTML book renders them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import browser_helpers as bh
import pytest

pytestmark = pytest.mark.browser

NOTEBOOKS = [p.name for p in bh.chapter_notebooks()] or [f"{c}.ipynb" for c in bh.CHAPTERS]

RUN_ALL_TIMEOUT_S = 300
WIDGET_TIMEOUT_S = 30
FIRST_STEPS_TRY_S = 4
# Where the learning-rate track is clicked to time single value changes (a new grid position each
# time, alternating sides so that every click is a real change).
LATENCY_CLICKS = (0.3, 0.7, 0.45, 0.85, 0.15, 0.6, 0.05, 0.9, 0.35, 0.75, 0.2, 0.55)
# After the first new panel image of a click, how long to wait for the explorer's other panels
# (the kernel sends them right after the first).
PANELS_WAIT_MS = 150
EXPLORER_CELL_RE = re.compile(r"(^|\n)[ \t]*(\w+\s*=\s*)?explore\(")

LAB_SETTINGS = {
    # nothing fetched from the internet
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
LAB_CONFIG = {
    "LabApp": {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "extension_manager": "readonly",
    },
    "ServerApp": {"open_browser": False},
}
PAGE_CONFIG = {
    "disabledExtensions": {
        "@jupyterlab/apputils-extension:announcements": True,
        "@jupyterlab/extensionmanager-extension": True,
    }
}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def binder_venv(playwright_instance) -> Path:
    """The Binder-equivalent venv (after the browser check: no venv work when the browser skips)."""
    lines: list[str] = []
    try:
        info = bh.ensure_binder_venv(log=lines.append)
    except RuntimeError as exc:
        pytest.fail(f"could not make the binder venv: {exc}\n" + "\n".join(lines), pytrace=False)
    venv = Path(info["venv"])
    how = f"reused (hash {info['hash']})" if info["reused"] else f"built in {info['seconds']:.0f} s"
    bh.REPORT["env"]["binder venv"] = f"{venv}: {info['bytes'] / 1e6:.0f} MB on disk (du), {how}"
    print(f"binder venv {venv}: {info['bytes'] / 1e6:.0f} MB, {how}")
    probe = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import gdcore, ipywidgets, ipykernel; print(gdcore.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd="/",
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
    )
    if probe.returncode != 0 or str(venv) not in probe.stdout:
        pytest.fail(
            "the binder venv cannot import gdcore (from its own site-packages): "
            "binder/requirements.txt "
            f"must install it (a line `.`)\n{probe.stdout}{probe.stderr}",
            pytrace=False,
        )
    return venv


class LabServer:
    def __init__(self, venv: Path, tmp: Path):
        self.venv = venv
        self.tmp = tmp
        self.root = tmp / "book"
        self.port = bh.free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def start(self) -> None:
        src = bh.book_src_dir()
        shutil.copytree(
            src,
            self.root,
            ignore=shutil.ignore_patterns(
                "_build", ".ipynb_checkpoints", "__pycache__", ".jupyter_cache"
            ),
        )
        cfg = self.tmp / "jupyter-config"
        (cfg / "labconfig").mkdir(parents=True)
        for name in ("jupyter_server_config.json", "jupyter_lab_config.json"):
            (cfg / name).write_text(json.dumps(LAB_CONFIG))
        (cfg / "labconfig" / "page_config.json").write_text(json.dumps(PAGE_CONFIG))
        settings = self.tmp / "lab-settings"
        for rel, value in LAB_SETTINGS.items():
            p = settings / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(value))
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GDCORE_", "JUPYTER", "VIRTUAL_ENV", "PYTHON", "MPL", "IPYTHON"))
        }
        env.update(
            PATH=f"{self.venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            VIRTUAL_ENV=str(self.venv),
            JUPYTER_CONFIG_DIR=str(cfg),
            JUPYTER_DATA_DIR=str(self.tmp / "jupyter-data"),
            JUPYTER_RUNTIME_DIR=str(self.tmp / "jupyter-runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "lab-workspaces"),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(self.tmp / "ipython"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        cmd = [
            str(self.venv / "bin" / "jupyter"),
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if os.geteuid() == 0:  # CI containers run as root; Binder does not
            cmd.append("--ServerApp.allow_root=True")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            cmd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=self.tmp,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited ({self.proc.returncode}):\n{self.log_tail()}"
                )
            try:
                self.api("/api/status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer within 120 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def lab_server(binder_venv, tmp_path_factory):
    srv = LabServer(binder_venv, tmp_path_factory.mktemp("jupyterlab"))
    t0 = time.monotonic()
    try:
        srv.start()
    except RuntimeError as exc:
        srv.stop()
        pytest.fail(str(exc), pytrace=False)
    bh.REPORT["env"]["jupyter lab start"] = f"{time.monotonic() - t0:.1f} s"
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def lab_page(browser, lab_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    rec = bh.PageRecorder(context, page)
    page.set_default_timeout(30_000)
    yield page, rec
    context.close()


# -- page helpers -----------------------------------------------------------------------------

_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

_CELL_STATE = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  let pending = 0, done = 0, empty = 0, running = 0;
  for (const c of cells) {
    const src = (c.querySelector('.cm-content') || {}).textContent || '';
    const p = ((c.querySelector('.jp-InputPrompt') || {}).textContent || '').trim();
    if (!src.trim()) { empty++; continue; }
    if (/^\\[\\d+\\]:?$/.test(p)) done++;
    else { pending++; if (p.includes('*')) running++; }
  }
  return {n: cells.length, pending, done, empty, running};
}
"""

_OUTPUT_PROBLEMS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const errors = [], stderr = [];
  for (const o of panel.querySelectorAll('.jp-OutputArea-output')) {
    const mime = o.getAttribute('data-mime-type') || '';
    const t = (o.textContent || '').trim();
    const widgetError = /Error displaying widget|Failed to load model class|Error rendering/i;
    if (widgetError.test(t) || /model not found/i.test(t)) {
      errors.push(t.slice(0, 600));
    } else if (mime === 'application/vnd.jupyter.stderr') {
      const isError = /Traceback|^\\w*(Error|Exception)\\b|\\n\\w*(Error|Exception): /;
      if (isError.test(t)) errors.push(t.slice(-1200));
      else stderr.push(t.slice(0, 300));
    }
  }
  return {errors, stderr};
}
"""

# Tag every live explorer (the VBox holding a "learning rate..." slider and an image).
_TAG_EXPLORERS = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const roots = [];
  for (const lab of panel.querySelectorAll('.widget-slider .widget-label')) {
    if (!/^\\s*learning rate/.test(lab.textContent)) continue;
    let root = lab.closest('.widget-slider').parentElement;
    while (root && !(root.classList.contains('widget-vbox') && root.querySelector('img'))) {
      root = root.parentElement;
    }
    if (root && !roots.includes(root)) roots.push(root);
  }
  roots.forEach((r, i) => r.setAttribute('data-gdtest-live', String(i)));
  return roots.map((r) => ({
    labels: [...r.querySelectorAll('.widget-label')].map((l) => l.textContent.trim()),
    img: !!r.querySelector('img') && !!r.querySelector('img').getAttribute('src'),
  }));
}
"""

# Every panel's image src (joined): a change of any panel is a change of the picture.
_SNAPSHOT = """
(root) => {
  const imgs = [...root.querySelectorAll('img')];
  const htmls = root.querySelectorAll('.widget-html');
  return {img: imgs.length ? imgs.map((i) => i.getAttribute('src')).join('|') : null,
          status: htmls.length ? htmls[htmls.length - 1].textContent.trim() : null};
}
"""

_OBSERVE = """
(root) => {
  const img = () => {
    const imgs = [...root.querySelectorAll('img')];
    return imgs.length ? imgs.map((i) => i.getAttribute('src')).join('|') : null;
  };
  const status = () => { const h = root.querySelectorAll('.widget-html');
                         return h.length ? h[h.length - 1].textContent : null; };
  const readouts = () =>
    [...root.querySelectorAll('.widget-readout')].map((r) => r.textContent).join('|');
  if (window.__gdObs) window.__gdObs.disconnect();
  const rec = {img: [], readout: [], status: []};
  let last = {img: img(), readout: readouts(), status: status()};
  const obs = new MutationObserver(() => {
    const t = performance.now();
    const now = {img: img(), readout: readouts(), status: status()};
    for (const k of ['img', 'readout', 'status']) {
      if (now[k] !== last[k]) rec[k].push(t);
    }
    last = now;
  });
  obs.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__gdObs = obs;
  window.__gdRec = rec;
}
"""

_TAKE_RECORD = """
() => {
  if (window.__gdObs) window.__gdObs.disconnect();
  const r = window.__gdRec;
  window.__gdRec = null;
  return r;
}
"""


# -- MyST in JupyterLab (jupyterlab-myst) ------------------------------------------------------

# Raw MyST that must never be visible once a Markdown cell is rendered: a directive fence
# (```{name} or :::{name}) or a role's {name} prefix (jupyterlab-myst drops the prefix of a role
# it parses, known or not, so a visible prefix means the cell was not parsed as MyST).
RAW_FENCE_RE = re.compile(r"(`{3,}|~{3,}|:{3,})\s*\{[\w:-]+\}")
RAW_ROLE_RE = re.compile(r"\{(cite|glue|ref|numref|eq|doc|term|download|prf:ref)(:[\w-]+)?\}`?")
SRC_EXERCISE_RE = re.compile(r"^(`{3,}|:{3,})\{exercise(-start)?\}", re.M)
SRC_SOLUTION_RE = re.compile(
    r"^(`{3,}|:{3,})\{(solution|solution-start)\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.M
)
SRC_CITE_RE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
SRC_GLUE_RE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")


def myst_expectations(cells: list[dict]) -> dict:
    """What the chapter's Markdown asks jupyterlab-myst to render (from the notebook source)."""
    md = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    dropdowns = sum("dropdown" in m.group(3) for m in SRC_SOLUTION_RE.finditer(md))
    cites = [k.strip() for m in SRC_CITE_RE.finditer(md) for k in m.group(1).split(",")]
    return {
        "markdown_cells": sum(c["cell_type"] == "markdown" for c in cells),
        "exercises": len(SRC_EXERCISE_RE.findall(md)),
        "dropdown_solutions": dropdowns,
        "cites": cites,
        "glue": SRC_GLUE_RE.findall(md),
    }


# Rendered Markdown of the open notebook: jupyterlab-myst draws each cell into `.myst`; exercises
# are <aside class="myst-exercise">, dropdown solutions <details class="myst-exercise">, a citation
# is <cite> when its key resolves and a span titled "Citation Not Found" when it does not.
_MYST_STATE = """
() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-MarkdownCell')];
  const title = (e) => ((e.querySelector('.myst-exercise-title') || {}).textContent || '').trim();
  const out = {cells: cells.length, rendered: 0, myst: 0, texts: [], exercises: 0,
               solutions: [], cites: [], errors: []};
  cells.forEach((c, i) => {
    const ed = c.querySelector('.jp-InputArea-editor');
    if (!ed || ed.classList.contains('lm-mod-hidden')) out.rendered++;
    const m = c.querySelector('.myst');
    if (!m) { out.texts.push([i, (c.querySelector('.jp-RenderedMarkdown, .jp-RenderedHTMLCommon')
                                   || {textContent: ''}).textContent]); return; }
    out.myst++;
    out.texts.push([i, m.textContent]);
    for (const a of m.querySelectorAll('aside.myst-exercise')) {
      if (/^(Start of )?Exercise\\b/.test(title(a))) out.exercises++;
    }
    for (const d of m.querySelectorAll('details.myst-exercise')) {
      if (/Solution/.test(title(d))) out.solutions.push([i, title(d), d.open]);
    }
    for (const e of m.querySelectorAll('cite, [title="Citation Not Found"]')) {
      out.cites.push([e.textContent.trim(), e.tagName === 'CITE']);
    }
    // a directive jupyterlab-myst does not know renders as a red "name - Unknown Directive" box
    for (const e of m.querySelectorAll('.myst-exercise-title')) {
      const t = e.textContent.trim();
      if (/ - Unknown (Directive|Role)$/.test(t)) out.errors.push([i, t]);
    }
    for (const e of m.querySelectorAll('[title]')) {
      const t = e.getAttribute('title');
      if (/^(Unknown|.*Error\b)/.test(t)) out.errors.push([i, t + ': ' + e.textContent.trim()]);
    }
  });
  return out;
}
"""


# A <details> is open and its body takes room on the page (not display:none / hidden / empty).
_DETAILS_SHOWN = """
(e) => {
  const b = e.querySelector('.myst-exercise-body, .details-body');
  if (!e.open || !b) return false;
  const r = b.getBoundingClientRect(), cs = getComputedStyle(b);
  return r.height > 0 && r.width > 0 && cs.visibility !== 'hidden' && b.textContent.trim() !== '';
}
"""


def check_myst(page, expect: dict, problems: list[str]) -> dict:
    """Markdown rendered as MyST: no raw fences or role prefixes, exercises and citations parsed,
    every dropdown solution opens on a click. Returns what it saw (for the report)."""

    def ready():
        st = page.evaluate(_MYST_STATE)
        complete = (
            st["myst"] >= expect["markdown_cells"]
            and len(st["solutions"]) >= expect["dropdown_solutions"]
        )
        return st if complete else None

    t0 = time.monotonic()
    st = _wait(page, ready, 15, 0.1) or page.evaluate(_MYST_STATE)
    seen = {
        "markdown_cells": st["cells"],
        "rendered_as_myst": st["myst"],
        "exercises": st["exercises"],
        "dropdown_solutions": len(st["solutions"]),
        "cites": len(st["cites"]),
        "cites_resolved": sum(r for _, r in st["cites"]),
        "glue_roles": len(expect["glue"]),
        "glue_shown_as_key": 0,
        "ready_s": round(time.monotonic() - t0, 2),
    }
    if st["myst"] < st["cells"]:
        problems.append(f"{st['cells'] - st['myst']} Markdown cells not drawn by jupyterlab-myst")
    if st["rendered"] < st["cells"]:
        problems.append(f"{st['cells'] - st['rendered']} Markdown cells left unrendered (source)")
    for i, text in st["texts"]:
        for rx, what in ((RAW_FENCE_RE, "directive fence"), (RAW_ROLE_RE, "role prefix")):
            m = rx.search(text or "")
            if m:
                a = max(0, m.start() - 60)
                excerpt = text[a : m.end() + 60]
                problems.append(f"Markdown cell {i}: raw {what} visible: ...{excerpt!r}")
        rest = text or ""
        for key in sorted(set(expect["glue"]), key=len, reverse=True):
            seen["glue_shown_as_key"] += rest.count(key)
            rest = rest.replace(key, "")
    for i, msg in st["errors"]:
        problems.append(f"Markdown cell {i}: jupyterlab-myst error: {msg[:200]}")
    if st["exercises"] != expect["exercises"]:
        problems.append(
            f"{expect['exercises']} exercise directives but {st['exercises']} rendered exercises"
        )
    if len(st["solutions"]) != expect["dropdown_solutions"]:
        problems.append(
            f"{expect['dropdown_solutions']} dropdown solutions in the source but "
            f"{len(st['solutions'])} rendered as dropdowns"
        )
    want = sorted(expect["cites"])
    got = sorted(t for t, _ in st["cites"])
    if got != want:
        problems.append(f"citations {want} in the source but {got} rendered as citations")
    # every dropdown solution: closed at first, open with its body visible after a click
    t0 = time.monotonic()
    details = page.locator(f"{_PANEL} .jp-MarkdownCell .myst details.myst-exercise").filter(
        has=page.locator(".myst-exercise-title", has_text="Solution")
    )
    opened = 0
    for k in range(details.count()):
        d = details.nth(k)
        was_open = d.evaluate("(e) => e.open")
        ok = False
        # Run All renders the Markdown cells again as it reaches them (a new, closed <details>):
        # a click that lands just before that is lost, so a reader would click a second time
        for _attempt in range(2):
            d.locator("summary").first.click()  # scrolls it into view, waits until it is stable
            ok = _wait(page, lambda d=d: d.evaluate(_DETAILS_SHOWN), 2, 0.05)
            if ok:
                break
        if was_open or not ok:
            title = d.locator(".myst-exercise-title").first.inner_text().strip()
            problems.append(
                f"dropdown solution {title!r}: "
                + ("open before any click" if was_open else "a click did not open it")
            )
        else:
            opened += 1
    seen["solutions_opened"] = opened
    seen["clicks_s"] = round(time.monotonic() - t0, 2)
    return seen


def _menu(page, top: str, item: str) -> None:
    page.locator(
        ".lm-MenuBar-item", has_text=re.compile(rf"^\s*{re.escape(top)}\s*$")
    ).first.click()
    entry = (
        page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
        .filter(has_text=re.compile(rf"^\s*{re.escape(item)}(…|\.\.\.)?\s*$"))
        .first
    )
    entry.click()


def _answer_dialogs(
    page, prefer=("Shut Down", "Discard", "Don't Save", "Close", "Ok", "OK"), wait_s=3.0
) -> list[str]:
    """Click through JupyterLab dialogs (kernel shutdown / unsaved changes), never saving.

    Waits up to ``wait_s`` for a first dialog; returns once no dialog has shown for 0.5 s after the
    last one answered.
    """
    answered: list[str] = []
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog")
        if dialog.count() and dialog.first.is_visible():
            buttons = dialog.first.locator("button.jp-Dialog-button")
            labels = [b.strip() for b in buttons.all_inner_texts()]
            for want in prefer:
                if want in labels:
                    buttons.nth(labels.index(want)).click()
                    answered.append(want)
                    break
            else:
                dialog.first.locator("button.jp-mod-accept").first.click()
                answered.append("accept")
            deadline = time.monotonic() + 0.5
        page.wait_for_timeout(100)
    return answered


def _open_notebook(page, server: LabServer, nb: str) -> str:
    """Open ``nb`` like a reader: the first time by its lab/tree URL, then File > Open from Path…
    in the running JupyterLab (one app load for the whole suite). Returns how it was opened."""
    shell = page.locator("#jp-main-dock-panel")
    how = "url"
    if "/lab" in page.url and shell.count():
        try:
            _menu(page, "File", "Open from Path")
            field = page.locator(".jp-Dialog input").first
            field.fill(nb)
            field.press("Enter")
            how = "open from path"
        except Exception:  # no such menu entry or dialog: load the URL instead
            how = "url"
    if how == "url":
        page.goto(f"{server.url}/lab/tree/{nb}?reset&token={server.token}", wait_until="load")
    page.locator(f"{_PANEL} .jp-Notebook .jp-Cell").first.wait_for(state="attached", timeout=60_000)
    return how


def _kernel_idle(server: LabServer, nb: str) -> bool:
    try:
        sessions = server.api("/api/sessions")
    except (urllib.error.URLError, OSError):
        return False
    for s in sessions:
        if s.get("path", "").endswith(nb) and s.get("kernel"):
            return s["kernel"].get("execution_state") == "idle"
    return False


def _sessions_for(server: LabServer, nb: str) -> list[dict]:
    return [s for s in server.api("/api/sessions") if s.get("path", "").endswith(nb)]


def _wait(page, pred, timeout_s: float, interval_s: float = 0.25):
    """Poll ``pred`` until truthy; waits with page.wait_for_timeout so Playwright keeps pumping."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        page.wait_for_timeout(interval_s * 1000)
    return pred()


def _slider(root, label_re: str):
    return (
        root.locator(".widget-slider")
        .filter(has=root.page.locator(".widget-label", has_text=re.compile(label_re)))
        .first
    )


def _drag(page, slider, end: str) -> None:
    """Drag the noUiSlider handle with the mouse to the far left/right end of its track."""
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    track = slider.locator(".noUi-target").first
    hb, tb = handle.bounding_box(), track.bounding_box()
    x0, y0 = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    x1 = tb["x"] + tb["width"] + 40 if end == "right" else tb["x"] - 40
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y0, steps=3)
    page.mouse.move(x1, y0, steps=3)
    page.mouse.up()


def _far_end(slider) -> str:
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target").first
    hb, tb = handle.bounding_box(), track.bounding_box()
    return "right" if hb["x"] + hb["width"] / 2 < tb["x"] + tb["width"] / 2 else "left"


def _act_and_measure(
    page,
    root,
    action,
    timeout_s: float,
    need_status: bool = True,
    settle: bool = True,
    either: bool = False,
) -> dict:
    """Run ``action`` (a mouse gesture on a slider), wait for the new image, measure in the page.

    ``either``: the new image or the new status line is enough (a new slider position whose
    picture is that of the last one, such as two runs that both leave the view at once, only
    changes the status line).

    Latencies from the MutationObserver record (an image change: any panel's image): ``first_ms``
    = first readout (slider value) change to the first image change after it; ``picture_ms`` =
    first readout change to the last image change (for one value change: until every panel
    shows the new picture); ``final_ms`` = last readout change to the last image change (with
    continuous_update every intermediate value of a drag is computed, so this includes the
    backlog a fast drag leaves).
    """
    before = root.evaluate(_SNAPSHOT)
    root.evaluate(_OBSERVE)
    action()

    def changed():
        now = root.evaluate(_SNAPSHOT)
        img, status = now["img"] != before["img"], now["status"] != before["status"]
        ok = (img or status) if either else img and (status or not need_status)
        return now if ok else None

    after = _wait(page, changed, timeout_s, 0.05 if not settle else 0.1)
    if after is not None and not settle:  # one value change: its panel images, its status line
        page.wait_for_timeout(PANELS_WAIT_MS)
    elif after is not None:  # let queued updates finish: the picture settles
        last = None
        for _ in range(60):
            page.wait_for_timeout(150)
            snap = root.evaluate(_SNAPSHOT)
            if snap == last:
                break
            last = snap
    rec = page.evaluate(_TAKE_RECORD) or {"img": [], "readout": [], "status": []}
    final = root.evaluate(_SNAPSHOT)
    out = {
        "img_changed": final["img"] != before["img"],
        "status_changed": final["status"] != before["status"],
        "status": final["status"],
        "status_before": before["status"],
        "first_ms": None,
        "picture_ms": None,
        "final_ms": None,
        "value_changes": len(rec["readout"]),
        "images": len(rec["img"]),
    }
    if rec["readout"] and rec["img"]:
        r0, r1 = rec["readout"][0], rec["readout"][-1]
        firsts = [t for t in rec["img"] if t >= r0]
        if firsts:
            out["first_ms"] = round(firsts[0] - r0, 1)
            out["picture_ms"] = round(firsts[-1] - r0, 1)
        finals = [t for t in rec["img"] if t >= r1]
        if finals:
            out["final_ms"] = round(finals[-1] - r1, 1)
    return out


def _click_track(page, slider, fraction: float) -> None:
    """Click the slider's track at ``fraction`` of its width (the handle jumps there)."""
    track = slider.locator(".noUi-target").first
    track.scroll_into_view_if_needed()
    # noUiSlider ignores a tap while the previous tap's handle animation runs (noUi-state-tap)
    _wait(page, lambda: "noUi-state-tap" not in (track.get_attribute("class") or ""), 2, 0.05)
    tb = track.bounding_box()
    page.mouse.click(tb["x"] + fraction * tb["width"], tb["y"] + tb["height"] / 2)


def _exercise_explorer(page, i: int, info: dict, problems: list) -> list[dict]:
    """Drag "steps" then "learning rate" to their far ends, then two clicks for clean timings."""
    root = page.locator(f'[data-gdtest-live="{i}"]')
    root.scroll_into_view_if_needed()
    label = f"explorer #{i + 1}"
    samples = []
    sliders = {}
    for name, label_re in (("steps", r"^\s*steps\s*$"), ("learning rate", r"^\s*learning rate")):
        slider = _slider(root, label_re)
        if slider.count() == 0:
            problems.append(f"{label}: no {name!r} slider (labels {info['labels']})")
            continue
        sliders[name] = slider
        # steps: the end farther from the handle (the other end if that shows the same picture,
        # e.g. a run that already stopped); learning rate: the far right (largest rate)
        end = "right" if name == "learning rate" else _far_end(slider)
        if name == "steps" and re.search(
            r"converged|diverged", root.evaluate(_SNAPSHOT)["status"] or ""
        ):
            end = "left"  # the run stopped early: more steps would show the same picture
        d = _act_and_measure(
            page,
            root,
            lambda s=slider, e=end: _drag(page, s, e),
            # a steps drag that changes nothing (a run that stopped early) is tried the other way;
            # a real change shows within a second or two, so the first try does not wait long
            WIDGET_TIMEOUT_S if name == "learning rate" else FIRST_STEPS_TRY_S,
        )
        if name == "steps" and not (d["img_changed"] and d["status_changed"]):
            end = "left" if end == "right" else "right"
            d = _act_and_measure(
                page, root, lambda s=slider, e=end: _drag(page, s, e), WIDGET_TIMEOUT_S
            )
        d.update(explorer=i + 1, slider=name, gesture=f"drag {end}")
        samples.append(d)
        if name == "steps" and end == "left":  # 0 steps shows no path: back to the most steps
            _act_and_measure(
                page, root, lambda s=slider: _drag(page, s, "right"), 10, need_status=False
            )
        if not d["img_changed"]:
            problems.append(f"{label}: dragging {name!r} to the {end} did not change the image")
        if not d["status_changed"]:
            problems.append(
                f"{label}: dragging {name!r} to the {end} did not change the status "
                f"({d['status']!r})"
            )
    # single value changes (a click on the track): the slider-change-to-new-image latency
    if "learning rate" in sliders:
        for frac in LATENCY_CLICKS:
            d = _act_and_measure(
                page,
                root,
                lambda f=frac: _click_track(page, sliders["learning rate"], f),
                WIDGET_TIMEOUT_S,
                need_status=False,
                settle=False,
                either=True,
            )
            d.update(explorer=i + 1, slider="learning rate", gesture=f"click {frac:.0%}")
            samples.append(d)
    return samples


# -- the test ---------------------------------------------------------------------------------


def test_binder_requirements_install_gdcore():
    """Binder installs gdcore itself from the repository (no git fetch from the first cell)."""
    req = bh.REPO / "binder" / "requirements.txt"
    assert bh.local_requirement_lines(req), f"{req} installs no local path (expected a line `.`)"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[Path(n).stem for n in NOTEBOOKS])
def test_live_chapter(lab_page, lab_server, nb):
    page, rec = lab_page
    chapter = Path(nb).stem
    src_nb = bh.book_src_dir() / nb
    assert src_nb.is_file(), f"{src_nb} missing"
    cells = json.loads(src_nb.read_text(encoding="utf-8"))["cells"]
    n_explorer_cells = sum(
        1
        for c in cells
        if c["cell_type"] == "code" and EXPLORER_CELL_RE.search("".join(c["source"]))
    )
    problems: list[str] = []
    result: dict = {"explorer_cells": n_explorer_cells}
    bh.REPORT["live"][chapter] = result
    n_errors_before = len(rec.page_errors)
    phases: dict[str, float] = {}
    result["phase_s"] = phases
    t_phase = [time.monotonic()]

    def phase(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - t_phase[0], 1)
        t_phase[0] = now

    try:
        result["opened_by"] = _open_notebook(page, lab_server, nb)
        if not _wait(page, lambda: _kernel_idle(lab_server, nb), 60):
            problems.append("kernel never became idle after opening the notebook")
        _answer_dialogs(page, prefer=("Select", "Ok", "OK"), wait_s=0.5)

        # Clear outputs (so stale counts cannot pass for new ones), then Run > Run All Cells.
        page.locator(f"{_PANEL} .jp-Notebook").first.click(position={"x": 5, "y": 5})
        _menu(page, "Edit", "Clear Outputs of All Cells")
        _wait(page, lambda: page.evaluate(_CELL_STATE)["done"] == 0, 10)
        t0 = time.monotonic()
        _menu(page, "Run", "Run All Cells")
        phase("open")

        # MyST rendered by jupyterlab-myst, checked while the kernel runs the chapter (Markdown
        # needs no kernel; this overlaps the browser's work with the kernel's).
        myst_problems: list[str] = []
        result["myst"] = check_myst(page, myst_expectations(cells), myst_problems)
        problems += [f"MyST: {p}" for p in myst_problems]
        shot = bh.screenshot_path("live-myst", chapter)
        page.screenshot(path=str(shot))
        result["myst_screenshot"] = str(shot)
        phase("myst")

        def finished():
            # all done, or stopped: something ran, nothing is queued or running, kernel idle (an
            # error aborts Run All and leaves the later cells without a count)
            st = page.evaluate(_CELL_STATE)
            if not st or st["running"] or not (st["pending"] == 0 or st["done"] > 0):
                return None
            return st if _kernel_idle(lab_server, nb) else None

        state = _wait(page, finished, RUN_ALL_TIMEOUT_S, 0.5)
        result["run_all_s"] = round(time.monotonic() - t0, 1)
        state = state or page.evaluate(_CELL_STATE)
        result["code_cells"] = state["n"]
        if state["pending"]:
            problems.append(
                f"{state['pending']} code cells have no execution count after Run All "
                f"(stopped by an error, or not done in {RUN_ALL_TIMEOUT_S} s): {state}"
            )
        phase("run all")
        page.wait_for_timeout(500)  # widget views render after the last reply
        outs = page.evaluate(_OUTPUT_PROBLEMS)
        result["stderr"] = outs["stderr"]
        for e in outs["errors"]:
            problems.append(f"error output: {e}")

        # Explorers.
        def tagged():
            got = page.evaluate(_TAG_EXPLORERS)
            return got if len(got) >= n_explorer_cells and all(g["img"] for g in got) else None

        explorers = _wait(page, tagged, WIDGET_TIMEOUT_S, 0.5) or page.evaluate(_TAG_EXPLORERS)
        result["explorers"] = len(explorers)
        if n_explorer_cells == 0:
            problems.append("the chapter has no explorer cell (explore(...))")
        if len(explorers) < n_explorer_cells:
            problems.append(
                f"{n_explorer_cells} explorer cells but {len(explorers)} live explorers "
                "rendered (a slider labelled 'learning rate' and an image in a VBox)"
            )
        drags = []
        for i, info in enumerate(explorers):
            drags += _exercise_explorer(page, i, info, problems)
        phase("explorers")
        result["drags"] = len(drags)
        result["drag_details"] = drags
        clicks = [d["picture_ms"] for d in drags if d["gesture"].startswith("click")]
        clicks = [c for c in clicks if c is not None]
        finals = [d["final_ms"] for d in drags if d["gesture"].startswith("drag")]
        finals = [c for c in finals if c is not None]
        result["slider_to_img_ms"] = bh.median(clicks)
        result["slider_to_img_max_ms"] = max(clicks) if clicks else None
        result["drag_settle_ms"] = bh.median(finals)
        for i, info in enumerate(explorers):
            timed = [
                d
                for d in drags
                if d["explorer"] == i + 1
                and d["gesture"].startswith("click")
                and d["picture_ms"] is not None
            ]
            ms = [d["picture_ms"] for d in timed]
            first = [d["first_ms"] for d in timed]
            bh.REPORT["live_latency"].append(
                {
                    "chapter": chapter,
                    "explorer": i + 1,
                    "controls": [x for x in info["labels"] if x][:5],
                    "n": len(ms),
                    "median_ms": bh.median(ms),
                    "p95_ms": bh.percentile(ms, 95),
                    "max_ms": max(ms) if ms else None,
                    "first_median_ms": bh.median(first),
                    "samples_ms": ms,
                }
            )
            clicks_i = [
                d for d in drags if d["explorer"] == i + 1 and d["gesture"].startswith("click")
            ]
            dead = [d for d in clicks_i if not (d["img_changed"] or d["status_changed"])]
            if dead:
                problems.append(
                    f"explorer #{i + 1}: {len(dead)} of {len(clicks_i)} clicks on the "
                    "learning-rate track changed neither the picture nor the status line"
                )
            if len(ms) < len(clicks_i) // 2:
                problems.append(
                    f"explorer #{i + 1}: only {len(ms)} of {len(clicks_i)} clicks on the "
                    "learning-rate track gave a new picture"
                )
        if chapter == "05_learning_rate":
            statuses = [
                d["status"]
                for d in drags
                if d["gesture"] == "drag right" and d["slider"] == "learning rate"
            ]
            if not any("diverged" in (s or "") for s in statuses):
                problems.append(
                    "05_learning_rate: no status says 'diverged' after dragging the "
                    f"learning-rate slider to the far right (statuses: {statuses})"
                )

        # Screenshot with the first explorer in view.
        shot = bh.screenshot_path("live", chapter)
        if explorers:
            page.locator('[data-gdtest-live="0"]').evaluate(
                "(el) => el.scrollIntoView({block: 'start'})"
            )
            page.wait_for_timeout(200)
        page.screenshot(path=str(shot))
        result["screenshot"] = (
            str(shot.relative_to(bh.REPO)) if shot.is_relative_to(bh.REPO) else str(shot)
        )
        print(f"screenshot: {shot}")
    finally:
        # File > Close and Shut Down Notebook; the kernel must be gone.
        try:
            _menu(page, "File", "Close and Shut Down Notebook")
            result["close_dialogs"] = _answer_dialogs(page)
        except Exception as exc:  # the REST API below shuts the kernel down instead
            result["close_error"] = f"{type(exc).__name__}: {exc}"[:300]
        left = _wait(page, lambda: not _sessions_for(lab_server, nb), 15) or _sessions_for(
            lab_server, nb
        )
        if left is not True and left:
            result["close_fallback"] = True
            for s in left:
                lab_server.api(f"/api/sessions/{s['id']}", method="DELETE")
        result["page_errors"] = rec.page_errors[n_errors_before:]
        phase("close")
        print(f"phases (s): {phases}")
    if result.get("close_fallback"):
        problems.append(
            f"File > Close and Shut Down Notebook left the kernel running "
            f"({result.get('close_error', '')})"
        )
    if rec.external:
        problems.append(f"JupyterLab requests left 127.0.0.1: {sorted(set(rec.external))[:8]}")
    assert not problems, (
        f"{nb} (server log tail below):\n  - "
        + "\n  - ".join(problems)
        + (f"\n--- jupyter lab log (tail)\n{lab_server.log_tail(2000)}")
    )
