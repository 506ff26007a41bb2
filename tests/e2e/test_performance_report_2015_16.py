"""The 2015-16 performance report's pages show what the July 2016 scrutiny briefing publishes.

Expected text is transcribed from the briefing (shared/seeds/004_...txt, Appendix 9 and section 6),
never taken from the code under test.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

#: Every figure the briefing publishes, as the pages write it.
BRIEFING = {
    "repeat domestic-abuse victims 9.3% from 10.5%": "9.3%, from 10.5%",
    "children present 1,832 from 742": "1,832, from 742",
    "CDVASS referrals": "1,083",
    "SARC clients": "446",
    "ASB, police and council": "11,408",
    "most similar group average": "83.482",
    "Coventry's rate and rank": "62.176, ranks 1st of 15",
    "PCC grant": "£409,728",
    "carry over": "£82,750",
    "allocations in total": "£492,478",
}
#: The four rows the published most-similar-group table leaves blank.
BLANK_ROWS = ("Hertfordshire - Stevenage", "Bedfordshire - Luton", "Greater Manchester - Bolton",
              "Staffordshire - Stoke on Trent")


@pytest.fixture(scope="module")
def report(year_report):
    return year_report("2015-16")  # the session's build of the year (tests/conftest.py)


def _text(path) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_pages_state_every_figure_the_briefing_publishes(report):
    text = _text(report / "08_performance.html")
    missing = {what: shown for what, shown in BRIEFING.items() if shown not in text}
    assert not missing, missing


def test_the_measures_sit_under_the_2016_boards_beside_the_published_labels(report):
    text = _text(report / "08_performance.html")
    for board in ("Victim Support and Harm Reduction Partnership", "Coventry Offender Management Group",
                  "Prevent, Prepare and Protect", "City Wide Tasking and Co-ordination Group"):
        assert board in text, board
    assert "Priority 1: offending" not in text and "Priority 2: public place" not in text
    table = pd.read_csv(report / "tables" / "08_performance-report_measures.csv").set_index("measure")
    assert table.loc["trc", "published_direction"] == "DOWNWARD" and table.loc["asb", "published_direction"] == "Downward"
    assert "Direction of travel (published)" in text


def test_the_four_blank_rows_read_not_published_and_their_values_stay_in_the_notes(report):
    page = (report / "08_performance.html").read_text(encoding="utf-8")
    table = page[page.index("Crimes per 1,000 residents in the most similar group"):]
    table = table[:table.index("</table>")]
    for csp in BLANK_ROWS:
        row = re.search(re.escape(html.escape(csp)) + r".*?</tr>", table, flags=re.S)
        assert row and "not published" in row.group(0), csp
    for synthetic in ("72.1", "76.4", "78.3", "86.3"):  # the demo's stand-ins (data/demo most_similar_group.csv)
        assert synthetic not in table, synthetic
    csv = pd.read_csv(report / "tables" / "08_performance-most_similar_group.csv").set_index("csp")
    assert csv.loc[list(BLANK_ROWS), "crimes_per_1000"].isna().all()
    notes = page[page.index("</table>", page.index("Crimes per 1,000 residents in the most similar group")):]
    assert "not published figures" in notes[:2000]


def test_the_index_lists_every_change_the_pages_call_significant_with_its_reading(report):
    """Fails on the old code: the index read no report-measures table, so it left out children present (+146.9%),
    SARC clients (+16.4%) and ASB by the police and council (-5.6%), which the performance page calls significant;
    it opened with "The key findings section is not part of this run."."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((report / "index.html").read_text(encoding="utf-8"), "html.parser")
    index_rows = {}
    for tr in soup.find(id="significant-changes").find_next("table").select("tbody tr"):
        cells = [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        index_rows[cells[0]] = cells[4]
    section_rows = {}
    for name in ("changes", "plan_measures", "headlines", "report_measures"):
        for path in sorted((report / "tables").glob(f"*-{name}.csv")):
            table = pd.read_csv(path)
            for r in table[table["direction"].isin(["UP", "DOWN"])].itertuples():
                section_rows.setdefault(r.label, r.direction)
    assert {k: "UP" if v.startswith("▲") else "DOWN" for k, v in index_rows.items()} == section_rows
    # the briefing's rows (transcribed, not from the code): the three the old index left out are there
    for label in ("Domestic abuse incidents with children present", "Clients seen by the SARC (sexual assault referral centre)",
                  "Anti-social behaviour incidents (police and council)"):
        assert label in index_rows, label
    # every row is read: concerning, improving, or why neither (children present: a neutral measure)
    assert all(re.search(r"\((concerning|improving|neither better nor worse[^)]*)\)$", v) for v in index_rows.values()), index_rows
    assert "neither better nor worse: more can follow better identification" in index_rows[
        "Domestic abuse incidents with children present"]
    text = _text(report / "index.html")
    assert "not part of this run" not in text and "The main findings are at the top of the performance page" in text


def test_signal_lines_count_only_the_periods_months(report):
    """Fails on the old code: "15 months close to the lower control limit (April 2014 ..." for a 12-month period
    (April 2015 to March 2016); every month a signal line names as close to or outside a limit is in the period."""
    summary = pd.read_csv(report / "tables" / "08_performance-spc_summary.csv")
    for line in summary["line"]:
        for count, where in re.findall(r"(\d+) months? (?:close to|above|below) the \w+ control limit \(([^)]*)\)", line):
            assert int(count) <= 12, line
            assert not re.search(r"\b(2013|2014)\b|January 2015|February 2015|March 2015", where), line
    da = summary.set_index("measure").loc["domestic_abuse", "line"]
    assert "April 2014 to May 2014" not in da and "15 months close" not in da


def test_the_back_test_table_is_left_out_when_nothing_was_tested(report):
    """Fails on the old code, which showed a back-test table of dashes (2015-16 has 36 months, a back-test needs 48)."""
    text = _text(report / "08_performance.html")
    assert "Back-test of each projection" not in text
    assert "No back-test figures to show: no projection could be tested" in text
    assert "there is nothing to chart for this period (no data)" not in text
