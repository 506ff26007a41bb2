"""Tests for report/exports.py: tables written as CSV that are safe to open in a spreadsheet."""

from __future__ import annotations

import csv

import pandas as pd

from ccsp_analysis.report import exports
from ccsp_analysis.result import SectionResult

INJECTED = ['=HYPERLINK("http://example.invalid","Bablake")', "+1+1", "-2+3", "@SUM(A1:A2)", "\tTab", "\rCR"]


def _result() -> SectionResult:
    out = SectionResult()
    out.tables["wards"] = pd.DataFrame({"ward_name": [*INJECTED, "Foleshill", "St Michael's"],
                                        "crimes": [1, 2, 3, 4, 5, 6, 3496, 8209],
                                        "change": [-1.5, 2.0, -3.0, 0.0, 1.0, 2.0, -10.1, 4.0]})
    out.add_figure("ward_list", ["=1+2", "Foleshill"], "Wards", "list")
    out.add_figure("trc_change", -10.1, "Change", "pct_change")
    return out


def test_no_cell_of_any_exported_table_starts_a_formula(tmp_path):
    exports.write_tables({"01_key_findings": _result()}, tmp_path)
    for path in tmp_path.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        for row in rows[1:]:
            for cell in row:
                text_cell = not _is_number(cell)
                assert not (text_cell and cell.startswith(exports.FORMULA_STARTS)), (path.name, cell)


def test_text_keeps_its_content_and_numbers_are_untouched(tmp_path):
    exports.write_tables({"01_key_findings": _result()}, tmp_path)
    table = pd.read_csv(tmp_path / "01_key_findings-wards.csv", keep_default_na=False)
    assert table["ward_name"].tolist()[:2] == ["'" + INJECTED[0], "'+1+1"]
    assert table["ward_name"].tolist()[5] == " CR"  # a carriage return would split the row: now a space
    assert table["ward_name"].tolist()[-2:] == ["Foleshill", "St Michael's"]
    assert table["change"].tolist() == [-1.5, 2.0, -3.0, 0.0, 1.0, 2.0, -10.1, 4.0]  # negative numbers stay numbers
    figures = dict(csv.reader(open(tmp_path / "figures.csv", newline="", encoding="utf-8")))
    assert figures["trc_change"] == "-10.1" and figures["ward_list"] == "'=1+2; Foleshill"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_table_with_no_rows_is_not_written(tmp_path):
    out = _result()
    out.tables["suppression_log"] = pd.DataFrame(columns=["section", "table", "row", "column", "reason"])
    out.tables["reconciliation"] = pd.DataFrame(columns=["id", "published"])
    out.exports["reconciliation"] = "reconciliation.csv"
    exports.write_tables({"01_key_findings": out}, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == ["01_key_findings-wards.csv", "figures.csv"]
