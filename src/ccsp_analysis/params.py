"""Run parameters: one YAML per year, merged with area and project defaults, validated into a frozen model."""

from __future__ import annotations

import logging
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
    "06_areas", "07_survey", "08_performance", "09_reconciliation",
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
}
#: Sections of a quarterly performance report (the annual sections compare whole years).
PERFORMANCE_SECTIONS: tuple[str, ...] = ("00_data_audit", "08_performance", "09_reconciliation")
DEFAULTS_FILE = "defaults.yaml"
#: Where ``ccsp data demo`` writes by default, relative to the project root.
DEMO_DIR = Path("data") / "demo"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Area(_Frozen):
    """The partnership area: name, slug for output folders, local authority code and how to find its LSOAs."""

    name: str
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    la_code: str = Field(pattern=r"^[EW]0[6-9]\d{6}$")
    lsoa_name_prefix: str
    force: str = Field(pattern=r"^[a-z0-9-]+$")
    city_centre_ward: str | None = Field(default=None, pattern=r"^[EW]05\d{6}$")


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
    params_file: Path | None = None

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
    """The project folder: the one above the parameter file's ``params/`` folder (the working folder
    for parameters built without a file)."""
    return params.params_file.parent.parent if params.params_file else Path.cwd()


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
    base = params_dir or Path.cwd() / "params"
    candidate = base / f"{spec}.yaml"
    if not candidate.exists():
        known = sorted(x.stem for x in base.glob("*.yaml") if x.name != DEFAULTS_FILE) if base.exists() else []
        raise ParamsError(f"no parameter file {candidate} for '{spec}'; known years: {', '.join(known) or 'none'} (add params/{spec}.yaml)")
    return candidate.resolve()


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


def load_params(spec: str | Path, *, check_files: bool = True) -> Params:
    """Load and validate a parameter file (``2023-24`` or a path) into a frozen :class:`Params`.

    The year file is merged over ``defaults.yaml`` in the same folder, and its ``area`` key
    names ``areas/<area>.yaml``. Relative paths are resolved against the folder above
    ``params/`` (the project root). Raises ParamsError naming the key or file at fault.

    ``synthetic`` follows the data when no file sets it; ``synthetic: false`` over inputs that are
    the demo data (listed in a ``DEMO.json`` manifest, or a lookup of ``X01`` small areas) is
    refused, naming the inputs (see :class:`Params`).
    """
    path = resolve_params_path(spec)
    params_dir = path.parent
    root = params_dir.parent
    merged: dict[str, Any] = {}
    defaults = params_dir / DEFAULTS_FILE
    if defaults.exists() and defaults != path:
        merged = _read_yaml(defaults)
        merged["sources"] = _sources_of(merged, defaults)
    year = _read_yaml(path)
    sources = {**merged.get("sources", {}), **_sources_of(year, path)}
    merged.update(year)
    merged["sources"] = sources
    area = merged.get("area")
    if isinstance(area, str):
        area_file = params_dir / "areas" / f"{area}.yaml"
        if not area_file.exists():
            raise ParamsError(f"{path}: key 'area' names '{area}' but {area_file} does not exist")
        merged["area"] = _read_yaml(area_file)
    for key, value in list(sources.items()):
        if value is not None:
            p = Path(str(value))
            sources[key] = p if p.is_absolute() else (root / p)
    merged["params_file"] = path
    try:
        params = Params(**merged)
    except ValidationError as exc:
        raise ParamsError(_error_text(path, exc)) from None
    if check_files:
        missing = [
            f"  sources.{k}: {v} does not exist"
            for k, v in params.sources.model_dump().items()
            if v is not None and not Path(v).exists()
        ]
        if missing:
            demo = root / DEMO_DIR
            under_demo = any(demo == Path(v) or demo in Path(v).parents for v in params.sources.model_dump().values() if v is not None)
            hint = " (run `ccsp data demo` to create the demo data)" if params.synthetic or under_demo else ""
            raise ParamsError(f"{path}: input files missing{hint}\n" + "\n".join(missing))
    params = _with_synthetic_label(params, set_in=(path if "synthetic" in year else defaults) if "synthetic" in merged else None)
    log.info("parameters loaded from %s", path)
    return params


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
