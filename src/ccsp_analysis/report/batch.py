"""``ccsp run 2023-24 --areas west-midlands``: every partnership's report, on a process pool or Dask, and a force index.

The work of one partnership is :func:`run_area`, a top-level function of plain arguments (the
year's parameter file, the area's slug, the outputs folder, options) that returns a small summary
dict: the same function runs in a local process pool (``executor="local"``) or on a
dask.distributed cluster (``executor="dask"``: a ``LocalCluster``, or an existing scheduler). Before
the partnerships start, the parent parses each force's street files once for all of them
(:func:`ccsp_analysis.dataset.shared_street`). As each partnership finishes its line is printed;
at the end each force gets ``outputs/<force>/<period>/index.html`` (:func:`write_force_index`),
one row per partnership (:func:`ccsp_analysis.force_index.force_table`), linking each report.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ccsp_analysis.errors import CcspError, ParamsError, RunError
from ccsp_analysis.params import load_params, project_root, resolve_params_path

log = logging.getLogger(__name__)
EXECUTORS = ("local", "dask")
#: Notebooks each partnership executes at once (its kernel pool), whichever executor runs it.
KERNELS_PER_AREA = 2
FORCE_INDEX = "index.html"
FORCE_TABLE = "force_index.csv"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class BatchResult:
    """Every partnership's summary (as :func:`run_area` returns it) and the force index pages written."""

    areas: list[dict] = field(default_factory=list)
    indexes: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    street_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(a["status"] == "ok" for a in self.areas)

    @property
    def failures(self) -> list[str]:
        return [f"{a['slug']}: {a['error']}" for a in self.areas if a["status"] != "ok"]


def area_forces(spec: str | Path) -> dict[str, str]:
    """Every area file of the project of ``spec`` (``params/areas/<slug>.yaml``): slug -> its force."""
    folder = resolve_params_path(spec).parent / "areas"
    out = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ParamsError(f"{path}: cannot be read as YAML ({exc})") from None
        out[path.stem] = str(data.get("force", "")) if isinstance(data, dict) else ""
    return out


def resolve_areas(spec: str | Path, areas: str) -> dict[str, str]:
    """The partnerships ``--areas`` names: a force (every area file whose ``force`` is it), a comma-separated
    list of area slugs, or ``all``. Returns slug -> force, in slug order; ParamsError naming the known ones."""
    known = area_forces(spec)
    wanted = areas.strip()
    if wanted == "all":
        chosen = list(known)
    elif wanted in set(known.values()) and wanted not in known:
        chosen = [s for s, f in known.items() if f == wanted]
    else:
        chosen = [s.strip() for s in wanted.split(",") if s.strip()]
        unknown = [s for s in chosen if s not in known]
        if unknown or not chosen:
            forces = sorted({f for f in known.values() if f})
            raise ParamsError(f"--areas {areas!r}: {', '.join(unknown) or 'nothing'} is not a force or an area; "
                              f"forces: {', '.join(forces) or 'none'}; areas: {', '.join(known) or 'none'} "
                              "(params/areas/<slug>.yaml; `ccsp area add` writes one)")
    if not chosen:
        raise ParamsError(f"--areas {areas!r}: no area file in params/areas")
    return {s: known[s] for s in sorted(dict.fromkeys(chosen))}


def one_line(text: str, limit: int = 400) -> str:
    """An error as one readable line: its lines joined with '; ', cut at ``limit`` characters."""
    line = "; ".join(p.strip() for p in str(text).splitlines() if p.strip())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _stored_summary(folder: Path, params) -> dict:
    """The force index figures of a report folder, from the results its run stored (nothing recomputed)."""
    import pickle

    from ccsp_analysis.force_index import CHANGES, POLICE_VS_PARTNER, RATES, area_summary
    from ccsp_analysis.report.run import CONTEXT_FILE
    from ccsp_analysis.sections import store

    results = {}
    for name in dict.fromkeys((CHANGES[0], RATES[0], POLICE_VS_PARTNER[0])):
        if (folder / store.RESULTS_DIR / f"{name}.pkl").is_file():
            results[name] = store.load_result(folder, name)
    context = None
    path = folder / store.RESULTS_DIR / CONTEXT_FILE
    if path.is_file():
        with open(path, "rb") as fh:
            context = pickle.load(fh)  # noqa: S301 -- written by this package's runner
    return area_summary(results, getattr(context, "exceptions", None), la_code=params.area.la_code,
                        partner_crimes=params.sources.partner_crimes is not None)


