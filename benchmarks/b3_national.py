"""B3 national: headline measures for every partnership in one pass over a synthetic national year.

Workload (BENCHMARKS.md, B3): the synthetic national year of ``benchmarks/national.py`` (43 forces,
about 6.5 million street rows in 516 monthly files, 301 partnerships of 319 districts), written
once to ``outputs/bench/national`` (not timed; its generation time is reported).

* ours: one process (``python benchmarks/b3_national.py --one-pass``) reads the ONS lookup and
  population, then :func:`ccsp_analysis.national.read_national` (each force's files read once by the
  project's reader, every partnership counted) and :func:`~ccsp_analysis.national.headline_measures`
  for all 301 partnerships. Its time is measured inside the process (from reading the lookup to the
  headline table), and its peak resident memory is the process's own high-water mark
  (``resource.getrusage``, ``ru_maxrss``), so nothing is missed between samples.
* baseline: the per-area loop, each partnership on its own as a run does: the reader over its force's
  files for its small areas, then the same counting and headline code. Run for all 301 it would read
  every force's files once per partnership of the force (the Metropolitan force's 32 times), so it
  is timed on a sample (every 20th partnership: 16 of them, big and small forces) and extrapolated
  in proportion to the rows each partnership's read parses (the rows of its force's files): the
  estimate is sum(sample seconds) / sum(sample rows) * sum(rows over all partnerships). The sample's
  headline rows must equal the one-pass rows (checked).

Timing alternates baseline and ours (A B A B), medians of the repeats.

The Dask part (:func:`dask_sample`): per-area reports for 10 partnerships (the demo force's seven and
copies of three of them under other slugs, in a temporary copy of the project) built by the batch
runner on its Dask executor (a LocalCluster of 2 workers) and on its local process pool (2
processes), alternating, every report rebuilt each time with the datasets cached; the throughput
ratio (Dask over the pool) must be at least 0.8.

Run alone: ``python benchmarks/b3_national.py [repeats]`` prints the JSON result;
``python benchmarks/b3_national.py --dask [repeats]`` runs the Dask part alone.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import national as synthetic  # noqa: E402  (the generator beside this file)

from ccsp_analysis import national  # noqa: E402
from ccsp_analysis.sources import ons, police_uk  # noqa: E402

FY, PREVIOUS_FY = "2023-24", "2022-23"
SAMPLE_EVERY = 20
TARGETS = {"ours_s": 60, "peak_gb": 4}


def _inputs(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[national.Partnership]]:
    lookup = ons.read_lsoa_ward_lookup(folder / "lookup.csv")
    population = ons.read_census_ts001(folder / "population.csv")
    partnerships = national.partnerships_from_table(pd.read_csv(folder / "partnerships.csv", dtype=str))
    return lookup, population, partnerships


def one_pass(folder: Path) -> tuple[pd.DataFrame, national.NationalCounts]:
    """Every partnership's headline measures, reading each force's files once."""
    lookup, population, partnerships = _inputs(folder)
    counts = national.read_national(folder / "police", lookup, partnerships, national.months_of(PREVIOUS_FY, FY))
    return national.headline_measures(counts, partnerships, FY, PREVIOUS_FY, population, lookup), counts


def per_area(folder: Path, partnership: national.Partnership, lookup: pd.DataFrame,
             population: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The baseline for one partnership: its own read of its force's files, then the same measures."""
    mine = lookup[lookup["lad_code"].isin(partnership.lad_codes)]
    street, drops = police_uk.read_street_with_log(folder / "police", lsoa_codes=mine["lsoa_code"],
                                                   months=national.months_of(PREVIOUS_FY, FY),
                                                   forces=[partnership.force])
    lsoa_district = mine.drop_duplicates("lsoa_code").set_index("lsoa_code")["lad_code"]
    counts = national.count_street_rows(street, lsoa_district, pd.Series(partnership.name, index=list(partnership.lad_codes)))
    files = pd.concat([street["source_file"], drops["source_file"]]).unique()
    result = national.NationalCounts(counts, {partnership.force: frozenset(f[:7] for f in files)},
                                     drops, {partnership.force: len(street) + int(drops["rows"].sum())})
    table = national.headline_measures(result, [partnership], FY, PREVIOUS_FY, population, lookup)
    return table, result.rows_read[partnership.force]


