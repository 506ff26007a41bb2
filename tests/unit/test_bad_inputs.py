"""The bad-input suite: crafted bad inputs, each with the exact outcome docs/data.md documents.

Every input is made by the test itself in a temporary folder, from the committed police fixture
(tests/fixtures/police/2023-04-west-midlands-street.csv, 6 rows counted by hand: line 2 Burglary
E01009522 Coventry 014A; line 3 ASB E01009523 Coventry 010A; line 4 Vehicle crime E01033620
Birmingham 138A; line 5 ASB with no location; line 6 Violence E01009524 Coventry 014B; line 7
Drugs E01010123 Solihull 004C) or from hand-written rows. Expected outcomes come from the
documented format: an error's type, file, line, column and key words, or the exact rows read and
dropped. Downloads use a local HTTP server on 127.0.0.1, never the internet. The disk faults
(read-only folder, full disk) mount a small tmpfs; they are skipped, saying why, where mounting
is not allowed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import struct
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ccsp_analysis import taxonomy
from ccsp_analysis.errors import DataError, ParamsError
from ccsp_analysis.params import load_params
from ccsp_analysis.schemas import CRIME_FLAGS, PARTNER_SCHEMAS, POLICE_STREET_HEADER
from ccsp_analysis.sources import csvfile, partner, police_uk
from ccsp_analysis.sources.fetch import fetch_file, fetch_police_archive
from ccsp_analysis.sources.police_uk import read_street, read_street_with_log

ROOT = Path(__file__).resolve().parents[2]
STREET = ROOT / "tests" / "fixtures" / "police" / "2023-04-west-midlands-street.csv"
MEMBER = "2023-04/2023-04-west-midlands-street.csv"
COVENTRY = ["E01009522", "E01009523", "E01009524"]
POLICE_LOG = "ccsp_analysis.sources.police_uk"


# ---------------------------------------------------------------------------------------------
# helpers


def fixture_rows() -> list[list[str]]:
    """The fixture as a header and 6 rows of fields (quoted fields already unquoted)."""
    return list(csv.reader(io.StringIO(STREET.read_text(encoding="utf-8"), newline="")))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def street_with(tmp_path: Path, changes: dict[tuple[int, str], str]) -> Path:
    """The fixture with field (file line, column) replaced; written as 2023-04-west-midlands-street.csv."""
    rows = fixture_rows()
    header = rows[0]
    for (line, column), value in changes.items():
        rows[line - 1][header.index(column)] = value
    return write_csv(tmp_path / STREET.name, rows)


def police_error(source, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        read_street(source, **kwargs)
    return info.value


def zip_of(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def patch_zip(path: Path, signature: bytes, offset: int, fmt: str, value: int) -> None:
    """Overwrite a field of the first zip header with ``signature`` (local or central directory)."""
    data = bytearray(path.read_bytes())
    at = data.index(signature) + offset
    data[at : at + struct.calcsize(fmt)] = struct.pack(fmt, value)
    path.write_bytes(bytes(data))


def log_lines(caplog) -> list[str]:
    """The reader's warnings (its INFO line, "read N rows", is not one: another test file in the same worker may
    have set the logger to INFO, as the CLI does)."""
    return [r.getMessage() for r in caplog.records if r.name == POLICE_LOG and r.levelno >= logging.WARNING]


@pytest.fixture
def offences(monkeypatch):
    """A two-code stand-in for taxonomy.HO_OFFENCES (the real list is edited elsewhere)."""
    mapping = {
        "8N": SimpleNamespace(code="8N", group="Violence with injury", police_category="Violence and sexual offences"),
        "46": SimpleNamespace(code="46", group="Shoplifting", police_category="Shoplifting"),
    }  # fmt: skip
    monkeypatch.setattr(taxonomy, "HO_OFFENCES", mapping)
    return mapping


CRIME = {
    "crime_ref": "C1", "date": "2023-04-01", "hour": "23", "ho_code": "8N",
    "ho_group": "Violence with injury", "lsoa_code": "E01009522",
    **dict.fromkeys(CRIME_FLAGS, "0"), "hate_strand": "", "victim_age": "34", "victim_sex": "F",
}  # fmt: skip
ROWS = {
    "partner_crimes": CRIME,
    "council_asb": {"case_ref": "A1", "date": "2023-05-02", "asb_type": "nuisance", "category": "Noise", "lsoa_code": "E01009522"},
    "police_asb": {"incident_ref": "P1", "date": "2023-05-09", "asb_type": "personal", "lsoa_code": "E01009522"},
    "da_referrals": {"referral_ref": "R1", "date": "2023-07-04", "service": "IDVA", "referral_source": "Police", "victim_age": "29", "victim_sex": "F", "repeat_victim": "1", "children_present": "0"},
    "fly_tipping": {"incident_ref": "F1", "date": "2023-06-03", "lsoa_code": "E01009522", "waste_type": "Household", "size": "small_van"},
    "nrm_referrals": {"referral_ref": "M1", "date": "2023-09-06", "first_responder": "council", "exploitation_type": "labour", "victim_age": "41", "victim_sex": "M"},
    "reoffending": {"period": "2023-24", "measure": "offenders", "value": "1450"},
    "funding": {"financial_year": "2023-24", "source": "PCC grant", "project": "Street pastors", "amount_gbp": "25000"},
    "most_similar_group": {"period": "2015-16", "csp": "West Midlands - Coventry", "crimes_per_1000": "62.1", "value_source": "published"},
}  # fmt: skip


def partner_file(tmp_path: Path, name: str, changes: list[dict]) -> Path:
    """A ``name`` extract whose data rows are the valid row updated by each change (row i = line i + 2)."""
    names = PARTNER_SCHEMAS[name].names
    rows = [list(names)] + [
        [{**ROWS[name], **change}.get(c, "") for c in names] for change in changes
    ]
    return write_csv(tmp_path / f"{name}.csv", rows)


def partner_error(tmp_path: Path, name: str, changes: list[dict]) -> DataError:
    with pytest.raises(DataError) as info:
        partner.read_partner(name, partner_file(tmp_path, name, changes))
    assert f"{name}.csv" in str(info.value)
    return info.value


# ---------------------------------------------------------------------------------------------
# data.police.uk files and archives


def test_header_only_file_reads_zero_rows_with_a_warning(tmp_path, caplog):
    path = write_csv(tmp_path / "2023-04" / STREET.name, [list(POLICE_STREET_HEADER)])
    with caplog.at_level(logging.WARNING, logger=POLICE_LOG):
        frame, drops = read_street_with_log(tmp_path)
    assert len(frame) == 0 and drops.empty
    assert log_lines(caplog) == [f"{path}: 0 rows read (a header but no data rows)"]


def test_header_and_blank_lines_reads_zero_rows_with_a_warning(tmp_path, caplog):
    path = tmp_path / STREET.name
    path.write_text(",".join(POLICE_STREET_HEADER) + "\n\n\n\r\n\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger=POLICE_LOG):
        assert len(read_street(path)) == 0
    assert log_lines(caplog) == [f"{path}: 0 rows read (a header but no data rows)"]


def test_archive_of_blank_lines_reads_zero_rows_with_a_warning(tmp_path, caplog):
    archive = zip_of(tmp_path / "2023-04.zip", {MEMBER: b"\n\n\n  \n\n"})
    with caplog.at_level(logging.WARNING, logger=POLICE_LOG):
        frame, drops = read_street_with_log(archive, lsoa_codes=COVENTRY)
    assert len(frame) == 0 and drops.empty
    assert log_lines(caplog) == [
        f"{archive}/{MEMBER}: 0 rows read (the file holds only blank lines)"
    ]


def test_an_empty_month_among_full_ones_adds_nothing_and_is_named(tmp_path, caplog):
    write_csv(tmp_path / "2023-04" / STREET.name, fixture_rows())
    empty = write_csv(
        tmp_path / "2023-05" / "2023-05-west-midlands-street.csv", [list(POLICE_STREET_HEADER)]
    )
    with caplog.at_level(logging.WARNING, logger=POLICE_LOG):
        frame = read_street(tmp_path, lsoa_codes=COVENTRY)
    assert len(frame) == 3  # the three Coventry rows of April
    assert log_lines(caplog) == [f"{empty}: 0 rows read (a header but no data rows)"]


def test_zero_byte_file_is_an_error(tmp_path):
    path = tmp_path / STREET.name
    path.write_bytes(b"")
    err = police_error(path)
    assert err.path == str(path) and "is empty" in str(err)


def test_reordered_columns_are_read_by_name(tmp_path, caplog):
    rows = [list(reversed(r)) for r in fixture_rows()]
    path = write_csv(tmp_path / STREET.name, rows)
    with caplog.at_level(logging.WARNING, logger=POLICE_LOG):
        frame, drops = read_street_with_log(path, lsoa_codes=COVENTRY)
    expected, expected_drops = read_street_with_log(STREET, lsoa_codes=COVENTRY)
    pd.testing.assert_frame_equal(frame, expected)
    pd.testing.assert_frame_equal(drops, expected_drops)
    assert len(frame) == 3 and log_lines(caplog) == []


def test_one_extra_column_is_ignored_with_a_warning(tmp_path, caplog):
    rows = fixture_rows()
    rows = [r[:5] + (["Postcode"] if i == 0 else ["CV1 1AA"]) + r[5:] for i, r in enumerate(rows)]
    path = write_csv(tmp_path / STREET.name, rows)
    with caplog.at_level(logging.WARNING, logger=POLICE_LOG):
        frame = read_street(path)
    pd.testing.assert_frame_equal(frame, read_street(STREET))
    assert len(frame) == 6 and "Postcode" not in frame.columns
    assert log_lines(caplog) == [
        f"{path}: column(s) 'Postcode' ignored (not in the data.police.uk street format)"
    ]


def test_missing_column_is_an_error_naming_it(tmp_path):
    rows = [r[:8] + r[9:] for r in fixture_rows()]  # no "LSOA name"
    err = police_error(write_csv(tmp_path / STREET.name, rows))
    assert (err.line, err.column) == (1, "LSOA name")
    assert "header has no column 'LSOA name'" in str(err) and STREET.name in str(err)


def test_renamed_column_is_an_error_naming_it(tmp_path):
    rows = fixture_rows()
    rows[0][9] = "Crime Type"
    err = police_error(write_csv(tmp_path / STREET.name, rows))
    assert (err.line, err.column) == (1, "Crime type")
    assert "header column 10 is 'Crime Type'" in str(err)


def test_renamed_column_elsewhere_is_named_with_its_look_alike(tmp_path):
    rows = [list(reversed(r)) for r in fixture_rows()]
    rows[0][rows[0].index("Falls within")] = "Falls Within"
    err = police_error(write_csv(tmp_path / STREET.name, rows))
    assert (err.line, err.column) == (1, "Falls within")
    assert "header has no column 'Falls within' ('Falls Within' looks like it)" in str(err)


def test_semicolon_separated_file_is_named_as_such(tmp_path):
    path = tmp_path / STREET.name
    path.write_text(STREET.read_text().replace(",", ";"), encoding="utf-8")
    err = police_error(path)
    assert err.line == 1 and "looks separated by semicolons, not commas" in str(err)


def test_row_with_an_extra_field_is_an_error_on_its_line(tmp_path):
    rows = fixture_rows()
    rows[3].append("surplus")  # line 4
    err = police_error(write_csv(tmp_path / STREET.name, rows))
    assert err.line == 4 and "has 13 fields but the header has 12" in str(err)


def test_malformed_lsoa_codes_have_a_drop_reason_of_their_own(tmp_path):
    # Birmingham's (line 4) and Solihull's (line 7) codes broken; line 5 has no code at all.
    path = street_with(tmp_path, {(4, "LSOA code"): "E0103362", (7, "LSOA code"): "Solihull"})
    frame, drops = read_street_with_log(path, lsoa_codes=COVENTRY)
    assert frame["lsoa_code"].tolist() == COVENTRY
    assert drops.to_dict("records") == [
        {"source_file": STREET.name, "reason": "no LSOA code", "rows": 1},
        {"source_file": STREET.name, "reason": "malformed LSOA code", "rows": 2},
    ]


def test_malformed_code_is_dropped_even_when_its_name_is_in_the_area(tmp_path):
    path = street_with(tmp_path, {(2, "LSOA code"): "E01-009522"})  # Coventry 014A
    frame, drops = read_street_with_log(path, lsoa_name_prefix="Coventry ")
    assert frame["lsoa_name"].tolist() == ["Coventry 010A", "Coventry 014B"]
    assert drops.to_dict("records") == [
        {"source_file": STREET.name, "reason": "no LSOA code", "rows": 1},
        {"source_file": STREET.name, "reason": "malformed LSOA code", "rows": 1},
        {"source_file": STREET.name, "reason": "outside area", "rows": 2},
    ]


def test_code_of_spaces_counts_as_no_lsoa_code(tmp_path):
    path = street_with(tmp_path, {(3, "LSOA code"): "   "})  # Coventry 010A
    frame, drops = read_street_with_log(path, lsoa_codes=COVENTRY)
    assert frame["lsoa_code"].tolist() == ["E01009522", "E01009524"]
    assert drops.to_dict("records") == [
        {"source_file": STREET.name, "reason": "no LSOA code", "rows": 2},
        {"source_file": STREET.name, "reason": "outside area", "rows": 2},
    ]


def test_repeated_crime_ids_and_identical_rows_are_kept_as_published(tmp_path):
    rows = fixture_rows()
    rows += [rows[1], rows[2]]  # the Burglary again (same Crime ID) and the ASB row again
    frame, drops = read_street_with_log(
        write_csv(tmp_path / STREET.name, rows), lsoa_codes=COVENTRY
    )
    assert len(frame) == 5 and frame["crime_id"].value_counts().max() == 2
    assert int(frame.duplicated(subset=[c for c in frame.columns if c != "crime_id"]).sum()) == 2
    assert drops["rows"].sum() == 3  # Birmingham, no location, Solihull


def test_month_not_the_files_month_is_an_error(tmp_path):
    err = police_error(street_with(tmp_path, {(6, "Month"): "2023-05"}))
    assert (err.line, err.column) == (
        6,
        "Month",
    ) and "does not match the file's month 2023-04" in str(err)


def test_archive_member_above_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    archive = zip_of(tmp_path / "2023-04.zip", {MEMBER: STREET.read_bytes()})
    patch_zip(archive, b"PK\x01\x02", 24, "<I", 3 << 30)  # the archive says: 3 GiB uncompressed

    def no_read(*args, **kwargs):
        raise AssertionError("an oversized member must not be decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_read)
    err = police_error(archive)
    assert err.path == f"{archive}/{MEMBER}"
    assert "is 3 GiB uncompressed, more than the reader's limit of 256 MiB" in str(err)


def test_member_limit_applies_to_real_sizes(tmp_path, monkeypatch):
    monkeypatch.setattr(police_uk, "MAX_MEMBER_BYTES", 1024)
    body = STREET.read_bytes()
    assert len(body) > 1024
    archive = zip_of(tmp_path / "2023-04.zip", {MEMBER: body}, zipfile.ZIP_DEFLATED)
    assert "more than the reader's limit of 1 KiB" in str(police_error(archive))


def test_damaged_member_is_named(tmp_path):
    archive = zip_of(tmp_path / "2023-04.zip", {MEMBER: STREET.read_bytes()})
    data = bytearray(archive.read_bytes())
    data[30 + len(MEMBER) + 200] ^= 0xFF  # a byte of the stored data: the CRC no longer matches
    archive.write_bytes(bytes(data))
    err = police_error(archive)
    assert (
        err.path == f"{archive}/{MEMBER}"
        and "cannot be read from the archive (Bad CRC-32" in str(err)
    )


def test_encrypted_member_is_named(tmp_path):
    archive = zip_of(tmp_path / "2023-04.zip", {MEMBER: STREET.read_bytes()})
    patch_zip(archive, b"PK\x01\x02", 8, "<H", 1)
    patch_zip(archive, b"PK\x03\x04", 6, "<H", 1)
    err = police_error(archive)
    assert err.path == f"{archive}/{MEMBER}" and "is encrypted (password-protected)" in str(err)


def test_unknown_compression_method_is_named(tmp_path):
    archive = zip_of(tmp_path / "2023-04.zip", {MEMBER: STREET.read_bytes()})
    patch_zip(archive, b"PK\x01\x02", 10, "<H", 99)
    patch_zip(archive, b"PK\x03\x04", 8, "<H", 99)
    err = police_error(archive)
    assert "uses a compression method this reader cannot decompress" in str(err)


def test_html_page_saved_as_an_archive_is_not_a_zip(tmp_path):
    archive = tmp_path / "2023-04.zip"
    archive.write_bytes(b"<!DOCTYPE html><html><body>Service unavailable</body></html>")
    assert "is not a readable zip archive" in str(police_error(archive))


def test_gzip_that_expands_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    import gzip

    monkeypatch.setattr(csvfile, "MAX_MEMBER_BYTES", 1024)
    path = tmp_path / "lookup.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 1000))
    with pytest.raises(DataError, match="decompresses to more than the reader's limit of 1 KiB"):
        csvfile.CsvText.from_path(path)


def test_malformed_lsoa_code_is_its_own_reason_in_the_data_audit(tmp_path):
    from ccsp_analysis import dataset

    (tmp_path / "params" / "areas").mkdir(parents=True)
    (tmp_path / "params" / "areas" / "town.yaml").write_text(
        "name: Town\nslug: town\nla_code: E08000026\nlsoa_name_prefix: 'Town '\nforce: test-police\n"
    )
    (tmp_path / "params" / "2023-24.yaml").write_text(
        "area: town\nperiod: 2023-24\nsources:\n  police_uk: data/police\n"
        "  lsoa_ward_lookup: data/lookup.csv\n  population: data/pop.csv\n"
    )
    data = tmp_path / "data"
    write_csv(
        data / "lookup.csv",
        [
            ["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
            ["X01000001", "Town 001A", "E05000001", "Alpha", "E08000026", "Town"],
        ],
    )
    write_csv(
        data / "pop.csv",
        [
            ["total", "2021 super output area - lower layer", "mnemonic"],
            ["1500", "Town 001A", "X01000001"],
        ],
    )

    def street(crime_id: str, code: str, name: str) -> list[str]:
        return [
            crime_id,
            "2023-04",
            "P",
            "P",
            "-1.5",
            "52.4",
            "On or near X",
            code,
            name,
            "Burglary",
            "",
            "",
        ]

    write_csv(
        data / "police" / "2023-04" / "2023-04-test-police-street.csv",
        [
            list(POLICE_STREET_HEADER),
            street("a" * 64, "X01000001", "Town 001A"),  # kept
            street("b" * 64, "X0100001", "Town 001A"),  # malformed code (8 characters)
            street("c" * 64, "X01900001", "Elsewhere 001A"),  # outside the area
            street("d" * 64, "", ""),  # no location
        ],
    )
    ds = dataset.build(load_params(tmp_path / "params" / "2023-24.yaml"))
    audit = ds.audit[ds.audit["source"] == "police_uk"]
    assert dict(zip(audit["reason"], audit["rows_dropped"], strict=True)) == {
        "no LSOA code": 1,
        "malformed LSOA code": 1,
        "outside area": 1,
        "small area outside the partnership": 0,
    }
    assert len(ds.street) == 1


# ---------------------------------------------------------------------------------------------
# partner extracts


def test_repeated_crime_reference_names_both_lines(tmp_path, offences):
    err = partner_error(tmp_path, "partner_crimes", [{}, {"crime_ref": "C2"}, {}])
    assert (err.line, err.column) == (4, "crime_ref")
    assert "'C1' appears more than once (first on line 2)" in str(err) and "must be unique" in str(
        err
    )


def test_crime_reference_repeated_with_other_case_and_spaces(tmp_path, offences):
    err = partner_error(tmp_path, "partner_crimes", [{}, {"crime_ref": " c1 "}])
    assert (err.line, err.column) == (3, "crime_ref")
    assert "' c1 ' appears more than once (first on line 2)" in str(err)


def test_repeated_police_asb_incident_names_both_lines(tmp_path):
    err = partner_error(
        tmp_path, "police_asb", [{}, {"incident_ref": "P2"}, {"incident_ref": "P2"}]
    )
    assert (err.line, err.column) == (4, "incident_ref")
    assert "'P2' appears more than once (first on line 3)" in str(err)


def test_repeated_reoffending_period_and_measure(tmp_path):
    changes = [{}, {"measure": "reoffenders"}, {"value": "99"}]
    err = partner_error(tmp_path, "reoffending", changes)
    assert (err.line, err.column) == (4, "period, measure")
    assert (
        "period '2023-24' and measure 'offenders' appear more than once (first on line 2)"
        in str(err)
    )
    assert "counted twice" in str(err)


def test_reoffending_without_repeats_is_read_whole(tmp_path):
    changes = [{}, {"measure": "reoffenders"}, {"period": "2022-23"}]
    frame = partner.read_reoffending(partner_file(tmp_path, "reoffending", changes))
    assert len(frame) == 3 and frame["value"].sum() == 3 * 1450


def test_repeated_funding_line(tmp_path):
    changes = [{}, {"project": "CCTV"}, {"amount_gbp": "1"}]
    err = partner_error(tmp_path, "funding", changes)
    assert (err.line, err.column) == (4, "financial_year, source, project")
    assert (
        "financial_year '2023-24' and source 'PCC grant' and project 'Street pastors' appear more "
        "than once (first on line 2)"
    ) in str(err)


def test_repeated_funding_line_with_other_case_and_spaces(tmp_path):
    err = partner_error(
        tmp_path, "funding", [{}, {"source": "PCC Grant ", "project": "street pastors"}]
    )
    assert (err.line, err.column) == (3, "financial_year, source, project")
    assert "(first on line 2)" in str(err)


def test_same_project_from_two_sources_is_two_lines(tmp_path):
    frame = partner.read_funding(partner_file(tmp_path, "funding", [{}, {"source": "Carry over"}]))
    assert len(frame) == 2 and frame["amount_gbp"].sum() == 50000


def test_repeated_most_similar_group_period_and_partnership(tmp_path):
    err = partner_error(tmp_path, "most_similar_group", [{}, {"crimes_per_1000": "70"}])
    assert (err.line, err.column) == (3, "period, csp")
    assert "appear more than once (first on line 2)" in str(err)


@pytest.mark.parametrize(
    ("name", "column", "value"),
    [
        ("reoffending", "period", "not-a-year"),
        ("reoffending", "period", "2023"),
        ("funding", "financial_year", "2023/24"),
        ("funding", "financial_year", "2023-25"),
        ("most_similar_group", "period", "FY 2015-16"),
    ],
)
def test_free_text_financial_years_are_errors(tmp_path, name, column, value):
    err = partner_error(tmp_path, name, [{}, {column: value}])
    assert (err.line, err.column) == (3, column)
    assert f"{value!r} is not a financial year label" in str(err) and "e.g. 2023-24" in str(err)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("partner_crimes", "1999-12-31", "1999-12-31 is before 2000-01-01"),
        ("council_asb", "1900-01-01", "1900-01-01 is before 2000-01-01"),
        ("police_asb", "1970-01-01", "1970-01-01 is before 2000-01-01"),
        pytest.param(
            "nrm_referrals",
            (date.today() + timedelta(days=1)).isoformat(),
            "is after today",
            id="nrm_referrals-tomorrow",
        ),
        ("partner_crimes", "2099-04-01", "2099-04-01 is after today"),
        ("da_referrals", "2999-04-01", "'2999-04-01' is outside the years 1678 to 2261"),
        ("fly_tipping", "0999-04-01", "'0999-04-01' is outside the years 1678 to 2261"),
    ],
)
def test_dates_before_2000_or_after_today_are_errors(tmp_path, offences, name, value, words):
    ref = PARTNER_SCHEMAS[name].columns[0].name
    err = partner_error(tmp_path, name, [{}, {ref: "R2", "date": value}])
    assert (err.line, err.column) == (3, "date") and words in str(err)


def test_dates_on_the_boundaries_are_read(tmp_path, offences):
    changes = [{"date": "2000-01-01"}, {"crime_ref": "C2", "date": date.today().isoformat()}]
    frame = partner.read_partner_crimes(partner_file(tmp_path, "partner_crimes", changes))
    assert frame["date"].tolist() == [pd.Timestamp("2000-01-01"), pd.Timestamp(date.today())]


# ---------------------------------------------------------------------------------------------
# parameter files


def params_project(tmp_path: Path, year: bytes, defaults: bytes | None = None) -> Path:
    params = tmp_path / "params"
    (params / "areas").mkdir(parents=True)
    (params / "areas" / "testarea.yaml").write_text(
        "name: Testarea\nslug: testarea\nla_code: E08000026\nlsoa_name_prefix: 'Testarea '\nforce: test-force\n"
    )
    (tmp_path / "data").mkdir()
    for name in ("street.csv", "lookup.csv", "pop.csv"):
        (tmp_path / "data" / name).write_text("x\n")
    (params / "defaults.yaml").write_bytes(
        defaults
        if defaults is not None
        else b"area: testarea\nsources:\n  police_uk: data/street.csv\n  lsoa_ward_lookup: data/lookup.csv\n"
        b"  population: data/pop.csv\n"
    )
    (params / "2023-24.yaml").write_bytes(year)
    return params / "2023-24.yaml"


def params_error(spec) -> str:
    with pytest.raises(ParamsError) as info:
        load_params(spec)
    return str(info.value)


def test_params_path_that_is_a_folder(tmp_path):
    path = params_project(tmp_path, b"period: 2023-24\n")
    assert params_error(path.parent) == (
        f"{path.parent}: is a folder, not a parameter file; give a year (e.g. 2023-24, read from "
        "params/2023-24.yaml) or the path of a .yaml file"
    )


def test_params_file_not_utf8(tmp_path):
    path = params_project(tmp_path, b"period: 2023-24\n# Coventry caf\xe9 quarter\n")
    assert params_error(path).startswith(f"{path}, line 2: not UTF-8 text (byte 0xe9)")


def test_sources_written_as_a_list(tmp_path):
    path = params_project(tmp_path, b"period: 2023-24\nsources:\n  - police_uk: data/street.csv\n")
    text = params_error(path)
    assert text.startswith(
        f"{path}: key 'sources' is a list, but it must be a mapping of input names to paths"
    )


def test_sources_written_as_a_list_in_the_defaults(tmp_path):
    path = params_project(
        tmp_path, b"period: 2023-24\n", defaults=b"area: testarea\nsources:\n  - data/street.csv\n"
    )
    assert params_error(path).startswith(
        f"{path.parent / 'defaults.yaml'}: key 'sources' is a list"
    )


def test_sources_written_as_text(tmp_path):
    path = params_project(tmp_path, b"period: 2023-24\nsources: data/street.csv\n")
    assert "key 'sources' is a str, but it must be a mapping" in params_error(path)


def test_empty_sources_key_keeps_the_defaults(tmp_path):
    params = load_params(params_project(tmp_path, b"period: 2023-24\nsources:\n"))
    assert params.sources.police_uk == tmp_path / "data" / "street.csv"


# ---------------------------------------------------------------------------------------------
# the command line and downloads


def ccsp(
    *args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ccsp_analysis.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def clean_failure(proc: subprocess.CompletedProcess, *words: str) -> None:
    """Exit status 2, one 'error:' message with ``words``, and no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: "), proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)


