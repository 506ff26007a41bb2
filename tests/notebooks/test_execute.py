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