def run_area(year: str, slug: str, outputs: str, options: dict) -> dict:
    """Build one partnership's report: the task every executor runs (top level, plain arguments, picklable).

    Parameters
    ----------
    year
        The year's parameter file (an absolute path, so any worker on a shared filesystem finds it).
    slug
        The area (``params/areas/<slug>.yaml``); it replaces the year file's ``area``.
    outputs
        The outputs folder; the report goes to ``<outputs>/<slug>/<period>/``.
    options
        ``audience``, ``force``, ``allow_partial``, ``kernels`` (notebooks at once) and ``street``
        (slug -> folder of a shared read of the force's street files).

    Returns
    -------
    dict
        ``slug, name, force, period, status`` (``ok``, ``failed sections`` or ``failed``), ``error`` (one
        line, or None), ``seconds``, ``report`` (the report's index, or None), ``synthetic``, ``mode``
        and ``figures`` (:func:`ccsp_analysis.force_index.area_summary`, or None). Never raises for a
        failure of the partnership's own inputs or sections: it is in ``status`` and ``error``.
    """
    start = time.perf_counter()
    out = {"slug": slug, "name": slug, "force": None, "period": None, "comparison": None, "status": "failed", "error": None,
           "seconds": 0.0, "report": None, "synthetic": False, "mode": None, "figures": None}
    try:
        from ccsp_analysis.params import is_synthetic
        from ccsp_analysis.report.run import run_year

        params = load_params(year, area=slug)
        out.update(name=params.area.name, force=params.area.force, period=params.period, mode=params.mode,
                   comparison=params.comparison,
                   synthetic=bool(params.synthetic or is_synthetic(params)))
        street = (options.get("street") or {}).get(slug)
        result = run_year(params, outputs=Path(outputs), jobs=int(options.get("kernels", KERNELS_PER_AREA)),
                          audience=options.get("audience", "public"), force=bool(options.get("force")),
                          allow_partial=bool(options.get("allow_partial")), street=Path(street) if street else None)
        out["report"] = str(result.output_dir / "index.html")
        out["figures"] = _stored_summary(result.output_dir, params)
        if result.ok:
            out["status"] = "ok"
        else:
            out["status"], out["error"] = "failed sections", one_line("; ".join(result.failures))
    except CcspError as exc:
        out["error"] = one_line(str(exc))
    except Exception as exc:  # noqa: BLE001 -- one partnership's failure must not stop the others
        log.exception("%s failed", slug)
        out["error"] = one_line(f"{type(exc).__name__}: {exc}")
    out["seconds"] = round(time.perf_counter() - start, 2)
    return out


# -- executors ---------------------------------------------------------------------------------------
def _local(tasks: list[tuple], jobs: int) -> Iterator[tuple[str, dict | BaseException]]:
    """Run the tasks in a process pool of ``jobs`` processes (spawned: no state copied from the parent)."""
    import concurrent.futures as cf
    import multiprocessing

    pool = cf.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {pool.submit(run_area, *task): task[1] for task in tasks}
        for fut in cf.as_completed(futures):
            try:
                yield futures[fut], fut.result()
            except Exception as exc:  # noqa: BLE001 -- a worker process died
                yield futures[fut], exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


DASK_MISSING = ("--executor dask needs dask.distributed, which is not installed: "
                "pip install 'ccsp-analysis[dask]' (or pip install dask distributed), or use --executor local")


