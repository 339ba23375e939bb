"""The book's infrastructure: configuration, table of contents, the built HTML, README and CI.

The checks of the built book use the ``site`` fixture (tests/book_fixtures.py): the book is
built once per session with ``-W -n`` (so a warning anywhere fails it) unless an up-to-date
build exists. The browser suites (tests/browser/) drive the same pages in Chromium.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

import book_fixtures
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
REPOSITORY = "https://github.com/gdbook/gradient-descent-book"
CHAPTERS = book_fixtures.CHAPTERS
PARTS = {
    "Foundations": CHAPTERS[:6],
    "Scaling up": CHAPTERS[6:11],
    "Better optimizers": CHAPTERS[11:15],
    "In practice": CHAPTERS[15:],
}
API_MODULES = (
    "gdcore",
    "gdcore.functions",
    "gdcore.losses",
    "gdcore.data",
    "gdcore.optimizers",
    "gdcore.schedules",
    "gdcore.autodiff",
    "gdcore.datasets",
    "gdcore.running",
    "gdcore.plotting",
    "gdcore.widgets",
)
MATHJAX_VERSION = "3.2.2"


def toc_files() -> list[str]:
    """Every file of _toc.yml in reading order, root first (paths without suffix)."""
    files = [TOC["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in TOC.get("parts", []):
        walk(part.get("chapters", []))
    walk(TOC.get("chapters", []))
    return files


def html_pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


class Assets(HTMLParser):
    """What a page makes the browser fetch (not plain links), its inline scripts and its ids."""

    FETCH_ATTRS: ClassVar[dict[str, tuple[str, ...]]] = {
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
        "image": ("href", "xlink:href"),
        "use": ("href", "xlink:href"),
    }
    FETCH_RELS: ClassVar[set[str]] = {
        "stylesheet",
        "preload",
        "modulepreload",
        "icon",
        "apple-touch-icon",
        "manifest",
        "prefetch",
        "preconnect",
        "dns-prefetch",
        "mask-icon",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetched: list[str] = []
        self.scripts: list[dict[str, str]] = []
        self.inline: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self._tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "link" and set(a.get("rel", "").lower().split()) & self.FETCH_RELS:
            self.fetched.append(a.get("href", ""))
        for attr in self.FETCH_ATTRS.get(tag, ()):
            value = a.get(attr, "")
            if attr == "srcset":
                self.fetched.extend(p.split()[0] for p in value.split(",") if p.split())
            elif value:
                self.fetched.append(value)
        if "style" in a:
            self.fetched.extend(css_urls(a["style"]))
        if tag == "script":
            self.scripts.append(a)
        self._tag = tag

    def handle_endtag(self, tag: str) -> None:
        self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag == "style":
            self.fetched.extend(css_urls(data))
        elif self._tag == "script" and data.strip():
            self.inline.append(data)


def parse(page: Path) -> Assets:
    parser = Assets()
    parser.feed(page.read_text(encoding="utf8"))
    parser.close()
    return parser


def css_urls(css: str) -> list[str]:
    return [
        m.group(1) or m.group(2)
        for m in re.finditer(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", css)
    ]


def remote(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in {"", "data", "blob", "javascript", "mailto"}


# -- configuration and sources (no build needed) ---------------------------------------------


def test_toc_lists_intro_howto_chapters_and_the_reference_part_in_order():
    expected = [
        "book/intro",
        "book/howto",
        *(f"book/{c}" for c in CHAPTERS),
        "book/notation",
        "book/api",
        "book/bibliography",
        "book/writing",
    ]
    assert toc_files() == expected
    captions = {p.get("caption"): [c["file"] for c in p["chapters"]] for p in TOC["parts"]}
    for caption, chapters in PARTS.items():
        assert captions[caption] == [f"book/{c}" for c in chapters]


def test_config_executes_every_chapter_and_fails_on_errors():
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] == "force"
    assert execute["allow_errors"] is False
    assert execute["timeout"] > 0
    assert CONFIG["only_build_toc_files"] is True


def test_config_static_explorers_no_thebe_no_cdn():
    sphinx = CONFIG["sphinx"]
    extensions = sphinx["config"]["extensions"]
    assert "sphinx_thebe" not in extensions
    assert "gdbook" in extensions and sphinx["local_extensions"]["gdbook"] == "book/_ext"
    assert CONFIG["launch_buttons"]["thebe"] is False
    config = sphinx["config"]
    assert config["nb_ipywidgets_js"] == {}
    assert ["html", "text/html", 5] in config["nb_mime_priority_overrides"]
    assert config["mathjax_path"] == "mathjax/tex-chtml.js"


def test_local_extension_sets_static_html_for_the_kernels(monkeypatch):
    """At Sphinx setup the extension asks gdcore's explorers for their static HTML form; the
    kernels that execute the chapters inherit the variable."""
    # setenv (not delenv) so that teardown restores the variable's previous state: the
    # extension writes os.environ directly, and the notebook kernels of a later nbval item
    # must not inherit "1"
    monkeypatch.setenv("GDCORE_STATIC_HTML", "0")
    monkeypatch.syspath_prepend(str(ROOT / "book" / "_ext"))
    gdbook = importlib.import_module("gdbook")
    assert gdbook.MATHJAX_VERSION == MATHJAX_VERSION

    class RecordingApp:
        def __init__(self) -> None:
            self.events: list[str] = []

        def connect(self, event: str, *args, **kwargs) -> None:
            self.events.append(event)

        def add_directive(self, *args, **kwargs) -> None:
            pass

    app = RecordingApp()
    gdbook.setup(app)
    assert os.environ["GDCORE_STATIC_HTML"] == "1"
    assert {"builder-inited", "build-finished", "html-page-context"} <= set(app.events)


def test_bibliography_has_every_cited_key():
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf8")
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.MULTILINE))
    cited: set[str] = set()
    for source in [*(ROOT / "book").glob("*.md"), *(ROOT / "book").glob("*.ipynb")]:
        text = source.read_text(encoding="utf8")
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
            cited.update(k.strip() for k in group.split(","))
    assert cited <= keys, f"cited but missing from references.bib: {sorted(cited - keys)}"


def test_nbval_sanitize_file_keeps_deterministic_text():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "book" / "nbval_sanitize.cfg").read_text())
    assert patterns

    def sanitize(s: str) -> str:
        for regex, replace in patterns:
            s = re.sub(regex, replace, s)
        return s

    assert sanitize("<function f at 0x7f3a2c1d5e80>") == sanitize("<function f at 0x55d1c0ffee00>")
    assert sanitize("<Figure size 640x480 with 1 Axes>") == "<Figure size 640x480 with 1 Axes>"
    assert sanitize("loss 0.1234") == "loss 0.1234"


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    assert readme.startswith("## Quick start"), "README.md must open with '## Quick start'"
    section = readme.split("\n## ", 2)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the Quick start section has exactly one code block"
    return [line.strip() for line in blocks[0].splitlines() if line.strip()]


def test_readme_quick_start_is_build_then_test():
    assert quick_start_commands() == ["bash scripts/build_book.sh", "bash scripts/test.sh"]


def test_ci_runs_the_readme_test_command():
    test_command = quick_start_commands()[-1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf8")
    assert ci.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in ci
    commands = [
        shlex.split(line.split(" <")[0])
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert shlex.split(test_command) in commands, f".ci/run must run `{test_command}`"


def test_license_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf8")
    assert text.startswith("MIT License")
    assert "The gdcore authors" in text


# -- the built book ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site() -> Path:
    """_build/html, built once with -W unless up to date (see tests/book_fixtures.py)."""
    return book_fixtures.build_book()


def test_every_toc_entry_produced_a_page(site):
    missing = [f for f in toc_files() if not (site / f"{f}.html").is_file()]
    assert not missing, f"no HTML page for {missing}"
    index = (site / "index.html").read_text(encoding="utf8")
    assert "book/intro.html" in index  # the site's front door leads to the landing page


def test_no_page_loads_anything_from_another_host(site):
    """Scripts, stylesheets, fonts, images and frames are all served by the book; only plain
    ``<a href>`` links (repository, Binder, Colab, references) may point elsewhere."""
    offenders = []
    for page in html_pages(site):
        assets = parse(page)
        rel = page.relative_to(site)
        offenders += [f"{rel}: {u}" for u in assets.fetched if remote(u)]
        for script in assets.inline:  # a script that would fetch a CDN later (like Thebe's)
            offenders += [
                f"{rel}: inline script names {u}"
                for u in re.findall(r"https?://[^\s'\"`)]+", script)
                if not u.startswith((REPOSITORY, "http://www.w3.org/"))
            ]
    for sheet in sorted((site / "_static").rglob("*.css")):
        rel = sheet.relative_to(site)
        offenders += [
            f"{rel}: {u}" for u in css_urls(sheet.read_text(encoding="utf8")) if remote(u)
        ]
    assert not offenders, "\n".join(offenders[:50])


def test_assets_that_pages_reference_exist(site):
    missing = []
    for page in html_pages(site):
        for url in parse(page).fetched:
            if remote(url) or url.startswith("data:"):
                continue
            target = (page.parent / urlsplit(url).path).resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(site)}: {url}")
    assert not missing, "\n".join(missing[:50])


def test_mathjax_is_served_from_the_book(site):
    mathjax = site / "_static" / "mathjax"
    script = mathjax / "tex-chtml.js"
    assert script.is_file()
    assert f'"{MATHJAX_VERSION}"' in script.read_text(encoding="utf8")[:200_000]
    assert (mathjax / "LICENSE").is_file()
    fonts = list((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) >= 20
    assert (mathjax / "input" / "tex" / "extensions" / "boldsymbol.js").is_file()  # autoload
    pages_with_math = 0
    for page in html_pages(site):
        srcs = [s.get("src", "") for s in parse(page).scripts]
        mathjax_srcs = [s for s in srcs if "mathjax" in s.lower() or "tex-" in s]
        if mathjax_srcs:
            pages_with_math += 1
            assert all(
                s.split("?")[0].endswith("_static/mathjax/tex-chtml.js") for s in mathjax_srcs
            ), (page, mathjax_srcs)
    assert pages_with_math >= 1
    intro = parse(site / "book" / "intro.html")
    assert any(s.get("src", "").startswith("../_static/mathjax/") for s in intro.scripts)


def test_no_thebe_and_no_widget_cdn_on_any_page(site):
    for page in html_pages(site):
        assets = parse(page)
        srcs = [s.get("src", "") for s in assets.scripts]
        assert not any("thebe" in src for src in srcs), page
        assert not any(s.get("type") == "text/x-thebe-config" for s in assets.scripts), page
        assert not any("THEBE_JS_URL" in body for body in assets.inline), page
        assert not any("require" in src or "embed-amd" in src for src in srcs), page


def test_explorers_render_their_static_html_form(site):
    """Chapters were executed with GDCORE_STATIC_HTML=1, and text/html beat the widget view."""
    for chapter in CHAPTERS:
        source = ROOT / "book" / f"{chapter}.ipynb"
        if not source.is_file():
            continue
        nb = json.loads(source.read_text(encoding="utf8"))
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        n_explorers = sum("explore(" in c for c in code)
        page = site / "book" / f"{chapter}.html"
        assets = parse(page)
        types = [s.get("type", "") for s in assets.scripts]
        assert "application/vnd.jupyter.widget-view+json" not in types, page
        assert "application/vnd.jupyter.widget-state+json" not in types, page
        if n_explorers:
            assert page.read_text(encoding="utf8").count('class="gd-explorer"') >= n_explorers


def test_chapter_pages_show_no_errors_or_warnings(site):
    for chapter in CHAPTERS:
        page = site / "book" / f"{chapter}.html"
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf8")
        assert "output stderr" not in text, f"{page.name} shows stderr output (a warning?)"
        assert "output traceback" not in text and "ansi-red-fg" not in text, page.name


def test_launch_and_repository_buttons(site):
    for chapter in CHAPTERS:
        page = site / "book" / f"{chapter}.html"
        if not page.is_file():
            continue
        links = parse(page).links
        path = f"book/{chapter}.ipynb"
        assert (
            f"https://mybinder.org/v2/gh/gdbook/gradient-descent-book/main?urlpath=lab/tree/{path}"
        ) in links, page.name
        assert (
            f"https://colab.research.google.com/github/gdbook/gradient-descent-book/blob/main/"
            f"{path}"
        ) in links, page.name
        assert REPOSITORY in links, page.name
        assert any(link.endswith(f"_sources/book/{chapter}.ipynb") for link in links), page.name


def public_anchors(modname: str) -> dict[str, set[str]]:
    """For every name in ``modname.__all__``: the ids its API entry may have."""
    import gdcore

    module = importlib.import_module(modname)
    out = {}
    for name in module.__all__:
        obj = getattr(module, name)
        ids = {f"{modname}.{name}"}
        if getattr(gdcore, name, None) is obj and name in gdcore.__all__:
            ids.add(f"gdcore.{name}")
        if isinstance(obj, type(gdcore)):
            ids.add(f"module-{obj.__name__}")
        out[f"{modname}.{name}"] = ids
    return out


def test_api_reference_documents_every_public_name(site):
    api = parse(site / "book" / "api.html")
    for name in (
        "gdcore.Adam",
        "gdcore.SGD",
        "gdcore.run",
        "gdcore.Trajectory",
        "gdcore.Objective",
        "gdcore.functions.rosenbrock",
        "gdcore.widgets.explore",
    ):
        assert name in api.ids, name
    undocumented = [
        name
        for modname in API_MODULES
        for name, ids in public_anchors(modname).items()
        if not ids & api.ids
    ]
    assert not undocumented, f"not on the API page: {undocumented}"
    for modname in API_MODULES:
        assert f"module-{modname}" in api.ids
    text = (site / "book" / "api.html").read_text(encoding="utf8")
    assert "Parameters" in text and "Returns" in text  # napoleon turned numpy sections into fields


def test_landing_page_links_every_chapter_and_the_howto(site):
    links = {link.split("#")[0] for link in parse(site / "book" / "intro.html").links}
    missing = [c for c in CHAPTERS if f"{c}.html" not in links]
    assert not missing, f"intro.md does not link {missing}"
    assert {"howto.html", "api.html", "bibliography.html"} <= links


def test_howto_page_covers_every_way_to_read(site):
    text = (site / "book" / "howto.html").read_text(encoding="utf8")
    for heading in (
        "Read it online",
        "Run it on Binder",
        "Run it on Colab",
        "Run it on your computer",
        "What the explorers do",
    ):
        assert heading in text


class ArticleStart(HTMLParser):
    """The first two elements inside ``<article class="bd-article">`` (tag and classes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.first: list[tuple[str, str]] = []
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "article" and "bd-article" in a.get("class", "").split():
            self.inside = True
        elif self.inside and len(self.first) < 2:
            self.first.append((tag, a.get("class", "")))
        if self.inside and tag == "h1" and not self.h1:
            self._in_h1 = True
        if tag == "a":
            self._in_h1 = False  # the headerlink "#" is not part of the title

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


def visible_text(page: Path) -> str:
    """The page's text without tags (code is split into highlighting spans in the HTML)."""
    import html as html_lib

    text = page.read_text(encoding="utf8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.DOTALL)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", text))


