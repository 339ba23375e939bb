"""The book's local Sphinx extension (loaded through ``sphinx.local_extensions`` in _config.yml).

It does five things:

1. **Static explorers.** At setup it sets ``GDCORE_STATIC_HTML=1`` in this process's
   environment. myst-nb executes every chapter in a kernel subprocess, which inherits the
   environment, so :func:`gdcore.widgets.explore` emits its static, self-running HTML form
   (``text/html``) instead of a live widget that would need a kernel. The HTML builder prefers
   ``text/html`` (``nb_mime_priority_overrides`` in _config.yml), and the saved widget state,
   which nothing on the page reads, is left out.
2. **MathJax served from the book.** MathJax 3 (pinned, :data:`MATHJAX_VERSION`) is installed
   from the npm registry into ``.cache/npm/node_modules/`` (once; npm runs with ``--no-save
   --no-package-lock``, so nothing outside that git-ignored folder is written) and the files a
   page needs are copied into ``_build/html/_static/mathjax/``; ``mathjax_path`` in _config.yml
   points there. ``python book/_ext/gdbook.py fetch-mathjax`` does the install by hand.
3. **API reference helpers** for book/api.md: every gdcore module's description ends with an
   autosummary table of its ``__all__`` (``.. gdcore-summary:: module``); type hints that name
   a private module (``gdcore._objective.Objective``) and short names (``:class:`SGD```) link to
   the public entry; napoleon does not turn prose in ``#:`` comments into type names.
4. **Offline check.** After an HTML build every page is scanned for scripts, stylesheets,
   fonts, images or frames loaded from another host; each one is a warning, so ``-W`` fails the
   build. Plain ``<a href>`` links (repository, Binder, Colab) are fine.

5. **A link to the print edition** on every page: a PDF button in the page header (next to
   the download menu) leads to :data:`BOOK_PDF`, which ``scripts/build_pdf.sh`` prints from the
   built book after the HTML build.

Thebe is not loaded at all: jupyter-book adds ``sphinx_thebe`` to every build, and
sphinx-thebe 0.3.1 registers an inline ``const THEBE_JS_URL = ...`` script from an
``env-before-read-docs`` handler, i.e. after ``Builder.init()``. Sphinx 7.4 then holds that
script twice (``app.add_js_file(None)`` puts it on the builder with filename ``None``, and
``prepare_writing`` re-adds registry assets as ``filename or ''``, which does not compare equal),
so every page declared the constant twice and raised ``SyntaxError: Identifier 'THEBE_JS_URL'
has already been declared``. _config.yml therefore lists the extensions explicitly without
``sphinx_thebe``; :func:`_check_no_thebe` fails the build if it comes back.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar
from urllib.parse import urlsplit

from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.ext.autosummary import Autosummary
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: exact MathJax release installed from npm (``mathjax@3`` line)
MATHJAX_VERSION = "3.2.2"
#: where ``npm install --prefix`` puts it, relative to the repository root
NPM_PREFIX = Path(".cache") / "npm"
#: the part of the MathJax package a page needs, relative to ``node_modules/mathjax``: the
#: combined TeX-to-CommonHTML component and its web fonts, plus what it loads on demand, so
#: that it keeps working offline: TeX extensions for autoload (``\boldsymbol``, ``\cancel``,
#: ``\color``, ...), and the accessibility tools of its right-click menu (explorer, speech).
MATHJAX_FILES = (
    "LICENSE",
    "es5/tex-chtml.js",
    "es5/output/chtml/fonts/woff-v2",
    "es5/input/tex/extensions",
    "es5/a11y",
    "es5/ui",
    "es5/sre",
)
MATHJAX_PATH = "mathjax/tex-chtml.js"
#: the print edition, relative to the HTML root (written by scripts/build_pdf.sh)
BOOK_PDF = "_static/gradient-descent-interactively.pdf"


def repo_root() -> Path:
    """The repository root: the folder holding _config.yml (two levels above this file)."""
    return Path(__file__).resolve().parents[2]


def mathjax_dir(root: Path) -> Path:
    """``node_modules/mathjax`` inside the npm cache under ``root``."""
    return root / NPM_PREFIX / "node_modules" / "mathjax"


def installed_mathjax_version(root: Path) -> str | None:
    """The version of the cached MathJax, or ``None`` when it is not installed."""
    package = mathjax_dir(root) / "package.json"
    if not package.is_file():
        return None
    return json.loads(package.read_text(encoding="utf8")).get("version")


def ensure_mathjax(root: Path) -> Path:
    """Install MathJax :data:`MATHJAX_VERSION` into ``root/.cache/npm`` unless it is there."""
    if installed_mathjax_version(root) == MATHJAX_VERSION:
        return mathjax_dir(root)
    npm = shutil.which("npm")
    if npm is None:
        raise ExtensionError(
            f"MathJax {MATHJAX_VERSION} is not in {root / NPM_PREFIX} and npm is not installed:"
            " install Node.js and npm, or run"
            f" `npm install --prefix .cache/npm mathjax@{MATHJAX_VERSION}`"
        )
    prefix = root / NPM_PREFIX
    prefix.mkdir(parents=True, exist_ok=True)
    cmd = [
        npm,
        "install",
        "--prefix",
        str(prefix),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--no-save",
        "--no-package-lock",
        f"mathjax@{MATHJAX_VERSION}",
    ]
    print(f"[gdbook] {' '.join(cmd)}", file=sys.stderr)
    result = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0 or installed_mathjax_version(root) != MATHJAX_VERSION:
        raise ExtensionError(f"npm could not install mathjax@{MATHJAX_VERSION}:\n{result.stderr}")
    return mathjax_dir(root)


def copy_mathjax(source: Path, static_dir: Path) -> Path:
    """Copy :data:`MATHJAX_FILES` from an installed package into ``static_dir/mathjax``."""
    target = static_dir / "mathjax"
    for rel in MATHJAX_FILES:
        src = source / rel
        # es5/x -> mathjax/x, so tex-chtml.js finds its fonts and extensions at [mathjax]/...
        dst = target / (rel[len("es5/") :] if rel.startswith("es5/") else rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    return target


# -- offline check ---------------------------------------------------------------------------

_ASSET_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "input": ("src",),
}
# <link rel=...> values that make the browser fetch the target
_FETCHING_RELS = {
    "stylesheet",
    "preload",
    "modulepreload",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "manifest",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "mask-icon",
}
_CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")\s]+)|@import\s+['"](?P<imp>[^'"]+)""")


