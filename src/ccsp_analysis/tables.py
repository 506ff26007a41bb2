"""Display of tidy tables and sentences in notebooks: one deterministic, accessible HTML table style."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd

from ccsp_analysis import narrative

#: How each kind of column is shown.
KINDS = ("text", "count", "pct", "rate", "p", "direction")


def _cell(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if kind == "count":
        return narrative.fmt_count(value)
    if kind == "pct":
        return narrative.fmt_pct(value)
    if kind == "rate":
        return narrative.fmt_rate(value)
    if kind == "p":
        return "<0.001" if value < 0.001 else narrative.fmt_number(value, 3)
    if kind == "direction":
        return {"UP": "▲ up", "DOWN": "▼ down", "STABLE": "► stable"}.get(str(value), str(value))
    return str(value)


@dataclass(frozen=True)
class Table:
    """An HTML table with a caption, shown by Jupyter and nbconvert through ``_repr_html_``."""

    frame: pd.DataFrame
    caption: str
    columns: dict[str, tuple[str, str]]  # column -> (heading, kind)
    note: str = ""

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col" class="k-{k}">{html.escape(h)}</th>' for h, k in self.columns.values())
        body = []
        for _, row in self.frame.iterrows():
            cells = []
            for i, (col, (_h, kind)) in enumerate(self.columns.items()):
                text = html.escape(_cell(row[col], kind))
                align = ' style="text-align:right"' if kind in ("count", "pct", "rate", "p") else ""
                cells.append(f'<th scope="row">{text}</th>' if i == 0 else f"<td{align}>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        note = f'<p class="ccsp-note">{html.escape(self.note)}</p>' if self.note else ""
        return (f'<table class="ccsp-table"><caption>{html.escape(self.caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}")


def show(frame: pd.DataFrame, caption: str, columns: dict[str, tuple[str, str]], note: str = "") -> Table:
    """A displayable table of ``frame``'s ``columns`` ({column: (heading, kind)}), kinds from :data:`KINDS`."""
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise KeyError(f"columns {unknown} not in the table (has {list(frame.columns)})")
    bad = [k for _h, k in columns.values() if k not in KINDS]
    if bad:
        raise ValueError(f"unknown column kind(s) {bad}; use one of {KINDS}")
    return Table(frame.reset_index(drop=True), caption, columns, note)


@dataclass(frozen=True)
class Bullets:
    """Sentences shown as a bulleted list."""

    items: tuple[str, ...]

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in self.items) + "</ul>"

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {s}" for s in self.items)


def bullets(sentences: list[str]) -> Bullets:
    """Display sentences as a list."""
    return Bullets(tuple(sentences))


CHANGE_COLUMNS = {"label": ("Measure", "text"), "current": ("This year", "count"), "previous": ("Last year", "count"),
                  "abs_change": ("Change", "count"), "pct_change": ("Change %", "pct"), "p_value": ("p", "p"),
                  "direction": ("Direction of travel", "direction")}
