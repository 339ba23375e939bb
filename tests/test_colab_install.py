"""The install cell that opens every chapter (COMMON.md): identical everywhere, a no-op where gdcore
is importable, and on a fresh kernel without gdcore it installs gdcore so that ``import gdcore``
works.

The Colab path is reproduced offline as far as it can be: a fresh venv that already has the
reader's libraries (Colab ships numpy, matplotlib and ipywidgets; here they come from
requirements.txt, in a cached "preinstalled" venv the fresh venv sees through a .pth file, so
nothing is downloaded twice and gdcore is *not* visible), ``GDCORE_SPEC`` set to
``gdcore @ file:///<copy of this repository>`` (Colab uses the default ``gdcore @ git+https://...``,
the same PEP 508 direct reference, over git), and the cell run by that venv's Python. Every process
the cell starts is recorded by a sitecustomize.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BOOK = REPO / "book"

# The exact cell of COMMON.md (two long lines split here only to keep this file within 100 columns).
INSTALL_CELL = (
    "# Install gdcore when it is missing (Colab, a fresh kernel); "
    "where it is installed this does nothing.\n"
    "import importlib.util\n"
    "import os\n"
    "import subprocess\n"
    "import sys\n"
    "\n"
    'if importlib.util.find_spec("gdcore") is None:\n'
    '    spec = os.environ.get("GDCORE_SPEC", '
    '"gdcore @ git+https://github.com/gdbook/gradient-descent-book")\n'
    '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", spec], check=True)'
)

CHAPTERS = sorted(p for p in BOOK.glob("[0-9][0-9]_*.ipynb"))

# Records every process the cell's own interpreter starts (subprocess.Popen underlies run/call/
# check_call/...); processes started by those (pip's build steps) are not recorded.
SITECUSTOMIZE = """\
import json
import os
import subprocess


def _record(entry):
    with open(os.environ["GDCORE_TEST_CALL_LOG"], "a") as fh:
        fh.write(json.dumps(entry) + "\\n")


if not os.environ.get("GDCORE_TEST_HOOKED"):
    os.environ["GDCORE_TEST_HOOKED"] = "1"  # children (pip's build steps) inherit it: not recorded
    _popen_init = subprocess.Popen.__init__
    _system = os.system

    def _init(self, args, *a, **kw):
        _record([str(x) for x in args] if isinstance(args, (list, tuple)) else [str(args)])
        _popen_init(self, args, *a, **kw)

    def _sys(cmd):
        _record(["os.system", cmd])
        return _system(cmd)

    subprocess.Popen.__init__ = _init
    os.system = _sys
