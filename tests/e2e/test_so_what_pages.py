"""Every section page of the 2023-24 demo run opens with its findings and closes with what they mean for the plan."""

from __future__ import annotations

import re

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

#: Pages whose results give fewer than three findings on the demo run, and why (none at present).
FEWER: dict[str, str] = {}


def _items(html: str, start: int) -> tuple[int, list[str]]:
    """The position of the first list after ``start`` and its items' text."""
    at = html.index("<ul>", start)
    end = html.index("</ul>", at)
    return at, [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", html[at:end], re.S)]


def test_every_section_page_opens_with_findings_and_closes_with_the_plan(demo_report):
    from ccsp_analysis.params import ALL_SECTIONS

    assert demo_report["returncode"] == 0, demo_report["stderr"]
    run = demo_report["dir"]
    for section in ALL_SECTIONS:
        html = (run / f"{section}.html").read_text()
        head = html.find('<h2 id="Findings">')
        assert head > 0, f"{section}: no Findings heading"
        at, findings = _items(html, head)
        low = 1 if section in FEWER else 3
        assert low <= len(findings) <= 5, f"{section}: {len(findings)} findings"
        first_table = html.find("<table", head)
        assert first_table == -1 or at < first_table, f"{section}: a table comes before the findings"
        assert html.find("<h2", head + 1) > at, f"{section}: the findings list is not under its heading"
        close = html.find('<h2 id="What-this-means-for-the-plan">')
        assert close > 0 and html.find("<table", close) == -1, f"{section}: no closing 'What this means' after the tables"
        _, meaning = _items(html, close)
        assert meaning and all(m.strip() for m in meaning), section
        # the page shows what the stored result holds: the run's so_what table, findings then meaning
        stored = pd.read_csv(run / "tables" / f"{section}-so_what.csv")
        assert list(stored.loc[stored["kind"] == "finding", "sentence"]) == [_unescape(f) for f in findings]


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)
