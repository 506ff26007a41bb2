"""Offence harm weights the user supplies, in the layout of the ONS Crime Severity Score weights (one row per offence code)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from ccsp_analysis.errors import DataError

#: Header names accepted for each column (compared without case, spaces or underscores).
CODE_NAMES = ("offencecode", "offencecodes", "hocode", "homeofficeoffencecode", "code")
WEIGHT_NAMES = ("weight", "severityweight", "cssweight", "crimeseverityscoreweight")
OFFENCE_NAMES = ("offence", "offencedescription", "description", "offencename")
FORMAT = ("a CSV with a header row and columns 'offence_code' (the Home Office offence code, e.g. 8N) and "
          "'weight' (a number of at least 0, e.g. the ONS Crime Severity Score weight); 'offence' (its "
          "description) is optional; see docs/data.md")


def _norm(name: str) -> str:
    return "".join(ch for ch in name.strip().lower() if ch.isalnum())


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for i, h in enumerate(header):
        if _norm(h) in names:
            return i
    return None


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def read_harm_weights(path: str | Path) -> pd.DataFrame:
    """Read and validate a harm weights file: one row per offence code with its weight.

    Parameters
    ----------
    path
        A CSV in the layout of the ONS *Crime Severity Score* weights: columns ``offence_code``
        (also "Offence code"), ``weight`` (also "Weight") and optionally ``offence``; other
        columns are ignored.

    Returns
    -------
    pandas.DataFrame
        Columns ``offence_code`` (text), ``offence`` (text, may be empty) and ``weight`` (float).

    Raises
    ------
    DataError
        Naming the file, line and column: a missing file, a missing column, an empty code, a
        weight that is not a number of at least 0, a code given twice, or no rows at all.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("harm weights file not found", path=path,
                        fix="give the path of your weights file in priorities.harm_weights, or remove the key") from None
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc})", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", path=path, fix="save the file as UTF-8 CSV") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(c.strip() for c in rows[0]):
        raise DataError("the file is empty: no header row", path=path, line=1, fix=f"write {FORMAT}")
    header = rows[0]
    code_i, weight_i, offence_i = _find(header, CODE_NAMES), _find(header, WEIGHT_NAMES), _find(header, OFFENCE_NAMES)
    for index, name in ((code_i, "offence_code"), (weight_i, "weight")):
        if index is None:
            raise DataError(f"no '{name}' column (the header has {', '.join(repr(h) for h in header)})",
                            path=path, line=1, column=name, fix=f"write {FORMAT}")
    code_col, weight_col = header[code_i], header[weight_i]
    out, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue  # a blank line
        code, weight_text = _cell(row, code_i), _cell(row, weight_i)
        if not code:
            raise DataError("the offence code is empty", path=path, line=line, column=code_col,
                            fix="give every row a Home Office offence code (e.g. 8N), or delete the row")
        try:
            weight = float(weight_text.replace(",", ""))
        except ValueError:
            raise DataError(f"weight {weight_text!r} of offence {code} is not a number", path=path, line=line,
                            column=weight_col, fix="write a number of at least 0, e.g. 15.4") from None
        if not math.isfinite(weight) or weight < 0:
            raise DataError(f"weight {weight_text!r} of offence {code} is not a number of at least 0", path=path,
                            line=line, column=weight_col, fix="write a number of at least 0, e.g. 15.4")
        if code in seen:
            raise DataError(f"offence code {code} is given twice (also on line {seen[code]})", path=path, line=line,
                            column=code_col, fix="keep one row per offence code")
        seen[code] = line
        out.append({"offence_code": code, "offence": _cell(row, offence_i), "weight": weight})
    if not out:
        raise DataError("the file has a header but no rows", path=path, line=2, fix=f"write {FORMAT}")
    return pd.DataFrame(out, columns=["offence_code", "offence", "weight"])
