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
