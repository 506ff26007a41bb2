"""Tests for sources.police_uk: data.police.uk street and outcomes readers.

The committed fixture tests/fixtures/police/2023-04-west-midlands-street.csv has 6 rows (counted
by hand): line 2 Burglary Coventry 014A, line 3 ASB Coventry 010A, line 4 Vehicle crime
Birmingham 138A, line 5 ASB with no location, line 6 Violence Coventry 014B, line 7 Drugs
Solihull 004C. So: 2 ASB, 4 crimes; 3 rows in Coventry; 1 with no LSOA; 2 elsewhere.
"""

from __future__ import annotations

import logging
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import POLICE_STREET_HEADER
from ccsp_analysis.sources.police_uk import (
    find_archive_members,
    find_street_files,
    read_outcomes,
    read_street,
    read_street_with_log,
    split_asb,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "police"
STREET = FIXTURES / "2023-04-west-midlands-street.csv"
OUTCOMES = FIXTURES / "2023-04-west-midlands-outcomes.csv"
COLUMNS = [
    "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location",
    "lsoa_code", "lsoa_name", "crime_type", "last_outcome", "context", "is_asb", "source_file",
]  # fmt: skip


def street_rows(month: str, rows: list[tuple[str, str, str]]) -> str:
    """CSV text with the real header; rows are (lsoa_code, lsoa_name, crime_type)."""
    lines = [",".join(POLICE_STREET_HEADER)]
    for i, (code, name, crime_type) in enumerate(rows):
        crime_id = "" if crime_type == "Anti-social behaviour" else f"id{month}{i:04d}"
        lines.append(
            f"{crime_id},{month},Test Police,Test Police,-1.5,52.4,On or near X,{code},{name},{crime_type},,"
        )
    return "\n".join(lines) + "\n"


def write_month(root: Path, month: str, force: str, rows: list[tuple[str, str, str]]) -> Path:
    path = root / month / f"{month}-{force}-street.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(street_rows(month, rows), encoding="utf-8")
    return path


COV = ("E01009522", "Coventry 014A", "Burglary")
COV_ASB = ("E01009523", "Coventry 010A", "Anti-social behaviour")
BHAM = ("E01033620", "Birmingham 138A", "Drugs")


@pytest.fixture
def archive_tree(tmp_path: Path) -> Path:
    """Two months, two forces: 2023-04 wm 3 rows + warks 1 row; 2023-05 wm 2 rows + warks 1 row."""
    root = tmp_path / "police"
    write_month(root, "2023-05", "west-midlands", [COV, BHAM])
    write_month(root, "2023-04", "west-midlands", [COV, COV_ASB, BHAM])
    write_month(root, "2023-04", "warwickshire", [("E01031000", "Rugby 001A", "Robbery")])
    write_month(root, "2023-05", "warwickshire", [COV_ASB])
    (root / "2023-04" / "2023-04-west-midlands-stop-and-search.csv").write_text("x\n")
    return root


def test_single_file_columns_types_and_asb_split():
    frame = read_street(STREET)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 6
    assert str(frame["month"].dtype).startswith("datetime64")
    assert (frame["month"] == pd.Timestamp("2023-04-01")).all()
    assert frame["is_asb"].dtype == bool and frame["is_asb"].sum() == 2
    assert frame["longitude"].dtype == "float64" and pd.isna(frame["longitude"][3])
    assert pd.isna(frame["crime_id"][1]) and pd.isna(frame["context"][0])
    assert frame["location"][4] == "On or near Hertford Street, Precinct"
    assert set(frame["source_file"]) == {STREET.name}
    crimes, asb = split_asb(frame)
    assert (len(crimes), len(asb)) == (4, 2)
    assert asb["crime_type"].eq("Anti-social behaviour").all()
    assert list(crimes.index) == [0, 1, 2, 3]


def test_prefix_filter_and_drop_log():
    frame, log = read_street_with_log(STREET, lsoa_name_prefix="Coventry ")
    assert frame["lsoa_name"].tolist() == ["Coventry 014A", "Coventry 010A", "Coventry 014B"]
    assert list(log.columns) == ["source_file", "reason", "rows"]
    counts = dict(zip(log["reason"], log["rows"], strict=True))
    assert counts == {"no LSOA code": 1, "outside area": 2}
    assert (log["source_file"] == STREET.name).all()


def test_code_list_filter_and_union_with_prefix():
    frame, log = read_street_with_log(STREET, lsoa_codes=["E01009522", "E01010123"])
    assert frame["lsoa_name"].tolist() == ["Coventry 014A", "Solihull 004C"]
    assert dict(zip(log["reason"], log["rows"], strict=True)) == {
        "no LSOA code": 1,
        "outside area": 3,
    }
    both = read_street(STREET, lsoa_codes=["E01010123"], lsoa_name_prefix="Coventry ")
    assert len(both) == 4  # 3 Coventry rows + the listed Solihull one


def test_no_filter_means_empty_log():
    frame, log = read_street_with_log(STREET)
    assert len(frame) == 6 and log.empty and list(log.columns) == ["source_file", "reason", "rows"]


def test_folder_layout_any_force_sorted(archive_tree):
    files = find_street_files(archive_tree)
    assert [f.name for f in files] == [
        "2023-04-warwickshire-street.csv",
        "2023-04-west-midlands-street.csv",
        "2023-05-warwickshire-street.csv",
        "2023-05-west-midlands-street.csv",
    ]
    frame = read_street(archive_tree)
    assert len(frame) == 7  # 3 + 1 + 2 + 1 rows
    assert frame.groupby("source_file").size().to_dict() == {
        "2023-04-warwickshire-street.csv": 1,
        "2023-04-west-midlands-street.csv": 3,
        "2023-05-warwickshire-street.csv": 1,
        "2023-05-west-midlands-street.csv": 2,
    }


def test_forces_filter_skips_other_forces(archive_tree):
    frame = read_street(archive_tree, forces=["warwickshire"])
    assert len(frame) == 2  # one row in each warwickshire month
    assert set(frame["source_file"]) == {
        "2023-04-warwickshire-street.csv",
        "2023-05-warwickshire-street.csv",
    }
    with pytest.raises(DataError, match="no street files for the requested months/forces"):
        read_street(archive_tree, forces=["kent"])


def test_months_filter_skips_other_files(archive_tree):
    frame = read_street(archive_tree, months=["2023-05"])
    assert len(frame) == 3
    assert (frame["month"] == pd.Timestamp("2023-05-01")).all()
    with pytest.raises(ValueError, match="YYYY-MM"):
        read_street(archive_tree, months=["May 2023"])


def test_months_filter_on_a_file_without_a_month_in_its_name(tmp_path):
    path = tmp_path / "extract.csv"
    text = street_rows("2023-04", [COV, BHAM]) + street_rows("2023-05", [COV]).split("\n", 1)[1]
    path.write_text(text)
    frame, log = read_street_with_log(path, months=["2023-05"])
    assert len(frame) == 1
    assert log.to_dict("records") == [
        {"source_file": "extract.csv", "reason": "outside requested months", "rows": 2}
    ]


def make_zip(archive_tree: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(archive_tree.rglob("*.csv")):
            zf.write(file, file.relative_to(archive_tree).as_posix())
        zf.writestr("2023-04/2023-04-west-midlands-outcomes.csv", OUTCOMES.read_text())
    return path


def test_zip_read_in_place_equals_folder(archive_tree, tmp_path, monkeypatch):
    archive = make_zip(archive_tree, tmp_path / "2023-05.zip")
    shutil.rmtree(archive_tree)
    before = sorted(tmp_path.rglob("*"))

    def no_extract(*args, **kwargs):
        raise AssertionError("the reader must not unpack the archive")

    monkeypatch.setattr(zipfile.ZipFile, "extract", no_extract)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", no_extract)
    assert find_archive_members(archive) == [
        "2023-04/2023-04-warwickshire-street.csv",
        "2023-04/2023-04-west-midlands-street.csv",
        "2023-05/2023-05-warwickshire-street.csv",
        "2023-05/2023-05-west-midlands-street.csv",
    ]
    from_zip, log = read_street_with_log(archive, lsoa_name_prefix="Coventry ")
    assert sorted(tmp_path.rglob("*")) == before  # nothing written next to the zip
    # Coventry rows: 2023-04 wm 2, 2023-05 wm 1, 2023-05 warks 1.
    assert len(from_zip) == 4
    assert log["rows"].sum() == 3  # Rugby, and Birmingham in both months
    assert len(read_outcomes(archive, lsoa_name_prefix="Coventry ")) == 2


def test_list_of_sources_and_duplicate_months_use_the_later_copy(archive_tree, tmp_path, caplog):
    archive = make_zip(archive_tree, tmp_path / "2023-05.zip")
    newer = tmp_path / "newer" / "2023-05" / "2023-05-west-midlands-street.csv"
    write_month(tmp_path / "newer", "2023-05", "west-midlands", [COV])
    with caplog.at_level(logging.WARNING):
        frame = read_street([archive, newer])
    assert "appears twice" in caplog.text
    # 3 + 1 (2023-04) + 1 warks 2023-05 + 1 from the newer 2023-05 west-midlands file.
    assert len(frame) == 6


def error_for(source, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        read_street(source, **kwargs)
    return info.value


def replace_line(text: str, line: int, old: str, new: str) -> str:
    lines = text.split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("line", "old", "new", "column", "expected"),
    [
        (3, ",2023-04,", ",2023-05,", "Month", "does not match the file's month 2023-04"),
        (4, ",2023-04,", ",April,", "Month", "expected YYYY-MM"),
        (
            6,
            "Violence and sexual offences",
            "Violent crime",
            "Crime type",
            "'Violent crime' is not an allowed value",
        ),
        (3, ",2023-04,", "abc,2023-04,", "Crime ID", "given on an Anti-social behaviour row"),
        (
            2,
            "a1f3c2d4e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2",
            "",
            "Crime ID",
            "blank on a 'Burglary' row",
        ),
        (7, "-1.778002", "west", "Longitude", "expected a number"),
        (7, "52.412300", "152.4", "Latitude", "at most 90"),
    ],
)
def test_bad_rows_name_file_line_and_column(tmp_path, line, old, new, column, expected):
    path = tmp_path / STREET.name
    path.write_text(replace_line(STREET.read_text(), line, old, new))
    err = error_for(path)
    assert (err.line, err.column) == (line, column)
    assert STREET.name in str(err) and f"line {line}" in str(err) and expected in str(err)


def test_line_numbers_are_exact_after_filtering(tmp_path):
    # 50 Birmingham rows then a Coventry row with a bad crime type on line 52.
    path = tmp_path / "2023-04-x-street.csv"
    path.write_text(street_rows("2023-04", [BHAM] * 50 + [(COV[0], COV[1], "Theft")]))
    err = error_for(path, lsoa_name_prefix="Coventry ")
    assert (err.line, err.column) == (52, "Crime type")


def test_not_utf8_in_a_kept_row(tmp_path):
    path = tmp_path / STREET.name
    path.write_bytes(STREET.read_bytes().replace(b"Gulson Road", b"Gulson R\xf6ad"))
    err = error_for(path, lsoa_name_prefix="Coventry ")
    assert err.line == 3 and STREET.name in str(err) and "not UTF-8" in str(err)


def test_codes_may_be_a_one_shot_iterator(archive_tree):
    # The code list is read once for all files (an iterator used to be exhausted by the first
    # file read, so the other files lost their rows). Counted by hand from archive_tree:
    # kept are 2023-04 wm COV + COV_ASB, 2023-05 wm COV, 2023-05 warks COV_ASB = 4 rows;
    # dropped are Rugby (2023-04 warks) and Birmingham in both west-midlands months.
    frame, log = read_street_with_log(archive_tree, lsoa_codes=iter([COV[0], COV_ASB[0]]))
    assert len(frame) == 4
    assert log.to_dict("records") == [
        {"source_file": "2023-04-warwickshire-street.csv", "reason": "outside area", "rows": 1},
        {"source_file": "2023-04-west-midlands-street.csv", "reason": "outside area", "rows": 1},
        {"source_file": "2023-05-west-midlands-street.csv", "reason": "outside area", "rows": 1},
    ]


def test_not_utf8_in_a_dropped_row_is_not_checked(tmp_path):
    # Line 4 of the fixture is the Birmingham row, dropped by the Coventry filter.
    path = tmp_path / STREET.name
    path.write_bytes(STREET.read_bytes().replace(b"Supermarket", b"Supermark\xe9t"))
    frame = read_street(path, lsoa_name_prefix="Coventry ")
    assert frame["lsoa_name"].tolist() == ["Coventry 014A", "Coventry 010A", "Coventry 014B"]
    assert "not UTF-8" in str(error_for(path))  # unfiltered, the row is kept and checked


def test_not_utf8_in_kept_rows_of_two_files_names_the_first_file(archive_tree):
    # Files are read in (month, name) order: 2023-04 warks, 2023-04 wm, 2023-05 warks, 2023-05 wm.
    # The bad bytes are in the only row (line 2) of 2023-05 warks and on line 2 of 2023-05 wm.
    for name in ("2023-05-warwickshire-street.csv", "2023-05-west-midlands-street.csv"):
        bad = archive_tree / "2023-05" / name
        bad.write_bytes(bad.read_bytes().replace(b"On or near X", b"On or near \xff", 1))
    err = error_for(archive_tree, lsoa_name_prefix="Coventry ")
    assert "2023-05-warwickshire-street.csv" in str(err) and "not UTF-8" in str(err)
    assert err.line == 2


def test_error_in_later_file_names_that_file(archive_tree):
    # Only 2023-05 west-midlands is broken (its Birmingham row, line 3, has an unknown type).
    bad = archive_tree / "2023-05" / "2023-05-west-midlands-street.csv"
    bad.write_text(bad.read_text().replace(",Drugs,", ",Drug dealing,"))
    err = error_for(archive_tree)
    assert bad.name in str(err) and (err.line, err.column) == (3, "Crime type")
    # Coventry rows: 2 in 2023-04 wm, 1 in 2023-05 wm, 1 in 2023-05 warks; the bad row is not kept.
    assert len(read_street(archive_tree, lsoa_name_prefix="Coventry ")) == 4


def test_header_must_match_exactly(tmp_path):
    path = tmp_path / "2023-04-x-street.csv"
    path.write_text(STREET.read_text().replace("Falls within", "Falls Within", 1))
    err = error_for(path)
    assert err.line == 1 and err.column == "Falls within"
    assert "header column 4 is 'Falls Within'" in str(err)
    err = error_for(OUTCOMES)  # an outcomes file is not a street file
    assert "header column 10 is 'Outcome type'" in str(err)


def test_file_in_wrong_month_folder(tmp_path):
    write_month(tmp_path, "2023-04", "x", [COV]).rename(
        tmp_path / "2023-04" / "2023-05-x-street.csv"
    )
    err = error_for(tmp_path)
    assert "2023-05-x-street.csv" in str(err) and "does not match its folder 2023-04" in str(err)


def test_error_inside_zip_names_archive_and_member(tmp_path):
    archive = tmp_path / "2023-04.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(
            "2023-04/2023-04-x-street.csv", street_rows("2023-04", [COV, (COV[0], COV[1], "?")])
        )
    err = error_for(archive)
    assert "2023-04.zip/2023-04/2023-04-x-street.csv" in str(err) and err.line == 3


def test_empty_sources_and_empty_results(tmp_path):
    assert "no data.police.uk street files found" in str(error_for(tmp_path))
    assert "not found" in str(error_for(tmp_path / "missing"))
    bad_zip = tmp_path / "x.zip"
    bad_zip.write_bytes(b"not a zip")
    assert "not a readable zip archive" in str(error_for(bad_zip))
    assert "none of the 6 rows" in str(error_for(STREET, lsoa_name_prefix="Coventy "))


def test_empty_monthly_file_is_named(tmp_path):
    path = tmp_path / "2023-04" / "2023-04-x-street.csv"
    path.parent.mkdir()
    path.write_bytes(b"")
    err = error_for(tmp_path)
    assert "2023-04-x-street.csv" in str(err) and "is empty" in str(err)


def test_read_outcomes_single_file():
    frame = read_outcomes(OUTCOMES, lsoa_codes=["E01009522", "E01009524"])
    assert list(frame.columns) == [
        "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude",
        "location", "lsoa_code", "lsoa_name", "outcome_type", "source_file",
    ]  # fmt: skip
    assert frame["outcome_type"].tolist() == [
        "Investigation complete; no suspect identified",
        "Unable to prosecute suspect",
    ]
