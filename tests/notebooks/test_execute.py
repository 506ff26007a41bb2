"""Notebook tier: every section notebook executes through the real runner for each shipped year.

2023-24 runs through the CLI in tests/e2e; here 2015-16 (performance mode, Q4) and 2022-23.
"""

from __future__ import annotations

import csv

import pytest

from ccsp_analysis.report import run_year

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def performance_run(root, demo_dir, tmp_path_factory):
    return run_year(root / "params" / "2015-16.yaml", outputs=tmp_path_factory.mktemp("out"), jobs=2)


def test_performance_year_runs(performance_run):
    assert performance_run.ok, performance_run.failures
    assert [s.name for s in performance_run.sections] == ["00_data_audit", "08_performance", "09_reconciliation", "10_appendix"]


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


def test_previous_assessment_year_runs(root, demo_dir, tmp_path):
    result = run_year(root / "params" / "2022-23.yaml", outputs=tmp_path, jobs=2)
    assert result.ok, result.failures
    assert (result.output_dir / "index.html").exists()


def test_performance_index_lists_the_significant_changes_its_page_shows(performance_run):
    """The 2015-16 index once said 'no statistically significant changes' while its performance page showed
    significant falls: every UP/DOWN row of the page's plan and headline tables is on the index."""
    import pandas as pd
    from bs4 import BeautifulSoup

    out = performance_run.output_dir
    shown = set()
    for name in ("plan_measures", "headlines"):
        table = pd.read_csv(out / "tables" / f"08_performance-{name}.csv")
        shown |= set(table.loc[table["direction"].isin(["UP", "DOWN"]), "label"])
    assert shown  # the demo's 2015-16 quarter has significant changes (the published report shows falls)
    soup = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    listed = {tr.find("th").get_text(" ", strip=True)
              for tr in soup.find(id="significant-changes").find_next("table").select("tbody tr")}
    assert listed == shown
