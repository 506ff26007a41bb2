"""Display of tidy tables and sentences in notebooks: one deterministic, accessible HTML table style."""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ccsp_analysis import formatting, monitoring
from ccsp_analysis.disclosure import Suppression

#: How each kind of column is shown.
KINDS = ("text", "count", "pct", "rate", "rate3", "p", "direction", "number", "score")
#: Kinds shown right-aligned, so that digits line up.
NUMERIC_KINDS = ("count", "pct", "rate", "rate3", "p", "number", "score")
#: What a direction of travel means for a measure of each polarity (``monitoring.Measure.polarity``):
#: a fall in crime (higher_worse) is improving, a rise in referrals to support (higher_better) is too. One
#: rule with the index's exceptions: :func:`ccsp_analysis.monitoring.reading`.
MEANING = {(d, p): monitoring.reading(d, p) for d in ("UP", "DOWN") for p in monitoring.POLARITIES}
#: The polarity of a table's rows when it has no ``polarity`` column: its measures are crime, ASB or the like.
DEFAULT_POLARITY = monitoring.DEFAULT_POLARITY
#: Text columns with values longer than this many characters are given room to wrap.
WIDE_TEXT = 40
#: Shown in a cell hidden by disclosure control (Office for Statistics Regulation convention).
SUPPRESSED = "[c]"
#: Shown in a cell with no value: not applicable or not available.
MISSING = "–"
LEGEND = {
    SUPPRESSED: "suppressed to protect individuals (a small count, or a cell that would let one be worked out)",
    MISSING: "not applicable or not available",
}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _cell(value, kind: str) -> str:
    if _missing(value):
        return MISSING
    if kind == "count":
        return formatting.fmt_count(value)
    if kind == "pct":
        return formatting.fmt_pct(value)
    if kind == "rate":
        return formatting.fmt_rate(value)
    if kind == "rate3":  # a rate as iQuanta publishes it
        return formatting.fmt_rate(value, 3)
    if kind == "p":
        return "<0.001" if value < 0.001 else formatting.fmt_number(value, 3)
    if kind == "score":  # a scaled criterion or score, 0 to 1
        return formatting.fmt_number(value, 2)
    if kind == "number":  # mixed column: numbers keep the decimals they were written with, text as is
        if isinstance(value, str | bool):
            return str(value)
        if isinstance(value, numbers.Integral):
            return formatting.fmt_count(value)
        return formatting.fmt_number(value, formatting.decimals_written(value))
    if kind == "direction":
        return {"UP": "▲ up", "DOWN": "▼ down", "STABLE": "► stable",
                "NOT COMPARED": "not compared (months missing)"}.get(str(value), str(value))
    return str(value)


