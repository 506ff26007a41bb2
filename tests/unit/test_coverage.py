"""Tests for coverage.py: the period coverage gate and changes over incomplete periods."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis import coverage, measures
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import Params


def _params(period="2023-24", quarter=None, mode="assessment", **sources) -> Params:
    base = {"police_uk": "x", "lsoa_ward_lookup": "x", "population": "x", **sources}
    return Params.model_validate({
        "area": {"name": "A", "slug": "a", "la_code": "E08000026", "lsoa_name_prefix": "A ", "force": "f"},
        "period": period, "quarter": quarter, "mode": mode, "sources": base})


def _data(crime_months, asb_months=(), fly_months=None) -> Dataset:
    crimes = pd.DataFrame({"month": pd.to_datetime(list(crime_months))})
    asb = pd.DataFrame({"month": pd.to_datetime(list(asb_months)), "recorded_by": "police"})
    tables = {"crimes": crimes, "asb": asb}
    if fly_months is not None:
        tables["fly_tipping"] = pd.DataFrame({"month": pd.to_datetime(list(fly_months))})
    return Dataset(tables, "k")


def test_required_months_are_both_years_or_the_same_quarters():
    months = coverage.required_months(_params())
    assert len(months) == 24 and months[0] == pd.Timestamp("2022-04-01") and months[-1] == pd.Timestamp("2024-03-01")
    q2 = coverage.required_months(_params(quarter=2, mode="performance"))
    # April-September of 2022 then of 2023: 6 + 6 months
    assert [f"{m:%Y-%m}" for m in q2] == [f"2022-{m:02d}" for m in range(4, 10)] + [f"2023-{m:02d}" for m in range(4, 10)]


def test_gaps_name_each_source_and_its_missing_months():
    all_months = pd.date_range("2022-04-01", "2024-03-01", freq="MS")
    crimes = [m for m in all_months if m != pd.Timestamp("2023-07-01")]
    data = _data(crimes, asb_months=all_months, fly_months=all_months[:12])
    gaps = coverage.coverage_gaps(data, _params(fly_tipping="f.csv"))
    assert [(g.source, [f"{m:%Y-%m}" for m in g.months]) for g in gaps] == [
        ("recorded crime (data.police.uk)", ["2023-07"]),
        ("fly-tipping", [f"{m:%Y-%m}" for m in all_months[12:]]),
    ]
    assert coverage.month_ranges(gaps[1].months) == "April 2023 to March 2024"
    assert "(12 months)" in coverage.gaps_text(gaps) and "(1 month)" in coverage.gaps_text(gaps)


def test_complete_data_have_no_gaps():
    all_months = pd.date_range("2022-04-01", "2024-03-01", freq="MS")
    assert coverage.coverage_gaps(_data(all_months, all_months), _params()) == []


def test_month_ranges_joins_runs():
    months = [pd.Timestamp(m) for m in ("2024-01-01", "2024-02-01", "2024-03-01", "2024-06-01")]
    assert coverage.month_ranges(months) == "January 2024 to March 2024; June 2024"


def test_no_rise_or_fall_over_incomplete_periods():
    # 0 against 38,508 would be "fell by 100.0%, a statistically significant decrease" on complete data
    complete = measures.change_row("trc", "Total recorded crime", 0, 38508)
    assert complete["direction"] == "DOWN"
    with coverage.incomplete_periods("recorded crime: April 2024 to March 2025"):
        row = measures.change_row("trc", "Total recorded crime", 0, 38508)
        table = measures.by_key(pd.DataFrame({"fy": ["2024-25", "2023-24", "2023-24"], "ward": ["A", "A", "B"]}),
                                ["ward"], "2024-25", "2023-24")
    assert row["direction"] == measures.NOT_COMPARED and row["pct_change"] is None and row["p_value"] is None
    assert "fell" not in row["sentence"] and "no change is reported" in row["sentence"]
    assert "0 this period against 38,508" in row["sentence"] and "April 2024 to March 2025" in row["sentence"]
    assert set(table["direction"]) == {measures.NOT_COMPARED} and table["pct_change"].isna().all()
    assert coverage.incomplete() is None  # the context ends with the block


def test_monthly_sources_follow_the_params():
    data = _data([], [], fly_months=[])
    names = set(coverage.monthly_sources(data, _params(partner_crimes="c.csv", police_asb="a.csv")))
    assert names == {"recorded crime (the force's extract)", "police-recorded ASB (the force's extract)"}
    names = set(coverage.monthly_sources(data, _params(fly_tipping="f.csv")))
    assert names == {"recorded crime (data.police.uk)", "police-recorded ASB (data.police.uk)", "fly-tipping"}
