"""B2 ingest: 24 force-wide data.police.uk street files read, filtered to one partnership, written.

Workload (docs: /work/shared/design/BENCHMARKS.md, B2). A deterministic generator writes 24
monthly West-Midlands-like street files (``YYYY-MM/YYYY-MM-west-midlands-street.csv``, the real
12-column header) into a temporary folder: about 27,000 rows a month over seven partnerships
(Birmingham, Coventry, Dudley, Sandwell, Solihull, Walsall, Wolverhampton; Coventry about 4,000
rows a month), plus rows police.uk could not place (blank coordinates / LSOA, Location "No
Location") and rows in neighbouring forces' small areas. Locations are snapped to a few points per
small area as police.uk does, so fully identical ASB rows (blank Crime ID) occur; a few crimes
repeat an earlier row's Crime ID. Small-area codes are synthetic ``X01…`` codes, which ONS never
issues (as the demo data does); names read like ``Coventry Synthetic 014A``.

Both sides read every file, keep the rows whose LSOA code is one of Coventry's codes (as
``dataset.build`` filters with the lookup's codes) and write the kept rows to parquet:

* baseline: ``pd.concat([pd.read_csv(f) for f in files])``, then ``frame[frame["LSOA code"].isin(codes)]``,
  then ``to_parquet``. Exact duplicate rows are kept, and rows with a blank code are dropped
  (NaN is not in the list) -- the same rows the reader keeps.
* ours: ``police_uk.read_street_with_log(root, lsoa_codes=codes, forces=["west-midlands"])`` (header,
  value, month and ASB Crime ID checks, drop log, typed canonical columns), then ``to_parquet``.
  The reader keeps exact duplicate rows (real files hold identical ASB rows that are separate
  incidents) and drops rows with no LSOA code. Its C line picker (``sources/_linescan.c``, built by
  setup.py where a compiler is) looks at each line's LSOA code field without parsing the line: the
  partnership's lines are split into columns, the others only counted (no code / outside area); a
  line it cannot judge (quotes, other field counts, odd codes) is parsed as usual. Without the
  extension every line is parsed; the result file records which ran (``picker``).

Timing alternates baseline and ours (A B A B ...) after one untimed warm-up of each, and the
figures are medians. Rows per second counts every row read (all 24 files) over ours' median.
``runs`` also holds each run's CPU seconds (all threads of the process) and the load average
before timing, to tell a parse-bound result from a busy machine.

Run alone: ``.venv/bin/python benchmarks/b2_ingest.py [repeats]`` prints the JSON result.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from synthetic import CRIME_TYPES, OUTCOMES, PLACES

from ccsp_analysis.schemas import POLICE_STREET_HEADER
from ccsp_analysis.sources import police_uk
from ccsp_analysis.sources.police_uk import find_street_files, read_street_with_log

SEED = 20240402
FORCE = "west-midlands"
FORCE_NAME = "West Midlands Police"
PARTNERSHIP = "Coventry"
MONTHS = [f"{y}-{m:02d}" for y, m in [(2022 + (i + 3) // 12, (i + 3) % 12 + 1) for i in range(24)]]
ROWS_PER_MONTH = 27_000
#: (district, number of small areas, share of the force's placed rows, centre lat, centre lon)
PARTNERSHIPS = (
    ("Birmingham", 640, 0.400, 52.480, -1.900),
    ("Coventry", 195, 0.150, 52.408, -1.510),
    ("Dudley", 200, 0.095, 52.510, -2.090),
    ("Sandwell", 190, 0.112, 52.505, -2.010),
    ("Solihull", 135, 0.061, 52.412, -1.778),
    ("Walsall", 170, 0.090, 52.586, -1.982),
    ("Wolverhampton", 160, 0.092, 52.587, -2.129),
)
#: Neighbouring districts of other forces whose small areas appear in West Midlands' files.
NEIGHBOURS = (
    ("Nuneaton and Bedworth", 12, 52.52, -1.47),
    ("Bromsgrove", 10, 52.34, -2.06),
    ("South Staffordshire", 10, 52.62, -2.20),
    ("Lichfield", 8, 52.68, -1.83),
    ("Warwick", 10, 52.29, -1.54),
)
NO_LOCATION_SHARE = 0.022
OTHER_FORCE_SHARE = 0.008
REPEATED_ID_SHARE = 0.004  # crimes repeating an earlier row's Crime ID
SNAP_POINTS = 16  # anonymised map points per small area
def geography(rng: np.random.Generator) -> pd.DataFrame:
    """One row per synthetic small area: code (X01…), name, district, in_force, weight, centre."""
    rows = []
    seq = 0
    districts = [(d, n, share, lat, lon, True) for d, n, share, lat, lon in PARTNERSHIPS]
    districts += [(d, n, OTHER_FORCE_SHARE, lat, lon, False) for d, n, lat, lon in NEIGHBOURS]
    for district, n, share, lat, lon, in_force in districts:
        weights = rng.lognormal(0.0, 0.6, n)
        for k in range(n):
            seq += 1
            rows.append({
                "lsoa_code": f"X01{seq:06d}",
                "lsoa_name": f"{district} Synthetic {k // 4 + 1:03d}{chr(65 + k % 4)}",
                "district": district,
                "in_force": in_force,
                "weight": share * weights[k] / weights.sum(),
                "lat": lat + rng.normal(0, 0.03),
                "lon": lon + rng.normal(0, 0.045),
            })  # fmt: skip
    geo = pd.DataFrame(rows)
    other = ~geo["in_force"]
    geo.loc[other, "weight"] *= OTHER_FORCE_SHARE / geo.loc[other, "weight"].sum()
    geo["weight"] /= geo["weight"].sum()
    return geo


def month_rows(rng: np.random.Generator, geo: pd.DataFrame, month: str) -> pd.DataFrame:
    """One month's force-wide street rows, in the order police.uk publishes (by LSOA name)."""
    n = int(ROWS_PER_MONTH * rng.uniform(0.96, 1.04))
    types = np.array(list(CRIME_TYPES))
    p = np.array(list(CRIME_TYPES.values()))
    crime_type = rng.choice(types, n, p=p / p.sum())
    asb = crime_type == "Anti-social behaviour"
    area = rng.choice(len(geo), n, p=geo["weight"].to_numpy())
    point = rng.integers(0, SNAP_POINTS, n)
    # Snap points: a fixed place name and position per (small area, point), the same every month.
    place_index = (area * 7 + point * 13) % len(PLACES)
    seed_lat = np.sin(area * 12.9898 + point * 78.233) * 0.004
    seed_lon = np.cos(area * 4.1414 + point * 39.346) * 0.006
    lat = geo["lat"].to_numpy()[area] + seed_lat
    lon = geo["lon"].to_numpy()[area] + seed_lon
    placed = rng.random(n) >= NO_LOCATION_SHARE
    ids = np.array([rng.bytes(32).hex() for _ in range(n)], dtype=object)
    ids[asb] = ""
    crimes = np.flatnonzero(~asb)
    repeat = crimes[rng.random(crimes.size) < REPEATED_ID_SHARE]
    ids[repeat] = ids[rng.choice(crimes, repeat.size)]
    rows = pd.DataFrame({
        "Crime ID": ids,
        "Month": month,
        "Reported by": FORCE_NAME,
        "Falls within": FORCE_NAME,
        "Longitude": np.where(placed, np.char.mod("%.6f", lon), ""),
        "Latitude": np.where(placed, np.char.mod("%.6f", lat), ""),
        "Location": np.where(placed, "On or near " + np.array(PLACES)[place_index], "No Location"),
        "LSOA code": np.where(placed, geo["lsoa_code"].to_numpy()[area], ""),
        "LSOA name": np.where(placed, geo["lsoa_name"].to_numpy()[area], ""),
        "Crime type": crime_type,
        "Last outcome category": np.where(asb, "", rng.choice(OUTCOMES, n)),
        "Context": "",
    })  # fmt: skip
    return rows.sort_values(["LSOA name", "Crime type"], kind="stable").reset_index(drop=True)


