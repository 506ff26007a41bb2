"""The rest of the demo's West Midlands force: six more partnerships, neighbouring forces' areas, the files' quirks.

Coventry's rows come from the calibrated generator (``crimes``, ``writer``) and its random stream.
Everything here draws from streams of its own (``default_rng([seed, STREAM, district, year])``), so
adding or changing the other districts never changes one Coventry row.

Small-area codes (all ``X01`` + six digits, a prefix ONS never issues): Coventry ``X01000001``…
(the calibrated areas), Birmingham ``X011nnnnn``, Dudley ``X012nnnnn``, Sandwell ``X013nnnnn``,
Walsall ``X015nnnnn``, Wolverhampton ``X016nnnnn``, Solihull ``X019nnnnn`` (its first 20 are the
areas the demo always had as Coventry's neighbouring district) and the neighbouring forces'
districts ``X018nnnnn``. Names read like ONS names: ``Birmingham Synthetic 001A``.

Wards of the six districts are synthetic: ``E0599DWWW`` with ``D`` the district's digit above and
``WWW`` the ward number, named ``<District> Synthetic Ward NN``. They pass the ward-code pattern
(``E05`` + six digits) that the lookup reader and ``area.city_centre_ward`` check; ONS has issued
ward codes only up to about ``E05016000``, so ``E0599…`` cannot be mistaken for a real ward.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ccsp_analysis.demo import calibration as cal
from ccsp_analysis.demo.geography import _round_to_total
from ccsp_analysis.errors import DataError
from ccsp_analysis.taxonomy import HO_OFFENCES

#: Separates this module's random streams from every other use of the seed.
STREAM = 7_011


@dataclass(frozen=True)
class District:
    name: str
    la_code: str
    digit: int  # the code block of its synthetic small areas and wards
    population: int  # roughly the 2021 Census usual residents
    lat: float
    lon: float
    wards: int
    rate: float  # street rows (crime and ASB) per 1,000 residents in 2023-24


#: The six other partnerships of West Midlands Police (Coventry is the calibrated one).
DISTRICTS: tuple[District, ...] = (
    District("Birmingham", "E08000025", 1, 1_144_900, 52.480, -1.890, 69, 115.0),
    District("Dudley", "E08000027", 2, 323_500, 52.508, -2.087, 24, 85.0),
    District("Sandwell", "E08000028", 3, 341_800, 52.510, -2.010, 24, 110.0),
    District("Solihull", "E08000029", 9, 216_200, 52.411, -1.778, 17, 80.0),
    District("Walsall", "E08000030", 5, 284_100, 52.586, -1.982, 20, 100.0),
    District("Wolverhampton", "E08000031", 6, 263_700, 52.587, -2.128, 20, 112.0),
)
#: Districts of neighbouring forces (Warwickshire, Staffordshire, West Mercia) whose small areas
#: appear in a few rows of the force's files, as in the real ones: name, code, latitude, longitude.
NEIGHBOURS: tuple[tuple[str, str, float, float], ...] = (
    ("Nuneaton and Bedworth", "E07000219", 52.52, -1.47),
    ("Warwick", "E07000222", 52.30, -1.58),
    ("South Staffordshire", "E07000196", 52.62, -2.20),
    ("Lichfield", "E07000194", 52.68, -1.83),
    ("Bromsgrove", "E07000234", 52.33, -2.06),
)
NEIGHBOUR_AREAS = 3  # small areas per neighbouring district
LSOA_SIZE = 1_700  # residents per synthetic small area
NATIONAL_LOOKUP = Path("lookups") / "lsoa11_lsoa21_lad22_lookup_EW.csv.gz"
#: Shares of the six districts' rows with each quirk of the real files.
NO_LOCATION = 0.015  # no LSOA, no coordinates, "No Location"
OUTSIDE_FORCE = 0.003  # a small area of a neighbouring force's district
REPEATED_ID = 0.002  # a crime row given the Crime ID of another row of the same month
IDENTICAL = 0.001  # a row published twice, identical


def _stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([seed, STREAM, *key])


def _synthetic_names(d: District, n: int) -> tuple[list[str], list[str]]:
    codes = [f"X01{d.digit}{k + 1:05d}" for k in range(n)]
    names = [f"{d.name} Synthetic {1 + k // 4:03d}{chr(65 + k % 4)}" for k in range(n)]
    return codes, names


def _wards(d: District, groups: np.ndarray) -> tuple[list[str], list[str]]:
    """Ward code and name for each small area from its ward number (0-based)."""
    return ([f"E0599{d.digit}{w + 1:03d}" for w in groups], [f"{d.name} Synthetic Ward {w + 1:02d}" for w in groups])


def _national_lookup(directory: Path) -> pd.DataFrame:
    path = directory / NATIONAL_LOOKUP
    if not path.is_file():
        raise DataError("not found: the national LSOA 2021 to local authority lookup names the other districts' small areas",
                        path=path, fix="point --geography at a folder holding lookups/lsoa11_lsoa21_lad22_lookup_EW.csv.gz "
                        "(e.g. ../shared/data), or leave it out for synthetic small areas")
    frame = pd.read_csv(path, usecols=["LSOA21CD", "LSOA21NM", "LAD22CD"], dtype=str, encoding="utf-8-sig")
    return frame.drop_duplicates("LSOA21CD").sort_values("LSOA21CD", kind="stable").reset_index(drop=True)


def force_geography(seed: int, coventry_geo: pd.DataFrame, geography: Path | None) -> pd.DataFrame:
    """Small areas of the six other districts and of the neighbouring forces' districts.

    Columns: ``lsoa_code, lsoa_name, ward_code, ward_name, lad_code, lad_name, in_force, lat, lon,
    crime_weight, population``. Solihull's first 20 small areas are the neighbouring areas of
    ``coventry_geo`` (``in_area`` False): their synthetic codes, or with real geography the first 20
    real Solihull codes (see :func:`legacy_codes`).
    """
    national = _national_lookup(geography) if geography is not None else None
    legacy = coventry_geo[~coventry_geo["in_area"]].reset_index(drop=True)
    parts = []
    for d in DISTRICTS:
        rng = _stream(seed, d.digit)
        if national is None:
            n = round(d.population / LSOA_SIZE)
            codes, names = _synthetic_names(d, n)
            if d.name == "Solihull" and (codes[: len(legacy)] != list(legacy["lsoa_code"])
                                         or names[: len(legacy)] != list(legacy["lsoa_name"])):
                raise RuntimeError("demo: Coventry's neighbouring areas are no longer Solihull's first small areas")
            pop = _round_to_total(rng.uniform(0.8, 1.2, n), d.population)
        else:
            mine = national[national["LAD22CD"] == d.la_code]
            codes, names = list(mine["LSOA21CD"]), list(mine["LSOA21NM"])
            n = len(codes)
            pop = _real_population(geography, codes)
        # wards: consecutive small areas (by name: areas of one middle-layer area stay together)
        order = np.argsort(np.array(names, dtype=object), kind="stable")
        groups = np.empty(n, dtype=int)
        groups[order] = np.repeat(np.arange(d.wards), [len(a) for a in np.array_split(np.arange(n), d.wards)])
        ward_codes, ward_names = _wards(d, groups)
        lat = d.lat + rng.normal(0, 0.03, n)
        lon = d.lon + rng.normal(0, 0.045, n)
        if d.name == "Solihull":
            lat[: len(legacy)], lon[: len(legacy)] = legacy["lat"].to_numpy(), legacy["lon"].to_numpy()
        parts.append(pd.DataFrame({
            "lsoa_code": codes, "lsoa_name": names, "ward_code": ward_codes, "ward_name": ward_names,
            "lad_code": d.la_code, "lad_name": d.name, "in_force": True, "lat": lat, "lon": lon,
            "crime_weight": rng.lognormal(0.0, 0.7, n), "population": pop,
        }))
    rng = _stream(seed, 8)
    for i, (name, code, lat, lon) in enumerate(NEIGHBOURS):
        if national is None:
            codes = [f"X018{i * NEIGHBOUR_AREAS + k + 1:05d}" for k in range(NEIGHBOUR_AREAS)]
            names = [f"{name} Synthetic 001{chr(65 + k)}" for k in range(NEIGHBOUR_AREAS)]
        else:
            mine = national[national["LAD22CD"] == code].head(NEIGHBOUR_AREAS)
            codes, names = list(mine["LSOA21CD"]), list(mine["LSOA21NM"])
        parts.append(pd.DataFrame({
            "lsoa_code": codes, "lsoa_name": names, "ward_code": None, "ward_name": None, "lad_code": code,
            "lad_name": name, "in_force": False, "lat": lat + rng.normal(0, 0.01, len(codes)),
            "lon": lon + rng.normal(0, 0.015, len(codes)), "crime_weight": 1.0, "population": 0,
        }))
    return pd.concat(parts, ignore_index=True)


def _real_population(directory: Path, codes: list[str]) -> np.ndarray:
    from ccsp_analysis.demo.geography import TS001_PATH
    from ccsp_analysis.sources import ons

    pop = ons.read_census_ts001(directory / TS001_PATH, lsoa_codes=codes).set_index("lsoa_code")["population"]
    return pop.reindex(codes).fillna(LSOA_SIZE).astype(int).to_numpy()


def legacy_codes(coventry_geo: pd.DataFrame, force_geo: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Coventry's neighbouring areas (``in_area`` False) -> (code, name) of the Solihull small area they are.

    The identity with synthetic small areas; with real geography, the first 20 real Solihull areas.
    """
    legacy = coventry_geo[~coventry_geo["in_area"]]
    solihull = force_geo[force_geo["lad_name"] == "Solihull"].head(len(legacy))
    return {old: (code, name) for old, code, name in zip(legacy["lsoa_code"], solihull["lsoa_code"], solihull["lsoa_name"], strict=True)}


