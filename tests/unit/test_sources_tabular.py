"""Tests for sources.tabular / sources.csvfile: the generic schema-validating CSV reader.

Expected values are read off the small fixtures written in each test (counted by hand).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import LSOA_CODE_PATTERN, Column, Schema
from ccsp_analysis.sources.tabular import RowProblem, area_mask, read_table

SCHEMA = Schema(
    "demo",
    "a format with one column of every kind",
    (
        Column("ref", unique=True),
        Column("date", "date"),
        Column("month", "month", required=False),
        Column("count", "int", required=False, min=0, max=10),
        Column("weight", "float", min=0.0),
        Column("flag", "flag"),
        Column("colour", required=False, allowed=("red", "blue")),
        Column("lsoa_code", pattern=LSOA_CODE_PATTERN),
    ),
)
HEADER = "ref,date,month,count,weight,flag,colour,lsoa_code"
ROWS = [
    "A1,2023-04-01,2023-04,3,1.5,1,red,X01000001",
    "A2,2024-02-29,,,0.25,0,,E01009522",
    "A3,2023-12-31,2023-12,10,2,0,blue,W01000002",
]


def write(tmp_path: Path, lines: list[str], name: str = "demo.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_for(path: Path, schema: Schema = SCHEMA, **kwargs) -> DataError:
    with pytest.raises(DataError) as info:
        read_table(path, schema, **kwargs)
    return info.value


def test_valid_file_types_and_values(tmp_path):
    frame = read_table(write(tmp_path, [HEADER, *ROWS]), SCHEMA)
    assert list(frame.columns) == list(SCHEMA.names)
    assert len(frame) == 3
    assert frame["ref"].dtype == "str"
    assert frame["count"].dtype == "Int64"
    assert frame["weight"].dtype == "float64"
    assert frame["flag"].dtype == bool
    assert str(frame["date"].dtype).startswith("datetime64")
    # Row 2 leaves month, count and colour blank.
    assert frame["count"].tolist()[0] == 3 and pd.isna(frame["count"][1])
    assert frame["flag"].tolist() == [True, False, False]
    assert frame["date"][1] == pd.Timestamp("2024-02-29")
    assert frame["month"][2] == pd.Timestamp("2023-12-01") and pd.isna(frame["month"][1])
    assert pd.isna(frame["colour"][1])
    assert frame["weight"].sum() == pytest.approx(3.75)


def test_columns_in_any_order_are_returned_in_schema_order(tmp_path):
    lines = ["lsoa_code,ref,date,month,count,weight,flag,colour", "X01000001,A1,2023-04-01,,,1,1,"]
    frame = read_table(write(tmp_path, lines), SCHEMA)
    assert list(frame.columns) == list(SCHEMA.names)
    assert frame["lsoa_code"][0] == "X01000001"


def test_missing_and_unexpected_columns_are_named(tmp_path):
    lines = ["ref,Date,month,count,weight,flag,colour,lsoa_code,extra", ROWS[0] + ",x"]
    err = error_for(write(tmp_path, lines))
    text = str(err)
    assert "demo.csv" in text and "line 1" in text
    assert "missing column(s) date" in text
    assert "unexpected column(s) Date, extra" in text
    assert "'Date' looks like 'date'" in text
    assert HEADER.replace(",", ", ") in text  # the fix lists the expected columns


@pytest.mark.parametrize(
    ("column", "bad", "expected"),
    [
        ("date", "01/04/2023", "expected YYYY-MM-DD, e.g. 2023-04-01"),
        ("date", "2023-02-30", "expected YYYY-MM-DD, e.g. 2023-04-01"),
        ("date", "2023-4-1", "expected YYYY-MM-DD, e.g. 2023-04-01"),
        ("date", "", "'date' is required"),
        ("month", "2023-13", "expected YYYY-MM, e.g. 2023-04"),
        ("count", "2.5", "expected a whole number"),
        ("count", "11", "at most 10"),
        ("count", "-1", "at least 0"),
        ("weight", "abc", "expected a number"),
        ("weight", "nan", "expected a number"),
        ("flag", "yes", "expected 0 or 1"),
        ("flag", " ", "'flag' is required"),
        ("colour", "green", "use one of: red, blue (or leave it blank)"),
        ("lsoa_code", "E0100952", "expected a value matching"),
    ],
)
def test_bad_value_reports_line_column_value_and_fix(tmp_path, column, bad, expected):
    # The bad value goes in the second data row, which is line 3 of the file.
    values = dict(zip(SCHEMA.names, ROWS[1].split(","), strict=True))
    values[column] = bad
    err = error_for(write(tmp_path, [HEADER, ROWS[0], ",".join(values.values()), ROWS[2]]))
    assert err.line == 3
    assert err.column == column
    assert "demo.csv" in str(err) and "line 3" in str(err) and f"column '{column}'" in str(err)
    assert expected in str(err)
    if bad.strip():
        assert repr(bad) in str(err) or bad in str(err)


def test_repeated_unique_value_reported_on_second_occurrence(tmp_path):
    err = error_for(write(tmp_path, [HEADER, ROWS[0], ROWS[1], ROWS[0]]))
    assert (err.line, err.column) == (4, "ref")
    assert "'A1' appears more than once" in str(err)


def test_first_failing_row_wins_across_columns(tmp_path):
    # lsoa_code is bad on line 4 (third data row), weight on line 3: line 3 is reported.
    rows = [ROWS[0], ROWS[1].replace("0.25", "x"), ROWS[2].replace("W01000002", "bad")]
    err = error_for(write(tmp_path, [HEADER, *rows]))
    assert (err.line, err.column) == (3, "weight")


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path):
    # Line 2 is a row, line 3 is blank, lines 4-5 hold one row with a quoted newline, line 6 is bad.
    schema = Schema("notes", "", (Column("id"), Column("note"), Column("n", "int")))
    path = write(tmp_path, ["id,note,n", "a,x,1", "", 'b,"two', 'lines",2', "c,y,z"])
    err = error_for(path, schema)
    assert (err.line, err.column) == (6, "n")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (HEADER.encode() + b"\n", "has a header but no data rows"),
        (HEADER.replace(",", ";").encode() + b"\nA1;2023-04-01\n", "separated by semicolons"),
        (
            HEADER.encode() + b"\n" + ROWS[1].replace("A2", "A\xe9").encode("latin-1") + b"\n",
            "not UTF-8",
        ),
        (
            HEADER.encode() + b"\n" + ROWS[0].encode() + b",extra\n",
            "has 9 fields but the header has 8",
        ),
    ],
)
def test_unreadable_files_give_data_error_naming_the_file(tmp_path, content, expected):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    err = error_for(path)
    assert "broken.csv" in str(err)
    assert expected in str(err)


def test_not_utf8_and_ragged_rows_name_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (HEADER + "\n" + ROWS[0] + "\n" + ROWS[1].replace("A2", "Caf\xe9")).encode("latin-1")
    )
    assert error_for(path).line == 3
    ragged = write(tmp_path, [HEADER, ROWS[0], ROWS[1], ROWS[2] + ",x"])
    assert error_for(ragged).line == 4


def test_missing_file(tmp_path):
    err = error_for(tmp_path / "nope.csv")
    assert "nope.csv" in str(err) and "file not found" in str(err)


def test_gzip_and_byte_order_mark(tmp_path):
    path = tmp_path / "demo.csv.gz"
    path.write_bytes(gzip.compress(("\ufeff" + "\n".join([HEADER, *ROWS]) + "\n").encode()))
    frame = read_table(path, SCHEMA)
    assert frame["ref"].tolist() == ["A1", "A2", "A3"]


def test_row_checks_report_the_first_flagged_row(tmp_path):
    # Rule: colour must be blank when flag is 0. Row 3 (line 4, colour blue, flag 0) breaks it.
    def colour_needs_flag(frame):
        yield RowProblem(
            (frame["colour"].notna() & ~frame["flag"]).to_numpy(),
            "colour",
            lambda row: f"colour {row['colour']!r} given with flag 0",
            "set flag to 1",
        )

    err = error_for(write(tmp_path, [HEADER, *ROWS]), row_checks=[colour_needs_flag])
    assert (err.line, err.column) == (4, "colour")
    assert "colour 'blue' given with flag 0" in str(err) and "set flag to 1" in str(err)


def test_many_rows_are_checked_vectorised(tmp_path):
    # 5,000 generated rows; the one bad date is data row 4,321, i.e. line 4,322.
    n = 5000
    dates = np.where(np.arange(n) == 4320, "2023-02-30", "2023-04-01")
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "d": dates})
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    schema = Schema("big", "", (Column("id", unique=True), Column("d", "date")))
    assert error_for(path, schema).line == 4322


def test_area_mask_takes_a_code_list_or_a_prebuilt_arrow_array():
    # Rows (by hand): A/Cov 1 listed; null code not listed; B/Sol 2 listed; C/Cov 3 by prefix only.
    codes = pa.chunked_array([["A", None, "B", "C"]])
    names = pa.chunked_array([["Cov 1", None, "Sol 2", "Cov 3"]])
    by_list = area_mask(codes, names, ["B", "A", "A"])
    by_array = area_mask(codes, names, pa.array(["A", "B"]))
    assert by_list.to_pylist() == by_array.to_pylist() == [True, False, True, False]
    either = area_mask(codes, names, pa.array(["B"]), "Cov ")
    assert either.to_pylist() == [True, False, True, True]
    assert area_mask(codes, names) is None