def _dask(tasks: list[tuple], jobs: int, scheduler: str | None) -> Iterator[tuple[str, dict | BaseException]]:
    """Run the tasks on dask.distributed: an existing scheduler, or a LocalCluster of ``jobs`` worker processes."""
    if not dask_available():
        raise RunError(DASK_MISSING)
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            # how long to try: dask's own setting (30 s unless DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT says)
            try:
                client = Client(scheduler)
            except (OSError, TimeoutError) as exc:
                raise RunError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start one with "
                               "`dask scheduler` and workers with `dask worker <address>`") from None
        else:
            # one thread per worker process (each partnership also runs its own kernels); no memory limit:
            # the notebooks' kernels are separate processes the worker's limit would not see anyway
            # silence_logs: the workers' own shutdown chatter (a task's failure comes back in its summary)
            cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                   memory_limit=0, dashboard_address=None, silence_logs=logging.CRITICAL)
            client = Client(cluster)
        with client:
            futures = [client.submit(run_area, *task, key=f"ccsp-run-{task[1]}-{os.getpid()}-{time.time_ns()}",
                                     pure=False) for task in tasks]
            slugs = {f.key: task[1] for f, task in zip(futures, tasks, strict=True)}
            for fut in as_completed(futures):
                try:
                    yield slugs[fut.key], fut.result()
                except Exception as exc:  # noqa: BLE001 -- a worker died (KilledWorker) or was lost
                    yield slugs[fut.key], exc
    finally:
        if cluster is not None:
            cluster.close()


