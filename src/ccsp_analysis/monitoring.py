"""Reporting by exception: XmR charts of each monthly measure against one stated baseline, signals per measure.

Every page that shows a monthly series (the performance page, the index) takes it from
:func:`monitor`, so their limits and signals are the same. Each chart covers the 24 months before
the period (its baseline: the centre and limits come from these months only) and the period's
months, judged against that baseline (NHS England's *Making Data Count*). Limits are recalculated
only where a baseline changes: here, with the period -- the baseline is always the 24 months
before it. Months a source does not cover are left out of its chart, never read as zero.
Whether a signal is improving or concerning depends on the measure's polarity, which is data
(:data:`MEASURES`): more crime is concerning, more referrals to support services is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ccsp_analysis import narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.measures import available as grouping_available
from ccsp_analysis.params import Params
from ccsp_analysis.plans import load_plan
from ccsp_analysis.taxonomy import grouping_mask

BASELINE_MONTHS = 24
MIN_BASELINE = 12  # fewer months before the period: the limits come from every month shown (stated)
POLARITIES = ("higher_worse", "higher_better", "neutral")
#: The polarity of a measure nothing says otherwise about: crime, ASB and the like.
DEFAULT_POLARITY = "higher_worse"


@dataclass(frozen=True)
class Measure:
    """A monthly measure: its key, label, the table it counts and which way is better."""

    key: str
    label: str
    source: str  # "crimes" (a grouping of taxonomy.GROUPINGS), "asb" (police-recorded), "services"
    polarity: str = "higher_worse"


#: The monthly measures monitored, with their polarity.
MEASURES: tuple[Measure, ...] = (
    Measure("trc", "Total recorded crime", "crimes"),
    Measure("domestic_abuse", "Domestic abuse", "crimes"),
    Measure("serious_youth_violence", "Serious youth violence", "crimes"),
    Measure("shoplifting", "Shoplifting", "crimes"),
    Measure("asb", "Anti-social behaviour (police-recorded)", "asb"),
    Measure("da_referrals", "Referrals to domestic abuse services", "services", "higher_better"),
)

#: Why a neutral measure's change is read as neither better nor worse (shown beside its direction of travel).
NEUTRAL_WHY = {"dva_children_present": "more can follow better identification and recording, not only more harm"}


def reading(direction: str, polarity: str, measure: str | None = None) -> str:
    """What a significant change (UP or DOWN) means for a measure of ``polarity``: 'concerning', 'improving', or for a
    neutral measure 'neither better nor worse' with the reason when :data:`NEUTRAL_WHY` gives one."""
    if polarity == "neutral":
        why = NEUTRAL_WHY.get(measure or "")
        return "neither better nor worse" + (f": {why}" if why else "")
    return "concerning" if (direction == "UP") == (polarity == "higher_worse") else "improving"


def polarity_of(measure: str, better: str | None = None) -> str:
    """A measure's polarity: ``higher_better`` when a plan says ``better: higher`` (e.g. more hate crime reported),
    ``higher_worse`` when it says ``lower``; otherwise the polarity :data:`MEASURES` gives it, else ``higher_worse``
    (crime, ASB and the like)."""
    if better is not None:
        return "higher_better" if better == "higher" else "higher_worse"
    return next((m.polarity for m in MEASURES if m.key == measure), "higher_worse")


def plan_polarities(params: Params) -> dict[str, str]:
    """The polarity of every measure of success of the run's plan (``params.plan``), read with the plan's
    ``better`` (:func:`polarity_of`); empty without a plan. Every page reads a measure's direction and its
    control chart with this (a fall in modern slavery reported is concerning when the plan asks for a rise)."""
    if getattr(params, "plan", None) is None:
        return {}
    return {m.measure: polarity_of(m.measure, m.better) for b in load_plan(params.plan).boards for m in b.measures}


def measure_polarity(measure: str, plan: dict[str, str] | None = None) -> str:
    """The one rule for a measure's polarity on every page: the plan's (``plan``, :func:`plan_polarities`)
    where the plan names the measure, otherwise :func:`polarity_of` (crime and ASB: higher is worse)."""
    return (plan or {}).get(measure) or polarity_of(measure)


def with_polarity(table: pd.DataFrame, plan: dict[str, str] | None = None) -> pd.DataFrame:
    """``table`` (rows of measures with a ``direction`` of travel) with a ``polarity`` column from
    :func:`measure_polarity`, so its arrows read "(improving)" or "(concerning)" as every other page does.
    A table that has no ``measure`` column, or already carries a ``polarity``, is returned as it is."""
    if table is None or "measure" not in table.columns or "polarity" in table.columns:
        return table
    return table.assign(polarity=[measure_polarity(m, plan) for m in table["measure"]])


POINT_COLUMNS = ["measure", "label", "month", "value", "centre", "lcl", "ucl", "baseline", "in_period", *stats.RULES]
SIGNAL_COLUMNS = ["measure", "label", "rule", "signal", "side", "first_month", "last_month", "points", "in_period", "assessment"]
SUMMARY_COLUMNS = ["measure", "label", "polarity", "baseline", "signals", "assessment", "line"]


@dataclass
class Monitoring:
    """Every measure's chart points, its signals and a one-line summary (tidy tables, for tables/)."""

    points: pd.DataFrame
    signals: pd.DataFrame
    summary: pd.DataFrame
    window: str

    def chart(self, measure: str) -> pd.DataFrame:
        """One measure's chart as :func:`ccsp_analysis.stats.control_chart` returns it (indexed by month)."""
        rows = self.points[self.points["measure"] == measure]
        return rows.set_index("month")[["value", "centre", "lcl", "ucl", "baseline", *stats.RULES]]


