"""Choropleth maps from GeoJSON polygons, drawn with matplotlib in the report's style (no geopandas)."""

from __future__ import annotations

import json
import logging
import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path

from ccsp_analysis.formatting import auto_decimals, fmt_number
from ccsp_analysis.presentation.charts import ward_chart
from ccsp_analysis.presentation.style import Chart, ChartError, need_columns, new_axes, styled

log = logging.getLogger(__name__)

__all__ = ["NO_DATA", "SCALE", "choropleth", "classes", "geometry_path"]

#: Sequential scale: viridis (perceptually uniform and readable with every common colour-vision
#: deficiency, and in greyscale), light for low values, dark for high ones.
SCALE = "viridis_r"
NO_DATA = "#FFFFFF"
EDGE = "#404040"
MAX_CLASSES = 5


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _ring_path(ring, clockwise: bool) -> tuple[np.ndarray, list[int]]:
    points = np.asarray(ring, dtype=float)[:, :2]
    if len(points) > 1 and np.array_equal(points[0], points[-1]):
        points = points[:-1]
    if len(points) < 3:
        return np.empty((0, 2)), []
    if (_signed_area(points) < 0) != clockwise:
        points = points[::-1]
    vertices = np.vstack([points, points[:1]])
    return vertices, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1) + [Path.CLOSEPOLY]


def geometry_path(geometry: dict | str) -> Path:
    """One matplotlib Path for a GeoJSON Polygon or MultiPolygon (dict or JSON text).

    Outer rings are drawn anticlockwise and holes clockwise whatever the file's winding, so
    holes stay empty under either fill rule.
    """
    geom = json.loads(geometry) if isinstance(geometry, str) else geometry
    kind = geom.get("type") if isinstance(geom, dict) else None
    if kind not in ("Polygon", "MultiPolygon"):
        raise ChartError(f"choropleth needs Polygon or MultiPolygon geometries, got {kind!r}")
    polygons = [geom["coordinates"]] if kind == "Polygon" else geom["coordinates"]
    vertices, codes = [], []
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            v, c = _ring_path(ring, clockwise=i > 0)
            vertices.append(v)
            codes += c
    if not codes:
        raise ChartError("a boundary has no ring with three or more points")
    return Path(np.vstack(vertices), codes)


def classes(values: pd.Series, n: int = MAX_CLASSES) -> np.ndarray:
    """Class breaks (n + 1 ascending edges) at equal-count quantiles of the values, repeated edges dropped.

    With a single distinct value there is one class, from that value to itself.
    """
    finite = values.dropna().astype(float)
    if finite.empty:
        raise ChartError("choropleth needs at least one value")
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, min(n, finite.nunique()) + 1)))
    return edges if len(edges) > 1 else np.repeat(edges, 2)


def _class_of(value: float, edges: np.ndarray) -> int:
    return int(np.clip(np.searchsorted(edges, value, side="right") - 1, 0, len(edges) - 2))


def _legend_labels(edges: np.ndarray) -> list[str]:
    decimals = auto_decimals(edges)
    return [
        f"{fmt_number(lo, decimals)} to {fmt_number(hi, decimals)}"
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]


def _ranked_text(frame: pd.DataFrame, ascending: bool, k: int = 3) -> str:
    ranked = frame.sort_values(["value", "name"], ascending=[ascending, True], kind="stable").head(
        k
    )
    return ", ".join(
        f"{r.name} {fmt_number(r.value, auto_decimals([r.value]))}" for r in ranked.itertuples()
    )


