"""Run parameters: one YAML per year, merged with area and project defaults, validated into a frozen model."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ccsp_analysis.demo.manifest import synthetic_sources
from ccsp_analysis.errors import ParamsError
from ccsp_analysis.periods import FinancialYear

log = logging.getLogger(__name__)

#: Every section the suite can build, in report order.
ALL_SECTIONS: tuple[str, ...] = (
    "00_data_audit", "01_key_findings", "02_city_profile", "03_priority_1", "04_priority_2", "05_priority_3",
    "06_areas", "07_survey", "08_performance", "09_reconciliation", "11_priorities",
)
#: Each section's page title.
SECTION_TITLES: dict[str, str] = {
    "00_data_audit": "Data audit",
    "01_key_findings": "Key findings",
    "02_city_profile": "City profile",
    "03_priority_1": "Priority 1: offending, reoffending and serious violence",
    "04_priority_2": "Priority 2: public place safety and reassurance",
    "05_priority_3": "Priority 3: exploitation and protecting victims",
    "06_areas": "Areas",
    "07_survey": "Resident survey",
    "08_performance": "Performance and plan monitoring",
    "09_reconciliation": "Reconciliation with the published figures",
    # computed after every other section but the reconciliation, from their results (10 is the appendix)
    "11_priorities": "Threats and priorities",
}
#: Sections of a quarterly performance report (the annual sections compare whole years).
PERFORMANCE_SECTIONS: tuple[str, ...] = ("00_data_audit", "08_performance", "09_reconciliation")
DEFAULTS_FILE = "defaults.yaml"
#: Where ``ccsp data demo`` writes by default, relative to the project root.
DEMO_DIR = Path("data") / "demo"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


#: A local authority district code: English unitary (E06), non-metropolitan (E07), metropolitan (E08)
#: and London borough (E09) districts, and Welsh unitary authorities (W06).
LAD_CODE_PATTERN = r"^(E0[6-9]|W06)\d{6}$"
AREAS_DIR = "areas"


class Area(_Frozen):
    """The partnership area: name, slug for output folders, its local authority districts and police force.

    An area is one or more districts (``la_codes``; some partnerships cover several). Its small areas
    and wards are those of the districts in the LSOA lookup (``sources.lsoa_ward_lookup``), never a
    hand list. A parameter file may give one district as ``la_code: E08000026`` (shorthand for
    ``la_codes: [E08000026]``) or several as ``la_codes: [E07000234, E07000235]``.
    ``lsoa_name_prefix`` is optional: only used to find the area's rows in an IMD file that has no
    local authority column and whose small areas are not in the lookup (older LSOA vintages).
    """

    name: str
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    la_codes: tuple[str, ...] = Field(min_length=1)
    lsoa_name_prefix: str | None = None
    force: str = Field(pattern=r"^[a-z0-9-]+$")
    city_centre_ward: str | None = Field(default=None, pattern=r"^[EW]05\d{6}$")

    @model_validator(mode="before")
    @classmethod
    def _one_code_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "la_code" in data:
            if "la_codes" in data:
                raise ValueError("give either la_code (one district) or la_codes (a list), not both")
            data = dict(data)
            code = data.pop("la_code")
            data["la_codes"] = [code] if isinstance(code, str) else code
        if isinstance(data, dict) and isinstance(data.get("la_codes"), str):
            data = {**data, "la_codes": [data["la_codes"]]}
        return data

    @field_validator("la_codes")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in v if not isinstance(c, str) or not re.fullmatch(LAD_CODE_PATTERN, c)]
        if bad:
            raise ValueError(f"{bad} not a local authority district code (E06, E07, E08, E09 or W06 and six "
                             "digits, e.g. E08000026)")
        repeated = sorted({c for c in v if v.count(c) > 1})
        if repeated:
            raise ValueError(f"district code(s) {repeated} given more than once")
        return v

    @property
    def la_code(self) -> str:
        """The one district's code; an error for an area of several districts (use :attr:`la_codes`)."""
        if len(self.la_codes) != 1:
            raise ValueError(f"area {self.slug} has {len(self.la_codes)} districts: use area.la_codes")
        return self.la_codes[0]

    @property
    def codes_text(self) -> str:
        """The district codes for tables and pages: ``E08000026``, or ``E07000234, E07000235``."""
        return ", ".join(self.la_codes)


