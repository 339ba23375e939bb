"""Parsers for the checks that keep the book true by construction.

Used by tests/test_prose_numbers.py (every number in the prose comes from code),
tests/test_figures.py (every figure has a caption and meaningful alt text) and
tests/test_prompts.py (every slider value a prompt names is a position of that slider).

Run as a script to list a chapter's offending prose numbers while writing it::

    python tests/book_checks.py book/05_learning_rate.ipynb [more notebooks ...]
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ALLOW_FILE = ROOT / "book" / "prose_numbers_allow.yml"

# -- numbers in Markdown --------------------------------------------------------------------------

#: integers with at least this many digits are checked like decimals (step counts, sizes)
MIN_INT_DIGITS = 3

# a number may not continue a word, a subscript, a label such as ex-05-1 or a LaTeX command
_BEFORE = r"(?<![\w.\\])(?<!\w-)"


def _exp(name: str) -> str:
    """An exponent: ^{-3}, ^{12}, ^7 (groups ``name`` and ``name``b)."""
    return rf"\^\s*(?:\{{\s*(?P<{name}>[-−]?\s*\d+)\s*\}}|(?P<{name}b>[-−]?\d))"


_NUMBER = re.compile(
    _BEFORE
    + r"(?:"
    # 1.7 \times 10^{7}, 3 × 10^-5
    + r"(?P<mant>\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×|·)\s*10\s*"
    + _exp("e1")
    # 10^{-6}
    + r"|(?P<pow>10)\s*"
    + _exp("e2")
    # 1e-6, 3.2e-5, 2E+3
    + r"|(?P<sci>\d+(?:\.\d+)?[eE][-+−]?\d+)"
    # 20,000 and 20\,000
    + r"|(?P<thou>\d{1,3}(?:(?:,|\\,)\d{3})+)(?![\d])"
    # 4.7, 0.001997
    + r"|(?P<dec>\d+\.\d+)"
    + r"|(?P<int>\d+)"
    + r")"
    + r"(?![\d])(?P<pct>(?:\s|\\[,;: ])*\\?%)?"
)

# an input written as a definition, "$\eta = 0.1$", "w_0 = 4", "β₁ = 0.9": not a claim
_INPUT_SYMBOLS = (
    r"\\eta(?:_0|_\{\\?(?:min|max)\})?|η|\\beta(?:_\{?[12]\}?)?|β[12₁₂]?|\\alpha|α|\\epsilon|ε"
    r"|\\varepsilon|\\omega|ω|\\gamma|γ|w_0|w_\{0\}|\\theta_0|\\theta_\{0\}|θ_?0|x_0|B"
)
_INPUT_DEF = re.compile(r"(?:" + _INPUT_SYMBOLS + r")\s*=\s*[-−]?\s*$")


@dataclass(frozen=True)
class ProseNumber:
    """One number found in a Markdown cell."""

    text: str  #: as written ("4.7", "20,000", "1.7 \\times 10^7", "40%")
    values: tuple[float, ...]  #: what it may stand for (a percentage: p and p/100)
    start: int  #: position in the cell's source
    end: int
    decimal: bool  #: written with a decimal point, an exponent or as a percentage


@dataclass(frozen=True)
class Offender:
    """A prose number that is neither glued, nor a code literal, nor allowed."""

    chapter: str
    cell: int
    number: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.chapter} cell {self.cell}: {self.number!r} in: {self.sentence}"


def _exponent(text: str) -> int:
    return int(text.replace("−", "-").replace(" ", ""))


def _mask(text: str, start: int, end: int) -> str:
    """Blank out text[start:end] (keeping newlines, so positions and lines stay put)."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _mask_all(text: str, pattern: re.Pattern[str], group: int | str = 0) -> str:
    for m in reversed(list(pattern.finditer(text))):
        if m.group(group) is not None:
            text = _mask(text, m.start(group), m.end(group))
    return text


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ROLE = re.compile(r"\{(?P<name>[\w:+-]+)\}(?P<ticks>`+)(?P<body>.*?)(?P=ticks)", re.S)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$", re.M)
_OPTION = re.compile(r"^[ \t]*:[\w-]+:.*$")
_TARGET = re.compile(r"^[ \t]*\([\w.:-]+\)=[ \t]*$", re.M)
_LINK_TARGET = re.compile(r"\]\((?P<url>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"(?:https?|ftp|mailto):[^\s)>\]]+|www\.[^\s)>\]]+")
_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_SUBST = re.compile(r"\{\{.*?\}\}", re.S)
_TEX_REF = re.compile(r"\\(?:label|ref|eqref|tag|cite)\{[^}]*\}")


