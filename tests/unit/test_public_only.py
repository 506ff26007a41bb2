"""Public data only: police.uk street files and the ONS lookup and population, every partner source null.

Every section computes, no table is empty, each grouping police.uk cannot give is one sentence naming
the extract that would, and the police.uk groupings count what the street table holds (counted here
independently with plain pandas).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ccsp_analysis import dataset
from ccsp_analysis.params import load_params
from ccsp_analysis.sections.data_audit import data_audit
from ccsp_analysis.sections.registry import REGISTRY, compute_sections
from ccsp_analysis.taxonomy import EXTRACTS, GROUPINGS, NEEDS, street_countable

ROOT = Path(__file__).resolve().parents[2]
#: Every input beyond police.uk, the LSOA-to-ward lookup and Census 2021 population (by age too).
PARTNER = ["partner_crimes", "police_asb", "council_asb", "fly_tipping", "da_referrals", "non_crime_incidents", "survey",
           "reoffending", "funding", "nrm_referrals", "most_similar_group", "published_figures", "mid_year_estimates",
           "census_2011", "imd", "ward_boundaries"]
#: Sections that are only disclosure control's log when empty: it is present by contract (people.new_result) and its
#: page says "No cells were hidden." instead of an empty table (presentation.tables.shown).
ALWAYS_PRESENT = {"suppression_log"}


def public_params(**sources):
    params = load_params(ROOT / "params" / "2023-24.yaml")
    return params.model_copy(update={"sources": params.sources.model_copy(update={k: None for k in PARTNER} | sources)})


@pytest.fixture(scope="module")
def public_run(demo_dir):
    params = public_params()
    data = dataset.load(params)
    results, errors = compute_sections(data, params, list(REGISTRY))
    return data, params, results, errors


def said(result) -> list[str]:
    """Every sentence a section gives: its sentences and the sentences of its tables (not the ``sentences`` copy)."""
    out = list(result.sentences)
    for name, table in result.tables.items():
        if name != "sentences" and "sentence" in table.columns:
            out += [s for s in table["sentence"] if isinstance(s, str) and s not in out]
    return out


def test_every_input_the_sections_can_need_is_listed():
    assert set(PARTNER) == set(EXTRACTS)  # the test nulls exactly the inputs a sentence can name
    assert {n.source for n in NEEDS.values()} <= set(EXTRACTS)


def test_every_section_computes_with_public_data_only(public_run):
    _data, _params, results, errors = public_run
    assert errors == {}
    assert set(results) == set(REGISTRY)


def test_no_section_returns_an_empty_table(public_run):
    _data, _params, results, _errors = public_run
    empty = [(n, t) for n, r in results.items() for t, frame in r.tables.items()
             if frame.empty and t not in ALWAYS_PRESENT]
    assert empty == []
    # on public data nothing about people is counted small, so every priority's log is empty: shown as a sentence
    assert all(r.tables["suppression_log"].empty for n, r in results.items() if "suppression_log" in r.tables)


def test_each_partner_only_grouping_is_one_sentence_naming_its_extract(public_run):
    _data, _params, results, _errors = public_run
    partner_only = [n for n in GROUPINGS if not street_countable(n)]
    assert {"domestic_abuse", "vawg", "serious_youth_violence", "hate_crime", "county_lines"} <= set(partner_only)
    mentioned = set()
    for section, result in results.items():
        sentences = said(result)
        for name in partner_only:
            label = GROUPINGS[name].label
            hits = [s for s in sentences if s.startswith(f"{label} needs ")]
            assert len(hits) <= 1, (section, label, hits)
            if hits:
                mentioned.add(name)
                assert "(sources.partner_crimes, docs/data.md)" in hits[0] and hits[0].endswith("it is not in police.uk data.")
            # never a count of a grouping the data cannot give (e.g. "Domestic abuse fell by ...")
            assert not [s for s in sentences if re.match(rf"{re.escape(label)} (rose|fell|was unchanged)", s)], (section, label)
    # every partner-only grouping a page reports on Coventry's data is named somewhere
    assert {"domestic_abuse", "vawg", "serious_youth_violence", "sexual_offences", "hate_crime", "county_lines", "cse",
            "modern_slavery", "honour_based_abuse", "alcohol_related", "serious_violence"} <= mentioned
    sentence = ("Domestic abuse needs the partner crime extract (sources.partner_crimes, docs/data.md) with its "
                "domestic-abuse flag; it is not in police.uk data.")
    assert sentence in results["03_priority_1"].sentences


def test_partner_only_sub_sections_name_their_extract(public_run):
    _data, _params, results, _errors = public_run
    expected = {"07_survey": "survey", "09_reconciliation": "published_figures", "04_priority_2": "fly_tipping",
                "05_priority_3": "nrm_referrals", "02_city_profile": "imd"}
    for section, source in expected.items():
        hits = [s for s in said(results[section]) if f"(sources.{source}, docs/data.md)" in s]
        assert len(hits) == 1, (section, hits)
    # without a most similar group the performance page computes one from public data, or says why it cannot
    # (docs/methods.md, 'Computed peer group')
    assert any("most similar group" in s for s in said(results["08_performance"]))
    assert "survey" not in results["07_survey"].tables and results["07_survey"].figures == []
    assert "reconciliation" not in results["09_reconciliation"].tables


def test_police_uk_groupings_count_the_street_table(public_run):
    data, params, results, _errors = public_run
    street = data.street
    fy, prev = params.period, params.comparison
    # counted independently: street rows of the year by police.uk category (every row as published)
    crimes = street[street["crime_type"] != "Anti-social behaviour"]
    by_type = {y: crimes.loc[crimes["fy"] == y, "crime_type"].value_counts() for y in (fy, prev)}
    asb = street.loc[street["crime_type"] == "Anti-social behaviour", "fy"].value_counts()
    expected = {
        "trc": lambda y: int(by_type[y].sum()),
        "violence_sexual": lambda y: int(by_type[y]["Violence and sexual offences"]),
        "burglary": lambda y: int(by_type[y]["Burglary"]),
        "robbery": lambda y: int(by_type[y]["Robbery"]),
        "vehicle": lambda y: int(by_type[y]["Vehicle crime"]),
        "shoplifting": lambda y: int(by_type[y]["Shoplifting"]),
        "theft": lambda y: int(by_type[y][["Other theft", "Theft from the person", "Bicycle theft"]].sum()),
        "criminal_damage": lambda y: int(by_type[y]["Criminal damage and arson"]),
        "drugs": lambda y: int(by_type[y]["Drugs"]),
        "weapons": lambda y: int(by_type[y]["Possession of weapons"]),
        "public_order": lambda y: int(by_type[y]["Public order"]),
        "other_crime": lambda y: int(by_type[y]["Other crime"]),
        "asb": lambda y: int(asb[y]),
    }
    changes = results["01_key_findings"].tables["changes"].set_index("measure")
    for measure, count in expected.items():
        assert (changes.loc[measure, "current"], changes.loc[measure, "previous"]) == (count(fy), count(prev)), measure
    assert expected["trc"](fy) > 30_000  # the demo year, not an empty frame
    # the offence mix is every police.uk crime category of the year, adding up to the total
    mix = results["01_key_findings"].tables["offence_mix"].set_index("offence")["current"]
    assert mix.to_dict() == {k: int(v) for k, v in by_type[fy].items()}
    # the areas and priority pages count the same crimes
    assert int(results["06_areas"].tables["wards"]["current"].sum()) == expected["trc"](fy)
    p1 = results["03_priority_1"].tables["changes"].set_index("measure")
    assert int(p1.loc["violence_sexual", "current"]) == expected["violence_sexual"](fy)
    assert int(results["04_priority_2"].tables["asb_wards"]["current"].sum()) == expected["asb"](fy)
    for section in ("00_data_audit", "01_key_findings", "02_city_profile", "03_priority_1", "04_priority_2", "06_areas"):
        assert any(s.startswith("Crime figures here are police.uk street-level crimes") for s in results[section].sentences), section


def test_exceptions_and_projection_come_from_police_uk(public_run):
    _data, _params, results, _errors = public_run
    perf = results["08_performance"]
    assert set(perf.tables["spc_summary"]["measure"]) == {"trc", "shoplifting", "asb"}
    assert list(perf.tables["projection_backtest"]["measure"]) == ["Total recorded crime", "Shoplifting"]
    plan = said(perf)
    assert sum("(sources.da_referrals, docs/data.md)" in s for s in plan) == 1


def test_coventry_with_every_extract_says_nothing_is_missing(demo_dir):
    params = load_params(ROOT / "params" / "2023-24.yaml")
    results, errors = compute_sections(dataset.load(params), params, ["01_key_findings", "03_priority_1", "05_priority_3"])
    assert errors == {}
    assert not [s for r in results.values() for s in said(r) if "(sources.partner_crimes" in s]


# -- a public-only input with the quirks of real police.uk files ------------------------------------------------

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context")
WMP = "West Midlands Police"


def _row(crime_id: str, lsoa: str, name: str, crime_type: str, location="On or near Park Road", lon="-1.51", lat="52.40") -> str:
    outcome = "" if crime_type == "Anti-social behaviour" else "Under investigation"
    return f"{crime_id},2023-04,{WMP},{WMP},{lon},{lat},{location},{lsoa},{name},{crime_type},{outcome},"


@pytest.fixture()
def quirky(tmp_path, demo_dir):
    """One month of West Midlands street rows (and a Warwickshire file) with every quirk of the real files.

    West Midlands file, 10 rows:
      1-2  Crime ID "a"*64, Burglary in X01000001: the same row twice (a repeated ID, fully identical rows)
      3    Crime ID "b"*64, Burglary in X01000002 (kept)
      4    Crime ID "b"*64 again, Robbery in X01000002 (the ID repeated on a different row)
      5    Crime ID "c"*64, Shoplifting in X01000003
      6-7  two identical anti-social behaviour rows in X01000003 (no ID: separate incidents)
      8    an anti-social behaviour row with no location (blank LSOA code)
      9    a crime with no location (blank LSOA code)
      10   Crime ID "d"*64, Vehicle crime in Solihull Synthetic 001A (X01900001): a neighbouring district
    Warwickshire file: one Burglary in X01000001 (another force's file: not read for a West Midlands area).
    """
    folder = tmp_path / "police_uk" / "2023-04"
    folder.mkdir(parents=True)
    a, b, c, d = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
    rows = [_row(a, "X01000001", "Coventry Synthetic 001A", "Burglary"),
            _row(a, "X01000001", "Coventry Synthetic 001A", "Burglary"),
            _row(b, "X01000002", "Coventry Synthetic 001B", "Burglary"),
            _row(b, "X01000002", "Coventry Synthetic 001B", "Robbery"),
            _row(c, "X01000003", "Coventry Synthetic 001C", "Shoplifting"),
            _row("", "X01000003", "Coventry Synthetic 001C", "Anti-social behaviour"),
            _row("", "X01000003", "Coventry Synthetic 001C", "Anti-social behaviour"),
            _row("", "", "", "Anti-social behaviour", location="No location", lon="", lat=""),
            _row("e" * 64, "", "", "Drugs", location="No location", lon="", lat=""),
            _row(d, "X01900001", "Solihull Synthetic 001A", "Vehicle crime")]
    (folder / "2023-04-west-midlands-street.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    (folder / "2023-04-warwickshire-street.csv").write_text(
        "\n".join([HEADER, _row("f" * 64, "X01000001", "Coventry Synthetic 001A", "Burglary")]) + "\n", encoding="utf-8")
    params = public_params(police_uk=tmp_path / "police_uk")
    return dataset.build(params), params


def test_police_uk_quirks_are_counted_as_published_reported_and_left_out(quirky):
    data, params = quirky
    # the street table keeps the area's rows as published: rows 1-7 (the no-location rows, Solihull and Warwickshire are out)
    assert len(data.street) == 7
    # crimes: every crime row as police.uk publishes it -- a, a, b, b, c -> 5 (Burglary 3, Robbery 1, Shoplifting 1)
    assert len(data.crimes) == 5
    assert data.crimes["police_category"].value_counts().to_dict() == {"Burglary": 3, "Robbery": 1, "Shoplifting": 1}
    # the two identical ASB rows are two incidents
    assert len(data.asb) == 2
    # the data audit: no location and outside the area, by reason (the Warwickshire file is not read at all)
    dropped = data.audit[data.audit["rows_dropped"] > 0].groupby("reason")["rows_dropped"].sum().to_dict()
    assert dropped == {"no LSOA code": 2, "outside area": 1}
    audit = data_audit(data, params)
    repeated = audit.tables["repeated_rows"].iloc[0]
    # a repeated twice (rows 1-2) and b twice (rows 3-4): 2 IDs on 4 rows; identical: row 2 and row 7
    assert (repeated["rows"], repeated["repeated_crime_ids"], repeated["rows_with_repeated_ids"],
            repeated["identical_rows"]) == (7, 2, 4, 2)
    assert ("2 Crime IDs appear on more than one police.uk row (2 rows beyond the first); every row is counted as "
            "police.uk publishes it, so the crimes here may count a few crimes twice (the table of repeated rows below "
            "gives them month by month).") in audit.sentences
    checks = audit.tables["checks"].set_index("check")["passed"]
    assert "no crime reference appears twice" not in checks.index  # police.uk repeats IDs: reported, not failed
    dropped_table = audit.tables["dropped"].set_index("reason")["rows_dropped"].to_dict()
    assert dropped_table == {"no LSOA code": 2, "outside area": 1}
    assert not (pd.Series(data.street["lsoa_code"]).isna().any())
