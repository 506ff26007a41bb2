"""Disclosure control: small counts about people are hidden, with the cells that would give them away.

Two levels use the same rule (:func:`protect`):

* :func:`suppress` hides the cells of one table (rows and columns are its equations);
* a :class:`Register` lists every count about people a section publishes, keyed by *what it
  counts* (:func:`key`: grouping, year, sex, age band, area, ...), with the equations between them
  (:class:`Line`) and everything derived from them (percentages, figures, sentences). The runner
  merges the sections' registers into one for the whole run, so a count hidden in one table is
  hidden in every table, figure and sentence that shows it (:mod:`ccsp_analysis.people` applies it).

The rule: every count with 0 < value < threshold is hidden (primary suppression); then, while an
equation has exactly one hidden cell, another of its cells is hidden (secondary suppression); then
an attacker's bounds are checked -- each hidden cell is minimised and maximised by linear
programming over the published equations with every cell >= 0 -- and while one can be pinned to
fewer than ``threshold`` values another cell of its equations is hidden. The log says which cells
are hidden, never why one in particular is (primary and secondary read the same).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ccsp_analysis.errors import DisclosureError

__all__ = [
    "REASON", "DisclosureError", "Key", "Line", "Register", "Suppression", "attack", "key", "key_text",
    "protect", "suppress", "suppress_percentages",
]

LOG_COLUMNS = ["row", "column", "reason"]
#: The one reason the log gives for every hidden cell (it never says which were below the threshold).
REASON = "hidden to protect small numbers"
logger = logging.getLogger(__name__)

#: What a count counts: sorted (dimension, value) pairs, e.g. (("count", "victims"), ("fy", "2023-24"), ("sex", "F")).
Key = tuple[tuple[str, str], ...]


def key(**dims: object) -> Key:
    """The key of a count: its dimensions (None ones left out) as sorted ``(name, text)`` pairs.

    Two cells with the same key count the same people, wherever they are published.
    """
    return tuple(sorted((name, str(value)) for name, value in dims.items() if value is not None))


def key_text(k: Hashable) -> str:
    """A key as readable text for error messages: ``count=victims, fy=2023-24, sex=F``."""
    if isinstance(k, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in k):
        return ", ".join(f"{a}={b}" for a, b in k)
    return str(k)


@dataclass(frozen=True)
class Line:
    """An equation between counts: the ``parts`` add up to ``total``.

    With a ``total`` key the equation is published (the total is a cell somewhere, or can be
    worked out, e.g. from a percentage), so an attacker can use it. Without one (None) the sum is
    not published; the line still takes part in secondary suppression, which treats every row
    and column of a table as adding up to a total, but not in the attacker's bounds.
    """

    parts: tuple[Hashable, ...]
    total: Hashable | None = None

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return self.parts if self.total is None else (*self.parts, self.total)


def _complement(line: Line, values: Mapping, hidden: set) -> Hashable | None:
    """The visible cell to hide alongside a lone hidden cell: the smallest non-zero part.

    Zeros, and then the total, are used only when nothing else in the line is left to hide.
    """
    visible = [(i, c) for i, c in enumerate(line.cells) if c not in hidden]
    if not visible:
        return None
    return min(visible, key=lambda ic: (ic[1] == line.total, values[ic[1]] == 0, values[ic[1]], ic[0]))[1]


def _line_rule(values: Mapping, lines: Sequence[Line], hidden: set) -> None:
    """Secondary suppression: until no line of two or more cells has exactly one hidden cell."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(c in hidden for c in line.cells) == 1:
                extra = _complement(line, values, hidden)
                if extra is not None:
                    hidden.add(extra)
                    changed = True
                    break


