"""Tests for sections.areas on small hand-built datasets, on the demo data and with real ward boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats as sps

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import load_params
from ccsp_analysis.presentation import maps
from ccsp_analysis.sections import areas as ar

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def params():
    return load_params(ROOT / "params" / "2023-24.yaml", check_files=False)


def make_data(boundaries: pd.DataFrame | None = None) -> Dataset:
    """Wards A (LSOAs a1, a2), B (b1), C (c1, no crime in either year); 1,000 residents per LSOA.

    2023-24: a1 30, a2 10, b1 20 (total 60); 2022-23: a1 30, a2 30, b1 20 (total 80).
    """
    pop = pd.DataFrame(
        {
            "lsoa_code": ["a1", "a2", "b1", "c1"],
            "lsoa_name": ["A 1", "A 2", "B 1", "C 1"],
            "ward_code": ["WA", "WA", "WB", "WC"],
            "ward_name": ["Alder", "Alder", "Birch", "Cedar"],
            "population": [1000] * 4,
        }
    )
    cells = {
        ("a1", "2023-24"): 30,
        ("a2", "2023-24"): 10,
        ("b1", "2023-24"): 20,
        ("a1", "2022-23"): 30,
        ("a2", "2022-23"): 30,
        ("b1", "2022-23"): 20,
    }
    rows = [(lsoa, fy) for (lsoa, fy), n in cells.items() for _ in range(n)]
    crimes = pd.DataFrame(rows, columns=["lsoa_code", "fy"]).merge(
        pop[["lsoa_code", "ward_code", "ward_name"]]
    )
    return Dataset(
        tables={
            "geography": pop.drop(columns="population"),
            "population": pop,
            "crimes": crimes,
            "boundaries": pd.DataFrame() if boundaries is None else boundaries,
        },
        key="test",
    )


def test_ward_table_keeps_the_ward_with_no_crime(params):
    table = ar.ward_table(make_data(), params).set_index("ward_name")
    assert table.index.tolist() == ["Alder", "Birch", "Cedar"]  # ranked by volume: 40, 20, 0
    assert table["rank"].tolist() == [1, 2, 3]
    # Alder 40 of 60 = 66.7%; 40 per 2,000 residents = 20.0 per 1,000; 40 against 60 = -33.3%
    assert table.loc["Alder", ["current", "previous"]].tolist() == [40, 60]
    assert table.loc["Alder", "share"] == pytest.approx(200 / 3)
    assert table.loc["Alder", "rate"] == pytest.approx(20.0)
    assert table.loc["Alder", "pct_change"] == pytest.approx(-100 / 3)
    # exact conditional test: 40 of 100 under Binomial(100, 0.5), two-sided
    assert table.loc["Alder", "p_value"] == pytest.approx(sps.binomtest(40, 100).pvalue)
    assert table.loc["Alder", "p_value"] == pytest.approx(
        0.0569, abs=1e-4
    )  # > 0.05: not significant
    assert table.loc["Alder", "direction"] == "STABLE"
    # Birch 20 against 20: unchanged
    assert table.loc["Birch", ["current", "previous", "direction"]].tolist() == [20, 20, "STABLE"]
    # Cedar: none in either year: share 0, rate 0, p = 1, STABLE, no percentage change
    cedar = table.loc["Cedar"]
    assert (cedar["current"], cedar["previous"], cedar["share"], cedar["rate"]) == (0, 0, 0.0, 0.0)
    assert (cedar["p_value"], cedar["direction"]) == (1.0, "STABLE")
    assert pd.isna(cedar["pct_change"])


def test_lsoa_counts_include_zeros(params):
    assert ar.lsoa_counts(make_data(), params).to_dict() == {"a1": 30, "a2": 10, "b1": 20, "c1": 0}


def test_concentration_figures(params):
    result = ar.areas(make_data(), params)
    figures = {f["id"]: f for f in result.figures}
    # counts sorted ascending 0, 10, 20, 30 (n = 4, total 60): G = 2 x (1x0 + 2x10 + 3x20 + 4x30) / (4 x 60) - 5/4
    #   = 2 x 200 / 240 - 1.25 = 0.416667 -> 0.417
    assert figures["gini_lsoa"]["value"] == 0.417 and figures["gini_lsoa"]["kind"] == "rate"
    # top 20% of 4 areas = 0.8 -> 1 area (a1, 30 of 60) = 50.0%
    assert figures["top20pct_lsoa_share"]["value"] == 50.0
    assert "The top 25.0% of small areas (1 of 4) hold 50.0% of recorded crime." in " ".join(
        result.sentences
    )
    # key findings already publishes the ward figures; this section must not repeat them
    assert not any(f["id"].startswith("ward_") for f in result.figures)


def test_hotspots(params):
    spots = ar.hotspots(make_data(), params, n=2)
    assert spots["lsoa_code"].tolist() == ["a1", "b1"]
    assert spots["ward_name"].tolist() == ["Alder", "Birch"]
    # a1: 30 of 60 = 50%; 30 per 1,000 residents
    assert spots["share"].iloc[0] == pytest.approx(50.0) and spots["rate"].iloc[0] == pytest.approx(
        30.0
    )


def test_sentences_count_significant_wards(params):
    text = " ".join(ar.areas(make_data(), params).sentences)
    assert (
        "Alder, the ward with most recorded crime, accounted for 66.7% of total recorded crime (40 of 60)."
        in text
    )
    # Alder p = 0.0569, Birch and Cedar p = 1: nothing significant either way
    assert ("Recorded crime rose significantly in 0 of 3 wards, fell significantly in 0 and showed no statistically "
            "significant change in 3, after correcting for testing 3 wards at once (Benjamini–Hochberg, false "
            "discovery rate 5%).") in text
    assert "own test" not in text  # the correction changed nothing, so nothing more is said


def four_wards() -> Dataset:
    """Wards A 30 v 10, B 15 v 5, C 10 v 10 and D (no crime in either year), one LSOA and 1,000 residents each."""
    pop = pd.DataFrame({"lsoa_code": ["a", "b", "c", "d"], "lsoa_name": list("abcd"), "ward_code": ["WA", "WB", "WC", "WD"],
                        "ward_name": ["A", "B", "C", "D"], "population": [1000] * 4})
    cells = {("a", "2023-24"): 30, ("a", "2022-23"): 10, ("b", "2023-24"): 15, ("b", "2022-23"): 5,
             ("c", "2023-24"): 10, ("c", "2022-23"): 10}
    rows = [(lsoa, fy) for (lsoa, fy), n in cells.items() for _ in range(n)]
    crimes = pd.DataFrame(rows, columns=["lsoa_code", "fy"]).merge(pop[["lsoa_code", "ward_code", "ward_name"]])
    return Dataset(tables={"geography": pop.drop(columns="population"), "population": pop, "crimes": crimes,
                           "boundaries": pd.DataFrame()}, key="test")


def test_significant_wards_are_counted_after_benjamini_hochberg(params):
    result = ar.areas(four_wards(), params)
    table = result.tables["wards"].set_index("ward_name")
    # Each ward's own exact test (binomtest of c in c + p at 1/2): A 30/40 p = 0.002221 UP, B 15/20 p = 0.041389 UP,
    # C 10/20 p = 1, D 0 against 0 p = 1. BH over all 4 wards (D included): sorted 0.002221 <= 0.05 x 1/4 = 0.0125
    # yes; 0.041389 <= 0.05 x 2/4 = 0.025 no; 1 no; 1 no -> only A. B's adjusted p = 4 x 0.041389 / 2 = 0.082779.
    assert table["direction"].to_dict() == {"A": "UP", "B": "UP", "C": "STABLE", "D": "STABLE"}
    assert table["significant_bh"].to_dict() == {"A": True, "B": False, "C": False, "D": False}
    assert table.loc["B", "q_value"] == pytest.approx(0.082779, abs=1e-6)
    text = " ".join(result.sentences)
    assert ("Recorded crime rose significantly in 1 of 4 wards, fell significantly in 0 and showed no statistically "
            "significant change in 3, after correcting for testing 4 wards at once (Benjamini–Hochberg, false "
            "discovery rate 5%).") in text
    assert "Each ward's own test (the direction of travel in the table) finds 2 significant rises and 0 significant falls" in text


def test_ward_and_hotspot_rates_use_the_mid_year_estimate(params):
    data = four_wards()
    # a mid-2023 estimate of 5,000 for the area: Census 2021 4,000 scaled by 1.25 (1,250 per ward and small area)
    data.tables["mid_year"] = pd.DataFrame({"lad_code": "E08000026", "year": [2023], "sex": ["M"], "age": [40],
                                            "population": [5000]})
    result = ar.areas(data, params)
    table = result.tables["wards"].set_index("ward_name")
    # A: 30 / 1,250 x 1,000 = 24.0; the area: 55 / 5,000 x 1,000 = 11.0
    assert table.loc["A", "rate"] == pytest.approx(24.0) and table.loc["A", "population"] == pytest.approx(1250.0)
    assert result.tables["area_rate"]["rate"].iloc[0] == pytest.approx(11.0)
    assert result.tables["hotspots"].set_index("lsoa_code").loc["a", "rate"] == pytest.approx(24.0)
    assert ("Rates per 1,000 residents use the ONS mid-2023 population estimate for Coventry (5,000); ward and "
            "small-area rates use Census 2021 usual residents scaled to it (× 1.2500)") in " ".join(result.sentences)


def square(code: str, name: str, x: float) -> dict:
    ring = [[x, 52.4], [x + 0.01, 52.4], [x + 0.01, 52.41], [x, 52.41], [x, 52.4]]
    return {
        "code": code,
        "name": name,
        "geometry": json.dumps({"type": "Polygon", "coordinates": [ring]}),
    }


def test_ward_map_is_a_ward_chart_without_boundaries(params):
    data = make_data()
    chart = maps.ward_map(
        data.boundaries, ar.ward_table(data, params), "rate", "Rate", "Crimes per 1,000", reference=15.0
    )
    assert chart.alt.startswith("Bar chart of Rate by ward")
    assert chart.figure.axes[0].get_xlabel() == "Crimes per 1,000"


def test_ward_map_is_a_choropleth_with_boundaries(params):
    data = make_data(
        pd.DataFrame(
            [
                square("WA", "Alder", -1.5),
                square("WB", "Birch", -1.49),
                square("WC", "Cedar", -1.48),
            ]
        )
    )
    chart = maps.ward_map(data.boundaries, ar.ward_table(data, params), "rate", "Rate", "Crimes per 1,000")
    # rates: Alder 40 / 2,000 = 20, Birch 20 / 1,000 = 20, Cedar 0
    assert chart.alt.startswith("Map of Rate across 3 areas")
    assert "Lowest: Cedar 0" in chart.alt


def test_no_crime_at_all(params):
    data = make_data()
    data.tables["crimes"] = data.crimes.iloc[0:0]
    result = ar.areas(data, params)
    assert result.tables["wards"]["current"].tolist() == [0, 0, 0]
    assert result.sentences[0] == "No crime was recorded in any ward this year."
    assert [f["id"] for f in result.figures] == ["gini_lsoa"]  # no share of nothing
    assert result.tables["hotspots"].empty


@pytest.fixture(scope="module")
def demo_data(demo_dir):
    from ccsp_analysis import dataset

    demo_params = load_params(ROOT / "params" / "2023-24.yaml")
    return demo_params, dataset.load(demo_params)


def test_demo_areas_agree_with_published_wards(demo_data, published):
    demo_params, data = demo_data
    result = ar.areas(data, demo_params)
    wards = result.tables["wards"].set_index("ward_name")
    names = {"ward_st_michaels": "St Michael's", "ward_foleshill": "Foleshill"}
    for fig in published["strategic_assessment_2023_24"]["areas"]:
        stem, what = fig["id"].rsplit("_", 1)
        ward = names[stem]
        if what == "trc":
            assert wards.loc[ward, "current"] == fig["value"]
        elif fig.get("status") == "inconsistent":  # 8,209 / 38,508 = 21.3%, not the published 31%
            assert round(wards.loc[ward, "share"], 1) != fig["value"]
        else:
            assert round(wards.loc[ward, "share"], 1) == fig["value"]
    # the new figures, checked against the LSOA counts directly
    counts = ar.lsoa_counts(data, demo_params).sort_values(ascending=False)
    k = int(len(counts) * 0.2 + 0.5)
    figures = {f["id"]: f["value"] for f in result.figures}
    assert figures["top20pct_lsoa_share"] == round(counts.iloc[:k].sum() / counts.sum() * 100, 1)
    assert 0 < figures["gini_lsoa"] < 1
    assert (
        len(result.tables["hotspots"]) == 10
        and result.tables["hotspots"]["ward_name"].notna().all()
    )


def test_real_ward_boundaries_through_the_dataset(shared_data, demo_data):
    from ccsp_analysis import dataset

    base, _ = demo_data
    map_params = base.model_copy(
        update={
            "sources": base.sources.model_copy(
                update={"ward_boundaries": shared_data / "boundaries" / "coventry_wards.geojson"}
            )
        }
    )
    data = dataset.load(map_params)
    chart = maps.ward_map(
        data.boundaries,
        ar.ward_table(data, map_params),
        "rate",
        "Recorded crime per 1,000 residents",
        "Crimes per 1,000 residents",
    )
    assert chart.alt.startswith("Map of Recorded crime per 1,000 residents across 18 areas")
    assert "No data" not in chart.alt  # the demo's ward codes are the real ones


def test_incomplete_periods_count_no_ward_as_changed(params):
    from ccsp_analysis import coverage

    with coverage.incomplete_periods("April 2023 to March 2024"):
        result = ar.areas(four_wards(), params)
    table = result.tables["wards"]
    assert (table["direction"] == "NOT COMPARED").all() and table["significant_bh"].isna().all()
    text = " ".join(result.sentences)
    assert "No ward's change on last year is reported, because the data miss months." in text
    assert "significantly" not in text


def test_the_page_says_which_small_areas_it_counts(params):
    """The areas page names the small areas its counts cover (the lookup's 4 here, counted by hand), so "x of N"
    is not read against the reconciliation's ONS count (fails on the old code, which said nothing of it)."""
    text = " ".join(ar.areas(make_data(), params).sentences)
    assert ("The small areas on this page are the 4 small areas (LSOA 2021) that the small-area lookup places in "
            f"{params.area.name} (sources.lsoa_ward_lookup).") in text
    assert "made-up" not in text  # real-looking codes: no demonstration caveat
    data = make_data()
    for name in ("geography", "population", "crimes"):
        data.tables[name]["lsoa_code"] = "X01" + data.tables[name]["lsoa_code"]
    said = " ".join(ar.areas(data, params).sentences)
    assert "4 small areas" in said and "made-up small areas, so their number is not the number of ONS" in said


@pytest.mark.parametrize("has_map", [False, True])
def test_no_map_heading_without_ward_boundaries(has_map):
    """Without ward boundaries the page has no "Map of ward rates" heading, only one sentence naming the file
    (fails on the old notebook, whose markdown heading stood over a bar chart)."""
    from ccsp_analysis import narrative
    from ccsp_analysis.presentation import tables

    heading, words = narrative.ward_map_text(has_map=has_map)
    shown = tables.paragraph(words, heading)._repr_html_()
    if has_map:
        assert shown.startswith("<h2>Map of ward rates</h2><p>")
    else:
        assert "<h2" not in shown and "Map of ward rates" not in shown
        assert shown == ("<p>A map of the wards needs the ward boundaries file (sources.ward_boundaries), which this "
                         "run does not have; the chart below ranks the wards&#x27; rates against the area&#x27;s "
                         "rate instead.</p>")
    page = ROOT / "notebooks" / "06_areas.ipynb"
    cells = json.loads(page.read_text(encoding="utf-8"))["cells"]
    assert not any("## Map of ward rates" in "".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert any('narrative.ward_map_text(has_map=not result.plots["boundaries"].empty)' in "".join(c["source"])
               for c in cells)
