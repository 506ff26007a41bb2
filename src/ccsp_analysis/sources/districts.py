"""Local authority districts from ONS files: which district each small area is in, the districts'
characteristics (for statistical neighbours) and their police.uk crime counts.

Every table here is by district (``lad_code``) and built from files that cover many districts (the
national ONS files, force-wide or national police.uk files). See docs/data.md and, for how the
characteristics are compared, docs/methods.md ("Computed peer group").
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ccsp_analysis.errors import DataError

log = logging.getLogger(__name__)

_LSOA_COL = re.compile(r"LSOA\d{2}CD")
_LAD_COL = re.compile(r"LAD\d{2}CD")
_LAD_NAME_COL = re.compile(r"LAD\d{2}NM")
#: An ONS small-area name is its district's name and a code such as "007B" ("Coventry 007B").
_LSOA_NAME = re.compile(r"^(?P<district>.*\S)\s+\d{3}[A-Z]$")

#: The characteristics compared, each with its features' column prefix (see :func:`characteristics`).
CHARACTERISTICS = {
    "population size": "f_log_population",
    "population density": "f_log_density",
    "age structure": "f_age_",
    "deprivation": "f_most_deprived",
}
#: How each characteristic is described on the page.
DESCRIPTIONS = {
    "population size": "population size (Census 2021 usual residents, log scale)",
    "population density": "population density (residents per square kilometre of land, log scale)",
    "age structure": "age structure (shares of the six Census 2021 age bands)",
    "deprivation": "deprivation (share of small areas in England's most deprived 10%, IMD 2019)",
}
FEATURE_COLUMNS = ["lad_code", "lad_name", "population", "small_areas"]
CRIME_COLUMNS = ["lad_code", "crimes", "small_areas_with_crimes"]


def _read_csv(path: str | Path, what: str) -> pd.DataFrame:
    path = Path(path)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError("file not found", path=path, fix=f"check the path of the {what} in the parameters") from None
    except (UnicodeDecodeError, pd.errors.ParserError, EOFError, OSError) as exc:
        raise DataError(f"not a readable CSV ({exc})", path=path, fix=f"use the ONS {what} as downloaded (CSV, .gz allowed)") from None


def _one(frame: pd.DataFrame, pattern: re.Pattern, example: str, path, what: str) -> str:
    hits = [c for c in frame.columns if pattern.fullmatch(c)]
    if len(hits) != 1:
        found = "no" if not hits else f"{len(hits)} ({', '.join(hits)})"
        raise DataError(f"has {found} columns like {example!r}", path=path, line=1,
                        fix=f"use the ONS {what} with one {example} column; found: {', '.join(frame.columns)}")
    return hits[0]


def read_district_lookup(path: str | Path) -> pd.DataFrame:
    """Which local authority district each small area (LSOA) is in, from any ONS lookup with
    ``LSOAyyCD`` column(s) and one ``LADyyCD`` and ``LADyyNM`` column (e.g. the LSOA (2011) to
    LSOA (2021) to LAD (2022) lookup, or an LSOA to ward to LAD lookup); other columns are ignored.

    Every ``LSOAyyCD`` column is read, so a lookup holding both vintages places 2011 codes (IMD
    2019, older police.uk files) and 2021 codes (Census 2021, current police.uk files).

    Returns
    -------
    pandas.DataFrame
        ``lsoa_code, lad_code, lad_name``: one row per small-area code.
    """
    what = "LSOA to local authority lookup"
    frame = _read_csv(path, what)
    lsoa_cols = [c for c in frame.columns if _LSOA_COL.fullmatch(c)]
    if not lsoa_cols:
        raise DataError("has no column like 'LSOA21CD'", path=path, line=1,
                        fix=f"use an ONS {what}; found: {', '.join(frame.columns)}")
    lad = _one(frame, _LAD_COL, "LAD22CD", path, what)
    name = _one(frame, _LAD_NAME_COL, "LAD22NM", path, what)
    blank = frame[lad].str.strip() == ""
    if blank.any():
        i = int(blank.to_numpy().argmax())
        raise DataError("blank local authority code", path=path, line=i + 2, column=lad,
                        fix="every small area of the lookup needs its district")
    parts = [pd.DataFrame({"lsoa_code": frame[c], "lad_code": frame[lad], "lad_name": frame[name]}) for c in lsoa_cols]
    out = pd.concat(parts, ignore_index=True)
    out = out[out["lsoa_code"].str.strip() != ""]
    return out.drop_duplicates("lsoa_code").reset_index(drop=True)


def read_land_area(path: str | Path) -> pd.DataFrame:
    """Land area of each district from an ONS Standard Area Measurements file (``LADyyCD`` and
    ``AREALHECT``: the area to mean high water excluding inland water, in hectares).

    Returns
    -------
    pandas.DataFrame
        ``lad_code, land_hectares``.
    """
    what = "Standard Area Measurements file for local authority districts"
    frame = _read_csv(path, what)
    lad = _one(frame, _LAD_COL, "LAD22CD", path, what)
    if "AREALHECT" not in frame.columns:
        raise DataError("has no column 'AREALHECT' (land area in hectares)", path=path, line=1,
                        fix=f"use the ONS {what}; found: {', '.join(frame.columns)}")
    hectares = pd.to_numeric(frame["AREALHECT"], errors="coerce")
    bad = ~(hectares > 0) | ~np.isfinite(hectares)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise DataError(f"'{frame['AREALHECT'].iloc[i]}' is not a land area in hectares above 0", path=path,
                        line=i + 2, column="AREALHECT", fix="land areas must be positive numbers")
    out = pd.DataFrame({"lad_code": frame[lad], "land_hectares": hectares})
    repeated = out["lad_code"].duplicated()
    if repeated.any():
        i = int(repeated.to_numpy().argmax())
        raise DataError(f"district {out['lad_code'].iloc[i]} appears more than once", path=path, line=i + 2,
                        column=lad, fix="keep one row per district")
    return out.reset_index(drop=True)


def place(codes: pd.Series, names: pd.Series | None, lookup: pd.DataFrame) -> pd.Series:
    """The district (``lad_code``) of each small area: by its code in ``lookup``; a code the lookup
    lacks (e.g. a 2021 LSOA split from a 2011 one, which a one-row-per-2011-LSOA lookup leaves out)
    by its name, whose first part is the district's name ("Coventry 007B"), when that name belongs
    to exactly one district of the lookup. NA when neither places it."""
    by_code = codes.map(lookup.set_index("lsoa_code")["lad_code"])
    if names is None:
        return by_code.astype("string")
    districts = lookup.drop_duplicates(["lad_code"])
    unique = districts[~districts["lad_name"].duplicated(keep=False)].set_index("lad_name")["lad_code"]
    district_name = names.astype("string").str.extract(_LSOA_NAME, expand=False)
    by_name = district_name.map(unique)
    return by_code.fillna(by_name).astype("string")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_").removeprefix("aged_")


def district_features(
    lookup: pd.DataFrame,
    population: pd.DataFrame,
    by_age: pd.DataFrame | None = None,
    imd: pd.DataFrame | None = None,
    land: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each district's characteristics, from small-area files aggregated through ``lookup``.

    Parameters
    ----------
    lookup
        :func:`read_district_lookup`.
    population
        Census 2021 usual residents per small area (``lsoa_code, lsoa_name, population``): the
        districts are those with residents here (each must be covered whole).
    by_age
        Optional usual residents by age band per small area (``lsoa_code, lsoa_name, age_group,
        population``): adds ``f_age_<band>``, each band's share of the district's residents.
    imd
        Optional IMD 2019 per small area (``lsoa_code, lsoa_name, imd_decile``): adds
        ``f_most_deprived``, the share of the district's small areas in decile 1 (England only:
        NaN for a district with no row).
    land
        Optional :func:`read_land_area`: adds ``f_log_density``, the natural log of residents per
        square kilometre of land (100 hectares).

    Returns
    -------
    pandas.DataFrame
        ``lad_code, lad_name, population, small_areas`` and the feature columns (``f_`` prefix):
        ``f_log_population`` (natural log of residents) and those the optional files add; one row
        per district, by code. Small areas no row of ``lookup`` places are left out (logged).
    """
    names = lookup.drop_duplicates("lad_code").set_index("lad_code")["lad_name"]
    pop = population.assign(lad_code=place(population["lsoa_code"], population.get("lsoa_name"), lookup))
    _log_unplaced("population", pop)
    pop = pop.dropna(subset=["lad_code"])
    out = pop.groupby("lad_code").agg(population=("population", "sum"), small_areas=("lsoa_code", "nunique"))
    out = out[out["population"] > 0]
    out.insert(0, "lad_name", names.reindex(out.index))
    out["f_log_population"] = np.log(out["population"].astype(float))
    if land is not None:
        km2 = land.set_index("lad_code")["land_hectares"].reindex(out.index) / 100.0
        out["f_log_density"] = np.log(out["population"].astype(float) / km2)
    if by_age is not None and not by_age.empty:
        age = by_age.assign(lad_code=place(by_age["lsoa_code"], by_age.get("lsoa_name"), lookup))
        _log_unplaced("age bands", age)
        counts = age.dropna(subset=["lad_code"]).pivot_table(index="lad_code", columns="age_group", values="population",
                                                            aggfunc="sum", fill_value=0)
        total = counts.sum(axis=1)
        shares = counts.div(total.where(total > 0), axis=0)
        shares.columns = [f"f_age_{_slug(str(c))}" for c in shares.columns]
        out = out.join(shares, how="left")
    if imd is not None and not imd.empty:
        dep = imd.assign(lad_code=place(imd["lsoa_code"], imd.get("lsoa_name"), lookup))
        _log_unplaced("IMD", dep)
        dep = dep.dropna(subset=["lad_code"])
        share = (dep["imd_decile"].astype(int) == 1).groupby(dep["lad_code"]).mean()
        out["f_most_deprived"] = share.reindex(out.index).astype(float)
    out = out.reset_index().sort_values("lad_code", kind="stable").reset_index(drop=True)
    out["population"] = out["population"].astype("int64")
    out["small_areas"] = out["small_areas"].astype("int64")
    for column in [c for c in out.columns if c.startswith("f_")]:
        out[column] = out[column].astype("float64")  # plain floats, NaN where a district lacks the feature
    return out