def _css_urls(css: str) -> list[str]:
    return [m.group("url") or m.group("imp") for m in _CSS_URL.finditer(css)]


def is_remote(url: str) -> bool:
    """True for a URL that names a host (``http://``, ``https://``, ``//host``, ``ftp://``...)."""
    url = url.strip()
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme in {"http", "https", "ftp", "ws", "wss"}


class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.remote: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        urls: list[str] = []
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _FETCHING_RELS:
                urls.append(values.get("href", ""))
        for attr in _ASSET_ATTRS.get(tag, ()):
            value = values.get(attr, "")
            if attr == "srcset":  # "a.png 1x, b.png 2x"
                urls.extend(part.split()[0] for part in value.split(",") if part.split())
            else:
                urls.append(value)
        if "style" in values:
            urls.extend(_css_urls(values["style"]))
        self.remote.extend(f"<{tag}> {u}" for u in urls if u and is_remote(u))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.remote.extend(f"<style> {u}" for u in _css_urls(data) if is_remote(u))


def remote_assets(html: str) -> list[str]:
    """Every asset of an HTML page (script, stylesheet, image, frame, CSS url) on another host."""
    parser = _AssetParser()
    parser.feed(html)
    parser.close()
    return parser.remote


def remote_css_urls(css: str) -> list[str]:
    """``url(...)`` and ``@import`` targets on another host in a stylesheet."""
    return [u for u in _css_urls(css) if is_remote(u)]


# -- API reference ---------------------------------------------------------------------------


def public_name(obj: Any, modname: str, name: str) -> str:
    """The name the API page documents ``modname.name`` under.

    Names re-exported at the top level (``gdcore.optimizers.Adam`` is ``gdcore.Adam``) are
    documented once, under ``gdcore.<name>``; modules under their own name.
    """
    import gdcore

    if isinstance(obj, ModuleType):
        return obj.__name__
    if (
        modname != "gdcore"
        and name in getattr(gdcore, "__all__", ())
        and (getattr(gdcore, name, None) is obj)
    ):
        return f"gdcore.{name}"
    return f"{modname}.{name}"


def summary_names(modname: str) -> list[str]:
    """``public_name`` of every entry of ``modname.__all__``, in ``__all__`` order."""
    module = importlib.import_module(modname)
    names = getattr(module, "__all__", None)
    if names is None:
        raise ExtensionError(f"{modname} has no __all__: the API page lists public names from it")
    return [public_name(getattr(module, n), modname, n) for n in names]


