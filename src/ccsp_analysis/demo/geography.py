"""Geography of the demo data: synthetic small areas in Coventry's 18 real wards, or real ONS geography."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ccsp_analysis.demo.calibration import POPULATION_2021, WARD_POP_WEIGHT, WARDS

LA_CODE = "E08000026"
LA_NAME = "Coventry"
#: Census 2021 age bands (the ONS usual-residents-by-age file's labels) and their share of residents.
AGE_BANDS = (
    ("Aged 15 years and under", 0.196), ("Aged 16 to 24 years", 0.155), ("Aged 25 to 34 years", 0.165),
    ("Aged 35 to 49 years", 0.190), ("Aged 50 to 64 years", 0.155), ("Aged 65 years and over", 0.139),
)
#: Coventry wards whose residents' ages differ most from the city's (factors on the bands above): the
#: city centre's students, Foleshill's children, the older suburbs of the south and west.
WARD_AGE_TILT = {
    "E05001228": (0.55, 2.8, 1.3, 0.8, 0.6, 0.45),  # St Michael's
    "E05001222": (1.3, 1.0, 1.1, 1.0, 0.85, 0.75),  # Foleshill
    "E05001231": (0.9, 0.7, 0.75, 1.0, 1.25, 1.45),  # Wainbody
    "E05001221": (0.85, 1.2, 1.0, 1.0, 1.05, 1.2),  # Earlsdon
    "E05001232": (0.95, 0.85, 0.9, 1.0, 1.15, 1.3),  # Westwood
}
#: Year-to-year-free noise on each small area's age shares (lognormal sd), from a stream of its own.
AGE_NOISE = 0.12
AGE_STREAM = 7_013
OTHER_AREA = "Solihull"
#: Where the real files are in a ``--geography`` folder (e.g. ../shared/data).
COVENTRY_LOOKUP_PATH = Path("lookups") / "coventry_lsoa21_to_ward_DERIVED.csv"
TS001_PATH = Path("population") / "census2021_TS001_usual_residents_lsoa2021_EW.csv.gz"


def synthetic_geography(rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic small areas: ``lsoa_code`` (X01…, never an ONS code), ``lsoa_name``, ward, weights, centroid.

    Includes a few small areas of a neighbouring district (``in_area`` False) so that filtering
    to the partnership is exercised by every demo run.
    """
    rows = []
    seq = 0
    for w_idx, (code, name, lat, lon, _vol, n_lsoa) in enumerate(WARDS, start=1):
        for k in range(n_lsoa):
            seq += 1
            rows.append({
                "lsoa_code": f"X01{seq:06d}", "lsoa_name": f"Coventry Synthetic {w_idx:03d}{chr(65 + k)}",
                "ward_code": code, "ward_name": name, "in_area": True,
                "lat": lat + rng.normal(0, 0.006), "lon": lon + rng.normal(0, 0.009),
            })
    geo = pd.concat([pd.DataFrame(rows), _neighbour_areas(rng)], ignore_index=True)
    return _add_weights(geo, rng)