def chart_months(params: Params) -> tuple[pd.DatetimeIndex, pd.Timestamp]:
    """The months a chart covers (24 before the period, then the period to date) and the period's first month."""
    period = params.fy.months(params.quarter if params.mode == "performance" else None)
    start = period[0] - pd.DateOffset(months=BASELINE_MONTHS)
    return pd.date_range(start, period[-1], freq="MS"), period[0]


def _events(data: Dataset, measure: Measure) -> tuple[pd.Series, pd.Series]:
    """(months of the measure's rows, months the source covers)."""
    if measure.source == "crimes":
        crimes = data.crimes
        return crimes.loc[grouping_mask(crimes, measure.key), "month"], crimes["month"]
    if measure.source == "asb":
        asb = data.asb[data.asb["recorded_by"] == "police"] if "recorded_by" in data.asb.columns else data.asb.iloc[0:0]
        return asb["month"], asb["month"]
    frame = data.tables.get(measure.source)
    if frame is None or "month" not in frame.columns:
        empty = pd.Series(dtype="datetime64[ns]")
        return empty, empty
    return frame["month"], frame["month"]


def monthly_counts(data: Dataset, params: Params, measure: Measure) -> pd.Series:
    """The measure's count per month over :func:`chart_months`, leaving out months its source does not cover."""
    months, _ = chart_months(params)
    rows, covered = _events(data, measure)  # canonical tables hold first-of-month dates
    present = set(pd.DatetimeIndex(covered.dropna().unique()))
    kept = pd.DatetimeIndex([m for m in months if m in present])
    return rows.dropna().value_counts().reindex(kept, fill_value=0).astype("int64").rename(measure.key)


def available(data: Dataset, measure: Measure) -> bool:
    """Whether the data can give the measure at all (e.g. a grouping needing the force's extract)."""
    if measure.source == "crimes":
        return grouping_available(data.crimes, measure.key)
    rows, _ = _events(data, measure)
    return len(rows) > 0


def assessment(side: int, polarity: str) -> str:
    """'concerning', 'improving' or 'a change to look at' for a signal on ``side`` (+1 up, -1 down)."""
    if polarity == "neutral":
        return "a change to look at"
    worse_up = polarity == "higher_worse"
    return "concerning" if (side > 0) == worse_up else "improving"


def monitor(data: Dataset, params: Params, measures: tuple[Measure, ...] = MEASURES) -> Monitoring:
    """XmR charts of every measure the data give, their signals and one summary line per measure."""
    months, period_start = chart_months(params)
    points, signal_rows, summary = [], [], []
    for m in measures:
        if not available(data, m):
            continue
        series = monthly_counts(data, params, m)
        if len(series) < 2:
            continue
        n_before = int((series.index < period_start).sum())
        baseline = n_before if n_before >= MIN_BASELINE else len(series)
        chart = stats.control_chart(series, kind="xmr", baseline=baseline)
        in_period = series.index >= period_start
        frame = chart.reset_index(names="month").assign(measure=m.key, label=m.label, in_period=in_period)
        points.append(frame[POINT_COLUMNS])
        found = stats.signals(chart)
        when = list(series.index)
        in_period_signals = []
        for s in found:
            touches = any(in_period[i] for i in s.points)
            row = {"measure": m.key, "label": m.label, "rule": s.rule, "signal": narrative.signal_rule_words(s.rule),
                   "side": s.side,
                   "first_month": f"{when[s.points[0]]:%Y-%m}", "last_month": f"{when[s.points[-1]]:%Y-%m}",
                   "points": len(s.points), "in_period": "yes" if touches else "no",
                   "assessment": assessment(s.side, m.polarity)}
            signal_rows.append(row)
            if touches:
                in_period_signals.append(s)
        base_text = (f"{when[0]:%B %Y} to {when[baseline - 1]:%B %Y}" if baseline == n_before
                     else f"every month shown ({when[0]:%B %Y} to {when[-1]:%B %Y}): fewer than {MIN_BASELINE} "
                          "months precede the period")
        verdicts = {assessment(s.side, m.polarity) for s in in_period_signals}
        verdict = ("no signal" if not verdicts else verdicts.pop() if len(verdicts) == 1 else "mixed")
        # the period's months only: a baseline month close to a limit is not a signal of the period
        line = narrative.signal_line(m.label, in_period_signals, when, verdict, first=n_before)
        summary.append({"measure": m.key, "label": m.label, "polarity": m.polarity, "baseline": base_text,
                        "signals": len(in_period_signals), "assessment": verdict, "line": line})
    window = f"{months[0]:%B %Y} to {months[-1]:%B %Y}"
    return Monitoring(
        pd.concat(points, ignore_index=True) if points else pd.DataFrame(columns=POINT_COLUMNS),
        pd.DataFrame(signal_rows, columns=SIGNAL_COLUMNS),
        pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        window,
    )
