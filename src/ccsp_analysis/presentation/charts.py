"""Report charts from tidy frames, drawn with seaborn in one theme; each returned as a Chart with alt text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ccsp_analysis.formatting import auto_decimals, fmt_count, fmt_number
from ccsp_analysis.narrative import spc_exceptions
from ccsp_analysis.presentation.style import (
    NO_DATA,
    PALETTE,
    Chart,
    ChartError,
    NoChart,
    listing,
    need_columns,
    new_axes,
    nothing_to_draw,
    period_text,
    styled,
    x_positions,
)
from ccsp_analysis.stats import RULES

__all__ = [
    "PALETTE",
    "Chart",
    "ChartError",
    "age_sex_pyramid",
    "lorenz_chart",
    "priority_matrix",
    "projection_fan",
    "share_bars",
    "trend_chart",
    "ward_chart",
]


def _hbars(
    frame: pd.DataFrame, label_col: str, value_col: str, title: str, what: str
) -> tuple[Figure, Axes, pd.DataFrame]:
    """Horizontal bars, largest at the top, with values written at the bar ends.

    Returns the figure, its axes and the frame in the order drawn (largest first). One row per
    category: a label that appears twice is refused rather than drawn over itself.
    """
    need_columns(frame, [label_col, value_col], what)
    frame = frame.dropna(subset=[value_col])  # a category with no value has no bar (the table shows it)
    ordered = frame.sort_values(value_col, ascending=True, kind="stable").iloc[::-1]
    labels = ordered[label_col].astype(str)
    repeated = sorted(set(labels[labels.duplicated()]))
    if repeated:
        raise ChartError(f"{what} needs one row per '{label_col}'; repeated: {repeated[:5]}")
    figure, axes = new_axes(title, (8.0, max(3.0, 0.3 * len(ordered) + 1.2)))
    sns.barplot(
        x=ordered[value_col].to_numpy(),
        y=labels.to_numpy(),
        order=labels.tolist(),
        orient="h",
        color=PALETTE["blue"],
        saturation=1,
        errorbar=None,
        ax=axes,
    )
    axes.bar_label(
        axes.containers[0],
        labels=[fmt_number(v, auto_decimals([v])) for v in ordered[value_col]],
        padding=3,
        fontsize=8,
    )
    axes.set_ylabel("")
    axes.grid(False)
    axes.grid(True, axis="x")
    return figure, axes, ordered


@styled
def trend_chart(chart: pd.DataFrame, title: str, ylabel: str = "Count per month") -> Chart:
    """Control chart: values, centre line, control limits, and rule breaches marked.

    Parameters
    ----------
    chart
        A frame from :func:`ccsp_analysis.stats.control_chart`.
    title, ylabel
        Chart title and y-axis label.

    Returns
    -------
    Chart
        The figure and its alt text.
    """
    if nothing_to_draw(chart, ["value"]):
        return NoChart(title, NO_DATA)
    need_columns(chart, ["value", "centre", "lcl", "ucl", *RULES], "trend_chart")
    figure, axes = new_axes(title)
    x = x_positions(chart.index)
    sns.lineplot(
        x=x,
        y=chart["value"].to_numpy(),
        estimator=None,
        sort=False,
        legend=False,
        color=PALETTE["blue"],
        marker="o",
        markersize=3,
        markeredgecolor=PALETTE["blue"],  # seaborn's white edge would hide points this small
        label="Value",
        ax=axes,
    )
    axes.plot(x, chart["centre"], color=PALETTE["black"], linewidth=1, label="Average")
    axes.plot(
        x, chart["ucl"], color=PALETTE["black"], linestyle="--", linewidth=1, label="Control limits"
    )
    axes.plot(x, chart["lcl"], color=PALETTE["black"], linestyle="--", linewidth=1)
    other = chart[["run", "trend", "near_limit"]].any(axis=1) & ~chart["outside_limits"]
    for mask, colour, marker, name in (
        (chart["outside_limits"], PALETTE["vermillion"], "D", "Outside the limits"),
        (other, PALETTE["purple"], "s", "Run, trend or near a limit"),
    ):
        if mask.any():
            sns.scatterplot(
                x=x[mask.to_numpy()],
                y=chart.loc[mask, "value"].to_numpy(),
                legend=False,
                color=colour,
                marker=marker,
                s=36,
                zorder=3,
                label=name,
                ax=axes,
            )
    baseline_note = ""
    if "baseline" in chart.columns and chart["baseline"].any() and not chart["baseline"].all():
        first = int((~chart["baseline"].to_numpy(dtype=bool)).argmax())  # the first month judged against the baseline
        edge = x[first - 1] + (x[first] - x[first - 1]) / 2  # numbers or dates
        axes.axvline(edge, color=PALETTE["green"], linestyle=":", linewidth=1.5, label="End of the baseline")
        baseline_note = (f" The limits come from the first {first} values (the baseline, to the dotted line); "
                         "later values are judged against them.")
    axes.set_ylabel(ylabel)
    figure.legend(loc="outside lower center", ncols=4, fontsize=8)
    found = spc_exceptions(chart)
    breaches = (
        "no rule breaches."
        if not found
        else (
            f"{len(found)} rule breach(es): "
            + "; ".join(found[:3])
            + ("; and more." if len(found) > 3 else ".")
        )
    )
    decimals = auto_decimals(chart["value"])
    alt = (
        f"Control chart of {title}: {len(chart)} values {period_text(chart.index)}, "
        f"ranging from {fmt_number(chart['value'].min(), decimals)} to "
        f"{fmt_number(chart['value'].max(), decimals)}; average "
        f"{fmt_number(chart['centre'].iloc[0], decimals + 1)}, control limits "
        f"{fmt_number(chart['lcl'].iloc[0], decimals + 1)} to "
        f"{fmt_number(chart['ucl'].iloc[0], decimals + 1)}; {breaches}{baseline_note}"
    )
    return Chart(figure, alt)


@styled
def share_bars(
    frame: pd.DataFrame, label_col: str, value_col: str, title: str = "", xlabel: str = ""
) -> Chart:
    """Horizontal bar chart of one value per category (e.g. offences by share of crime).

    Parameters
    ----------
    frame
        Tidy frame, one row per category.
    label_col, value_col
        Columns holding the category names and the values (bars sorted largest first).
    title, xlabel
        Chart title and x-axis label (default: ``value_col``).

    Returns
    -------
    Chart
        The figure and its alt text.
    """
    if nothing_to_draw(frame, [value_col]):
        return NoChart(title, NO_DATA)
    figure, axes, ordered = _hbars(frame, label_col, value_col, title, "share_bars")
    axes.set_xlabel(xlabel or axis_words(value_col))
    alt = f"Bar chart of {title or value_col}, largest first: {listing(ordered, label_col, value_col)}."
    return Chart(figure, alt)


@styled
def ward_chart(
    frame: pd.DataFrame,
    ward_col: str,
    value_col: str,
    title: str = "",
    reference: float | None = None,
    reference_label: str = "Area average",
    xlabel: str = "",
) -> Chart:
    """Wards ranked by a value (count or rate), with an optional reference line.

    Parameters
    ----------
    frame
        Tidy frame, one row per ward.
    ward_col, value_col
        Columns holding the ward names and the values (bars sorted highest first).
    title
        Chart title.
    reference, reference_label
        Optional reference value (e.g. the whole area's rate) drawn as a dashed line.
    xlabel
        What the values are (the value axis' label), e.g. "Incidents this year"; the column name otherwise.

    Returns
    -------
    Chart
        The figure and its alt text.
    """
    if nothing_to_draw(frame, [value_col]):
        return NoChart(title, NO_DATA)
    figure, axes, ordered = _hbars(frame, ward_col, value_col, title, "ward_chart")
    axes.set_xlabel(xlabel or axis_words(value_col))
    alt = f"Bar chart of {title or value_col} by ward, highest first: {listing(ordered, ward_col, value_col, 18)}."
    if reference is not None:
        axes.axvline(reference, color=PALETTE["vermillion"], linestyle="--", label=reference_label)
        axes.legend(loc="lower right")
        above = int((ordered[value_col] > reference).sum())
        alt += f" {reference_label} {fmt_number(reference, 1)}; {above} of {len(ordered)} wards are above it."
    return Chart(figure, alt)


#: Words for an axis whose label was not given, in place of a table's column name (never "current" on a chart).
AXIS_WORDS = {"current": "This year", "previous": "Last year", "share": "Share (%)", "pct": "Per cent",
              "count": "Count", "rate": "Rate per 1,000 residents"}


def axis_words(column: str) -> str:
    """A reader's label for a value column: :data:`AXIS_WORDS`, else the name in words ("share_syv" -> "Share syv")."""
    return AXIS_WORDS.get(column, column.replace("_", " ").capitalize())


#: One colour per sex on every chart: Female always vermillion, Male always blue.
SEX_COLOURS = {"female": PALETTE["vermillion"], "f": PALETTE["vermillion"], "male": PALETTE["blue"], "m": PALETTE["blue"]}
#: The side each sex is drawn on (Female left).
SEX_ORDER = {"Female": 0, "F": 0, "Male": 1, "M": 1}


def sex_colour(sex: str, position: int = 0) -> str:
    """The colour of ``sex`` on every chart (:data:`SEX_COLOURS`); another value takes a colour by position."""
    return SEX_COLOURS.get(str(sex).strip().casefold(), (PALETTE["green"], PALETTE["purple"])[position % 2])


def band_widths(labels: list[str]) -> list[int]:
    """Widths in years of age bands labelled "a-b" (inclusive); an open last band "a+" is not counted.

    ``band_widths(["0-4", "5-9", "90+"]) == [5, 5]``; labels of another form raise ChartError.
    """
    out = []
    for label in labels:
        if label.endswith("+"):
            continue
        try:
            low, high = (int(x) for x in label.split("-"))
        except ValueError:
            raise ChartError(f"age band '{label}' is not of the form 'a-b' or 'a+'") from None
        out.append(high - low + 1)
    return out


@styled
def age_sex_pyramid(
    frame: pd.DataFrame, age_col: str, sex_col: str, value_col: str, title: str = ""
) -> Chart:
    """Back-to-back bars by age band for two sexes.

    Parameters
    ----------
    frame
        Tidy frame, one row per age band and sex (rows for the same cell are summed).
    age_col, sex_col, value_col
        Columns for the age band ("a-b" or an open last "a+", shown in the frame's order, bottom to
        top), the sex (exactly two values; Female is drawn on the left, in vermillion, Male on the
        right, in blue, on every chart) and the count. Bands of unequal width are not drawn (a
        sentence says why): their bars would not compare like with like.
    title
        Chart title.

    Returns
    -------
    Chart
        The figure and its alt text.
    """
    if nothing_to_draw(frame, [value_col]):
        return NoChart(title, NO_DATA)
    need_columns(frame, [age_col, sex_col, value_col], "age_sex_pyramid")
    widths = band_widths([str(a) for a in pd.unique(frame[age_col])])
    if len(set(widths)) > 1:
        return NoChart(title, "the age bands of this table differ in width (" + ", ".join(map(str, pd.unique(frame[age_col])))
                       + "), so bars of a pyramid would not compare like with like; the table gives the counts.")
    sexes = list(pd.unique(frame[sex_col]))
    if len(sexes) != 2:
        raise ChartError(f"age_sex_pyramid needs exactly two values in '{sex_col}', got {sexes}")
    sexes = sorted(sexes, key=lambda s: SEX_ORDER.get(str(s), 2))  # Female on the left wherever the data list her
    table = (
        frame.pivot_table(
            index=age_col,
            columns=sex_col,
            values=value_col,
            aggfunc="sum",
            sort=False,
            observed=True,
        )
        .reindex(columns=sexes)
        .fillna(0)
    )
    figure, axes = new_axes(title)
    ages = [str(a) for a in table.index]
    names = [str(s) for s in sexes]
    sns.barplot(
        x=np.concatenate([-table[sexes[0]].to_numpy(), table[sexes[1]].to_numpy()]),
        y=ages * 2,
        hue=np.repeat(names, len(ages)),
        order=ages[::-1],  # seaborn draws the first category at the top
        hue_order=names,
        palette=[sex_colour(s, i) for i, s in enumerate(names)],
        orient="h",
        dodge=False,
        saturation=1,
        errorbar=None,
        ax=axes,
    )
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_count(abs(v))))
    axes.axvline(0, color=PALETTE["black"], linewidth=0.8)
    axes.grid(False)
    axes.set_ylabel("")
    sns.move_legend(axes, "upper left", bbox_to_anchor=(1.0, 1.0), title=None)
    peak_age, peak_sex = table.stack().idxmax()
    alt = (
        f"Age and sex pyramid of {title or value_col}: {sexes[0]} {fmt_count(table[sexes[0]].sum())}, "
        f"{sexes[1]} {fmt_count(table[sexes[1]].sum())}; the largest group is {peak_sex} aged "
        f"{peak_age} ({fmt_count(table.loc[peak_age, peak_sex])})."
    )
    return Chart(figure, alt)


