"""Exception reporting for the report's index: significant changes and one signal line per monitored measure."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ccsp_analysis import monitoring
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import Params
from ccsp_analysis.result import ExceptionReport

#: Tables of change rows the index reads: sections' ``changes``, the performance page's plan measures
#: and, in performance mode, its headline measures and the quarterly report's measures (so the index never
#: contradicts a section page).
CHANGE_TABLES = ("changes", "plan_measures", "headlines", "report_measures")
#: Columns of a change table that the index needs.
CHANGE_COLUMNS = ("label", "current", "previous", "pct_change", "direction")
#: Columns the index shows as well: the sentence (None when the table has none), the measure's polarity
#: (``higher_worse`` when the table gives none) and the reading of its change (:func:`monitoring.reading`).
OUT_COLUMNS = (*CHANGE_COLUMNS, "sentence", "polarity", "reading")


def significant_changes(results: Mapping[str, object]) -> pd.DataFrame:
    """Significant rows (UP or DOWN) of every section's change tables (:data:`CHANGE_TABLES`), each measure once.

    Parameters
    ----------
    results
        Section name -> result with a ``tables`` dict (e.g. :class:`SectionResult`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OUT_COLUMNS` and ``section`` (the first section giving the measure), in section
        then table order; ``polarity`` is the table's (the plan's, given by the registry), else higher is worse.
    """
    frames = []
    for name, result in results.items():
        for table_name in CHANGE_TABLES:
            table = getattr(result, "tables", {}).get(table_name)
            if table is not None and not table.empty and set(CHANGE_COLUMNS) <= set(table.columns):
                rows = table.loc[table["direction"].isin(["UP", "DOWN"])]
                # the row's polarity (the plan's, given by the registry) so the index reads it as the page does
                polarity = (rows["polarity"] if "polarity" in rows
                            else pd.Series(monitoring.DEFAULT_POLARITY, index=rows.index)).fillna(monitoring.DEFAULT_POLARITY)
                measure = rows["measure"] if "measure" in rows else pd.Series(None, index=rows.index, dtype=object)
                out = rows[list(CHANGE_COLUMNS)].assign(
                    sentence=rows["sentence"] if "sentence" in rows else None, polarity=polarity,
                    reading=[monitoring.reading(d, p, m) for d, p, m in zip(rows["direction"], polarity, measure, strict=True)])
                frames.append(out.assign(section=name))
    if not frames:
        return pd.DataFrame(columns=[*OUT_COLUMNS, "section"])
    return pd.concat(frames, ignore_index=True).drop_duplicates("label").reset_index(drop=True)


def exception_report(data: Dataset, params: Params, results: Mapping[str, object]) -> ExceptionReport:
    """Significant changes from the sections and one signal line per monitored measure.

    The signal lines are the performance section's (``spc_summary``) when it is part of the run,
    so the index and the performance page read the same charts; otherwise they are computed here
    with the same function (:func:`ccsp_analysis.monitoring.monitor`).
    """
    perf = getattr(results.get("08_performance"), "tables", {})
    if "spc_summary" in perf:
        summary = perf["spc_summary"]
        window = monitoring.chart_months(params)[0]
        window_text = f"{window[0]:%B %Y} to {window[-1]:%B %Y}"
    else:
        spc = monitoring.monitor(data, params)
        summary, window_text = spc.summary, spc.window
    return ExceptionReport(significant_changes(results), summary, window_text)
