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


# --- areas of one or more districts; per-area sources; choosing the area at load time ----------------------

def test_coventry_sources_are_those_of_the_old_defaults(chdir_root):
    # Written out by hand from params/defaults.yaml before the partner extracts moved to the area file:
    # the 2023-24 run must read exactly these inputs.
    old = {
        "police_uk": "data/demo/police_uk",
        "partner_crimes": "data/demo/partner/crimes.csv",
        "police_asb": "data/demo/partner/police_asb.csv",
        "council_asb": "data/demo/partner/council_asb.csv",
        "fly_tipping": "data/demo/partner/fly_tipping.csv",
        "da_referrals": "data/demo/partner/da_referrals.csv",
        "non_crime_incidents": "data/demo/partner/non_crime_incidents.csv",
        "survey": "data/demo/partner/survey.csv",
        "reoffending": "data/demo/partner/reoffending.csv",
        "funding": "data/demo/partner/funding.csv",
        "nrm_referrals": "data/demo/partner/nrm_referrals.csv",
        "most_similar_group": "data/demo/partner/most_similar_group.csv",
        "published_figures": "reference/coventry_published_figures.yaml",
        "lsoa_ward_lookup": "data/demo/ons/lsoa21_to_ward_lookup.csv",
        "population": "data/demo/ons/census2021_ts001_lsoa.csv",
        "population_by_age": "data/demo/ons/census2021_age6_lsoa.csv",
        "mid_year_estimates": "data/demo/ons/mye_single_year_of_age.csv",
        "census_2011": "data/demo/ons/census2011_usual_residents_lad.csv",
        "imd": None,
        "ward_boundaries": None,
        # added since (the computed peer group's inputs), null in defaults.yaml
        "district_lookup": None,
        "land_area": None,
    }
    expected = {k: (None if v is None else chdir_root / v) for k, v in old.items()}
    for year in ("2023-24", "2022-23", "2015-16"):
        p = load_params(year, check_files=False)
        assert p.sources.model_dump() == expected, year
        assert p.area.la_codes == ("E08000026",) and p.area.la_code == "E08000026"
        assert p.area.lsoa_name_prefix == "Coventry " and p.area.city_centre_ward == "E05001228"
    # defaults.yaml itself keeps only the force-wide and national inputs
    import yaml

    defaults = yaml.safe_load((chdir_root / "params" / "defaults.yaml").read_text())["sources"]
    assert set(defaults) == {"police_uk", "lsoa_ward_lookup", "population", "population_by_age", "imd", "ward_boundaries",
                             "district_lookup", "land_area", "mid_year_estimates", "census_2011"}


def _areas_project(tmp_path: Path) -> Path:
    """defaults < area file < year file: each file sets a different mix of sources."""
    path = _project(tmp_path, "period: 2023-24\nsources:\n  funding: data/year_funding.csv\n")
    for f in ("area_survey.csv", "area_funding.csv", "year_funding.csv", "other_survey.csv"):
        (tmp_path / "data" / f).write_text("x\n")
    areas = path.parent / "areas"
    (areas / "testarea.yaml").write_text(
        "name: Testarea\nslug: testarea\nla_code: E08000026\nforce: test-force\n"
        "sources:\n  survey: data/area_survey.csv\n  funding: data/area_funding.csv\n  population: data/pop.csv\n")
    (areas / "other.yaml").write_text(
        "name: Other\nslug: other\nla_codes: [E07000234, E07000235]\nforce: test-force\n"
        "sources:\n  survey: data/other_survey.csv\n")
    return path


def test_sources_merge_defaults_then_area_then_year(tmp_path):
    p = load_params(_areas_project(tmp_path))
    data = tmp_path / "data"
    assert p.sources.police_uk == data / "street.csv"       # defaults only
    assert p.sources.survey == data / "area_survey.csv"      # the area file (relative to the project root)
    assert p.sources.funding == data / "year_funding.csv"    # the year file beats the area file
    assert p.sources.partner_crimes is None                  # nobody set it
    assert p.area.lsoa_name_prefix is None                   # optional now