def mask_markdown(source: str) -> str:
    """The cell's text with everything that is not a claim blanked out (same length).

    Blanked: HTML comments and tags, roles other than ``{math}`` (``{glue:text}`...```,
    ``{cite}``, ``{ref}``, ``{numref}``, ``{doc}``, ``{eq}``), directive fence lines with their
    arguments (``{solution} ex-05-1``) and option lines (``:label: ex-05-1``), plain code fences
    in the prose, cross-reference targets (``(fig-05-sweep)=``), link targets and URLs,
    substitutions and LaTeX ``\\label``/``\\ref``.
    """
    text = _mask_all(source, _COMMENT)
    for m in reversed(list(_ROLE.finditer(text))):
        if m.group("name") == "math":
            text = _mask(text, m.start(), m.start("body"))
            text = _mask(text, m.end("body"), m.end())
        else:
            text = _mask(text, m.start(), m.end())
    # fences: a directive's fence line and its leading options are blanked, its body kept; a
    # plain code fence (```python) is an example of code, blanked whole
    lines = text.split("\n")
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (fence, is_code)
    in_options = False
    for line in lines:
        m = _FENCE.match(line)
        if m and stack and m.group("fence")[0] == stack[-1][0][0] and not m.group("info").strip():
            if len(m.group("fence")) >= len(stack[-1][0]):
                stack.pop()
                out.append(" " * len(line))
                in_options = False
                continue
        if stack and stack[-1][1]:  # inside a code block
            out.append(" " * len(line))
            continue
        if m and m.group("info").strip():
            info = m.group("info").strip()
            is_code = not info.startswith("{")
            stack.append((m.group("fence"), is_code))
            out.append(" " * len(line))
            in_options = not is_code
            continue
        if m and not m.group("info").strip() and m.group("fence")[0] == "`":
            stack.append((m.group("fence"), True))  # a bare ``` opens a code block
            out.append(" " * len(line))
            continue
        if in_options and _OPTION.match(line):
            out.append(" " * len(line))
            continue
        in_options = False
        out.append(line)
    text = "\n".join(out)
    text = _mask_all(text, _TARGET)
    text = _mask_all(text, _LINK_TARGET, "url")
    text = _mask_all(text, _URL)
    text = _mask_all(text, _TAG)
    text = _mask_all(text, _SUBST)
    text = _mask_all(text, _TEX_REF)
    return text


def find_numbers(source: str) -> list[ProseNumber]:
    """Every number in a Markdown cell that states a value, with its position in ``source``.

    Decimals (``4.7``), scientific notation (``1e-6``, ``3.2 \\times 10^{-5}``, ``10^{-3}``) and
    percentages (``40%``) are always returned; plain integers only with at least
    :data:`MIN_INT_DIGITS` digits (``16851``, ``20,000``), since small integers (2, 10, a
    dimension, an exponent) are structure rather than measurements. Numbers written as the
    definition of an input (``$\\eta = 0.1$``, ``$\\beta_1 = 0.9$``, ``$w_0 = 4$``) are inputs,
    not claims, and are left out; so is everything :func:`mask_markdown` blanks.
    """
    text = mask_markdown(source)
    found = []
    for m in _NUMBER.finditer(text):
        pct = bool(m.group("pct"))
        if m.group("mant") is not None:
            e = m.group("e1") or m.group("e1b")
            value, decimal = float(m.group("mant")) * 10.0 ** _exponent(e), True
        elif m.group("pow") is not None:
            e = m.group("e2") or m.group("e2b")
            value, decimal = 10.0 ** _exponent(e), True
        elif m.group("sci") is not None:
            value, decimal = float(m.group("sci").replace("−", "-")), True
        elif m.group("thou") is not None:
            value, decimal = float(re.sub(r"\\,|,", "", m.group("thou"))), False
        elif m.group("dec") is not None:
            value, decimal = float(m.group("dec")), True
        else:
            value, decimal = float(m.group("int")), False
        digits = len(str(int(value))) if value >= 1 else 1
        if not (decimal or pct or digits >= MIN_INT_DIGITS):
            continue
        if _INPUT_DEF.search(text[max(0, m.start() - 40) : m.start()]):
            continue
        values = (value, value / 100.0) if pct else (value,)
        found.append(ProseNumber(m.group(0).strip(), values, m.start(), m.end(), decimal or pct))
    return found


