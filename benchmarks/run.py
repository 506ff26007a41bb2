"""Performance benchmarks (``make bench``): B1, B1w, B2, B3, B4 and B5 of BENCHMARKS.md.

Every timing is a median of at least three runs, and every target that compares is a ratio
against a baseline timed in the same process, alternating A B A B, so a busy machine slows
both sides alike. Results go to ``outputs/bench/<id>.json`` (and ``summary.json``); a table is
printed; ``--readme`` writes the table into the README between its ``bench`` markers.

    python benchmarks/run.py                 # everything (about 6 minutes on 2 cores)
    python benchmarks/run.py --only B1w B5   # some of them
    python benchmarks/run.py --repeats 5

B1 runs ``ccsp run 2023-24`` from clean outputs (the dataset cache in data/cache is kept, as
after ``make report``; one fully cold run, cache removed, is reported beside it for information).
Its baseline is the usual way: for each section notebook the ``papermill`` CLI, then the
``jupyter nbconvert --to html --no-input`` CLI, one after another, same notebooks and parameters.
B4 is the peak memory of B1: the largest sum of resident memory over the runner and its kernels,
sampled every 50 ms (B3 reports its own peak, the one-pass process's high-water mark).
B3 (benchmarks/b3_national.py) writes the synthetic national year once to outputs/bench/national
(about a minute and 1.5 GB; reused by later runs) and takes about 2 minutes more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
YEAR = "2023-24"
OUT = ROOT / "outputs" / "bench"
MARK_START, MARK_END = "<!-- bench:start -->", "<!-- bench:end -->"


def _ccsp(*args: str) -> list[str]:
    return [sys.executable, "-m", "ccsp_analysis.cli", *args]


class PeakMemory:
    """Largest total resident memory of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.peak, self._pid, self._every = 0, pid, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        try:
            root = psutil.Process(self._pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
            except psutil.NoSuchProcess:
                return
            self.peak = max(self.peak, total)
            time.sleep(self._every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def timed(cmd: list[str], *, memory: bool = False, cwd: Path = ROOT, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds of one command (which must succeed) and, with ``memory``, its tree's peak RSS in bytes."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    watch = PeakMemory(proc.pid) if memory else None
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    peak = watch.stop() if watch else 0
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{out}\n{err}")
    return seconds, peak


def naive_year(work: Path) -> float:
    """The baseline of B1: papermill CLI then nbconvert CLI for each section notebook, one after another."""
    sys.path.insert(0, str(ROOT / "src"))
    from ccsp_analysis.params import load_params

    params_file = ROOT / "params" / f"{YEAR}.yaml"
    sections = load_params(params_file).sections
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    start = time.perf_counter()
    for name in sections:
        executed = work / f"{name}.ipynb"
        timed([str(BIN / "papermill"), str(ROOT / "notebooks" / f"{name}.ipynb"), str(executed),
               "-p", "params_path", str(params_file), "-k", "python3", "--cwd", str(ROOT / "notebooks")])
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
    return time.perf_counter() - start


def ours_year(outputs: Path, env: dict | None = None) -> tuple[float, int]:
    shutil.rmtree(outputs, ignore_errors=True)
    return timed(_ccsp("run", YEAR, "--outputs", str(outputs)), memory=True, env=env)


def bench_b1(repeats: int, work: Path) -> tuple[dict, dict]:
    """B1 (cold year against the naive loop) and B4 (its peak memory)."""
    outputs = work / "ours"
    ours_year(outputs)  # untimed: the dataset cache is built as after `make report`
    runs: dict[str, list] = {"baseline": [], "ours": [], "ours_peak_rss": []}
    for _ in range(repeats):
        runs["baseline"].append(round(naive_year(work / "naive"), 2))
        seconds, peak = ours_year(outputs)
        runs["ours"].append(round(seconds, 2))
        runs["ours_peak_rss"].append(peak)
    cold, _ = ours_year(work / "cold", env={"CCSP_CACHE_DIR": str(work / "empty-cache")})  # the dataset built too
    base, our = statistics.median(runs["baseline"]), statistics.median(runs["ours"])
    b1 = {"id": "B1", "workload": f"ccsp run {YEAR} from clean outputs (dataset cache kept)",
          "baseline": "papermill CLI then jupyter nbconvert --to html --no-input CLI per notebook, sequentially",
          "baseline_s": base, "ours_s": our, "ratio": round(base / our, 2),
          "fully_cold_s": round(cold, 2), "targets": {"ratio": 4, "ours_s": 15},
          "passed": base / our >= 4 and our <= 15, "runs": runs}
    peak = statistics.median(runs["ours_peak_rss"])
    b4 = {"id": "B4", "workload": "peak resident memory of B1 (runner and kernels together)",
          "peak_gb": round(peak / 1e9, 3), "targets": {"peak_gb": 1.5}, "passed": peak / 1e9 <= 1.5,
          "runs": {"peak_rss_bytes": runs["ours_peak_rss"]}}
    return b1, b4


def bench_b1w(repeats: int, work: Path) -> dict:
    outputs = work / "warm"
    ours_year(outputs)
    runs = []
    for _ in range(repeats):
        seconds, _ = timed(_ccsp("run", YEAR, "--outputs", str(outputs)))
        runs.append(round(seconds, 3))
    run = json.loads((outputs / "coventry" / YEAR / "run.json").read_text())
    reused = set(run["reused"]) == {s["name"] for s in run["sections"]}
    median = statistics.median(runs)
    return {"id": "B1w", "workload": f"ccsp run {YEAR} again with nothing changed", "ours_s": median,
            "every_section_reused": reused, "targets": {"ours_s": 2}, "passed": median <= 2 and reused,
            "runs": {"ours": runs}}


def bench_b5(repeats: int, work: Path) -> dict:
    bad = work / "bad.yaml"
    bad.write_text(f"period: {YEAR}\nfavourite_colour: blue\n")
    runs: dict[str, list] = {"help": [], "bad_params": []}
    for _ in range(max(repeats, 5)):
        runs["help"].append(round(timed([str(BIN / "ccsp"), "--help"])[0], 3))
        proc_start = time.perf_counter()
        proc = subprocess.run([str(BIN / "ccsp"), "run", str(bad)], cwd=ROOT, capture_output=True, text=True)
        runs["bad_params"].append(round(time.perf_counter() - proc_start, 3))
        if proc.returncode != 2 or "favourite_colour" not in proc.stderr:
            raise SystemExit(f"B5: the bad params file was not rejected as expected:\n{proc.stderr}")
    med = {k: statistics.median(v) for k, v in runs.items()}
    return {"id": "B5", "workload": "ccsp --help; ccsp run of a params file with one unknown key",
            "help_s": med["help"], "bad_params_s": med["bad_params"], "targets": {"each_s": 1},
            "passed": max(med.values()) < 1, "runs": runs}


def bench_b2(repeats: int, work: Path) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import b2_ingest

    return b2_ingest.run(repeats)


def bench_b3(repeats: int, work: Path) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import b3_national

    return b3_national.run(repeats)


def _dask_text(d: dict) -> str:
    if d.get("status") != "done":
        return f"Dask part: {d.get('status')} ({d.get('why', '')})"
    pairs = ", ".join(f"{a:.0f}/{b:.0f} s" for a, b in zip(d["runs"]["local_s"], d["runs"]["dask_s"], strict=True))
    return (f"{len(d['areas'])} per-area reports on Dask {d['dask_areas_per_s'] * 60:.1f}/min vs the local pool "
            f"{d['local_areas_per_s'] * 60:.1f}/min = {d['ratio']:.0%} (pool/Dask seconds by pair: {pairs})")


def row(r: dict) -> tuple[str, str, str, str]:
    """(id, measured, target, verdict) for the printed and README tables."""
    i = r["id"]
    if i == "B1":
        got = f"{r['ours_s']:.1f} s vs {r['baseline_s']:.1f} s naive = {r['ratio']:.1f}x (fully cold {r['fully_cold_s']:.1f} s)"
        want = ">= 4x and <= 15 s"
    elif i == "B1w":
        got, want = f"{r['ours_s']:.2f} s, every section reused" if r["every_section_reused"] else f"{r['ours_s']:.2f} s", "<= 2 s"
    elif i == "B2":
        got = f"{r['ours_s']:.3f} s vs {r['baseline_s']:.3f} s = {r['ratio']:.1f}x, {r['rows_per_s'] / 1e6:.2f} M rows/s"
        got += "" if r.get("picker", True) else " (C line picker not built: every line parsed)"
        want = ">= 3x and >= 1 M rows/s"
    elif i == "B3":
        got = (f"{r['ours_s']:.1f} s for {r['partnerships']} partnerships in one pass, peak {r['peak_gb']:.2f} GB; "
               f"per-area loop ~{r['baseline_est_s']:.0f} s (sampled) = {r['ratio']:.1f}x; " + _dask_text(r["dask"]))
        want = "<= 60 s and <= 4 GB; Dask >= 80% of the pool"
    elif i == "B4":
        got, want = f"{r['peak_gb']:.2f} GB", "<= 1.5 GB"
    else:
        got, want = f"--help {r['help_s']:.2f} s, bad params {r['bad_params_s']:.2f} s", "< 1 s each"
    verdict = "pass" if r["passed"] else "FAIL"
    if i == "B3" and r["dask"].get("status") != "done":
        verdict += " (one pass; the Dask part was not run)"
    return i, got, want, verdict


def table(results: list[dict]) -> str:
    lines = ["| id | measured (medians) | target | |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(row(r)) + " |" for r in results]
    return "\n".join(lines)


ORDER = ["B1", "B1w", "B2", "B3", "B4", "B5"]
#: Why a target is not met, said under the table while it is not.
WHY_NOT = {
    "B2": "B2: without the C line picker (sources/_linescan.c, built only where a C compiler is) every line "
          "of the force-wide files is parsed; with it, a busy machine can pull a run below 3x: run "
          "`python benchmarks/run.py --only B2 --readme` again on a quiet one",
}


def update_readme(results: list[dict], when: str) -> None:
    """Write the table into the README; rows of benchmarks not run this time are kept as they were."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if MARK_START not in text or MARK_END not in text:
        print(f"note: README.md has no {MARK_START} ... {MARK_END} block; not updated")
        return
    head, rest = text.split(MARK_START, 1)
    old, tail = rest.split(MARK_END, 1)
    rows = {line.split("|")[1].strip(): line for line in old.splitlines() if line.startswith("| B")}
    rows |= {r["id"]: "| " + " | ".join(row(r)) + " |" for r in results}
    lines = ["| id | measured (medians) | target | |", "|---|---|---|---|"]
    lines += [rows[i] for i in sorted(rows, key=lambda i: ORDER.index(i) if i in ORDER else len(ORDER))]
    ran = ", ".join(r["id"] for r in results)
    failed = [i for i, line in rows.items() if "| FAIL" in line]
    note = f"Not met: {', '.join(failed)}." if failed else "Every target is met."
    note += "".join(f" {WHY_NOT[i]}." for i in failed if i in WHY_NOT)
    if "B3" in rows and "Dask part was not run" in rows["B3"]:
        note += " B3's Dask part (10 per-area reports through the Dask executor) needs dask.distributed and the demo data."
    block = (f"{MARK_START}\nLatest `make bench` ({when}, {os.cpu_count()} cores; this update ran {ran}, the other rows are "
             f"from earlier runs):\n\n" + "\n".join(lines) + f"\n\n{note}\n{MARK_END}")
    readme.write_text(head + block + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=["B1", "B1w", "B2", "B3", "B4", "B5"], default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["B1", "B1w", "B2", "B3", "B4", "B5"])
    repeats = max(3, args.repeats)
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="ccsp-bench-") as tmp:
        work = Path(tmp)
        if wanted & {"B5"}:
            print("B5: --help and a bad params file ...", flush=True)
            results.append(bench_b5(repeats, work))
        if wanted & {"B1", "B4"}:
            print(f"B1/B4: ccsp run {YEAR} against the naive papermill + nbconvert loop, {repeats} of each "
                  "(a few minutes) ...", flush=True)
            b1, b4 = bench_b1(repeats, work)
            results += [r for r in (b1, b4) if r["id"] in wanted]
        if "B1w" in wanted:
            print("B1w: the same run again with nothing changed ...", flush=True)
            results.append(bench_b1w(repeats, work))
        if "B2" in wanted:
            print("B2: 24 force-wide police.uk files, our reader against pd.concat(read_csv) ...", flush=True)
            results.append(bench_b2(repeats, work))
        if "B3" in wanted:
            print("B3: a synthetic national year, every partnership in one pass against the per-area loop "
                  "(a few minutes; the year is written once) ...", flush=True)
            results.append(bench_b3(repeats, work))
    results.sort(key=lambda r: ORDER.index(r["id"]))
    when = time.strftime("%Y-%m-%d")
    load = os.getloadavg()
    for r in results:
        r["measured"] = when
        r["load_average_after"] = [round(x, 2) for x in load]
        (OUT / f"{r['id']}.json").write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    (OUT / "summary.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nJSON in {OUT}")
    if args.readme:
        update_readme(results, when)
    return 0 if all(r["passed"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
