"""The partnership plan as parameters: its boards, each with the measures of success it owns (a YAML file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ccsp_analysis.errors import ParamsError
from ccsp_analysis.taxonomy import GROUPINGS

#: Measures a plan can name besides the groupings of taxonomy.GROUPINGS, with their labels.
OTHER_MEASURES: dict[str, str] = {
    "asb": "Anti-social behaviour (police-recorded)",
    "council_asb": "Anti-social behaviour (council-recorded)",
    "fly_tipping": "Fly-tipping",
    "da_referrals": "Referrals to domestic abuse services",
    "first_time_entrants": "First-time entrants to the youth justice system",
    "reoffending_rate": "Proven reoffending rate",
}


def measure_label(name: str) -> str:
    """How a plan measure is named on the pages."""
    return GROUPINGS[name].label if name in GROUPINGS else OTHER_MEASURES[name]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanMeasure(_Frozen):
    """A measure of success: a grouping or another measure (:data:`OTHER_MEASURES`), and which way is better
    when the plan says so (``None``: the measure's usual polarity, lower is better for crime)."""

    measure: str
    better: Literal["lower", "higher"] | None = None

    @field_validator("measure")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in GROUPINGS and v not in OTHER_MEASURES:
            raise ValueError(f"unknown measure '{v}'; use a grouping ({', '.join(sorted(GROUPINGS))}) "
                             f"or one of {', '.join(OTHER_MEASURES)}")
        return v


class Board(_Frozen):
    """A board of the partnership, the objective the plan gives it, and the measures it owns."""

    name: str
    objective: str = ""
    measures: tuple[PlanMeasure, ...] = ()

    @field_validator("measures", mode="before")
    @classmethod
    def _names(cls, v):
        return [{"measure": m} if isinstance(m, str) else m for m in (v or [])]


class Plan(_Frozen):
    """A partnership plan: its name, the document (and table) it was taken from, and its boards."""

    name: str
    source: str = ""
    boards: tuple[Board, ...]


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; ParamsError naming the file and the key at fault."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"{path}: plan file not found (key 'plan' of the year's parameters)") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParamsError(f"{path}: not a readable YAML plan file ({exc})") from None
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping with keys 'name', 'source' and 'boards'")
    try:
        return Plan(**data)
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(x) for x in e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()]
        raise ParamsError(f"{path}: invalid plan\n" + "\n".join(lines)) from None
