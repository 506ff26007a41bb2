"""Tests for ccsp_analysis.presentation.maps: polygon paths, class breaks, the choropleth's colours, legend, alt text and PNG."""

from __future__ import annotations

import json

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from ccsp_analysis.presentation import maps
from ccsp_analysis.presentation.charts import Chart, ChartError


def square(x: float, y: float, size: float = 0.01, clockwise: bool = False) -> list[list[float]]:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return ring[::-1] if clockwise else ring


def three_areas() -> pd.DataFrame:
    """Three squares side by side near Coventry (lon/lat), geometry as JSON text like the dataset's table."""
    geoms = [
        {"type": "Polygon", "coordinates": [square(-1.52 + 0.01 * i, 52.40)]} for i in range(3)
    ]
    return pd.DataFrame(
        {
            "code": ["A", "B", "C"],
            "name": ["Alpha", "Beta", "Gamma"],
            "geometry": [json.dumps(g) for g in geoms],
        }
    )


def faces(chart: Chart) -> list[str]:
    collection = next(c for c in chart.figure.axes[0].collections if isinstance(c, PatchCollection))
    return [to_hex(c) for c in collection.get_facecolors()]


def filled(path, points: list[tuple[float, float]]) -> list[bool]:
    """Whether each point (in 0..1 x 0..1) is painted when the path is drawn (Agg's fill rule, as in reports)."""
    figure = Figure(figsize=(1, 1), dpi=100)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.add_patch(PathPatch(path, facecolor="black", edgecolor="none"))
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_axis_off()
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    return [bool(pixels[99 - int(y * 100), int(x * 100), 0] < 128) for x, y in points]


@pytest.mark.parametrize("outer_clockwise", [True, False])
@pytest.mark.parametrize("hole_clockwise", [True, False])
def test_polygon_with_hole_leaves_the_hole_empty_whatever_the_winding(
    outer_clockwise, hole_clockwise
):
    # a unit square with a hole 0.4..0.6: the ring (0.2, 0.2) is painted, the hole (0.5, 0.5) is not,
    # however the file winds its rings (RFC 7946 asks for outer anticlockwise, holes clockwise)
    geom = {
        "type": "Polygon",
        "coordinates": [
            square(0.1, 0.1, 0.8, outer_clockwise),
            square(0.4, 0.4, 0.2, hole_clockwise),
        ],
    }
    assert filled(maps.geometry_path(geom), [(0.2, 0.2), (0.5, 0.5), (0.95, 0.95)]) == [
        True,
        False,
        False,
    ]


def test_multipolygon_and_json_text():
    geom = {"type": "MultiPolygon", "coordinates": [[square(0, 0, 1)], [square(5, 5, 1)]]}
    path = maps.geometry_path(json.dumps(geom))
    assert path.contains_point((0.5, 0.5)) and path.contains_point((5.5, 5.5))
    assert not path.contains_point((3, 3))
    # two rings of 4 distinct corners, each closed: 2 x (4 + 1) vertices
    assert len(path.vertices) == 10


@pytest.mark.parametrize(
    "geom",
    [
        {"type": "Point", "coordinates": [0, 0]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
    ],
)
def test_non_polygons_are_refused(geom):
    with pytest.raises(ChartError):
        maps.geometry_path(geom)


def test_classes_are_quantiles():
    # values 1..10: quantiles at 0, 0.2, ..., 1 -> 1 + 9 x (0, .2, .4, .6, .8, 1) = 1, 2.8, 4.6, 6.4, 8.2, 10
    edges = maps.classes(pd.Series(np.arange(1, 11, dtype=float)))
    assert edges == pytest.approx([1, 2.8, 4.6, 6.4, 8.2, 10])


def test_classes_with_repeated_and_single_values():
    # two distinct values: two classes at most; quantiles 0, .5, 1 of (1, 1, 1, 5) are 1, 1, 5 -> edges 1, 5
    assert list(maps.classes(pd.Series([1.0, 1.0, 1.0, 5.0]))) == [1.0, 5.0]
    assert list(maps.classes(pd.Series([3.0, 3.0, np.nan]))) == [3.0, 3.0]
    with pytest.raises(ChartError):
        maps.classes(pd.Series([np.nan]))


def test_choropleth_shades_low_light_and_high_dark():
    values = pd.Series({"A": 10.0, "B": 20.0, "C": 30.0}, name="Crimes per 1,000")
    chart = maps.choropleth(three_areas(), values, "Test rate")
    # three distinct values -> three classes: quantiles 10, 16.67, 23.33, 30; viridis_r resampled to 3 colours
    scale = [to_hex(c) for c in mpl.colormaps[maps.SCALE].resampled(3)(np.arange(3))]
    assert faces(chart) == scale
    assert chart.alt.startswith("Map of Test rate across 3 areas")
    assert "Highest: Gamma 30, Beta 20, Alpha 10." in chart.alt
    assert "Lowest: Alpha 10, Beta 20, Gamma 30." in chart.alt
    legend = chart.figure.axes[0].get_legend()
    assert legend.get_title().get_text() == "Crimes per 1,000"
    assert [t.get_text() for t in legend.get_texts()][0].endswith("to 30.0")  # highest class first


def test_missing_values_are_white_and_listed():
    chart = maps.choropleth(three_areas(), pd.Series({"A": 1.0, "B": 2.0}), "Partial")
    assert faces(chart)[2] == maps.NO_DATA.lower()
    assert "No data for 1 area(s): Gamma." in chart.alt
    assert [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()][-1] == "No data"


def test_png_is_deterministic():
    values = pd.Series({"A": 1.0, "B": 2.0, "C": 4.0})
    first = maps.choropleth(three_areas(), values, "Same").png()
    assert first == maps.choropleth(three_areas(), values, "Same").png()
    assert first.startswith(b"\x89PNG")


def test_bad_input_is_refused():
    with pytest.raises(ChartError, match="codes not on the map"):
        maps.choropleth(three_areas(), pd.Series({"Z": 1.0}), "Unknown code")
    with pytest.raises(ChartError, match="geometry"):
        maps.choropleth(
            three_areas().drop(columns="geometry"), pd.Series({"A": 1.0}), "No geometry"
        )
    with pytest.raises(ChartError, match="at least one value"):
        maps.choropleth(three_areas(), pd.Series(dtype=float), "Nothing")


def test_real_ward_boundaries(shared_data, tmp_path):
    from ccsp_analysis.sources.ons import read_boundaries

    wards = read_boundaries(shared_data / "boundaries" / "coventry_wards.geojson")
    values = pd.Series(np.arange(len(wards), dtype=float), index=wards["code"])
    chart = maps.choropleth(wards, values, "Ward test")
    assert len(faces(chart)) == 18
    # the last ward in file order has the highest value
    assert f"Highest: {wards['name'].iloc[-1]} 17" in chart.alt
    (tmp_path / "wards.png").write_bytes(chart.png())