# -- the batch ---------------------------------------------------------------------------------------
def run_batch(spec: str | Path, areas: dict[str, str], *, outputs: Path | None = None, executor: str = "local",
              jobs: int = 2, scheduler: str | None = None, audience: str = "public", force: bool = False,
              allow_partial: bool = False, share_street: bool = True,
              progress: Callable[[str], None] | None = None) -> BatchResult:
    """Build the report of every partnership of ``areas`` (slug -> force, :func:`resolve_areas`) and each force's index.

    ``jobs`` partnerships are built at once (processes of the local pool, or LocalCluster workers);
    each executes its notebooks :data:`KERNELS_PER_AREA` at a time. ``scheduler`` (``tcp://host:port``)
    uses an existing Dask cluster, whose workers must see the project and outputs folders at the same
    paths. ``share_street=False`` lets every partnership parse the street files on its own (for
    measuring). A partnership that fails is in the result with its error; the others still build.
    """
    from ccsp_analysis import dataset

    def say(message: str) -> None:
        log.info(message)
        if progress:
            progress(message)

    if executor not in EXECUTORS:
        raise RunError(f"--executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if executor == "dask" and not dask_available():
        raise RunError(DASK_MISSING)
    if scheduler and executor != "dask":
        raise RunError("--scheduler is for --executor dask")
    clash = sorted(set(areas) & set(areas.values()))
    if clash:
        raise RunError(f"force and area share the name {clash[0]!r}: the force index would take the place of its "
                       "report; rename the area file (params/areas/<slug>.yaml)")
    start = time.perf_counter()
    year = resolve_params_path(spec)
    result = BatchResult()
    loaded, failed = [], []
    for slug in areas:
        try:
            loaded.append(load_params(year, area=slug))
        except CcspError:
            failed.append(slug)  # the task reports the error, on the same footing as any other
    root = project_root(loaded[0]) if loaded else year.parent.parent
    outputs = Path(outputs or root / "outputs").resolve()
    street: dict[str, Path] = {}
    if share_street and len(loaded) > 1:
        t = time.perf_counter()
        street = dataset.shared_street(loaded)
        result.street_seconds = round(time.perf_counter() - t, 2)
        if street:
            say(f"read the police.uk street files once for {len(street)} partnerships in {result.street_seconds:.1f} s")
    options = {"audience": audience, "force": force, "allow_partial": allow_partial, "kernels": KERNELS_PER_AREA,
               "street": {s: str(p) for s, p in street.items()}}
    tasks = [(str(year), slug, str(outputs), options) for slug in areas]
    total = len(tasks)
    say(f"building {total} partnership reports, {jobs} at a time ({executor} executor"
        + (f", scheduler {scheduler}" if scheduler else "") + ")")
    runner = _local(tasks, jobs) if executor == "local" else _dask(tasks, jobs, scheduler)
    for i, (slug, summary) in enumerate(runner, start=1):
        if isinstance(summary, BaseException):
            summary = {"slug": slug, "name": slug, "force": areas[slug], "status": "failed", "report": None,
                       "error": one_line(f"the worker building it stopped: {type(summary).__name__}: {summary}"),
                       "seconds": 0.0, "figures": None, "synthetic": False, "mode": None, "period": None}
        summary["force"] = summary.get("force") or areas[slug]
        result.areas.append(summary)
        if summary["status"] == "ok":
            say(f"[{i}/{total}] {slug}: done in {summary['seconds']:.1f} s")
        else:
            say(f"[{i}/{total}] {slug}: {summary['status']} in {summary['seconds']:.1f} s ({summary['error']})")
    result.areas.sort(key=lambda a: a["slug"])
    period = next((a["period"] for a in result.areas if a.get("period")), None) or _period_of(year)
    for force_name in sorted({a["force"] for a in result.areas if a["force"]}):
        members = [a for a in result.areas if a["force"] == force_name]
        result.indexes.append(write_force_index(force_name, period, members, outputs))
    result.seconds = round(time.perf_counter() - start, 2)
    return result


def _period_of(year: Path) -> str:
    data = yaml.safe_load(year.read_text(encoding="utf-8")) or {}
    return str(data.get("period", year.stem))


def force_title(force: str) -> str:
    """A force's display name from its slug: ``west-midlands`` -> ``West Midlands``."""
    return " ".join(w.capitalize() for w in force.split("-"))


def write_force_index(force: str, period: str, areas: list[dict], outputs: Path) -> Path:
    """``<outputs>/<force>/<period>/index.html`` (and ``force_index.csv``): one row per partnership, linking its report.

    Every figure comes from :func:`ccsp_analysis.force_index.force_table` over the partnerships'
    summaries; the page is self-contained (inline style, no scripts, nothing loaded from elsewhere).
    """
    from ccsp_analysis.force_index import force_table
    from ccsp_analysis.periods import FinancialYear
    from ccsp_analysis.report import html

    folder = outputs / force / period
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for a in areas:
        href = None
        if a.get("report") and Path(a["report"]).is_file():
            href = Path(os.path.relpath(a["report"], folder)).as_posix()
        rows.append({**a, "href": href})
    table = force_table(rows)
    fy = FinancialYear.parse(period)
    comparison = next((a["comparison"] for a in areas if a.get("comparison")), None)
    performance = any(a.get("mode") == "performance" for a in areas)
    page = html.render_page(
        "force_index.html.j2", title=f"{force_title(force)}: "
        + ("performance reports" if performance else "Strategic Assessments") + f" {fy.text}, every partnership",
        force=force_title(force), period_text=fy.text, comparison_text=FinancialYear.parse(comparison).text if comparison else fy.previous().text,
        synthetic=any(a.get("synthetic") for a in areas), rows=list(table.itertuples(index=False)),
        failures=[r for r in table.itertuples(index=False) if r.status != "ok"],
        sources=sorted({r.source for r in table.itertuples(index=False) if r.source}))
    tmp = folder / f".{FORCE_INDEX}.{os.getpid()}"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, folder / FORCE_INDEX)
    import pandas as pd

    from ccsp_analysis.report.exports import safe_for_spreadsheets

    numbers = table.drop(columns=[c for c in table.columns if c.endswith("_text")])
    for column in ("trc", "previous", "asb", "largest_count", "exceptions"):  # whole numbers, blank when missing
        numbers[column] = pd.array(numbers[column].tolist(), dtype="Int64")
    for column in ("rate", "rate_low", "rate_high", "pct_change"):
        numbers[column] = pd.to_numeric(numbers[column]).astype(float)
    safe_for_spreadsheets(numbers).to_csv(tmp, index=False)
    os.replace(tmp, folder / FORCE_TABLE)
    return folder / FORCE_INDEX
