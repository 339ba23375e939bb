"""Explorer prompts a reader can follow (issue "true by construction", item 2), on the built book.

For each explorer on a chapter page (``div.gd-explorer`` and its JSON payload in
``script.gd-data``) the prose that refers to it is the text since the previous section heading
or explorer and the paragraph right after it (unless that paragraph leads to the next explorer
without looking back). Every value the prose names for one of the explorer's controls ("set the
learning rate to 0.5", "push the learning rate past $2/L = 0.08$", "momentum 0.9",
"$\\beta_1 = 0$", "batch size 8", "start at $w = 2$") must be exactly one of that control's
positions: the payload's exact ``values`` when it has them (then ``0.5`` must be ``0.5``, a
mark added with ``explore(..., marks={"one step": 0.5})``), otherwise its labels (``.3g``
text of the learning-rate lattice, the options of a dropdown).

The unit tests plant an unreachable value and show that a mark makes it reachable. The test over
the built book checks every chapter.
"""

from __future__ import annotations

import json

import book_checks as bc
import book_fixtures
import pytest
from book_fixtures import built_book  # noqa: F401  (the session fixture)

CHAPTERS = book_fixtures.CHAPTERS


LATTICE = [0.001 * 1.5**k for k in range(18)]  # 0.001 ... 0.985, no 0.5 and no 1.0


def lr_control(values=None, marks=None, exact=True):
    control = {
        "name": "learning rate",
        "key": "lr",
        "kind": "range",
        "labels": [f"{v:.3g}" for v in (values or LATTICE)],
        "value": 0,
    }
    if exact:
        control["values"] = list(values or LATTICE)
    if marks:
        control["marks"] = marks
    return control


def page(*blocks) -> str:
    """A chapter page: strings are paragraphs (or "## heading"), dicts are explorer payloads."""
    parts = []
    for block in blocks:
        if isinstance(block, dict):
            payload = json.dumps({"v": 2, **block})
            parts.append(
                '<div class="cell docutils container"><div class="cell_output docutils container">'
                '<div class="output text_html"><div class="gd-explorer">'
                f'<div class="gd-title">{block.get("title", "")}</div>'
                f'<script type="application/json" class="gd-data">{payload}</script>'
                "</div></div></div></div>"
            )
        elif block.startswith("## "):
            parts.append(f"<h2>{block[3:]}</h2>")
        elif block.startswith("- "):
            parts.append(
                "<ul>" + "".join(f"<li>{li}</li>" for li in block[2:].split("\n- ")) + "</ul>"
            )
        else:
            parts.append(f"<p>{block}</p>")
    return "<html><body><main>" + "".join(parts) + "</main></body></html>"


STEPS = {"name": "steps", "key": "steps", "kind": "range", "labels": None, "min": 0, "max": 60}
MOMENTUM = {
    "name": "momentum",
    "key": "momentum",
    "kind": "range",
    "labels": ["0", "0.5", "0.9", "0.99"],
    "values": [0.0, 0.5, 0.9, 0.99],
    "value": 0,
}
START = {
    "name": "start",
    "key": "start",
    "kind": "select",
    "labels": ["(2)", "(0.3)", "(-0.5)"],
    "value": 0,
}


def test_planted_unreachable_learning_rate_is_caught():
    html = page(
        "Set the learning rate to \\(0.5\\): one step lands on the minimum.",
        {"title": "w²", "controls": [lr_control(), STEPS]},
    )
    (problem,) = bc.prompt_problems(html, "04_update_rule")
    assert "learning rate = 0.5 is not a position" in problem
    assert "04_update_rule explorer 0 (w²)" in problem
    assert "Set the learning rate to" in problem


def test_a_mark_makes_the_value_reachable():
    values = sorted([*LATTICE, 0.5, 1.0])
    marks = [["one step", values.index(0.5)], ["2/L", values.index(1.0)]]
    html = page(
        "Set the learning rate to \\(0.5\\); then push the learning rate past \\(1.0\\).",
        {"controls": [lr_control(values, marks), STEPS]},
    )
    assert bc.prompt_problems(html) == []


def test_exact_values_are_strict_where_labels_would_round():
    """0.5001 prints as "0.5" at .3g: with exact values a prompt of 0.5 is not reachable."""
    values = [*LATTICE[:10], 0.5001]
    control = lr_control(values)
    html = page("Set the learning rate to 0.5.", {"controls": [control, STEPS]})
    assert len(bc.prompt_problems(html)) == 1
    del control["values"]  # a payload from before exact values: the label "0.5" is accepted
    html = page("Set the learning rate to 0.5.", {"controls": [control, STEPS]})
    assert bc.prompt_problems(html) == []


