"""Counting the assessment's groupings by year, changes with significance, and shares, as tidy tables."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ccsp_analysis import coverage, narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import Params
from ccsp_analysis.result import SectionResult
from ccsp_analysis.taxonomy import GROUPINGS, grouping_mask


def slug(text: str) -> str:
    """Identifier form of a name: "St Michael's" -> "st_michaels"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")


def available(crimes: pd.DataFrame, name: str) -> bool:
    """Whether grouping ``name`` can be counted on this crimes table (flags need victim-level data)."""
    g = GROUPINGS[name]
    if crimes["ho_group"].notna().any():
        return True
    return g.police_categories is not None and not (g.flags or g.hate or g.victim_sex or g.ho_codes)


def _mask(crimes: pd.DataFrame, name: str) -> pd.Series:
    g = GROUPINGS[name]
    if crimes["ho_group"].notna().any():
        return grouping_mask(crimes, name)
    if g.police_categories == ():
        return pd.Series(True, index=crimes.index)
    return crimes["police_category"].isin(g.police_categories or ())


def count(crimes: pd.DataFrame, name: str, fy: str) -> int:
    """Crimes of grouping ``name`` recorded in financial year ``fy``."""
    return int((_mask(crimes, name) & (crimes["fy"] == fy)).sum())


#: Direction of travel of a change over periods the data do not fully cover: never a rise or fall.
NOT_COMPARED = "NOT COMPARED"
#: Columns of a change row derived from its two counts (blank when the periods are incomplete).
DERIVED = ("abs_change", "pct_change", "p_value", "ratio_low", "ratio_high")


def change_row(measure: str, label: str, current: int, previous: int, alpha: float = 0.05) -> dict:
    """One row of a change table: both counts, the change, the test result and the sentence.

    Over incomplete periods (a run with ``--allow-partial`` whose data miss months: see
    :mod:`ccsp_analysis.coverage`) the counts are kept but no change is computed: the direction is
    :data:`NOT_COMPARED` and the sentence says why.
    """
    missing = coverage.incomplete()
    if missing is not None:
        return {"measure": measure, "label": label, "current": current, "previous": previous,
                **dict.fromkeys(DERIVED), "direction": NOT_COMPARED,
                "sentence": narrative.not_compared_sentence(label, current, previous, missing)}
    res = stats.compare_counts(current, previous, alpha=alpha)
    return {
        "measure": measure, "label": label, "current": current, "previous": previous,
        "abs_change": res.abs_change, "pct_change": res.pct_change, "p_value": res.p_value,
        "ratio_low": res.ratio_low, "ratio_high": res.ratio_high, "direction": res.direction,
        "sentence": narrative.change_sentence(label, res),
    }


def grouping_changes(crimes: pd.DataFrame, names: list[str], fy: str, previous_fy: str) -> pd.DataFrame:
    """Change table for several groupings between two financial years (skips ones the data cannot give)."""
    rows = [change_row(n, GROUPINGS[n].label, count(crimes, n, fy), count(crimes, n, previous_fy))
            for n in names if available(crimes, n)]
    return pd.DataFrame(rows)


def share(part: int, whole: int) -> float | None:
    """Percentage share, None when the base is zero."""
    return None if whole == 0 else 100.0 * part / whole


def by_key(frame: pd.DataFrame, key: list[str], fy: str, previous_fy: str) -> pd.DataFrame:
    """Counts by ``key`` columns in two years with share of the current total, change and direction."""
    cur = frame[frame["fy"] == fy].groupby(key, dropna=False).size().rename("current")
    prev = frame[frame["fy"] == previous_fy].groupby(key, dropna=False).size().rename("previous")
    out = pd.concat([cur, prev], axis=1).fillna(0).astype(int).reset_index()
    total = int(out["current"].sum())
    out["share"] = out["current"] * 100.0 / total if total else None
    if coverage.incomplete() is not None:  # incomplete periods: counts only, no change
        out["pct_change"], out["p_value"], out["direction"] = None, None, NOT_COMPARED
    else:
        tests = [stats.compare_counts(int(c), int(p)) for c, p in zip(out["current"], out["previous"], strict=True)]
        out["pct_change"] = [t.pct_change for t in tests]
        out["p_value"] = [t.p_value for t in tests]
        out["direction"] = [t.direction for t in tests]
    out = out.sort_values(["current"] + key, ascending=[False] + [True] * len(key), kind="stable").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def asb_change(data: Dataset, fy: str, previous_fy: str) -> dict:
    """Police-recorded ASB in two years as a change row."""
    police = data.asb[data.asb["recorded_by"] == "police"]
    return change_row("asb", "Anti-social behaviour (police-recorded)",
                      int((police["fy"] == fy).sum()), int((police["fy"] == previous_fy).sum()))


