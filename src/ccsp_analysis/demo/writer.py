"""Writing the demo data: every source file in its real format, from the calibrated synthetic rows."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ccsp_analysis.demo import calibration as cal
from ccsp_analysis.demo import force
from ccsp_analysis.demo.crimes import (
    SEASON,
    _dates,
    _place,
    _quota_choice,
    asb_for_year,
    crimes_for_year,
)
from ccsp_analysis.demo.geography import (
    _round_to_total,
    real_geography,
    synthetic_geography,
    write_ons_files,
    write_population_extras,
)
from ccsp_analysis.demo.manifest import SYNTHETIC_LSOA_PREFIX, write_manifest
from ccsp_analysis.demo.survey import survey_responses
from ccsp_analysis.schemas import POLICE_OUTCOMES_HEADER, POLICE_STREET_HEADER
from ccsp_analysis.taxonomy import HO_OFFENCES

log = logging.getLogger(__name__)

SEED = 20240331
DEMO_VERSION = 4  # 2: DEMO.json lists every file with its SHA-256; 3: the whole West Midlands force;
# 4: Coventry's street rows differ from its extract as police.uk's do, no straight-line series, wards that differ
FIRST_YEAR, LAST_YEAR = 2013, 2023  # financial years 2013-14 .. 2023-24
FORCE = "west-midlands"
FORCE_NAME = "West Midlands Police"
STREETS = ("High Street", "Station Road", "Church Lane", "Park Road", "Mill Lane", "Queen's Road", "Shopping Area",
           "Parking Area", "Supermarket", "Petrol Station", "Further/Higher Educational Building", "Nightclub",
           "Sports/Recreation Area", "Hospital", "Bus/Coach Station", "Conference/Exhibition Centre")
OUTCOMES = ("Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
            "Status update unavailable", "Offender given a caution", "Local resolution",
            "Awaiting court outcome", "Court result unavailable")


#: Separates the stream of Coventry's police.uk differences from the extract (see :func:`_street_view`).
STREET_STREAM = 7_012
#: How Coventry's police.uk street rows differ from its crime extract, as the real files do (shares of the
#: extract's crimes of each police.uk category; the published figures come from the extract, never from these):
#: no location (published with no small area, so outside every partnership: more often where the place is
#: a victim's address or unknown, rarely for shops) ...
STREET_NO_LOCATION = {
    "Violence and sexual offences": 0.030, "Criminal damage and arson": 0.015, "Vehicle crime": 0.012,
    "Public order": 0.025, "Shoplifting": 0.004, "Burglary": 0.008, "Other theft": 0.030, "Robbery": 0.015,
    "Possession of weapons": 0.020, "Drugs": 0.010, "Theft from the person": 0.035, "Other crime": 0.045,
    "Bicycle theft": 0.020,
}
#: ... recorded after the month's file was published (never in the files; default 0.8%) ...
STREET_LATE = {"Violence and sexual offences": 0.012, "Other crime": 0.015}
STREET_LATE_DEFAULT = 0.008
#: ... and reclassified after publication: the files keep the first category (the extract's, then another).
STREET_RECLASSIFIED: tuple[tuple[str, str, float], ...] = (
    ("Violence and sexual offences", "Public order", 0.004), ("Public order", "Violence and sexual offences", 0.030),
    ("Other theft", "Theft from the person", 0.010), ("Theft from the person", "Other theft", 0.020),
    ("Burglary", "Other theft", 0.006), ("Shoplifting", "Other theft", 0.004),
    ("Criminal damage and arson", "Vehicle crime", 0.005), ("Vehicle crime", "Criminal damage and arson", 0.008),
)


def _street_view(stream: np.random.Generator, rows: pd.DataFrame, n_crimes: int) -> pd.DataFrame:
    """Coventry's street rows as police.uk publishes them: of the first ``n_crimes`` rows (the extract's
    crimes), some recorded late (dropped), some reclassified (the category the files keep) and some with no
    location (no small area, no coordinates, "No Location"), drawn from ``stream`` (a stream of its own, so
    the extract's rows and the other districts' never change with these shares). ASB rows are kept as they are."""
    cat = rows["Crime type"].to_numpy(dtype=object).copy()
    crime = np.arange(len(rows)) < n_crimes
    u_late, u_class, u_loc = stream.random(len(rows)), stream.random(len(rows)), stream.random(len(rows))
    late = crime & (u_late < pd.Series(cat).map(STREET_LATE).fillna(STREET_LATE_DEFAULT).to_numpy())
    no_loc = crime & (u_loc < pd.Series(cat).map(STREET_NO_LOCATION).fillna(0.0).to_numpy())
    new = cat.copy()
    for src, dst, share in STREET_RECLASSIFIED:
        new[crime & (cat == src) & (u_class < share)] = dst
    rows = rows.assign(**{"Crime type": new})
    rows.loc[no_loc, ["LSOA code", "LSOA name"]] = ""
    rows.loc[no_loc, ["Longitude", "Latitude"]] = np.nan
    rows.loc[no_loc, "Location"] = "No Location"
    return rows[~late]


def _crime_id(refs: pd.Series) -> list[str]:
    # data.police.uk Crime IDs are 64-character hex strings.
    return [hashlib.sha256(f"demo:{r}".encode()).hexdigest() for r in refs]


def _police_rows(rng: np.random.Generator, geo: pd.DataFrame, crimes: pd.DataFrame, asb: pd.DataFrame,
                 stream: np.random.Generator | None = None) -> pd.DataFrame:
    """Coventry's street rows (crimes, then ASB); with ``stream``, as police.uk differs from the extract
    (:func:`_street_view`)."""
    g = geo.set_index("lsoa_code")
    crime_rows = pd.DataFrame({
        "Crime ID": _crime_id(crimes["crime_ref"]),
        "date": crimes["date"],
        "LSOA code": crimes["lsoa_code"],
        "Crime type": crimes["ho_code"].map(lambda c: HO_OFFENCES[c].police_category),
        "Last outcome category": rng.choice(OUTCOMES, len(crimes)),
    })
    asb_rows = pd.DataFrame({"Crime ID": "", "date": asb["date"], "LSOA code": asb["lsoa_code"],
                             "Crime type": "Anti-social behaviour", "Last outcome category": ""})
    rows = pd.concat([crime_rows, asb_rows], ignore_index=True)
    rows["Month"] = rows["date"].str.slice(0, 7)
    rows["Reported by"] = FORCE_NAME
    rows["Falls within"] = FORCE_NAME
    # police.uk anonymises locations to snap points near the small area's centre.
    rows["Longitude"] = (g.loc[rows["LSOA code"], "lon"].to_numpy() + rng.normal(0, 0.002, len(rows))).round(6)
    rows["Latitude"] = (g.loc[rows["LSOA code"], "lat"].to_numpy() + rng.normal(0, 0.0015, len(rows))).round(6)
    rows["Location"] = "On or near " + pd.Series(rng.choice(STREETS, len(rows)))
    rows["LSOA name"] = g.loc[rows["LSOA code"], "lsoa_name"].to_numpy()
    rows["Context"] = ""
    return rows if stream is None else _street_view(stream, rows, len(crime_rows))


def _neighbour_rows(rng: np.random.Generator, geo: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Rows outside the partnership (a neighbouring district, and a few with no location) for the force file."""
    other = geo[~geo["in_area"]]
    n = 3600
    cats = ("Violence and sexual offences", "Shoplifting", "Vehicle crime", "Burglary", "Anti-social behaviour", "Public order")
    ctype = rng.choice(cats, n)
    lsoa = rng.choice(other["lsoa_code"].to_numpy(), n)
    no_loc = rng.random(n) < 0.02
    g = other.set_index("lsoa_code")
    rows = pd.DataFrame({
        "Crime ID": [hashlib.sha256(f"nb:{start_year}:{i}".encode()).hexdigest() if c != "Anti-social behaviour" else "" for i, c in enumerate(ctype)],
        "date": _dates(rng, start_year, n).strftime("%Y-%m-%d"),
        "LSOA code": np.where(no_loc, "", lsoa),
        "Crime type": ctype,
        "Last outcome category": np.where(ctype == "Anti-social behaviour", "", "Under investigation"),
    })
    rows["Month"] = rows["date"].str.slice(0, 7)
    rows["Reported by"] = FORCE_NAME
    rows["Falls within"] = FORCE_NAME
    rows["Longitude"] = np.where(no_loc, np.nan, g.loc[lsoa, "lon"].to_numpy().round(6))
    rows["Latitude"] = np.where(no_loc, np.nan, g.loc[lsoa, "lat"].to_numpy().round(6))
    rows["Location"] = np.where(no_loc, "No Location", "On or near Main Road")
    rows["LSOA name"] = np.where(no_loc, "", g.loc[lsoa, "lsoa_name"].to_numpy())
    rows["Context"] = ""
    return rows


