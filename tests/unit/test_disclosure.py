"""Tests for ccsp_analysis.disclosure: expected hidden cells worked out by hand for each table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccsp_analysis.disclosure import DisclosureError, suppress, suppress_percentages
from ccsp_analysis.errors import CcspError


def cascade_table() -> pd.DataFrame:
    """Hiding the 3 forces a second cell, which forces a third, which forces a fourth.

    Worked by hand (threshold 5; rows examined before columns, smallest visible cell taken):
      primary   r1/A = 3
      row r1 has one hidden cell -> hide its smallest other cell, r1/B = 10
      column A still has one hidden cell (r1/A) -> hide r2/A = 20 (20 < 30)
      row r2 now has one hidden cell (r2/A) -> hide r2/B = 8 (8 < 40)
      now rows r1, r2 and columns A, B each hold two hidden cells; r3 and C none: stop.
    """
    return pd.DataFrame(
        {"A": [3, 20, 30], "B": [10, 8, 60], "C": [50, 40, 9]}, index=["r1", "r2", "r3"]
    )


HIDDEN = [[True, True, False], [True, True, False], [False, False, False]]
LOG = [
    ("r1", "A", "primary: below threshold 5"),
    ("r1", "B", "secondary: protects r1/A"),
    ("r2", "A", "secondary: protects r1/A"),
    ("r2", "B", "secondary: protects r2/A"),
]


def no_line_has_one_hidden_cell(mask: pd.DataFrame) -> bool:
    return not ((mask.sum(axis=0) == 1).any() or (mask.sum(axis=1) == 1).any())


def test_primary_suppression_hides_one_to_threshold_minus_one_and_shows_zeros():
    table = pd.DataFrame({"a": [0, 1, 4, 5], "b": [0, 2, 3, 6]}, index=list("wxyz"))
    result = suppress(table)
    # 1, 2, 3, 4 hidden; 0 (a true zero) and 5, 6 shown; every line already has 0 or 2 hidden
    assert result.mask.to_numpy().tolist() == [
        [False, False],
        [True, True],
        [True, True],
        [False, False],
    ]
    assert list(result.log["reason"]) == ["primary: below threshold 5"] * 4
    assert result.table.loc["w", "a"] == 0 and result.table.loc["z", "b"] == 6


def test_secondary_suppression_cascades():
    result = suppress(cascade_table())
    assert result.mask.to_numpy().tolist() == HIDDEN
    assert list(result.log.itertuples(index=False, name=None)) == LOG
    assert no_line_has_one_hidden_cell(result.mask)


def test_log_never_holds_the_hidden_values():
    result = suppress(cascade_table())
    assert list(result.log.columns) == ["row", "column", "reason"]


def test_hidden_cells_are_pandas_na_in_a_nullable_table():
    result = suppress(cascade_table())
    assert result.table.isna().equals(result.mask)
    assert str(result.table["A"].dtype) == "Int64"
    assert result.table.loc["r3", "C"] == 9  # 9 >= 5 shown
    floats = suppress(cascade_table() + 0.5)
    assert str(floats.table["A"].dtype) == "Float64"


def test_explicit_totals_are_protected_too():
    table = cascade_table()
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum()
    result = suppress(table, total_row="Total", total_col="Total")
    # the same four body cells; the totals stay visible (each total line has 2 hidden cells)
    assert result.mask.loc[["r1", "r2", "r3"], ["A", "B", "C"]].to_numpy().tolist() == HIDDEN
    assert not result.mask["Total"].any() and not result.mask.loc["Total"].any()
    assert list(result.log.itertuples(index=False, name=None)) == LOG


def test_a_small_total_is_itself_hidden_and_protected():
    # Worked by hand: primaries x/b = 4, y/a = 1, y/b = 2 and the total y/Total = 3.
    # Row x has one hidden cell (x/b) -> hide x/a = 5 (a body cell before the total).
    # Column Total has one hidden cell (y/Total) -> the only cell left is x/Total: hide it.
    table = pd.DataFrame({"a": [5, 1], "b": [4, 2], "Total": [9, 3]}, index=["x", "y"])
    result = suppress(table, total_col="Total")
    assert result.mask.to_numpy().all()
    assert list(result.log.itertuples(index=False, name=None))[-2:] == [
        ("x", "a", "secondary: protects x/b"),
        ("x", "Total", "secondary: protects y/Total"),
    ]


def test_zeros_are_the_last_complements_chosen():
    # one row: the 3 is primary; the complement is the 7, not the smaller 0
    result = suppress(pd.DataFrame({"a": [3], "b": [0], "c": [7]}))
    assert result.mask.to_numpy().tolist() == [[True, False, True]]
    # only a zero left to pair with: it is used
    result = suppress(pd.DataFrame({"a": [3], "b": [0]}))
    assert result.mask.to_numpy().tolist() == [[True, True]]


def test_single_cell_lines_carry_no_equation():
    # a one-column table: each row's only cell is its own total, nothing to protect by rows
    result = suppress(pd.DataFrame({"n": [2, 10, 12]}))
    assert result.mask["n"].tolist() == [True, True, False]  # the column still needs two


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_never_leave_a_lone_hidden_cell(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        rng.poisson(rng.uniform(2, 15), size=(rng.integers(2, 7), rng.integers(2, 7)))
    )
    result = suppress(table)
    assert no_line_has_one_hidden_cell(result.mask)
    primary = (table > 0) & (table < 5)
    assert not (primary & ~result.mask).to_numpy().any()


def test_threshold_is_configurable():
    # threshold 10: x/a = 9 is primary. Row x -> hide x/b = 10; column a -> hide y/a = 10;
    # row y then has one hidden (y/a) -> hide y/b = 30: a 2 x 2 table with one small cell
    # can only be published with every cell hidden.
    table = pd.DataFrame({"a": [9, 10], "b": [10, 30]}, index=["x", "y"])
    assert suppress(table, threshold=10).mask.to_numpy().all()
    assert not suppress(table, threshold=9).mask.to_numpy().any()


def test_tables_not_about_people_pass_through():
    table = cascade_table()
    result = suppress(table, people=False)
    assert result.table.equals(table) and not result.mask.to_numpy().any()
    assert result.log.empty and list(result.log.columns) == ["row", "column", "reason"]


def test_percentages_from_hidden_cells_are_hidden():
    table = cascade_table()
    table["Total"] = table.sum(axis=1)
    result = suppress(table, total_col="Total")
    pct = table.div(table["Total"], axis=0) * 100
    shown = suppress_percentages(pct, result.mask)
    assert shown.isna().equals(result.mask)
    assert shown.loc["r3", "A"] == pytest.approx(30 / 99 * 100)


def test_percentages_hidden_whole_when_their_denominator_is_hidden():
    # a mask (as from another table's suppression) hiding x/a and the row total x/T: the
    # visible x/b and its percentage would give x/T back, so all of row x's percentages go
    mask = pd.DataFrame(
        {"a": [True, False], "b": [False, False], "T": [True, False]}, index=["x", "y"]
    )
    pct = pd.DataFrame({"a": [40.0, 25.0], "b": [60.0, 75.0]}, index=["x", "y"])
    by_row = suppress_percentages(pct, mask, by="row", total="T")
    assert by_row.isna().to_numpy().tolist() == [[True, True], [False, False]]
    assert suppress_percentages(pct, mask).isna().to_numpy().tolist() == [
        [True, False],
        [False, False],
    ]
    col_mask = pd.DataFrame({"a": [False, True], "b": [False, False]}, index=["x", "Total"])
    col_pct = pd.DataFrame({"a": [50.0], "b": [50.0]}, index=["x"])
    by_col = suppress_percentages(col_pct, col_mask, by="column", total="Total")
    assert by_col.isna().to_numpy().tolist() == [[True, False]]


def test_percentage_table_must_share_labels():
    result = suppress(cascade_table())
    with pytest.raises(DisclosureError, match="lacks"):
        suppress_percentages(pd.DataFrame({"Z": [1.0]}, index=["r1"]), result.mask)
    with pytest.raises(DisclosureError, match="both"):
        suppress_percentages(cascade_table() * 1.0, result.mask, by="row")


@pytest.mark.parametrize(
    ("table", "kwargs", "match"),
    [
        (pd.DataFrame({"a": [1.0, np.nan]}), {}, "blanks"),
        (pd.DataFrame({"a": [1, -1]}), {}, "non-negative"),
        (pd.DataFrame({"a": ["x", "y"]}), {}, "counts"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), {}, "unique"),
        (pd.DataFrame({"a": [1]}), {"total_row": "Total"}, "total_row"),
        (pd.DataFrame({"a": [1]}), {"total_col": "Total"}, "total_col"),
        (pd.DataFrame({"a": [1]}), {"threshold": 0}, "threshold"),
        ([[1, 2]], {}, "DataFrame"),
    ],
)
def test_bad_tables_raise_a_project_error(table, kwargs, match):
    with pytest.raises(DisclosureError, match=match) as info:
        suppress(table, **kwargs)
    assert isinstance(info.value, CcspError)