@dataclass(frozen=True)
class Table:
    """An HTML table with a caption, shown by Jupyter and nbconvert through ``_repr_html_``.

    Numbers are right-aligned with thousands separators. Suppressed cells show ``[c]``: those
    marked in ``suppressed`` (a boolean frame aligned with ``frame`` by position) and ``pd.NA``
    in a numeric column (what :func:`ccsp_analysis.disclosure.suppress` leaves). Other missing
    values (None, NaN) are "not applicable" and show ``–``. A legend under the table explains
    whichever of the two markers appear.
    """

    frame: pd.DataFrame
    caption: str
    columns: dict[str, tuple[str, str]]  # column -> (heading, kind)
    note: str = ""
    suppressed: pd.DataFrame | None = None
    missing: dict[str, str] | None = None  # column -> what its empty cells say instead of "–"
    links: dict[str, str] | None = None  # column -> the column holding each cell's link (empty: no link)

    def _hidden(self, row: int, col: str, kind: str) -> bool:
        """Suppressed: marked in the mask, or ``pd.NA`` in a numeric column (how disclosure control hides)."""
        mask = self.suppressed
        if mask is not None and col in mask.columns and bool(mask[col].iloc[row]):
            return True
        return kind in NUMERIC_KINDS and self.frame[col].iloc[row] is pd.NA

    def _classes(self) -> dict[str, str]:
        """Cell attributes per column: numbers right-aligned; long text given room to wrap."""
        out = {}
        for col, (_h, kind) in self.columns.items():
            if kind in NUMERIC_KINDS:
                out[col] = ' class="num" style="text-align:right"'
            elif kind == "text" and self.frame[col].astype(str).str.len().max() > WIDE_TEXT:
                out[col] = ' class="wide"'
            else:
                out[col] = ""
        return out

    def _repr_html_(self) -> str:
        attrs_of = self._classes()
        head = "".join(f'<th scope="col"{attrs_of[c]}>{html.escape(h)}</th>' for c, (h, _k) in self.columns.items())
        body, used = [], set()
        for r, (_, row) in enumerate(self.frame.iterrows()):
            cells = []
            for i, (col, (_h, kind)) in enumerate(self.columns.items()):
                hidden = self._hidden(r, col, kind)
                text, extra = (SUPPRESSED if hidden else _cell(row[col], kind)), ""
                if text == MISSING and self.missing and col in self.missing:
                    text = self.missing[col]
                used.update({text} & set(LEGEND))
                attrs = attrs_of[col]
                if hidden:
                    attrs = ' class="num ccsp-suppressed" style="text-align:right"'
                elif kind == "number" and isinstance(row[col], str):
                    attrs = ' class="num-text"'  # text in a mixed column wraps, keeping the column narrow
                elif kind == "direction":
                    polarity = row["polarity"] if "polarity" in self.frame.columns else DEFAULT_POLARITY
                    meaning = MEANING.get((str(row[col]), str(polarity)))
                    if meaning:  # on its own line, so the column stays narrow
                        extra = f' <span class="ccsp-meaning">({meaning})</span>'
                        attrs = f' class="ccsp-{meaning}"' if meaning in ("concerning", "improving") else attrs
                tag = "th" if i == 0 else "td"
                scope = ' scope="row"' if i == 0 else ""
                shown = html.escape(text)
                href = row[self.links[col]] if self.links and col in self.links else None
                if not hidden and isinstance(href, str) and href:
                    shown = f'<a href="{html.escape(href, quote=True)}">{shown}</a>'
                cells.append(f"<{tag}{scope}{attrs}>{shown}{extra}</{tag}>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        notes = [f'<p class="ccsp-note">{html.escape(self.note)}</p>'] if self.note else []
        if used:
            keys = "; ".join(f"{html.escape(m)} = {html.escape(LEGEND[m])}" for m in LEGEND if m in used)
            notes.append(f'<p class="ccsp-legend">{keys}.</p>')
        return (f'<div class="ccsp-table-wrap"><table class="ccsp-table"><caption>{html.escape(self.caption)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{''.join(notes)}</div>")


def show(frame: pd.DataFrame | Suppression, caption: str, columns: dict[str, tuple[str, str]], note: str = "",
         suppressed: pd.DataFrame | None = None, missing: dict[str, str] | None = None,
         links: dict[str, str] | None = None) -> Table:
    """A displayable table of ``frame``'s ``columns`` ({column: (heading, kind)}), kinds from :data:`KINDS`.

    Parameters
    ----------
    frame
        The table, or the :class:`~ccsp_analysis.disclosure.Suppression` returned by
        :func:`~ccsp_analysis.disclosure.suppress` (its row labels become the first column,
        under the index's name, and its hidden cells show ``[c]``).
    caption
        The table's caption.
    columns
        ``{column: (heading, kind)}`` in display order; the first is the row header.
    note
        Optional note shown under the table.
    suppressed
        Optional boolean frame like ``frame`` (e.g. ``Suppression.mask``): True where a
        cell was hidden by disclosure control. Without it, ``pd.NA`` in a numeric column is
        taken as suppressed (the convention of :mod:`ccsp_analysis.disclosure`); None and NaN
        show ``–`` (not applicable).
    missing
        Optional ``{column: text}``: what an empty cell of that column says instead of ``–``
        (e.g. "not published" where a published table leaves a row blank).
    links
        Optional ``{column: href column}``: each cell of the column links to its row's href (relative).

    A ``direction`` column says what the direction means for the measure, e.g. "▼ down (improving)",
    coloured green (improving) or red (concerning), from the row's ``polarity`` column when the frame
    has one (``higher_worse``, ``higher_better`` or ``neutral``), else :data:`DEFAULT_POLARITY`.

    Returns
    -------
    Table
        Displays itself as HTML in Jupyter and in the rendered report.
    """
    if isinstance(frame, Suppression):
        if suppressed is None:
            suppressed = frame.mask
        frame = frame.table.reset_index()
        suppressed = suppressed.reset_index(drop=True)
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise KeyError(f"columns {unknown} not in the table (has {list(frame.columns)})")
    bad = [k for _h, k in columns.values() if k not in KINDS]
    if bad:
        raise ValueError(f"unknown column kind(s) {bad}; use one of {KINDS}")
    if suppressed is not None:
        if suppressed.shape[0] != frame.shape[0]:
            raise ValueError(f"suppressed mask has {suppressed.shape[0]} rows, the table {frame.shape[0]}")
        suppressed = suppressed.reset_index(drop=True).astype(bool)
    return Table(frame.reset_index(drop=True), caption, columns, note, suppressed, missing, links)


@dataclass(frozen=True)
class Bullets:
    """Sentences shown as a bulleted list."""

    items: tuple[str, ...]

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in self.items) + "</ul>"

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {s}" for s in self.items)


@dataclass(frozen=True)
class Paragraph:
    """Text shown as a paragraph, under a level-2 heading when it has one (e.g. words that depend on the run)."""

    text: str
    heading: str = ""

    def _repr_html_(self) -> str:
        head = f"<h2>{html.escape(self.heading)}</h2>" if self.heading else ""
        return head + (f"<p>{html.escape(self.text)}</p>" if self.text else "")

    def _repr_markdown_(self) -> str:
        return "\n\n".join(x for x in (f"## {self.heading}" if self.heading else "", self.text) if x)


def paragraph(text: str, heading: str = "") -> Paragraph:
    """Display ``text`` as a paragraph (nothing when it is empty), under ``heading`` when one is given."""
    return Paragraph(text, heading)


def bullets(sentences: list[str] | pd.DataFrame) -> Bullets:
    """Display sentences as a list (a list, or a table's ``sentence`` column)."""
    if isinstance(sentences, pd.DataFrame):
        sentences = list(sentences["sentence"])
    return Bullets(tuple(sentences))


def with_values(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A function keeping the rows of a table that have a value in ``column`` (e.g. a chart of shown shares only)."""
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.dropna(subset=[column])
    return keep


class Nothing:
    """What a notebook cell shows for a table the run does not have: nothing (the page's sentences say why)."""

    def _repr_html_(self) -> str:
        return ""

    def __repr__(self) -> str:
        return ""


def shown(result, name: str, make: Callable[..., object], *args, otherwise: str = "",
          via: Callable[[pd.DataFrame], pd.DataFrame] | None = None, **kwargs) -> object:
    """``make(table, *args, **kwargs)`` when the section result has table (or chart frame) ``name`` with rows;
    else ``otherwise`` as a bullet, or nothing.

    A section leaves out a table its inputs cannot give (e.g. victims without the partner crime extract) and
    says so in one sentence (``narrative.needs_sentence``), so a notebook shows that table with
    ``tables.shown(result, "vawg_offences", tables.show, "caption", {...})`` and never an empty one.
    ``via``: a function the table goes through first (e.g. ``pyramid_frame`` for a pyramid chart).
    """
    frame = result.tables.get(name)
    if frame is None:
        frame = result.plots.get(name)
    if frame is not None and not frame.empty and via is not None:
        frame = via(frame)  # e.g. only the rows with a value: none left is no table
    if frame is None or frame.empty:
        return bullets([otherwise]) if otherwise else Nothing()
    return make(frame, *args, **kwargs)


def joined(result, name: str, column: str | None = None, sep: str = " ") -> str:
    """The text of a table of notes (e.g. ``most_similar_group_notes``) as one paragraph; '' when absent.

    ``column``: the column joined (the first when None).
    """
    frame = result.tables.get(name)
    if frame is None or frame.empty:
        return ""
    values = frame[column] if column is not None else frame.iloc[:, 0]
    return sep.join(str(v) for v in values)


CHANGE_COLUMNS = {"label": ("Measure", "text"), "current": ("This year", "count"), "previous": ("Last year", "count"),
                  "abs_change": ("Change", "count"), "pct_change": ("Change %", "pct"), "p_value": ("p", "p"),
                  "direction": ("Direction of travel", "direction")}
