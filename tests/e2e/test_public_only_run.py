"""End to end: `ccsp run` with police.uk and ONS files only (every partner source null), through the real CLI."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ccsp

pytestmark = pytest.mark.slow

#: Every input beyond police.uk, the LSOA-to-ward lookup and Census 2021 population.
PARTNER = ["partner_crimes", "police_asb", "council_asb", "fly_tipping", "da_referrals", "non_crime_incidents", "survey",
           "reoffending", "funding", "nrm_referrals", "most_similar_group", "published_figures", "mid_year_estimates",
           "census_2011", "imd", "ward_boundaries"]


@pytest.fixture(scope="module")
def public_report(root, demo_dir, tmp_path_factory):
    """A project whose year file nulls every partner source (the rest are the demo's police.uk and ONS files)."""
    tmp = tmp_path_factory.mktemp("public")
    proj = tmp / "proj"
    shutil.copytree(root / "params", proj / "params")
    shutil.copytree(root / "notebooks", proj / "notebooks")
    shutil.copytree(root / "docs", proj / "docs")
    (proj / "data").symlink_to(demo_dir.parent)
    year = proj / "params" / "2023-24.yaml"
    year.write_text("period: 2023-24\ncomparison: 2022-23\nsources:\n" + "".join(f"  {k}: null\n" for k in PARTNER))
    out = tmp / "out"
    proc = ccsp("run", "2023-24", "--outputs", str(out), cwd=proj)
    return proc, out / "coventry" / "2023-24"


def test_public_only_run_builds_every_page(public_report):
    from ccsp_analysis.params import ALL_SECTIONS

    proc, target = public_report
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = json.loads((target / "run.json").read_text())
    assert {s["name"]: s["status"] for s in run["sections"]} == dict.fromkeys([*ALL_SECTIONS, "10_appendix"], "ok")
    assert set(run["inputs"]) == {"police_uk", "lsoa_ward_lookup", "population", "population_by_age"}
    for section in ALL_SECTIONS:
        assert (target / f"{section}.html").is_file(), section
    from bs4 import BeautifulSoup

    index = BeautifulSoup((target / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.select(".ccsp-failed") == [] and "failed" not in index.get_text().lower()


def test_no_page_has_an_empty_table(public_report):
    from bs4 import BeautifulSoup

    from ccsp_analysis.params import ALL_SECTIONS

    _proc, target = public_report
    empty = []
    for page in [*ALL_SECTIONS, "index", "10_appendix"]:
        soup = BeautifulSoup((target / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        tables = soup.find_all("table")
        empty += [(page, t.caption.get_text(strip=True) if t.caption else "") for t in tables if not t.select("tbody tr")]
    assert empty == []


def test_pages_say_what_police_uk_cannot_show(public_report):
    _proc, target = public_report
    p1 = (target / "03_priority_1.html").read_text(encoding="utf-8")
    assert ("Domestic abuse needs the partner crime extract (sources.partner_crimes, docs/data.md) with its "
            "domestic-abuse flag; it is not in police.uk data.") in p1
    assert p1.count("Domestic abuse needs the partner crime extract") == 1
    kf = (target / "01_key_findings.html").read_text(encoding="utf-8")
    assert "Crime figures here are police.uk street-level crimes" in kf and "Crimes by police.uk category" in kf
    survey = (target / "07_survey.html").read_text(encoding="utf-8")
    assert "(sources.survey, docs/data.md)" in survey
    figures = (target / "tables" / "figures.csv").read_text().splitlines()
    assert figures[0] == "id,value" and any(line.startswith("trc,") for line in figures)