@styled
def choropleth(boundaries_frame: pd.DataFrame, values: pd.Series, title: str) -> Chart:
    """Shade each area by its value on a colour-blind-safe sequential scale, with a legend.

    Parameters
    ----------
    boundaries_frame
        Columns ``code``, ``name`` and ``geometry`` (a GeoJSON Polygon/MultiPolygon as a dict
        or JSON text, in longitude/latitude), as from :func:`ccsp_analysis.sources.ons.read_boundaries`.
    values
        One value per area, indexed by area ``code``; areas without a value are drawn white
        and listed as "No data" in the legend; values for codes not on the map are refused.
    title
        Chart title (also names the measure in the alt text).

    Returns
    -------
    Chart
        The map and its alt text (the three highest and lowest areas, and the classes).

    Notes
    -----
    Up to five classes with equal numbers of areas (quantiles; fewer when values repeat),
    shaded light (low) to dark (high). Longitude is scaled by 1 / cos(mid latitude) so that
    shapes are not stretched. Drawing is deterministic: the same input gives the same PNG.
    """
    need_columns(boundaries_frame, ["code", "name", "geometry"], "choropleth")
    if boundaries_frame.empty:
        raise ChartError("choropleth needs at least one boundary")
    unknown = sorted(set(values.index) - set(boundaries_frame["code"]))
    if unknown:
        raise ChartError(
            f"choropleth values for codes not on the map: {unknown[:5]}; index values by boundary code"
        )
    frame = boundaries_frame[["code", "name", "geometry"]].assign(
        value=boundaries_frame["code"].map(values).astype(float)
    )
    edges = classes(frame["value"])
    colours = mpl.colormaps[SCALE].resampled(len(edges) - 1)(np.arange(len(edges) - 1))
    paths = [geometry_path(g) for g in frame["geometry"]]
    faces = [NO_DATA if math.isnan(v) else colours[_class_of(v, edges)] for v in frame["value"]]
    figure, axes = new_axes(title, (8.0, 5.0))
    axes.add_collection(
        PatchCollection(
            [PathPatch(p) for p in paths],
            facecolors=faces,
            edgecolors=EDGE,
            linewidths=0.6,
            match_original=False,
        )
    )
    box = np.vstack([p.vertices for p in paths])
    (x0, y0), (x1, y1) = box.min(axis=0), box.max(axis=0)
    pad = 0.02 * max(x1 - x0, y1 - y0)
    axes.set_xlim(x0 - pad, x1 + pad)
    axes.set_ylim(y0 - pad, y1 + pad)
    lon_lat = -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90
    axes.set_aspect(1 / math.cos(math.radians((y0 + y1) / 2)) if lon_lat else "equal")
    axes.set_axis_off()
    labels = _legend_labels(edges)
    handles = [
        Patch(facecolor=c, edgecolor=EDGE, label=t) for c, t in zip(colours, labels, strict=True)
    ][::-1]
    missing = frame[frame["value"].isna()]
    if len(missing):
        handles.append(Patch(facecolor=NO_DATA, edgecolor=EDGE, label="No data"))
    axes.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), title=values.name or None
    )
    shown = frame.dropna(subset=["value"])
    decimals = auto_decimals(edges)
    alt = (
        f"Map of {title} across {len(frame)} areas, shaded from light (low) to dark (high) in "
        f"{len(labels)} class(es) from {fmt_number(edges[0], decimals)} to {fmt_number(edges[-1], decimals)}. "
        f"Highest: {_ranked_text(shown, False)}. Lowest: {_ranked_text(shown, True)}."
    )
    if len(missing):
        alt += f" No data for {len(missing)} area(s): {', '.join(sorted(missing['name']))}."
    return Chart(figure, alt)


def ward_map(
    boundaries: pd.DataFrame,
    table: pd.DataFrame,
    column: str,
    title: str,
    label: str = "",
    reference: float | None = None,
) -> Chart:
    """A choropleth of ``column`` by ward when ward boundaries were supplied, else a ranked ward chart.

    Parameters
    ----------
    boundaries
        Ward boundaries (``dataset.boundaries``: code, geometry); when there are none a ranked ward chart is drawn.
    table
        The frame from :func:`ccsp_analysis.sections.areas.ward_table`.
    column, title
        The value to show and the chart title.
    label
        What the value is (the map legend's heading or the chart's axis), e.g. "Crimes per 1,000 residents".
    reference
        For the ward chart: a reference line (e.g. the area's rate).
    """
    if not boundaries.empty:
        values = table.set_index("ward_code")[column].astype(float).rename(label or None)
        on_map = values.index.isin(boundaries["code"])
        if not on_map.all():
            log.warning(
                "wards not on the boundary map (check its vintage): %s",
                ", ".join(values.index[~on_map]),
            )
        return choropleth(boundaries, values[on_map], title)
    shown = table.rename(columns={column: label}) if label else table
    return ward_chart(shown, "ward_name", label or column, title, reference=reference)
