"""The print edition: the built HTML book printed by Chromium into one PDF.

``python scripts/book_pdf.py`` (run by ``scripts/build_pdf.sh``) reads ``_build/html`` (built by
``scripts/build_book.sh``), prints every page of the table of contents in reading order with
print media, after MathJax has typeset the math and every static explorer has drawn itself at its
default setting (``data-ready="1"``), and merges the pages with pypdf into
``_build/html/_static/gradient-descent-interactively.pdf`` (:data:`PDF`), which every HTML page
links to (the book-PDF button of the page header, added by ``book/_ext/gdbook.py``):

* a title page and a contents page with page numbers, numbered i, ii, ...;
* every page of ``_toc.yml`` from a new sheet, numbered 1, 2, ... continuously: a sheet's
  number and its chapter's title are printed in the bottom margin (an overlay, one sheet per
  page, printed by Chromium from :func:`page_numbers_html` and merged onto each page);
* a PDF outline: the contents, the parts of the table of contents, each page under its part,
  and each page's numbered sections (h2) under it, at their place on the sheet;
* links between pages of the book jump inside the PDF; links to the page sources and the
  highlighted module sources (which the PDF does not hold) are dropped.

The print stylesheet (``@media print`` in ``book/_static/gdbook.css``) hides the navigation:
sidebars, the header's buttons, the launch and download menus, the footer's previous/next links.
Solutions of exercises are opened, since paper has no buttons.

``python scripts/book_pdf.py --check`` exits 0 when the PDF is current: it records the HTML
build's stamp (``scripts/book_stamp.py``) and a hash of this file in :data:`STAMP`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import html
import http.server
import io
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PDF_NAME = "gradient-descent-interactively.pdf"
#: where the PDF is written, inside the built book (pages link to it relative to themselves)
PDF = HTML / "_static" / PDF_NAME
#: the HTML build's stamp and this file's hash, for ``--check``
STAMP = HTML / "_static" / ".gdbook-pdf-stamp"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: paper and margins (the page number sits in the bottom margin)
PAPER = "A4"
MARGIN = {"top": "18mm", "bottom": "20mm", "left": "17mm", "right": "17mm"}
PAPER_MM = (210.0, 297.0)
#: how long one page may take to load, typeset and draw its explorers
PAGE_TIMEOUT_MS = 120_000


@dataclass
class Entry:
    """One page of the table of contents."""

    file: str  # "book/05_learning_rate" (no suffix)
    part: str | None  # the part's caption, None for pages outside parts (the root)
    title: str = ""  # the page's first heading as printed, "5. The learning rate"
    pages: int = 0  # PDF pages it took
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, numbered heading)
    pdf: bytes = field(default=b"", repr=False)


def toc_entries(toc_path: Path = ROOT / "_toc.yml") -> list[Entry]:
    """Every page of _toc.yml in reading order (root first), with its part's caption."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf8"))
    entries = [Entry(_stem(toc["root"]), None)]

    def walk(items: list[dict], part: str | None) -> None:
        for item in items:
            if "file" in item:
                entries.append(Entry(_stem(item["file"]), part))
            walk(item.get("sections", []), part)

    for part in toc.get("parts", []):
        walk(part.get("chapters", []), part.get("caption"))
    walk(toc.get("chapters", []), None)
    return entries