def test_chapter_pages_begin_with_their_numbered_title(site):
    """The install cell is removed from the HTML (tag remove-cell): the article of every chapter
    opens with the chapter's section and its heading, "N. Title"."""
    # every chapter notebook in _toc.yml, new ones included, numbered as the book numbers them
    numbered = [f for f in toc_files() if re.fullmatch(r"book/\d\d_\w+", f)]
    assert len(numbered) >= len(CHAPTERS)
    for number, file in enumerate(numbered, start=1):
        parser = ArticleStart()
        parser.feed((site / f"{file}.html").read_text(encoding="utf8"))
        assert [tag for tag, _ in parser.first] == ["section", "h1"], (file, parser.first)
        assert parser.h1.strip().startswith(f"{number}. "), (file, parser.h1)


def test_no_page_shows_the_install_cell(site):
    """The Colab install cell stays in every notebook (tests/test_colab_install.py) and is on
    no page of the book."""
    for page in html_pages(site):
        text = visible_text(page)
        for code in ("Install gdcore when it is missing", "GDCORE_SPEC", 'find_spec("gdcore")'):
            assert code not in text, f"{page.relative_to(site)} shows the install cell ({code})"


def _execute_script():
    spec = importlib.util.spec_from_file_location(
        "execute_chapters", book_fixtures.ROOT / "scripts" / "execute_chapters.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("chapter", book_fixtures.CHAPTERS)
def test_solution_code_is_folded_in_jupyterlab(chapter):
    """Every code cell between solution-start and solution-end is folded (source and output),
    and no other cell is: what scripts/execute_chapters.py writes."""
    import nbformat

    nb = nbformat.read(book_fixtures.ROOT / "book" / f"{chapter}.ipynb", as_version=4)
    expected = nbformat.reads(nbformat.writes(nb), as_version=4)
    _execute_script().fold_solutions(expected)
    assert [c.metadata for c in nb.cells] == [c.metadata for c in expected.cells], (
        f"run: python scripts/execute_chapters.py --fold-only book/{chapter}.ipynb"
    )


def test_fold_solutions_folds_exactly_the_gated_code_cells():
    import nbformat.v4 as v4

    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell("a = 1"),
            v4.new_markdown_cell("````{solution-start} ex-1\n:class: dropdown\n````"),
            v4.new_code_cell("print(a)"),
            v4.new_markdown_cell("````{solution-end}\n````"),
            v4.new_code_cell("b = 2", metadata={"jupyter": {"source_hidden": True}}),
        ]
    )
    assert _execute_script().fold_solutions(nb) == 1
    assert nb.cells[2].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert "jupyter" not in nb.cells[0].metadata and "jupyter" not in nb.cells[4].metadata