def test_prompt_forms_are_all_read():
    html = page(
        "## Explore",
        "Start with momentum 0 and the learning rate near \\(0.00506\\), then raise the momentum "
        "slider to 0.44, and set it to 0.95. Push the learning rate past \\(2/L = 0.08\\) and "
        "lower it to about \\(0.03\\). Try momentum 0, 0.5 and 0.9 for 100 steps.",
        {"controls": [lr_control(), STEPS, MOMENTUM]},
    )
    (ex,) = bc.explorers_with_prose(html)
    found = [(p.control, p.number) for p in bc.prompts_for(ex)]
    assert found == [
        ("momentum", "0"),
        ("learning rate", "0.00506"),
        ("momentum", "0.44"),
        ("momentum", "0.95"),
        ("learning rate", "0.08"),
        ("learning rate", "0.03"),
        ("momentum", "0"),
        ("momentum", "0.5"),
        ("momentum", "0.9"),
    ]
    problems = bc.prompt_problems(html)
    assert len(problems) == 5  # 0.00506 is a label; 0.44, 0.95, 0.08 and 0.03 are not positions


def test_scientific_values_and_greek_names():
    beta1 = {
        "name": "beta1",
        "key": "beta1",
        "kind": "range",
        "labels": ["0", "0.9", "0.99"],
        "value": 0,
    }
    html = page(
        "Lower the learning rate to \\(10^{-3}\\); set \\(\\beta_1 = 0.95\\), then β1 0.99.",
        {"controls": [lr_control(), STEPS, beta1]},
    )
    (ex,) = bc.explorers_with_prose(html)
    assert [(p.control, p.value) for p in bc.prompts_for(ex)] == [
        ("learning rate", (0.001,)),
        ("beta1", (0.95,)),
        ("beta1", (0.99,)),
    ]
    (problem,) = bc.prompt_problems(html)
    assert "beta1 = 0.95" in problem


def test_start_points_compare_as_points():
    html = page(
        "Start at \\(w = 2\\), then start at \\(w = -0.5\\), then start at \\(w = 1\\).",
        {"controls": [lr_control(), STEPS, START]},
    )
    (problem,) = bc.prompt_problems(html)
    assert "start = 1 is not a position" in problem


def test_exact_option_values_points_and_full_batch():
    """Payloads with exact values: start points are lists, the full batch is null."""
    start = dict(START, values=[[2.0], [0.3], [-0.5]])
    batch = {
        "name": "batch size",
        "key": "batch_size",
        "kind": "select",
        "labels": ["1", "8", "32", "full"],
        "values": [1, 8, 32, None],
        "value": 0,
    }
    html = page(
        "Start at \\(w = -0.5\\) with batch size 8, then batch size 16; start at \\(w = 0.25\\).",
        {"controls": [lr_control(), STEPS, start, batch]},
    )
    problems = bc.prompt_problems(html)
    assert len(problems) == 2
    assert "batch size = 16 is not a position" in problems[0]
    assert "start = 0.25 is not a position" in problems[1]


def test_formulas_and_counts_are_not_values():
    html = page(
        "The learning rate 2/L is the limit; momentum 0 for 300 steps; at \\(\\eta = 0.01\\) "
        "plain SGD needs 349 steps.",
        {"controls": [lr_control(), STEPS, MOMENTUM]},
    )
    (ex,) = bc.explorers_with_prose(html)
    assert [(p.control, p.number) for p in bc.prompts_for(ex)] == [
        ("momentum", "0"),
        ("learning rate", "0.01"),
    ]


def test_prose_belongs_to_the_explorer_it_leads_to():
    """The paragraph after explorer A that introduces explorer B is checked against B only,
    unless it looks back at A."""
    a = {"title": "A", "controls": [lr_control([0.1, 0.2, 0.5]), STEPS]}
    b = {"title": "B", "controls": [lr_control([0.01, 0.02, 0.05]), STEPS]}
    html = page(
        "Set the learning rate to 0.5.",
        a,
        "The second one: set the learning rate to 0.05.",
        b,
        "In the explorer above, set the learning rate to 0.02.",
        "## Next section",
        "Set the learning rate to 0.2 here, far from both.",
    )
    assert bc.prompt_problems(html) == []
    html = html.replace("to 0.05", "to 0.5")
    (problem,) = bc.prompt_problems(html)
    assert "explorer 1 (B)" in problem


def test_adjacent_explorers_share_their_prose():
    a = {"title": "round", "controls": [lr_control([0.1, 0.2, 0.5]), STEPS]}
    b = {"title": "long", "controls": [lr_control([0.02, 0.08]), STEPS]}
    html = page("On the round one try 0.5; on the long one set the learning rate to 0.08.", a, b)
    assert bc.prompt_problems(html) == []
    (problem,) = bc.prompt_problems(html.replace("to 0.08", "to 0.07"))
    assert "explorer 0 (round), 1 (long)" in problem


def test_steps_are_integers_in_range():
    html = page(
        "Set steps to 0, then drag the steps slider to 75.", {"controls": [lr_control(), STEPS]}
    )
    (problem,) = bc.prompt_problems(html)
    assert "steps = 75" in problem


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_prompts_are_reachable(built_book, chapter):  # noqa: F811
    page_path = built_book / "book" / f"{chapter}.html"
    assert page_path.is_file(), page_path
    found = bc.prompt_problems(page_path, chapter)
    assert not found, f"{len(found)} unreachable prompts:\n" + "\n".join(found)