@styled
def lorenz_chart(lorenz_frame: pd.DataFrame, title: str = "", summary: str = "") -> Chart:
    """Lorenz curve of crime across areas with the line of equal shares.

    Parameters
    ----------
    lorenz_frame
        The frame from :func:`ccsp_analysis.stats.lorenz`.
    title
        Chart title.
    summary
        Optional sentences added to the alt text (e.g. the section's concentration statement
        with its Gini coefficient).

    Returns
    -------
    Chart
        The figure and its alt text.
    """
    if nothing_to_draw(lorenz_frame, ["crime_share"]):
        return NoChart(title, NO_DATA)
    need_columns(lorenz_frame, ["area_share", "crime_share"], "lorenz_chart")
    figure, axes = new_axes(title, (5.5, 5.0))
    axes.plot(
        [0, 100],
        [0, 100],
        color=PALETTE["black"],
        linestyle="--",
        linewidth=1,
        label="Equal shares",
    )
    sns.lineplot(
        x=lorenz_frame["area_share"].to_numpy() * 100,
        y=lorenz_frame["crime_share"].to_numpy() * 100,
        estimator=None,
        sort=False,
        legend=False,
        color=PALETTE["blue"],
        marker="o",
        markersize=3,
        markeredgecolor=PALETTE["blue"],  # seaborn's white edge would hide points this small
        label="Recorded crime",
        ax=axes,
    )
    axes.set_xlabel("Cumulative % of areas (lowest crime first)")
    axes.set_ylabel("Cumulative % of crime")
    axes.legend(loc="upper left")
    alt = (
        f"Lorenz curve of {title or 'crime'} across {len(lorenz_frame) - 1} areas; the further it bows "
        "below the diagonal, the more crime is concentrated in a few areas."
    )
    if summary:
        alt += f" {summary}"
    return Chart(figure, alt)


