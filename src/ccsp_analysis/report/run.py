"""``run_year``: validate once, compute every section once, execute the notebooks that changed, write outputs atomically.

A run, from clean outputs:

1. the parameters are validated and written to the staging folder as ``params.json``;
2. kernels start (importing the plotting stack) while the dataset is loaded and every section
   is computed once; each result is stored as ``results/<section>.pkl`` and its notebook is queued
   as soon as it is stored;
3. ``tables/`` (and ``figures.csv``), the appendix and the index come from the same results;
   each executed notebook is rendered in-process with the project's template;
4. the staging folder replaces the previous report in one rename.

Run again with nothing changed and every section is reused: a section's executed notebook is
reused while its notebook file, the parameters, its result and the package are unchanged; its
page while, in addition, the page's surroundings (navigation, run parameters, footer, audience)
are. ``run.json`` records each section's keys and whether it was reused.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from ccsp_analysis.errors import RunError
from ccsp_analysis.hashing import content_key, package_hash
from ccsp_analysis.params import Params, is_synthetic, load_params, project_root
from ccsp_analysis.report.pages import link_or_copy

log = logging.getLogger(__name__)
PACKAGES = ("ccsp-analysis", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient",
            "pyarrow", "pydantic")
CONTEXT_FILE = "_run.pkl"


@dataclass
class SectionOutcome:
    """How one section went: status is ok, failed, or failed (previous page kept)."""

    name: str
    title: str
    file: str
    status: str = "ok"
    seconds: float = 0.0
    error: str | None = None
    cell: int | None = None
    reused: bool = False
    page_reused: bool = False
    result_hash: str | None = None
    execution_key: str | None = None
    page_key: str | None = None
    headings: list = field(default_factory=list)


@dataclass
class RunResult:
    """Where a run wrote its outputs and how each section went."""

    output_dir: Path
    sections: list[SectionOutcome] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(s.status == "ok" for s in self.sections)

    @property
    def failures(self) -> list[str]:
        return [f"{s.name}: cell {s.cell}: {s.error}" for s in self.sections if s.status != "ok"]

    @property
    def reused(self) -> list[str]:
        return [s.name for s in self.sections if s.reused]


@dataclass
class RunContext:
    """What the index and every page need besides the sections' results (computed once, stored with them)."""

    dataset_key: str
    inputs: dict[str, str]
    data_to: str
    exceptions: object  # exception_report.ExceptionReport
    errors: dict[str, str] = field(default_factory=dict)
    missing: str | None = None  # months the data miss (a run with --allow-partial)


