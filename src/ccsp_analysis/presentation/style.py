"""Chart plumbing shared by every report chart: palette, seaborn theme, the Chart type, helpers."""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
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
#: The seaborn style under the project's settings: white background, dark axis lines, ticks.
SEABORN_STYLE = "ticks"
#: The one theme every chart is drawn and saved with: seaborn's style, then the project's STYLE
#: on top (fonts, sizes, left titles, no top/right spines, light y grid, the palette as the colour
#: cycle). A plain dict of rcParams, applied only inside :func:`theme`, so that importing or using
#: the library never changes a notebook's or a test's global matplotlib settings.
#: (``seaborn.set_theme`` is not used: it writes the global rcParams and matplotlib's colour codes.)
#: Seaborn's plotting context is not applied: font sizes stay those of STYLE.
THEME = {**sns.axes_style(SEABORN_STYLE), **STYLE}
P = ParamSpec("P")


def theme() -> contextlib.AbstractContextManager[None]:
    """``with theme():`` applies :data:`THEME`; the previous rcParams come back when the block ends."""
    return mpl.rc_context(THEME)


@dataclass(frozen=True, eq=False)
class Chart:
    """A figure and its alt text; displays in Jupyter as an ``<img>`` carrying the alt text."""

    figure: Figure
    alt: str

    def png(self) -> bytes:
        """The figure as PNG bytes (fixed dpi, no software/date metadata: byte-identical)."""
        buffer = io.BytesIO()
        with theme():
            self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return (
            f'<img alt="{html.escape(self.alt, quote=True)}" src="data:image/png;base64,{data}"/>'
        )


@dataclass(frozen=True)
class NoChart:
    """What a chart function returns when there is nothing to draw (e.g. a period with no data):
    a sentence in place of the figure, so a page says what is missing instead of failing."""

    title: str
    reason: str

    @property
    def alt(self) -> str:
        return f"{self.title or 'Chart'}: {self.reason}"

    def _repr_html_(self) -> str:
        return f'<p class="ccsp-nochart"><strong>{html.escape(self.title or "Chart")}</strong>: {html.escape(self.reason)}</p>'


def nothing_to_draw(frame: pd.DataFrame, value_cols: list[str]) -> bool:
    """True when ``frame`` has no row with a value in every one of ``value_cols``."""
    present = [c for c in value_cols if c in frame.columns]
    return frame.empty or (len(present) == len(value_cols) and frame[present].dropna().empty)


NO_DATA = "there is nothing to chart for this period (no data)."


def styled(function: Callable[P, Chart]) -> Callable[P, Chart]:
    """Build the chart with the theme active (rcParams are read as artists are made)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with theme():
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


def listing(ordered: pd.DataFrame, label_col: str, value_col: str, limit: int = 10) -> str:
    """'A 12, B 7.5 and 3 more' for alt text, in the frame's order."""
    shown = ordered.head(limit)
    items = [  # column by column: iterrows would turn whole-number labels into floats ("2.0")
        f"{label} {fmt_number(value, auto_decimals([value]))}"
        for label, value in zip(shown[label_col], shown[value_col], strict=True)
    ]
    more = f" and {len(ordered) - limit} more" if len(ordered) > limit else ""
    return ", ".join(items) + more
