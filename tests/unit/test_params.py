from pathlib import Path

import pytest
from pydantic import ValidationError

from ccsp_analysis.demo.manifest import MANIFEST_NAME, synthetic_sources, write_manifest
from ccsp_analysis.errors import ParamsError
from ccsp_analysis.params import is_synthetic, load_params


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


def test_project_params_files_validate(chdir_root, demo_dir):
    # The shipped parameter files validate (input files not checked); they point at the demo data
    # and do not set `synthetic`, so the label follows the data: synthetic.
    for year in ("2023-24", "2022-23", "2015-16"):
        p = load_params(year, check_files=False)
        assert p.area.la_code == "E08000026" and p.synthetic and is_synthetic(p)
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


# --- synthetic label: follows the data; `synthetic: false` over demo inputs is refused -------------------

def _demo_project(root: Path, demo_dir: Path, tmp_path: Path, year_text: str) -> Path:
    """The project's parameter files over the project's demo data (data/ is a link), with ``year_text`` as 2023-24."""
    import shutil

    proj = tmp_path / "proj"
    shutil.copytree(root / "params", proj / "params")
    shutil.copytree(root / "reference", proj / "reference")
    (proj / "data").symlink_to(demo_dir.parent)
    (proj / "params" / "2023-24.yaml").write_text(year_text)
    return proj / "params" / "2023-24.yaml"


def test_synthetic_false_over_the_demo_data_is_refused(root, demo_dir, tmp_path):
    path = _demo_project(root, demo_dir, tmp_path, "period: 2023-24\nsynthetic: false\n")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    text = str(err.value)
    assert str(path) in text and "key 'synthetic' is false" in text  # the file and the key
    # every demo input is named with its path and why it is synthetic (the manifest that lists it)
    for key, file in (("police_uk", "police_uk"), ("partner_crimes", "crimes.csv"), ("lsoa_ward_lookup", "lsoa21_to_ward_lookup.csv")):
        assert f"sources.{key}: " in text and file in text
    assert MANIFEST_NAME in text
    assert "sources.published_figures" not in text  # reference/ is not demo data
    assert "remove `synthetic: false`" in text and "point these sources at real data" in text  # what to do


def test_demo_inputs_without_the_key_are_synthetic(root, demo_dir, tmp_path):
    p = load_params(_demo_project(root, demo_dir, tmp_path, "period: 2023-24\n"))
    assert p.synthetic is True and is_synthetic(p)


def _real_looking(tmp_path: Path, year_text: str, lookup_code: str = "E01000001") -> Path:
    """A tiny project whose lookup uses ONS codes (or ``lookup_code``) and that has no manifest."""
    path = _project(tmp_path, year_text)
    (tmp_path / "data" / "lookup.csv").write_text(
        "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        f"{lookup_code},Testarea 001A,E05001218,Bablake,E08000026,Coventry\n"
        "E01000002,Testarea 001B,E05001218,Bablake,E08000026,Coventry\n")
    return path


def test_real_looking_inputs_are_not_synthetic(tmp_path):
    p = load_params(_real_looking(tmp_path, "period: 2023-24\n"))
    assert p.synthetic is False and not is_synthetic(p)
    assert load_params(_real_looking(tmp_path / "b", "period: 2023-24\nsynthetic: false\n")).synthetic is False


def test_synthetic_true_is_an_override_that_only_turns_the_label_on(tmp_path):
    # your own test data, with ONS-looking codes and no manifest, can still be labelled synthetic
    p = load_params(_real_looking(tmp_path, "period: 2023-24\nsynthetic: true\n"))
    assert p.synthetic is True and is_synthetic(p)


def test_x01_codes_without_a_manifest_are_synthetic(tmp_path):
    path = _real_looking(tmp_path, "period: 2023-24\n", lookup_code="X01000001")
    assert load_params(path).synthetic is True
    path.write_text("period: 2023-24\nsynthetic: false\n")
    with pytest.raises(ParamsError, match=r"(?s)key 'synthetic' is false.*sources.lsoa_ward_lookup: .*lookup.csv .*X01"):
        load_params(path)


def test_key_set_false_in_defaults_is_named(tmp_path):
    defaults = ("area: testarea\nsynthetic: false\nsources:\n  police_uk: data/street.csv\n"
                "  lsoa_ward_lookup: data/lookup.csv\n  population: data/pop.csv\n")
    path = _project(tmp_path, "period: 2023-24\n", defaults=defaults)
    write_manifest(tmp_path / "data", {"generator": "test"})  # the whole data folder becomes demo data
    with pytest.raises(ParamsError, match=r"set in .*defaults.yaml"):
        load_params(path)


def test_manifest_lists_the_files_it_marks(tmp_path):
    demo = tmp_path / "demo"
    (demo / "police" / "2023-04").mkdir(parents=True)
    (demo / "police" / "2023-04" / "street.csv").write_text("x\n")
    (demo / "crimes.csv").write_text("x\n")
    write_manifest(demo, {"generator": "test"})
    (demo / "mine.csv").write_text("a user's own file, copied in after the demo was written\n")
    (tmp_path / "link.csv").symlink_to(demo / "crimes.csv")
    found = synthetic_sources({"police_uk": demo / "police", "partner_crimes": demo / "crimes.csv",
                               "survey": demo / "mine.csv", "funding": tmp_path / "link.csv",
                               "reoffending": demo / "absent.csv", "imd": None})
    # a folder holding listed files, a listed file, a link to a listed file; not the unlisted or absent ones
    assert list(found) == ["police_uk", "partner_crimes", "funding"]
    assert all(str(demo / MANIFEST_NAME) in why for why in found.values())


def test_an_older_manifest_without_a_file_list_marks_its_whole_folder(tmp_path):
    (tmp_path / "ons").mkdir()
    (tmp_path / "ons" / "lookup.csv").write_text("x\n")
    (tmp_path / MANIFEST_NAME).write_text('{"synthetic": true, "files": {"lsoa_ward_lookup": "ons/lookup.csv"}}')
    assert list(synthetic_sources({"population": tmp_path / "ons" / "lookup.csv"})) == ["population"]
    (tmp_path / MANIFEST_NAME).write_text('{"synthetic": false}')  # not a demo manifest
    assert synthetic_sources({"population": tmp_path / "ons" / "lookup.csv"}) == {}


def test_detection_is_cheap(chdir_root, demo_dir):
    # it runs on every `ccsp run` (a warm run takes about a second in all): no table is read
    import time

    sources = load_params("2023-24").sources.model_dump()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        found = synthetic_sources(sources)
        times.append(time.perf_counter() - start)
    assert len(found) == 17  # every demo input (not the published figures in reference/)
    assert sorted(times)[2] < 0.05, times
