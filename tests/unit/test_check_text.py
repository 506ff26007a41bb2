"""`ccsp data check` as text: one line per check, what failed and where, a closing count, colour only when asked."""

from __future__ import annotations

from ccsp_analysis.presentation.check_text import check_report, marks

# A hand-made audit record in the shape of data_audit.audit_record (three checks, one failing).
RECORD = {
    "area": "Testshire", "period": "2023-24", "comparison": "2022-23",
    "sources": [{"source": "police_uk", "file": "data/police", "rows_read": 1200, "rows_kept": 1000,
                 "rows_dropped": {"outside area": 150, "no LSOA code": 50}},
                {"source": "fly_tipping", "file": "data/ft.csv", "rows_read": 30, "rows_kept": 30, "rows_dropped": {}}],
    "police_uk_repeats": [{"month": "2023-04", "rows": 500, "repeated_crime_ids": 2, "rows_with_repeated_ids": 4,
                           "identical_rows": 1},
                          {"month": "2023-05", "rows": 500, "repeated_crime_ids": 1, "rows_with_repeated_ids": 2,
                           "identical_rows": 0}],
    "coverage": [],
    "checks": [
        {"check": "every crime is in a ward of the area", "passed": True, "detail": "", "file": ""},
        {"check": "fly-tipping has rows in every month compared", "passed": False,
         "detail": "no rows in May 2023 (1 month)", "file": "data/ft.csv"},
        {"check": "no crime reference appears twice", "passed": True, "detail": "", "file": ""},
    ],
    "passed": False,
}


def test_one_line_per_check_with_marks_and_the_closing_count():
    text = check_report(RECORD)
    lines = text.splitlines()
    ticks = [ln for ln in lines if ln.startswith("  ✓ ")]
    crosses = [ln for ln in lines if ln.startswith("  ✗ ")]
    assert len(ticks) == 2 and len(crosses) == 1
    assert crosses[0] == "  ✗ fly-tipping has rows in every month compared"
    # the failing detail sits on the next line: months and file
    detail = lines[lines.index(crosses[0]) + 1]
    assert "May 2023" in detail and "file: data/ft.csv" in detail
    assert lines[-1] == "2 of 3 checks passed."  # two passed out of three, counted by hand
    assert "\033[" not in text  # no colour unless asked


def test_sources_and_repeats_are_summed_by_hand():
    text = check_report(RECORD)
    assert "police_uk (data/police): 1,200 rows read, 1,000 kept; dropped: outside area 150, no LSOA code 50" in text
    assert "fly_tipping (data/ft.csv): 30 rows read, 30 kept" in text and "kept; dropped" not in text.split("fly_tipping")[1]
    assert "3 Crime IDs repeated" in text and "1 row identical to another" in text  # 2 + 1 repeated IDs; 1 + 0 identical rows


def test_colour_only_when_asked_and_plain_marks_where_the_console_cannot_encode_them():
    coloured = check_report(RECORD, colour=True)
    assert "\033[31m✗\033[0m" in coloured and "\033[32m✓\033[0m" in coloured
    assert marks("cp1252") == ("ok", "FAIL") and marks("utf-8") == ("✓", "✗")
    plain = check_report(RECORD, encoding="ascii")
    assert "  FAIL fly-tipping" in plain and "  ok every crime" in plain
    plain.encode("ascii")  # nothing the console cannot print
