"""The print edition (scripts/build_pdf.sh): one PDF of the whole book, linked from every page.

The PDF is read with pypdf: its outline, page labels, text, images and links. It is printed once
per session from the built book unless it is up to date (scripts/test.sh prints it right after
the book build; ``scripts/book_pdf.py --check`` says whether it is current).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import book_fixtures
import pytest

pypdf = pytest.importorskip("pypdf")

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


book_pdf = _load("book_pdf", ROOT / "scripts" / "book_pdf.py")
ENTRIES = book_pdf.toc_entries()
#: text of the page chrome that must not reach paper (the HTML's buttons, menus and footer)
NAVIGATION = (
    "Skip to main content",
    "Back to top",
    "Launch",
    "Print to PDF",
    "Download this page",
    "Click to show",
    "Hide code cell source",
    "Ctrl+K",
    "By The gdcore authors",
)
#: the Colab install cell: on no printed chapter (the writing guide shows it to authors)
INSTALL_CELL = ("Install gdcore when it is missing", "GDCORE_SPEC")


def plain(text: str) -> str:
    """Text as typed: ligatures undone (the PDF's "ﬃ") and typographic quotes straight."""
    quotes = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}
    return unicodedata.normalize("NFKC", text).translate(str.maketrans(quotes))


def chapter_titles() -> dict[str, str]:
    """Every numbered chapter's title as the HTML prints it, "5. The learning rate", from the
    first heading of its notebook and its position in _toc.yml."""
    titles = {}
    number = 0
    for entry in ENTRIES:
        source = ROOT / f"{entry.file}.ipynb"
        if not source.is_file():
            continue
        number += 1
        nb = json.loads(source.read_text(encoding="utf8"))
        heading = next(
            line[2:].strip()
            for cell in nb["cells"]
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if line.startswith("# ")
        )
        titles[entry.file] = plain(f"{number}. {heading}")
    return titles


@pytest.fixture(scope="session")
def pdf_path() -> Path:
    """The PDF, printed from the built book unless it is up to date."""
    html = book_fixtures.build_book()
    if not book_pdf.printed_from_this_build(ROOT):
        env = dict(os.environ, GDBOOK_SKIP_INSTALL="1")
        proc = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "book_pdf.py")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr)[-6000:]
            pytest.fail(
                f"scripts/book_pdf.py failed (exit {proc.returncode}):\n{out}", pytrace=False
            )
    path = html / "_static" / book_pdf.PDF_NAME
    assert path.is_file(), path
    return path


@pytest.fixture(scope="session")
def pdf(pdf_path):
    return pypdf.PdfReader(pdf_path)


@pytest.fixture(scope="session")
def page_texts(pdf) -> dict[int, str]:
    """Text of the pages where chrome would show and chapters begin and end: the front matter,
    and the first two and the last page of every page of _toc.yml (pypdf's text extraction
    takes about a tenth of a second per page; these are a quarter of the pages)."""
    n_front = pdf.page_labels.index("1")
    starts = page_starts(pdf)
    indices = set(range(n_front))
    for start, end in zip(starts, [*starts[1:], len(pdf.pages)], strict=True):
        indices |= {start, min(start + 1, end - 1), end - 1}
    return {i: pdf.pages[i].extract_text() or "" for i in sorted(indices)}


def words(text: str) -> str:
    """The text with every run of whitespace (line breaks of wrapped headings) one space; a
    line broken after a hyphen ("mini-" / "batch") joined again."""
    return " ".join(re.sub(r"-\s*\n\s*", "-", plain(text)).split())