def test_cli_params_folder_is_a_clear_error(tmp_path):
    path = params_project(tmp_path, b"period: 2023-24\n")
    clean_failure(ccsp("data", "check", str(path.parent)), "is a folder, not a parameter file")


HTML = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in</body></html>\n"


class Server:
    """Serves ``files`` (path -> bytes) on 127.0.0.1 and counts requests."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.requests: Counter[str] = Counter()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                path = self.path.split("?", 1)[0]
                outer.requests[path] += 1
                body = outer.files.get(path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def server():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(MEMBER, STREET.read_bytes())
    files = {
        "/archive/2023-04.zip": archive.getvalue(),
        "/ons/lookup.csv": b"LSOA21CD,LSOA21NM\nE01009522,Coventry 014A\n",
        "/ons/page.csv": HTML,
        "/ons/page.zip": HTML,
        "/ons/empty.csv": b"",
        "/ons/plain.csv.gz": b"LSOA21CD,LSOA21NM\n",
        "/ons/boundaries.geojson": HTML,
        "/big/2mb.bin": os.urandom(2 << 20),
    }
    with Server(files) as running:
        yield running


def test_cli_police_month_13_is_refused_before_any_download(server, tmp_path):
    proc = ccsp(
        "data",
        "fetch",
        "police",
        "--months",
        "2023-13",
        "--dest",
        str(tmp_path / "d"),
        env={"CCSP_POLICE_BASE_URL": f"{server.url}/archive"},
    )
    clean_failure(proc, "--months", "'2023-13'", "YYYY-MM")
    assert not server.requests and not (tmp_path / "d").exists()


def test_cli_police_without_months_is_refused(server, tmp_path):
    proc = ccsp("data", "fetch", "police", "--dest", str(tmp_path / "d"))
    clean_failure(proc, "needs --months")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "it has no scheme"),
        ("http://", "it names no host"),
        ("ftp://example.org/lookup.csv", "scheme 'ftp' is not one of http, https, file"),
        ("http://127.0.0.1:99999/lookup.csv", "Port out of range"),
        ("https://example.org/my file.csv", "it contains spaces"),
    ],
)
def test_malformed_urls_are_refused(tmp_path, url, words):
    with pytest.raises(DataError) as info:
        fetch_file(url, tmp_path / "x.csv", tmp_path / "manifest.json")
    assert f"{url}: is not a valid download URL: {words}" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_cli_malformed_url_is_a_clear_error(tmp_path):
    clean_failure(
        ccsp("data", "fetch", "url", "--url", "notaurl", "--dest", str(tmp_path)),
        "is not a valid download URL",
    )


def test_unreachable_host_is_a_clear_error_leaving_nothing(tmp_path):
    with Server({}) as idle:
        url = f"{idle.url}/lookup.csv"  # the port is closed once the server stops
    proc = ccsp("data", "fetch", "url", "--url", url, "--dest", str(tmp_path))
    clean_failure(proc, url, "download failed")
    assert list(tmp_path.iterdir()) == []


def test_cli_html_page_for_a_csv_is_refused_and_nothing_saved(server, tmp_path):
    proc = ccsp(
        "data", "fetch", "url", "--url", f"{server.url}/ons/page.csv", "--dest", str(tmp_path)
    )
    clean_failure(proc, "the server sent an HTML page, not a CSV file")
    assert list(tmp_path.iterdir()) == []


def test_cli_html_page_for_a_zip_is_refused_and_nothing_saved(server, tmp_path):
    proc = ccsp(
        "data", "fetch", "url", "--url", f"{server.url}/ons/page.zip", "--dest", str(tmp_path)
    )
    clean_failure(proc, "the download is not a zip archive (the server sent an HTML page)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/ons/empty.csv", "the download is empty"),
        ("/ons/plain.csv.gz", "the download is not gzip-compressed data"),
        ("/ons/boundaries.geojson", "the server sent an HTML page, not a JSON file"),
    ],
)
def test_downloads_that_do_not_match_their_name_are_refused(server, tmp_path, path, words):
    name = path.rsplit("/", 1)[-1]
    with pytest.raises(DataError, match=words):
        fetch_file(f"{server.url}{path}", tmp_path / name, tmp_path / "manifest.json")
    assert list(tmp_path.iterdir()) == []


def test_cli_good_csv_is_saved_with_its_manifest(server, tmp_path):
    proc = ccsp(
        "data", "fetch", "url", "--url", f"{server.url}/ons/lookup.csv?x=1", "--dest", str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lookup.csv").read_bytes() == server.files["/ons/lookup.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lookup.csv", "manifest.json"]


def test_cli_url_without_a_file_name_is_refused(server, tmp_path):
    clean_failure(
        ccsp("data", "fetch", "url", "--url", f"{server.url}/", "--dest", str(tmp_path)),
        "does not end in a file name",
    )
    assert not server.requests


def test_cli_malformed_checksum_is_refused(server, tmp_path):
    proc = ccsp(
        "data",
        "fetch",
        "url",
        "--url",
        f"{server.url}/ons/lookup.csv",
        "--sha256",
        "abc",
        "--dest",
        str(tmp_path),
    )
    clean_failure(proc, "is not a SHA-256 checksum")
    assert not server.requests


def test_destination_that_is_a_file_is_a_clear_error(server, tmp_path):
    blocker = tmp_path / "dest"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DataError, match="cannot create the folder"):
        fetch_police_archive(["2023-04"], blocker, base_url=f"{server.url}/archive")
    assert blocker.read_text() == "a file where the folder should be"


# ---------------------------------------------------------------------------------------------
# faults: read-only folders and a full disk (a small tmpfs)


@contextlib.contextmanager
def tmpfs(path: Path, *, size: str = "1m", read_only: bool = False):
    """Mount a tmpfs of ``size`` at ``path`` (read-only if asked); skip, saying why, where not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs (to fake a full or read-only disk) needs root")
    options = f"size={size}" + (",ro" if read_only else "")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or proc.returncode})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def files_under(path: Path) -> list[str]:
    return sorted(p.relative_to(path).as_posix() for p in path.rglob("*"))


