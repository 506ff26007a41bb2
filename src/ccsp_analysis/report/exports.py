"""Writing a run's results as tidy CSV: one file per section table, and ``figures.csv`` with every headline figure."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ccsp_analysis.result import merge_figures, published_figures

FIGURES_FILE = "figures.csv"
#: A text cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell made safe for spreadsheets and CSV readers: line breaks inside it become spaces (a bare
    carriage return would split the row), and text a spreadsheet would run as a formula gets a leading
    apostrophe (OWASP's advice for CSV injection); numbers and other values are returned unchanged."""
    if not isinstance(value, str):
        return value
    if "\r" in value or "\n" in value:
        value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell neutralised (:func:`neutralise`); numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise, na_action="ignore")
    return out


def write_tables(results: dict, folder: Path) -> pd.DataFrame:
    """Write every table of every section to ``folder`` (``<section>-<table>.csv``, plus fixed export names)
    and ``figures.csv`` (``id,value``; a withheld figure keeps its id with a blank value). Text cells that a
    spreadsheet would run as a formula are neutralised. A table with no rows is not written: a header alone
    says nothing, and its page says in a sentence why there is nothing (e.g. "No cells were hidden.").
    Returns the figures."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, result in results.items():
        for table, frame in result.tables.items():
            if frame.empty:
                continue
            safe = safe_for_spreadsheets(frame)
            safe.to_csv(folder / f"{name}-{table}.csv", index=False)
            if table in result.exports:
                safe.to_csv(folder / result.exports[table], index=False)
    figures = merge_figures(results)
    safe_for_spreadsheets(published_figures(figures)).to_csv(folder / FIGURES_FILE, index=False)
    return figures


def figure_count(folder: Path) -> int:
    """How many figures ``figures.csv`` in ``folder`` lists."""
    try:
        with open(folder / FIGURES_FILE, newline="", encoding="utf-8") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except OSError:
        return 0
