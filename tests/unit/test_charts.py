"""Tests for ccsp_analysis.presentation.charts: palette contrast, the seaborn theme, alt text, deterministic rendering, no warnings, no leaks."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from ccsp_analysis import narrative, stats
from ccsp_analysis.presentation import charts
from ccsp_analysis.presentation.charts import PALETTE, Chart, ChartError
from ccsp_analysis.presentation.style import NoChart

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
            "age": ["0-9", "0-9", "10-19", "10-19", "20+", "20+"],
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
            stats.lorenz(counts),
            "Crime",
            narrative.concentration_statement(stats.concentration(counts)),
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
    assert "largest group is Female aged 20+ (900)" in built["pyramid"].alt
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
    colour_codes = {c: matplotlib.colors.to_hex(c) for c in "bgrcmyk"}
    for chart in build_all().values():
        chart.png()
        chart._repr_html_()
    assert plt.get_fignums() == figures_before
    assert dict(matplotlib.rcParams) == before
    # seaborn.set_theme(color_codes=True) would remap these module-wide: the charts must not
    assert {c: matplotlib.colors.to_hex(c) for c in "bgrcmyk"} == colour_codes


def test_importing_the_charts_changes_no_matplotlib_setting():
    # a fresh interpreter: in this one the module is long imported
    code = (
        "import matplotlib as mpl; before = dict(mpl.rcParams); "
        "import ccsp_analysis.presentation.charts, ccsp_analysis.presentation.maps; "
        "assert dict(mpl.rcParams) == before, 'rcParams changed on import'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_drawing_and_rendering_emit_no_warnings():
    # seaborn 0.13 warns (FutureWarning) e.g. for a palette without hue; none may reach a report
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for chart in build_all().values():
            chart.png()
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


@pytest.mark.parametrize("name", ["trend", "share", "ward", "pyramid", "lorenz", "fan"])
def test_same_inputs_give_the_same_png(name):
    one = build_all()[name].png()
    two = build_all()[name].png()
    assert one.startswith(PNG_SIGNATURE)
    assert one == two


# The theme, by hand: seaborn's "ticks" style draws axis lines and tick labels in grey ".15"
# (0.15 x 255 = 38.25 -> 38 = 0x26, so #262626); the project's STYLE keeps DejaVu Sans at 10 pt,
# bold 12 pt titles on the left, no top or right spine, a light (#DDDDDD) grid.
SEABORN_TICKS_GREY = "#262626"


@pytest.mark.parametrize("name", ["trend", "share", "ward", "pyramid", "lorenz", "fan"])
def test_every_chart_is_drawn_in_the_theme(built, name):
    axes = built[name].figure.axes[0]
    assert not axes.spines["top"].get_visible() and not axes.spines["right"].get_visible()
    assert axes.spines["left"].get_visible() and axes.spines["bottom"].get_visible()
    assert to_hex(axes.spines["left"].get_edgecolor()) == SEABORN_TICKS_GREY
    label = axes.yaxis.get_ticklabels()[0]
    assert to_hex(label.get_color()) == SEABORN_TICKS_GREY
    assert label.get_fontfamily() == ["DejaVu Sans"] and label.get_fontsize() == 10
    # the title sits on the left
    assert axes.get_title() == "" and axes.get_title(loc="right") == ""
    title = axes.get_title(loc="left")
    if title:  # the share bars in build_all() are untitled
        (text,) = [t for t in axes.get_children() if isinstance(t, Text) and t.get_text() == title]
        assert text.get_fontsize() == 12 and text.get_fontweight() == "bold"


def test_line_charts_have_a_light_horizontal_grid_only(built):
    for name in ("trend", "lorenz", "fan"):
        axes = built[name].figure.axes[0]
        y_lines = axes.yaxis.get_gridlines()
        assert y_lines[0].get_visible(), name
        assert to_hex(y_lines[0].get_color()) == "#dddddd", name
        assert not any(line.get_visible() for line in axes.xaxis.get_gridlines()), name


def test_titles_are_on_the_left(built):
    assert built["trend"].figure.axes[0].get_title(loc="left") == "Total recorded crime"
    assert built["pyramid"].figure.axes[0].get_title(loc="left") == "Victims"
    assert built["share"].figure.axes[0].get_title(loc="left") == ""  # untitled


def face(patch) -> str:
    return to_hex(patch.get_facecolor())


def y_labels_bottom_to_top(axes) -> list[str]:
    """Tick labels by where they are drawn (seaborn puts a categorical y axis upside down)."""
    ticks = zip(axes.get_yticks(), axes.get_yticklabels(), strict=True)
    placed = sorted(ticks, key=lambda tick: axes.transData.transform((0, tick[0]))[1])
    return [label.get_text() for _, label in placed]


def test_bars_are_the_palette_blue_largest_at_the_top(built):
    # seaborn desaturates bar colours by default (saturation=0.75): the palette colour must survive
    axes = built["share"].figure.axes[0]
    bars = list(axes.containers[0])
    assert [face(b) for b in bars] == [PALETTE["blue"].lower()] * 2
    top_first = sorted(bars, key=lambda b: -axes.transData.transform((0, b.get_y()))[1])
    assert [round(b.get_width(), 1) for b in top_first] == [38.2, 10.1]
    assert y_labels_bottom_to_top(axes) == ["Shoplifting", "Violence"]
    assert [t.get_text() for t in axes.texts] == ["38.2", "10.1"]  # values at the bar ends
    assert axes.get_xlabel() == "Share (%)" and axes.get_ylabel() == ""


def test_ward_chart_reference_line_in_vermillion(built):
    axes = built["ward"].figure.axes[0]
    assert [face(b) for b in axes.containers[0]] == [PALETTE["blue"].lower()] * 3
    (line,) = axes.get_lines()
    assert to_hex(line.get_color()) == PALETTE["vermillion"].lower()
    assert list(line.get_xdata()) == [111.5, 111.5]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["Area average"]


def test_pyramid_female_left_in_vermillion_male_right_in_blue(built):
    axes = built["pyramid"].figure.axes[0]
    bars = [b for container in axes.containers for b in container]
    widths = {(face(b), round(b.get_width())) for b in bars}
    blue, vermillion = PALETTE["blue"].lower(), PALETTE["vermillion"].lower()
    # Female drawn leftwards in vermillion: 120, 340, 900; Male rightwards in blue: 100, 310, 870
    assert widths == {
        (vermillion, -120),
        (vermillion, -340),
        (vermillion, -900),
        (blue, 100),
        (blue, 310),
        (blue, 870),
    }
    # age bands bottom to top in the frame's order
    assert y_labels_bottom_to_top(axes) == ["0-9", "10-19", "20+"]
    legend = axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["Female", "Male"]
    assert legend.get_title().get_text() == ""
    assert [face(h) for h in legend.legend_handles] == [vermillion, blue]


def test_pyramid_keeps_each_sex_colour_whichever_the_data_list_first():
    ages = pd.DataFrame({"age": ["0-4", "0-4", "5-9", "5-9"], "sex": ["Male", "Female"] * 2, "n": [7, 3, 8, 4]})
    axes = charts.age_sex_pyramid(ages, "age", "sex", "n", "Victims").figure.axes[0]
    widths = {(face(b), round(b.get_width())) for c in axes.containers for b in c}
    # Female (listed second here) still left in vermillion: 3, 4; Male right in blue: 7, 8
    assert widths == {(PALETTE["vermillion"].lower(), -3), (PALETTE["vermillion"].lower(), -4),
                      (PALETTE["blue"].lower(), 7), (PALETTE["blue"].lower(), 8)}


def test_pyramid_of_unequal_age_bands_is_not_drawn():
    # 0-9 is 10 years wide, 10-15 six and 16-25 ten: bars would not compare like with like
    ages = pd.DataFrame({"age": ["0-9", "10-15", "16-25", "26+"] * 2, "sex": ["F"] * 4 + ["M"] * 4, "n": range(1, 9)})
    chart = charts.age_sex_pyramid(ages, "age", "sex", "n", "Victims")
    assert isinstance(chart, NoChart) and "differ in width" in chart.reason
    assert charts.band_widths(["0-4", "5-9", "90+"]) == [5, 5]


def test_pyramid_axis_counts_are_unsigned(built):
    axes = built["pyramid"].figure.axes[0]
    formatter = axes.xaxis.get_major_formatter()
    assert formatter(-1500, 0) == "1,500" and formatter(1500, 0) == "1,500"


def test_trend_chart_lines_and_one_legend(built):
    figure = built["trend"].figure
    axes = figure.axes[0]
    value, centre, upper, lower = axes.get_lines()
    # raw values in order, not aggregated or re-sorted by seaborn
    assert list(value.get_ydata()) == [10, 20] * 5 + [10, 32]
    assert to_hex(value.get_color()) == PALETTE["blue"].lower() and value.get_marker() == "o"
    assert to_hex(centre.get_color()) == "#000000" and upper.get_linestyle() == "--"
    assert axes.get_legend() is None  # seaborn's own legend is off; one legend below the figure
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "Value",
        "Average",
        "Control limits",
        "Outside the limits",
    ]
    (points,) = axes.collections
    assert to_hex(points.get_facecolor()[0]) == PALETTE["vermillion"].lower()


def test_lorenz_line_is_the_cumulative_shares(built):
    axes = built["lorenz"].figure.axes[0]
    equal, curve = axes.get_lines()
    assert list(equal.get_xdata()) == [0, 100] and equal.get_linestyle() == "--"
    # counts 2, 5, 9, 40 (of 56), lowest first: 0, 2/56, 7/56, 16/56, 56/56 of crime
    assert list(curve.get_xdata()) == pytest.approx([0, 25, 50, 75, 100])
    assert list(curve.get_ydata()) == pytest.approx([0, 3.5714, 12.5, 28.5714, 100], abs=1e-4)
    assert to_hex(curve.get_color()) == PALETTE["blue"].lower()


def test_projection_fan_recorded_then_dashed_projection(built):
    figure = built["fan"].figure
    axes = figure.axes[0]
    recorded, projection = axes.get_lines()
    assert len(recorded.get_xdata()) == 48 and len(projection.get_xdata()) == 12
    assert to_hex(recorded.get_color()) == PALETTE["blue"].lower()
    assert to_hex(projection.get_color()) == PALETTE["vermillion"].lower()
    assert projection.get_linestyle() == "--"
    assert len(axes.collections) == 2  # the 95% and 80% intervals
    assert axes.get_legend() is None and len(figure.legends) == 1


def test_repeated_bar_labels_are_refused():
    frame = pd.DataFrame({"ward": ["Foleshill", "Foleshill"], "rate": [1.0, 2.0]})
    with pytest.raises(ChartError, match="Foleshill"):
        charts.ward_chart(frame, "ward", "rate")


def test_whole_number_labels_stay_whole_in_alt_text():
    frame = pd.DataFrame({"year": [2022, 2023], "share": [40.5, 59.5]})
    assert "2023 59.5, 2022 40.5" in charts.share_bars(frame, "year", "share").alt


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


def test_ward_chart_names_its_value_axis():
    frame = pd.DataFrame({"ward": ["Alder", "Birch"], "current": [12, 7]})
    assert charts.ward_chart(frame, "ward", "current", "ASB").figure.axes[0].get_xlabel() == "This year"  # words, never the column name
    named = charts.ward_chart(frame, "ward", "current", "ASB", xlabel="Incidents this year")
    assert named.figure.axes[0].get_xlabel() == "Incidents this year"


def test_control_chart_marks_the_end_of_its_baseline():
    months = pd.date_range("2022-04-01", periods=6, freq="MS")
    chart = stats.control_chart(pd.Series([10.0, 12, 10, 12, 17, 5], index=months), kind="xmr", baseline=4)
    drawn = charts.trend_chart(chart, "Test")
    lines = [ln for ln in drawn.figure.axes[0].get_lines() if ln.get_label() == "End of the baseline"]
    assert len(lines) == 1 and "first 4 values (the baseline" in drawn.alt
    assert "End of the baseline" not in [ln.get_label() for ln in
                                          charts.trend_chart(stats.control_chart(pd.Series([1.0, 2, 3]), kind="xmr"),
                                                             "All baseline").figure.axes[0].get_lines()]


def test_no_axis_is_labelled_with_a_column_name():
    frame = pd.DataFrame({"ward": ["A", "B"], "current": [10, 20]})
    assert charts.ward_chart(frame, "ward", "current", "Crime").figure.axes[0].get_xlabel() == "This year"
    assert charts.share_bars(frame, "ward", "current").figure.axes[0].get_xlabel() == "This year"


# --- the prioritisation matrix's labels --------------------------------------------------------

#: Groupings placed as the reviewer saw them overprint (three sexual-offence groupings in one spot, ASB at the
#: right edge), plus more threats crowded into one corner. Fails on the old code, which set every label 5 and 4
#: points from its point whatever was there.
CLUSTER = pd.DataFrame({
    "label": ["Other sexual offences", "Hate crime", "Sexual offences", "ASB (police-recorded)", "Domestic abuse",
              "Violence with injury", "Shoplifting", "Vehicle crime", "Robbery", "Drugs", "Other groupings A", "Stalking and harassment", "Modern slavery"],
    "category": ["threat", "threat", "emerging threat", "threat", "threat", "threat", "emerging threat", "threat",
                 "emerging threat", "threat", "", "threat", "emerging threat"],
    "x": [0.30, 0.31, 0.305, 1.0, 0.98, 0.99, 1.0, 0.97, 0.02, 0.0, 0.31, 0.30, 0.31],
    "y": [0.80, 0.805, 0.795, 0.50, 1.0, 0.98, 0.0, 0.02, 1.0, 0.99, 0.80, 0.81, 0.79]})


def _matrix_label_boxes(chart):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = chart.figure
    chart.png()  # drawn as the page draws it
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    axes = figure.axes[0]
    names = set(CLUSTER.loc[CLUSTER["category"] != "", "label"])
    boxes = {t.get_text(): Text.get_window_extent(t, renderer) for t in axes.texts if t.get_text() in names}
    return figure, axes, renderer, boxes


def test_matrix_labels_never_overlap_nor_leave_the_axes():
    chart = charts.priority_matrix(CLUSTER, "x", "y", "Volume against harm", "Volume", "Harm")
    figure, axes, renderer, boxes = _matrix_label_boxes(chart)
    assert set(boxes) == set(CLUSTER.loc[CLUSTER["category"] != "", "label"])  # every threat named once
    frame = axes.get_window_extent(renderer)
    page = figure.bbox
    for name, b in boxes.items():
        assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1, name
        assert page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1, name
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not boxes[a].overlaps(boxes[b]), (a, b)
    legend = figure.legends[0].get_window_extent(renderer)  # below the axes, clear of every label
    assert not any(b.overlaps(legend) for b in boxes.values())


def test_matrix_labels_moved_away_have_a_leader_line_and_the_png_is_repeatable():
    first = charts.priority_matrix(CLUSTER, "x", "y", "Volume against harm", "Volume", "Harm")
    second = charts.priority_matrix(CLUSTER, "x", "y", "Volume against harm", "Volume", "Harm")
    assert first.png() == second.png()
    notes = [t for t in first.figure.axes[0].texts if t.get_text() in set(CLUSTER["label"])]
    assert any(n.arrow_patch is not None for n in notes)  # three labels cannot all sit beside one spot
