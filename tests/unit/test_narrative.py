"""Tests for ccsp_analysis.narrative: number formats and sentences, expected text written by hand."""

from __future__ import annotations

import numpy as np
import pytest

from ccsp_analysis import narrative
from ccsp_analysis.errors import CcspError
from ccsp_analysis.narrative import NarrativeError
from ccsp_analysis.stats import compare_counts


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (38508, "38,508"),
        (0, "0"),
        (1234567, "1,234,567"),
        (-4326, "-4,326"),
        (np.int64(795), "795"),
        (2.5, "3"),
        (0.5, "1"),
        (-2.5, "-3"),
        (38507.6, "38,508"),
    ],
)
def test_fmt_count(value, text):
    assert narrative.fmt_count(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10.0996, "10.1%"),
        (-10.0995, "-10.1%"),
        (10.05, "10.1%"),  # half up as written
        (-10.05, "-10.1%"),  # half away from zero
        (0.25, "0.3%"),  # round(0.25, 1) == 0.2 (banker's rounding)
        (1.45, "1.5%"),  # round(1.45, 1) == 1.4 (binary 1.4499999...)
        (2.675, "2.7%"),
        (100, "100.0%"),
        (-0.04, "0.0%"),  # no "-0.0%"
        (np.float64(10.05), "10.1%"),
    ],
)
def test_fmt_pct_rounds_half_up(value, text):
    assert narrative.fmt_pct(value) == text


def test_python_round_would_get_these_wrong():
    # the reason fmt_number does not use round(): these are the cases above
    assert round(0.25, 1) == 0.2 and round(1.45, 1) == 1.4 and round(2.5) == 2


def test_fmt_rate_and_number():
    assert narrative.fmt_rate(62.176) == "62.2"
    assert narrative.fmt_rate(83.482) == "83.5"
    assert narrative.fmt_rate(1234.56) == "1,234.6"
    assert narrative.fmt_number(0.125, 2) == "0.13"
    assert narrative.fmt_pct(10.0996, decimals=0) == "10%"


@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), "12", True])
def test_formats_refuse_non_numbers(value):
    with pytest.raises(NarrativeError) as info:
        narrative.fmt_count(value)
    assert isinstance(info.value, CcspError) and isinstance(info.value, ValueError)


def test_change_sentence_key_example():
    assert narrative.change_sentence("Total recorded crime", compare_counts(38508, 42834)) == (
        "Total recorded crime fell by 10.1% (38,508 against 42,834), a statistically significant decrease."
    )


def test_change_sentence_increase_stable_and_unchanged():
    # 1,795 against 1,000: +795 / 1,000 = +79.5%, p tiny
    assert narrative.change_sentence("Robbery", compare_counts(1795, 1000)) == (
        "Robbery rose by 79.5% (1,795 against 1,000), a statistically significant increase."
    )
    # 105 against 100: +5.0%, p = 0.78
    assert narrative.change_sentence("Arson", compare_counts(105, 100)) == (
        "Arson rose by 5.0% (105 against 100), no statistically significant change."
    )
    assert narrative.change_sentence("Arson", compare_counts(50, 50)) == (
        "Arson was unchanged (50 against 50), no statistically significant change."
    )
    # 10,001 against 10,000 is +0.01%, which would print as 0.0%
    assert narrative.change_sentence("Theft", compare_counts(10001, 10000)) == (
        "Theft rose by less than 0.1% (10,001 against 10,000), no statistically significant change."
    )


def test_change_sentence_from_none():
    assert narrative.change_sentence("Knife crime", compare_counts(3, 0)) == (
        "Knife crime rose to 3, up from none, no statistically significant change."
    )
    # 12 against 0: p = 2 / 2^12 = 0.0005
    assert narrative.change_sentence("Knife crime", compare_counts(12, 0)) == (
        "Knife crime rose to 12, up from none, a statistically significant increase."
    )
    assert narrative.change_sentence("Modern slavery", compare_counts(0, 0)) == (
        "Modern slavery: none recorded in either period, no statistically significant change."
    )


def test_change_sentence_when_exposure_reverses_the_direction():
    text = narrative.change_sentence("Burglary", compare_counts(110, 100, d=2.0))
    assert text == (
        "Burglary rose by 10.0% (110 against 100), a statistically significant decrease in the rate "
        "once exposure is allowed for."
    )


def test_difference_phrase():
    assert narrative.difference_phrase(compare_counts(38508, 42834)) == "4,326 fewer"
    assert narrative.difference_phrase(795) == "795 more"
    assert narrative.difference_phrase(-4326, noun="offences") == "4,326 fewer offences"
    assert narrative.difference_phrase(compare_counts(7, 7)) == "no change"


def test_share_sentence():
    # 3,890 / 38,508 = 0.101018 -> 10.1%
    assert narrative.share_sentence("Shoplifting", 3890, 38508, "total recorded crime") == (
        "Shoplifting accounted for 10.1% of total recorded crime (3,890 of 38,508)."
    )
    assert narrative.share_sentence("Shoplifting", 0, 0, "total recorded crime") == (
        "Shoplifting: no total recorded crime was recorded, so there is no share to report."
    )
    with pytest.raises(NarrativeError):
        narrative.share_sentence("x", 5, 4, "y")


