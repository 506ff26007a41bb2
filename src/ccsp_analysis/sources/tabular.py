"""Vectorised validation of parsed CSVs against a :class:`~ccsp_analysis.schemas.Schema`, and ``read_table``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import Column, Schema
from ccsp_analysis.sources.csvfile import CsvText, check_columns, check_exact_header

__all__ = [
    "CsvText",
    "RowCheck",
    "RowErrors",
    "RowProblem",
    "area_mask",
    "check_columns",
    "check_exact_header",
    "check_keys",
    "duplicated_rows",
    "first_true",
    "raise_first_problem",
    "read_table",
    "to_frame",
    "validate_columns",
]

log = logging.getLogger(__name__)

_KIND_WORD = {"int": "a whole number", "float": "a number", "date": "a date", "month": "a month"}
_KIND_FIX = {
    "int": "expected a whole number, e.g. 12",
    "float": "expected a number, e.g. 1.5",
    "date": "expected YYYY-MM-DD, e.g. 2023-04-01",
    "month": "expected YYYY-MM, e.g. 2023-04",
    "flag": "expected 0 or 1",
}
_INT_RE = r"^-?\d+$"
_FLOAT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NULL_STR = pa.scalar(None, pa.string())
#: The first and last days a date column can hold (pandas datetime64[ns] spans 1677-09-21 to 2262-04-11).
_FIRST = pa.scalar(datetime(1678, 1, 1), pa.timestamp("s"))
_LAST = pa.scalar(datetime(2261, 12, 31), pa.timestamp("s"))


class RowErrors(Protocol):
    """Anything that turns a failing row number into a DataError naming the file and line."""

    def error(
        self, message: str, *, row: int, column: str | None = None, fix: str | None = None
    ) -> DataError: ...


@dataclass(frozen=True)
class RowProblem:
    """Rows breaking a rule: a mask (True = bad), the column, a message for one row, and the fix."""

    mask: pd.Series | np.ndarray
    column: str
    message: Callable[[pd.Series], str]
    fix: str


#: A cross-column rule: takes the validated frame, yields the problems it finds.
RowCheck = Callable[[pd.DataFrame], Iterable[RowProblem]]


def _mask(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.fill_null(values, False)


def first_true(mask: pa.ChunkedArray | pa.Array) -> int:
    """Index of the first True in a boolean mask (nulls ignored), or -1.

    ``pc.any`` is a fast bitmap test while ``pc.index`` scans value by value, so the index is
    only looked for when there is one: checks on valid data cost almost nothing.
    """
    return pc.index(mask, True).as_py() if pc.any(mask).as_py() else -1


def _convert(arr, present, kind: str):
    """Typed values of ``arr`` and the mask of present values that are not valid ``kind``."""
    if kind == "str":
        return arr, None
    if kind == "flag":
        return pc.equal(arr, "1"), pc.and_(
            present, _mask(pc.invert(pc.is_in(arr, pa.array(["0", "1"]))))
        )
    if kind in ("int", "float"):
        target, pattern = (pa.int64(), _INT_RE) if kind == "int" else (pa.float64(), _FLOAT_RE)
        try:
            values = pc.cast(arr, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            ok = _mask(pc.match_substring_regex(arr, pattern))
            values = pc.cast(pc.if_else(ok, arr, _NULL_STR), target)
        bad = pc.is_null(values) if kind == "int" else pc.invert(_mask(pc.is_finite(values)))
        return values, pc.and_(present, bad)
    if kind in ("date", "month"):
        # Parse each distinct value once; a round trip rejects 2023-4-1 and 2023-02-30, and
        # dates pandas cannot hold (datetime64[ns]: years 1678-2261) are refused, not overflowed.
        # One hash pass: the distinct values and each row's index into them.
        encoded = pc.dictionary_encode(
            arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        )
        uniq, index = encoded.dictionary, encoded.indices
        full = uniq if kind == "date" else pc.binary_join_element_wise(uniq, "-01", "")
        parsed = pc.strptime(full, format="%Y-%m-%d", unit="s", error_is_null=True)
        same = _mask(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), full))
        inside = _mask(pc.and_(pc.greater_equal(parsed, _FIRST), pc.less_equal(parsed, _LAST)))
        ok = pc.and_(same, inside)
        parsed = pc.if_else(ok, parsed, pa.scalar(None, parsed.type))
        values = pc.take(pc.cast(parsed, pa.timestamp("ns")), index)
        return values, pc.and_(present, _mask(pc.take(pc.invert(ok), index)))
    raise ValueError(f"unknown column kind {kind!r}")


def _calendar_date(value: str, kind: str) -> bool:
    """Whether ``value`` is a real YYYY-MM-DD date (YYYY-MM month), whatever its year."""
    text = value if kind == "date" else value + "-01"
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _key(arr) -> pa.ChunkedArray | pa.Array:
    """Values as compared for uniqueness: surrounding spaces trimmed, case ignored."""
    return pc.utf8_lower(pc.utf8_trim_whitespace(arr))


def _first_line(text: RowErrors, keys: Sequence, row: int) -> str:
    """' (first on line N)': the line of the first row whose ``keys`` equal row ``row``'s."""
    line_of = getattr(text, "line", None)
    if line_of is None:
        return ""
    frame = pd.DataFrame({str(i): k.to_pylist() for i, k in enumerate(keys)}).fillna("")
    first = int(np.flatnonzero(frame.eq(frame.iloc[row]).all(axis=1).to_numpy())[0])
    line = line_of(first)
    return f" (first on line {line})" if line is not None else ""


