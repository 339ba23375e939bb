"""Every figure explains itself (issue "true by construction", item 4), checked on the built book.

In a chapter's HTML every ``<img>`` in a code cell's output sits inside a ``<figure>`` with a
non-empty ``<figcaption>`` and has alt text that says what the image shows: not missing, not
the image's file name or URI (myst-nb's default alt is the URI ``../_images/<hash>.png``), not a
hash. An explorer's background image needs meaningful alt text too, but no caption.

A chapter gets both from the code cell's metadata::

    {"mystnb": {"figure": {"caption": "...", "name": "fig-05-sweep"},
                "image": {"alt": "..."}}}

The unit tests plant each kind of defect in a small page; the test over the built book checks
every chapter.
"""

from __future__ import annotations

import book_checks as bc
import book_fixtures
import pytest
from book_fixtures import built_book  # noqa: F401  (the session fixture)

CHAPTERS = book_fixtures.CHAPTERS


GOOD = """
<html><body><main>
<div class="cell docutils container"><div class="cell_output docutils container">
<figure class="align-default" id="fig-05-sweep">
<img alt="Steps to converge against learning rate: a straight slope, a valley, a cliff"
     src="../_images/858618af97f2b05b3de0f4d7b0eb5598d911271abbf013e4a9d439194effd54c.png"/>
<figcaption><p><span class="caption-number">Fig. 5.3 </span>
<span class="caption-text">Steps needed against learning rate.</span>
<a class="headerlink" href="#fig-05-sweep">#</a></p></figcaption>
</figure></div></div>
<div class="cell docutils container"><div class="cell_output docutils container">
<div class="output text_html"><div class="gd-explorer">
<div class="gd-figure-wrap"><img class="gd-background" src="data:image/png;base64,AAAA"
 alt="curve, loss of gradient descent on parabola"></div></div></div></div></div>
<div class="article-header-buttons"><img src="../_static/logo.png" alt="logo.png"></div>
</main></body></html>
"""


def problems(html: str) -> list[str]:
    return [p.problem for p in bc.figure_problems(html, "page")]


def test_captioned_figure_with_alt_text_and_explorer_pass():
    assert problems(GOOD) == []


def test_alt_text_that_is_the_uri_is_caught():
    src = "../_images/858618af97f2b05b3de0f4d7b0eb5598d911271abbf013e4a9d439194effd54c.png"
    page = GOOD.replace(
        'alt="Steps to converge against learning rate: a straight slope, a valley, a cliff"',
        f'alt="{src}"',
    )
    assert problems(page) == ["alt text is the image's src"]


@pytest.mark.parametrize(
    ("alt", "reason"),
    [
        ("sweep.png", "file name"),
        ("858618af97f2b05b3de0f4d7b0eb5598d911271abbf013e4a9d439194effd54c", "hash"),
        ("", "empty"),
        ("   ", "empty"),
        ("figure", "too short"),
        ("_images/plot", "file name"),
    ],
)
def test_meaningless_alt_text_is_caught(alt, reason):
    page = GOOD.replace(
        'alt="Steps to converge against learning rate: a straight slope, a valley, a cliff"',
        f'alt="{alt}"',
    )
    found = problems(page)
    assert len(found) == 1 and reason in found[0]


def test_missing_alt_is_caught():
    page = GOOD.replace(
        'alt="Steps to converge against learning rate: a straight slope, a valley, a cliff"', ""
    )
    assert problems(page) == ["no alt attribute"]


def test_image_outside_a_figure_is_caught():
    page = GOOD.replace('<figure class="align-default" id="fig-05-sweep">', "").replace(
        "</figure>", ""
    )
    page = page.replace("<figcaption>", "<div>").replace("</figcaption>", "</div>")
    assert problems(page) == ["image is not inside a <figure>"]


@pytest.mark.parametrize(
    "caption",
    [
        "",
        "<figcaption></figcaption>",
        '<figcaption><p><span class="caption-number">Fig. 5.3 </span>'
        '<span class="caption-text"> </span><a class="headerlink" href="#x">#</a></p></figcaption>',
    ],
)
def test_figure_without_caption_text_is_caught(caption):
    start = GOOD.index("<figcaption>")
    end = GOOD.index("</figcaption>") + len("</figcaption>")
    page = GOOD[:start] + caption + GOOD[end:]
    assert problems(page) == ["figure has no caption"]


def test_explorer_background_needs_meaningful_alt_but_no_caption():
    page = GOOD.replace('alt="curve, loss of gradient descent on parabola"', 'alt="bg.png"')
    assert problems(page) == ["alt text is a file name: 'bg.png'"]


def test_problem_names_the_figure():
    page = GOOD.replace('alt="Steps to converge', 'alt="x.png" title="Steps to converge')
    (found,) = bc.figure_problems(page, "05_learning_rate")
    assert str(found).startswith("05_learning_rate figure #fig-05-sweep:")


def test_images_outside_cell_outputs_are_not_figures():
    page = "<main><p><img src='a.png'></p></main>"
    assert problems(page) == []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_figures_have_captions_and_alt_text(built_book, chapter):  # noqa: F811
    page = built_book / "book" / f"{chapter}.html"
    assert page.is_file(), page
    found = bc.figure_problems(page, chapter)
    assert not found, f"{len(found)} figure problems:\n" + "\n".join(map(str, found))