def _neighbour_areas(rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic small areas of a neighbouring district (outside the partnership, X01 codes)."""
    return pd.DataFrame([{
        "lsoa_code": f"X01{900001 + k:06d}", "lsoa_name": f"{OTHER_AREA} Synthetic {1 + k // 4:03d}{chr(65 + k % 4)}",
        "ward_code": None, "ward_name": None, "in_area": False,
        "lat": 52.41 + rng.normal(0, 0.02), "lon": -1.78 + rng.normal(0, 0.03),
    } for k in range(20)])


def _add_weights(geo: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    # Skewed small-area weights so crime concentrates realistically (a few hotspots per ward).
    geo["crime_weight"] = rng.lognormal(0.0, 0.7, len(geo))
    # residents only in the partnership's small areas (the neighbouring district's rows carry none)
    ward_pop = pd.Series(np.where(geo["in_area"], geo["ward_code"].map(WARD_POP_WEIGHT).fillna(1.0), 0.0), index=geo.index)
    raw = ward_pop * rng.uniform(0.8, 1.2, len(geo)) / geo.groupby("ward_code")["ward_code"].transform("size").fillna(1)
    geo["population"] = _round_to_total(raw.fillna(0).to_numpy(), POPULATION_2021)
    return geo


def real_geography(directory: Path, rng: np.random.Generator) -> pd.DataFrame:
    """Geography from real ONS files in ``directory`` (e.g. ../shared/data): LSOA21 → ward lookup and TS001."""
    from ccsp_analysis.sources import ons

    lookup_path = directory / COVENTRY_LOOKUP_PATH
    pop_path = directory / TS001_PATH
    lookup = ons.read_lsoa_ward_lookup(lookup_path)
    pop = ons.read_census_ts001(pop_path, lsoa_codes=list(lookup["lsoa_code"]))
    geo = lookup.merge(pop[["lsoa_code", "population"]], on="lsoa_code", how="left")
    centroids = {c: (lat, lon) for c, _n, lat, lon, _v, _k in WARDS}
    geo["lat"] = [centroids.get(w, (52.41, -1.51))[0] + rng.normal(0, 0.006) for w in geo["ward_code"]]
    geo["lon"] = [centroids.get(w, (52.41, -1.51))[1] + rng.normal(0, 0.009) for w in geo["ward_code"]]
    geo["in_area"] = True
    neighbours = _neighbour_areas(rng).assign(population=0)
    geo = pd.concat([geo, neighbours], ignore_index=True)
    geo["crime_weight"] = rng.lognormal(0.0, 0.7, len(geo))
    return geo[["lsoa_code", "lsoa_name", "ward_code", "ward_name", "in_area", "lat", "lon", "crime_weight", "population"]]


def _round_to_total(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that add up exactly to ``total`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=int)
    exact = w / w.sum() * total
    out = np.floor(exact).astype(int)
    short = total - out.sum()
    if short:
        out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out


def write_ons_files(geo: pd.DataFrame, out: Path, others: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write the force's geography in ONS formats: LSOA→ward lookup, TS001 population, population by age.

    Coventry's small areas (``geo`` rows ``in_area``) come first, then ``others`` (the other districts,
    with ``lad_code`` and ``lad_name``; see :func:`ccsp_analysis.demo.force.force_geography`).
    """
    out.mkdir(parents=True, exist_ok=True)
    area = geo[geo["in_area"]].assign(lad_code=LA_CODE, lad_name=LA_NAME)
    if others is not None:
        area = pd.concat([area, others], ignore_index=True)
    lookup = pd.DataFrame({
        "LSOA21CD": area["lsoa_code"], "LSOA21NM": area["lsoa_name"], "WD22CD": area["ward_code"],
        "WD22NM": area["ward_name"], "LAD22CD": area["lad_code"], "LAD22NM": area["lad_name"],
    })
    paths = {"lsoa_ward_lookup": out / "lsoa21_to_ward_lookup.csv", "population": out / "census2021_ts001_lsoa.csv",
             "population_by_age": out / "census2021_age6_lsoa.csv"}
    lookup.to_csv(paths["lsoa_ward_lookup"], index=False)
    ts001 = pd.DataFrame({"total": area["population"], "2021 super output area - lower layer": area["lsoa_name"], "mnemonic": area["lsoa_code"]})
    ts001.to_csv(paths["population"], index=False)
    shares = np.array([s for _b, s in AGE_BANDS])
    # each small area's own mix: the ward's tilt (Coventry) and noise, so wards and areas differ as real ones do
    tilt = np.array([WARD_AGE_TILT.get(w, (1.0,) * len(AGE_BANDS)) for w in area["ward_code"]])
    noise = np.random.default_rng(AGE_STREAM).lognormal(0.0, AGE_NOISE, (len(area), len(AGE_BANDS)))
    mix = shares * tilt * noise
    rows = []
    for code, name, pop, w in zip(area["lsoa_code"], area["lsoa_name"], area["population"], mix, strict=True):
        for (band, _s), n in zip(AGE_BANDS, _round_to_total(w, int(pop)), strict=True):
            rows.append((code, name, band, int(n)))
    pd.DataFrame(rows, columns=["lsoa21_code", "lsoa21_name", "age_group", "usual_residents"]).to_csv(paths["population_by_age"], index=False)
    return paths


def age_profile() -> np.ndarray:
    """Relative residents by single year of age 0..90 (90 = 90 and over): a young city with a student bulge."""
    age = np.arange(91)
    base = np.where(age < 30, 1.0, np.exp(-np.maximum(age - 45, 0) / 45.0))
    bulge = 0.6 * np.exp(-0.5 * ((age - 20.5) / 2.2) ** 2)  # median age 35 (published), UK 40
    tail = np.where(age == 90, 2.5, 1.0)
    return (base + bulge) * tail


def median_age(counts: np.ndarray) -> int:
    """Median age of residents from counts by single year of age (the age at which half are reached)."""
    cum = np.cumsum(counts)
    return int(np.searchsorted(cum, cum[-1] / 2.0))


def write_population_extras(out: Path, real: bool, others: tuple[tuple[str, str, int], ...] = ()) -> dict[str, Path]:
    """ONS mid-year estimates by single year of age and sex (MYEB1-style wide years) and the Census 2011 total.

    Coventry's rows first (calibrated), then one block per district of ``others`` (code, name, 2021
    residents): Coventry's totals by year scaled to the district's residents.
    """
    from ccsp_analysis.demo import calibration as cal

    profile = age_profile()
    districts = [(LA_CODE, LA_NAME, cal.MYE_TOTAL)]
    districts += [(code, name, {y: round(t * pop / cal.MYE_TOTAL[2021]) for y, t in cal.MYE_TOTAL.items()})
                  for code, name, pop in others]
    rows = []
    for code, name, totals in districts:
        for sex, share in ((1, 0.497), (2, 0.503)):
            row_years = {}
            for year, total in totals.items():
                row_years[year] = _round_to_total(profile, round(total * share) if sex == 1 else total - round(total * 0.497))
            for a in range(91):
                rows.append({"ladcode": code, "laname": name, "sex": sex, "age": a,
                             **{f"population_{y}": int(v[a]) for y, v in row_years.items()}})
    paths = {"mid_year_estimates": out / "mye_single_year_of_age.csv", "census_2011": out / "census2011_usual_residents_lad.csv"}
    pd.DataFrame(rows).to_csv(paths["mid_year_estimates"], index=False)
    census = [(LA_NAME, LA_CODE, cal.CENSUS_2011)]
    census += [(name, code, round(cal.CENSUS_2011 * pop / cal.MYE_TOTAL[2021])) for code, name, pop in others]
    pd.DataFrame({"date": 2011, "geography": [c[0] for c in census], "geography code": [c[1] for c in census],
                  "Variable: All usual residents; measures: Value": [c[2] for c in census]}).to_csv(paths["census_2011"], index=False)
    return paths