def _stem(path: str) -> str:
    for suffix in (".ipynb", ".md", ".rst"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def _stamp_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_stamp", ROOT / "scripts" / "book_stamp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_stamp(root: Path = ROOT) -> str:
    """What :data:`STAMP` holds for a PDF printed from the current HTML build by this file."""
    html_stamp = root / "_build" / "html" / ".gdbook-stamp"
    built = html_stamp.read_text().strip() if html_stamp.is_file() else "none"
    this = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"{built} {this}"


def printed_from_this_build(root: Path = ROOT) -> bool:
    """True when the PDF exists and was printed by this file from the HTML build in _build/html."""
    stamp = root / "_build" / "html" / "_static" / ".gdbook-pdf-stamp"
    pdf = root / "_build" / "html" / "_static" / PDF_NAME
    return pdf.is_file() and stamp.is_file() and stamp.read_text().strip() == expected_stamp(root)


def is_current(root: Path = ROOT) -> bool:
    """True when the PDF was printed from the HTML build and that build is up to date."""
    return _stamp_module().is_current(root) and printed_from_this_build(root)


# -- serving and printing ------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (MathJax loads its fonts over HTTP); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# Runs in the page before printing: wait for MathJax and the explorers, open the solutions, and
# return the page's first heading as shown (with its chapter number) and its sections (h2).
_PREPARE = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const pending = () => [...document.querySelectorAll('.gd-explorer')]
      .filter((el) => el.getAttribute('data-ready') !== '1').length;
  for (let i = 0; i < 600 && pending(); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (pending()) { throw new Error(pending() + ' explorer(s) never drew (data-ready != 1)'); }
  // open the solutions at once (no fade-in transition to wait for)
  const still = document.createElement('style');
  still.textContent = '*, *::before, *::after { transition: none !important; }';
  document.head.appendChild(still);
  document.querySelectorAll('.admonition.toggle.toggle-hidden button.toggle-button')
      .forEach((b) => b.click());
  document.querySelectorAll('details.toggle-details').forEach((d) => { d.open = true; });
  await Promise.all([...document.images].map((img) => img.complete ? null :
      new Promise((r) => { img.onload = img.onerror = r; })));
  await document.fonts.ready;
  const text = (el) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach((e) => e.remove());
    // typeset math reads as the text of its MathML ("2/L"): CHTML glyphs are CSS content
    copy.querySelectorAll('mjx-container').forEach((m) => {
      const mml = m.querySelector('mjx-assistive-mml');
      m.replaceWith(mml ? mml.textContent : '');
    });
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  const h1 = document.querySelector('article.bd-article h1');
  const sections = [...document.querySelectorAll('article.bd-article section[id] > h2')]
      .map((h2) => [h2.parentElement.id, text(h2)]);
  return {title: h1 ? text(h1) : '', sections: sections};
}
"""


def print_pages(context, entries: list[Entry], base: str, log=print) -> None:
    """Print every entry's page into ``entry.pdf``; fill in its title, sections and page count."""
    from pypdf import PdfReader

    page = context.new_page()
    page.emulate_media(media="print")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for entry in entries:
        t0 = time.monotonic()
        errors.clear()
        page.goto(f"{base}{entry.file}.html", wait_until="load", timeout=PAGE_TIMEOUT_MS)
        info = page.evaluate(_PREPARE)
        if errors:
            raise RuntimeError(f"{entry.file}.html: JavaScript error: {errors[0]}")
        if not info["title"]:
            raise RuntimeError(f"{entry.file}.html has no heading (h1) in its article")
        entry.title = info["title"]
        entry.sections = [tuple(s) for s in info["sections"]]
        entry.pdf = page.pdf(format=PAPER, margin=MARGIN, print_background=True)
        entry.pages = len(PdfReader(io.BytesIO(entry.pdf)).pages)
        log(f"[pdf] {entry.file}: {entry.pages} pages in {time.monotonic() - t0:.1f}s")
    page.close()


# -- front matter and page numbers -----------------------------------------------------------------

_FRONT_CSS = """
@page { size: A4; margin: 30mm 25mm 25mm 25mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; color: #222; }
.title { break-after: page; padding-top: 60mm; text-align: center; }
.title h1 { font-size: 30pt; margin: 0 0 8mm; font-weight: 600; }
.title .sub { font-size: 14pt; color: #444; margin-bottom: 30mm; }
.title .author { font-size: 13pt; }
.title .note { margin-top: 60mm; font-size: 9pt; color: #555; line-height: 1.5; }
h2 { font-size: 20pt; font-weight: 600; margin: 0 0 8mm; }
ol { list-style: none; padding: 0; margin: 0; font-size: 11pt; }
li.part { font-weight: 600; margin: 6mm 0 2mm; }
li.page { display: flex; margin: 1.6mm 0; }
li.page a { color: #222; text-decoration: none; }
li.page .dots { flex: 1; border-bottom: 1px dotted #999; margin: 0 2mm 1.2mm; }
"""


def front_matter_html(entries: list[Entry], base: str, config: dict) -> str:
    """The title page and the contents (page numbers of the body, which starts at 1)."""
    title = html.escape(str(config.get("title", "")))
    author = html.escape(str(config.get("author", "")))
    year = html.escape(str(config.get("copyright", "")))
    repo = html.escape(str(config.get("repository", {}).get("url", "")))
    rows, part, number = [], None, 1
    for entry in entries:
        if entry.part != part and entry.part:
            rows.append(f'<li class="part">{html.escape(entry.part)}</li>')
        part = entry.part
        rows.append(
            f'<li class="page"><a href="{base}{entry.file}.html">{html.escape(entry.title)}</a>'
            f'<span class="dots"></span><span>{number}</span></li>'
        )
        number += entry.pages
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<style>{_FRONT_CSS}</style></head><body>
<section class="title"><h1>{title}</h1>
<div class="sub">An interactive textbook on gradient descent</div>
<div class="author">{author}</div><div class="author">&copy; {year}</div>
<div class="note">The print edition of the HTML book. Every explorer is shown at its default
setting; in the HTML book, on Binder and on Colab its sliders move.<br>{repo}</div></section>
<h2>Contents</h2><ol>{"".join(rows)}</ol></body></html>"""


def page_numbers_html(footers: list[tuple[str, str]]) -> str:
    """One A4 sheet per body page with its running title and number in the bottom margin."""
    sheets = "".join(
        f'<div class="sheet"><div class="foot"><span>{html.escape(left)}</span>'
        f"<span>{html.escape(right)}</span></div></div>"
        for left, right in footers
    )
    width, height = PAPER_MM
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 0; }}
body {{ margin: 0; font-family: "DejaVu Sans", "Liberation Sans", sans-serif; }}
.sheet {{ position: relative; width: {width}mm; height: {height}mm; break-after: page;
  overflow: hidden; }}
.foot {{ position: absolute; left: {MARGIN["left"]}; right: {MARGIN["right"]}; bottom: 9mm;
  display: flex; justify-content: space-between; font-size: 8pt; color: #666; }}
</style></head><body>{sheets}</body></html>"""


# -- merging ---------------------------------------------------------------------------------------


def merge(entries: list[Entry], front: bytes, numbers: bytes, base: str, config: dict) -> bytes:
    """One PDF: front matter, then every entry; page numbers, outline, links inside the PDF."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, Fit, FloatObject, NameObject, NullObject

    writer = PdfWriter()
    front_reader = PdfReader(io.BytesIO(front))
    for page in front_reader.pages:
        writer.add_page(page)
    n_front = len(front_reader.pages)
    number_pages = PdfReader(io.BytesIO(numbers)).pages

    # where every entry starts, and where its named destinations (element ids) are
    starts: dict[str, int] = {}
    dests: dict[tuple[str, str], tuple[int, float | None]] = {}
    for entry in entries:
        reader = PdfReader(io.BytesIO(entry.pdf))
        start = len(writer.pages)
        starts[entry.file] = start
        for name, dest in reader.named_destinations.items():
            index = reader.get_destination_page_number(dest)
            top = dest.get("/Top")
            dests[(entry.file, name.lstrip("/"))] = (
                start + index,
                float(top) if top is not None else None,
            )
        for i, page in enumerate(reader.pages):
            added = writer.add_page(page)
            added.merge_page(number_pages[start - n_front + i])
            added.compress_content_streams()  # merge_page leaves them uncompressed

    def target(file: str, fragment: str) -> tuple[int, float | None] | None:
        if fragment and (file, fragment) in dests:
            return dests[(file, fragment)]
        if file in starts:
            return starts[file], None
        return None

    def explicit(where: tuple[int, float | None]) -> ArrayObject:
        index, top = where
        return ArrayObject(
            [
                writer.pages[index].indirect_reference,
                NameObject("/XYZ"),
                NullObject(),
                FloatObject(top) if top is not None else NullObject(),
                NullObject(),
            ]
        )

    # links: to a page of the book -> inside the PDF; to a page the PDF does not hold -> dropped
    owners = [None] * n_front
    for entry in entries:
        owners += [entry.file] * entry.pages
    for index, page in enumerate(writer.pages):
        if "/Annots" not in page:
            continue
        kept = ArrayObject()
        for ref in page["/Annots"]:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                kept.append(ref)
                continue
            action = annot.get("/A")
            where = None
            if action is not None and action.get("/S") == "/URI":
                uri = str(action["/URI"])
                if not uri.startswith(base):
                    kept.append(ref)  # a link to the web stays
                    continue
                parts = urlsplit(uri[len(base) :])
                path = unquote(parts.path)
                file = path[: -len(".html")] if path.endswith(".html") else path
                where = target(file, unquote(parts.fragment))
            elif "/Dest" in annot and owners[index] is not None:
                dest = annot["/Dest"]
                if isinstance(dest, ArrayObject):
                    kept.append(ref)
                    continue
                where = target(owners[index], str(dest).lstrip("/"))
            if where is None:
                continue
            annot[NameObject("/Dest")] = explicit(where)
            if "/A" in annot:
                del annot["/A"]
            kept.append(ref)
        page[NameObject("/Annots")] = kept

    # outline: the contents, the parts, every page under its part, its sections under it
    writer.add_outline_item(title="Contents", page_number=min(1, n_front - 1))
    part_items: dict[str, object] = {}
    for entry in entries:
        parent = None
        if entry.part:
            if entry.part not in part_items:
                part_items[entry.part] = writer.add_outline_item(
                    title=entry.part, page_number=starts[entry.file], is_open=True
                )
            parent = part_items[entry.part]
        item = writer.add_outline_item(
            title=entry.title, page_number=starts[entry.file], parent=parent, is_open=False
        )
        for section_id, section_title in entry.sections:
            where = dests.get((entry.file, section_id))
            if where is not None:
                index, top = where
                writer.add_outline_item(
                    title=section_title,
                    page_number=index,
                    parent=item,
                    fit=Fit.xyz(top=top) if top is not None else Fit.fit(),
                )

    writer.set_page_label(0, n_front - 1, style="/r", start=1)
    writer.set_page_label(n_front, len(writer.pages) - 1, style="/D", start=1)
    writer.add_metadata(
        {
            "/Title": str(config.get("title", "")),
            "/Author": str(config.get("author", "")),
            "/Subject": "An interactive textbook on gradient descent (print edition)",
        }
    )
    writer.page_mode = "/UseOutlines"
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build(html_dir: Path = HTML, out: Path = PDF, log=print) -> Path:
    """Print the book in ``html_dir`` into ``out``; write the stamp next to it."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    entries = toc_entries()
    t0 = time.monotonic()
    from playwright.sync_api import sync_playwright

    with serve(html_dir) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 1400})
            print_pages(context, entries, base, log)
            page = context.new_page()
            page.set_content(front_matter_html(entries, base, config))
            front = page.pdf(format=PAPER, print_background=True, prefer_css_page_size=True)
            footers = []
            number = 1
            for entry in entries:
                for _ in range(entry.pages):
                    footers.append((entry.title, str(number)))
                    number += 1
            page.set_content(page_numbers_html(footers))
            numbers = page.pdf(format=PAPER, prefer_css_page_size=True)
            context.close()
        finally:
            browser.close()
        t1 = time.monotonic()
        data = merge(entries, front, numbers, base, config)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    (out.parent / STAMP.name).write_text(expected_stamp() + "\n")
    total = sum(e.pages for e in entries)
    log(
        f"[pdf] {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {total} pages"
        f" (+ front matter), {len(data) / 1e6:.1f} MB; printed in {t1 - t0:.1f}s,"
        f" merged in {time.monotonic() - t1:.1f}s"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 0 when the PDF is current")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if is_current() else 1
    if not (HTML / "index.html").is_file():
        print(f"error: no HTML book in {HTML}: run scripts/build_book.sh first", file=sys.stderr)
        return 1
    build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