class GdcoreSummary(Autosummary):
    """``.. gdcore-summary:: gdcore.optimizers``: an autosummary table of a module's ``__all__``.

    The table links every public name to its entry on the API page (see :func:`public_name`).
    """

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[Any]:
        current = self.env.ref_context.get("py:module")
        rows = []
        for name in summary_names(self.arguments[0]):
            # autosummary wants names inside the current module written relative to it
            if current and name.startswith(f"{current}."):
                rows.append(name[len(current) + 1 :])
            else:
                rows.append(f"~{name}")
        self.content = StringList(rows, source="gdcore-summary")
        self.options = {}
        return super().run()


def _append_summary(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """End the description of every gdcore module with the table of its public names."""
    if what == "module" and name.startswith("gdcore") and hasattr(obj, "__all__"):
        lines.extend(["", ".. rubric:: Public names", "", f".. gdcore-summary:: {name}", ""])


def _public_modules() -> list[ModuleType]:
    """gdcore and its imported public submodules (no ``_private`` part), gdcore first."""
    names = sorted(
        m
        for m in sys.modules
        if m.startswith("gdcore.") and not any(p.startswith("_") for p in m.split("."))
    )
    return [sys.modules["gdcore"], *(sys.modules[m] for m in names)]


def _public_path(target: str) -> tuple[str | None, bool] | None:
    """``(public dotted name, is_gdcore)`` for an importable dotted ``target``, else ``None``.

    The public name is ``None`` for a gdcore object that no public module exports.

    ``gdcore._objective.Objective.value`` -> ``("gdcore.Objective.value", True)``;
    ``gdcore.optimizers.SGD`` -> ``("gdcore.SGD", True)``; a name bound to a third-party object
    (a type alias of ``numpy.ndarray``, say) -> ``(target, False)``.
    """
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        modname = ".".join(parts[:cut])
        try:
            module = importlib.import_module(modname)
        except ImportError:
            continue
        if not hasattr(module, parts[cut]):
            return None
        top = getattr(module, parts[cut])
        obj = top
        for attr in parts[cut + 1 :]:
            if not hasattr(obj, attr):
                return None
            obj = getattr(obj, attr)
        owner = getattr(top, "__module__", None) or ""
        if isinstance(top, ModuleType):
            owner = top.__name__
        if not owner.startswith("gdcore"):
            return target, False
        rest = "".join(f".{a}" for a in parts[cut + 1 :])
        for public in _public_modules():
            for name in getattr(public, "__all__", ()):
                if getattr(public, name, None) is top:
                    return public_name(top, public.__name__, name) + rest, True
        return None, True
    return None


def _import_dotted(target: str) -> Any:
    """The object a dotted name refers to (module, then attributes), or ``None``."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def _resolve_gdcore(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve references the way a reader means them.

    autodoc spells type hints with the defining module (``gdcore._objective.Objective``) and
    docstrings say ``:class:`SGD``` inside :mod:`gdcore.optimizers`; both link to the public
    entry (``gdcore.Objective``, ``gdcore.SGD``). A name bound to a third-party object (a type
    alias such as ``Array = np.ndarray``) is shown as plain text, like numpy's own names.
    """
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    modname, clsname = node.get("py:module"), node.get("py:class")
    scoped = [f"{modname}.{clsname}.{target}"] if modname and clsname else []
    scoped += [f"{modname}.{target}"] if modname else []
    if modname and clsname:  # names in the module that defines the class (a type alias, say)
        cls = _import_dotted(f"{modname}.{clsname}") if modname.startswith("gdcore") else None
        if cls is not None and getattr(cls, "__module__", "").startswith("gdcore"):
            scoped.append(f"{cls.__module__}.{target}")
    candidates = [target, *scoped] if target.startswith("gdcore.") else [*scoped, target]
    if "." not in target:
        # a bare name in a signature (where py:class is not set yet): the one object of that name
        # in gdcore's modules, e.g. the type alias ``Array`` of gdcore.optimizers._base
        modules = [(n, m) for n, m in list(sys.modules.items()) if n.startswith("gdcore") and m]
        owners = {id(getattr(m, target)): f"{n}.{target}" for n, m in modules if hasattr(m, target)}
        if len(owners) == 1:
            candidates.extend(owners.values())
    for candidate in candidates:
        found = _public_path(candidate) if candidate.startswith("gdcore") else None
        if found is None:
            continue
        public, ours = found
        if not ours or public is None:
            # a third-party object, or a gdcore helper with no public name: plain text
            return contnode
        domain = env.get_domain("py")
        for reftype in dict.fromkeys((node["reftype"], "obj")):
            ref = domain.resolve_xref(
                env, node["refdoc"], app.builder, reftype, public, node, contnode
            )
            if ref is not None:
                return ref
    return None


_PROSE_BEFORE_COLON = re.compile(r"^[^:`]*\s[^:`]*:\s")
_stashed: dict[str, list[str]] = {}


def _stash_prose(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Before napoleon: remember doc comments whose first line reads ``some words: more``."""
    if what in ("data", "attribute") and lines and _PROSE_BEFORE_COLON.match(lines[0]):
        _stashed[name] = list(lines)


def _restore_prose(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """After napoleon: undo its ``type: description`` reading of such a first line.

    napoleon treats the text before the first colon of an attribute's docstring as its type,
    so ``#: the one style dict: matplotlib rc settings`` became a link to a class called
    "the one style dict". A type never contains spaces, so prose keeps its words.
    """
    if name in _stashed:
        lines[:] = _stashed.pop(name)


# -- Sphinx hooks ------------------------------------------------------------------------------


def _check_no_thebe(app: Sphinx, config: Any) -> None:
    if "sphinx_thebe" in config.extensions:
        logger.warning(
            "[gdbook] sphinx_thebe is loaded: it injects a broken inline script on "
            "every page; remove it from sphinx.config.extensions in _config.yml"
        )


def _prepare_mathjax(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    if app.config.mathjax_path != MATHJAX_PATH:
        logger.warning(
            f"[gdbook] mathjax_path is {app.config.mathjax_path!r}; the book serves "
            f"MathJax itself, set it to {MATHJAX_PATH!r}"
        )
    ensure_mathjax(Path(app.srcdir))


def _finish(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    copy_mathjax(mathjax_dir(Path(app.srcdir)), outdir / "_static")
    for page in sorted(outdir.rglob("*.html")):
        for asset in remote_assets(page.read_text(encoding="utf8", errors="replace")):
            logger.warning(
                f"[gdbook] {page.relative_to(outdir)} loads {asset} from another host "
                "(the book must work offline)"
            )
    for sheet in sorted((outdir / "_static").rglob("*.css")):
        for url in remote_css_urls(sheet.read_text(encoding="utf8", errors="replace")):
            logger.warning(f"[gdbook] {sheet.relative_to(outdir)} fetches {url}")


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _drop_widget_state(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Leave the saved ipywidgets state out of the page.

    The kernel that executed a chapter recorded its live widgets' state (including each
    explorer's PNG) in the notebook; myst-nb would embed it as a JSON script. The page shows
    the explorers' static HTML form instead, so that state is dead weight.
    """
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [
            js for js in scripts if getattr(js, "attributes", {}).get("type") != WIDGET_STATE
        ]


def _add_pdf_button(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """A header button on every page that downloads the whole book as one PDF.

    sphinx-book-theme renders ``context["header_buttons"]`` (filled by its own handlers at
    priority 501); the button goes right after the download menu, with a URL relative to the page.
    """
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    button = {
        "type": "link",
        "url": context["pathto"](BOOK_PDF, 1),
        "tooltip": "Download the whole book as a PDF",
        "icon": "fas fa-file-pdf",
        "label": "book-pdf-button",
    }
    labels = [b.get("label") for b in buttons]
    at = labels.index("download-buttons") + 1 if "download-buttons" in labels else len(buttons)
    buttons.insert(at, button)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hooks; set ``GDCORE_STATIC_HTML=1`` for the kernels that execute chapters."""
    os.environ["GDCORE_STATIC_HTML"] = "1"
    app.connect("config-inited", _check_no_thebe)
    app.connect("builder-inited", _prepare_mathjax)
    app.connect("build-finished", _finish)
    app.connect("html-page-context", _drop_widget_state, priority=900)
    app.connect("html-page-context", _add_pdf_button, priority=510)
    app.connect("autodoc-process-docstring", _append_summary)
    app.connect("autodoc-process-docstring", _stash_prose, priority=400)
    app.connect("autodoc-process-docstring", _restore_prose, priority=600)
    app.connect("missing-reference", _resolve_gdcore)
    app.add_directive("gdcore-summary", GdcoreSummary)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if sys.argv[1:] != ["fetch-mathjax"]:
        sys.exit("usage: python book/_ext/gdbook.py fetch-mathjax")
    path = ensure_mathjax(repo_root())
    print(f"MathJax {installed_mathjax_version(repo_root())} at {path}")