def _child() -> None:
    """The one-pass side, in its own process: print its time, peak memory and a summary as JSON."""
    folder = Path(sys.argv[2])
    start, cpu = time.perf_counter(), time.process_time()
    table, counts = one_pass(folder)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    table.to_parquet(folder.parent / "b3-one-pass.parquet", index=False)
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "partnerships": len(table), "rows_read": sum(counts.rows_read.values()),
                      "rows_read_by_force": counts.rows_read}))


def run_one_pass(folder: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--one-pass", str(folder)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    if proc.returncode != 0:
        raise SystemExit(f"B3 one pass failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_baseline_sample(folder: Path, sample: list[national.Partnership], lookup: pd.DataFrame,
                        population: pd.DataFrame) -> tuple[float, int, pd.DataFrame]:
    """Seconds and rows parsed of the per-area loop over ``sample``, and its headline rows."""
    seconds, rows, tables = 0.0, 0, []
    for p in sample:
        start = time.perf_counter()
        table, read = per_area(folder, p, lookup, population)
        seconds += time.perf_counter() - start
        rows += read
        tables.append(table)
    return seconds, rows, pd.concat(tables, ignore_index=True)


#: The Dask part: 10 partnerships, the demo force's seven and three more area files (copies of three of them
#: under other slugs, in a temporary copy of the project), ``DASK_JOBS`` at a time on each executor.
DASK_AREAS = 10
DASK_JOBS = 2
DASK_EXTRA = ("dudley", "solihull", "walsall")
DASK_TARGET = 0.8


def _dask_project(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the project (params, notebooks, reference, docs; data linked) with three more area files."""
    import shutil

    root = synthetic.ROOT
    proj = tmp / "proj"
    for name in ("params", "notebooks", "reference", "docs"):
        shutil.copytree(root / name, proj / name)
    (proj / "data").symlink_to(root / "data")
    areas = proj / "params" / "areas"
    for slug in DASK_EXTRA:
        text = (areas / f"{slug}.yaml").read_text(encoding="utf-8")
        (areas / f"{slug}-copy.yaml").write_text(text.replace(f"slug: {slug}", f"slug: {slug}-copy"), encoding="utf-8")
    from ccsp_analysis.report.batch import resolve_areas

    chosen = resolve_areas(proj / "params" / f"{FY}.yaml", "west-midlands")
    if len(chosen) != DASK_AREAS:
        raise SystemExit(f"B3 Dask part: expected {DASK_AREAS} partnerships in the project copy, found {len(chosen)}")
    return proj, chosen


def dask_sample(repeats: int = 3) -> dict:
    """Per-area reports for 10 partnerships through the batch runner's Dask executor (a LocalCluster of
    ``DASK_JOBS`` workers) against its local process pool (``DASK_JOBS`` processes), alternating, medians.

    Each run rebuilds every report (``force=True``: every section computed and executed again; the
    datasets stay cached, as after a first run) into its own outputs folder; throughput is partnerships
    per second of the whole batch (cluster start and the force index included). Needs the demo data
    (``ccsp data demo``) and dask.distributed; says why when either is missing.
    """
    import tempfile

    from ccsp_analysis.report.batch import dask_available, run_batch

    target = f"Dask LocalCluster throughput >= {DASK_TARGET:.0%} of the local process pool, {DASK_AREAS} per-area reports"
    if not dask_available():
        return {"status": "not run", "why": "dask.distributed is not installed (pip install 'ccsp-analysis[dask]')",
                "target": target}
    if not (synthetic.ROOT / "data" / "demo" / "DEMO.json").is_file():
        return {"status": "not run", "why": "no demo data (ccsp data demo)", "target": target}
    runs: dict[str, list] = {"local_s": [], "dask_s": []}
    with tempfile.TemporaryDirectory(prefix="ccsp-b3-dask-") as tmp:
        proj, areas = _dask_project(Path(tmp))
        year = proj / "params" / f"{FY}.yaml"
        run_batch(year, areas, outputs=Path(tmp) / "warm", jobs=DASK_JOBS)  # untimed: every dataset cached
        for _ in range(max(1, repeats)):
            for executor in ("local", "dask"):
                start = time.perf_counter()
                result = run_batch(year, areas, outputs=Path(tmp) / executor, executor=executor, jobs=DASK_JOBS,
                                   force=True)
                seconds = time.perf_counter() - start
                if not result.ok:
                    raise SystemExit(f"B3 Dask part: the {executor} batch failed: {'; '.join(result.failures)}")
                runs[f"{executor}_s"].append(round(seconds, 1))
    local, dask = statistics.median(runs["local_s"]), statistics.median(runs["dask_s"])
    ratio = local / dask  # (areas / dask) / (areas / local)
    return {"status": "done", "areas": list(areas), "jobs": DASK_JOBS,
            "extra_areas": [f"{s}-copy" for s in DASK_EXTRA],
            "local_areas_per_s": round(DASK_AREAS / local, 4), "dask_areas_per_s": round(DASK_AREAS / dask, 4),
            "ratio": round(ratio, 3), "passed": ratio >= DASK_TARGET, "target": target,
            "runs": {**runs, "order": "local, dask alternating", "load_average_before": round(os.getloadavg()[0], 2)}}


def run(repeats: int = 3) -> dict:
    repeats = max(3, int(repeats))
    manifest = synthetic.make_national(synthetic.CACHE)
    folder = synthetic.CACHE
    lookup, population, partnerships = _inputs(folder)
    sample = partnerships[::SAMPLE_EVERY]
    runs: dict[str, list] = {"ours": [], "ours_cpu": [], "ours_peak_rss": [], "baseline_sample_s": [], "baseline_est": []}
    load = os.getloadavg()[0]
    for _ in range(repeats):
        seconds, rows, sample_table = run_baseline_sample(folder, sample, lookup, population)
        ours = run_one_pass(folder)
        rows_by_force = ours["rows_read_by_force"]
        all_rows = sum(rows_by_force[p.force] for p in partnerships)
        runs["baseline_sample_s"].append(round(seconds, 2))
        runs["baseline_est"].append(round(seconds / rows * all_rows, 1))
        runs["ours"].append(round(ours["seconds"], 2))
        runs["ours_cpu"].append(round(ours["cpu_s"], 2))
        runs["ours_peak_rss"].append(ours["peak_rss"])
    one = pd.read_parquet(folder.parent / "b3-one-pass.parquet")
    mine = one.set_index("partnership").loc[sample_table["partnership"]].reset_index()
    pd.testing.assert_frame_equal(mine, sample_table, check_dtype=False)  # the same numbers either way
    our, base = statistics.median(runs["ours"]), statistics.median(runs["baseline_est"])
    dask = dask_sample(repeats)
    dask_passed = dask.get("passed", True)  # not run (no Dask or demo): the row says so
    peak = statistics.median(runs["ours_peak_rss"]) / 1e9
    return {
        "id": "B3",
        "workload": (f"synthetic national year {FY}: {manifest['forces']} forces, {manifest['rows']:,} street rows in "
                     f"{manifest['files']} monthly files ({manifest['no_location']:,} with no location, "
                     f"{manifest['other_force']:,} in a neighbouring force's small areas, {manifest['identical_asb_rows']:,} "
                     f"identical ASB rows, {manifest['repeated_crime_ids']:,} repeated Crime IDs), "
                     f"{manifest['partnerships']} partnerships of {manifest['districts']} districts; headline measures "
                     "(crimes, ASB, change, rate per 1,000, largest category, every street grouping) for all"),
        "baseline": (f"per-area loop (reader + same measures per partnership), timed on {len(sample)} partnerships "
                     "(every 20th) and extrapolated by rows parsed"),
        "generated_s": manifest["generated_s"], "partnerships": manifest["partnerships"],
        "ours_s": our, "peak_gb": round(peak, 3), "baseline_est_s": base, "ratio": round(base / our, 1),
        "sample": [p.name for p in sample],
        "dask": dask,
        "targets": TARGETS,
        "passed": our <= TARGETS["ours_s"] and peak <= TARGETS["peak_gb"] and dask_passed,
        "runs": {**runs, "order": "baseline sample, ours alternating", "cpus": os.cpu_count(),
                 "load_average_before": round(load, 2)},
    }


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one-pass":
        _child()
    elif len(sys.argv) > 1 and sys.argv[1] == "--dask":
        print(json.dumps(dask_sample(int(sys.argv[2]) if len(sys.argv) > 2 else 3), indent=2))
    else:
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3), indent=2))