def attack(values: Mapping, lines: Sequence[Line], hidden: set,
           upper: Mapping | None = None) -> dict[Hashable, tuple[float, float]]:
    """What an attacker can work out: the least and greatest value of each hidden cell.

    Each hidden cell of a published equation (a :class:`Line` with a total) is minimised and
    maximised by linear programming subject to every published equation (visible cells at their
    values), every cell >= 0 and, where ``upper`` gives one, the cell <= its bound (what a log
    saying "below the threshold" would add). Hidden cells in no published equation are unbounded.
    Returns ``{cell: (low, high)}`` (``high`` may be ``inf``).
    """
    from scipy.optimize import linprog

    upper = upper or {}
    equations = [ln for ln in lines if ln.total is not None and any(c in hidden for c in ln.cells)]
    # connected groups of hidden cells (cells sharing an equation), each solved on its own
    parent: dict[Hashable, Hashable] = {}

    def find(c):
        while parent.setdefault(c, c) != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for ln in equations:
        cells = [c for c in ln.cells if c in hidden]
        for c in cells[1:]:
            parent[find(c)] = find(cells[0])
        find(cells[0])
    groups: dict[Hashable, list] = {}
    for c in parent:
        groups.setdefault(find(c), []).append(c)
    out: dict[Hashable, tuple[float, float]] = {c: (0.0, math.inf) for c in hidden}
    for cells in groups.values():
        index = {c: i for i, c in enumerate(cells)}
        rows, rhs = [], []
        for ln in equations:
            if not any(c in index for c in ln.cells):
                continue
            row = np.zeros(len(cells))
            constant = 0.0
            for c in ln.parts:
                if c in index:
                    row[index[c]] += 1.0
                else:
                    constant -= float(values[c])
            if ln.total in index:
                row[index[ln.total]] -= 1.0
            else:
                constant += float(values[ln.total])
            rows.append(row)
            rhs.append(constant)
        bounds = [(0.0, upper.get(c)) for c in cells]
        for c, i in index.items():
            objective = np.zeros(len(cells))
            objective[i] = 1.0
            low = linprog(objective, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
            high = linprog(-objective, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs")
            if low.status == 2 or high.status == 2:
                raise DisclosureError(f"the equations around {key_text(c)} do not hold for the counts given")
            out[c] = (float(low.fun) if low.status == 0 else 0.0,
                      -float(high.fun) if high.status == 0 else math.inf)
    return out


def possibilities(low: float, high: float) -> float:
    """How many whole numbers lie in [low, high] (infinite when unbounded)."""
    if math.isinf(high):
        return math.inf
    return math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1


def _widen(values: Mapping, lines: Sequence[Line], hidden: set, weak: Hashable, need: float) -> Hashable | None:
    """A visible cell to hide so that ``weak`` can no longer be pinned down.

    The equations around ``weak`` are tried tightest first (the least hidden in them bounds it most),
    its own before those of the hidden cells it shares one with; in an equation the preferred cell
    is a part (not its total), not zero, large enough to give ``need`` more values, the smallest such.
    """
    equations = [ln for ln in lines if ln.total is not None]
    own = [ln for ln in equations if weak in ln.cells]
    group = {c for ln in own for c in ln.cells if c in hidden}
    near = [ln for ln in equations if ln not in own and any(c in group for c in ln.cells)]

    def slack(ln: Line) -> float:  # what the hidden cells of the equation add up to
        return sum(float(values[c]) for c in ln.parts if c in hidden) + (float(values[ln.total]) if ln.total in hidden else 0)

    for candidates in (own, near):
        for ln in sorted(candidates, key=slack):
            visible = [(i, c) for i, c in enumerate(ln.cells) if c not in hidden]
            if visible:
                def rank(ic, ln=ln):
                    v = float(values[ic[1]])
                    return (ic[1] == ln.total, v == 0, v < need, v if v >= need else -v, ic[0])
                return min(visible, key=rank)[1]
    return None


def protect(values: Mapping[Hashable, float], lines: Sequence[Line], threshold: int,
            hidden: Iterable[Hashable] = ()) -> set:
    """The cells to hide so that no count below ``threshold`` can be read or worked out.

    Parameters
    ----------
    values
        Every cell's count (the keys of a :class:`Register`, or a table's positions).
    lines
        The equations between cells (:class:`Line`), in a fixed order.
    threshold
        Counts with 0 < value < threshold are hidden (true zeros are shown).
    hidden
        Cells already hidden (e.g. by a section's own pass); they stay hidden.

    Returns
    -------
    set
        The hidden cells: the primary ones, then secondary suppression (a line with one hidden
        cell gets its smallest visible non-zero part hidden too, rows first, in order), then, while
        :func:`attack` pins a hidden cell to fewer than ``threshold`` values, another cell of its
        published equations is hidden (and secondary suppression runs again).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise DisclosureError(f"threshold must be a whole number >= 1, got {threshold!r}")
    missing = {c for ln in lines for c in ln.cells if c not in values}
    if missing:
        raise DisclosureError(f"lines name cells without a count: {sorted(map(key_text, missing))[:3]}")
    found = set(hidden) | {c for c, v in values.items() if 0 < v < threshold}
    lines = [ln for ln in lines if len(ln.cells) > 1]
    while True:
        _line_rule(values, lines, found)
        bounds = attack(values, lines, found)
        weak = [(c, possibilities(*bounds[c])) for ln in lines for c in ln.cells
                if c in found and possibilities(*bounds[c]) < threshold]
        if not weak:
            return found
        cell, n = weak[0]
        extra = _widen(values, lines, found, cell, threshold - n)
        if extra is None:
            logger.warning("disclosure: %s can still be narrowed to %s values; nothing left to hide around it",
                           key_text(cell), n)
            return found
        found.add(extra)


@dataclass
class Cell:
    """A count about people: its key and value, and where a section shows it.

    ``table`` None: the count is published only in a figure or sentence (or can be worked out).
    ``row`` is the row's position in the stored table, ``label`` its label for the log.
    """

    key: Key
    value: int
    table: str | None = None
    row: int | None = None
    column: str | None = None
    label: str | None = None


@dataclass
class Derived:
    """Cells of a stored table computed from counts (percentages, changes, tests): hidden with any of ``keys``."""

    table: str
    row: int
    columns: tuple[str, ...]
    keys: tuple[Key, ...]


@dataclass
class Phrase:
    """A sentence made of text and fragments ``(text, keys, text when any key is hidden)``.

    ``texts`` are the renderings it has had (first the one written), so it can be found and
    replaced wherever it was copied (the section's sentences, a table's ``sentence`` column).
    """

    parts: tuple
    texts: list[str] = field(default_factory=list)

    def render(self, hidden: set) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                text, keys, instead = part
                out.append(instead if any(k in hidden for k in keys) else text)
        return "".join(out)


@dataclass
class Register:
    """Every count about people one section publishes, the equations between them and what derives from them.

    ``hidden`` is what disclosure control has hidden so far (only ever grows). The runner merges
    the registers of every section (``people.protect_run``) and then empties them: a stored
    result never carries the counts.
    """

    section: str = ""
    threshold: int | None = None
    cells: list[Cell] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)
    figures: list[tuple[str, tuple[Key, ...]]] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    hidden: set = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (self.cells or self.figures or self.phrases)

    def values(self) -> dict[Key, int]:
        """Each key's count; a key registered twice with two counts is an error (two things under one name)."""
        out: dict[Key, int] = {}
        for cell in self.cells:
            if out.setdefault(cell.key, cell.value) != cell.value:
                raise DisclosureError(f"{self.section}: {key_text(cell.key)} is registered as both "
                                      f"{out[cell.key]} and {cell.value}")
        return out

    def count(self, k: Key, value: int, table: str | None = None, row: int | None = None,
              column: str | None = None, label: str | None = None) -> Key:
        """Register a count (shown in ``table`` at ``row``/``column``, or only in figures and sentences)."""
        if value is None or (isinstance(value, float) and not value.is_integer()) or value < 0:
            raise DisclosureError(f"{key_text(k)}: a count about people must be a whole number >= 0, got {value!r}")
        self.cells.append(Cell(k, int(value), table, row, column, label))
        return k

    def line(self, parts: Sequence[Key], total: Key | None = None) -> None:
        """Register an equation ``sum(parts) == total`` (None: a sum that is not published)."""
        values = self.values()
        unknown = [k for k in [*parts, *([total] if total is not None else [])] if k not in values]
        if unknown:
            raise DisclosureError(f"{self.section}: the line names unregistered counts: {key_text(unknown[0])}")
        if total is not None and sum(values[p] for p in parts) != values[total]:
            raise DisclosureError(f"{self.section}: {key_text(total)} ({values[total]}) is not the sum of its parts "
                                  f"({sum(values[p] for p in parts)})")
        ln = Line(tuple(parts), total)
        if len(ln.cells) > 1 and ln not in self.lines:
            self.lines.append(ln)

    def derive(self, table: str, row: int, columns: Sequence[str], keys: Sequence[Key]) -> None:
        """Cells ``columns`` of ``row`` in ``table`` are computed from ``keys``: hidden with any of them."""
        self.derived.append(Derived(table, row, tuple(columns), tuple(keys)))

    def figure(self, fid: str, keys: Sequence[Key]) -> None:
        """Figure ``fid`` would reveal ``keys``: withheld when any is hidden."""
        self.figures.append((fid, tuple(keys)))

    def phrase(self, *parts) -> str:
        """Register a sentence (text and ``(text, keys, instead)`` fragments); return it as things stand."""
        p = Phrase(tuple(parts))
        p.texts.append(p.render(self.hidden))
        self.phrases.append(p)
        return p.texts[-1]

    def settle(self, threshold: int) -> set:
        """Hide what this register's counts need hidden (never un-hiding anything); return the hidden keys."""
        self.threshold = threshold
        self.hidden = protect(self.values(), self.lines, threshold, self.hidden)
        return self.hidden


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
        One row per hidden cell: ``row``, ``column``, ``reason`` (never the hidden value, nor
        whether the cell was below the threshold or hidden to protect one that was).
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


def grid_lines(rows: Sequence, columns: Sequence, cell, total_row: object = None,
               total_col: object = None) -> list[Line]:
    """The equations of a table: each row, then each column, adding up to its total.

    ``cell(row, column)`` names a cell. A row's total is its cell in ``total_col`` and a column's
    its cell in ``total_row``; without them the line's total is not published (:class:`Line`).
    """
    out = []
    for r in rows:
        parts = tuple(cell(r, c) for c in columns if c != total_col)
        out.append(Line(parts, cell(r, total_col) if total_col is not None else None))
    for c in columns:
        parts = tuple(cell(r, c) for r in rows if r != total_row)
        out.append(Line(parts, cell(total_row, c) if total_row is not None else None))
    return out


def suppress(
    table: pd.DataFrame,
    threshold: int = 5,
    people: bool = True,
    total_row: object = None,
    total_col: object = None,
) -> Suppression:
    """Hide small counts about people in one table, with the cells that would let them be worked out.

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
    bottom, then columns, left to right. Then the rows and columns with an explicit total
    are attacked (:func:`attack`): while a hidden cell can be pinned to fewer than
    ``threshold`` values, another cell of its row or column is hidden (:func:`protect`).
    Tables published together should go through one :class:`Register` instead, so a cell
    is hidden in all of them.
    """
    if not people:
        return Suppression(
            table.copy(),
            pd.DataFrame(False, index=table.index, columns=table.columns),
            pd.DataFrame(columns=LOG_COLUMNS),
        )
    values = _counts(table, threshold, total_row, total_col)
    n_rows, n_cols = values.shape
    cells = {(i, j): values[i, j] for i in range(n_rows) for j in range(n_cols)}
    ti = table.index.get_loc(total_row) if total_row is not None else None
    tj = table.columns.get_loc(total_col) if total_col is not None else None
    lines = grid_lines(range(n_rows), range(n_cols), lambda i, j: (i, j), ti, tj)
    found = protect(cells, lines, threshold)
    hidden = np.zeros(values.shape, dtype=bool)
    for i, j in found:
        hidden[i, j] = True
    mask = pd.DataFrame(hidden, index=table.index, columns=table.columns)
    integral = bool(np.all(values == np.round(values)))
    shown = table.astype("Int64" if integral else "Float64").mask(mask)
    logger.debug("suppressed %d of %d cells", int(hidden.sum()), hidden.size)
    rows = [(table.index[i], table.columns[j], REASON) for i, j in zip(*np.nonzero(hidden), strict=True)]
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
