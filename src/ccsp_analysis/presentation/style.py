"""Chart plumbing shared by every report chart: palette, style, the Chart type, helpers."""

from __future__ import annotations

import base64
import functools
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ccsp_analysis.errors import ChartError
from ccsp_analysis.formatting import auto_decimals, fmt_number, point_name

# Okabe & Ito (2008) colours that reach 3:1 contrast on white (WCAG 2.1, non-text contrast).
# Their orange, sky blue and yellow do not, so they are not used for lines or bars.
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "black": "#000000",
}
DPI = 100
FIGSIZE = (8.0, 4.5)
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
    "legend.frameon": False,
    "axes.axisbelow": True,
}
P = ParamSpec("P")


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure and its alt text; displays in Jupyter as an ``<img>`` carrying the alt text."""

    figure: Figure
    alt: str

    def png(self) -> bytes:
        """The figure as PNG bytes (fixed dpi, no software/date metadata: byte-identical)."""
        buffer = io.BytesIO()
        with mpl.rc_context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return (
            f'<img alt="{html.escape(self.alt, quote=True)}" src="data:image/png;base64,{data}"/>'
        )


def styled(function: Callable[P, Chart]) -> Callable[P, Chart]:
    """Build the chart with the house style active (rcParams are read as artists are made)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with mpl.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


def new_axes(title: str, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """A new pyplot-free Figure with one titled Axes (nothing is registered globally)."""
    figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title)
    return figure, axes


def x_positions(index: pd.Index) -> np.ndarray:
    """Plot positions: datetimes for date-like indexes, else the labels themselves."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp().to_numpy()
    return index.to_numpy()


def need_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    """Raise :class:`ChartError` naming any columns the chart needs but the frame lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ChartError(f"{what} needs column(s) {missing}; the frame has {list(frame.columns)}")


def period_text(index: pd.Index) -> str:
    """'from April 2013 to March 2024' (dates named as in the exception sentences)."""
    return f"from {point_name(index, 0)} to {point_name(index, len(index) - 1)}"


def hbars(
    frame: pd.DataFrame, label_col: str, value_col: str, title: str, what: str
) -> tuple[Figure, Axes, pd.DataFrame]:
    """Horizontal bars, largest at the top, with values written at the bar ends."""
    need_columns(frame, [label_col, value_col], what)
    ordered = frame.sort_values(value_col, ascending=True, kind="stable")
    figure, axes = new_axes(title, (8.0, max(3.0, 0.3 * len(ordered) + 1.2)))
    labels = ordered[label_col].astype(str).to_numpy()
    axes.barh(labels, ordered[value_col], color=PALETTE["blue"])
    axes.bar_label(
        axes.containers[0],
        labels=[fmt_number(v, auto_decimals([v])) for v in ordered[value_col]],
        padding=3,
        fontsize=8,
    )
    axes.grid(False)
    axes.grid(True, axis="x")
    return figure, axes, ordered.iloc[::-1]


def listing(ordered: pd.DataFrame, label_col: str, value_col: str, limit: int = 10) -> str:
    """'A 12, B 7.5 and 3 more' for alt text, in the frame's order."""
    items = [
        f"{row[label_col]} {fmt_number(row[value_col], auto_decimals([row[value_col]]))}"
        for _, row in ordered.head(limit).iterrows()
    ]
    more = f" and {len(ordered) - limit} more" if len(ordered) > limit else ""
    return ", ".join(items) + more