class Phases:
    """Wall-clock seconds of each phase of a run (reported in run.json and by ``ccsp run -v``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(self.seconds.get(name, 0.0) + now - self._t, 3)
        self._t = now


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict[str, str]:
    out = {}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def _previous(target: Path, force: bool) -> dict:
    """The previous run's run.json (empty when there is none, it is unreadable, or ``force``)."""
    if force:
        return {}
    try:
        return json.loads((target / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` so readers never see a half-written folder."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


#: The folder suffix of the reviewer edition, beside the public one (``outputs/<area>/<period>-reviewer/``).
REVIEWER_SUFFIX = "-reviewer"


def edition_folder(period: str, audience: str) -> str:
    """The report folder's name: the period for the public edition, ``<period>-reviewer`` for the reviewer's."""
    return period + (REVIEWER_SUFFIX if audience == "reviewer" else "")


def run_year(spec: str | Path | Params, *, outputs: Path | None = None, jobs: int = 2, audience: str = "public",
             force: bool = False, allow_partial: bool = False,
             progress: Callable[[str], None] | None = None, street: Path | None = None) -> RunResult:
    """Build the report for one parameter file (``2023-24``, a path, or validated Params) into ``outputs/<area>/<period>/``
    (the reviewer edition into ``outputs/<area>/<period>-reviewer/``).

    Parameters are validated before anything else is imported or started (ParamsError). A
    section whose computation or notebook fails is reported with its cell and error; the other
    sections still render and a previous good page of the failed section is kept. Outputs are
    written to a staging folder and swapped in at the end, so an interrupted run never leaves a
    half-written report. ``force`` reruns every section even when nothing changed.

    Before any section runs, every monthly source must cover the assessment and comparison
    periods month by month (:mod:`ccsp_analysis.coverage`): otherwise the run stops with a
    RunError naming each source's missing months and the previous report stays. With
    ``allow_partial`` the report is built, says on every page which months are missing, and
    calls no change a rise or fall.

    ``street``: a shared read of the force's street files made for a batch of partnerships
    (:func:`ccsp_analysis.dataset.shared_street`), used if the dataset has to be built.
    """
    def say(message: str) -> None:
        log.info(message)
        if progress:
            progress(message)

    params = spec if isinstance(spec, Params) else load_params(spec)
    if not params.synthetic and is_synthetic(params):  # the banner follows the data, whoever built the params
        params = params.model_copy(update={"synthetic": True})
    if audience not in ("public", "reviewer"):
        raise RunError(f"audience must be 'public' or 'reviewer', not '{audience}'")
    root = project_root(params)
    # the reviewer edition (code on request) has its own folder, so it cannot be published by mistake
    target = (outputs or root / "outputs") / params.area.slug / edition_folder(params.period, audience)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = _lock(target)
    except OSError as exc:
        raise RunError(f"cannot write the report under {target.parent}: {exc.strerror or exc}; "
                       "choose another folder with --outputs or free some space") from None
    try:
        _remove_debris(target)
        (staging / "notebooks").mkdir(parents=True)
        handler = logging.FileHandler(staging / "run.log", encoding="utf-8")
    except OSError as exc:
        _unlock(lock)
        shutil.rmtree(staging, ignore_errors=True)
        raise RunError(f"cannot write the report under {target.parent}: {exc.strerror or exc}; "
                       "choose another folder with --outputs or free some space") from None
    handler.setFormatter(_RelativeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                            {str(staging): target.name, str(target): target.name,
                                             f"{root}{os.sep}": "", str(target.parent) + os.sep: ""}))
    pkg_log = logging.getLogger("ccsp_analysis")
    pkg_log.addHandler(handler)
    if pkg_log.level == logging.NOTSET or pkg_log.level > logging.INFO:
        pkg_log.setLevel(logging.INFO)
    try:
        return _Run(params, root, target, staging, jobs, audience, force, allow_partial, say, street).run()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        pkg_log.removeHandler(handler)
        handler.close()
        _unlock(lock)


class _RelativeFormatter(logging.Formatter):
    """run.log is published beside the report: local folder names become relative ones."""

    def __init__(self, fmt: str, replace: dict[str, str]) -> None:
        super().__init__(fmt)
        self._replace = sorted(replace.items(), key=lambda kv: -len(kv[0]))  # longest first

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for old, new in self._replace:
            text = text.replace(old, new)
        return text


def _lock(target: Path):
    """Hold the lock of one area and period (``.<period>.lock`` beside the report); a second run of the same
    report at the same time is refused with a clear message instead of racing this one."""
    import fcntl

    path = target.with_name(f".{target.name}.lock")
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 -- held for the whole run
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise RunError(f"another run of this report is in progress ({holder}, writing {target}); wait for it to "
                       "finish, or stop it, and run again") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"process {os.getpid()}")
    fh.flush()
    return fh


def _unlock(fh) -> None:
    try:
        fh.close()  # closing the file releases the lock
    except OSError:
        pass


def _remove_debris(target: Path) -> None:
    """Remove staging and swap folders that runs which died (killed, power cut) left beside the report.

    Called with the report's lock held, so no live run of this report owns them."""
    for path in target.parent.glob(f".{target.name}.*"):
        if path.is_dir() and (".staging-" in path.name or ".old-" in path.name):
            log.info("removing %s, left by a run that did not finish", path)
            shutil.rmtree(path, ignore_errors=True)


class _Run:
    """One run's state: the steps of :func:`run_year` in order."""

    def __init__(self, params, root, target, staging, jobs, audience, force, allow_partial, say, street=None) -> None:
        from ccsp_analysis.params import SECTION_TITLES

        self.params, self.root, self.target, self.staging = params, root, target, staging
        self.jobs, self.audience, self.say, self.allow_partial = jobs, audience, say, allow_partial
        self.street = street
        self.previous = _previous(target, force)
        self.prev_sections = {s["name"]: s for s in self.previous.get("sections", [])}
        self.phases = Phases()
        self.names = list(params.sections)
        missing = [n for n in self.names if not (root / "notebooks" / f"{n}.ipynb").exists()]
        if missing:
            raise RunError(f"no notebook for section(s) {missing} in {root / 'notebooks'}")
        self.outcomes = {n: SectionOutcome(n, SECTION_TITLES[n], f"{n}.html") for n in self.names}
        self.pool = None
        self.futures: dict = {}

    # -- keys --------------------------------------------------------------------------------
    def _execution_key(self, name: str, result_hash: str) -> str:
        notebook = (self.root / "notebooks" / f"{name}.ipynb").read_bytes()
        return content_key(notebook, self.snapshot, result_hash, self.package)

    def _reusable_notebook(self, name: str, key: str) -> bool:
        prev = self.prev_sections.get(name, {})
        return (prev.get("execution_key") == key and prev.get("status") == "ok"
                and (self.target / "notebooks" / f"{name}.ipynb").is_file())

    # -- steps -------------------------------------------------------------------------------
    def run(self) -> RunResult:
        from ccsp_analysis import dataset
        from ccsp_analysis.sections import store

        p = self.params
        self.snapshot = store.relative_paths(json.loads(p.model_dump_json()), self.root)  # no local folder names
        log.info("run %s with parameters %s", p.period, json.dumps(self.snapshot))
        self.params_path = store.write_params(self.staging, p, self.root)
        self.package = package_hash()
        self.dataset_key, self.inputs = dataset.identify(p)
        self.results_key = content_key(self.snapshot, self.dataset_key, self.package, self.names, self.allow_partial)
        self.phases.lap("validate and hash inputs")
        try:
            if self._results_reusable():
                self._reuse_results()
            else:
                self.say(f"building the dataset for {p.area.name} {p.period}")
                self._start_pool()
                self._compute()
            self._write_tables()
            self._collect_notebooks()
        except BaseException:
            if self.pool is not None:
                self.pool.close(cancel=True)  # Ctrl-C or an error: stop the kernels, start nothing more
            raise
        if self.pool is not None:
            self.pool.close()
            self.phases.lap("stop kernels")
        self._render()
        self._write_run_json()
        _swap_in(self.staging, self.target)
        self.say(f"report written to {self.target / 'index.html'}")
        from ccsp_analysis.report.appendix import APPENDIX

        return RunResult(self.target, [self.outcomes[n] for n in [*self.names, APPENDIX]], self.phases.seconds)

    def _results_reusable(self) -> bool:
        from ccsp_analysis.sections.store import RESULTS_DIR

        if self.previous.get("results_key") != self.results_key:
            return False
        folder = self.target / RESULTS_DIR
        return (folder / CONTEXT_FILE).is_file() and all(
            (folder / f"{n}.pkl").is_file() for n in self.names if n not in self.previous.get("errors", {}))

    def _reuse_results(self) -> None:
        from ccsp_analysis.sections import store

        self.say("inputs, parameters and code unchanged: reusing the computed results")
        for path in (self.target / store.RESULTS_DIR).iterdir():
            link_or_copy(path, self.staging / store.RESULTS_DIR / path.name)
        with open(self.staging / store.RESULTS_DIR / CONTEXT_FILE, "rb") as fh:
            self.context: RunContext = pickle.load(fh)  # noqa: S301 -- written by this runner
        self.results = {n: store.load_result(self.staging, n) for n in self.names if n not in self.context.errors}
        self.results_reused = True
        for n, error in self.context.errors.items():
            self.outcomes[n].status, self.outcomes[n].error = "failed", f"computing the section: {error}"
        for n in self.results:  # the results are the previous run's: so are their hashes
            self._result_ready(n, self.results[n], self.prev_sections.get(n, {}).get("result_hash"))
        self.phases.lap("load stored results")

    def _start_pool(self) -> None:
        from ccsp_analysis.report.execute import KernelPool

        if self.pool is None:
            self.pool = KernelPool(self.jobs, self.staging / "notebooks")

    def _compute(self) -> None:
        from ccsp_analysis import coverage, dataset, measures
        from ccsp_analysis.exception_report import exception_report
        from ccsp_analysis.sections import store
        from ccsp_analysis.sections.registry import compute_sections

        data = dataset.load(self.params, street=self.street)
        self.phases.lap("load dataset")
        gaps = coverage.coverage_gaps(data, self.params)
        missing = None
        if gaps and not self.allow_partial:
            raise RunError(f"the data do not cover the periods this run compares ({self.params.period} against "
                           f"{self.params.comparison}); missing months:\n{coverage.gaps_text(gaps)}\nAdd the missing months "
                           "(`ccsp data check` lists them), or run with --allow-partial to build a report that "
                           "says which months are missing and reports no change. No report was written.")
        if gaps:
            missing = "; ".join(f"{g.source}: {coverage.month_ranges(g.months)}" for g in gaps)
            self.say(f"warning: the data miss months ({missing}); no change will be reported")
        self.say(f"computing {len(self.names)} sections")

        def stored(name: str, result) -> None:
            store.save_result(self.staging, name, result)
            self._result_ready(name, store.publishable(result))

        results, errors = compute_sections(data, self.params, self.names, on_result=stored, missing=missing)
        self.results = {n: store.publishable(r) for n, r in results.items()}
        self.results_reused = False
        last = measures.last_month_reported(data, self.params)
        self.context = RunContext(self.dataset_key, self.inputs, last.strftime("%B %Y") if last is not None else "no data",
                                  exception_report(data, self.params, results), errors, missing)
        with open(self.staging / store.RESULTS_DIR / CONTEXT_FILE, "wb") as fh:
            pickle.dump(self.context, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for n, error in errors.items():
            o = self.outcomes[n]
            o.status, o.error = "failed", f"computing the section: {error}"
            self.say(f"{n}: failed while computing its tables ({error})")
        self.phases.lap("compute sections")

    def _result_ready(self, name: str, result, known_hash: str | None = None) -> None:
        """A section's result is stored: reuse its executed notebook or queue it for execution."""
        from ccsp_analysis.sections import store

        o = self.outcomes[name]
        o.result_hash = known_hash or store.result_hash(result)
        o.execution_key = self._execution_key(name, o.result_hash)
        out = self.staging / "notebooks" / f"{name}.ipynb"
        if self._reusable_notebook(name, o.execution_key):
            link_or_copy(self.target / "notebooks" / f"{name}.ipynb", out)
            o.reused = True
            return
        self._start_pool()
        rel = os.path.relpath(self.params_path, self.staging / "notebooks")
        self.futures[name] = self.pool.submit(self.root / "notebooks" / f"{name}.ipynb", out, {"params_path": rel})

    def _write_tables(self) -> None:
        from ccsp_analysis.report.exports import write_tables

        prev_tables = self.target / "tables"
        if self.results_reused and prev_tables.is_dir():
            for path in prev_tables.iterdir():
                link_or_copy(path, self.staging / "tables" / path.name)
        else:
            write_tables(self.results, self.staging / "tables")
        self.phases.lap("write tables")

    def _collect_notebooks(self) -> None:
        if not self.futures:
            return
        total = len(self.futures)
        self.say(f"executing {total} section notebooks ({self.jobs} at a time)")
        import concurrent.futures as cf

        by_future = {f: n for n, f in self.futures.items()}
        for i, fut in enumerate(cf.as_completed(by_future), start=1):
            n = by_future[fut]
            o, ex = self.outcomes[n], fut.result()
            o.seconds, o.error, o.cell = round(ex.seconds, 2), ex.error, ex.cell
            o.status = "ok" if ex.error is None else "failed"
            self.say(f"[{i}/{total}] {n}: {o.status} in {o.seconds:.1f} s" + (f" (cell {o.cell}: {o.error})" if o.error else ""))
        self.phases.lap("execute notebooks")

    def _render(self) -> None:
        from ccsp_analysis.report import pages
        from ccsp_analysis.report.appendix import APPENDIX, APPENDIX_TITLE

        commit = _git_commit(self.root)
        self.outcomes[APPENDIX] = SectionOutcome(APPENDIX, APPENDIX_TITLE, f"{APPENDIX}.html")
        sections = [self.outcomes[n] for n in [*self.names, APPENDIX]]
        reused = pages.write_report(self.params, self.context, sections, self.results, self.target, self.staging,
                                    self.audience, commit, self.package, self.prev_sections)
        self.phases.lap("render pages")
        if reused:
            log.info("pages reused: %s", ", ".join(reused))

    def _write_run_json(self) -> None:
        from ccsp_analysis.report.exports import figure_count

        run = {
            "params": self.snapshot, "commit": _git_commit(self.root), "versions": _versions(),
            "package": self.package, "dataset": self.dataset_key, "inputs": self.inputs,
            "results_key": self.results_key, "errors": self.context.errors,
            "figures": figure_count(self.staging / "tables"), "audience": self.audience,
            "seconds": round(sum(self.phases.seconds.values()), 2), "phases": self.phases.seconds,
            "reused": [n for n, o in self.outcomes.items() if o.reused],
            "sections": [asdict(o) for o in self.outcomes.values()],
        }
        text = json.dumps(run, indent=2) + "\n"
        for local in (str(self.staging), f"{self.root}{os.sep}"):  # error messages may name local paths
            text = text.replace(local, "" if local.endswith(os.sep) else self.target.name)
        (self.staging / "run.json").write_text(text, encoding="utf-8")
