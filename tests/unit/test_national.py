"""Every partnership's headline measures in one pass (ccsp_analysis.national), on a hand-made fixture.

Two forces, three districts, two partnerships. Partnership "Alpha" (force-a) is districts E06900001
(small areas X01000001 with 1,000 residents, X01000002 with 1,000) and E06900002 (X01000003, 2,000);
"Beta" (force-b) is E06900003 (X01000004, 500). The street rows below are numbered; expected values
are counted by hand from them (comments say which rows), never by running the code under test.

Every row is counted as published (the dataset's rule for police.uk street data), repeated Crime
IDs and identical rows included.

force-a, 2023-04: 1 a1 X01000001 Burglary; 2 the same row again (repeated Crime ID: counted);
  3 ASB X01000002; 4 the same ASB row again (identical rows: both counted); 5 a2 no location
  Robbery (dropped: no LSOA code); 6 a3 X01000004 Shoplifting (Beta's area, in force-a's file:
  outside force-a's partnerships, and not Beta's either, whose own read takes force-b's files only);
  7 a4 X01000003 Vehicle crime; 8 a5 X01000003 Violence and sexual offences.
force-a, 2023-05: 9 a1 X01000003 Burglary (Crime ID of row 1 again, in the other district:
  counted there); 10 a6 X01000001 Shoplifting.
force-a, 2022-04: 11 b1 X01000001 Burglary; 12 ASB X01000001.
force-a, every other month of 2022-23 and 2023-24: one ASB row with no location (21 rows, dropped),
  so the force's files cover both years.
force-b, 2023-04 only: 13 c1 X01000004 Drugs; 14 c2 X01000001 Burglary (Alpha's area, force-b's
  file: not counted); 15 ASB X01000004.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ccsp_analysis import national, taxonomy
from ccsp_analysis.errors import DataError
from ccsp_analysis.national import Partnership
from ccsp_analysis.schemas import POLICE_STREET_HEADER
from ccsp_analysis.sources import police_uk

ASB = "Anti-social behaviour"
LOOKUP = pd.DataFrame({
    "lsoa_code": ["X01000001", "X01000002", "X01000003", "X01000004"],
    "lsoa_name": ["A 001A", "A 001B", "B 001A", "C 001A"],
    "ward_code": ["E05900001", "E05900001", "E05900002", "E05900003"],
    "ward_name": ["W1", "W1", "W2", "W3"],
    "lad_code": ["E06900001", "E06900001", "E06900002", "E06900003"],
    "lad_name": ["A", "A", "B", "C"],
})  # fmt: skip
POPULATION = pd.DataFrame({"lsoa_code": LOOKUP["lsoa_code"], "population": [1000, 1000, 2000, 500]})
ALPHA = Partnership("Alpha", "force-a", ("E06900001", "E06900002"))
BETA = Partnership("Beta", "force-b", ("E06900003",))


def row(crime_id: str, month: str, force: str, lsoa: str, crime_type: str) -> str:
    placed = bool(lsoa)
    return ",".join([
        crime_id, month, force, force, "-1.5" if placed else "", "52.4" if placed else "",
        "On or near High Street" if placed else "No Location", lsoa, f"Name of {lsoa}" if placed else "",
        crime_type, "" if crime_type == ASB else "Under investigation", "",
    ])  # fmt: skip


def write(root: Path, force: str, month: str, rows: list[tuple[str, str, str]]) -> None:
    folder = root / month
    folder.mkdir(parents=True, exist_ok=True)
    lines = [",".join(POLICE_STREET_HEADER)] + [row(i, month, force, lsoa, t) for i, lsoa, t in rows]
    (folder / f"{month}-{force}-street.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture()
def police(tmp_path: Path) -> Path:
    root = tmp_path / "police"
    a = {
        "2023-04": [("a1", "X01000001", "Burglary"), ("a1", "X01000001", "Burglary"), ("", "X01000002", ASB),
                    ("", "X01000002", ASB), ("a2", "", "Robbery"), ("a3", "X01000004", "Shoplifting"),
                    ("a4", "X01000003", "Vehicle crime"), ("a5", "X01000003", "Violence and sexual offences")],
        "2023-05": [("a1", "X01000003", "Burglary"), ("a6", "X01000001", "Shoplifting")],
        "2022-04": [("b1", "X01000001", "Burglary"), ("", "X01000001", ASB)],
    }  # fmt: skip
    for month in national.months_of("2022-23", "2023-24"):
        write(root, "force-a", month, a.get(month, [("", "", ASB)]))
    write(root, "force-b", "2023-04", [("c1", "X01000004", "Drugs"), ("c2", "X01000001", "Burglary"),
                                       ("", "X01000004", ASB)])
    return root


def one_pass(police: Path) -> national.NationalCounts:
    return national.read_national(police, LOOKUP, [ALPHA, BETA], national.months_of("2022-23", "2023-24"))


def test_counts_by_partnership_district_year_and_category(police):
    counts = one_pass(police).counts
    expected = pd.DataFrame([
        ("Alpha", "E06900001", "2022-23", "Burglary", 1),  # row 11
        ("Alpha", "E06900001", "2022-23", "asb", 1),  # row 12
        ("Alpha", "E06900001", "2023-24", "Burglary", 2),  # rows 1-2, as published
        ("Alpha", "E06900001", "2023-24", "Shoplifting", 1),  # row 10
        ("Alpha", "E06900002", "2023-24", "Burglary", 1),  # row 9
        ("Alpha", "E06900002", "2023-24", "Vehicle crime", 1),  # row 7
        ("Alpha", "E06900002", "2023-24", "Violence and sexual offences", 1),  # row 8
        ("Alpha", "E06900001", "2023-24", "asb", 2),  # rows 3-4, both
        ("Beta", "E06900003", "2023-24", "Drugs", 1),  # row 13
        ("Beta", "E06900003", "2023-24", "asb", 1),  # row 15
    ], columns=national.COUNT_COLUMNS)  # fmt: skip
    key = national.COUNT_COLUMNS[:-1]
    got = counts.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(got, expected.sort_values(key, ignore_index=True), check_dtype=False)
    # District E06900002 has no ASB row: X01000002 (rows 3-4) is in E06900001.


def test_dropped_and_read_rows_per_force(police):
    result = one_pass(police)
    assert result.rows_read == {"force-a": 12 + 21, "force-b": 3}  # rows 1-12 and the fillers; rows 13-15
    dropped = result.dropped.set_index(["force", "reason"])["rows"].to_dict()
    assert dropped == {
        ("force-a", "no LSOA code"): 22,  # row 5 and the 21 no-location ASB rows
        ("force-a", "outside area"): 1,  # row 6
        ("force-b", "outside area"): 1,  # row 14
    }


def test_headline_measures(police):
    table = national.headline_measures(one_pass(police), [ALPHA, BETA], "2023-24", "2022-23", POPULATION, LOOKUP)
    alpha, beta = (table.set_index("partnership").loc[name] for name in ("Alpha", "Beta"))
    # crimes: rows 1, 2, 7, 8, 9, 10; before: row 11. ASB: rows 3, 4; before: row 12.
    assert (alpha["crimes"], alpha["crimes_previous"], alpha["asb"], alpha["asb_previous"]) == (6, 1, 2, 1)
    assert alpha["crimes_pct_change"] == pytest.approx(500.0)  # (6 - 1) / 1
    # Exact conditional test: 6 of 7 in the current year under p = 1/2, two-sided p = 2 * 8/128 = 0.125.
    assert alpha["crimes_direction"] == "STABLE"
    assert alpha["asb_pct_change"] == pytest.approx(100.0)
    assert alpha["population"] == 4000  # 1,000 + 1,000 + 2,000
    assert alpha["rate"] == pytest.approx(1.5)  # 6 / 4,000 * 1,000
    # Garwood 95% limits for 6 events (tables): 2.2019 and 13.0595, per 4,000 residents, * 1,000.
    assert alpha["rate_low"] == pytest.approx(2.2019 / 4, abs=1e-4)
    assert alpha["rate_high"] == pytest.approx(13.0595 / 4, abs=1e-4)
    assert (alpha["largest_category"], alpha["largest_count"]) == ("Burglary", 3)  # rows 1, 2, 9
    assert (alpha["trc"], alpha["acquisitive"], alpha["burglary"], alpha["vehicle"], alpha["shoplifting"]) == (
        6, 5, 3, 1, 1)  # acquisitive: burglary, vehicle crime and shoplifting (rows 1, 2, 9, 7, 10)
    assert (alpha["robbery"], alpha["drugs"]) == (0, 0)  # row 5 (robbery) had no location
    # force-b's files cover April 2023 only: no change is given.
    assert (beta["crimes"], beta["asb"], beta["population"], beta["rate"]) == (1, 1, 500, pytest.approx(2.0))
    assert pd.isna(beta["crimes_previous"]) and pd.isna(beta["crimes_pct_change"]) and pd.isna(beta["asb_direction"])
    assert (beta["largest_category"], beta["drugs"], beta["trc"]) == ("Drugs", 1, 1)


def test_one_pass_equals_a_read_per_partnership(police):
    """The counts of one pass equal those of the reader's own read for each partnership alone."""
    counts = one_pass(police).counts
    lsoa_district = LOOKUP.set_index("lsoa_code")["lad_code"]
    for p in (ALPHA, BETA):
        codes = LOOKUP.loc[LOOKUP["lad_code"].isin(p.lad_codes), "lsoa_code"]
        street, _ = police_uk.read_street_with_log(police, lsoa_codes=codes, forces=[p.force])
        alone = national.count_street_rows(street, lsoa_district[lsoa_district.isin(p.lad_codes)],
                                           pd.Series(p.name, index=list(p.lad_codes)))
        mine = counts[counts["partnership"] == p.name].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, mine, check_dtype=False)


