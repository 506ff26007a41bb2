"""Tests for ccsp_analysis.presentation.charts: palette contrast, alt text, deterministic rendering, no leaks."""

from __future__ import annotations

import base64
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from ccsp_analysis import narrative, stats
from ccsp_analysis.presentation import charts
from ccsp_analysis.presentation.charts import PALETTE, Chart, ChartError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance, written out from the specification."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    return (1.0 + 0.05) / (relative_luminance(hex_colour) + 0.05)


def test_wcag_formula_by_hand():
    # #0072B2: G = 114/255 = 0.447059 -> ((0.447059 + 0.055) / 1.055) ^ 2.4 = 0.168250
    #          B = 178/255 = 0.698039 -> ((0.698039 + 0.055) / 1.055) ^ 2.4 = 0.445229
    # L = 0.7152 x 0.168250 + 0.0722 x 0.445229 = 0.152478; (1.05) / (0.202478) = 5.186
    assert contrast_with_white("#0072B2") == pytest.approx(5.186, abs=2e-3)
    assert contrast_with_white("#000000") == pytest.approx(21.0)


@pytest.mark.parametrize("name", list(PALETTE))
def test_palette_colours_reach_three_to_one_on_white(name):
    assert contrast_with_white(PALETTE[name]) >= 3.0


def test_okabe_ito_colours_left_out_would_fail():
    # orange, sky blue and yellow are the reason the palette is a subset
    for colour in ("#E69F00", "#56B4E9", "#F0E442"):
        assert contrast_with_white(colour) < 3.0
        assert colour not in PALETTE.values()


def monthly_chart() -> pd.DataFrame:
    values = [10, 20] * 5 + [10, 32]
    return stats.control_chart(
        pd.Series(values, index=pd.period_range("2023-04", periods=12, freq="M"))
    )


def seasonal(n: int = 48) -> pd.Series:
    t = np.arange(n)
    mean = 300 * (1 + 0.1 * np.sin(2 * np.pi * t / 12))
    return pd.Series(
        np.random.default_rng(5).poisson(mean),
        index=pd.date_range("2020-04-01", periods=n, freq="MS"),
    )


def build_all() -> dict[str, Chart]:
    wards = pd.DataFrame(
        {"ward": ["Foleshill", "St Michael's", "Wainbody"], "rate": [95.2, 210.4, 40.1]}
    )
    ages = pd.DataFrame(
        {
            "age": ["0-17", "0-17", "18-24", "18-24", "25+", "25+"],
            "sex": ["Female", "Male"] * 3,
            "victims": [120, 100, 340, 310, 900, 870],
        }
    )
    history = seasonal()
    counts = pd.Series([5, 9, 40, 2], index=["a", "b", "c", "d"])
    return {
        "trend": charts.trend_chart(monthly_chart(), "Total recorded crime"),
        "share": charts.share_bars(
            pd.DataFrame({"offence": ["Violence", "Shoplifting"], "share": [38.2, 10.1]}),
            "offence",
            "share",
        ),
        "ward": charts.ward_chart(wards, "ward", "rate", "Crimes per 1,000", reference=111.5),
        "pyramid": charts.age_sex_pyramid(ages, "age", "sex", "victims", "Victims"),
        "lorenz": charts.lorenz_chart(
            stats.lorenz(counts), "Crime", narrative.concentration_statement(stats.concentration(counts))
        ),
        "fan": charts.projection_fan(history, stats.project(history), "Burglary"),
    }


@pytest.fixture(scope="module")
def built() -> dict[str, Chart]:
    return build_all()


def test_every_chart_is_a_figure_with_alt_text(built):
    for name, chart in built.items():
        assert isinstance(chart, Chart) and isinstance(chart.figure, Figure), name
        assert len(chart.alt) > 40, name


def test_alt_texts_carry_the_content(built):
    trend = built["trend"].alt
    assert "April 2023 to March 2024" in trend
    assert "March 2024 was above the upper control limit (32 against 28)" in trend
    assert "Violence 38.2, Shoplifting 10.1" in built["share"].alt
    assert "St Michael's 210.4, Foleshill 95.2, Wainbody 40.1" in built["ward"].alt
    assert "1 of 3 wards are above it" in built["ward"].alt
    assert "Female 1,360, Male 1,280" in built["pyramid"].alt  # 120 + 340 + 900; 100 + 310 + 870
    assert "largest group is Female aged 25+ (900)" in built["pyramid"].alt
    # 4 areas, top 20% -> 1 area (c = 40 of 56 = 71.4%)
    assert "The top 25.0% of areas (1 of 4) hold 71.4% of recorded crime." in built["lorenz"].alt
    assert "April 2024 to March 2025" in built["fan"].alt and "projection" in built["fan"].alt


def test_trend_chart_marks_the_breach(built):
    axes = built["trend"].figure.axes[0]
    marked = [c for c in axes.collections if len(c.get_offsets())]
    assert len(marked) == 1 and len(marked[0].get_offsets()) == 1  # only March 2024


def test_html_repr_embeds_a_png_with_the_alt_text(built):
    chart = built["ward"]
    page = chart._repr_html_()
    match = re.fullmatch(
        r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"/>', page
    )
    assert match is not None
    assert match.group(1) == chart.alt.replace("'", "&#x27;")  # html-escaped apostrophe
    assert base64.b64decode(match.group(2)).startswith(PNG_SIGNATURE)


def test_rendering_is_byte_identical(built):
    chart = built["lorenz"]
    first = chart.png()
    assert chart.png() == first
    assert chart._repr_html_() == chart._repr_html_()
    assert b"Software" not in first and b"matplotlib" not in first


def test_charts_leave_no_global_state():
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    figures_before = plt.get_fignums()
    chart = charts.trend_chart(monthly_chart(), "Crime")
    chart.png()
    assert plt.get_fignums() == figures_before
    assert dict(matplotlib.rcParams) == before


def test_same_inputs_give_the_same_png():
    one = charts.trend_chart(monthly_chart(), "Crime").png()
    two = charts.trend_chart(monthly_chart(), "Crime").png()
    assert one == two


@pytest.mark.parametrize(
    "call",
    [
        lambda: charts.trend_chart(pd.DataFrame({"value": [1]}), "x"),
        lambda: charts.share_bars(pd.DataFrame({"a": [1]}), "label", "a"),
        lambda: charts.lorenz_chart(pd.DataFrame({"x": [0]})),
        lambda: charts.projection_fan(seasonal(), pd.DataFrame({"forecast": [1.0]})),
        lambda: charts.age_sex_pyramid(
            pd.DataFrame({"age": ["0-17"] * 3, "sex": ["F", "M", "X"], "n": [1, 2, 3]}),
            "age",
            "sex",
            "n",
        ),
    ],
)
def test_charts_name_what_is_missing(call):
    with pytest.raises(ChartError):
        call()
