"""Every number the prose states comes from code (issue "true by construction", item 1).

A chapter's Markdown may state a decimal number (``4.7``, ``0.001997``, ``1e-6``,
``3.2 \\times 10^{-5}``, ``10^{-3}``), a percentage (``40%``) or an integer of three or more
digits (``16851``, ``20,000``) only when it is

* produced by a glue role (``{glue:text}`ch05_loss:.2f```), which the scan skips;
* a literal of one of the notebook's code cells, compared by value (``0.19`` in the prose and
  ``0.19`` in a cell; ``1e-3`` and ``0.001``), an input the code itself uses; or
* on the reviewed allow-list book/prose_numbers_allow.yml (chapter, number, reason).

Not scanned: URLs and link targets, labels (``ex-05-1``), citations and cross-references,
directive arguments and options, code blocks in the prose, and inputs written as a definition
(``$\\eta = 0.1$``, ``$\\beta_1 = 0.9$``, ``$w_0 = 4$``). Small integers (2, 10, 30 points) are
structure, not measurements, and are not checked.

The tests on synthetic notebooks show that a planted wrong number is caught and that glued
numbers, code literals and allowed numbers pass. The test over the real chapters checks every
chapter; ``python tests/book_checks.py book/NN_name.ipynb`` lists one chapter's offenders.
"""

from __future__ import annotations

from pathlib import Path

import book_checks as bc
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [p.stem for p in bc.chapter_notebooks()]


def notebook(*cells: tuple[str, str]) -> dict:
    """A notebook of ("markdown" | "code", source) cells, as nbformat writes it."""
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb = nbformat.v4.new_notebook(cells=[make[kind](src) for kind, src in cells])
    return nbformat.from_dict(nb)


def offenders(nb: dict, allow=()) -> list[str]:
    return [o.number for o in bc.scan_notebook(nb, "99_test", allow).offenders]


# -- the scan on planted notebooks -------------------------------------------------------------


def test_planted_wrong_number_is_caught_with_cell_and_sentence():
    nb = notebook(
        ("code", "runs = run(SGD(lr=0.01), f, x0=[4.0], steps=30)\nprint(runs.losses[30])"),
        ("markdown", "# Title\n\nAfter 30 steps the loss has only fallen to about $4.7$. Next."),
    )
    report = bc.scan_notebook(nb, "99_test")
    assert [(o.cell, o.number) for o in report.offenders] == [(1, "4.7")]
    assert report.offenders[0].sentence == (
        "After 30 steps the loss has only fallen to about $4.7$."
    )
    assert "99_test cell 1" in str(report.offenders[0])


def test_glued_number_passes_and_a_wrong_one_beside_it_does_not():
    nb = notebook(
        ("code", 'glue("ch99_loss", 4.761)'),
        ("markdown", "The loss is {glue:text}`ch99_loss:.3f`, not 4.8."),
        ("markdown", "Also {glue}`ch99_loss`, {glue:}`ch99_loss` and {glue:any}`ch99_loss`."),
    )
    assert offenders(nb) == ["4.8"]


def test_code_literals_pass_compared_by_value():
    nb = notebook(
        ("code", "edge = np.array([[0.19], [0.21]])\nlrs = np.geomspace(1e-3, 0.25, 60)"),
        ("code", "runs = run(SGD(lr=1_000.0), f, x0=[-1.2, 1.0], steps=20000, tol=1e-6)"),
        ("markdown", "At $\\eta = 0.19$ and at 0.21, from $10^{-3}$ to $0.25$ (0.001 to 2.5e-1)."),
        ("markdown", "Within 20,000 steps (20\\,000), below `tol` = 1E-6, rate 1000.0."),
    )
    assert offenders(nb) == []


def test_numbers_in_strings_count_but_comments_do_not():
    nb = notebook(
        ("code", 'ax.set_ylabel("steps to gradient norm 1e-6")  # about 4.7 per step'),
        ("markdown", "The axis reads $10^{-6}$; the rate is about 4.7."),
    )
    assert offenders(nb) == ["4.7"]


def test_scientific_notation_percentages_and_long_integers_are_checked():
    nb = notebook(
        ("code", "steps = 300"),
        (
            "markdown",
            "It is 3.2e-5, or $3.2 \\times 10^{-5}$, or $10^{-7}$; "
            "40% fail, $12\\%$ and $8\\,\\%$ too. "
            "It took 16851 steps, 20,000 epochs and $3\\,910$ iterations; "
            "but 300 steps, 2 axes and 10 points are fine.",
        ),
    )
    assert offenders(nb) == [
        "3.2e-5",
        "3.2 \\times 10^{-5}",
        "10^{-7}",
        "40%",
        "12\\%",
        "8\\,\\%",
        "16851",
        "20,000",
        "3\\,910",
    ]