def wards(crimes: pd.DataFrame, fy: str, previous_fy: str) -> pd.DataFrame:
    """Every ward's recorded crime, share of TRC, change and rank by volume."""
    return by_key(crimes, ["ward_code", "ward_name"], fy, previous_fy)


#: Columns of the ward and area rate tables.
RATE_COLUMNS = ["ward_code", "ward_name", "population", "crimes", "rate", "rate_low", "rate_high"]


def _rate_row(code: str, name: str, population: int, crimes: int) -> dict:
    rate, low, high = (
        stats.rate_per_1000(crimes, population) if population > 0 else (None, None, None)
    )
    return dict(zip(RATE_COLUMNS, (code, name, population, crimes, rate, low, high), strict=True))


def ward_rates(data: Dataset, params: Params) -> pd.DataFrame:
    """Every ward's Census 2021 population, recorded crime in ``params.period`` and rate per 1,000.

    Rates carry exact Poisson (Garwood) 95% intervals; wards with no crime are kept (count 0).
    """
    pop = data.population.groupby(["ward_code", "ward_name"], as_index=False)["population"].sum()
    crimes = data.crimes[data.crimes["fy"] == params.period].groupby("ward_code").size()
    rows = [
        _rate_row(r.ward_code, r.ward_name, int(r.population), int(crimes.get(r.ward_code, 0)))
        for r in pop.itertuples()
    ]
    return (
        pd.DataFrame(rows, columns=RATE_COLUMNS)
        .sort_values("ward_name", kind="stable")
        .reset_index(drop=True)
    )


def rates_table(data: Dataset, params: Params) -> pd.DataFrame:
    """:func:`ward_rates` with a last row for the whole area: the denominators used elsewhere in the report."""
    wards = ward_rates(data, params)
    total = _rate_row(
        params.area.la_code,
        params.area.name,
        int(wards["population"].sum()),
        int(wards["crimes"].sum()),
    )
    return pd.concat([wards, pd.DataFrame([total])], ignore_index=True)


def add_change_figures(out: SectionResult, changes: pd.DataFrame, ids: dict[str, str], previous_fy: str,
                       shown: pd.DataFrame | None = None) -> None:
    """Add the % change of each row whose measure has a published figure id in ``ids`` (none when last year was 0).

    ``shown``: the same table after disclosure control; a change whose counts it hides is withheld.
    """
    hidden = set(shown.loc[shown["current"].isna(), "measure"]) if shown is not None else set()
    for row in changes.itertuples():
        if row.measure in ids and not pd.isna(row.pct_change):
            out.add_figure(ids[row.measure], row.pct_change, f"{row.label}: change on {previous_fy}", "pct_change",
                           withheld=row.measure in hidden)


def frame_change(measure: str, label: str, frame: pd.DataFrame, fy: str, previous_fy: str) -> dict:
    """A change row for the rows of ``frame`` (any table with an ``fy`` column) in two financial years."""
    return change_row(measure, label, int((frame["fy"] == fy).sum()), int((frame["fy"] == previous_fy).sum()))


def in_groupings(crimes: pd.DataFrame, groupings: Sequence[str], fy: str) -> pd.DataFrame:
    """Crimes of ``fy`` that belong to every one of ``groupings`` (e.g. serious youth violence and robbery)."""
    keep = crimes["fy"] == fy
    for name in groupings:
        keep &= grouping_mask(crimes, name)
    return crimes[keep]


def last_month_reported(data: Dataset, params: Params) -> pd.Timestamp | None:
    """The last month of recorded crime the report covers (not later months the files may also hold)."""
    months = data.crimes["month"]
    last = months[months <= params.fy.months(params.quarter)[-1]].max()
    return None if pd.isna(last) else pd.Timestamp(last)
