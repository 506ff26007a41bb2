"""Writing a run's results as tidy CSV: one file per section table, and ``figures.csv`` with every headline figure."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ccsp_analysis.result import merge_figures, published_figures

FIGURES_FILE = "figures.csv"


def write_tables(results: dict, folder: Path) -> pd.DataFrame:
    """Write every table of every section to ``folder`` (``<section>-<table>.csv``, plus fixed export names)
    and ``figures.csv`` (``id,value``; a withheld figure keeps its id with a blank value). Returns the figures."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, result in results.items():
        for table, frame in result.tables.items():
            frame.to_csv(folder / f"{name}-{table}.csv", index=False)
            if table in result.exports:
                frame.to_csv(folder / result.exports[table], index=False)
    figures = merge_figures(results)
    published_figures(figures).to_csv(folder / FIGURES_FILE, index=False)
    return figures


def figure_count(folder: Path) -> int:
    """How many figures ``figures.csv`` in ``folder`` lists."""
    try:
        with open(folder / FIGURES_FILE, newline="", encoding="utf-8") as fh:
            return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except OSError:
        return 0