def test_percentage_matches_either_reading():
    nb = notebook(
        ("code", "share = 0.4\ncount = 25"), ("markdown", "About 40% of runs, 25% of them.")
    )
    assert offenders(nb) == []


def test_labels_links_citations_targets_and_directive_options_are_skipped():
    markdown = """(sec-05-2)=
## Section two

See [the chapter 04](04_update_rule.ipynb#sec-1.5), {numref}`fig-05-1.5`, {cite}`smith2018`
and {ref}`ex-05-1`, <https://doi.org/10.1000/182.5> and https://arxiv.org/abs/1711.00489.
<img src="a1.5.png" width="300"> <!-- 9.99 a note -->

````{exercise}
:label: ex-05-1
:class: dropdown

For $f(w) = 5 w^2$, what is the limit?
````

```python
print(0.123)
```
"""
    assert offenders(notebook(("markdown", markdown))) == []


def test_inputs_written_as_definitions_are_not_claims():
    nb = notebook(
        (
            "markdown",
            "With $\\eta = 0.37$, $\\beta_1 = 0.95$, $w_0 = 4.5$ and η = 0.07 the loss is 2.5.",
        )
    )
    assert offenders(nb) == ["2.5"]


def test_numbers_inside_words_subscripts_and_commands_are_not_numbers():
    nb = notebook(("markdown", "ch5, f(w_300), $\\tfrac12$, ex-05-1, fig-05-300, $w_{1}$, x2.5y"))
    assert offenders(nb) == []


def test_math_role_is_scanned():
    assert offenders(notebook(("markdown", "The rate {math}`\\rho = 0.912` per step."))) == [
        "0.912"
    ]


def test_allow_list_entry_admits_its_number_in_its_chapter_only():
    nb = notebook(("markdown", "The loss is $\\log 2 \\approx 0.6931$. Elsewhere 0.6931."))
    entry = bc.Allowed("99_test", "0.6931", "log 2", "\\log 2", bc.parse_number("0.6931"))
    assert offenders(nb, [entry]) == ["0.6931"]  # the second sentence lacks the text
    loose = bc.Allowed("99_test", "0.6931", "log 2", None, bc.parse_number("0.6931"))
    assert offenders(nb, [loose]) == []
    other = bc.Allowed("98_other", "0.6931", "log 2", None, bc.parse_number("0.6931"))
    assert offenders(nb, [other]) == ["0.6931", "0.6931"]


def test_parse_number_reads_every_form():
    assert bc.parse_number("0.001") == (0.001,)
    assert bc.parse_number("1e-3") == (0.001,)
    assert bc.parse_number("10^{-3}") == pytest.approx((0.001,))
    assert bc.parse_number("20,000") == (20000.0,)
    assert bc.parse_number("40%") == (40.0, 0.4)
    with pytest.raises(ValueError, match="not a number"):
        bc.parse_number("ex-05-1")


def test_same_value_is_exact_up_to_rounding_of_the_reading():
    assert bc.same_value((0.001,), (1e-3,))
    assert bc.same_value((3.2 * 10.0**-5,), (3.2e-5,))
    assert not bc.same_value((0.19,), (0.190001,))
    assert not bc.same_value((4.7,), (4.761,))


# -- the allow-list ------------------------------------------------------------------------------


def test_allow_list_is_short_and_every_entry_is_reviewed():
    entries = bc.load_allow_list()
    assert len(entries) <= 40, "the allow-list is for constants and conventions; glue the rest"
    for e in entries:
        assert e.chapter in CHAPTERS, e
        assert e.values, e
        assert len(e.reason.split()) >= 5, f"give a reason: {e}"


def test_allow_list_rejects_entries_without_a_reason(tmp_path):
    bad = tmp_path / "allow.yml"
    bad.write_text('allow:\n  - chapter: 05_learning_rate\n    number: "4.7"\n', encoding="utf8")
    with pytest.raises(ValueError, match="reason"):
        bc.load_allow_list(bad)


# -- the book ----------------------------------------------------------------------------------


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_prose_numbers_come_from_code(chapter):
    allow = bc.load_allow_list()
    nb = bc.load_notebook(ROOT / "book" / f"{chapter}.ipynb")
    report = bc.scan_notebook(nb, chapter, allow)
    stale = [
        f"{a.chapter} {a.number!r}"
        for i, a in enumerate(allow)
        if a.chapter == chapter and i not in report.used_allowances
    ]
    lines = [str(o) for o in report.offenders]
    lines += [f"allow-list entry matches nothing (delete it): {s}" for s in stale]
    assert not lines, f"{len(report.offenders)} prose numbers not from code:\n" + "\n".join(lines)
