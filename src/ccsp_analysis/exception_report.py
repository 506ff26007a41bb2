"""Exception reporting for the report's index: significant changes and control-chart breaches."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import Params
from ccsp_analysis.periods import month_label
from ccsp_analysis.result import ExceptionReport
from ccsp_analysis.taxonomy import grouping_mask

#: Months of history the control charts of the index look back over.
WINDOW_MONTHS = 24
#: Columns of a section's "changes" table that the index needs.
CHANGE_COLUMNS = ("label", "current", "previous", "pct_change", "direction", "sentence")


def period_end(params: Params) -> pd.Timestamp:
    """First day of the last month the run reports on (the quarter's end in performance mode)."""
    return params.fy.months(params.quarter if params.mode == "performance" else None)[-1]


def monthly_counts(months: pd.Series, end: pd.Timestamp, n: int = WINDOW_MONTHS) -> pd.Series:
    """Rows per month over the ``n`` months ending at ``end``, zero-filled.

    Months before the first month present in ``months`` are left out (the data do not
    reach back that far), so a short history is not read as months of zero.

    Parameters
    ----------
    months
        First-of-month dates, one per row counted.
    end
        The last month of the window.
    n
        Length of the window in months.

    Returns
    -------
    pandas.Series
        Counts indexed by a monthly DatetimeIndex; empty when ``months`` is.
    """
    if months.empty:
        return pd.Series(dtype="int64", index=pd.DatetimeIndex([], freq="MS"))
    first = max(pd.Timestamp(end) - pd.DateOffset(months=n - 1), pd.Timestamp(months.min()))
    index = pd.date_range(first, end, freq="MS")
    stamps = pd.to_datetime(months).dt.to_period("M").dt.to_timestamp()
    return stamps.value_counts().reindex(index, fill_value=0).astype("int64").rename(None)


def control_chart_breaches(data: Dataset, end: pd.Timestamp,
                           n: int = WINDOW_MONTHS) -> dict[str, list[str]]:
    """Rule breaches on c-charts of monthly total recorded crime and police-recorded ASB.

    Parameters
    ----------
    data
        The run's dataset (``crimes`` and ``asb`` tables).
    end
        The last month of the window.
    n
        Months in the window.

    Returns
    -------
    dict
        Series label -> :func:`ccsp_analysis.narrative.spc_exceptions` sentences (a series with
        no rows in the window is left out).
    """
    crimes = data.crimes
    series = {"Total recorded crime": crimes.loc[grouping_mask(crimes, "trc"), "month"]}
    asb = data.tables.get("asb")
    if asb is not None and "recorded_by" in asb.columns:
        series["Anti-social behaviour (police-recorded)"] = asb.loc[asb["recorded_by"] == "police", "month"]
    out = {}
    for label, months in series.items():
        counts = monthly_counts(months[months <= end], end, n)
        if len(counts):
            out[label] = narrative.spc_exceptions(stats.control_chart(counts, "c"))
    return out


def significant_changes(results: Mapping[str, object]) -> pd.DataFrame:
    """Significant rows (UP or DOWN) of every section's ``changes`` table, each measure once.

    Parameters
    ----------
    results
        Section name -> result with a ``tables`` dict (e.g. :class:`SectionResult`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_COLUMNS` and ``section`` (the first section giving the measure),
        in section then table order.
    """
    frames = []
    for name, result in results.items():
        table = getattr(result, "tables", {}).get("changes")
        if table is not None and set(CHANGE_COLUMNS) <= set(table.columns):
            rows = table.loc[table["direction"].isin(["UP", "DOWN"]), list(CHANGE_COLUMNS)]
            frames.append(rows.assign(section=name))
    if not frames:
        return pd.DataFrame(columns=[*CHANGE_COLUMNS, "section"])
    return pd.concat(frames, ignore_index=True).drop_duplicates("label").reset_index(drop=True)


def exception_report(data: Dataset, params: Params, results: Mapping[str, object],
                     n: int = WINDOW_MONTHS) -> ExceptionReport:
    """Significant changes from the sections and control-chart breaches of the last ``n`` months."""
    end = period_end(params)
    breaches = control_chart_breaches(data, end, n)
    start = end - pd.DateOffset(months=n - 1)
    return ExceptionReport(significant_changes(results), breaches,
                           f"{month_label(start)} to {month_label(end)}")