def test_fetch_onto_a_full_disk_leaves_no_part_file(server, tmp_path):
    with tmpfs(tmp_path / "full") as dest:
        with pytest.raises(DataError) as info:
            fetch_file(f"{server.url}/big/2mb.bin", dest / "2mb.bin", dest / "manifest.json")
        left = files_under(dest)
    assert "cannot write 2mb.bin.part: No space left on device" in str(info.value)
    assert left == []


def test_fetch_into_a_read_only_folder_is_a_clear_error(server, tmp_path):
    with tmpfs(tmp_path / "ro", read_only=True) as dest:
        proc = ccsp(
            "data",
            "fetch",
            "police",
            "--months",
            "2023-04",
            "--dest",
            str(dest),
            env={"CCSP_POLICE_BASE_URL": f"{server.url}/archive"},
        )
        left = files_under(dest)
    clean_failure(proc, "cannot write 2023-04.zip.part: Read-only file system")
    assert left == [] and not server.requests


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The project's demo data (made on first use, as tests/conftest.py does)."""
    path = ROOT / "data" / "demo"
    if not (path / "DEMO.json").exists():
        from ccsp_analysis.demo import generate

        generate(path)
    return path


def test_run_into_a_read_only_outputs_folder(demo, tmp_path):
    with tmpfs(tmp_path / "ro", read_only=True) as outputs:
        proc = ccsp("run", "2023-24", "--outputs", str(outputs / "reports"))
        left = files_under(outputs)
    clean_failure(proc, "cannot write the report under", "Read-only file system", "--outputs")
    assert left == []


