"""Readers for ONS population tables by local authority: mid-year estimates (MYEB1 style) and Census 2011 totals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ccsp_analysis.errors import DataError

_YEAR_COL = re.compile(r"^population_(\d{4})$")
_CENSUS_COL = "Variable: All usual residents; measures: Value"


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError(
            "file not found", path=path, fix="check the path in the parameter file"
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(
            f"not a readable CSV ({exc})", path=path, fix="save the file as UTF-8 CSV"
        ) from None


def _ints(frame: pd.DataFrame, col: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[col], errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise DataError(
            f"'{frame[col].iloc[i]}' is not a whole number of people",
            path=path,
            line=i + 2,
            column=col,
            fix="population values must be non-negative whole numbers",
        )
    return values.astype("int64")


def read_mid_year_estimates(path: str | Path, lad_code: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Mid-year population estimates by single year of age and sex, in ONS MYEB1 layout.

    Columns ``ladcode, laname, sex (1 male, 2 female), age (0-90, 90 = 90+), population_YYYY...``.
    ``lad_code``: keep one local authority, or several (a sequence of codes; each must be in the file).
    Returns a tidy frame ``lad_code, year, sex ("M"/"F"), age, population``.
    """
    path = Path(path)
    frame = _read_csv(path)
    need = ["ladcode", "sex", "age"]
    missing = [c for c in need if c not in frame.columns]
    years = [c for c in frame.columns if _YEAR_COL.match(c)]
    if missing or not years:
        raise DataError(
            f"missing column(s) {missing or ['population_YYYY']}; found {list(frame.columns)}",
            path=path,
            fix="use the ONS MYEB1 layout: ladcode, laname, sex, age, population_2011, population_2012, ...",
        )
    if lad_code is not None:
        wanted = [lad_code] if isinstance(lad_code, str) else list(lad_code)
        absent = [c for c in wanted if not (frame["ladcode"] == c).any()]
        if absent:
            raise DataError(
                f"no rows for local authority {', '.join(absent)}",
                path=path,
                column="ladcode",
                fix="check area.la_codes, or use estimates that cover every district of the area",
            )
        frame = frame[frame["ladcode"].isin(wanted)]
    sex = frame["sex"].map({"1": "M", "2": "F"})
    if sex.isna().any():
        i = int(sex.isna().to_numpy().argmax())
        raise DataError(
            f"sex '{frame['sex'].iloc[i]}' is not 1 or 2",
            path=path,
            line=int(frame.index[i]) + 2,
            column="sex",
            fix="ONS codes sex as 1 (male) and 2 (female)",
        )
    base = pd.DataFrame(
        {"lad_code": frame["ladcode"], "sex": sex, "age": _ints(frame, "age", path)}
    )
    parts = []
    for col in years:
        part = base.copy()
        part["year"] = int(_YEAR_COL.match(col).group(1))
        part["population"] = _ints(frame, col, path)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[["lad_code", "year", "sex", "age", "population"]]


def read_census_2011_total(path: str | Path, lad_code: str) -> int:
    """Census 2011 usual residents of one local authority from a Nomis bulk table (KS101EW style)."""
    path = Path(path)
    frame = _read_csv(path)
    for col in ("geography code", _CENSUS_COL):
        if col not in frame.columns:
            raise DataError(
                f"missing column '{col}'",
                path=path,
                fix=f"use the Nomis bulk layout with '{_CENSUS_COL}'",
            )
    rows = frame[frame["geography code"] == lad_code]
    if len(rows) != 1:
        raise DataError(
            f"expected one row for {lad_code}, found {len(rows)}",
            path=path,
            column="geography code",
            fix="the file must hold each local authority's total once (check area.la_codes)",
        )
    return int(_ints(rows, _CENSUS_COL, path).iloc[0])
