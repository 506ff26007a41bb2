"""Counting the assessment's groupings by year, changes with significance, and shares, as tidy tables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from ccsp_analysis import coverage, narrative, stats
from ccsp_analysis.dataset import Dataset
from ccsp_analysis.formatting import fmt_count, fmt_number
from ccsp_analysis.params import Params
from ccsp_analysis.result import SectionResult
from ccsp_analysis.taxonomy import GROUPINGS, grouping_mask, grouping_need, street_countable


def slug(text: str) -> str:
    """Identifier form of a name: "St Michael's" -> "st_michaels"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")


def available(crimes: pd.DataFrame, name: str) -> bool:
    """Whether grouping ``name`` can be counted on this crimes table (flags need victim-level data)."""
    if crimes["ho_group"].notna().any():
        return True
    return street_countable(name)


def street_level(data: Dataset) -> bool:
    """Whether the run's crimes are police.uk street-level crimes (no partner crime extract was supplied)."""
    crimes = data.crimes
    if "source" in crimes.columns:
        return not crimes["source"].eq("partner").any()
    if "ho_group" in crimes.columns:  # a table built by hand: offence groups come only from the extract
        return not crimes["ho_group"].notna().any()
    return False


def grouping_needs(crimes: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """One sentence for each grouping of ``names`` the crimes table cannot give, naming the extract that would."""
    return [narrative.needs_sentence(grouping_need(n)) for n in names if not available(crimes, n)]


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


#: False discovery rate at which the rows of a table (wards, strands, offences) are counted as significant.
FDR = 0.05


def by_key(frame: pd.DataFrame, key: list[str], fy: str, previous_fy: str, every: pd.DataFrame | None = None,
           fdr: float = FDR) -> pd.DataFrame:
    """Counts by ``key`` columns in two years with share of the current total, change and direction.

    ``direction`` is each row's own test (exact conditional test at 5%, as in every change table).
    The rows are also tested together: ``q_value`` is the Benjamini–Hochberg adjusted p-value over
    every row of the table and ``significant_bh`` is True when the row is significant at false
    discovery rate ``fdr`` (``q_value <= fdr``). Count "significant" rows with ``significant_bh``.
    ``every``: a frame of ``key`` columns listing every row the table must hold (e.g. every ward of
    the area); rows with nothing in either year are kept with zero counts (p = 1, STABLE) and are
    part of the correction. Over incomplete periods there is no test at all (NOT COMPARED).
    """
    cur = frame[frame["fy"] == fy].groupby(key, dropna=False).size().rename("current")
    prev = frame[frame["fy"] == previous_fy].groupby(key, dropna=False).size().rename("previous")
    out = pd.concat([cur, prev], axis=1).fillna(0).astype(int).reset_index()
    if every is not None:
        listed = every[key].drop_duplicates().reset_index(drop=True)
        out = listed.merge(out, on=key, how="outer") if len(out) else listed.assign(current=0, previous=0)
        out[["current", "previous"]] = out[["current", "previous"]].fillna(0).astype(int)
    total = int(out["current"].sum())
    out["share"] = out["current"] * 100.0 / total if total else None
    if coverage.incomplete() is not None:  # incomplete periods: counts only, no change
        out["pct_change"], out["p_value"], out["direction"] = None, None, NOT_COMPARED
        out["q_value"], out["significant_bh"] = None, None
    else:
        tests = [stats.compare_counts(int(c), int(p)) for c, p in zip(out["current"], out["previous"], strict=True)]
        out["pct_change"] = [t.pct_change for t in tests]
        out["p_value"] = [t.p_value for t in tests]
        out["direction"] = [t.direction for t in tests]
        out["q_value"] = stats.bh_adjusted(out["p_value"].to_numpy(dtype=float))
        out["significant_bh"] = stats.benjamini_hochberg(out["p_value"].to_numpy(dtype=float), fdr)
    out = out.sort_values(["current"] + key, ascending=[False] + [True] * len(key), kind="stable").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def significant_counts(table: pd.DataFrame) -> tuple[int, int] | None:
    """Rows of a :func:`by_key` table that rose and fell significantly after the Benjamini–Hochberg correction.

    None when the table was not tested (incomplete periods).
    """
    if table.empty:
        return 0, 0
    if table["significant_bh"].isna().any():
        return None
    significant = table["significant_bh"].astype(bool)
    return (int((significant & (table["current"] > table["previous"])).sum()),
            int((significant & (table["current"] < table["previous"])).sum()))


def asb_change(data: Dataset, fy: str, previous_fy: str) -> dict:
    """Police-recorded ASB in two years as a change row."""
    police = data.asb[data.asb["recorded_by"] == "police"]
    return change_row("asb", "Anti-social behaviour (police-recorded)",
                      int((police["fy"] == fy).sum()), int((police["fy"] == previous_fy).sum()))


def wards(crimes: pd.DataFrame, fy: str, previous_fy: str, geography: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every ward's recorded crime, share of TRC, change and rank by volume.

    With ``geography`` (ward_code, ward_name per small area) every ward of the area is a row, those
    with no crime included, so the Benjamini–Hochberg correction runs over all the area's wards.
    """
    return by_key(crimes, ["ward_code", "ward_name"], fy, previous_fy, every=geography)


# -- denominators: one population for every rate of the report --------------------------------------

#: What rates use when no mid-year estimate is supplied for the period's year.
CENSUS_2021 = "Census 2021 usual residents"


class Denominator(NamedTuple):
    """A population for rates per 1,000 and where it comes from (unpacks as ``population, source``)."""

    population: float
    source: str


def mid_year_year(params: Params) -> int:
    """The mid-year estimate a financial year's rates use: mid-``start year`` (30 June 2023 for 2023-24).

    30 June of the first calendar year is the estimate's reference date nearest the middle of the
    financial year (1 October); the same year serves the year to date of a quarterly report.
    """
    return params.fy.start_year


def mid_year_total(data: Dataset, year: int) -> int | None:
    """The area's ONS mid-year estimate for ``year`` (all ages and both sexes), None when not supplied."""
    mid = data.tables.get("mid_year")
    if mid is None or mid.empty:
        return None
    total = int(mid.loc[mid["year"] == year, "population"].sum())
    return total or None


def census_2021_population(data: Dataset) -> int:
    """Census 2021 usual residents summed over the area's small areas."""
    return int(data.population["population"].sum()) if len(data.population) else 0


def population_for(data: Dataset, params: Params) -> Denominator:
    """The area's population for rates of ``params.period``: the mid-year estimate for the year when
    supplied (:func:`mid_year_year`), Census 2021 otherwise. Every rate of the report uses it.

    Returns
    -------
    Denominator
        ``(population, source)``, e.g. ``(360700, "ONS mid-2023 population estimate")`` or
        ``(345312, "Census 2021 usual residents")``.
    """
    year = mid_year_year(params)
    total = mid_year_total(data, year)
    if total is not None:
        return Denominator(total, f"ONS mid-{year} population estimate")
    return Denominator(census_2021_population(data), CENSUS_2021)


def small_area_populations(data: Dataset, params: Params) -> tuple[pd.DataFrame, str]:
    """Every small area's population for rates, and what it is.

    ONS mid-year estimates are supplied for the local authority only, so small areas (and wards, their
    sums) keep their Census 2021 populations scaled by the area's growth since the census: each is
    multiplied by ``population_for(...) / Census 2021 total``. They then add up to the area's
    denominator, so ward and area rates are on one footing (a ward at the area's rate shows the area's
    rate); the order of areas is unchanged. Without a mid-year estimate the factor is 1.

    Returns
    -------
    tuple
        ``data.population`` with ``population`` scaled (float when scaled), and its description.
    """
    frame = data.population.copy()
    census = census_2021_population(data)
    area = population_for(data, params)
    if area.source == CENSUS_2021 or census == 0:
        return frame, CENSUS_2021
    factor = area.population / census
    frame["population"] = frame["population"] * factor
    return frame, f"{CENSUS_2021} scaled to the {area.source} (× {fmt_number(factor, 4)})"


def ward_populations(data: Dataset, params: Params) -> tuple[pd.DataFrame, str]:
    """Every ward's population for rates (ward_code, ward_name, population) and what it is: the sums of
    :func:`small_area_populations` (ONS mid-year estimates are not supplied by ward)."""
    frame, source = small_area_populations(data, params)
    return frame.groupby(["ward_code", "ward_name"], as_index=False)["population"].sum(), source


def population_note(data: Dataset, params: Params) -> str:
    """The sentence that says which population the page's rates use (and why, when it is not the obvious one).

    e.g. "Rates per 1,000 residents use the ONS mid-2023 population estimate for Coventry (360,700); ward and
    small-area rates use Census 2021 usual residents scaled to it (× 1.0446), as mid-year estimates are
    supplied only for the whole area."
    """
    area = population_for(data, params)
    name = params.area.name
    if area.source == CENSUS_2021:
        mid = data.tables.get("mid_year")
        why = ("no mid-year population estimates were supplied" if mid is None or mid.empty
               else f"no mid-{mid_year_year(params)} estimate was supplied")
        return (f"Rates per 1,000 residents use Census 2021 usual residents ({name}: "
                f"{fmt_count(area.population)}), as {why}.")
    text = f"Rates per 1,000 residents use the {area.source} for {name} ({fmt_count(area.population)})"
    census = census_2021_population(data)
    if census:
        text += (f"; ward and small-area rates use Census 2021 usual residents scaled to it "
                 f"(× {fmt_number(area.population / census, 4)}), as mid-year estimates are supplied only "
                 "for the whole area")
    return text + "."


#: Columns of the ward and area rate tables (``population_source`` says which population each row uses).
RATE_COLUMNS = ["ward_code", "ward_name", "population", "crimes", "rate", "rate_low", "rate_high", "population_source"]


def _rate_row(code: str, name: str, population: float, crimes: int, source: str) -> dict:
    rate, low, high = (
        stats.rate_per_1000(crimes, population) if population > 0 else (None, None, None)
    )
    return dict(zip(RATE_COLUMNS, (code, name, population, crimes, rate, low, high, source), strict=True))


def ward_rates(data: Dataset, params: Params) -> pd.DataFrame:
    """Every ward's population (:func:`ward_populations`), recorded crime in ``params.period`` and rate per 1,000.

    Rates carry exact Poisson (Garwood) 95% intervals; wards with no crime are kept (count 0).
    """
    pop, source = ward_populations(data, params)
    crimes = data.crimes[data.crimes["fy"] == params.period].groupby("ward_code").size()
    rows = [
        _rate_row(r.ward_code, r.ward_name, r.population, int(crimes.get(r.ward_code, 0)), source)
        for r in pop.itertuples()
    ]
    return (
        pd.DataFrame(rows, columns=RATE_COLUMNS)
        .sort_values("ward_name", kind="stable")
        .reset_index(drop=True)
    )


def rates_table(data: Dataset, params: Params) -> pd.DataFrame:
    """:func:`ward_rates` with a last row for the whole area (population from :func:`population_for`):
    the denominators used elsewhere in the report."""
    wards = ward_rates(data, params)
    area = population_for(data, params)
    total = _rate_row(params.area.codes_text, params.area.name, area.population, int(wards["crimes"].sum()), area.source)
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
