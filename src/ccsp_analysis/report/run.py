"""``run_year``: validate parameters, build the dataset once, execute every section notebook, write outputs atomically."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import pandas as pd

from ccsp_analysis import dataset
from ccsp_analysis.errors import RunError
from ccsp_analysis.params import Params, load_params
from ccsp_analysis.report import pages
from ccsp_analysis.report.appendix import APPENDIX, APPENDIX_TITLE, appendix_notebook
from ccsp_analysis.result import merge_figures, published_figures
from ccsp_analysis.sections import REGISTRY, compute_sections

log = logging.getLogger(__name__)
KERNEL = "python3"
PACKAGES = ("ccsp-analysis", "pandas", "numpy", "scipy", "matplotlib", "seaborn", "papermill", "nbconvert", "pyarrow", "pydantic")


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


@dataclass
class RunResult:
    """Where a run wrote its outputs and how each section went."""

    output_dir: Path
    sections: list[SectionOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status == "ok" for s in self.sections)

    @property
    def failures(self) -> list[str]:
        return [f"{s.name}: cell {s.cell}: {s.error}" for s in self.sections if s.status != "ok"]


def _kernel_manager_class():
    """A kernel manager that encrypts its local ZMQ traffic (ipykernel warns on every start otherwise)."""
    from jupyter_client import KernelManager

    class EncryptedKernelManager(KernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if "transport_encryption" in self.trait_names():
                self.transport_encryption = "auto"

    return EncryptedKernelManager


def _source_cell_number(executed: str, index: int) -> int:
    """1-based number of the failing cell in the source notebook (papermill's index counts its injected cell)."""
    nb = nbformat.read(executed, as_version=4)
    injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])]
    return index + 1 - sum(1 for i in injected if i < index)


def _execute(notebook: str, output: str, params_path: str, cwd: str) -> tuple[float, str | None, int | None]:
    """Run one notebook with papermill in this worker process; return (seconds, error, failing cell)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    try:
        pm.execute_notebook(notebook, output, parameters={"params_path": params_path}, kernel_name=KERNEL,
                            cwd=cwd, progress_bar=False, log_output=False, report_mode=False,
                            kernel_manager_class=_kernel_manager_class())
    except PapermillExecutionError as exc:
        return time.perf_counter() - start, f"{exc.ename}: {exc.evalue}", _source_cell_number(output, exc.cell_index)
    except Exception as exc:  # kernel died, notebook unreadable, ...
        return time.perf_counter() - start, f"{type(exc).__name__}: {exc}", None
    return time.perf_counter() - start, None, None


def project_root(params: Params) -> Path:
    return params.params_file.parent.parent if params.params_file else Path.cwd()


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


def _write_tables(results: dict, folder: Path) -> pd.DataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    for name, result in results.items():
        for table, frame in result.tables.items():
            frame.to_csv(folder / f"{name}-{table}.csv", index=False)
            if table in result.exports:
                frame.to_csv(folder / result.exports[table], index=False)
    fig = merge_figures(results)
    published_figures(fig).to_csv(folder / "figures.csv", index=False)
    return fig


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` so readers never see a half-written folder."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def run_year(spec: str | Path, *, outputs: Path | None = None, jobs: int = 2, audience: str = "public",
             progress: Callable[[str], None] | None = None) -> RunResult:
    """Build the report for one parameter file (``2023-24`` or a path) into ``outputs/<area>/<period>/``.

    Parameters are validated before any kernel starts (ParamsError). A section whose notebook
    fails is reported with its cell and error; the other sections still render and a previous
    good page of the failed section is kept. Outputs are written to a staging folder and swapped
    in at the end, so an interrupted run never leaves a half-written report.
    """
    def say(message: str) -> None:
        log.info(message)
        if progress:
            progress(message)

    params = load_params(spec)
    if audience not in ("public", "reviewer"):
        raise RunError(f"audience must be 'public' or 'reviewer', not '{audience}'")
    root = project_root(params)
    target = (outputs or root / "outputs") / params.area.slug / params.period
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    handler = logging.FileHandler(staging / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    pkg_log = logging.getLogger("ccsp_analysis")
    pkg_log.addHandler(handler)
    if pkg_log.level == logging.NOTSET or pkg_log.level > logging.INFO:
        pkg_log.setLevel(logging.INFO)
    try:
        return _run(params, root, target, staging, jobs, audience, say)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        pkg_log.removeHandler(handler)
        handler.close()


def _run(params: Params, root: Path, target: Path, staging: Path, jobs: int, audience: str, say) -> RunResult:
    t0 = time.perf_counter()
    log.info("run %s with parameters %s", params.period, params.model_dump_json())
    say(f"building the dataset for {params.area.name} {params.period}")
    data = dataset.load(params)
    names = list(params.sections)
    missing = [n for n in names if not (root / "notebooks" / f"{n}.ipynb").exists()]
    if missing:
        raise RunError(f"no notebook for section(s) {missing} in {root / 'notebooks'}")
    results, errors = compute_sections(data, params, names)
    figures = _write_tables(results, staging / "tables")
    outcomes = {n: SectionOutcome(n, REGISTRY[n][0], f"{n}.html") for n in names}
    for n, error in errors.items():
        outcomes[n].status, outcomes[n].error = "failed", f"computing the section: {error}"
        say(f"{n}: failed while computing its tables ({error})")
    to_run = [n for n in names if n not in errors]
    say(f"executing {len(to_run)} section notebooks ({jobs} at a time)")
    pool = ProcessPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {pool.submit(_execute, str(root / "notebooks" / f"{n}.ipynb"), str(staging / "notebooks" / f"{n}.ipynb"),
                               str(params.params_file), str(root / "notebooks")): n for n in to_run}
        for i, fut in enumerate(as_completed(futures), start=1):
            n = futures[fut]
            o = outcomes[n]
            o.seconds, o.error, o.cell = fut.result()
            o.status = "ok" if o.error is None else "failed"
            say(f"[{i}/{len(to_run)}] {n}: {o.status} in {o.seconds:.1f} s" + (f" (cell {o.cell}: {o.error})" if o.error else ""))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: do not start the queued notebooks
        raise
    pool.shutdown()
    nbformat.write(appendix_notebook(root, results, params.disclosure_threshold), staging / "notebooks" / f"{APPENDIX}.ipynb")
    outcomes[APPENDIX] = SectionOutcome(APPENDIX, APPENDIX_TITLE, f"{APPENDIX}.html")
    names = [*names, APPENDIX]
    _render(params, data, names, outcomes, results, target, staging, audience)
    _write_run_json(params, root, data, outcomes, figures, staging, time.perf_counter() - t0)
    _swap_in(staging, target)
    say(f"report written to {target / 'index.html'}")
    return RunResult(target, [outcomes[n] for n in names])


def _page_context(params: Params, data: dataset.Dataset) -> tuple[list[tuple[str, str]], str]:
    return pages.run_rows(params, data), pages.footer_text(data)


def _render(params, data, names, outcomes, results, target, staging, audience) -> None:
    rows, footer = _page_context(params, data)
    pages.write_report(params, data, [outcomes[n] for n in names], results, rows, footer, target, staging,
                       audience, commit=_git_commit(project_root(params)))


def _write_run_json(params, root, data, outcomes, figures, staging, seconds) -> None:
    run = {
        "params": json.loads(params.model_dump_json()), "commit": _git_commit(root), "versions": _versions(),
        "dataset": data.key, "inputs": data.inputs, "figures": len(figures), "seconds": round(seconds, 2),
        "sections": [asdict(o) for o in outcomes.values()],
    }
    (staging / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