def _column_checks(arr, col: Column, text: RowErrors) -> tuple[pa.ChunkedArray, list[tuple]]:
    """Converted values of one column and its (mask, message(value), fix) checks.

    ``text`` maps rows to file lines, so that a repeated unique value names its first line too.
    """
    blank = pc.is_null(arr)
    space = _mask(pc.utf8_is_space(arr))
    if pc.any(space).as_py():
        blank = pc.or_(blank, space)
        arr = pc.if_else(blank, _NULL_STR, arr)
    present = pc.invert(blank)
    values, bad_kind = _convert(arr, present, col.kind)
    either = "" if col.required else " (or leave it blank)"
    checks: list[tuple] = []

    def add(
        when: bool, mask: Callable[[], object], message: Callable[[object], str], fix: str
    ) -> None:
        if when:
            checks.append((mask(), message, fix))

    word = _KIND_WORD.get(col.kind, "0 or 1")
    add(
        col.required,
        lambda: blank,
        lambda v: "is blank",
        f"fill in a value; '{col.name}' is required",
    )

    def not_kind(v: object) -> str:
        if col.kind in ("date", "month") and _calendar_date(str(v), col.kind):
            return f"{v!r} is outside the years 1678 to 2261"
        return f"{v!r} is not {word}"

    add(
        bad_kind is not None,
        lambda: bad_kind,
        not_kind,
        _KIND_FIX.get(col.kind, ""),
    )
    add(
        col.allowed is not None,
        lambda: pc.and_(
            present, _mask(pc.invert(pc.is_in(arr, pa.array(col.allowed, pa.string()))))
        ),
        lambda v: f"{v!r} is not an allowed value",
        f"use one of: {', '.join(col.allowed or ())}{either}",
    )
    add(
        col.pattern is not None,
        lambda: pc.and_(present, _mask(pc.invert(pc.match_substring_regex(arr, col.pattern)))),
        lambda v: f"{v!r} has the wrong form",
        f"expected a value matching {col.pattern}",
    )
    add(
        col.min is not None,
        lambda: _mask(pc.less(values, col.min)),
        lambda v: f"{v} is below the minimum {col.min:g}",
        f"expected a value of at least {col.min or 0:g}",
    )
    add(
        col.max is not None,
        lambda: _mask(pc.greater(values, col.max)),
        lambda v: f"{v} is above the maximum {col.max:g}",
        f"expected a value of at most {col.max or 0:g}",
    )
    key = _key(arr) if col.unique else None
    dup = duplicated_rows(key) if col.unique else None

    def repeated(v: object) -> str:
        first = pc.index(key, pc.utf8_lower(pc.utf8_trim_whitespace(pa.scalar(v)))).as_py()
        line = getattr(text, "line", lambda row: None)(first)
        return f"{v!r} appears more than once" + (f" (first on line {line})" if line else "")

    add(
        dup is not None,
        lambda: pa.array(dup & ~blank.to_numpy()),
        repeated,
        f"'{col.name}' must be unique; remove or renumber the repeated row",
    )
    return values, checks


def duplicated_rows(*arrays: pa.ChunkedArray) -> np.ndarray | None:
    """Mask of rows repeating an earlier row's values of ``arrays``; None when every row is distinct."""
    table = pa.table({str(i): a for i, a in enumerate(arrays)})
    if table.group_by(table.column_names).aggregate([]).num_rows == table.num_rows:
        return None
    return table.to_pandas().duplicated().to_numpy()