def test_street_groupings_are_the_countable_ones():
    groupings = national.street_groupings()
    # the taxonomy's list, in its order, and each of them countable on street data by the taxonomy's own rule
    assert tuple(groupings) == taxonomy.STREET_GROUPINGS
    assert set(groupings) == {n for n in taxonomy.GROUPINGS if taxonomy.street_countable(n)}
    assert groupings["trc"] == ()
    assert "domestic_abuse" not in groupings and "hate_crime" not in groupings  # need the partner extract
    assert groupings["acquisitive"] == ("Robbery", "Burglary", "Vehicle crime", "Theft from the person",
                                        "Bicycle theft", "Shoplifting", "Other theft")


def test_unknown_district_and_district_in_two_partnerships(police):
    months = national.months_of("2023-24")
    with pytest.raises(DataError, match="district E06999999 of partnership 'Gamma' is not in the LSOA lookup"):
        national.read_national(police, LOOKUP, [Partnership("Gamma", "force-a", ("E06999999",))], months)
    with pytest.raises(DataError, match=r"district E06900003 is in two partnerships \('Beta' and 'Delta'\)"):
        national.read_national(police, LOOKUP, [BETA, Partnership("Delta", "force-b", ("E06900003",))], months)


def test_partnerships_from_table():
    table = pd.DataFrame({"partnership": ["Alpha"], "force": ["force-a"], "lad_codes": ["E06900001; E06900002"]})
    assert national.partnerships_from_table(table) == [ALPHA]