def _as_solihull(rows: pd.DataFrame, legacy: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """Coventry's neighbouring rows are Solihull's: give them Solihull's small areas (the same
    synthetic codes; the first real Solihull codes with real geography)."""
    if all(old == new for old, (new, _name) in legacy.items()):
        return rows
    placed = rows["LSOA code"].isin(list(legacy))
    rows.loc[placed, "LSOA name"] = rows.loc[placed, "LSOA code"].map(lambda c: legacy[c][1])
    rows.loc[placed, "LSOA code"] = rows.loc[placed, "LSOA code"].map(lambda c: legacy[c][0])
    return rows


def _write_police_year(frames: list[pd.DataFrame | pa.Table], root: Path) -> None:
    """Write one financial year's street and outcomes files, one per month, holding the whole force.

    Rows are sorted by LSOA name (then crime type) as in the real files; the sort is stable, so rows
    of one small area and type keep their generated order. pyarrow writes the CSVs without quoting
    (no value holds a comma, quote or line break; pyarrow refuses one that does), many times as fast
    as pandas; the header is written as the real files have it, unquoted.
    """
    cols = list(POLICE_STREET_HEADER)
    parts = [f.select(cols) if isinstance(f, pa.Table) else pa.Table.from_pandas(f.loc[:, cols], preserve_index=False)
             for f in frames]
    table = pa.concat_tables([p.cast(parts[-1].schema) for p in parts])
    table = table.take(pc.sort_indices(table, [("Month", "ascending"), ("LSOA name", "ascending"), ("Crime type", "ascending")]))
    month_ids = table.column("Month").combine_chunks().dictionary_encode()
    labels = month_ids.dictionary.to_pylist()
    starts = np.flatnonzero(np.diff(month_ids.indices.to_numpy(), prepend=-1))
    ends = np.r_[starts[1:], table.num_rows]
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    outcome_cols = [c if c != "Outcome type" else "Last outcome category" for c in POLICE_OUTCOMES_HEADER]

    def write(path: Path, header: tuple[str, ...], rows: pa.Table) -> None:
        with open(path, "wb") as fh:
            fh.write((",".join(header) + "\n").encode())
            pacsv.write_csv(rows, fh, options)

    jobs = []
    for a, b in zip(starts, ends, strict=True):
        month = labels[month_ids.indices[a].as_py()]
        folder = root / month
        folder.mkdir(parents=True, exist_ok=True)
        grp = table.slice(a, b - a)
        done = grp.filter(pc.not_equal(pc.fill_null(grp.column("Crime ID"), ""), "")).select(outcome_cols)
        jobs += [(folder / f"{month}-{FORCE}-street.csv", POLICE_STREET_HEADER, grp),
                 (folder / f"{month}-{FORCE}-outcomes.csv", POLICE_OUTCOMES_HEADER, done)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow writes without holding the GIL
        list(pool.map(lambda job: write(*job), jobs))


#: Negative binomial dispersion of ward counts (size): a ward's count varies about its expected value by
#: more than Poisson (sd ~ sqrt(mu + mu^2 / size)): about 10% for a ward of a few hundred a year.
WARD_NB_SIZE = 120.0


def _ward_counts(rng: np.random.Generator, geo: pd.DataFrame, n: int, fixed: dict[str, int] | None = None) -> np.ndarray:
    """Events per Coventry ward (``cal.WARDS`` order) adding up to ``n``: each ward's count drawn around
    residents x ``cal.WARD_DEPRIVATION`` (negative binomial, :data:`WARD_NB_SIZE`), then rescaled to the
    total by largest remainder; ``fixed`` wards get exactly their count and the others share the rest."""
    fixed = fixed or {}
    ward_codes = [w[0] for w in cal.WARDS]
    pop = geo[geo["in_area"]].groupby("ward_code")["population"].sum()
    mu = np.array([0.0 if c in fixed else pop.get(c, 0) * cal.WARD_DEPRIVATION[c] for c in ward_codes])
    rest = n - sum(fixed.values())
    mu = mu / mu.sum() * rest
    free = mu > 0
    draw = np.zeros(len(mu))
    draw[free] = rng.negative_binomial(WARD_NB_SIZE, WARD_NB_SIZE / (WARD_NB_SIZE + mu[free]))
    counts = _round_to_total(draw, rest)
    for code, k in fixed.items():
        counts[ward_codes.index(code)] = k
    return counts


def _simple_events(rng, geo, start_year: int, n: int, prefix: str, q4: int | None = None) -> pd.DataFrame:
    ward_codes = [w[0] for w in cal.WARDS]
    ward = rng.permutation(np.repeat(np.array(ward_codes, dtype=object), _ward_counts(rng, geo, n)))
    return pd.DataFrame({
        "ref": [f"{prefix}/{start_year % 100:02d}{i:06d}" for i in range(1, n + 1)],
        "date": _dates(rng, start_year, n, q4).strftime("%Y-%m-%d"),
        "ward": ward,
        "lsoa_code": _place(rng, geo, ward),
    })


def _council_asb(rng, geo, y: int) -> pd.DataFrame:
    ev = _simple_events(rng, geo, y, cal.COUNCIL_ASB_BY_YEAR[y], "CASB", cal.ASB_Q4_PIN.get(y, (None, None))[1])
    types = rng.choice(["personal", "nuisance", "environmental"], len(ev), p=[0.2, 0.5, 0.3])
    cats = {"personal": "Neighbour dispute", "nuisance": "Noise", "environmental": "Graffiti"}
    return pd.DataFrame({"case_ref": ev["ref"], "date": ev["date"], "asb_type": types,
                         "category": [cats[t] for t in types], "lsoa_code": ev["lsoa_code"]})


def _fly_tipping(rng, geo, y: int) -> pd.DataFrame:
    n = cal.FLY_TIPPING_BY_YEAR[y]
    ward_codes = [w[0] for w in cal.WARDS]
    fol = cal.FLY_TIPPING_FOLESHILL_2023 if y == 2023 else round(cal.FLY_TIPPING_FOLESHILL_SHARE[y] * n)
    quotas = _ward_counts(rng, geo, n, {cal.FOLESHILL: fol})
    ward = rng.permutation(np.repeat(np.array(ward_codes, dtype=object), quotas))
    return pd.DataFrame({
        "incident_ref": [f"FT/{y % 100:02d}{i:06d}" for i in range(1, n + 1)],
        "date": _dates(rng, y, n).strftime("%Y-%m-%d"),
        "lsoa_code": _place(rng, geo, ward),
        "waste_type": rng.choice(["Household", "Commercial", "Green", "White goods", "Construction"], n),
        "size": rng.choice(["single_item", "small_van", "transit_van", "tipper_lorry", "significant"], n, p=[0.3, 0.35, 0.25, 0.08, 0.02]),
    })


def _da_referrals(rng, y: int) -> pd.DataFrame:
    n = cal.DA_REFERRALS_BY_YEAR[y]
    services = np.array(["CDVASS", "SARC", "Refuge", "IDVA"], dtype=object)
    shares = np.array([0.45, 0.15, 0.15, 0.25])
    pins = cal.SERVICE_PINS.get(y, {})
    pinned = np.array([s in pins for s in services])
    # pinned services get exactly their published count; the others share the remainder
    shares = np.where(pinned, 0.0, shares / shares[~pinned].sum() * (n - sum(pins.values())))
    for name, count in pins.items():
        shares[list(services).index(name)] = count
    return pd.DataFrame({
        "referral_ref": [f"DAR/{y % 100:02d}{i:05d}" for i in range(1, n + 1)],
        "date": _dates(rng, y, n).strftime("%Y-%m-%d"),
        "service": services[_quota_choice(rng, n, shares)] if y in cal.SERVICE_PINS else rng.choice(services, n, p=[0.45, 0.15, 0.15, 0.25]),
        "referral_source": rng.choice(["Police", "Self", "Health", "Children's services"], n, p=[0.5, 0.2, 0.15, 0.15]),
        "victim_age": rng.integers(16, 75, n),
        "victim_sex": rng.choice(["F", "M"], n, p=[0.85, 0.15]),
        "repeat_victim": (rng.random(n) < 0.10).astype(int),
        "children_present": (rng.random(n) < 0.35).astype(int),
    })


def _flags(rng, n: int, k: int) -> np.ndarray:
    """0/1 array with exactly ``k`` ones in random places."""
    out = np.zeros(n, dtype=int)
    out[rng.choice(n, size=k, replace=False)] = 1
    return out


def _non_crime(rng, geo, y: int) -> pd.DataFrame:
    n_da, n_hate, n_rc = cal.NON_CRIME_DA[y], cal.NON_CRIME_HATE[y], cal.HATE_REPORTING_CENTRES[y]
    ev = _simple_events(rng, geo, y, n_da + n_hate + n_rc, "NCI")
    kind = np.array(["domestic_abuse"] * n_da + ["hate"] * (n_hate + n_rc), dtype=object)
    by = np.array(["police"] * (n_da + n_hate) + ["reporting_centre"] * n_rc, dtype=object)
    strand = np.where(kind == "hate", rng.choice(["race", "religion", "sexual_orientation", "disability", "transgender"], len(ev), p=[0.75, 0.08, 0.09, 0.05, 0.03]), "")
    n_repeat = cal.NON_CRIME_DA_REPEAT.get(y) or round(cal.NON_CRIME_DA_REPEAT_SHARE[y] * n_da)
    n_children = cal.NON_CRIME_DA_CHILDREN.get(y) or round(cal.NON_CRIME_DA_CHILDREN_SHARE[y] * n_da)
    repeat = np.concatenate([_flags(rng, n_da, n_repeat), (rng.random(n_hate + n_rc) < 0.1).astype(int)])
    children = np.concatenate([_flags(rng, n_da, n_children), np.zeros(n_hate + n_rc, dtype=int)])
    return pd.DataFrame({"incident_ref": ev["ref"], "date": ev["date"], "incident_type": kind, "recorded_by": by,
                         "hate_strand": strand, "lsoa_code": ev["lsoa_code"], "repeat_victim": repeat,
                         "children_present": children})


def _nrm(rng, y: int) -> pd.DataFrame:
    council, police, other = cal.NRM_COUNCIL[y], cal.NRM_POLICE[y], cal.NRM_OTHER[y]
    n = council + police + other
    return pd.DataFrame({
        "referral_ref": [f"NRM/{y % 100:02d}{i:04d}" for i in range(1, n + 1)],
        "date": _dates(rng, y, n).strftime("%Y-%m-%d"),
        "first_responder": ["council"] * council + ["police"] * police + ["other"] * other,
        "exploitation_type": rng.choice(["labour", "sexual", "criminal", "domestic_servitude", "unknown"], n),
        "victim_age": rng.integers(14, 60, n),
        "victim_sex": rng.choice(["F", "M"], n, p=[0.4, 0.6]),
    }).sort_values("date", kind="stable")


def _msg() -> pd.DataFrame:
    return pd.DataFrame([("2015-16", csp, v, src) for csp, v, src in cal.MSG_2015],
                        columns=["period", "csp", "crimes_per_1000", "value_source"])


def _reoffending() -> pd.DataFrame:
    rows = []
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        label = f"{y}-{(y + 1) % 100:02d}"
        offenders, rate, per_reoffender, entrants = cal.REOFFENDING[y]
        reoffenders = round(offenders * rate / 100)
        rows += [(label, "offenders", offenders), (label, "reoffenders", reoffenders),
                 (label, "reoffences", round(reoffenders * per_reoffender)), (label, "first_time_entrants", entrants)]
    return pd.DataFrame(rows, columns=["period", "measure", "value"])


def _funding() -> pd.DataFrame:
    # 2016-17 allocations: PCC grant 409,728 + carry over 82,750 = 492,478 (published Appendix 8 total).
    # The lines are synthetic (only the totals are published): 127,450 + 96,180 + 74,612 + 60,936 + 22,300 + 28,250
    # = 409,728; 46,980 + 35,770 = 82,750.
    lines = [("PCC grant", "Domestic abuse support services", 127_450), ("PCC grant", "Youth violence prevention", 96_180),
             ("PCC grant", "Anti-social behaviour and community safety", 74_612), ("PCC grant", "Substance misuse pathways", 60_936),
             ("PCC grant", "Hate crime reporting centres", 22_300), ("PCC grant", "Victim support and restorative justice", 28_250),
             ("Carry over", "City centre safety (night-time economy)", 46_980), ("Carry over", "Exploitation and modern slavery", 35_770)]
    return pd.DataFrame([("2016-17", s, p, a) for s, p, a in lines], columns=["financial_year", "source", "project", "amount_gbp"])


def demo_geography(rng: np.random.Generator, seed: int, geography: Path | None
                   ) -> tuple[Path | None, pd.DataFrame, pd.DataFrame]:
    """(folder of real ONS files or None, Coventry's small areas, the other districts' and neighbours').

    ``geography`` is a folder of real ONS files (e.g. ``../shared/data``) or the national lookup in its
    ``lookups/`` folder (``<data>/lookups/lsoa11_lsoa21_lad22_lookup_EW.csv.gz``: the folder is then
    ``<data>``); None for synthetic small areas. Coventry's geography draws from ``rng`` (as it always
    has), the other districts' from streams of their own.
    """
    if geography is not None and Path(geography).is_file():
        geography = Path(geography).parent.parent
    geo = real_geography(geography, rng) if geography else synthetic_geography(rng)
    return geography, geo, force.force_geography(seed, geo, geography)


def generate(out: Path, *, geography: Path | None = None, seed: int = SEED,
             progress: Callable[[str], None] | None = None) -> Path:
    """Write the complete demo data set to ``out`` (replacing it atomically) and return ``out``.

    The data.police.uk files hold the whole West Midlands force: Coventry (calibrated, with its
    partner extracts) and six more partnerships (:mod:`ccsp_analysis.demo.force`, each from a random
    stream of its own, so Coventry's rows do not depend on them), with the real files' quirks.

    Deterministic: the same seed gives byte-identical files. ``geography`` points at a folder of
    real ONS files (e.g. ``../shared/data``), or at the national lookup in its ``lookups/`` folder,
    to use real small areas instead of synthetic ones.
    """
    say = progress or (lambda msg: log.info(msg))
    rng = np.random.default_rng(seed)
    geography, geo, fgeo = demo_geography(rng, seed, geography)
    legacy = force.legacy_codes(geo, fgeo)
    season = SEASON[[3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2]]  # April .. March
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=out.parent))
    try:
        paths = write_ons_files(geo, tmp / "ons", fgeo[fgeo["in_force"]].drop(columns=["in_force"]))
        crimes, partner = [], {k: [] for k in ("police_asb", "council_asb", "fly_tipping", "da_referrals", "non_crime_incidents", "nrm_referrals")}
        for y in range(FIRST_YEAR, LAST_YEAR + 1):
            say(f"demo data: financial year {y}-{(y + 1) % 100:02d}")
            c = crimes_for_year(rng, geo, y)
            a = asb_for_year(rng, geo, y)
            crimes.append(c)
            months = [str(m)[:7] for m in pd.date_range(f"{y}-04-01", periods=12, freq="MS")]
            street = np.random.default_rng([seed, STREET_STREAM, y])
            _write_police_year([_police_rows(rng, geo, c, a, street), _as_solihull(_neighbour_rows(rng, geo, y), legacy),
                                force.district_rows(seed, fgeo, y, months, season, STREETS, OUTCOMES, FORCE_NAME)],
                               tmp / "police_uk")
            partner["police_asb"].append(a)
            partner["council_asb"].append(_council_asb(rng, geo, y))
            partner["fly_tipping"].append(_fly_tipping(rng, geo, y))
            partner["da_referrals"].append(_da_referrals(rng, y))
            partner["non_crime_incidents"].append(_non_crime(rng, geo, y))
            partner["nrm_referrals"].append(_nrm(rng, y))
        pdir = tmp / "partner"
        pdir.mkdir()
        pd.concat(crimes, ignore_index=True).to_csv(pdir / "crimes.csv", index=False)
        for name, frames in partner.items():
            pd.concat(frames, ignore_index=True).to_csv(pdir / f"{name}.csv", index=False)
        survey_responses(rng, geo).to_csv(pdir / "survey.csv", index=False)
        _reoffending().to_csv(pdir / "reoffending.csv", index=False)
        _funding().to_csv(pdir / "funding.csv", index=False)
        _msg().to_csv(pdir / "most_similar_group.csv", index=False)
        pops = fgeo[fgeo["in_force"]].groupby(["lad_code", "lad_name"], sort=False)["population"].sum()
        paths.update(write_population_extras(tmp / "ons", geography is not None,
                                             tuple((code, name, int(p)) for (code, name), p in pops.items())))
        paths["police_uk"] = tmp / "police_uk"
        paths.update({("partner_crimes" if p.stem == "crimes" else p.stem): p for p in sorted(pdir.glob("*.csv"))})
        (tmp / "README.txt").write_text("SYNTHETIC DEMONSTRATION DATA generated by `ccsp data demo`. Not real crime data.\n"
                                        "DEMO.json lists every file written (with its SHA-256); runs over these files are "
                                        "labelled synthetic.\n")
        say("demo data: writing the manifest (DEMO.json)")
        write_manifest(tmp, {
            "generator": "ccsp data demo", "demo_version": DEMO_VERSION, "seed": seed,
            "force": f"{FORCE_NAME}: Coventry and " + ", ".join(d.name for d in force.DISTRICTS),
            "geography": "real ONS small areas and population (synthetic wards outside Coventry)" if geography else
                         f"synthetic small areas ({SYNTHETIC_LSOA_PREFIX} codes): Coventry's in its 18 real wards, "
                         "the other districts' in synthetic wards (E0599DWWW)",
            "financial_years": f"{FIRST_YEAR}-{(FIRST_YEAR + 1) % 100:02d} to {LAST_YEAR}-{(LAST_YEAR + 1) % 100:02d}",
            "sources": {k: v.relative_to(tmp).as_posix() for k, v in sorted(paths.items())},
        })
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"demo data written to {out}")
    return out
