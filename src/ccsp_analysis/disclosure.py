"""Disclosure control for published tables: primary and secondary suppression of small counts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ccsp_analysis.errors import DisclosureError

__all__ = ["DisclosureError", "Suppression", "suppress", "suppress_percentages"]

LOG_COLUMNS = ["row", "column", "reason"]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suppression:
    """Result of :func:`suppress`.

    Attributes
    ----------
    table
        The table with hidden cells as ``pd.NA`` (nullable Int64/Float64 columns).
    mask
        Boolean frame shaped like ``table``: True where a cell is hidden.
    log
        One row per hidden cell: ``row``, ``column``, ``reason`` (never the hidden value).
    """

    table: pd.DataFrame
    mask: pd.DataFrame
    log: pd.DataFrame


def _counts(
    table: pd.DataFrame, threshold: int, total_row: object, total_col: object
) -> np.ndarray:
    """Validate the table and options; return its values as a float array."""
    if not isinstance(table, pd.DataFrame):
        raise DisclosureError(f"suppress needs a pandas DataFrame, got {type(table).__name__}")
    if not table.index.is_unique or not table.columns.is_unique:
        raise DisclosureError("row and column labels must be unique so that the log names one cell")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise DisclosureError(f"threshold must be a whole number >= 1, got {threshold!r}")
    if total_row is not None and total_row not in table.index:
        raise DisclosureError(f"total_row {total_row!r} is not a row of the table")
    if total_col is not None and total_col not in table.columns:
        raise DisclosureError(f"total_col {total_col!r} is not a column of the table")
    try:
        values = table.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DisclosureError(f"table must hold counts only ({exc})") from exc
    if not np.isfinite(values).all() or (values < 0).any():
        raise DisclosureError("table must hold non-negative counts with no blanks")
    return values


def _complement(values: np.ndarray, hidden: np.ndarray, is_total: np.ndarray, line) -> tuple | None:
    """The visible cell to hide alongside a lone hidden cell: the smallest non-zero, non-total one.

    Zeros and totals are used only when nothing else in the line is left to hide.
    """
    cells = [cell for cell in line if not hidden[cell]]
    if not cells:
        return None
    return min(cells, key=lambda cell: (is_total[cell], values[cell] == 0, values[cell], cell))


def suppress(
    table: pd.DataFrame,
    threshold: int = 5,
    people: bool = True,
    total_row: object = None,
    total_col: object = None,
) -> Suppression:
    """Hide small counts about people, with secondary suppression so none can be recovered.

    Parameters
    ----------
    table
        Counts (rows x columns), optionally including a total row and/or total column.
    threshold
        Primary suppression hides every cell with 0 < value < threshold. True zeros are
        shown: a zero is usually not disclosive, and hiding it would hide absence too.
    people
        False for tables not about people: returned unchanged with an empty log.
    total_row, total_col
        Labels of an explicit total row/column, if the table has them.

    Returns
    -------
    Suppression
        The suppressed table, the boolean mask and the log.

    Notes
    -----
    Every row and every column is treated as an equation with a total (explicit, or the
    marginal sum readers can work out), so a row or column with exactly one hidden cell
    would give that cell away. Secondary suppression therefore hides, in such a line,
    its smallest visible non-zero cell that is not a total (a zero, then a total, only
    if nothing else is left), then looks again, cascading until no row or column of two
    or more cells has exactly one hidden cell. Lines are examined rows first, top to
    bottom, then columns, left to right. This is the standard rule, not a guarantee
    against every linear combination of rows and columns.
    """
    if not people:
        return Suppression(
            table.copy(),
            pd.DataFrame(False, index=table.index, columns=table.columns),
            pd.DataFrame(columns=LOG_COLUMNS),
        )
    values = _counts(table, threshold, total_row, total_col)
    n_rows, n_cols = values.shape
    is_total = np.zeros(values.shape, dtype=bool)
    if total_row is not None:
        is_total[table.index.get_loc(total_row), :] = True
    if total_col is not None:
        is_total[:, table.columns.get_loc(total_col)] = True
    hidden = (values > 0) & (values < threshold)
    log = [
        (i, j, f"primary: below threshold {threshold}")
        for i, j in zip(*np.nonzero(hidden), strict=True)
    ]
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    lines = [line for line in lines if len(line) > 1]
    changed = True
    while changed:
        changed = False
        for line in lines:
            lone = [cell for cell in line if hidden[cell]]
            if len(lone) != 1:
                continue
            extra = _complement(values, hidden, is_total, line)
            protected = f"{table.index[lone[0][0]]}/{table.columns[lone[0][1]]}"
            hidden[extra] = True
            log.append((*extra, f"secondary: protects {protected}"))
            changed = True
            break
    mask = pd.DataFrame(hidden, index=table.index, columns=table.columns)
    integral = bool(np.all(values == np.round(values)))
    shown = table.astype("Int64" if integral else "Float64").mask(mask)
    logger.debug("suppressed %d of %d cells", int(hidden.sum()), hidden.size)
    rows = [(table.index[i], table.columns[j], reason) for i, j, reason in log]
    return Suppression(shown, mask, pd.DataFrame(rows, columns=LOG_COLUMNS))


def suppress_percentages(
    pct_table: pd.DataFrame,
    mask: pd.DataFrame,
    by: Literal["row", "column"] | None = None,
    total: object = None,
) -> pd.DataFrame:
    """Hide the percentages derived from hidden counts.

    Parameters
    ----------
    pct_table
        Percentages laid out like (part of) the count table, same row and column labels.
    mask
        ``Suppression.mask`` from :func:`suppress` on the count table.
    by, total
        For row (``by="row"``) or column percentages, the label of the total column/row
        used as denominator: where that total is hidden, the whole row/column of
        percentages is hidden (a visible count and its percentage would reveal it).

    Returns
    -------
    pandas.DataFrame
        ``pct_table`` as nullable floats with the corresponding cells ``pd.NA``.
    """
    extra_rows = pct_table.index.difference(mask.index)
    extra_cols = pct_table.columns.difference(mask.columns)
    if len(extra_rows) or len(extra_cols):
        raise DisclosureError(
            f"percentage table has rows {list(extra_rows)} / columns {list(extra_cols)} that the "
            "count table lacks; lay it out with the same labels"
        )
    if (by is None) != (total is None) or by not in (None, "row", "column"):
        raise DisclosureError(
            "give both by ('row' or 'column') and total (the denominator's label)"
        )
    hidden = mask.reindex(index=pct_table.index, columns=pct_table.columns).to_numpy(
        dtype=bool, copy=True
    )
    if by == "row":
        hidden |= mask[total].reindex(pct_table.index).to_numpy(dtype=bool)[:, None]
    elif by == "column":
        hidden |= mask.loc[total].reindex(pct_table.columns).to_numpy(dtype=bool)[None, :]
    return pct_table.astype("Float64").mask(hidden)