def validate_columns(text: RowErrors, table: pa.Table, columns: Sequence[Column]) -> pa.Table:
    """Check every value of ``columns`` in ``table`` and return the table with them converted.

    Parameters
    ----------
    text
        The file the table was parsed from (a :class:`CsvText`), or any :class:`RowErrors`
        that maps the table's rows to file lines.
    table
        Parsed with :meth:`CsvText.parse` (all strings).
    columns
        The columns to check; other columns are left as strings.

    Returns
    -------
    pyarrow.Table
        str columns unchanged (blanks null), int as int64, float as float64, flag as bool,
        date and month as timestamp[ns] (a month becomes its first day).

    Raises
    ------
    DataError
        For the first failing row (lowest line), naming the line, the column, the value and a fix.
    """
    first: tuple | None = None
    for col in columns:
        raw = table.column(col.name)
        values, checks = _column_checks(raw, col, text)
        for mask, message, fix in checks:
            row = first_true(mask)
            if row >= 0 and (first is None or row < first[0]):
                first = (row, col.name, message(raw[row].as_py()), fix)
        table = table.set_column(table.schema.get_field_index(col.name), col.name, values)
    if first is not None:
        row, name, message, fix = first
        raise text.error(message, row=row, column=name, fix=fix)
    return table


def to_frame(table: pa.Table) -> pd.DataFrame:
    """Convert a validated table to pandas: str, Int64, float64, bool (boolean if blanks), datetime64."""
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for name in table.column_names:
        if pa.types.is_boolean(table.schema.field(name).type) and frame[name].dtype == object:
            frame[name] = frame[name].astype("boolean")
    return frame


def raise_first_problem(text: CsvText, frame: pd.DataFrame, problems: Iterable[RowProblem]) -> None:
    """Raise DataError for the earliest row flagged by any problem (ties: the first problem)."""
    first: tuple[int, RowProblem] | None = None
    for problem in problems:
        hits = np.flatnonzero(np.asarray(problem.mask, dtype=bool))
        if hits.size and (first is None or hits[0] < first[0]):
            first = (int(hits[0]), problem)
    if first is not None:
        row, problem = first
        message = problem.message(frame.iloc[row])
        raise text.error(message, row=row, column=problem.column, fix=problem.fix)


def area_mask(
    codes: pa.ChunkedArray,
    names: pa.ChunkedArray,
    lsoa_codes: Iterable[str] | pa.Array | None = None,
    name_prefix: str | None = None,
) -> pa.ChunkedArray | None:
    """Rows whose code is in ``lsoa_codes`` OR whose name starts with ``name_prefix``; None if no filter.

    ``lsoa_codes`` may be a ``pyarrow`` string array already (callers filtering many files build
    it once).
    """
    mask = None
    if lsoa_codes is not None:
        wanted = (
            lsoa_codes
            if isinstance(lsoa_codes, pa.Array)
            else pa.array(sorted(set(lsoa_codes)), pa.string())
        )
        mask = _mask(pc.is_in(codes, value_set=wanted))
    if name_prefix is not None:
        by_name = _mask(pc.starts_with(names, name_prefix))
        mask = by_name if mask is None else pc.or_(mask, by_name)
    return mask


def check_keys(text: RowErrors, table: pa.Table, keys: Sequence[Sequence[str]]) -> None:
    """Raise DataError when two rows share a natural key (e.g. period and measure).

    Values are compared with surrounding spaces trimmed and case ignored; the error names the
    line of the repeat and of the first row with that key.
    """
    for key in keys:
        arrays = [_key(table.column(c)) for c in key]
        dup = duplicated_rows(*arrays)
        if dup is None:
            continue
        row = int(np.flatnonzero(dup)[0])
        values = " and ".join(f"{c} {table.column(c)[row].as_py()!r}" for c in key)
        raise text.error(
            f"{values} appear more than once{_first_line(text, arrays, row)}",
            row=row,
            column=", ".join(key),
            fix=f"keep one row per {' and '.join(key)}: a repeated row would be counted twice "
            "(remove it, or add the two rows together)",
        )


def read_table(
    path: str | Path,
    schema: Schema,
    *,
    row_checks: Sequence[RowCheck] = (),
    keys: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """Read a CSV and validate it against ``schema``.

    Parameters
    ----------
    path
        The CSV file (``.gz`` allowed), UTF-8, comma-separated, header on line 1.
    schema
        The format: exactly these columns (any order), every value checked per its Column.
    row_checks
        Extra cross-column rules run on the validated frame.
    keys
        Natural keys (tuples of column names) no two rows may share (see :func:`check_keys`).

    Returns
    -------
    pandas.DataFrame
        The schema's columns in schema order: str as pandas string, int as Int64, float as
        float64, flag as bool, date and month as datetime64[ns].

    Raises
    ------
    DataError
        Naming the file, and for row problems the line, column, bad value and a fix.
    """
    text = CsvText.from_path(path)
    table = text.parse()
    check_columns(text, table.column_names, schema)
    table = validate_columns(text, table, schema.columns).select(list(schema.names))
    frame = to_frame(table)
    raise_first_problem(text, frame, (p for check in row_checks for p in check(frame)))
    check_keys(text, table, keys)
    log.debug("read %s: %d rows of %s", path, len(frame), schema.name)
    return frame