"""


def _first_code_cell(nb_path: Path) -> dict:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            return cell
    raise AssertionError(f"{nb_path.name} has no code cell")


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_every_chapter_exists():
    import book_fixtures

    names = [p.stem for p in CHAPTERS]
    assert names == list(book_fixtures.CHAPTERS), f"the chapters in book/ are {names}"


@pytest.mark.parametrize("nb", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_first_code_cell_is_the_install_cell(nb):
    cell = _first_code_cell(nb)
    assert _source(cell).rstrip("\n") == INSTALL_CELL, (
        f"{nb.name}: the first code cell differs from the install cell in COMMON.md"
    )
    assert "remove-cell" in cell.get("metadata", {}).get("tags", []), (
        f"{nb.name}: the install cell is not tagged remove-cell (it must not show in the book)"
    )


def test_install_cell_identical_across_chapters():
    sources = {_source(_first_code_cell(nb)) for nb in CHAPTERS}
    assert len(sources) == 1, f"{len(sources)} different first code cells across the chapters"


def test_install_cell_does_nothing_where_gdcore_is_importable(monkeypatch):
    assert importlib.util.find_spec("gdcore") is not None, (
        "gdcore must be importable in the test env"
    )
    calls = []

    def record(*args, **kwargs):
        calls.append((args, kwargs))
        raise AssertionError(f"the install cell started a process: {args}")

    for name in ("run", "call", "check_call", "check_output", "Popen"):
        monkeypatch.setattr(subprocess, name, record)
    monkeypatch.setattr(os, "system", record)
    monkeypatch.delenv("GDCORE_SPEC", raising=False)
    exec(compile(INSTALL_CELL, "<install cell>", "exec"), {"__name__": "__main__"})
    assert calls == []


# -- the fresh-kernel (Colab) path ---------------------------------------------------------------


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "GDCORE_", "PIP_REQUIRE_VIRTUALENV"))
    }
    env.update(extra)
    return env


def _site_packages(venv: Path) -> Path:
    out = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
        env=_clean_env(),
    )
    return Path(out.stdout.strip())


def _preinstalled_venv() -> Path:
    """A cached venv with requirements.txt (the reader's libraries), no gdcore: like Colab's image.

    Rebuilt when requirements.txt changes; shared by test runs (it is never written to by a test).
    """
    import hashlib

    req = REPO / "requirements.txt"
    key = hashlib.sha256(req.read_bytes() + sys.version.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gdcore-book"
    venv = cache / "venv-colab-preinstalled"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "venv-colab-preinstalled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = venv / ".requirements-hash"
        if not (stamp.is_file() and stamp.read_text() == key):
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_clean_env())
            proc = subprocess.run(
                [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(req)],
                capture_output=True,
                text=True,
                cwd=REPO,
                env=_clean_env(),
            )
            assert proc.returncode == 0, (
                f"pip install -r requirements.txt failed:\n{proc.stderr[-3000:]}"
            )
            stamp.write_text(key)
    return venv


def _copy_repository(dest: Path) -> Path:
    """What a clone of the repository holds: tracked and untracked-but-not-ignored files."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout.split("\0")
    for rel in filter(None, files):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def test_install_cell_installs_gdcore_on_a_fresh_kernel(tmp_path):
    base = _preinstalled_venv()
    venv = tmp_path / "kernel-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_clean_env())
    python = str(venv / "bin" / "python")
    (_site_packages(venv) / "colab_preinstalled.pth").write_text(f"{_site_packages(base)}\n")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "calls.jsonl"
    src = _copy_repository(tmp_path / "gradient-descent-book")
    spec = f"gdcore @ {src.as_uri()}"
    env = _clean_env(GDCORE_SPEC=spec, PYTHONPATH=str(hooks), GDCORE_TEST_CALL_LOG=str(log))

    def py(code: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(
            [python, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, **kw
        )

    pre = py(
        "import importlib.util, numpy, matplotlib, ipywidgets; "
        "print(importlib.util.find_spec('gdcore'))"
    )
    assert pre.returncode == 0, f"the fresh kernel lacks the preinstalled libraries:\n{pre.stderr}"
    assert pre.stdout.strip() == "None", (
        f"gdcore is already visible in the fresh venv: {pre.stdout}"
    )

    first = py(INSTALL_CELL)
    assert first.returncode == 0, (
        f"the install cell failed:\n{first.stdout}\n{first.stderr[-4000:]}"
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    pip_calls = [c for c in calls if c[1:4] == ["-m", "pip", "install"]]
    assert len(pip_calls) == 1 and pip_calls[0][-1] == spec, f"expected one pip install: {calls}"

    check = py(
        "import gdcore, numpy as np; "
        "t = gdcore.run(gdcore.SGD(lr=0.1), gdcore.Objective(lambda x: (x**2).sum(-1), "
        "lambda x: 2*x), x0=[4.0], steps=3); print(gdcore.__file__); print(t.params[-1, 0])"
    )
    assert check.returncode == 0, f"import gdcore failed after the install cell:\n{check.stderr}"
    where, last = check.stdout.split()
    assert where.startswith(str(venv)), f"gdcore imported from {where}, not the fresh venv"
    assert float(last) == pytest.approx(4.0 * 0.8**3), check.stdout

    log.unlink()
    again = py(INSTALL_CELL)
    assert again.returncode == 0, again.stderr
    assert not log.exists(), f"second run started processes: {log.read_text()}"