class Sources(_Frozen):
    """Input data locations (files or folders); optional ones may be null."""

    police_uk: Path
    partner_crimes: Path | None = None
    police_asb: Path | None = None
    council_asb: Path | None = None
    fly_tipping: Path | None = None
    da_referrals: Path | None = None
    non_crime_incidents: Path | None = None
    survey: Path | None = None
    reoffending: Path | None = None
    funding: Path | None = None
    lsoa_ward_lookup: Path
    population: Path
    population_by_age: Path | None = None
    mid_year_estimates: Path | None = None
    census_2011: Path | None = None
    nrm_referrals: Path | None = None
    most_similar_group: Path | None = None
    published_figures: Path | None = None
    imd: Path | None = None
    ward_boundaries: Path | None = None
    # For the computed peer group (used only when most_similar_group is null): an LSOA -> district
    # lookup covering every district to compare (default: lsoa_ward_lookup) and, optionally, ONS
    # Standard Area Measurements of the districts (adds population density).
    district_lookup: Path | None = None
    land_area: Path | None = None


#: The criteria the prioritisation section scores each grouping on (docs/methods.md, "Threats and priorities").
PRIORITY_CRITERIA: tuple[str, ...] = ("volume", "change", "signals", "concentration", "harm", "concern")


class Priorities(_Frozen):
    """How the prioritisation section weighs its criteria; what is not given keeps the defaults in code.

    ``weights``: criterion -> weight (at least 0; 0 leaves a criterion out). ``harm_weights``: a CSV
    of offence harm weights in the layout of the ONS Crime Severity Score weights (docs/data.md);
    without one harm is not scored. ``survey``: resident survey priority answer -> the groupings it
    names (replaces the default mapping).
    """

    weights: dict[str, float] = Field(default_factory=dict)
    harm_weights: Path | None = None
    survey: dict[str, tuple[str, ...]] | None = None

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(PRIORITY_CRITERIA))
        if unknown:
            raise ValueError(f"unknown criteria {unknown}; the criteria are {list(PRIORITY_CRITERIA)}")
        negative = sorted(k for k, w in v.items() if not w >= 0)
        if negative:
            raise ValueError(f"weights must be at least 0: {negative}")
        return v


#: The measures of the quarterly performance report (``sections.performance.report_measures``) a board can own.
REPORT_MEASURES: tuple[str, ...] = ("trc", "dva", "dva_non_crime", "dva_repeat_rate", "dva_children_present",
                                    "cdvass", "sarc", "hate", "asb")


class Board(_Frozen):
    """One board (or sub-group) of a year's governance and the report measures it owns (may be none)."""

    name: str = Field(min_length=1)
    remit: str = ""
    measures: tuple[str, ...] = ()

    @field_validator("measures")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [m for m in v if m not in REPORT_MEASURES]
        if unknown:
            raise ValueError(f"unknown report measure(s) {unknown}; known: {list(REPORT_MEASURES)}")
        return v


