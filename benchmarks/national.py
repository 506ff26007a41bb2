"""A synthetic national year in the data.police.uk format, for B3 (BENCHMARKS.md): written once to a cache folder.

43 forces (the real data.police.uk force slugs), about 318 districts grouped into about 300
partnerships, about 6.5 million street rows over the 12 months of financial year 2023-24, written as
``police/YYYY-MM/YYYY-MM-<force>-street.csv`` with the real 12-column header, plus:

* ``lookup.csv``: an ONS-format LSOA -> ward -> district best-fit lookup
  (``LSOA21CD,LSOA21NM,WD23CD,WD23NM,LAD23CD,LAD23NM``) covering every district;
* ``population.csv``: Census 2021 TS001 usual residents per LSOA in the Nomis bulk format;
* ``partnerships.csv``: one row per partnership (``partnership,force,lad_codes``, codes separated by
  ``;``), some covering two districts;
* ``manifest.json``: the generator's version and seed, and what the files hold (rows, rows with no
  location, rows in other forces' small areas, fully identical rows, repeated Crime IDs).

The real files' quirks are there: a few crimes repeat an earlier row's Crime ID; locations are
snapped to a few points per small area, so anti-social behaviour rows (no Crime ID) are often fully
identical; about 2% of rows have no location (blank coordinates and LSOA, "No Location"); about 1% of
a force's rows lie in the small areas of a neighbouring force. Codes are synthetic and never issued
by ONS: small areas ``X01…``, wards ``E05 9…`` and districts ``E06 9…`` / ``W06 9…``; names read like
``District 042 Synthetic 013A``.

Deterministic: one seed, and each force's month drawn from its own child seed, so the files are
the same whatever the order they are written in (two processes write them). The folder is written
once and reused while its manifest matches; ``--force`` writes it again.

    python benchmarks/national.py [--out DIR] [--force]   # prints the manifest
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv
from synthetic import CRIME_TYPES, OUTCOMES, PLACES

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "outputs" / "bench" / "national"
VERSION = 1
SEED = 20240403
MONTHS = [f"{y}-{m:02d}" for y, m in [(2023 + (i + 3) // 12, (i + 3) % 12 + 1) for i in range(12)]]
TARGET_ROWS = 6_500_000
PEOPLE_PER_LSOA = 1_650
LSOAS_PER_WARD = 5
SNAP_POINTS = 16
NO_LOCATION_SHARE = 0.022
NEIGHBOUR_SHARE = 0.009
REPEATED_ID_SHARE = 0.004
#: The 43 territorial forces of England and Wales as data.police.uk names them in file names, with
#: roughly their number of local authority districts (2023) and whether they are in Wales.
FORCES = (
    ("avon-and-somerset", 5), ("bedfordshire", 3), ("cambridgeshire", 6), ("cheshire", 4),
    ("city-of-london", 1), ("cleveland", 4), ("cumbria", 2), ("derbyshire", 9),
    ("devon-and-cornwall", 12), ("dorset", 2), ("durham", 2), ("dyfed-powys", 4), ("essex", 14),
    ("gloucestershire", 6), ("greater-manchester", 10), ("gwent", 5), ("hampshire", 15),
    ("hertfordshire", 10), ("humberside", 4), ("kent", 13), ("lancashire", 14),
    ("leicestershire", 8), ("lincolnshire", 7), ("merseyside", 5), ("metropolitan", 32),
    ("norfolk", 7), ("north-wales", 6), ("north-yorkshire", 2), ("northamptonshire", 2),
    ("northumbria", 6), ("nottinghamshire", 8), ("south-wales", 7), ("south-yorkshire", 4),
    ("staffordshire", 9), ("suffolk", 5), ("surrey", 11), ("sussex", 13), ("thames-valley", 13),
    ("warwickshire", 5), ("west-mercia", 10), ("west-midlands", 7), ("west-yorkshire", 5),
    ("wiltshire", 2),
)  # fmt: skip
WELSH = {"dyfed-powys", "gwent", "north-wales", "south-wales"}
#: Partnerships that cover two districts (real ones do: e.g. a county's districts pairing up): the
#: first ``PAIRED`` forces with at least four districts pair their last two.
PAIRED = 18
def force_name(slug: str) -> str:
    """'west-midlands' -> 'West Midlands Police' (the Metropolitan and City forces as police.uk name them)."""
    special = {"metropolitan": "Metropolitan Police Service", "city-of-london": "City of London Police"}
    return special.get(slug, slug.replace("-", " ").title().replace(" And ", " and ") + " Police")


@functools.lru_cache(maxsize=2)
def geography(seed: int = SEED) -> dict:
    """Districts, partnerships and small areas (numpy arrays and lists), from the seed alone."""
    rng = np.random.default_rng([seed, 0])
    districts, lsoa_rows = [], []
    for f, (force, n) in enumerate(FORCES):
        for _k in range(n):
            d = len(districts)
            prefix = "W06" if force in WELSH else "E06"
            pop = int(rng.lognormal(np.log(170_000), 0.45)) if force != "city-of-london" else 8_600
            districts.append({"lad_code": f"{prefix}9{d:05d}", "lad_name": f"District {d:03d}",
                              "force": force, "force_index": f, "population": pop})
    partnerships = []
    paired = 0
    for force, n in FORCES:
        ds = [d for d in districts if d["force"] == force]
        if n >= 4 and paired < PAIRED:
            groups = [[d] for d in ds[:-2]] + [ds[-2:]]
            paired += 1
        else:
            groups = [[d] for d in ds]
        for group in groups:
            partnerships.append({"partnership": " and ".join(d["lad_name"] for d in group), "force": force,
                                 "lad_codes": [d["lad_code"] for d in group]})
    seq = 0
    for d, dist in enumerate(districts):
        n_lsoa = max(5, round(dist["population"] / PEOPLE_PER_LSOA))
        pops = rng.multinomial(dist["population"] - 800 * n_lsoa, np.full(n_lsoa, 1 / n_lsoa)) + 800
        centre = (52.0 + rng.normal(0, 1.2), -1.5 + rng.normal(0, 1.0))
        for k in range(n_lsoa):
            seq += 1
            ward = k // LSOAS_PER_WARD
            lsoa_rows.append((f"X01{seq:06d}", f"{dist['lad_name']} Synthetic {k // 4 + 1:03d}{chr(65 + k % 4)}",
                              f"{'W05' if dist['lad_code'].startswith('W') else 'E05'}9{d:03d}{ward:02d}",
                              f"{dist['lad_name']} Ward {ward + 1}", d, int(pops[k]),
                              centre[0] + rng.normal(0, 0.03), centre[1] + rng.normal(0, 0.045)))
    cols = list(zip(*lsoa_rows, strict=True))
    lsoa = {"code": np.array(cols[0]), "name": np.array(cols[1]), "ward_code": np.array(cols[2]),
            "ward_name": np.array(cols[3]), "district": np.array(cols[4]), "population": np.array(cols[5]),
            "lat": np.array(cols[6]), "lon": np.array(cols[7])}
    return {"districts": districts, "partnerships": partnerships, "lsoa": lsoa}


def _write_csv(table: pa.Table, path: Path) -> None:
    """A plain CSV as data.police.uk and ONS write them: no quotes (no value here needs any), LF endings."""
    with pa.OSFile(str(path), "wb") as sink:
        sink.write((",".join(table.column_names) + "\n").encode())
        pv.write_csv(table, sink, pv.WriteOptions(include_header=False, quoting_style="none"))


def _force_month(args: tuple) -> dict:
    """Write one force's monthly street file; return its counts."""
    out, seed, f, m, rate = args
    geo = geography(seed)
    force, _n = FORCES[f]
    lsoa = geo["lsoa"]
    district_force = np.array([d["force_index"] for d in geo["districts"]])
    in_force = district_force[lsoa["district"]] == f
    neighbour = district_force[lsoa["district"]] == (f + 1) % len(FORCES)
    rng = np.random.default_rng([seed, 1, f, m])
    own = np.flatnonzero(in_force)
    expected = lsoa["population"][own].sum() * rate / 12
    n = int(rng.poisson(expected))
    n_other = int(round(n * NEIGHBOUR_SHARE))
    w = lsoa["population"][own] * rng.lognormal(0, 0.5, own.size)
    area = np.r_[rng.choice(own, n - n_other, p=w / w.sum()), rng.choice(np.flatnonzero(neighbour), n_other)]
    types = np.array(list(CRIME_TYPES))
    p = np.array(list(CRIME_TYPES.values()))
    crime_type = rng.choice(len(types), n, p=p / p.sum())
    asb = crime_type == 0
    point = rng.integers(0, SNAP_POINTS, n)
    placed = rng.random(n) >= NO_LOCATION_SHARE
    ids = np.frombuffer(rng.bytes(32 * n).hex().encode(), dtype="S64").copy()
    crimes = np.flatnonzero(~asb)
    repeat = crimes[rng.random(crimes.size) < REPEATED_ID_SHARE]
    ids[repeat] = ids[rng.choice(crimes, repeat.size)]
    ids[asb] = b""
    # Snap points: a fixed place and position per (small area, point), the same every month.
    lat = np.round(lsoa["lat"][area] + np.sin(area * 12.9898 + point * 78.233) * 0.004, 6)
    lon = np.round(lsoa["lon"][area] + np.cos(area * 4.1414 + point * 39.346) * 0.006, 6)
    place = np.array(["On or near " + p for p in PLACES])[(area * 7 + point * 13) % len(PLACES)]
    name = force_name(force)
    blank = np.array([""], dtype=object)
    table = pa.table({
        "Crime ID": pa.array(ids).cast(pa.string()),
        "Month": pa.array(np.full(n, MONTHS[m])),
        "Reported by": pa.array(np.full(n, name)),
        "Falls within": pa.array(np.full(n, name)),
        "Longitude": pc.if_else(placed, pc.cast(pa.array(lon), pa.string()), ""),
        "Latitude": pc.if_else(placed, pc.cast(pa.array(lat), pa.string()), ""),
        "Location": pc.if_else(placed, pa.array(place), "No Location"),
        "LSOA code": pc.if_else(placed, pa.array(lsoa["code"][area]), ""),
        "LSOA name": pc.if_else(placed, pa.array(lsoa["name"][area]), ""),
        "Crime type": pa.array(types[crime_type]),
        "Last outcome category": pc.if_else(pa.array(asb), "", pa.array(np.array(OUTCOMES)[rng.integers(0, len(OUTCOMES), n)])),
        "Context": pa.array(np.repeat(blank, n), pa.string()),
    })  # fmt: skip
    order = pc.sort_indices(table, [("LSOA name", "ascending"), ("Crime type", "ascending")])
    table = table.take(order)
    folder = Path(out) / "police" / MONTHS[m]
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(table, folder / f"{MONTHS[m]}-{force}-street.csv")
    # Counts for the manifest (computed on the written table, independently of the readers).
    asb_rows = table.filter(pc.equal(table["Crime type"], "Anti-social behaviour"))
    crime_ids = table.filter(pc.not_equal(table["Crime type"], "Anti-social behaviour"))["Crime ID"]
    return {"rows": n, "no_location": int((~placed).sum()), "other_force": n_other,
            "identical_asb_rows": asb_rows.num_rows - asb_rows.group_by(asb_rows.column_names).aggregate([]).num_rows,
            "repeated_crime_ids": len(crime_ids) - len(pc.unique(crime_ids))}