def test_run_onto_a_full_disk_leaves_no_half_written_report(demo, tmp_path):
    with tmpfs(tmp_path / "full") as outputs:
        proc = ccsp("run", "2023-24", "--outputs", str(outputs))
        left = files_under(outputs)
    clean_failure(proc, "No space left on device", f"--outputs {outputs}")
    # Only the (empty) lock file of the area and period stays: no staging folder, no report.
    assert left == ["coventry", "coventry/.2023-24.lock"]


def test_dataset_cache_on_a_read_only_disk(demo, tmp_path):
    with tmpfs(tmp_path / "ro", read_only=True) as cache:
        proc = ccsp("data", "check", "2023-24", env={"CCSP_CACHE_DIR": str(cache)})
        left = files_under(cache)
    clean_failure(proc, f"cannot write the dataset cache ({cache})", "Read-only file system")
    assert left == []


def test_dataset_cache_on_a_full_disk_leaves_no_half_written_cache(demo, tmp_path):
    with tmpfs(tmp_path / "full") as cache:
        proc = ccsp("data", "check", "2023-24", env={"CCSP_CACHE_DIR": str(cache)})
        left = files_under(cache)
        hashes = json.loads((cache / "input-hashes.json").read_text()) if left else None
    clean_failure(proc, f"cannot write the dataset cache ({cache})", "No space left on device")
    # The input hashes (small, written whole then renamed) may stay; no table, no build folder.
    assert left == ["input-hashes.json"] and isinstance(hashes, dict)