class Params(_Frozen):
    """Validated parameters of one run. Build with :func:`load_params`.

    ``synthetic`` is the run's effective label once :func:`load_params` has made it: a parameter
    file without the key follows the data (True when any input is the demo data, see
    :func:`is_synthetic`); ``synthetic: true`` labels any inputs synthetic (e.g. your own test
    data); ``synthetic: false`` over demo inputs is refused. The key can turn the label on, never off.
    """

    area: Area
    period: str
    quarter: int | None = Field(default=None, ge=1, le=4)
    comparison: str | None = None
    mode: Literal["assessment", "performance"] = "assessment"
    synthetic: bool = False
    disclosure_threshold: int = Field(default=5, ge=1, le=100)
    sections: tuple[str, ...] = ALL_SECTIONS
    #: The performance report's boards (the year's own governance); None: one row per measure, no boards.
    performance_boards: tuple[Board, ...] | None = None
    #: The direction-of-travel label the published report printed for a report measure, as printed.
    published_directions: dict[str, str] = Field(default_factory=dict)
    sources: Sources
    #: the partnership plan's boards and their measures of success (a YAML file, e.g. params/plans/...)
    plan: Path | None = None
    priorities: Priorities = Priorities()
    params_file: Path | None = None
    #: The project folder (holding ``params/``, ``data/`` and ``outputs/``); set by :func:`load_params`.
    project_dir: Path | None = None

    @field_validator("period", "comparison")
    @classmethod
    def _fy(cls, v: str | None) -> str | None:
        if v is None:
            return v
        return FinancialYear.parse(v).label

    @field_validator("sections")
    @classmethod
    def _sections(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in v if s not in ALL_SECTIONS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; known: {list(ALL_SECTIONS)}")
        return v

    @field_validator("published_directions")
    @classmethod
    def _directions(cls, v: dict[str, str]) -> dict[str, str]:
        unknown = [m for m in v if m not in REPORT_MEASURES]
        if unknown:
            raise ValueError(f"unknown report measure(s) {unknown}; known: {list(REPORT_MEASURES)}")
        return v

    @model_validator(mode="after")
    def _comparison_default(self) -> Params:
        if self.comparison is None:
            object.__setattr__(self, "comparison", self.fy.previous().label)
        if self.comparison_fy >= self.fy:
            raise ValueError(f"comparison {self.comparison} must be a year before period {self.period}")
        if self.mode == "performance" and self.quarter is None:
            raise ValueError("mode 'performance' needs a quarter (1-4)")
        if self.mode == "assessment" and self.quarter is not None:
            raise ValueError("quarter is for mode 'performance'; an assessment covers the whole financial year")
        if self.mode == "performance" and "sections" not in self.model_fields_set:
            object.__setattr__(self, "sections", PERFORMANCE_SECTIONS)
        return self

    @property
    def fy(self) -> FinancialYear:
        return FinancialYear.parse(self.period)

    @property
    def comparison_fy(self) -> FinancialYear:
        return FinancialYear.parse(self.comparison or self.fy.previous().label)


def project_root(params: Params) -> Path:
    """The project folder: the one :func:`load_params` found (the folder above the ``params/`` folder
    holding ``defaults.yaml``), else the one above the parameter file's folder, else the working folder."""
    if params.project_dir is not None:
        return params.project_dir
    return params.params_file.parent.parent if params.params_file else Path.cwd()


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``params/defaults.yaml`` (None: there is none)."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / "params" / DEFAULTS_FILE).is_file():
            return folder
    return None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ParamsError(f"{path}: parameter file not found") from None
    except IsADirectoryError:
        raise ParamsError(f"{path}: is a folder, not a parameter file; give a year (e.g. 2023-24, "
                          "read from params/2023-24.yaml) or the path of a .yaml file") from None
    except OSError as exc:
        raise ParamsError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ParamsError(f"{path}, line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file "
                          "as UTF-8 (most editors: Save with Encoding > UTF-8)") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of keys to values at the top level")
    return data


def _sources_of(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The ``sources:`` mapping of one parameter file ({} when absent or empty); ParamsError when it is not one."""
    sources = data.pop("sources", None)
    if sources is None:
        return {}
    if not isinstance(sources, dict):
        kind = "a list" if isinstance(sources, list) else f"a {type(sources).__name__}"
        raise ParamsError(f"{path}: key 'sources' is {kind}, but it must be a mapping of input names to paths, "
                          "one per line, e.g.\n  sources:\n    police_uk: data/raw/police_uk\n"
                          "(write `name: path`, not `- name: path` or `- path`)")
    return sources


def resolve_params_path(spec: str | Path, params_dir: Path | None = None) -> Path:
    """Turn ``2023-24`` into ``params/2023-24.yaml``; a path to a YAML file is returned as is."""
    p = Path(spec)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p.resolve()
    if params_dir is None:
        project = find_project(Path.cwd())
        if project is None:
            raise ParamsError(f"'{spec}' names a year, but there is no params/{DEFAULTS_FILE} in {Path.cwd()} or any "
                              "folder above it: run ccsp from the project folder (or one inside it), or give the "
                              f"path of a parameter file (e.g. path/to/project/params/{spec}.yaml)")
        params_dir = project / "params"
    base = params_dir
    candidate = base / f"{spec}.yaml"
    if not candidate.exists():
        known = sorted(x.stem for x in base.glob("*.yaml") if x.name != DEFAULTS_FILE) if base.exists() else []
        raise ParamsError(f"no parameter file {candidate} for '{spec}'; known years: {', '.join(known) or 'none'} (add params/{spec}.yaml)")
    return candidate.resolve()


def _defaults_for(path: Path, named: str | Path | None) -> Path | None:
    """The ``defaults.yaml`` merged under ``path``: the one named (``--defaults``), else the one beside the
    file (a file in ``params/``; none when that folder has none), else the project's found from the file's
    folder or the working folder upwards."""
    if named is not None:
        found = Path(named).resolve()
        if not found.is_file():
            raise ParamsError(f"--defaults {named}: no such file (give the path of a defaults.yaml, e.g. "
                              f"path/to/project/params/{DEFAULTS_FILE})")
        return found
    beside = path.parent / DEFAULTS_FILE
    if beside.is_file():
        return beside
    if path.parent.name == "params":  # a project's own params/ folder without defaults: none to merge
        return None
    project = find_project(path.parent) or find_project(Path.cwd())
    return project / "params" / DEFAULTS_FILE if project is not None else None


def _error_text(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(x) for x in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see params/defaults.yaml for the known keys)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  {key}: {msg}")
    return f"{path}: invalid parameters\n" + "\n".join(lines)


def load_params(spec: str | Path, *, check_files: bool = True, area: str | None = None,
                defaults: str | Path | None = None) -> Params:
    """Load and validate a parameter file (``2023-24`` or a path) into a frozen :class:`Params`.

    The file is merged over a ``defaults.yaml``: the one named by ``defaults`` (``--defaults``),
    else the one beside the file (a year file in ``params/``), else the project's, found from the
    file's folder or the working folder upwards -- so a parameter file anywhere gets the same
    defaults as one in ``params/``. Its ``area`` key names ``areas/<area>.yaml`` beside that
    ``defaults.yaml``; ``area=`` (an area slug) replaces that key, so one year file serves every
    partnership. ``sources:`` are merged key by key: ``defaults.yaml`` (force-wide and national
    inputs), then the area file's ``sources:`` (the partnership's own extracts), then the year
    file's. Relative paths are resolved against the project root (the folder above that
    ``params/``); in a parameter file outside the project, against the file's own folder.
    Raises ParamsError naming the key or file at fault.

    ``synthetic`` follows the data when no file sets it; ``synthetic: false`` over inputs that are
    the demo data (listed in a ``DEMO.json`` manifest, or a lookup of ``X01`` small areas) is
    refused, naming the inputs (see :class:`Params`).
    """
    path = resolve_params_path(spec)
    defaults_file = _defaults_for(path, defaults)
    params_dir = defaults_file.parent if defaults_file is not None else path.parent
    root = params_dir.parent
    own_base = root if path.is_relative_to(root) else path.parent  # the year file's relative paths
    merged: dict[str, Any] = {}
    origin: dict[str, tuple[Path, Path]] = {}  # source -> (the file that named it, the folder it is relative to)
    if defaults_file is not None and defaults_file != path:
        merged = _read_yaml(defaults_file)
        merged["sources"] = _sources_of(merged, defaults_file)
        origin.update({k: (defaults_file, root) for k in merged["sources"]})
    year = _read_yaml(path)
    year_sources = _sources_of(year, path)
    sources = dict(merged.get("sources", {}))
    merged.update(year)
    if area is not None:
        merged["area"] = area
    area_spec = merged.get("area")
    if isinstance(area_spec, str):
        area_file = params_dir / AREAS_DIR / f"{area_spec}.yaml"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", area_spec) or not area_file.is_file():
            known = sorted(x.stem for x in (params_dir / AREAS_DIR).glob("*.yaml"))
            where = "area=" if area is not None else f"{path}: key 'area'"
            raise ParamsError(f"{where} names '{area_spec}' but {area_file} does not exist; known areas: "
                              f"{', '.join(known) or 'none'} (add one with `ccsp area add`)")
        merged["area"] = _read_yaml(area_file)
        area_sources = _sources_of(merged["area"], area_file)
        sources.update(area_sources)
        origin.update({k: (area_file, root) for k in area_sources})
    elif isinstance(area_spec, dict):
        merged["area"] = dict(area_spec)
        area_sources = _sources_of(merged["area"], path)
        sources.update(area_sources)
        origin.update({k: (path, own_base) for k in area_sources})
    sources.update(year_sources)
    origin.update({k: (path, own_base) for k in year_sources})
    merged["sources"] = sources
    for key, value in list(sources.items()):
        if value is not None:
            p = Path(str(value))
            sources[key] = p if p.is_absolute() else (origin.get(key, (path, root))[1] / p)
    _resolve_plan_paths(merged, params_dir, root)
    merged["params_file"] = path
    merged["project_dir"] = root
    try:
        params = Params(**merged)
    except ValidationError as exc:
        text = _error_text(path, exc)
        if defaults_file is None and any(e["type"] == "missing" for e in exc.errors()):
            text += (f"\n(no {DEFAULTS_FILE} was merged: none beside the file, and no project folder with "
                     f"params/{DEFAULTS_FILE} at or above {path.parent} or {Path.cwd()}; name one with --defaults "
                     "or give every key in the file)")
        raise ParamsError(text) from None
    if check_files:
        _check_inputs_exist(params, path, root, origin)
    params = _with_synthetic_label(params, set_in=(path if "synthetic" in year else defaults_file) if "synthetic" in merged else None)
    log.info("parameters loaded from %s", path)
    return params


def _check_inputs_exist(params: Params, path: Path, root: Path, origin: dict[str, tuple[Path, Path]]) -> None:
    """ParamsError listing every named input that does not exist, with a hint that fits: the demo data
    (run `ccsp data demo`) or the user's own files (which file named the path, relative to what)."""
    demo = root / DEMO_DIR
    missing = [(k, Path(v)) for k, v in params.sources.model_dump().items() if v is not None and not Path(v).exists()]
    lines = [f"  {k}: {v} does not exist (named in {path})" for k, v in (
        ("plan", params.plan), ("priorities.harm_weights", params.priorities.harm_weights))
        if v is not None and not Path(v).exists()]
    if not missing and not lines:
        return
    for k, v in missing:
        named_in, base = origin.get(k, (path, root))
        if demo == v or demo in v.parents:
            lines.append(f"  sources.{k}: {v} does not exist (demo data: run `ccsp data demo` in {root})")
        else:
            lines.append(f"  sources.{k}: {v} does not exist (named in {named_in}; a relative path there is "
                         f"relative to {base}): check the path, or fetch the data (docs/data.md)")
    raise ParamsError(f"{path}: input files missing\n" + "\n".join(lines))


