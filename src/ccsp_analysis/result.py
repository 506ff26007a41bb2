"""What every section function returns: named tidy tables, headline figures and sentences."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ccsp_analysis.disclosure import Register
from ccsp_analysis.formatting import round_half_up

FIGURE_KINDS = ("count", "pct_change", "share", "pct", "rate", "list", "money")


@dataclass
class SectionResult:
    """Named tidy tables, headline figures (id, value, label, kind) and narrative sentences of one section.

    Figure ids follow ``published_figures.yaml`` where the documents publish the figure, so that
    ``tables/figures.csv`` and the reconciliation can match them.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: list[dict] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    #: tables also written under a fixed file name in tables/ (e.g. reconciliation -> reconciliation.csv)
    exports: dict[str, str] = field(default_factory=dict)
    #: frames only the page's charts draw (boundaries, monthly series); not written to tables/
    plots: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the counts about people this section publishes, for disclosure control across the run
    #: (:mod:`ccsp_analysis.people`); emptied once the run has applied it, so never stored with the counts
    people: Register = field(default_factory=Register)

    def add_figure(self, fid: str, value, label: str, kind: str, decimals: int = 1, withheld: bool = False) -> None:
        """Record a headline figure; counts stay whole, others are rounded half-up to ``decimals``.

        A None value (not computable from the data given) is skipped; a list is joined with "; ".
        ``withheld``: a figure about people that would reveal a suppressed cell or a count below
        the disclosure threshold. It is kept for the reconciliation's check but never published
        (figures.csv leaves its value blank).
        """
        if kind not in FIGURE_KINDS:
            raise ValueError(f"unknown figure kind '{kind}'; use one of {FIGURE_KINDS}")
        if value is None or (isinstance(value, float) and value != value):  # None or NaN: not computable
            return
        if any(f["id"] == fid for f in self.figures):
            raise ValueError(f"figure '{fid}' added twice")
        if kind == "list":
            shown = "; ".join(str(v) for v in value)
        elif kind in ("count", "money"):
            shown = int(value)
        else:
            shown = round_half_up(float(value), decimals)
        exact = float(value) if kind not in ("list", "count", "money") else shown
        self.figures.append({"id": fid, "value": shown, "label": label, "kind": kind, "withheld": bool(withheld),
                             "exact": exact})

    def figures_frame(self) -> pd.DataFrame:
        # object dtype keeps counts as integers next to one-decimal percentages
        return pd.DataFrame(self.figures, columns=["id", "value", "label", "kind", "withheld", "exact"], dtype=object)


def merge_figures(results: dict) -> pd.DataFrame:
    """Every section's figures in one table; an id two sections give different values is an error.

    A figure withheld by one section (disclosure control) is withheld whichever section gives it.
    """
    from ccsp_analysis.errors import RunError

    frames = [r.figures_frame().assign(section=n) for n, r in results.items()]
    fig = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["id", "value", "label", "kind", "withheld", "exact", "section"])
    for fid, grp in fig.groupby("id", sort=False):
        if grp["value"].astype(str).nunique() > 1:
            raise RunError(f"figure '{fid}' has different values in sections {list(grp['section'])}: {list(grp['value'])}")
    withheld = set(fig.loc[fig["withheld"].fillna(False).astype(bool), "id"])
    fig = fig.drop_duplicates("id").reset_index(drop=True)
    fig["withheld"] = fig["id"].isin(withheld)
    return fig


def published_figures(fig: pd.DataFrame) -> pd.DataFrame:
    """The figures as written to figures.csv: withheld ones keep their id with a blank value."""
    out = fig[["id", "value"]].copy()
    out.loc[fig["withheld"].to_numpy(dtype=bool), "value"] = None
    return out


@dataclass(frozen=True)
class ExceptionReport:
    """What the index lists as exceptions.

    Attributes
    ----------
    changes
        Rows of the sections' change tables whose direction of travel is UP or DOWN.
    signals
        One row per monitored measure (``monitoring.SUMMARY_COLUMNS``): its XmR chart's baseline,
        how many signals touch the period, the reading (concerning, improving, ...) and one line.
    window
        The months the charts cover, e.g. ``"April 2021 to March 2024"``.
    """

    changes: pd.DataFrame
    signals: pd.DataFrame = field(default_factory=pd.DataFrame)
    window: str = ""

    @property
    def empty(self) -> bool:
        return self.changes.empty and (self.signals.empty or not (self.signals["signals"] > 0).any())