@styled
def projection_fan(
    history: pd.Series, projection: pd.DataFrame, title: str = "", ylabel: str = "Count per month"
) -> Chart:
    """Recorded series followed by a labelled projection with 80% and 95% prediction intervals.

    Parameters
    ----------
    history
        The recorded monthly series.
    projection
        The frame from :func:`ccsp_analysis.stats.project`.
    title, ylabel
        Chart title and y-axis label.

    Returns
    -------
    Chart
        The figure and its alt text.
    """
    if history.dropna().empty or projection.empty:
        return NoChart(title, NO_DATA)
    need_columns(projection, ["forecast", "low80", "high80", "low95", "high95"], "projection_fan")
    figure, axes = new_axes(title)
    future = x_positions(projection.index)
    sns.lineplot(
        x=x_positions(history.index),
        y=history.to_numpy(),
        estimator=None,
        sort=False,
        legend=False,
        color=PALETTE["blue"],
        label="Recorded",
        ax=axes,
    )
    axes.fill_between(
        future,
        projection["low95"],
        projection["high95"],
        color=PALETTE["vermillion"],
        alpha=0.15,
        linewidth=0,
        label="95% prediction interval",
    )
    axes.fill_between(
        future,
        projection["low80"],
        projection["high80"],
        color=PALETTE["vermillion"],
        alpha=0.3,
        linewidth=0,
        label="80% prediction interval",
    )
    sns.lineplot(
        x=future,
        y=projection["forecast"].to_numpy(),
        estimator=None,
        sort=False,
        legend=False,
        color=PALETTE["vermillion"],
        linestyle="--",
        label="Projection",
        ax=axes,
    )
    axes.set_ylabel(ylabel)
    figure.legend(loc="outside lower center", ncols=4, fontsize=8)
    alt = (
        f"Line chart of {title or 'the series'}: recorded values {period_text(history.index)}, then a "
        f"projection {period_text(projection.index)} of between "
        f"{fmt_count(projection['forecast'].min())} and {fmt_count(projection['forecast'].max())} "
        f"a month, with 95% prediction intervals spanning {fmt_count(projection['low95'].min())} to "
        f"{fmt_count(projection['high95'].max())}."
    )
    return Chart(figure, alt)


