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

from ccsp_analysis import __version__, dataset
from ccsp_analysis.errors import RunError
from ccsp_analysis.params import Params, load_params
from ccsp_analysis.periods import FinancialYear
from ccsp_analysis.report.html import (
    params_block,
    render_page,
    render_section,
    strip_execution_metadata,
)
from ccsp_analysis.sections import REGISTRY

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
    figures = []
    for name, result in results.items():
        for table, frame in result.tables.items():
            frame.to_csv(folder / f"{name}-{table}.csv", index=False)
        figures.append(result.figures_frame())
    fig = pd.concat(figures, ignore_index=True) if figures else pd.DataFrame(columns=["id", "value"])
    fig[["id", "value"]].to_csv(folder / "figures.csv", index=False)
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
    results = {n: REGISTRY[n][1](data, params) for n in names}
    figures = _write_tables(results, staging / "tables")
    outcomes = {n: SectionOutcome(n, REGISTRY[n][0], f"{n}.html") for n in names}
    say(f"executing {len(names)} section notebooks ({jobs} at a time)")
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_execute, str(root / "notebooks" / f"{n}.ipynb"), str(staging / "notebooks" / f"{n}.ipynb"),
                               str(params.params_file), str(root / "notebooks")): n for n in names}
        for i, fut in enumerate(as_completed(futures), start=1):
            n = futures[fut]
            o = outcomes[n]
            o.seconds, o.error, o.cell = fut.result()
            o.status = "ok" if o.error is None else "failed"
            say(f"[{i}/{len(names)}] {n}: {o.status} in {o.seconds:.1f} s" + (f" (cell {o.cell}: {o.error})" if o.error else ""))
    _render(params, data, names, outcomes, results, target, staging, audience)
    _write_run_json(params, root, data, outcomes, figures, staging, time.perf_counter() - t0)
    _swap_in(staging, target)
    say(f"report written to {target / 'index.html'}")
    return RunResult(target, [outcomes[n] for n in names])


def _page_context(params: Params, data: dataset.Dataset) -> tuple[list[tuple[str, str]], str]:
    fy, cmp_ = FinancialYear.parse(params.period), FinancialYear.parse(params.comparison)
    last = data.crimes["month"].max()
    rows = [("Area", f"{params.area.name} ({params.area.la_code})"), ("Period", f"{fy.text} (April {fy.start_year} to March {fy.start_year + 1})"),
            ("Compared with", cmp_.text), ("Data to", last.strftime("%B %Y") if pd.notna(last) else "no data"),
            ("Disclosure threshold", str(params.disclosure_threshold)), ("Parameters", params.params_file.name if params.params_file else "")]
    if params.synthetic:
        rows.append(("Data", "synthetic demonstration data"))
    return rows, f"ccsp-analysis {__version__} · dataset {data.key}"


def _render(params, data, names, outcomes, results, target, staging, audience) -> None:
    rows, footer = _page_context(params, data)
    pblock = params_block(rows)
    for i, n in enumerate(names):
        o = outcomes[n]
        links = ['<a href="index.html">Contents</a>']
        if i > 0:
            links.append(f'<a href="{names[i - 1]}.html" rel="prev">Previous: {outcomes[names[i - 1]].title}</a>')
        if i < len(names) - 1:
            links.append(f'<a href="{names[i + 1]}.html" rel="next">Next: {outcomes[names[i + 1]].title}</a>')
        nb_path = staging / "notebooks" / f"{n}.ipynb"
        if o.status == "ok":
            nb = strip_execution_metadata(nbformat.read(nb_path, as_version=4))
            nbformat.write(nb, nb_path)
            page = render_section(nb, title=f"{o.title} · {params.area.name} {params.period}", nav=" ".join(links),
                                  params_html=pblock, synthetic=params.synthetic, footer=footer, audience=audience)
            (staging / o.file).write_text(page, encoding="utf-8")
        elif (target / o.file).exists():
            shutil.copy2(target / o.file, staging / o.file)
            o.status = "failed (previous page kept)"
    findings = results["01_key_findings"].sentences if "01_key_findings" in results else []
    exceptions = []
    if "01_key_findings" in results:
        ch = results["01_key_findings"].tables["changes"]
        exceptions = list(ch.loc[ch["direction"] != "STABLE", "sentence"])
    fy, cmp_ = FinancialYear.parse(params.period), FinancialYear.parse(params.comparison)
    index = render_page("index.html.j2", title=f"{params.area.name} Community Safety Partnership: Strategic Assessment {fy.text}",
                        area=params.area.name, period_text=f"April {fy.start_year} to March {fy.start_year + 1}",
                        comparison_text=cmp_.text, synthetic=params.synthetic,
                        sections=[outcomes[n] for n in names], findings=findings, exceptions=exceptions,
                        failures=[f"{o.name}: cell {o.cell}: {o.error}" for o in outcomes.values() if o.status != "ok"],
                        summary=rows + [("Commit", _git_commit(project_root(params))[:12]), ("Dataset", data.key)]
                        + [(f"Input {k}", v[:16]) for k, v in sorted(data.inputs.items())])
    (staging / "index.html").write_text(index, encoding="utf-8")


def _write_run_json(params, root, data, outcomes, figures, staging, seconds) -> None:
    run = {
        "params": json.loads(params.model_dump_json()), "commit": _git_commit(root), "versions": _versions(),
        "dataset": data.key, "inputs": data.inputs, "figures": len(figures), "seconds": round(seconds, 2),
        "sections": [asdict(o) for o in outcomes.values()],
    }
    (staging / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