def test_months_of():
    assert national.months_of("2023-24")[0] == "2023-04" and national.months_of("2023-24")[-1] == "2024-03"
    assert len(national.months_of("2022-23", "2023-24")) == 24


def test_an_archive_zip_gives_the_same_counts(police, tmp_path):
    """A data.police.uk archive (read in place) gives what the folder gives."""
    import zipfile

    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(police.rglob("*.csv")):
            zf.write(path, path.relative_to(police.parent).as_posix())
    months = national.months_of("2022-23", "2023-24")
    from_zip = national.read_national(archive, LOOKUP, [ALPHA, BETA], months)
    pd.testing.assert_frame_equal(from_zip.counts, one_pass(police).counts)
    assert from_zip.rows_read == one_pass(police).rows_read


def test_largest_category_ties_go_to_the_first_alphabetically_and_no_crime_gives_none():
    counts = pd.DataFrame([
        ("Alpha", "E06900001", "2023-24", "Vehicle crime", 2),
        ("Alpha", "E06900002", "2023-24", "Burglary", 2),
        ("Alpha", "E06900001", "2023-24", "asb", 5),
    ], columns=national.COUNT_COLUMNS)  # fmt: skip
    result = national.NationalCounts(counts, {}, pd.DataFrame(), {})
    gamma = Partnership("Gamma", "force-c", ("E06900009",))
    table = national.headline_measures(result, [ALPHA, gamma], "2023-24").set_index("partnership")
    assert (table.loc["Alpha", "largest_category"], table.loc["Alpha", "largest_count"]) == ("Burglary", 2)
    assert (table.loc["Alpha", "crimes"], table.loc["Alpha", "asb"]) == (4, 5)
    assert pd.isna(table.loc["Gamma", "largest_category"]) and table.loc["Gamma", "crimes"] == 0
    assert pd.isna(table.loc["Alpha", "rate"])  # no population given
