"""Tests for ccsp_analysis.exception_report: the index's significant changes and control-chart breaches.

Expected values are worked out by hand from the c-chart definition in docs/methods.md.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ccsp_analysis import exception_report as exceptions
from ccsp_analysis.dataset import Dataset

END = pd.Timestamp("2024-03-01")


def _rows(counts: dict[str, int]) -> pd.Series:
    """One row per event: ``counts`` maps 'YYYY-MM' to how many rows that month has."""
    return pd.Series([pd.Timestamp(m + "-01") for m, n in counts.items() for _ in range(n)], dtype="datetime64[us]")


def _months(start: str, n: int) -> list[str]:
    return [d.strftime("%Y-%m") for d in pd.date_range(start, periods=n, freq="MS")]


def test_monthly_counts_zero_fills_and_stops_at_the_first_month_of_data():
    rows = _rows({"2023-12": 2, "2024-02": 1})
    got = exceptions.monthly_counts(rows, END, 24)
    # the data begin in December 2023, so the window is December to March, January and March being 0
    assert list(got.index.strftime("%Y-%m")) == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert got.tolist() == [2, 0, 1, 0]
    assert exceptions.monthly_counts(rows.iloc[:0], END).empty


def test_monthly_counts_window_is_the_last_n_months():
    rows = _rows(dict.fromkeys(_months("2020-01", 60), 1))
    got = exceptions.monthly_counts(rows, END, 24)
    assert len(got) == 24 and got.index[0] == pd.Timestamp("2022-04-01") and got.index[-1] == END


def test_control_chart_breaches_by_hand():
    # 23 months of 100 then 200 in March 2024. Mean = (23*100 + 200) / 24 = 104.1667;
    # sigma = sqrt(mean) = 10.206; upper limit = 104.1667 + 30.62 = 134.79 -> "135" (whole counts).
    # Breaches: 23 points in a row below the average (April 2022 - February 2024), and March 2024
    # above the upper limit. 100 is not beyond 2 sigma (83.75), so no near-limit flag; no trend.
    counts = dict.fromkeys(_months("2022-04", 23), 100) | {"2024-03": 200}
    crimes = pd.DataFrame({"month": _rows(counts)})
    asb = pd.DataFrame({"month": _rows({m: 10 for m in counts}), "recorded_by": "police"})
    asb = pd.concat([asb, pd.DataFrame({"month": _rows({"2024-03": 500}), "recorded_by": "council"})])
    data = Dataset(tables={"crimes": crimes, "asb": asb}, key="k")
    got = exceptions.control_chart_breaches(data, END, 24)
    assert got["Total recorded crime"] == [
        "23 points in a row from April 2022 to February 2024 were below the average (104.2)",
        "March 2024 was above the upper control limit (200 against 135)",
    ]
    # police-recorded ASB is a flat 10 a month (the council's 500 are not counted): no breaches
    assert got["Anti-social behaviour (police-recorded)"] == []


def test_months_after_the_period_are_left_out():
    counts = dict.fromkeys(_months("2022-04", 24), 100) | {"2024-04": 900}
    data = Dataset(tables={"crimes": pd.DataFrame({"month": _rows(counts)})}, key="k")
    assert exceptions.control_chart_breaches(data, END, 24) == {"Total recorded crime": []}


def test_significant_changes_from_every_section_once():
    changes = pd.DataFrame({"label": ["TRC", "ASB", "Shoplifting"], "current": [90, 120, 50],
                            "previous": [100, 100, 50], "pct_change": [-10.0, 20.0, 0.0],
                            "direction": ["DOWN", "UP", "STABLE"], "sentence": ["t", "a", "s"]})
    results = {"01": SimpleNamespace(tables={"changes": changes}),
               "02": SimpleNamespace(tables={"changes": changes.iloc[[1]]}),
               "03": SimpleNamespace(tables={"other": changes}), "04": object()}
    got = exceptions.significant_changes(results)
    assert got["label"].tolist() == ["TRC", "ASB"] and got["section"].tolist() == ["01", "01"]
    assert list(got.columns) == [*exceptions.CHANGE_COLUMNS, "section"]
    assert exceptions.significant_changes({}).empty


def test_period_end_of_an_assessment_and_a_quarter():
    from ccsp_analysis.periods import FinancialYear

    year = SimpleNamespace(fy=FinancialYear(2023), mode="assessment", quarter=None)
    q2 = SimpleNamespace(fy=FinancialYear(2023), mode="performance", quarter=2)
    assert exceptions.period_end(year) == END and exceptions.period_end(q2) == pd.Timestamp("2023-09-01")
