"""Choosing the partnerships of a batch, one-line errors, and a clear message when Dask is missing."""

from pathlib import Path

import pytest

from ccsp_analysis.errors import ParamsError
from ccsp_analysis.report import batch


def _project(tmp_path: Path) -> Path:
    areas = tmp_path / "params" / "areas"
    areas.mkdir(parents=True)
    for slug, force in (("coventry", "west-midlands"), ("dudley", "west-midlands"), ("rugby", "warwickshire")):
        (areas / f"{slug}.yaml").write_text(f"name: {slug.title()}\nslug: {slug}\nforce: {force}\n")
    (tmp_path / "params" / "2023-24.yaml").write_text("period: 2023-24\n")
    return tmp_path / "params" / "2023-24.yaml"


def test_resolve_areas_by_force_list_and_all(tmp_path):
    year = _project(tmp_path)
    assert batch.resolve_areas(year, "west-midlands") == {"coventry": "west-midlands", "dudley": "west-midlands"}
    assert batch.resolve_areas(year, "rugby, coventry") == {"coventry": "west-midlands", "rugby": "warwickshire"}
    assert list(batch.resolve_areas(year, "all")) == ["coventry", "dudley", "rugby"]
    with pytest.raises(ParamsError, match=r"'narnia'.*forces: warwickshire, west-midlands.*areas: coventry, dudley, rugby"):
        batch.resolve_areas(year, "narnia")
    with pytest.raises(ParamsError, match="narnia"):
        batch.resolve_areas(year, "coventry,narnia")


def test_one_line():
    assert batch.one_line("first\n\n  second  \nthird") == "first; second; third"
    assert batch.one_line("x" * 500, limit=10) == "x" * 9 + "…"


def test_force_title():
    assert batch.force_title("west-midlands") == "West Midlands"


def test_missing_dask_is_a_clear_message(monkeypatch, tmp_path, capsys):
    from ccsp_analysis.cli import main

    year = _project(tmp_path)
    monkeypatch.setattr(batch, "dask_available", lambda: False)
    assert main(["run", str(year), "--areas", "all", "--executor", "dask"]) == 2
    err = capsys.readouterr().err
    assert "--executor dask needs dask.distributed, which is not installed" in err
    assert "pip install 'ccsp-analysis[dask]'" in err


def test_the_task_is_a_picklable_top_level_function():
    import pickle

    assert pickle.loads(pickle.dumps(batch.run_area)) is batch.run_area


def test_a_failing_area_is_a_summary_not_an_exception(tmp_path):
    year = _project(tmp_path)  # the area files lack la_code and sources: load_params fails
    out = batch.run_area(str(year), "coventry", str(tmp_path / "out"), {})
    assert out["status"] == "failed" and out["report"] is None and out["figures"] is None
    assert "\n" not in out["error"] and "invalid parameters" in out["error"]