def _box_distance(corner: tuple[float, float], w: float, h: float) -> float:
    """Distance from the origin (the point) to a w x h box whose lower-left corner is ``corner``."""
    dx = 0.0 if corner[0] <= 0 <= corner[0] + w else min(abs(corner[0]), abs(corner[0] + w))
    dy = 0.0 if corner[1] <= 0 <= corner[1] + h else min(abs(corner[1]), abs(corner[1] + h))
    return float(np.hypot(dx, dy))


def _inside(box: tuple, frame: tuple) -> bool:
    return box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]


def _clear(box: tuple, others: list) -> bool:
    return all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3] for b in others)


#: Gap (points) between a point and its label, and between labels.
_LABEL_GAP = 4.0


def place_labels(figure: Figure, axes: Axes, labels: list[tuple[str, float, float]],
                 points: list[tuple[float, float]] = (), avoid: list = (), fontsize: float = 8) -> list:
    """Name points with labels that never overlap one another nor leave the axes (a small deterministic repel).

    The figure's layout is fixed first (drawn once, then its layout engine switched off), so the places found
    are where the labels print. Labels are placed one at a time, top to bottom then left to right; each goes
    to the free place nearest its point (beside it when that is free), clear of the labels already placed, of
    ``avoid`` (e.g. the legend) and, when possible, of every marker in ``points``. A label set away from its
    point gets a thin leader line to it. Returns the annotations, in the order of ``labels``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not labels:
        return []
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    figure.canvas.draw()
    figure.set_layout_engine("none")  # keep the axes where the layout put them
    renderer = figure.canvas.get_renderer()
    px_per_pt = figure.dpi / 72.0
    gap = _LABEL_GAP * px_per_pt
    box = axes.get_window_extent(renderer)
    frame = (box.x0 + 1, box.y0 + 1, box.x1 - 1, box.y1 - 1)
    blocked = [a.get_window_extent(renderer) for a in avoid]
    blocked = [(b.x0, b.y0, b.x1, b.y1) for b in blocked]
    r = 3.5 * px_per_pt  # about a marker's radius
    markers = [(mx - r, my - r, mx + r, my + r) for mx, my in
               (axes.transData.transform((float(a), float(b))) for a, b in points)]

    order = sorted(range(len(labels)), key=lambda i: (-labels[i][2], labels[i][1], labels[i][0]))
    made: dict[int, object] = {}
    placed: list[tuple[float, float, float, float]] = []
    for i in order:
        text, vx, vy = labels[i]
        ax_, ay_ = axes.transData.transform((float(vx), float(vy)))
        probe = axes.text(float(vx), float(vy), text, fontsize=fontsize, ha="left", va="bottom")
        ext = probe.get_window_extent(renderer)
        probe.remove()
        w, h = ext.width, ext.height
        lx, ly = ext.x0 - ax_, ext.y0 - ay_  # where the text's box sits against its anchor
        # candidate lower-left corners of the box against the point: beside it first, then rows further out
        step_x, step_y = max(w / 4, 6 * px_per_pt), h * 0.5
        rows = [r * 0.8, -h - r * 0.8] + [sign * k * step_y - h / 2 for k in range(1, 60) for sign in (1, -1)]
        cols = [gap, -w - gap, -w / 2] + [v for j in range(1, 30) for v in (gap + j * step_x, -w - gap - j * step_x)]
        cands = sorted({(dx, dy) for dy in rows for dx in cols},
                       key=lambda c: (round(_box_distance(c, w, h), 3), -c[1], c[0]))
        spaced = [(b[0] - gap / 2, b[1] - gap / 2, b[2] + gap / 2, b[3] + gap / 2) for b in placed]
        others = [m for m in markers if not (m[0] < ax_ < m[2] and m[1] < ay_ < m[3])]
        chosen = None
        for obstacles in (spaced + blocked + others, spaced + blocked, spaced):
            chosen = next(((dx, dy) for dx, dy in cands
                           if _inside((ax_ + dx, ay_ + dy, ax_ + dx + w, ay_ + dy + h), frame)
                           and _clear((ax_ + dx, ay_ + dy, ax_ + dx + w, ay_ + dy + h), obstacles)), None)
            if chosen is not None:
                break
        if chosen is None:  # no free place left in the axes: beside the point, kept inside the frame
            chosen = (min(max(gap, frame[0] - ax_), frame[2] - ax_ - w), min(max(0.0, frame[1] - ay_), frame[3] - ay_ - h))
        dx, dy = chosen
        lead = _box_distance(chosen, w, h) > gap * 1.5
        note = axes.annotate(text, (vx, vy), xytext=((dx - lx) / px_per_pt, (dy - ly) / px_per_pt),
                             textcoords="offset points", fontsize=fontsize, ha="left", va="bottom", zorder=4,
                             arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 0.6, "shrinkA": 1,
                                         "shrinkB": 3} if lead else None)
        note.set_in_layout(False)
        placed.append((ax_ + dx, ay_ + dy, ax_ + dx + w, ay_ + dy + h))
        made[i] = note
    return [made[i] for i in range(len(labels))]


#: How the priority matrix colours and names each kind of point.
_MATRIX_KINDS = (("threat", "Threat", "vermillion", "o"), ("emerging threat", "Emerging threat", "purple", "D"),
                 ("", "Other groupings", "blue", "o"))


@styled
def priority_matrix(frame: pd.DataFrame, x: str, y: str, title: str = "", xlabel: str = "", ylabel: str = "") -> Chart:
    """The prioritisation matrix: each scored grouping placed by two scaled criteria (0-1), threats and
    emerging threats coloured and named.

    Parameters
    ----------
    frame
        One row per grouping with ``label``, ``category`` ("threat", "emerging threat" or "") and the
        columns ``x`` and ``y`` (e.g. ``volume_score`` and ``harm_score`` or ``change_score``).
    x, y
        The columns placed on each axis.
    title, xlabel, ylabel
        Chart title and axis labels.

    Returns
    -------
    Chart
        The figure and its alt text (the named points and where they sit).
    """
    need_columns(frame, ["label", "category", x, y], "priority_matrix")
    if nothing_to_draw(frame, [x, y]):
        return NoChart(title, NO_DATA)
    drawn = frame.dropna(subset=[x, y])
    figure, axes = new_axes(title, (8.0, 6.0))
    for x0, y0 in ((0.5, None), (None, 0.5)):
        if x0 is not None:
            axes.axvline(x0, color="#BBBBBB", linewidth=1)
        else:
            axes.axhline(y0, color="#BBBBBB", linewidth=1)
    for category, name, colour, marker in _MATRIX_KINDS:
        part = drawn[drawn["category"].fillna("") == category]
        if part.empty:
            continue
        axes.scatter(part[x], part[y], s=46 if category else 26, color=PALETTE[colour], marker=marker, label=name,
                     zorder=3 if category else 2, alpha=1 if category else 0.7)
    axes.set_xlim(-0.05, 1.15)
    axes.set_ylim(-0.05, 1.1)
    axes.set_xlabel(xlabel or x)
    axes.set_ylabel(ylabel or y)
    axes.grid(True, axis="both")
    figure.legend(loc="outside lower center", ncols=3, fontsize=8)  # below the axes: it hides no point
    named = drawn[drawn["category"].fillna("") != ""]
    place_labels(figure, axes, list(zip(named["label"].astype(str), named[x], named[y], strict=True)),
                 points=list(zip(drawn[x], drawn[y], strict=True)))
    places = "; ".join(f"{r.label} ({r.category}) at {fmt_number(getattr(r, x), 2)}, {fmt_number(getattr(r, y), 2)}"
                       for r in named.itertuples())
    alt = (f"Scatter chart of {len(drawn)} groupings by {xlabel or x} (across) and {ylabel or y} (up), each from 0 "
           f"to 1." + (f" Named: {places}." if places else " No grouping is named a threat."))
    return Chart(figure, alt)