def _log_unplaced(what: str, frame: pd.DataFrame) -> None:
    unplaced = frame["lad_code"].isna()
    if unplaced.any():
        log.warning("%s: %d row(s) of small areas in no district of the lookup (e.g. %s) left out", what,
                    int(unplaced.sum()), frame.loc[unplaced, "lsoa_code"].iloc[0])


def characteristics(columns) -> dict[str, list[str]]:
    """The feature columns of each characteristic present in ``columns`` (``f_`` columns), in
    :data:`CHARACTERISTICS` order; a characteristic with no column is left out."""
    out = {}
    for name, prefix in CHARACTERISTICS.items():
        found = [c for c in columns if c == prefix or (prefix.endswith("_") and c.startswith(prefix))]
        if found:
            out[name] = found
    return out


def district_crimes(street: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Recorded crimes per district from police.uk street rows (ASB rows already left out).

    Returns
    -------
    pandas.DataFrame
        ``lad_code, crimes, small_areas_with_crimes`` (distinct small-area codes with at least one
        row), one row per district with rows; rows with no small area, or one no district of
        ``lookup`` places, are not counted (logged).
    """
    if street.empty:
        return pd.DataFrame({"lad_code": pd.Series(dtype="string"), "crimes": pd.Series(dtype="int64"),
                             "small_areas_with_crimes": pd.Series(dtype="int64")})
    lad = place(street["lsoa_code"], street.get("lsoa_name"), lookup)
    unplaced = int(lad.isna().sum())
    if unplaced:
        log.info("police.uk: %d crime row(s) with no small area or one in no district of the lookup not counted", unplaced)
    frame = pd.DataFrame({"lad_code": lad, "lsoa_code": street["lsoa_code"]}).dropna(subset=["lad_code"])
    out = frame.groupby("lad_code").agg(crimes=("lsoa_code", "size"), small_areas_with_crimes=("lsoa_code", "nunique"))
    out = out.reset_index()
    out["crimes"] = out["crimes"].astype("int64")
    out["small_areas_with_crimes"] = out["small_areas_with_crimes"].astype("int64")
    return out[CRIME_COLUMNS]


def covered(features: pd.DataFrame, crimes: pd.DataFrame, min_share: float = 0.8) -> pd.Series:
    """Whether the police.uk files hold each district's crime: rows in at least ``min_share`` of
    its small areas (nearly every small area records some crime in a year; a district whose rows
    touch only a few small areas is one the files hold only near its edge, from a neighbouring
    force's file). Indexed by ``lad_code`` like ``features``."""
    with_rows = crimes.set_index("lad_code")["small_areas_with_crimes"].reindex(features["lad_code"]).fillna(0)
    needed = min_share * features["small_areas"].to_numpy()
    return pd.Series(with_rows.to_numpy() >= needed - 1e-9, index=features["lad_code"].to_numpy())

