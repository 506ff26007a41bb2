"""Tests for ccsp_analysis.exception_report: the index's significant changes and its signal lines."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ccsp_analysis import exception_report as exceptions


def test_significant_changes_from_every_section_once():
    changes = pd.DataFrame({"label": ["TRC", "ASB", "Shoplifting"], "current": [90, 120, 50],
                            "previous": [100, 100, 50], "pct_change": [-10.0, 20.0, 0.0],
                            "direction": ["DOWN", "UP", "STABLE"], "sentence": ["t", "a", "s"]})
    results = {"01": SimpleNamespace(tables={"changes": changes}),
               "02": SimpleNamespace(tables={"changes": changes.iloc[[1]]}),
               "03": SimpleNamespace(tables={"other": changes}), "04": object()}
    got = exceptions.significant_changes(results)
    assert got["label"].tolist() == ["TRC", "ASB"] and got["section"].tolist() == ["01", "01"]
    assert list(got.columns) == [*exceptions.OUT_COLUMNS, "section"]
    assert got["polarity"].tolist() == ["higher_worse", "higher_worse"]  # no polarity column: read as crime
    assert got["reading"].tolist() == ["improving", "concerning"]  # no polarity column: crime, a rise is concerning
    assert exceptions.significant_changes({}).empty


def test_significant_changes_carry_the_tables_polarity():
    """The index reads a row with the polarity its page gives it (the plan's: more modern slavery reported is
    better), so a fall is concerning there as on the page. Fails on the old code, which dropped the column."""
    changes = pd.DataFrame({"label": ["Modern slavery", "TRC"], "current": [37, 90], "previous": [76, 100],
                            "pct_change": [-51.3, -10.0], "direction": ["DOWN", "DOWN"], "sentence": ["m", "t"],
                            "polarity": ["higher_better", None]})
    got = exceptions.significant_changes({"05": SimpleNamespace(tables={"changes": changes})})
    assert got["polarity"].tolist() == ["higher_better", "higher_worse"]


def test_plan_and_headline_tables_count_so_the_index_agrees_with_the_performance_page():
    plan = pd.DataFrame({"label": ["Domestic abuse"], "current": [80], "previous": [100], "pct_change": [-20.0],
                         "direction": ["DOWN"], "sentence": ["d"], "board": ["P1"]})
    got = exceptions.significant_changes({"08_performance": SimpleNamespace(tables={"plan_measures": plan})})
    assert got["label"].tolist() == ["Domestic abuse"]


def test_the_quarterly_reports_measures_count_with_their_polarity_and_a_reason_for_a_neutral_one():
    """Fails on the old code, which read no ``report_measures`` (the 2015-16 index left out children present,
    SARC clients and ASB by the police and council, all significant on the performance page) and had no reading
    for a neutral measure. Rows as performance.report_measures gives them: no sentence column."""
    report = pd.DataFrame({"measure": ["dva_children_present", "sarc", "asb", "trc"],
                           "label": ["Children present", "SARC clients", "ASB (police and council)", "TRC"],
                           "current": [1832, 446, 11408, 21475], "previous": [742, 383, 12083, 21676],
                           "pct_change": [146.9, 16.4, -5.6, -0.9], "direction": ["UP", "UP", "DOWN", "STABLE"],
                           "polarity": ["neutral", "higher_better", "higher_worse", "higher_worse"]})
    got = exceptions.significant_changes({"08_performance": SimpleNamespace(tables={"report_measures": report})})
    assert got["label"].tolist() == ["Children present", "SARC clients", "ASB (police and council)"]
    assert got["reading"].tolist() == [
        "neither better nor worse: more can follow better identification and recording, not only more harm",
        "improving", "improving"]
    assert got["sentence"].isna().all()


def test_index_signals_are_the_performance_pages_when_it_ran():
    summary = pd.DataFrame({"label": ["TRC"], "signals": [1], "line": ["TRC: concerning -- ..."]})
    perf = SimpleNamespace(tables={"spc_summary": summary, "changes": pd.DataFrame()})
    from ccsp_analysis.params import Params

    params = Params.model_validate({
        "area": {"name": "A", "slug": "a", "la_code": "E08000026", "lsoa_name_prefix": "A ", "force": "f"},
        "period": "2023-24", "sources": {"police_uk": "x", "lsoa_ward_lookup": "x", "population": "x"}})
    report = exceptions.exception_report(None, params, {"08_performance": perf})
    assert report.signals is summary and report.window == "April 2021 to March 2024"
