"""Hand-built datasets, parameters and the demo run shared by the priority section tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import Params, load_params
from ccsp_analysis.taxonomy import HO_OFFENCES

ROOT = Path(__file__).resolve().parents[2]
CUR, PREV = "2023-24", "2022-23"
CENTRE, CENTRE_NAME = "E05001228", "St Michael's"
FOLESHILL = "E05001222"
FLAGS = ("domestic_abuse", "alcohol", "drugs", "knife", "firearm", "serious_youth_violence", "county_lines",
         "cse", "modern_slavery", "honour_based_abuse", "child_abuse")
WARD_NAMES = {CENTRE: CENTRE_NAME, FOLESHILL: "Foleshill"}


def crime(code: str, fy: str = CUR, sex: str | None = None, age: int | None = None, *flags: str,
          hate: str | None = None, hour: int | None = 12, ward: str = FOLESHILL) -> dict:
    """One crime row: Home Office code (its group is looked up), year, victim, markers, hate strand, hour, ward."""
    unknown = set(flags) - set(FLAGS)
    assert not unknown, f"unknown flags {unknown}"
    row = {"fy": fy, "ho_code": code, "ho_group": HO_OFFENCES[code].group, "hate_strand": hate,
           "victim_sex": sex, "victim_age": age, "hour": hour, "ward_code": ward, "ward_name": WARD_NAMES[ward]}
    row.update({f: f in flags for f in FLAGS})
    return row


def crimes(rows: list[dict]) -> pd.DataFrame:
    """The rows as a canonical crimes table (nullable integer age and hour)."""
    frame = pd.DataFrame(rows)
    return frame.astype({"victim_age": "Int64", "hour": "Int64"})


def dataset(**tables: pd.DataFrame) -> Dataset:
    """A dataset holding only the given tables."""
    return Dataset(tables=tables, key="test")


def params(threshold: int = 5, centre: str | None = CENTRE) -> Params:
    """The 2023-24 parameters (files not checked) with the given disclosure threshold and city-centre ward."""
    base = load_params(ROOT / "params" / "2023-24.yaml", check_files=False)
    area = base.area.model_copy(update={"city_centre_ward": centre})
    return base.model_copy(update={"disclosure_threshold": threshold, "area": area})


def demo_data(demo_dir: Path) -> tuple[Dataset, Params]:
    """The demo dataset (``demo_dir`` makes sure it exists) and its 2023-24 parameters."""
    from ccsp_analysis import dataset as ds

    p = load_params(ROOT / "params" / "2023-24.yaml")
    return ds.load(p), p


def published_values(published: dict, block: str) -> dict:
    """Published figure id -> figure (value, status, ...) of one block of the 2023/24 assessment."""
    return {f["id"]: f for f in published["strategic_assessment_2023_24"][block]}


def figures(result) -> dict:
    """Figure id -> value of a section result."""
    return {f["id"]: f["value"] for f in result.figures}