def test_area_keyword_replaces_the_year_files_area(tmp_path):
    path = _areas_project(tmp_path)
    p = load_params(path, area="other")
    assert p.area.slug == "other" and p.area.la_codes == ("E07000234", "E07000235")
    assert p.sources.survey == tmp_path / "data" / "other_survey.csv"   # that area's own extract
    assert p.sources.funding == tmp_path / "data" / "year_funding.csv"  # the year file still wins
    with pytest.raises(ValueError, match="2 districts"):
        _ = p.area.la_code  # the one-code shorthand is refused for an area of several districts
    assert p.area.codes_text == "E07000234, E07000235"
    path.write_text("period: 2023-24\narea: other\n")
    assert load_params(path, area="testarea").area.slug == "testarea"
    with pytest.raises(ParamsError, match=r"area= names 'atlantis'.*known areas: other, testarea"):
        load_params(path, area="atlantis")
    with pytest.raises(ParamsError, match="'../x'"):
        load_params(path, area="../x")


@pytest.mark.parametrize(("area_text", "fragment"), [
    ("la_code: E08000026\nla_codes: [E08000025]\n", "not both"),
    ("la_codes: []\n", "la_codes"),
    ("la_codes: [E08000026, E08000026]\n", "more than once"),
    ("la_codes: [E05001218]\n", "not a local authority district code"),
    ("la_code: W07000001\n", "not a local authority district code"),
    ("la_code: E10000001\n", "not a local authority district code"),
])
def test_bad_district_codes_name_the_key(tmp_path, area_text, fragment):
    path = _project(tmp_path, "period: 2023-24\n")
    (path.parent / "areas" / "testarea.yaml").write_text(f"name: T\nslug: t\nforce: f\n{area_text}")
    with pytest.raises(ParamsError, match=fragment) as err:
        load_params(path)
    assert "area" in str(err.value) and str(path) in str(err.value)


def _two_district_project(tmp_path: Path) -> Path:
    """A partnership of two districts (E07000234, E07000235) beside a third (E07000236) in one lookup."""
    import csv

    from ccsp_analysis.schemas import POLICE_STREET_HEADER

    def write(path: Path, header, rows):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])

    params = tmp_path / "params"
    (params / "areas").mkdir(parents=True)
    (params / "areas" / "pair.yaml").write_text(
        "name: Pair\nslug: pair\nla_codes:\n  - E07000234\n  - E07000235\nforce: test-police\n")
    (params / "2023-24.yaml").write_text(
        "area: pair\nperiod: 2023-24\nsources:\n  police_uk: data/police\n  lsoa_ward_lookup: data/lookup.csv\n"
        "  population: data/pop.csv\n  mid_year_estimates: data/mye.csv\n  census_2011: data/c2011.csv\n")
    d = tmp_path / "data"
    lookup = [["E01000001", "North 001A", "E05000001", "Alpha", "E07000234", "North"],
              ["E01000002", "North 001B", "E05000002", "Beta", "E07000234", "North"],
              ["E01000003", "South 001A", "E05000003", "Gamma", "E07000235", "South"],
              ["E01000004", "East 001A", "E05000004", "Delta", "E07000236", "East"]]
    write(d / "lookup.csv", ["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"], lookup)
    write(d / "pop.csv", ["total", "2021 super output area - lower layer", "mnemonic"],
          [[1000, "North 001A", "E01000001"], [2000, "North 001B", "E01000002"], [4000, "South 001A", "E01000003"],
           [8000, "East 001A", "E01000004"]])
    street = ["x" * 64, "2023-04", "Test Police", "Test Police", "-1.5", "52.4", "On or near X"]
    write(d / "police" / "2023-04" / "2023-04-test-police-street.csv", POLICE_STREET_HEADER,
          [[*street, code, name, "Burglary", "", ""] for code, name, *_ in lookup])
    write(d / "mye.csv", ["ladcode", "laname", "sex", "age", "population_2023"],
          [["E07000234", "North", "1", "0", "10"], ["E07000234", "North", "2", "0", "20"],
           ["E07000235", "South", "1", "0", "40"], ["E07000236", "East", "1", "0", "80"]])
    write(d / "c2011.csv", ["date", "geography", "geography code", "Variable: All usual residents; measures: Value"],
          [["2011", "North", "E07000234", "2900"], ["2011", "South", "E07000235", "3900"], ["2011", "East", "E07000236", "7900"]])
    return params / "2023-24.yaml"


