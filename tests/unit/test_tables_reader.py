"""What a reader sees in a table: directions read by polarity, links, words for empty cells."""

from __future__ import annotations

import pandas as pd

from ccsp_analysis.presentation import tables
from ccsp_analysis.report.run import edition_folder


def test_direction_says_improving_or_concerning_by_the_measures_polarity():
    frame = pd.DataFrame({"label": ["Crime", "Referrals", "Crime up", "Children"],
                          "direction": ["DOWN", "DOWN", "UP", "UP"],
                          "polarity": ["higher_worse", "higher_better", "higher_worse", "neutral"]})
    page = tables.show(frame, "t", {"label": ("Measure", "text"), "direction": ("Direction", "direction")})._repr_html_()
    # a fall in crime is improving (green class); a fall in referrals to support is concerning; neutral: read as
    # neither, in words and with no colour (it was a bare arrow before: the reviewer asked for a reading)
    assert '<td class="ccsp-improving">▼ down <span class="ccsp-meaning">(improving)</span></td>' in page
    assert '<td class="ccsp-concerning">▼ down <span class="ccsp-meaning">(concerning)</span></td>' in page
    assert '<td class="ccsp-concerning">▲ up <span class="ccsp-meaning">(concerning)</span></td>' in page
    assert '<td>▲ up <span class="ccsp-meaning">(neither better nor worse)</span></td>' in page


def test_direction_without_a_polarity_column_reads_as_crime():
    frame = pd.DataFrame({"label": ["Shoplifting"], "direction": ["UP"]})
    page = tables.show(frame, "t", {"label": ("Measure", "text"), "direction": ("Direction", "direction")})._repr_html_()
    assert '▲ up <span class="ccsp-meaning">(concerning)</span>' in page


def test_links_and_words_for_empty_cells():
    frame = pd.DataFrame({"label": ["TRC", "Other"], "page": ["Key findings", None], "href": ["01_key_findings.html", None],
                          "rate": [62.17609, None]})
    page = tables.show(frame, "t", {"label": ("Figure", "text"), "page": ("Page", "text"), "rate": ("Rate", "rate3")},
                       links={"page": "href"}, missing={"page": "no page", "rate": "not published"})._repr_html_()
    assert '<a href="01_key_findings.html">Key findings</a>' in page
    assert ">no page<" in page and ">not published<" in page and ">62.176<" in page


def test_the_reviewer_edition_has_its_own_folder():
    assert edition_folder("2023-24", "public") == "2023-24"
    assert edition_folder("2023-24", "reviewer") == "2023-24-reviewer"


def test_shown_says_otherwise_when_the_via_filter_leaves_no_row():
    """Fails on the old code, which filtered after the emptiness check and so showed a caption over no rows (the
    2015-16 back-test table, whose every mean absolute error is empty)."""
    from types import SimpleNamespace

    result = SimpleNamespace(tables={"t": pd.DataFrame({"m": ["a", "b"], "mape": [None, None]})}, plots={})
    got = tables.shown(result, "t", tables.show, "Caption", {"m": ("M", "text")}, via=tables.with_values("mape"),
                       otherwise="Nothing was tested.")
    assert isinstance(got, tables.Bullets) and list(got.items) == ["Nothing was tested."]
    result.tables["t"].loc[0, "mape"] = 3.5
    assert "Caption" in tables.shown(result, "t", tables.show, "Caption", {"m": ("M", "text")},
                                     via=tables.with_values("mape"))._repr_html_()
