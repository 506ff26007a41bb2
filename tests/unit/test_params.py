from pathlib import Path

import pytest
from pydantic import ValidationError

from ccsp_analysis.errors import ParamsError
from ccsp_analysis.params import load_params


def _project(tmp_path: Path, year_text: str, defaults: str | None = None) -> Path:
    params = tmp_path / "params"
    (params / "areas").mkdir(parents=True)
    (params / "areas" / "testarea.yaml").write_text(
        "name: Testarea\nslug: testarea\nla_code: E08000026\nlsoa_name_prefix: 'Testarea '\nforce: test-force\n"
    )
    data = tmp_path / "data"
    data.mkdir()
    for f in ("street.csv", "lookup.csv", "pop.csv"):
        (data / f).write_text("x\n")
    (params / "defaults.yaml").write_text(
        defaults
        if defaults is not None
        else (
            "area: testarea\nsources:\n  police_uk: data/street.csv\n  lsoa_ward_lookup: data/lookup.csv\n  population: data/pop.csv\n"
        )
    )
    (params / "2023-24.yaml").write_text(year_text)
    return params / "2023-24.yaml"


def test_loads_merges_defaults_and_area(tmp_path):
    path = _project(tmp_path, "period: 2023-24\n")
    p = load_params(path)
    assert p.area.name == "Testarea" and p.period == "2023-24"
    assert p.comparison == "2022-23"  # default: the previous financial year
    assert p.sources.police_uk == tmp_path / "data" / "street.csv"  # relative to the project root
    assert p.disclosure_threshold == 5
    with pytest.raises(ValidationError):
        p.period = "2022-23"  # frozen


def test_resolves_year_name_from_params_dir(tmp_path, monkeypatch):
    _project(tmp_path, "period: 2023-24\n")
    monkeypatch.chdir(tmp_path)
    assert load_params("2023-24").period == "2023-24"
    with pytest.raises(ParamsError, match="known years: 2023-24"):
        load_params("2019-20")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("period: 2023-24\nperiodd: 1\n", "periodd: unknown key"),
        ("period: 2023-25\n", "period"),
        ("period: 2023-24\ndisclosure_threshold: lots\n", "disclosure_threshold"),
        ("period: 2023-24\nmode: performance\n", "needs a quarter"),
        ("period: 2023-24\nsections: [99_nope]\n", "99_nope"),
        ("period: [2023\n", "not valid YAML"),
    ],
)
def test_errors_name_the_key(tmp_path, text, fragment):
    path = _project(tmp_path, text)
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert fragment in str(err.value) and str(path) in str(err.value)


def test_missing_input_file_is_named(tmp_path):
    path = _project(tmp_path, "period: 2023-24\nsources:\n  population: data/nothere.csv\n")
    with pytest.raises(ParamsError, match=r"sources.population: .*nothere.csv does not exist"):
        load_params(path)


def test_unknown_area_file(tmp_path):
    path = _project(tmp_path, "period: 2023-24\narea: atlantis\n")
    with pytest.raises(ParamsError, match="atlantis"):
        load_params(path)


def test_project_params_files_validate(chdir_root):
    # The shipped parameter files validate (input files not checked: the demo may not exist yet).
    for year in ("2023-24", "2022-23", "2015-16"):
        p = load_params(year, check_files=False)
        assert p.area.la_code == "E08000026" and p.synthetic
    assert load_params("2015-16", check_files=False).quarter == 4


@pytest.mark.parametrize(("text", "fragment"), [
    ("period: 2023-24\ncomparison: 2023-24\n", "must be a year before"),
    ("period: 2023-24\ncomparison: 2024-25\n", "must be a year before"),
    ("period: 2023-24\nquarter: 2\n", "quarter is for mode 'performance'"),
])
def test_period_rules(tmp_path, text, fragment):
    with pytest.raises(ParamsError, match=fragment):
        load_params(_project(tmp_path, text))


def test_performance_mode_defaults_to_the_report_sections(tmp_path):
    p = load_params(_project(tmp_path, "period: 2015-16\nmode: performance\nquarter: 2\n"))
    assert p.sections == ("00_data_audit", "08_performance", "09_reconciliation")