def _year_volume(start_year: int) -> tuple[float, float]:
    """(trend, ASB share) of a financial year for the six districts: Coventry's trend against
    2023-24, damped by half (so 2013-14 is about 0.79 of 2023-24), and Coventry's ASB share."""
    total = cal.TRC_BY_YEAR[start_year] + cal.ASB_BY_YEAR[start_year]
    ref = cal.TRC_BY_YEAR[2023] + cal.ASB_BY_YEAR[2023]
    return 0.5 + 0.5 * total / ref, cal.ASB_BY_YEAR[start_year] / total


def _crime_mix() -> tuple[np.ndarray, np.ndarray]:
    """data.police.uk crime categories and their shares: the calibrated Coventry 2023-24 mix."""
    counts: dict[str, int] = {}
    for cell in cal.CELLS:
        cat = HO_OFFENCES[cell[0]].police_category
        counts[cat] = counts.get(cat, 0) + cell[1]
    cats = np.array(sorted(counts), dtype=object)
    w = np.array([counts[c] for c in cats], dtype=float)
    return cats, w / w.sum()


def _hex_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random 64-character hex strings as bytes (data.police.uk Crime IDs are SHA-256 hex)."""
    return np.frombuffer(rng.bytes(32 * n).hex().encode(), dtype="S64").copy()


def _strings(values: np.ndarray | list, index: np.ndarray) -> pa.Array:
    """``values[index]`` as a pyarrow string array, built without a Python object per row."""
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32()), pa.array(values, pa.string())).cast(pa.string())


def district_rows(seed: int, geo: pd.DataFrame, start_year: int, months: list[str], season: np.ndarray,
                  streets: tuple[str, ...], outcomes: tuple[str, ...], force_name: str) -> pa.Table:
    """The six districts' street rows for one financial year, with the real files' quirks.

    ``months`` are the year's 12 ``YYYY-MM`` labels (April first) and ``season`` their relative volume.
    Returns a table with the data.police.uk street columns. Quirks (shares of each district's rows):
    no location, a neighbouring force's small area, a Crime ID repeated on another row of the month,
    and rows published twice (identical). ASB rows have no Crime ID and no outcome, as in the real files.
    """
    trend, asb_share = _year_volume(start_year)
    cats, mix = _crime_mix()
    types = np.array(["Anti-social behaviour", *cats], dtype=object)
    outside = np.flatnonzero(~geo["in_force"].to_numpy())
    codes = np.array([*geo["lsoa_code"], ""], dtype=object)  # the last: no location
    names = np.array([*geo["lsoa_name"], ""], dtype=object)
    lats, lons = geo["lat"].to_numpy(), geo["lon"].to_numpy()
    locations = np.array([f"On or near {s}" for s in streets] + ["No Location"], dtype=object)
    tables = []
    for d in DISTRICTS:
        rng = _stream(seed, d.digit, start_year)
        mine = np.flatnonzero(geo["lad_code"].to_numpy() == d.la_code)
        w = geo["crime_weight"].to_numpy()[mine]
        n = int(round(d.rate * d.population / 1000 * trend))
        is_asb = rng.random(n) < asb_share
        ctype = np.where(is_asb, 0, 1 + rng.choice(len(cats), n, p=mix))
        month = np.sort(rng.choice(12, n, p=season / season.sum()))
        place = mine[rng.choice(len(mine), n, p=w / w.sum())]
        moved = rng.random(n) < OUTSIDE_FORCE
        place[moved] = outside[rng.choice(len(outside), int(moved.sum()))]
        lat = lats[place] + np.where(moved, 0.0, rng.normal(0, 0.0015, n))
        lon = lons[place] + np.where(moved, 0.0, rng.normal(0, 0.002, n))
        location = rng.choice(len(streets), n)
        no_loc = rng.random(n) < NO_LOCATION
        place[no_loc], location[no_loc] = len(geo), len(streets)
        lat[no_loc], lon[no_loc] = np.nan, np.nan
        ids = _hex_ids(rng, n)
        ids[is_asb] = b""
        # a repeated Crime ID: the next crime row of the same month takes this row's ID
        crime_idx = np.flatnonzero(~is_asb)
        pick = crime_idx[:-1][rng.random(len(crime_idx) - 1) < REPEATED_ID]
        nxt = crime_idx[np.searchsorted(crime_idx, pick) + 1]
        same = month[pick] == month[nxt]
        ids[nxt[same]] = ids[pick[same]]
        outcome = np.where(is_asb, len(outcomes), rng.choice(len(outcomes), n))
        table = pa.table({
            "Crime ID": pa.array(ids).cast(pa.string()), "Month": _strings(months, month),
            "Reported by": _strings([force_name], np.zeros(n, dtype=np.int32)),
            "Falls within": _strings([force_name], np.zeros(n, dtype=np.int32)),
            "Longitude": pa.array(lon.round(6), from_pandas=True), "Latitude": pa.array(lat.round(6), from_pandas=True),
            "Location": _strings(locations, location), "LSOA code": _strings(codes, place),
            "LSOA name": _strings(names, place), "Crime type": _strings(types, ctype),
            "Last outcome category": _strings([*outcomes, ""], outcome),
            "Context": _strings([""], np.zeros(n, dtype=np.int32)),
        })
        twice = np.flatnonzero(rng.random(n) < IDENTICAL)
        tables.append(table.take(np.concatenate([np.arange(n), twice])))
    return pa.concat_tables(tables)