def outline_items(pdf) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline item, in order."""
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, plain(item.title), pdf.get_destination_page_number(item)))

    walk(pdf.outline, 0)
    return out


def image_count(page) -> int:
    """Image XObjects a page draws, directly or inside form XObjects (not decoded: quick)."""

    def count(resources, seen: set[int]) -> int:
        xobjects = (resources or {}).get("/XObject") or {}
        n = 0
        for ref in xobjects.values():
            obj = ref.get_object()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if obj.get("/Subtype") == "/Image":
                n += 1
            elif obj.get("/Subtype") == "/Form":
                n += count(obj.get("/Resources"), seen)
        return n

    return count(page.get("/Resources"), set())


def page_starts(pdf) -> list[int]:
    """The first page of every page of _toc.yml, from the outline: a part's children are pages
    of the book, a top-level item that is no part (nor the contents) is a page too."""
    parts = {e.part for e in ENTRIES if e.part}
    starts = []
    current_part = None
    for depth, title, page in outline_items(pdf):
        if depth == 0:
            current_part = title if title in parts else None
            if current_part is None and title != "Contents":
                starts.append(page)
        elif depth == 1 and current_part is not None:
            starts.append(page)
    assert len(starts) == len(ENTRIES), starts
    return starts


# -- the PDF ----------------------------------------------------------------------------------


def test_page_count_is_sane(pdf):
    chapters = len(chapter_titles())
    assert chapters >= 15
    # at least three sheets per page of the book, at most fifty on average
    assert 3 * len(ENTRIES) <= len(pdf.pages) <= 50 * len(ENTRIES), len(pdf.pages)


def test_outline_lists_the_parts_and_every_page_with_its_sections(pdf):
    items = outline_items(pdf)
    top = [title for depth, title, _ in items if depth == 0]
    parts = list(dict.fromkeys(e.part for e in ENTRIES if e.part))
    assert top[0] == "Contents"
    assert [t for t in top if t in parts] == parts
    titles = chapter_titles()
    second = [title for depth, title, _ in items if depth == 1]
    for file, title in titles.items():
        assert title in second, f"no bookmark {title!r} for {file}"
    # every chapter has its numbered sections as bookmarks, in order, on non-decreasing pages
    for title in titles.values():
        number = title.split(".")[0]
        at = next(i for i, (d, t, _) in enumerate(items) if d == 1 and t == title)
        sections = []
        for depth, text, page in items[at + 1 :]:
            if depth < 2:
                break
            sections.append((text, page))
        assert len(sections) >= 3, f"{title}: {sections}"
        assert all(text.startswith(f"{number}.") for text, _ in sections), sections
        pages = [items[at][2]] + [page for _, page in sections]
        assert pages == sorted(pages), f"{title}: bookmarks out of order {pages}"


def test_every_chapter_starts_a_sheet_with_its_numbered_title(pdf, page_texts):
    """Page breaks before chapters, no chrome above the title: a chapter's first page begins
    with "N. Title"; the page before it belongs to the previous page of the book."""
    items = outline_items(pdf)
    for file, title in chapter_titles().items():
        page = next(p for d, t, p in items if d == 1 and t == title)
        text = words(page_texts[page])
        assert text.startswith(title), f"{file}: page {page + 1} begins {text[:60]!r}"
        assert title not in page_texts[page - 1], f"{file}: its title is on the page before"


def test_every_chapter_title_is_in_the_text(page_texts):
    text = words("\n".join(page_texts.values()))
    missing = [title for title in chapter_titles().values() if title not in text]
    assert not missing, missing


def test_contents_page_numbers_match_the_page_labels(pdf, page_texts):
    """The printed contents gives each chapter's page number; the page with that label (the
    body is numbered 1, 2, ... after the front matter, i, ii) starts that chapter."""
    labels = pdf.page_labels
    n_front = labels.index("1")
    assert labels[:n_front] == ["i", "ii", "iii", "iv"][:n_front] and n_front >= 2
    assert labels[n_front:] == [str(i) for i in range(1, len(labels) - n_front + 1)]
    contents = plain("\n".join(page_texts[i] for i in range(1, n_front)))
    assert contents.startswith("Contents")
    for title in chapter_titles().values():
        m = re.search(re.escape(title) + r"\s*\.*\s*(\d+)\s*$", contents, flags=re.MULTILINE)
        assert m, f"{title!r} is not in the contents"
        page = labels.index(m.group(1))
        assert words(page_texts[page]).startswith(title), (title, m.group(1))
        assert page_texts[page].rstrip().endswith(m.group(1)), "its number is printed at its foot"


def test_every_chapter_holds_images(pdf):
    """Figures and explorers (their canvases at the default setting) are images in the PDF."""
    items = outline_items(pdf)
    starts = page_starts(pdf)
    ends = dict(zip(starts, [*starts[1:], len(pdf.pages)], strict=True))
    counts = {}
    for title in chapter_titles().values():
        start = next(p for d, t, p in items if d == 1 and t == title)
        counts[title] = sum(image_count(pdf.pages[i]) for i in range(start, ends[start]))
    assert all(c >= 1 for c in counts.values()), counts
    assert sum(counts.values()) >= 3 * len(counts), counts


def test_no_navigation_chrome_in_the_text(pdf, page_texts):
    text = "\n".join(page_texts.values())
    found = [word for word in NAVIGATION if word in text]
    assert not found, f"navigation text on paper: {found}"
    starts = page_starts(pdf)
    guide = [i for i, e in enumerate(ENTRIES) if e.file == "book/writing"]
    skip = set()
    for i in guide:
        skip |= set(range(starts[i], starts[i + 1] if i + 1 < len(starts) else len(pdf.pages)))
    chapters = "\n".join(t for page, t in page_texts.items() if page not in skip)
    assert not [w for w in INSTALL_CELL if w in chapters], "the install cell is printed"
    lines = {line.strip() for line in text.splitlines()}
    assert not {"previous", "next"} & lines  # the footer's links to the neighbouring pages
    # the theme's printed per-page contents list is hidden: the book's contents is the only one
    assert sum(t.strip().startswith("Contents") for t in page_texts.values()) == 1


def test_links_stay_inside_the_pdf(pdf):
    """Links between pages of the book jump inside the PDF; none points at the local server
    that printed it; links to the web stay."""
    internal = web = 0
    for page in pdf.pages:
        for ref in page.get("/Annots", []) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            if "/A" in annot and annot["/A"].get("/S") == "/URI":
                uri = str(annot["/A"]["/URI"])
                assert urlsplit(uri).hostname not in {"127.0.0.1", "localhost"}, uri
                web += 1
            else:
                dest = annot["/Dest"]
                assert isinstance(dest, pypdf.generic.ArrayObject), dest  # explicit, resolvable
                internal += 1
    assert internal >= 50 and web >= 1, (internal, web)


def test_metadata(pdf):
    assert pdf.metadata.title == "Gradient Descent, Interactively"
    assert pdf.metadata.author == "The gdcore authors"


def test_pdf_stamp_follows_the_html_build(pdf_path, tmp_path):
    """``book_pdf.py --check`` says "current" exactly when the PDF was printed from the HTML
    build and that build is up to date; another HTML build makes the PDF stale."""
    assert book_pdf.printed_from_this_build(ROOT)
    check = [sys.executable, str(ROOT / "scripts" / "book_pdf.py"), "--check"]
    html_current = book_fixtures._stamp_module().is_current(ROOT)
    assert (subprocess.run(check, cwd=ROOT).returncode == 0) == html_current
    # a copy of the build with another HTML stamp: the PDF there is not from that build
    html = tmp_path / "_build" / "html"
    (html / "_static").mkdir(parents=True)
    (html / "_static" / book_pdf.PDF_NAME).write_bytes(b"%PDF-1.4")
    (html / "_static" / ".gdbook-pdf-stamp").write_text(book_pdf.expected_stamp(ROOT))
    (html / ".gdbook-stamp").write_text("another build\n")
    assert not book_pdf.printed_from_this_build(tmp_path)
    (html / ".gdbook-stamp").write_text((ROOT / "_build" / "html" / ".gdbook-stamp").read_text())
    assert book_pdf.printed_from_this_build(tmp_path)


# -- the link from the HTML book --------------------------------------------------------------


def test_every_page_links_the_pdf(pdf_path):
    html = pdf_path.parents[1]
    pages = sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)
    pages = [p for p in pages if "<article" in p.read_text(encoding="utf8")]
    assert len(pages) >= len(ENTRIES)
    for page in pages:
        text = page.read_text(encoding="utf8")
        hrefs = re.findall(r'<a href="([^"]+)"[^>]*class="btn btn-sm btn-book-pdf-button', text)
        assert len(hrefs) == 1, f"{page.relative_to(html)}: {len(hrefs)} PDF buttons"
        assert (page.parent / hrefs[0]).resolve() == pdf_path.resolve(), (page, hrefs[0])