def make_files(root: str | Path, seed: int = SEED) -> dict:
    """Write the 24 monthly files under ``root``; return Coventry's codes and counts (for checks)."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    geo = geography(rng)
    codes = geo.loc[geo["district"] == PARTNERSHIP, "lsoa_code"].tolist()
    stats = {"rows": 0, "kept_rows": 0, "no_location": 0, "other_force": 0}
    stats |= {"identical_asb_rows": 0, "repeated_crime_ids": 0}
    for month in MONTHS:
        rows = month_rows(rng, geo, month)
        folder = root / month
        folder.mkdir(parents=True, exist_ok=True)
        rows.loc[:, list(POLICE_STREET_HEADER)].to_csv(
            folder / f"{month}-{FORCE}-street.csv", index=False, lineterminator="\n"
        )
        asb = rows["Crime type"] == "Anti-social behaviour"
        other = rows["LSOA code"].isin(geo.loc[~geo["in_force"], "lsoa_code"])
        stats["rows"] += len(rows)
        stats["kept_rows"] += int(rows["LSOA code"].isin(codes).sum())
        stats["no_location"] += int((rows["Location"] == "No Location").sum())
        stats["other_force"] += int(other.sum())
        stats["identical_asb_rows"] += int(rows[asb].duplicated().sum())
        stats["repeated_crime_ids"] += int(rows.loc[~asb, "Crime ID"].duplicated().sum())
    return {"codes": codes, **stats}


def baseline(files: list[Path], codes: list[str], out: Path) -> int:
    """The usual way: read every file with pandas, concatenate, filter on the code, write parquet."""
    frame = pd.concat([pd.read_csv(f) for f in files])
    kept = frame[frame["LSOA code"].isin(codes)]
    kept.to_parquet(out, index=False)
    return len(kept)


def ours(root: Path, codes: list[str], out: Path) -> int:
    """The project's reader (checks, drop log, canonical columns), then the same parquet write."""
    frame, _log = read_street_with_log(root, lsoa_codes=codes, forces=[FORCE])
    frame.to_parquet(out, index=False)
    return len(frame)