def test_an_area_of_two_districts_takes_both_districts_small_areas(tmp_path):
    from ccsp_analysis import dataset, measures

    p = load_params(_two_district_project(tmp_path))
    assert p.area.la_codes == ("E07000234", "E07000235")
    data = dataset.build(p)
    # by hand from the lookup written above: three small areas in three wards; East's E01000004 is not ours
    assert sorted(data.geography["lsoa_code"]) == ["E01000001", "E01000002", "E01000003"]
    assert sorted(data.geography["ward_name"]) == ["Alpha", "Beta", "Gamma"]
    assert int(data.population["population"].sum()) == 1000 + 2000 + 4000
    assert len(data.street) == 3  # one crime in each of our small areas; East's is dropped
    # populations summed across the districts: mid-2023 10 + 20 + 40, Census 2011 2900 + 3900
    assert measures.mid_year_total(data, 2023) == 70
    assert int(data.census_2011["population"].item()) == 2900 + 3900
    rates = measures.rates_table(data, p)
    assert rates.iloc[-1]["crimes"] == 3 and rates.iloc[-1].iloc[0] == "E07000234, E07000235"


def test_a_district_missing_from_the_lookup_is_named(tmp_path):
    from ccsp_analysis import dataset
    from ccsp_analysis.errors import DataError

    path = _two_district_project(tmp_path)
    area = path.parent / "areas" / "pair.yaml"
    area.write_text(area.read_text().replace("E07000235", "E07000299"))
    with pytest.raises(DataError, match=r"lookup.csv: no rows for LAD code E07000299\b"):
        dataset.build(load_params(path))


# --- a parameter file anywhere (issue: the analyst's own tools) ------------------------------------

def test_a_params_file_in_a_temporary_folder_merges_the_projects_defaults(chdir_root, tmp_path):
    """Run from the project, a year file kept elsewhere gets defaults.yaml and the area file, as one in params/ does."""
    mine = tmp_path / "mine.yaml"
    mine.write_text("period: 2022-23\n", encoding="utf-8")
    p = load_params(mine, check_files=False)
    in_params = load_params("2022-23", check_files=False)
    assert p.area == in_params.area and p.sources == in_params.sources  # the same merge as params/2022-23.yaml
    assert p.project_dir == chdir_root and p.params_file == mine.resolve()


def test_defaults_named_explicitly_from_outside_any_project(root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no params/defaults.yaml here or above
    mine = tmp_path / "mine.yaml"
    mine.write_text("period: 2023-24\nsources:\n  funding: my/funding.csv\n", encoding="utf-8")
    p = load_params(mine, check_files=False, defaults=root / "params" / "defaults.yaml")
    assert p.area.slug == "coventry" and p.project_dir == root
    assert p.sources.police_uk == root / "data" / "demo" / "police_uk"  # the defaults' path: relative to the project
    assert p.sources.funding == tmp_path / "my" / "funding.csv"  # the file's own path: relative to its folder
    with pytest.raises(ParamsError, match="--defaults .*no such file"):
        load_params(mine, check_files=False, defaults=tmp_path / "nope.yaml")


def test_one_typo_in_a_file_elsewhere_is_one_error_line(chdir_root, tmp_path):
    """Before, a file outside params/ got no defaults, so a typo came with four 'required key is missing' lines."""
    mine = tmp_path / "typo.yaml"
    mine.write_text("period: 2023-24\ndisclosure_treshold: 10\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(mine, check_files=False)
    lines = [ln for ln in str(err.value).splitlines() if ln.startswith("  ")]
    assert lines == ["  disclosure_treshold: unknown key (check the spelling; see params/defaults.yaml for the known keys)"]


def test_missing_inputs_hint_fits_the_path(chdir_root, tmp_path):
    mine = tmp_path / "real.yaml"
    mine.write_text("period: 2023-24\nsources:\n  police_uk: raw/police\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(mine)
    text = str(err.value)
    line = next(ln for ln in text.splitlines() if "sources.police_uk" in ln)
    assert str(tmp_path / "raw" / "police") in line and f"named in {mine.resolve()}" in line
    assert "ccsp data demo" not in line  # the user's own files: not the demo hint
    demo = tmp_path / "demo.yaml"
    demo.write_text("period: 2023-24\nsources:\n  police_uk: " + str(chdir_root / "data" / "demo" / "nothing") + "\n",
                    encoding="utf-8")
    with pytest.raises(ParamsError, match=r"sources.police_uk: .*nothing does not exist \(demo data: run `ccsp data demo`"):
        load_params(demo)


def test_a_year_is_found_from_inside_the_project_and_refused_clearly_outside(chdir_root, tmp_path, monkeypatch):
    monkeypatch.chdir(chdir_root / "notebooks")
    assert load_params("2023-24", check_files=False).params_file == chdir_root / "params" / "2023-24.yaml"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParamsError, match=r"no params/defaults.yaml in .* or any folder above it: run ccsp from the project"):
        load_params("2023-24", check_files=False)
