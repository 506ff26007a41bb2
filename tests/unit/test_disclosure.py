"""Tests for ccsp_analysis.disclosure: expected hidden cells worked out by hand for each table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccsp_analysis.disclosure import (
    REASON,
    DisclosureError,
    Line,
    Register,
    key,
    protect,
    suppress,
    suppress_percentages,
)
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
#: One reason for every hidden cell, in table order: the log never says which cell was below the threshold
#: (an attacker told that r1/A < 5 would narrow it down), nor the order they were hidden in.
LOG = [("r1", "A", REASON), ("r1", "B", REASON), ("r2", "A", REASON), ("r2", "B", REASON)]


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
    assert list(result.log["reason"]) == [REASON] * 4
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
    assert list(result.log.itertuples(index=False, name=None)) == [
        (r, c, REASON) for r in ("x", "y") for c in ("a", "b", "Total")]


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


# --- an attacker's bounds ------------------------------------------------------------------------

def ranges_by_lp(table: pd.DataFrame, mask: pd.DataFrame, total_row, total_col) -> dict:
    """Independent attack (not the module's): least and greatest value of each hidden cell from the rows
    and columns adding up to their printed totals, every cell >= 0."""
    from scipy.optimize import linprog

    cells = [(r, c) for r in table.index for c in table.columns if mask.loc[r, c]]
    index = {x: i for i, x in enumerate(cells)}
    a, b = [], []
    lines = [[(r, c) for c in table.columns] for r in table.index if total_col is not None]
    lines += [[(r, c) for r in table.index] for c in table.columns if total_row is not None]
    for line in lines:
        total = line[-1] if total_col is not None and line[-1][1] == total_col else None
        total = total or next((x for x in line if x[0] == total_row), None)
        row, rhs = np.zeros(len(cells)), 0.0
        for x in line:
            sign = -1.0 if x == total else 1.0
            if x in index:
                row[index[x]] += sign
            else:
                rhs -= sign * table.loc[x]
        if row.any():
            a.append(row)
            b.append(rhs)
    out = {}
    for x, i in index.items():
        c = np.zeros(len(cells))
        c[i] = 1
        low = linprog(c, A_eq=np.array(a), b_eq=np.array(b), bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=np.array(a), b_eq=np.array(b), bounds=(0, None), method="highs")
        out[x] = (low.fun, -high.fun if high.status == 0 else np.inf)
    return out


def with_totals(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum()
    return table


def test_a_cell_the_standard_rule_leaves_narrow_is_widened():
    # Worked by hand (threshold 5). r1/A = 1 and r1/B = 1 are primary; the row rule is then satisfied, and the
    # columns take their smallest visible cells: r2/A = 30 and r2/B = 25 (then every line has 0 or 2 hidden).
    # With the totals printed, row r1's hidden cells add up to 52 - 50 = 2, so r1/A is 0, 1 or 2: three values,
    # fewer than 5. The tightest equation around it is row r1 (2, against column A's 31): its smallest visible
    # part, r1/C = 50, is hidden; column C then has one hidden cell, so r2/C = 60 (less than 70) goes too.
    # Now r1/A can be anything from 0 to 31.
    table = with_totals(pd.DataFrame({"A": [1, 30, 40], "B": [1, 25, 35], "C": [50, 60, 70]}, index=["r1", "r2", "r3"]))
    result = suppress(table, total_row="Total", total_col="Total")
    assert result.mask.loc[["r1", "r2", "r3"], ["A", "B", "C"]].to_numpy().tolist() == [
        [True, True, True], [True, True, True], [False, False, False]]
    assert not result.mask["Total"].any() and not result.mask.loc["Total"].any()
    ranges = ranges_by_lp(table, result.mask, "Total", "Total")
    assert ranges[("r1", "A")] == pytest.approx((0.0, 31.0))
    assert all(np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1 >= 5 for lo, hi in ranges.values())


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_with_totals_cannot_be_narrowed(seed):
    """However the cells fall, no hidden cell of a table with printed totals can be pinned to fewer than 5 values."""
    rng = np.random.default_rng(100 + seed)
    body = pd.DataFrame(rng.poisson(rng.uniform(1, 12), size=(rng.integers(2, 6), rng.integers(2, 5))))
    body.index = [f"r{i}" for i in range(len(body))]
    body.columns = [f"c{j}" for j in range(body.shape[1])]
    table = with_totals(body)
    result = suppress(table, total_row="Total", total_col="Total")
    primary = (table > 0) & (table < 5)
    assert not (primary & ~result.mask).to_numpy().any()
    assert no_line_has_one_hidden_cell(result.mask)
    for lo, hi in ranges_by_lp(table, result.mask, "Total", "Total").values():
        assert np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1 >= 5


# --- keys and registers: one count, wherever it is published --------------------------------------

def test_keys_name_what_is_counted_whatever_the_order():
    assert key(sex="F", count="victims", fy="2023-24") == key(fy="2023-24", count="victims", sex="F")
    assert key(count="victims", age=None) == key(count="victims")  # a Total row drops the dimension
    assert key(count="victims", fy="2023-24") != key(count="crimes", fy="2023-24")


def test_a_count_shared_by_two_tables_is_hidden_in_both():
    # Two tables share the count "council referrals 2023-24" (value 3, below 5). Table one: council 3 + police 40
    # = 43; table two: council 3 + other 20 = 23 (each a published equation). Hiding the 3 hides it in both
    # tables at once, and each equation then needs a second hidden cell: police 40 and other 20.
    council, police, other = key(count="nrm", by="council"), key(count="nrm", by="police"), key(count="nrm", by="other")
    one, two = key(count="nrm", table="one"), key(count="nrm", table="two")
    values = {council: 3, police: 40, other: 20, one: 43, two: 23}
    hidden = protect(values, [Line((council, police), one), Line((council, other), two)], 5)
    assert hidden == {council, police, other}


def test_a_register_refuses_one_key_with_two_counts_and_lines_that_do_not_add_up():
    reg = Register(section="s")
    k = key(count="victims", fy="2023-24")
    reg.count(k, 4, "a", 0, "n", "x")
    reg.count(k, 4, "b", 0, "n", "x")  # the same count in a second table: fine
    reg.count(k, 5, "c", 0, "n", "x")
    with pytest.raises(DisclosureError, match="registered as both"):
        reg.values()
    reg = Register(section="s")
    parts = [reg.count(key(n=i), v) for i, v in enumerate((2, 3))]
    reg.count(key(n="total"), 6)
    with pytest.raises(DisclosureError, match="not the sum"):
        reg.line(parts, key(n="total"))


def test_a_register_only_ever_hides_more():
    reg = Register(section="s")
    a, b, t = reg.count(key(n="a"), 10), reg.count(key(n="b"), 20), reg.count(key(n="t"), 30)
    reg.line([a, b], t)
    assert reg.settle(5) == set()
    reg.hidden.add(a)  # hidden elsewhere in the run
    assert reg.settle(5) == {a, b}