def _manifest_key(seed: int) -> dict:
    return {"version": VERSION, "seed": seed, "target_rows": TARGET_ROWS, "months": MONTHS}


def make_national(out: str | Path = CACHE, *, seed: int = SEED, force: bool = False, workers: int = 2) -> dict:
    """Write the national year under ``out`` unless a matching one is there; return its manifest."""
    out = Path(out)
    manifest_path = out / "manifest.json"
    if manifest_path.is_file() and not force:
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in _manifest_key(seed).items()):
            return manifest
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    geo = geography(seed)
    lsoa = geo["lsoa"]
    dist = geo["districts"]
    rate = TARGET_ROWS / lsoa["population"].sum()  # street rows per resident per year
    lookup = pa.table({
        "LSOA21CD": lsoa["code"], "LSOA21NM": lsoa["name"], "WD23CD": lsoa["ward_code"],
        "WD23NM": lsoa["ward_name"], "LAD23CD": np.array([d["lad_code"] for d in dist])[lsoa["district"]],
        "LAD23NM": np.array([d["lad_name"] for d in dist])[lsoa["district"]],
    })  # fmt: skip
    _write_csv(lookup, out / "lookup.csv")
    population = pa.table({"2021 super output area - lower layer": lsoa["name"], "mnemonic": lsoa["code"],
                           "total": lsoa["population"]})
    _write_csv(population, out / "population.csv")
    parts = pa.table({"partnership": [p["partnership"] for p in geo["partnerships"]],
                      "force": [p["force"] for p in geo["partnerships"]],
                      "lad_codes": [";".join(p["lad_codes"]) for p in geo["partnerships"]]})
    _write_csv(parts, out / "partnerships.csv")
    jobs = [(str(out), seed, f, m, rate) for f in range(len(FORCES)) for m in range(len(MONTHS))]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        counts = list(pool.map(_force_month, jobs, chunksize=6))
    totals = {k: sum(c[k] for c in counts) for k in counts[0]}
    manifest = {**_manifest_key(seed), "forces": len(FORCES), "districts": len(dist),
                "partnerships": len(geo["partnerships"]), "lsoas": int(lsoa["code"].size),
                "population": int(lsoa["population"].sum()), "files": len(jobs), **totals,
                "generated_s": round(time.perf_counter() - start, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(CACHE))
    parser.add_argument("--force", action="store_true", help="write the folder again")
    args = parser.parse_args()
    print(json.dumps(make_national(args.out, force=args.force), indent=2))
