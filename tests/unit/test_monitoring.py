"""Tests for monitoring.py: XmR charts of monthly measures against one stated baseline, signals per measure.

Expected values are worked out by hand from the XmR definition (NHS England, Making Data Count):
limits = mean +/- 2.66 x mean moving range of the baseline months.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ccsp_analysis import monitoring
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.monitoring import Measure
from ccsp_analysis.params import Params

ASB = Measure("asb", "Anti-social behaviour", "asb")
REFERRALS = Measure("da_referrals", "Referrals", "services", "higher_better")


def _params(quarter=None, mode="assessment") -> Params:
    return Params.model_validate({
        "area": {"name": "A", "slug": "a", "la_code": "E08000026", "lsoa_name_prefix": "A ", "force": "f"},
        "period": "2023-24", "quarter": quarter, "mode": mode,
        "sources": {"police_uk": "x", "lsoa_ward_lookup": "x", "population": "x"}})


def _rows(counts: dict[pd.Timestamp, int]) -> pd.Series:
    return pd.Series([m for m, n in counts.items() for _ in range(n)], dtype="datetime64[us]")


def _shape() -> dict[pd.Timestamp, int]:
    """24 baseline months alternating 100, 110 (April 2021 - March 2023), then 12 months of 105 with 140 in May 2023."""
    months = pd.date_range("2021-04-01", "2024-03-01", freq="MS")
    counts = {m: (100 if i % 2 == 0 else 110) for i, m in enumerate(months[:24])}
    counts |= {m: 105 for m in months[24:]}
    counts[pd.Timestamp("2023-05-01")] = 140
    return counts


def _asb_data(counts) -> Dataset:
    return Dataset({"crimes": pd.DataFrame({"month": _rows(counts)}),
                    "asb": pd.DataFrame({"month": _rows(counts), "recorded_by": "police"})}, "k")


def test_chart_months_are_the_24_before_the_period_then_the_period():
    months, start = monitoring.chart_months(_params())
    assert (len(months), months[0], months[-1], start) == (36, pd.Timestamp("2021-04-01"), pd.Timestamp("2024-03-01"),
                                                           pd.Timestamp("2023-04-01"))
    months, start = monitoring.chart_months(_params(quarter=2, mode="performance"))
    # April 2021 to September 2023: 24 baseline months and April-September 2023
    assert (len(months), months[-1], start) == (30, pd.Timestamp("2023-09-01"), pd.Timestamp("2023-04-01"))


def test_a_month_the_source_does_not_cover_is_left_out_not_zero():
    counts = _shape()
    del counts[pd.Timestamp("2022-06-01")]  # the extract has no rows at all that month
    series = monitoring.monthly_counts(_asb_data(counts), _params(), ASB)
    assert len(series) == 35 and pd.Timestamp("2022-06-01") not in series.index and series.min() == 100


def test_limits_from_the_baseline_and_one_line_per_measure_by_hand():
    got = monitoring.monitor(_asb_data(_shape()), _params(), (ASB,))
    points = got.points
    # baseline mean (12 x 100 + 12 x 110) / 24 = 105; every moving range is 10 -> limits 105 +/- 26.6
    assert points["centre"].unique().tolist() == [pytest.approx(105.0)]
    assert points["lcl"].iloc[0] == pytest.approx(78.4) and points["ucl"].iloc[0] == pytest.approx(131.6)
    assert points["baseline"].tolist() == [True] * 24 + [False] * 12
    assert points["in_period"].tolist() == [False] * 24 + [True] * 12
    # the only signal: May 2023 (140) above 131.6. 105 sits on the centre line, so no run; the
    # alternating baseline has no trend; 140 is the only point beyond 2 sigma (105 + 17.7).
    signals = got.signals
    assert signals[["rule", "side", "first_month", "in_period", "assessment"]].values.tolist() == [
        ["outside_limits", 1, "2023-05", "yes", "concerning"]]
    assert got.summary["line"].tolist() == [
        "Anti-social behaviour: concerning — 1 month above the upper control limit (May 2023)."]
    assert got.summary["baseline"].tolist() == ["April 2021 to March 2023"] and got.window == "April 2021 to March 2024"


def test_polarity_is_data_more_referrals_is_improving():
    counts = _shape()
    data = Dataset({"crimes": pd.DataFrame({"month": _rows(counts)}),
                    "asb": pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "recorded_by": "police"}),
                    "services": pd.DataFrame({"month": _rows(counts)})}, "k")
    got = monitoring.monitor(data, _params(), (ASB, REFERRALS))
    assert got.summary["measure"].tolist() == ["da_referrals"]  # no ASB rows at all: not charted
    assert got.summary["assessment"].tolist() == ["improving"]
    assert monitoring.assessment(-1, "higher_worse") == "improving"
    assert monitoring.assessment(1, "neutral") == "a change to look at"


def test_a_short_history_uses_every_month_and_says_so():
    counts = {m: n for m, n in _shape().items() if m >= pd.Timestamp("2023-01-01")}  # 3 months before the period
    got = monitoring.monitor(_asb_data(counts), _params(), (ASB,))
    assert got.points["baseline"].all()
    assert got.summary["baseline"].iloc[0].startswith("every month shown (January 2023 to March 2024)")


def test_no_signal_is_said_in_words():
    flat = {m: (100 if i % 2 == 0 else 110) for i, m in enumerate(pd.date_range("2021-04-01", "2024-03-01", freq="MS"))}
    got = monitoring.monitor(_asb_data(flat), _params(), (ASB,))
    assert got.summary["signals"].tolist() == [0] and got.summary["assessment"].tolist() == ["no signal"]
    assert "no signal" in got.summary["line"].iloc[0] and got.signals.empty


def test_signals_are_counted_only_in_the_period_not_in_the_baseline():
    """Fails on the old code, which counted the baseline's months close to a limit as the period's (the 2015-16
    domestic abuse line gave "15 months close to the lower control limit" for a 12-month period).

    By hand: baseline April 2021 - March 2023 alternates 100, 110 for 22 months, then 85, 85 (February, March
    2023). Mean = (11 x 100 + 11 x 110 + 2 x 85) / 24 = 2480 / 24 = 103.333; moving ranges 21 x 10, 25, 0 ->
    mean 235 / 23 = 10.217; limits 103.333 -/+ 2.66 x 10.217 = 76.155 and 130.51; two sigma below the centre:
    103.333 - 2 x 27.178 / 3 = 85.214. The period: April 2023 85, then 90 for 11 months. So February, March and
    April 2023 (85) are beyond two sigma -- one close-to-limit signal, of which only April 2023 is in the period
    -- and February 2023 to March 2024 (14 months) are below the average, 12 of them in the period.
    """
    months = pd.date_range("2021-04-01", "2024-03-01", freq="MS")
    values = [100 if i % 2 == 0 else 110 for i in range(22)] + [85, 85, 85] + [90] * 11
    got = monitoring.monitor(_asb_data(dict(zip(months, values, strict=True))), _params(), (ASB,))
    assert got.points["centre"].iloc[0] == pytest.approx(2480 / 24)
    assert got.points["lcl"].iloc[0] == pytest.approx(2480 / 24 - 2.66 * 235 / 23)
    assert got.summary["line"].tolist() == [
        "Anti-social behaviour: improving — 1 month close to the lower control limit (April 2023); 14 months in a "
        "row below the average (February 2023 to March 2024, 12 of them in the period)."]


def test_signal_tables_say_each_rule_in_words():
    """The signal table carries each rule in words, and the performance page shows those words, never the code
    (fails on the old code: the table had only ``rule`` codes such as near_limit, and the page showed them)."""
    import json
    from pathlib import Path

    from ccsp_analysis import narrative, stats

    got = monitoring.monitor(_asb_data(_shape()), _params(), (ASB,))
    assert got.signals[["rule", "signal"]].values.tolist() == [["outside_limits", "outside the limits"]]
    # every rule the charts can find has words (written here from the reviewer's wording)
    assert {r: narrative.signal_rule_words(r) for r in stats.RULES} == {
        "outside_limits": "outside the limits", "run": "a run of points on one side", "trend": "a trend",
        "near_limit": "close to a limit"}
    with pytest.raises(Exception, match="unknown signal rule"):
        narrative.signal_rule_words("bogus")
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "08_performance.ipynb"
    cells = ["".join(c["source"]) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]]
    shown = [c for c in cells if '"spc_signals"' in c]
    assert shown and all('"signal": ("Signal", "text")' in c and '"rule":' not in c for c in shown)
