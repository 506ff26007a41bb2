"""Section results stored once per run, and the one call a notebook's setup cell makes to get its result.

The runner computes every section once and stores each publishable result beside the run's
validated parameters (``params.json``) in its staging folder::

    <run folder>/params.json
    <run folder>/results/<section>.pkl

A notebook's parameter ``params_path`` is either that ``params.json`` (the runner injects it) or
a year's YAML file (the notebook opened alone in JupyterLab). :func:`section_result` loads the
stored result in the first case and computes it, with the same section function, in the second.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ccsp_analysis.errors import RunError
from ccsp_analysis.params import SECTION_TITLES, Params, load_params
from ccsp_analysis.result import SectionResult

log = logging.getLogger(__name__)

PARAMS_FILE = "params.json"
RESULTS_DIR = "results"
#: The project's root, for notebooks whose default parameter is a path relative to the project.
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def publishable(result: SectionResult) -> SectionResult:
    """The result as pages may show it: a withheld figure keeps its id but loses its value.

    Withheld figures (disclosure control) are kept in memory for the reconciliation's check;
    what is stored beside the report must not hold them.
    """
    figures = [dict(f, value=None, exact=None) if f.get("withheld") else dict(f) for f in result.figures]
    return replace(result, figures=figures)


def _frame_digest(frame: pd.DataFrame, h) -> None:
    h.update(json.dumps([list(map(str, frame.columns)), list(map(str, frame.dtypes))]).encode())
    if len(frame):
        try:
            values = pd.util.hash_pandas_object(frame, index=True)
        except TypeError:  # cells pandas cannot hash (lists, dicts): hash their text
            values = pd.util.hash_pandas_object(frame.astype(object).where(frame.notna(), None).astype(str), index=True)
        h.update(values.to_numpy().tobytes())


def result_hash(result: SectionResult) -> str:
    """SHA-256 of a result's content (tables, plot frames, figures, sentences, exports), not of its bytes."""
    h = hashlib.sha256()
    for group in (result.tables, result.plots):
        for name in sorted(group):
            h.update(name.encode())
            _frame_digest(group[name], h)
    h.update(json.dumps([result.figures, result.sentences, result.exports], sort_keys=True, default=str).encode())
    return h.hexdigest()


def relative_paths(value, root: Path):
    """``value`` (JSON-like: dicts, lists, strings) with every absolute path made relative to ``root``,
    so files meant for publication carry no local folder names."""
    if isinstance(value, dict):
        return {k: relative_paths(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [relative_paths(v, root) for v in value]
    if isinstance(value, str) and os.path.isabs(value):
        try:
            return Path(os.path.relpath(value, root)).as_posix()
        except ValueError:  # another drive (Windows): keep only the file name
            return Path(value).name
    return value


def write_params(folder: Path, params: Params, root: Path | None = None) -> Path:
    """Write the validated parameters as ``params.json`` in ``folder`` (paths relative to ``root``, the
    project, when given); return its path."""
    path = folder / PARAMS_FILE
    data = json.loads(params.model_dump_json())
    if root is not None:
        data = relative_paths(data, root)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def read_params(path: Path) -> Params:
    """The validated parameters a run stored (``params.json``)."""
    try:
        return Params.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{path}: not a run's stored parameters ({exc}); pass a year's YAML file instead") from None


def save_result(folder: Path, name: str, result: SectionResult) -> Path:
    """Store one section's publishable result as ``results/<name>.pkl`` (written whole, then renamed)."""
    target = folder / RESULTS_DIR / f"{name}.pkl"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(publishable(result), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, target)
    return target


def load_result(folder: Path, name: str) -> SectionResult:
    """A section's result stored by :func:`save_result` (only ever files this project's runner wrote)."""
    path = Path(folder) / RESULTS_DIR / f"{name}.pkl"
    try:
        with open(path, "rb") as fh:
            result = pickle.load(fh)  # noqa: S301 -- written by the runner into its own run folder
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
        raise RunError(f"{path}: the stored result of section {name} cannot be read ({exc}); run `ccsp run` again") from None
    if not isinstance(result, SectionResult):
        raise RunError(f"{path}: not a section result")
    return result


def resolve_params_path(params_path: str | Path) -> Path:
    """A notebook's ``params_path`` as a file: as given when it exists, else relative to the project root."""
    path = Path(params_path)
    if path.exists() or path.is_absolute():
        return path
    for base in (PROJECT_ROOT, PROJECT_ROOT / "notebooks"):
        if (base / path).exists():
            return base / path
    return path


#: The parameters every section notebook takes (its ``parameters`` cell).
NOTEBOOK_PARAMETERS = ("params_path",)
_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython"}
_PARAMETER_TYPES = (str, int, float, bool, list, dict, type(None))


def unknown_parameters(namespace: dict) -> list[str]:
    """Names a notebook's namespace holds that look like parameters papermill injected but the notebook does
    not take (e.g. ``param_path`` for ``params_path``): plain values that are not the notebook's parameters,
    IPython's own names or private names. Imported modules and functions are not parameters."""
    return sorted(k for k, v in namespace.items()
                  if not k.startswith("_") and k not in NOTEBOOK_PARAMETERS and k not in _IPYTHON_NAMES
                  and isinstance(v, _PARAMETER_TYPES))


def section_result(params_path: str | Path, name: str) -> tuple[Params, SectionResult]:
    """The parameters and result a section's notebook shows.

    Parameters
    ----------
    params_path
        ``params.json`` of a run (the runner injects it): the stored result is loaded. A year's
        YAML file (or a year such as ``2023-24``): the section is computed here, by the same
        function the runner uses, so a notebook opened alone in JupyterLab shows the same numbers.
    name
        The section (the notebook's file stem), e.g. ``"01_key_findings"``.
    """
    import inspect

    caller = inspect.currentframe().f_back
    if caller is not None and caller.f_globals.get("__name__") == "__main__":  # a notebook or script
        extra = unknown_parameters(caller.f_globals)
        if extra:
            raise RunError(f"notebook {name} was given parameter(s) it does not take: {', '.join(extra)}; "
                           f"its parameters are: {', '.join(NOTEBOOK_PARAMETERS)} "
                           "(e.g. papermill ... -p params_path params/2022-23.yaml)")
    if name not in SECTION_TITLES:
        raise RunError(f"unknown section '{name}'; known: {list(SECTION_TITLES)}")
    path = resolve_params_path(params_path)
    if path.suffix == ".json":  # a run's stored result: nothing to compute
        return read_params(path), load_result(path.parent, name)
    from ccsp_analysis import dataset  # the notebook opened alone: compute here
    from ccsp_analysis.sections.registry import AFTER, compute_sections

    params = load_params(path if path.exists() else params_path)
    data = dataset.load(params)
    # every section of the run, not this one alone: disclosure control is run-wide (a count hidden on
    # another page is hidden here too), so a notebook opened alone publishes what the run publishes
    # (the sections computed after the others, AFTER, only when this one is or reads them)
    after = AFTER[AFTER.index(name) + 1:] if name in AFTER else AFTER
    names = [n for n in params.sections if n != name and n not in after] + [name]
    results, errors = compute_sections(data, params, names)
    if name in errors:
        raise RunError(f"section {name} could not be computed: {errors[name]}")
    return params, publishable(results[name])