def _time(fn: Callable[[], int]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the whole process (all threads), and the kept row count."""
    start, cpu = time.perf_counter(), time.process_time()
    kept = fn()
    return time.perf_counter() - start, time.process_time() - cpu, kept


def run(repeats: int = 3) -> dict:
    """Generate the files, time baseline and ours alternately (A B A B), and return the result."""
    repeats = max(3, int(repeats))
    with tempfile.TemporaryDirectory(prefix="ccsp-b2-") as tmp:
        root = Path(tmp) / "police_uk"
        made = make_files(root)
        codes = made["codes"]
        files = find_street_files(root)
        assert len(files) == 24, files
        out_a, out_b = Path(tmp) / "baseline.parquet", Path(tmp) / "ours.parquet"
        sides = {
            "baseline": lambda: baseline(files, codes, out_a),
            "ours": lambda: ours(root, codes, out_b),
        }
        # One untimed warm-up of each side, which is also the fairness check.
        kept = {name: fn() for name, fn in sides.items()}
        assert kept["baseline"] == kept["ours"] == made["kept_rows"], (kept, made["kept_rows"])
        runs: dict[str, list[float]] = {k: [] for k in ("baseline", "ours")}
        runs |= {f"{k}_cpu": [] for k in ("baseline", "ours")}
        load = os.getloadavg()[0]
        for _ in range(repeats):
            for name, fn in sides.items():
                seconds, cpu, n = _time(fn)
                assert n == made["kept_rows"], (name, n)
                runs[name].append(round(seconds, 4))
                runs[f"{name}_cpu"].append(round(cpu, 4))
    base, our = statistics.median(runs["baseline"]), statistics.median(runs["ours"])
    ratio = base / our
    rows_per_s = made["rows"] / our
    targets = {"ratio": 3, "rows_per_s": 1_000_000}
    return {
        "id": "B2",
        "workload": (
            f"24 monthly force-wide data.police.uk street files (~{ROWS_PER_MONTH:,} rows each, "
            f"7 partnerships; {made['no_location']:,} rows with no location, "
            f"{made['other_force']:,} in other forces' small areas, "
            f"{made['identical_asb_rows']:,} fully identical ASB rows, "
            f"{made['repeated_crime_ids']:,} repeated Crime IDs) filtered to {PARTNERSHIP}'s "
            f"{len(codes)} LSOA codes and written to parquet; baseline pd.concat(pd.read_csv) "
            "then isin filter; neither side drops duplicate rows"
        ),
        "rows": made["rows"],
        "kept_rows": made["kept_rows"],
        "picker": police_uk._linescan is not None,
        "baseline_s": round(base, 4),
        "ours_s": round(our, 4),
        "ratio": round(ratio, 2),
        "rows_per_s": round(rows_per_s),
        "targets": targets,
        "passed": ratio >= targets["ratio"] and rows_per_s >= targets["rows_per_s"],
        "runs": {
            **runs,
            "order": "baseline, ours alternating after one untimed warm-up of each",
            "cpus": os.cpu_count(),
            "load_average_before": round(load, 2),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
