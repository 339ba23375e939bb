"""gdcore.book: glue, interior_best (fair tuning grids) and basin (where a run ends)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdcore
from gdcore.book import GLUE_PREFIX, basin, glue, interior_best

# -- interior_best ---------------------------------------------------------------------------


def test_interior_best_returns_the_best_inner_value_and_its_index():
    assert interior_best([0.01, 0.1, 1.0], [3.0, 1.0, 2.0]) == (0.1, 1)
    grid = np.geomspace(1e-4, 1.0, 13)
    scores = (np.log10(grid) + 2.0) ** 2  # lowest at 1e-2, index 6
    value, i = interior_best(grid, scores, name="SGD's learning rates")
    assert (value, i) == (float(grid[6]), 6)


@pytest.mark.parametrize("edge", [0, -1])
def test_planted_edge_optimum_is_refused_and_named(edge):
    grid = np.geomspace(1e-3, 1.0, 7)
    scores = np.linspace(1.0, 7.0, 7)[::-1] if edge == -1 else np.linspace(1.0, 7.0, 7)
    which = "first" if edge == 0 else "last"
    with pytest.raises(ValueError, match=f"Adam's learning rates.*{which} value"):
        interior_best(grid, scores, name="Adam's learning rates")


def test_the_issue_case_best_at_the_top_of_the_grid_is_refused():
    """ch15: Adam's and Adagrad's best rate was 1.0, the top of the grid."""
    grid = np.geomspace(1e-4, 1.0, 13)
    scores = np.linspace(5.0, 0.1, 13)
    with pytest.raises(ValueError, match="extend"):
        interior_best(grid, scores, name="Adagrad's learning rates")


def test_nan_and_inf_scores_count_as_worst():
    grid = [0.001, 0.01, 0.1, 1.0, 10.0]
    # the diverged runs at the top would win if NaN compared as small
    assert interior_best(grid, [5.0, 2.0, 3.0, np.nan, np.inf]) == (0.01, 1)
    # a NaN at the bottom edge does not move the optimum there
    assert interior_best(grid, [np.nan, 2.0, 1.0, 3.0, np.nan]) == (0.1, 2)


def test_every_score_nan_is_refused():
    with pytest.raises(ValueError, match="nothing converged"):
        interior_best([0.1, 0.2, 0.3], [np.nan, np.inf, np.nan])


def test_descending_grid_is_accepted_and_its_edges_are_its_edges():
    grid = [1.0, 0.1, 0.01, 0.001]
    assert interior_best(grid, [4.0, 1.0, 2.0, 3.0]) == (0.1, 1)
    with pytest.raises(ValueError, match="first value"):
        interior_best(grid, [0.5, 1.0, 2.0, 3.0], name="momentum")
    with pytest.raises(ValueError, match="last value"):
        interior_best(grid, [4.0, 3.0, 2.0, 1.0], name="momentum")


@pytest.mark.parametrize(
    ("grid", "scores", "match"),
    [
        ([0.1, 0.2], [1.0, 2.0], "at least 3"),
        ([0.1, 0.2, 0.3], [1.0, 2.0], "one entry per"),
        ([0.1, 0.3, 0.2], [2.0, 1.0, 3.0], "strictly monotonic"),
        ([0.1, 0.1, 0.2], [2.0, 1.0, 3.0], "strictly monotonic"),
    ],
)
def test_interior_best_rejects_bad_grids(grid, scores, match):
    with pytest.raises(ValueError, match=match):
        interior_best(grid, scores)


@given(
    n=st.integers(3, 20),
    best=st.integers(0, 19),
    seed=st.integers(0, 2**32 - 1),
)
def test_interior_best_finds_the_planted_minimum_or_refuses_an_edge(n, best, seed):
    best = best % n
    rng = np.random.default_rng(seed)
    grid = np.sort(rng.uniform(-5.0, 5.0, n))
    if np.any(np.diff(grid) <= 0):
        return
    scores = rng.uniform(1.0, 2.0, n)
    scores[best] = 0.0
    if best in (0, n - 1):
        with pytest.raises(ValueError, match="extend"):
            interior_best(grid, scores)
    else:
        assert interior_best(grid, scores) == (float(grid[best]), best)


# -- basin ----------------------------------------------------------------------------------


def test_basin_names_each_minimum_of_the_double_well():
    f = gdcore.functions.double_well()
    assert [basin(f, m) for m in f.minima] == [0, 1]
    assert basin(f, [-3.0]) == 0 and basin(f, [3.0]) == 1


def test_basin_of_a_run_follows_where_it_ends():
    """Small steps from either side of the hill top end in the well on that side."""
    f = gdcore.functions.double_well()
    hill = float(f.local_maxima[0][0])
    x0 = np.array([[hill - 0.3], [hill + 0.3]])
    runs = gdcore.run(gdcore.SGD(lr=0.01), f, x0=x0, steps=3000)
    left = 0 if f.minima[0][0] < hill else 1
    assert basin(f, runs.x).tolist() == [left, 1 - left]


def test_basin_of_a_diverged_run_is_minus_one():
    f = gdcore.functions.parabola()
    run = gdcore.run(gdcore.SGD(lr=1.5), f, x0=[4.0], steps=200)
    assert run.status == "diverged"
    assert basin(f, [np.inf]) == -1 and basin(f, [np.nan]) == -1


def test_basin_within_a_radius():
    f = gdcore.functions.himmelblau()
    pts = np.array([f.minima[2] + 0.05, [50.0, 50.0]])
    assert basin(f, pts).tolist() == [2, basin(f, [50.0, 50.0])]
    assert basin(f, pts, within=0.1).tolist() == [2, -1]


def test_basin_batch_shape_is_kept():
    f = gdcore.functions.himmelblau()
    pts = np.stack([np.stack(f.minima)] * 3)  # (3, 4, 2)
    out = basin(f, pts)
    assert out.shape == (3, 4)
    assert out.tolist() == [[0, 1, 2, 3]] * 3


@pytest.mark.parametrize(
    ("x", "kwargs", "match"),
    [
        ([1.0, 2.0, 3.0], {}, r"shape \(\.\.\., 2\)"),
        (1.0, {}, r"shape \(\.\.\., 2\)"),
        ([1.0, 2.0], {"within": 0.0}, "within must be a positive"),
        ([1.0, 2.0], {"within": np.nan}, "within must be a positive"),
    ],
)
def test_basin_rejects_bad_input(x, kwargs, match):
    with pytest.raises(ValueError, match=match):
        basin(gdcore.functions.himmelblau(), x, **kwargs)


def test_basin_needs_known_minima():
    f = gdcore.Objective(lambda x: x[..., 0], lambda x: np.ones_like(x), dim=1)
    with pytest.raises(ValueError, match="no known minima"):
        basin(f, [0.0])


# -- glue -------------------------------------------------------------------------------------


def test_glue_returns_the_value_as_a_python_number():
    value = glue("ch99_test_value", np.float64(4.761))
    assert value == 4.761 and type(value) is float
    assert type(glue("ch99_test_int", np.int64(7))) is int
    assert type(glue("ch99_test_0d", np.array(2.5))) is float


def test_glue_rejects_a_bad_name():
    with pytest.raises(TypeError, match="name"):
        glue("", 1.0)
    with pytest.raises(TypeError, match="name"):
        glue(3, 1.0)  # type: ignore[arg-type]


def test_glue_prefix_is_myst_nb_s():
    assert GLUE_PREFIX == "application/papermill.record/"