def _resolve_plan_paths(merged: dict[str, Any], params_dir: Path, root: Path) -> None:
    """Make ``plan`` relative to the parameter files' folder (``plans/x.yaml``) and
    ``priorities.harm_weights`` relative to the project root, as sources are."""
    plan = merged.get("plan")
    if isinstance(plan, str | Path) and not Path(str(plan)).is_absolute():
        merged["plan"] = params_dir / str(plan)
    pri = merged.get("priorities")
    if isinstance(pri, dict) and isinstance(pri.get("harm_weights"), str | Path):
        harm = Path(str(pri["harm_weights"]))
        merged["priorities"] = {**pri, "harm_weights": harm if harm.is_absolute() else root / harm}


def _with_synthetic_label(params: Params, set_in: Path | None) -> Params:
    """``params`` with ``synthetic`` following the data when no file set it; ParamsError when a file set it
    false over demo inputs (``set_in``: the file that set the key, None when none did)."""
    found = synthetic_sources(params.sources.model_dump())
    if set_in is None:
        return params.model_copy(update={"synthetic": bool(found)})
    if found and not params.synthetic:
        where = params.params_file or set_in
        listed = "\n".join(f"  sources.{name}: {getattr(params.sources, name)} ({why})" for name, why in found.items())
        raise ParamsError(
            f"{where}: key 'synthetic' is false (set in {set_in}), but these inputs are the synthetic demo data:\n{listed}\n"
            "A report built from them must say that its data are synthetic. Either remove `synthetic: false` "
            "(the label then follows the data) or point these sources at real data (docs/data.md)."
        )
    return params


def is_synthetic(params: Params) -> bool:
    """Whether a run over ``params`` is synthetic: labelled so, or any input is the demo data.

    True when ``params.synthetic`` is set (a parameter file said ``synthetic: true``, or
    :func:`load_params` found demo inputs) or when an input is listed in a demo manifest
    (``DEMO.json``) or is a lookup of ``X01`` small areas (:mod:`ccsp_analysis.demo.manifest`).
    Cheap (no table is read: a few ``stat`` calls, the manifest and the lookup's bytes), so the
    runner can ask on every run; it also guards parameters built without :func:`load_params`.
    """
    if getattr(params, "synthetic", False):
        return True
    sources = getattr(params, "sources", None)
    if sources is None:
        return False
    paths = sources.model_dump() if hasattr(sources, "model_dump") else dict(sources)
    return bool(synthetic_sources(paths))
