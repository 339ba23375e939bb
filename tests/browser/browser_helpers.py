"""Shared plumbing for the browser suites (static HTML book and live JupyterLab).

Nothing here asserts on timings: times are measured, collected in :data:`REPORT` and printed as
tables at the end of the pytest run (see ``pytest_terminal_summary`` in ``conftest.py``) and written
to ``artifacts/browser-report.json``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import socket
import statistics
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))  # the shared tests/book_fixtures.py
sys.path.insert(0, str(REPO / "scripts"))  # the print edition's Chromium flags
import book_fixtures  # noqa: E402
from book_pdf import CHROMIUM_ARGS  # noqa: E402, F401  (re-exported: one list of Chromium flags)

ARTIFACTS = Path(os.environ.get("GDCORE_ARTIFACTS", REPO / "artifacts"))
CHROMIUM = os.environ.get("GDCORE_CHROMIUM", "/usr/bin/chromium")
# The chapters, in reading order (COMMON.md). The static suite takes the order from _toc.yml and
# checks that it lists exactly these; the live suite and the install-cell test use the notebooks.
CHAPTERS = book_fixtures.CHAPTERS
CHAPTER_RE = re.compile(r"^\d\d_[a-z0-9_]+$")

# Page-weight budget of the static book (issue: "<= 2 MB" per page; SI megabytes, the stricter
# reading), on bytes transferred from a host that gzips text like every static host does.
PAGE_WEIGHT_LIMIT = 2_000_000

# Everything measured in this run: {"static": {page: {...}}, "live": {chapter: {...}}, "env": {}},
# and "live_latency": one row per live explorer (slider-change-to-new-image times).
REPORT: dict = {"static": {}, "live": {}, "env": {}, "live_latency": []}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def book_src_dir() -> Path:
    """Folder with the chapter notebooks (override: GDCORE_BOOK_SRC, for throwaway books)."""
    return Path(os.environ.get("GDCORE_BOOK_SRC", REPO / "book"))


def find_toc() -> Path | None:
    for cand in (book_src_dir() / "_toc.yml", REPO / "_toc.yml"):
        if cand.is_file():
            return cand
    return None


def toc_files(toc: Path) -> list[str]:
    """Every ``file:`` entry (and the root) of a Jupyter Book 1.x _toc.yml, in order, without
    extension."""
    import yaml

    data = yaml.safe_load(toc.read_text(encoding="utf-8")) or {}
    out: list[str] = []

    def strip(f: str) -> str:
        f = str(f).strip()
        for ext in (".ipynb", ".md", ".rst", ".py"):
            if f.endswith(ext):
                return f[: -len(ext)]
        return f

    def walk(node):
        if isinstance(node, dict):
            if "root" in node:
                out.append(strip(node["root"]))
            if "file" in node:
                out.append(strip(node["file"]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(data)
    return out


def static_pages() -> list[str]:
    """Pages of the static book to test, as paths relative to the HTML root without ``.html``.

    From _toc.yml when it exists (root page included: it must not reach a CDN either); else the
    chapter notebooks on disk; else the canonical chapter list (the tests then fail: page missing).
    """
    toc = find_toc()
    if toc is not None:
        return toc_files(toc)
    nbs = sorted(p.stem for p in book_src_dir().glob("[0-9][0-9]_*.ipynb"))
    return nbs or list(CHAPTERS)


def chapter_of(page: str) -> str:
    return page.rsplit("/", 1)[-1]


def is_chapter(page: str) -> bool:
    return bool(CHAPTER_RE.match(chapter_of(page)))


def chapter_notebooks() -> list[Path]:
    """Chapter notebooks on disk in order (book/NN_*.ipynb)."""
    return sorted(p for p in book_src_dir().glob("[0-9][0-9]_*.ipynb") if CHAPTER_RE.match(p.stem))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_GZIP_TYPES = (
    ".html",
    ".css",
    ".js",
    ".json",
    ".svg",
    ".txt",
    ".map",
    ".xml",
    ".ttf",
    ".otf",
    ".inv",
)
_GZIP_CACHE: dict[tuple[str, float], bytes] = {}
# GDCORE_STATIC_GZIP=0 serves everything uncompressed (page weights then equal the files' sizes).
GZIP = os.environ.get("GDCORE_STATIC_GZIP", "1") != "0"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static web host does: gzip for text types when the browser accepts it.

    Page weight is then what a reader downloads from a real host (GitHub Pages, Read the Docs and
    Netlify all gzip text); the uncompressed size is reported next to it.
    """

    def log_message(self, format, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = GZIP and "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in _GZIP_TYPES):
            return super().send_head()
        key = (str(path), path.stat().st_mtime)
        body = _GZIP_CACHE.get(key)
        if body is None:
            body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
            _GZIP_CACHE[key] = body
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


class StaticServer:
    """A threading http.server serving ``root`` on 127.0.0.1:<free port>."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


LOCAL_HOSTS = {"127.0.0.1"}
NON_LOCAL_URL = re.compile(r"^(?!(https?|wss?)://127\.0\.0\.1(:\d+)?(/|$))(?!(data|blob|about):)")
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-extension", "devtools"}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


class PageRecorder:
    """Records requests, page errors and console errors of one page; blocks anything not local.

    Blocked (non-local) requests are still recorded, so a CDN reference fails the test even though
    it could not be fetched here.
    """

    def __init__(self, context, page):
        self.page = page
        self.requests: list = []
        self.finished: list = []
        self.failed: list = []
        self.external: list[str] = []
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        # A regex (matched inside the browser driver), not a Python predicate: a predicate would
        # stop every request until Python next talks to Playwright.
        context.route(NON_LOCAL_URL, self._block)
        page.on("request", self._on_request)
        page.on("requestfinished", lambda r: self.finished.append(r))
        page.on("requestfailed", lambda r: self.failed.append(r))
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._on_console)

    def _block(self, route):
        route.abort("blockedbyclient")

    def _on_request(self, request):
        self.requests.append(request)
        if not is_local(request.url):
            self.external.append(request.url)

    def _on_console(self, msg):
        if msg.type == "error":
            loc = msg.location or {}
            where = loc.get("url", "")
            self.console_errors.append(f"{msg.text} [{where}:{loc.get('lineNumber', '')}]")

    def transferred_bytes(self) -> tuple[int, int, dict[str, int]]:
        """Bytes on the wire (headers + encoded body) of every finished request, total and by type,
        and the decoded (uncompressed) body total."""
        total = 0
        decoded = 0
        by_type: dict[str, int] = {}
        for req in self.finished:
            try:
                sizes = req.sizes()
                resp = req.response()
                body = len(resp.body()) if resp is not None else 0
            except Exception:  # the page may be gone: count what is known
                continue
            n = max(sizes.get("responseBodySize", 0), 0) + max(
                sizes.get("responseHeadersSize", 0), 0
            )
            total += n
            decoded += body
            by_type[req.resource_type] = by_type.get(req.resource_type, 0) + n
        return total, decoded, by_type


def median(values) -> float | None:
    vals = [float(v) for v in values if v is not None]
    return statistics.median(vals) if vals else None


def percentile(values, q: float) -> float | None:
    """The ``q``-th percentile with linear interpolation (numpy's default), None when empty."""
    vals = sorted(float(v) for v in values if v is not None)
    if not vals:
        return None
    pos = (len(vals) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(vals) - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def fmt_ms(v) -> str:
    return "-" if v is None else f"{v:7.1f}"


def fmt_bytes(n) -> str:
    return "-" if n is None else f"{n / 1e6:6.3f} MB"


def hash_files(paths, extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for p in paths:
        p = Path(p)
        h.update(str(p.name).encode())
        h.update(p.read_bytes() if p.is_file() else b"<missing>")
    return h.hexdigest()[:16]


def screenshot_path(kind: str, chapter: str) -> Path:
    d = ARTIFACTS / "screenshots" / kind
    d.mkdir(parents=True, exist_ok=True)
    return d / f"{chapter}.png"


def write_report() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "browser-report.json"
    out.write_text(json.dumps(REPORT, indent=2, default=str), encoding="utf-8")
    if REPORT.get("live_latency"):
        (ARTIFACTS / "live-latency.json").write_text(
            json.dumps(REPORT["live_latency"], indent=1), encoding="utf-8"
        )
        (ARTIFACTS / "live-latency.txt").write_text(
            "\n".join(live_latency_lines()) + "\n", encoding="utf-8"
        )
    return out


def live_latency_lines() -> list[str]:
    """The per-explorer table of the live suite: slider change to new image, in JupyterLab."""
    rows = REPORT.get("live_latency") or []
    if not rows:
        return []
    lines = [
        "Live explorers in JupyterLab: learning-rate slider change (a click on the track) to the "
        "new picture (every panel image changed), ms; 'first': median to the first panel image:",
        f"{'chapter':<20} {'expl':>4} {'n':>2} {'median':>7} {'p95':>7} {'max':>7} {'first':>7}"
        "  met?  controls",
    ]
    for r in rows:
        med, p95 = r.get("median_ms"), r.get("p95_ms")
        met = med is not None and med <= 100 and p95 is not None and p95 < 150
        lines.append(
            f"{r['chapter']:<20} {r['explorer']:>4} {r['n']:>2} {fmt_ms(med):>7} {fmt_ms(p95):>7} "
            f"{fmt_ms(r.get('max_ms')):>7} {fmt_ms(r.get('first_median_ms')):>7}  "
            f"{'yes' if met else 'NO ':<4}  "
            f"{', '.join(r.get('controls') or [])[:60]}"
        )
    meds = [r["median_ms"] for r in rows if r.get("median_ms") is not None]
    over = sum(1 for m in meds if m > 100)
    lines.append(
        f"{len(rows)} explorers, {over} with a median over 100 ms; target median <= 100 ms and "
        "p95 < 150 ms (measured in the page: MutationObserver + performance.now(); not asserted)."
    )
    return lines


def summary_lines() -> list[str]:
    """The tables printed at the end of the run."""
    lines: list[str] = []
    st = REPORT["static"]
    if st:
        lines.append(
            "Static HTML book (no kernel; served from 127.0.0.1, gzip like a static host):"
        )
        lines.append(
            f"{'page':<20} {'reqs':>4} {'ext':>3} {'weight gz':>10} {'unzipped':>10} {'expl':>4} "
            f"{'ctrls':>5} {'handler':>7} {'in->rAF':>7} {'js hdl':>7} {'js frm':>7}  screenshot"
        )
        for page, r in st.items():
            lines.append(
                f"{page:<20} {r.get('requests', '-'):>4} {r.get('external', '-'):>3} "
                f"{fmt_bytes(r.get('bytes')):>10} {fmt_bytes(r.get('bytes_uncompressed')):>10} "
                f"{r.get('explorers', '-'):>4} {r.get('controls', '-'):>5} "
                f"{fmt_ms(r.get('handler_ms')):>7} {fmt_ms(r.get('frame_ms')):>7} "
                f"{fmt_ms(r.get('explorer_handler_ms')):>7} {fmt_ms(r.get('explorer_ms')):>7}  "
                f"{r.get('screenshot', '')}"
            )
        weights = [(r["bytes"], p) for p, r in st.items() if r.get("bytes") is not None]
        if weights:
            heavy = max(weights)
            lines.append(
                f"heaviest page: {heavy[1]} {fmt_bytes(heavy[0])} "
                f"(limit {fmt_bytes(PAGE_WEIGHT_LIMIT)})"
            )
        lines.append(
            "ms, medians: handler = input event dispatch (synchronous handler); in->rAF = "
            "dispatch until the next requestAnimationFrame callback (10-point sweep of every "
            "slider); js hdl / js frm = explorer.js's own window.gdExplorer.timings (event "
            "timeStamp to handler end / to next frame). Target <= 16 ms; printed, not asserted."
        )
    lv = REPORT["live"]
    if lv:
        lines.append("")
        lines.append("Live JupyterLab (binder venv, Run All Cells, mouse on ipywidgets):")
        lines.append(
            f"{'chapter':<20} {'cells':>5} {'run all':>7} {'expl':>4} {'gest':>4} "
            f"{'click->img':>10} {'max':>7} {'drag settle':>11}  screenshot"
        )
        for ch, r in lv.items():
            run_all = r.get("run_all_s")
            lines.append(
                f"{ch:<20} {r.get('code_cells', '-'):>5} "
                f"{'-' if run_all is None else f'{run_all:.1f} s':>7} "
                f"{r.get('explorers', '-'):>4} {r.get('drags', '-'):>4} "
                f"{fmt_ms(r.get('slider_to_img_ms')):>10} "
                f"{fmt_ms(r.get('slider_to_img_max_ms')):>7} "
                f"{fmt_ms(r.get('drag_settle_ms')):>11}  {r.get('screenshot', '')}"
            )
        lines.append(
            "ms, medians per chapter: click->img = one slider value change (a click on the track) "
            "to the new image src; drag settle = last value change of a drag to its last image "
            "(includes the backlog of intermediate values). Target <= 100 ms (2-D); not asserted."
        )
    myst = {ch: r["myst"] for ch, r in lv.items() if r.get("myst")}
    if myst:
        lines.append("")
        lines.append("MyST in JupyterLab (jupyterlab-myst), per chapter:")
        lines.append(
            f"{'chapter':<20} {'md cells':>8} {'as MyST':>7} {'exerc':>5} {'dropdn':>6} "
            f"{'opened':>6} {'cites':>5} {'resolved':>8} {'glue':>4} {'as key':>6}"
        )
        for ch, m in myst.items():
            lines.append(
                f"{ch:<20} {m['markdown_cells']:>8} {m['rendered_as_myst']:>7} "
                f"{m['exercises']:>5} {m['dropdown_solutions']:>6} "
                f"{m.get('solutions_opened', '-'):>6} {m['cites']:>5} {m['cites_resolved']:>8} "
                f"{m['glue_roles']:>4} {m['glue_shown_as_key']:>6}"
            )
        lines.append(
            "cites: {cite} roles parsed as citations; resolved: shown as a formatted reference "
            "(jupyterlab-myst 2.7 reads no .bib file: an unresolved one shows its key, marked). "
            "glue: {glue} roles in the Markdown; as key: shown as the glue key (no glue support)."
        )
    if REPORT.get("live_latency"):
        lines.append("")
        lines += live_latency_lines()
    env = REPORT["env"]
    for key, val in env.items():
        lines.append(f"{key}: {val}")
    return lines


# -- the Binder-equivalent virtual environment ----------------------------------------------


def _requirement_files(req: Path) -> list[Path]:
    """``req`` and every file it includes with -r/-c (recursively), in order."""
    out = [req]
    for line in req.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        for flag in ("-r", "--requirement", "-c", "--constraint"):
            if line.startswith(flag + " ") or line.startswith(flag + "="):
                inc = (req.parent / line[len(flag) + 1 :].strip()).resolve()
                if inc.is_file() and inc not in out:
                    out += [p for p in _requirement_files(inc) if p not in out]
    return out


def local_requirement_lines(req: Path) -> list[str]:
    """Lines of a requirements file installing a local path (``.``, ``-e .``, ``./x``, ``/abs``)."""
    out = []
    for line in req.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        target = line[3:].strip() if line.startswith("-e ") else line
        if target.startswith((".", "/", "file:")):
            out.append(line)
    return out


def jupyterlab_pin() -> str:
    """The ``jupyterlab==X`` line of requirements-dev.txt (one source of pins)."""
    for line in (REPO / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if re.match(r"^jupyterlab\s*==", line):
            return line.replace(" ", "")
    raise RuntimeError("requirements-dev.txt has no jupyterlab==X pin")


def gdcore_digest() -> str:
    files = sorted((REPO / "gdcore").rglob("*"))
    files = [p for p in files if p.is_file() and "__pycache__" not in p.parts]
    return hash_files([REPO / "pyproject.toml", *files])


def binder_venv_dir() -> Path:
    """Where the Binder-like venv lives (outside the work tree: CI's fresh clones reuse it)."""
    env = os.environ.get("GDCORE_BINDER_VENV")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "gdcore-book" / "venv-binder"


def _run(cmd, log, **kw) -> None:
    import subprocess

    log(f"$ {' '.join(str(c) for c in cmd)}")
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError(
            f"command failed (exit {proc.returncode}): {' '.join(str(c) for c in cmd)}\n"
            f"--- stdout (tail)\n{proc.stdout[-3000:]}\n--- stderr (tail)\n{proc.stderr[-3000:]}"
        )


def du_bytes(path: Path) -> int:
    import subprocess

    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def ensure_binder_venv(log=print) -> dict:
    """Create (or reuse) the venv a reader gets on Binder: binder/requirements.txt + JupyterLab.

    repo2docker installs ``pip install -r binder/requirements.txt`` from the repository root on top
    of a base image that brings JupyterLab; the JupyterLab pin comes from requirements-dev.txt.
    Reused when the hash of the requirement files, the pin and the Python version matches; local
    path requirements (gdcore itself, ``.``) are reinstalled when gdcore's sources change.
    """
    import fcntl
    import shutil
    import sys
    import time

    venv = binder_venv_dir()
    req = REPO / "binder" / "requirements.txt"
    if not req.is_file():
        raise RuntimeError(f"{req} is missing")
    pin = jupyterlab_pin()
    pyver = ".".join(map(str, sys.version_info[:3]))
    req_hash = hash_files(_requirement_files(req), extra=f"{pin}|{pyver}")
    local = local_requirement_lines(req)
    digest = gdcore_digest()
    state_file = venv / ".gdcore-binder.json"
    python = venv / "bin" / "python"
    info = {"venv": str(venv), "hash": req_hash, "reused": False, "seconds": 0.0}
    venv.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with open(venv.parent / (venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = {}
        if state_file.is_file():
            try:
                state = json.loads(state_file.read_text())
            except ValueError:
                state = {}
        if state.get("hash") == req_hash and python.exists():
            info["reused"] = True
            if local and state.get("gdcore") != digest:
                log("gdcore sources changed: reinstalling the local requirement(s)")
                for line in local:
                    _run(
                        [
                            python,
                            "-m",
                            "pip",
                            "install",
                            "--no-deps",
                            "--force-reinstall",
                            *line.split(),
                        ],
                        log,
                        cwd=REPO,
                    )
        else:
            if venv.exists():
                log(f"requirements changed: removing {venv}")
                shutil.rmtree(venv)
            _run([sys.executable, "-m", "venv", str(venv)], log)
            _run(
                [python, "-m", "pip", "install", "-r", "binder/requirements.txt", pin],
                log,
                cwd=REPO,
            )
        state = {"hash": req_hash, "gdcore": digest, "pin": pin, "python": pyver}
        state_file.write_text(json.dumps(state))
    info["seconds"] = round(time.monotonic() - t0, 1)
    info["bytes"] = du_bytes(venv)
    return info
