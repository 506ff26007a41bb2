"""Notebook tier: every section notebook executes through the real runner for each shipped year.

2023-24 runs through the CLI in tests/e2e; here 2015-16 (performance mode, Q4) and 2022-23.
"""

from __future__ import annotations

import csv
import json
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.slow


def _sections(folder):
    return [(s["name"], s["status"]) for s in json.loads((folder / "run.json").read_text(encoding="utf-8"))["sections"]]


@pytest.fixture(scope="module")
def performance_run(year_report):
    return SimpleNamespace(output_dir=year_report("2015-16"))  # the session's build of the year (tests/conftest.py)


def test_performance_year_runs(performance_run):
    assert _sections(performance_run.output_dir) == [("00_data_audit", "ok"), ("08_performance", "ok"),
                                                      ("09_reconciliation", "ok"), ("10_appendix", "ok")]


def test_performance_report_figures(performance_run, published):
    """Every figure of the Q4 2015-16 report (../shared/reference/published_figures.yaml) is reproduced."""
    with open(performance_run.output_dir / "tables" / "reconciliation.csv", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    block = published["performance_report_2015_16_q4"]
    ids = [f["id"] for key in ("figures", "msg_figures", "funding_2016_17") for f in block[key]]
    assert sorted(rows) == sorted(ids)
    assert {i: rows[i]["status"] for i in ids} == {i: "reproduced" for i in ids}
    # the two the issue names, by value
    assert float(rows["msg_average_crimes_per_1000"]["reproduced"]) == 83.482
    assert float(rows["coventry_crimes_per_1000"]["reproduced"]) == 62.176
    assert float(rows["allocations_total"]["reproduced"]) == 492478


def test_previous_assessment_year_runs(year_report):
    folder = year_report("2022-23")
    assert {status for _, status in _sections(folder)} == {"ok"}
    assert (folder / "index.html").exists()


def test_performance_index_lists_the_significant_changes_its_page_shows(performance_run):
    """The 2015-16 index once said 'no statistically significant changes' while its performance page showed
    significant falls: every UP/DOWN row of the page's plan, headline and quarterly report tables is on the index
    (the report measures' rows -- children present, SARC clients, ASB by police and council -- were missing)."""
    import pandas as pd
    from bs4 import BeautifulSoup

    out = performance_run.output_dir
    shown = set()
    for name in ("plan_measures", "headlines", "report_measures"):
        table = pd.read_csv(out / "tables" / f"08_performance-{name}.csv")
        shown |= set(table.loc[table["direction"].isin(["UP", "DOWN"]), "label"])
    assert shown  # the demo's 2015-16 quarter has significant changes (the published report shows falls)
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    listed = {tr.find("th").get_text(" ", strip=True)
              for tr in soup.find(id="significant-changes").find_next("table").select("tbody tr")}
    assert listed == shown