@pytest.mark.parametrize(
    ("rank", "n", "place"),
    [
        (1, 15, "the lowest"),
        (15, 15, "the highest"),
        (3, 15, "the 3rd lowest"),
        (8, 15, "the 8th lowest"),
        (14, 15, "the 2nd highest"),
        (11, 30, "the 11th lowest"),
        (21, 50, "the 21st lowest"),
        (12, 30, "the 12th lowest"),
        (2, 3, "the 2nd lowest"),
    ],
)
def test_rank_sentence(rank, n, place):
    text = narrative.rank_sentence("Coventry", rank, n, "crime rate", "its Most Similar Group")
    assert text == f"Coventry had {place} crime rate of the {n} areas in its Most Similar Group."


def test_rank_sentence_rejects_impossible_rank():
    with pytest.raises(NarrativeError):
        narrative.rank_sentence("Coventry", 0, 15)
    with pytest.raises(NarrativeError):
        narrative.rank_sentence("Coventry", 16, 15)


def test_direction_word():
    assert [narrative.direction_word(d) for d in ("UP", "DOWN", "STABLE")] == [
        "upward",
        "downward",
        "stable",
    ]
    assert narrative.direction_word(compare_counts(38508, 42834).direction) == "downward"
    with pytest.raises(NarrativeError):
        narrative.direction_word("up")


def test_fmt_list():
    assert narrative.fmt_list(["a"]) == "a"
    assert narrative.fmt_list(["a", "b"]) == "a and b"
    assert narrative.fmt_list(["a", "b", "c"]) == "a, b and c"
    assert narrative.fmt_list([]) == ""


def test_group_sentence_places_the_area_against_the_rest_of_the_group():
    from types import SimpleNamespace

    low = SimpleNamespace(value=62.176, rank=1, position="WITHIN", level=0.95, low=55.12, high=120.26)
    assert narrative.group_sentence("Coventry", low, 11) == (
        "Coventry's rate, 62.2 crimes per 1,000 residents, is the lowest of the 11 partnerships with a rate; "
        "it is within the range expected of the rest of the group (95% prediction interval 55.1 to 120.3).")
    high = SimpleNamespace(value=130.0, rank=3, position="ABOVE", level=0.95, low=50.0, high=120.0)
    assert "the 3rd lowest of the 15" in narrative.group_sentence("X", high, 15)
    assert "above the range expected" in narrative.group_sentence("X", high, 15)


# --- sentences for what a default run has no data for, and the parts of a whole ---------------------

def test_parts_sentence_names_the_largest_parts_with_shares_by_hand():
    # 3,300 of 13,380 = 24.66% -> 24.7%; 2,580 -> 19.28% -> 19.3%; 2,500 -> 18.68% -> 18.7%; the fourth left out
    text = narrative.parts_sentence("acquisitive crime", [("burglary", 2500), ("robbery", 600), ("vehicle offences", 3300),
                                                          ("shoplifting", 2580)], 13380)
    assert text == ("The largest parts of acquisitive crime (13,380) were vehicle offences with 24.7% (3,300), "
                    "shoplifting with 19.3% (2,580) and burglary with 18.7% (2,500).")
    # ties by label; a part of none is not named; one part alone
    assert narrative.parts_sentence("x", [("b", 1), ("a", 1), ("c", 0)], 2, n=3) == \
        "The largest parts of x (2) were a with 50.0% (1) and b with 50.0% (1)."
    assert narrative.parts_sentence("x", [("a", 4)], 4) == "The largest part of x (4) was a with 100.0% (4)."
    assert narrative.parts_sentence("x", [("a", 0)], 0) == "No x was recorded, so it has no parts to report."
    with pytest.raises(NarrativeError):
        narrative.parts_sentence("x", [("a", 5)], 4)


def test_no_wave_sentence():
    assert narrative.no_wave_sentence("2022/23", 2023, [2024, 2022]) == (
        "There was no resident survey wave for 2022/23: an assessment uses the wave carried out in the year its "
        "financial year ends (2023), and the survey data hold the 2022 and 2024 waves, so no survey figure is shown "
        "for this year.")
    assert "hold the 2022 wave, so" in narrative.no_wave_sentence("2022/23", 2023, [2022])
    assert "hold no wave at all" in narrative.no_wave_sentence("2022/23", 2023, [])


def test_no_published_sentence_names_the_documents():
    text = narrative.no_published_sentence("2022/23", [("CCSP Plan 2025-2028", "2023/24"), ("Q4 report", "2015/16")],
                                           "reference/x.yaml")
    assert text == ("No document in the published figures file publishes figures for 2022/23, so there is nothing to "
                    "reconcile: it holds figures from CCSP Plan 2025-2028 (for 2023/24) and Q4 report (for 2015/16) "
                    "(reference/x.yaml).")
    assert "holds no document's figures" in narrative.no_published_sentence("2022/23", [], "x.yaml")