_BOUNDARY = re.compile(
    r"(?<=[.!?:])\s+(?=[A-Z$*_(\[`\\])|\n\s*\n|\n(?=\s*(?:[-*+]\s|\d+\.\s|#|\|))"
)


def sentence_at(source: str, pos: int, limit: int = 240) -> str:
    """The sentence (or list item, table row, heading) of ``source`` around position ``pos``."""
    start, end = 0, len(source)
    for m in _BOUNDARY.finditer(source):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    text = " ".join(source[start:end].split())
    if len(text) > limit:
        offset = len(" ".join(source[start:pos].split()))
        lo = max(0, min(offset - limit // 2, len(text) - limit))
        text = ("…" if lo else "") + text[lo : lo + limit] + ("…" if lo + limit < len(text) else "")
    return text


# -- literals in code ---------------------------------------------------------------------------

_ANY_NUMBER = re.compile(r"(?<![\w.])\d+(?:_\d+)*(?:\.\d*)?(?:[eE][-+]?\d+)?|(?<![\w.])\.\d+")


def code_literals(source: str) -> set[float]:
    """The absolute values of the numeric literals of a code cell, and of numbers written
    inside its string literals (labels, f-strings). Comments do not count. IPython lines
    (``%magic``, ``!shell``) are skipped."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    values: set[float] = set()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
        values.update(_numbers_in(re.sub(r"#.*", "", source)))
    for tok in tokens:
        if tok.type == tokenize.NUMBER:
            try:
                values.add(abs(float(tok.string.replace("_", "").rstrip("jJ"))))
            except ValueError:
                values.add(abs(float(int(tok.string.replace("_", ""), 0))))
        elif tok.type == tokenize.STRING:
            values.update(_numbers_in(tok.string))
    return values


def _numbers_in(text: str) -> set[float]:
    return {abs(float(m.group(0).replace("_", ""))) for m in _ANY_NUMBER.finditer(text)}


# -- notebooks ----------------------------------------------------------------------------------


def load_notebook(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf8"))


def cell_source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def notebook_literals(nb: dict[str, Any]) -> set[float]:
    """Every literal of every code cell of a notebook."""
    out: set[float] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            out |= code_literals(cell_source(cell))
    return out


@dataclass(frozen=True)
class Allowed:
    """An allow-list entry: ``number`` may appear in ``chapter`` (in a sentence containing
    ``text``, when given) without coming from code."""

    chapter: str
    number: str
    reason: str
    text: str | None = None
    values: tuple[float, ...] = field(default=(), compare=False)

    def matches(self, chapter: str, number: ProseNumber, sentence: str) -> bool:
        if chapter != self.chapter or not same_value(self.values, number.values):
            return False
        return self.text is None or self.text in sentence


def parse_number(text: str) -> tuple[float, ...]:
    """The values of a number written as in the prose ("0.001997", "20,000", "1e-6", "40%")."""
    found = find_numbers(str(text))
    if len(found) == 1 and found[0].end - found[0].start >= len(str(text).strip()) - 1:
        return found[0].values
    try:
        return (abs(float(str(text))),)
    except ValueError as exc:
        raise ValueError(f"not a number: {text!r}") from exc


def load_allow_list(path: Path = ALLOW_FILE) -> list[Allowed]:
    """The reviewed allow-list (book/prose_numbers_allow.yml)."""
    import yaml

    if not Path(path).is_file():
        return []
    data = yaml.safe_load(Path(path).read_text(encoding="utf8")) or {}
    entries = data.get("allow") or []
    out = []
    for i, e in enumerate(entries):
        missing = {"chapter", "number", "reason"} - set(e)
        if missing:
            raise ValueError(f"{path.name} entry {i} lacks {sorted(missing)}: {e}")
        number = str(e["number"])
        out.append(
            Allowed(
                str(e["chapter"]), number, str(e["reason"]), e.get("text"), parse_number(number)
            )
        )
    return out


def same_value(a: Iterable[float], b: Iterable[float]) -> bool:
    """Two numbers are the same when some reading of one equals some reading of the other, to
    the last bit or within 1e-12 relative (1e-3 and 0.001; 3 × 10^-5 and 3e-5)."""
    return any(math.isclose(x, y, rel_tol=1e-12, abs_tol=0.0) for x in a for y in b)


@dataclass
class ProseReport:
    """The outcome of scanning one notebook."""

    chapter: str
    offenders: list[Offender]
    used_allowances: set[int]  #: indices into the allow-list of entries that matched


def scan_notebook(nb: dict[str, Any], chapter: str, allow: Sequence[Allowed] = ()) -> ProseReport:
    """Every prose number of a notebook that is not glued, not a code literal, not allowed."""
    literals = notebook_literals(nb)
    offenders: list[Offender] = []
    used: set[int] = set()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = cell_source(cell)
        for number in find_numbers(source):
            if any(same_value(number.values, (lit,)) for lit in literals):
                continue
            sentence = sentence_at(source, number.start)
            hits = [i for i, a in enumerate(allow) if a.matches(chapter, number, sentence)]
            if hits:
                used.update(hits)
                continue
            offenders.append(Offender(chapter, index, number.text, sentence))
    return ProseReport(chapter, offenders, used)


def chapter_notebooks() -> list[Path]:
    """The chapter notebooks, book/NN_*.ipynb, in order."""
    return sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


# -- the built HTML -----------------------------------------------------------------------------


def soup(path_or_html: Path | str):
    """A BeautifulSoup tree of a page or an HTML string (the stdlib parser, no lxml needed)."""
    from bs4 import BeautifulSoup

    html = path_or_html
    if isinstance(path_or_html, Path):
        html = path_or_html.read_text(encoding="utf8")
    return BeautifulSoup(html, "html.parser")


_HASH_LIKE = re.compile(r"^[0-9a-f]{16,}$", re.I)
_FILE_LIKE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|pdf)$", re.I)


def bad_alt(alt: str | None, src: str | None = None) -> str | None:
    """Why an image's alt text is not meaningful (None when it is): missing, empty, a file name,
    a URI, a hash or the image's ``src``."""
    if alt is None:
        return "no alt attribute"
    text = alt.strip()
    if not text:
        return "empty alt text"
    if src and text == src.strip():
        return "alt text is the image's src"
    stem = text.rsplit("/", 1)[-1]
    if _FILE_LIKE.search(stem) or ("/" in text and " " not in text):
        return f"alt text is a file name: {text!r}"
    if _HASH_LIKE.match(stem.split(".")[0]):
        return f"alt text is a hash: {text!r}"
    if len(text.split()) < 3:
        return f"alt text too short to describe a figure: {text!r}"
    return None


@dataclass(frozen=True)
class FigureProblem:
    page: str
    where: str  #: the figure's id, or the enclosing cell's position
    problem: str

    def __str__(self) -> str:
        return f"{self.page} {self.where}: {self.problem}"


def _where(img) -> str:
    for parent in img.parents:
        if parent.name == "figure" and parent.get("id"):
            return f"figure #{parent['id']}"
        if parent.name == "div" and "cell" in (parent.get("class") or []):
            cells = parent.find_all_previous("div", class_="cell")
            return f"code cell {len(cells)} (counting from 0 among the page's code cells)"
    return "image"


def caption_text(figure) -> str:
    """A figure's caption as the reader reads it, without Sphinx's "Fig. 5.1" and its ``#``."""
    caption = figure.find("figcaption")
    if caption is None:
        return ""
    parts = caption.find_all(class_="caption-text")
    if parts:
        return " ".join(p.get_text(" ", strip=True) for p in parts).strip()
    text = caption.get_text(" ", strip=True)
    text = re.sub(r"^(?:Fig(?:ure)?\.?\s*[\d.]+\s*)", "", text)
    return text.strip(" #¶\n")


def figure_problems(html: Path | str, page: str = "page") -> list[FigureProblem]:
    """Images in cell outputs without a captioned ``<figure>`` or without meaningful alt text.

    Every ``<img>`` inside a code cell's output must sit in a ``<figure>`` with a non-empty
    ``<figcaption>`` and have alt text that :func:`bad_alt` accepts. An explorer's background
    image (``img.gd-background`` inside ``div.gd-explorer``) needs meaningful alt text but no
    caption (the explorer is not a figure: its title and controls say what it is).
    """
    tree = soup(html)
    problems = []
    for img in tree.find_all("img"):
        in_output = any(
            p.name == "div" and {"cell_output", "output"} & set(p.get("class") or [])
            for p in img.parents
        )
        explorer = any(
            p.name == "div" and "gd-explorer" in (p.get("class") or []) for p in img.parents
        )
        if not (in_output or explorer):
            continue
        where = _where(img)
        reason = bad_alt(img.get("alt"), img.get("src"))
        if reason:
            problems.append(FigureProblem(page, where, reason))
        if explorer:
            continue
        figure = img.find_parent("figure")
        if figure is None:
            problems.append(FigureProblem(page, where, "image is not inside a <figure>"))
            continue
        if not caption_text(figure):
            problems.append(FigureProblem(page, where, "figure has no caption"))
    return problems


# -- explorers and the prompts about them --------------------------------------------------------


@dataclass
class Explorer:
    """An explorer on a page: its payload and the prose around it."""

    index: int  #: position among the page's explorers
    title: str
    controls: list[dict[str, Any]]
    prose: str  #: text from the previous heading/explorer up to it, and the paragraph after it
    group: int = 0  #: explorers shown one after the other, with no prose between, share a group


@dataclass(frozen=True)
class Prompt:
    control: str  #: the control's name as in the payload
    number: str  #: the value as written
    value: tuple[float, ...]  #: one number, or a start point's coordinates
    sentence: str


_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "td", "th")


def explorers_with_prose(html: Path | str) -> list[Explorer]:
    """Every ``div.gd-explorer`` of a page in order, with its payload's controls and the prose a
    reader sees before it (since the previous section heading or explorer) and right after it
    (the first paragraph or list that follows)."""
    tree = soup(html)
    main = tree.find("main") or tree.find("article") or tree
    # walk the document in order: headings, paragraphs/list items and explorers
    items: list[tuple[str, Any]] = []
    for el in main.find_all(True):
        classes = el.get("class") or []
        if el.name == "div" and "gd-explorer" in classes:
            items.append(("explorer", el))
        elif el.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            items.append(("heading", el))
        elif el.name in ("p", "li", "dt", "dd") and not el.find_parent(
            lambda t: t.name == "div" and "gd-explorer" in (t.get("class") or [])
        ):
            if el.name == "p" and el.find_parent("li") is not None:
                continue  # the list item carries it
            if el.find_parent("div", class_="cell") is not None:
                continue  # code cell output, not prose
            items.append(("text", el))
    # explorers with no prose between them form a group that shares the prose around it
    explorers: list[Explorer] = []
    pos = 0
    while pos < len(items):
        if items[pos][0] != "explorer":
            pos += 1
            continue
        first = pos
        while pos + 1 < len(items) and items[pos + 1][0] == "explorer":
            pos += 1
        last = pos
        before: list[str] = []
        for k in range(first - 1, -1, -1):
            if items[k][0] != "text":
                break
            before.insert(0, _text(items[k][1]))
        after = _first_block(items, last + 1)
        end = last + 1
        while end < len(items) and items[end][0] == "text":
            end += 1
        if end < len(items) and items[end][0] == "explorer":
            # prose that leads to the next explorer is about that one, unless it looks back
            after = [t for t in after if _LOOKS_BACK.search(t)]
        group = len({e.group for e in explorers})
        for k in range(first, last + 1):
            el = items[k][1]
            data = el.find("script", class_="gd-data")
            payload = json.loads(data.string) if data is not None and data.string else {}
            title = el.find(class_="gd-title")
            explorers.append(
                Explorer(
                    len(explorers),
                    title.get_text(strip=True) if title else "",
                    payload.get("controls", []),
                    "\n".join(before + after),
                    group,
                )
            )
        pos += 1
    return explorers


_LOOKS_BACK = re.compile(
    r"\b(?:(?:explorer|slider|plot|figure|run|one)s? above"
    r"|this explorer|the same explorer)\b",
    re.I,
)


def _first_block(items: list[tuple[str, Any]], start: int) -> list[str]:
    """The paragraph at ``items[start]`` (with the list it introduces), or the list there."""
    out: list[str] = []
    k = start
    if k < len(items) and items[k][0] == "text" and items[k][1].name == "p":
        out.append(_text(items[k][1]))
        if not out[0].rstrip().endswith(":"):
            return out
        k += 1
    while k < len(items) and items[k][0] == "text" and items[k][1].name != "p":
        out.append(_text(items[k][1]))
        k += 1
    return out


def _text(el) -> str:
    """An element's text as the reader reads it, math in its TeX source."""
    return " ".join(el.get_text(" ").split())


# the names a prompt may use for a control ("beta1" is also "β1", "β₁", "\beta_1")
_CONTROL_ALIASES = {
    "learning rate": ("learning rate", "learning-rate", "step size", r"\eta", "η", "lr"),
    "learning rate ×": ("learning rate", "learning-rate", "multiplier", "lr"),
    "steps": ("steps", "step slider", "number of steps"),
    "momentum": ("momentum", r"\beta", "β"),
    "beta1": ("beta1", "beta_1", r"\beta_1", "β1", "β₁", r"\beta_{1}"),
    "beta2": ("beta2", "beta_2", r"\beta_2", "β2", "β₂", r"\beta_{2}"),
    "batch size": ("batch size", "batch"),
    "gamma": ("gamma", r"\gamma", "γ"),
    "alpha": ("alpha", r"\alpha", "α"),
    "weight decay": ("weight decay", r"\omega", "ω"),
    "start": ("start", "start point", "start at", "starting point"),
}

_NUM = (
    r"(?P<num>(?:\d+(?:\.\d+)?\s*(?:\\times|×)\s*)?10\^\{?[-−]?\d+\}?"  # 10^{-4}, 3 \times 10^{-5}
    r"|\d+(?:\.\d+)?(?:[eE][-+−]?\d+)?)"
)
#: a number that counts something else ("momentum 0 and 100 steps") is not the control's value
_NOT_A_VALUE = r"(?!\s*(?:steps?|epochs?|iterations?|updates?|runs?|points?|examples?|times|\\?%))"
_VALUE = r"\$?(?:\\\()?\s*" + _NUM + r"(?![\d.]*\d)(?!\s*/)(?!\s*\\times)" + _NOT_A_VALUE
#: a start point: "start at $w = 2$", "start at (-1, 1.5)"
_POINT = r"\$?(?:\\\()?\s*\(?\s*(?P<num>[-−]?\d+(?:\.\d+)?(?:\s*,\s*[-−]?\d+(?:\.\d+)?)*)\s*\)?"
#: what may sit between a control's name and its value: "set the learning rate to 0.5",
#: "push the **learning rate** past $2/L = 0.08$", "momentum 0.9", "$\beta_1 = 0.99$"
_GAP_WORDS = (
    "to|towards|toward|at|of|past|above|below|beyond|near|around|from|is|about|just|than|over|"
    "under|up|down|back|a|an|the|value|only|exactly|slowly|roughly|approximately|into|between|"
    "still|slider|its|it|now|again|and|then|set|equal|reaches|reach|point"
)
_GAP = (
    r"(?:(?:\s|\*\*|\*|=|:|,|≈|\\approx|\\geq?|\\leq?|>|<|\$|\\\(|\\\))+"
    r"|\\\(\s*[^()$]{0,10}/[^()$]{0,12}?(?:=|\\approx)"  # a ratio's value: \(2/L = 0.08\)
    r"|(?:\\\(\s*)?(?:[wxy]|\\theta|θ)(?:_0|_\{0\})?\s*="  # a start: \(w = 2\)
    r"|\b(?:" + _GAP_WORDS + r")\b){0,10}?"
)
#: a value list continues a prompt: "momentum 0, 0.5 and 0.9", "between 0.5 and 1"
_MORE = re.compile(r"\s*(?:,|\band\b|\bor\b|\bthen\b|\bto\b)\s*(?:\band\b|\bor\b)?\s*" + _VALUE)
_PRONOUN = re.compile(r"\b(?:it|the slider)\b" + _GAP + _VALUE, re.I)


def read_value(text: str) -> tuple[float, ...]:
    """A prompt's number as written: "0.5", "1e-3", "10^{-4}", "3 \\times 10^{-5}", "-1, 1.5"."""
    text = text.replace("−", "-").replace("{", "").replace("}", "")
    m = re.fullmatch(r"\s*(?:(\d+(?:\.\d+)?)\s*(?:\\times|×)\s*)?10\^(-?\d+)\s*", text)
    if m:
        return ((float(m.group(1)) if m.group(1) else 1.0) * 10.0 ** int(m.group(2)),)
    return tuple(float(v) for v in text.split(","))


def _aliases(name: str) -> tuple[str, ...]:
    return _CONTROL_ALIASES.get(name, (name, name.replace(" ", "_")))


def _name_pattern(name: str) -> str:
    names = sorted((re.escape(a) for a in _aliases(name)), key=len, reverse=True)
    return r"(?<![\w\\])(?:" + "|".join(names) + r")(?![\w])"


def prompts_for(explorer: Explorer) -> list[Prompt]:
    """Every (control, value) pair the prose around an explorer names.

    A value is named for a control when a number follows one of the control's names within a
    few connecting words or a short formula ("set the learning rate to 0.5", "push the
    learning rate past $2/L = 0.08$", "momentum 0.9", "$\\beta_1 = 0.99$", "batch size 8"),
    when a list of numbers continues it ("momentum 0, 0.5 and 0.9", "between 0.5 and 1"), and
    when "it" or "the slider" refers to the control named last ("lower it to 0.03").
    """
    text = explorer.prose
    found: dict[tuple[str, int], Prompt] = {}
    mentions: list[tuple[int, str]] = []

    def add(name: str, m: re.Match[str]) -> None:
        values = [m]
        pos = m.end()
        while name != "start" and (more := _MORE.match(text, pos)) is not None:
            values.append(more)
            pos = more.end()
        sentence = sentence_at(text, m.start())
        for v in values:
            num = " ".join(v.group("num").split())
            found[(name, v.start("num"))] = Prompt(name, num, read_value(num), sentence)

    for control in explorer.controls:
        name = control["name"]
        named = re.compile(_name_pattern(name), re.I)
        for m in named.finditer(text):
            mentions.append((m.start(), name))
        value = _POINT if name == "start" else _VALUE
        for m in re.compile(_name_pattern(name) + _GAP + value, re.I).finditer(text):
            add(name, m)
    mentions.sort()
    for m in _PRONOUN.finditer(text):
        earlier = [(p, n) for p, n in mentions if m.start() - 200 <= p < m.start()]
        if earlier and earlier[-1][1] != "start":
            add(earlier[-1][1], m)
    return [found[k] for k in sorted(found, key=lambda k: k[1])]


def _reading(value: Any) -> tuple[float, ...] | None:
    """A payload value as a number or a point: 0.9 -> (0.9,), [2.0] -> (2.0,), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return (float(value),)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        return tuple(float(v) for v in value)
    return None


def control_positions(control: dict[str, Any]) -> list[tuple[float, ...]] | None:
    """A control's exact numeric positions (numbers, or points for a start control): the
    payload's ``values``, or the integers ``min..max`` of a steps slider without them; None
    when the payload gives no exact values (then only its ``labels`` are known)."""
    if control.get("values") is not None:
        readings = [_reading(v) for v in control["values"]]
        return [r for r in readings if r is not None]
    if control.get("labels") is None and "min" in control and "max" in control:
        return [(float(v),) for v in range(int(control["min"]), int(control["max"]) + 1)]
    return None


def _label_value(label: Any) -> tuple[float, ...] | None:
    """A position's label read as a number or a point ("0.9", "(2)", "(-1, 1.5)"), or None."""
    text = str(label).strip().replace("−", "-")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        return None


def reachable(prompt: Prompt, control: dict[str, Any]) -> str | None:
    """Why a prompted value is not a position of its control (None when it is).

    With exact ``values`` in the payload the prompt's value must equal one of them exactly
    (0.5 is not 0.5001, although both print as "0.5"). Without them (payloads from before
    exact values), the value must equal a position's label read as a number or a point.
    """
    exact = control_positions(control)
    if exact:
        if prompt.value in exact:
            return None
        near = ""
        if len(prompt.value) == 1 and all(len(v) == 1 for v in exact):
            nearest = min(exact, key=lambda v: abs(v[0] - prompt.value[0]))[0]
            near = f" (nearest {nearest:.6g})"
        return (
            f"{prompt.control} = {prompt.number} is not a position of the control{near}; "
            "add it as a mark, add it to the options, or change the prompt"
        )
    readings = [_label_value(lab) for lab in control.get("labels") or []]
    if prompt.value in readings:
        return None
    shown = ", ".join(str(lab) for lab in (control.get("labels") or [])[:30])
    return f"{prompt.control} = {prompt.number} is not a position of the control (labels: {shown})"


def prompt_problems(html: Path | str, page: str = "page") -> list[str]:
    """Every prompted value, on every explorer of a page, that its control cannot reach.

    Explorers shown one after the other share the prose around them: a prompt there is
    satisfied when one of them that has the control reaches the value.
    """
    explorers = explorers_with_prose(html)
    problems = []
    for group in sorted({e.group for e in explorers}):
        members = [e for e in explorers if e.group == group]
        verdicts: dict[tuple[str, str, str], list[str | None]] = {}
        for ex in members:
            by_name = {c["name"]: c for c in ex.controls}
            for prompt in prompts_for(ex):
                key = (prompt.control, prompt.number, prompt.sentence)
                verdicts.setdefault(key, []).append(reachable(prompt, by_name[prompt.control]))
        for (_control, _number, sentence), reasons in verdicts.items():
            if all(reasons):
                names = ", ".join(f"{e.index} ({e.title or 'untitled'})" for e in members)
                problems.append(f"{page} explorer {names}: {reasons[0]}; prompt: {sentence}")
    return problems


def _iter_reports(paths: Iterable[Path]) -> Iterator[ProseReport]:
    allow = load_allow_list()
    for path in paths:
        yield scan_notebook(load_notebook(path), Path(path).stem, allow)


def main(argv: Sequence[str]) -> int:
    paths = [Path(a) for a in argv] or chapter_notebooks()
    total = 0
    for report in _iter_reports(paths):
        for offender in report.offenders:
            print(offender)
        print(f"== {report.chapter}: {len(report.offenders)} prose numbers not from code")
        total += len(report.offenders)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
