"""``ccsp area add``: area files from ONS lookups (area_setup), on the demo lookup, tiny hand-made lookups
and the real national lookups. Expected counts are counted independently with the csv module."""

from __future__ import annotations

import csv
import gzip
import os
from pathlib import Path

import pytest
import yaml

from ccsp_analysis.area_setup import AreaError, add_area, slugify
from ccsp_analysis.errors import DataError
from ccsp_analysis.params import load_params
from tests.conftest import SHARED_DATA, ccsp

LOOKUP_HEADER = ["FID", "LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM", "LAD19CD", "LAD19NM"]
# a tiny best-fit lookup in the ONS layout: North (2 wards, 3 small areas), South (1 ward, 1), East (1, 1)
TINY = [["1", "E01000001", "North 001A", "E05000001", "Alpha", "E07000234", "North"],
        ["2", "E01000002", "North 001B", "E05000001", "Alpha", "E07000234", "North"],
        ["3", "E01000003", "North 002A", "E05000002", "Beta", "E07000234", "North"],
        ["4", "E01000004", "South 001A", "E05000003", "Gamma", "E07000235", "South"],
        ["5", "E01000005", "East 001A", "E05000004", "Delta", "E07000236", "East"]]


def _write(path: Path, header, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture()
def tiny(tmp_path) -> Path:
    return _write(tmp_path / "lookup.csv", LOOKUP_HEADER, TINY)


@pytest.fixture()
def project(tmp_path, demo_dir) -> Path:
    """A project whose defaults point at the demo data (so the default lookup is the demo's) and a year file."""
    params = tmp_path / "proj" / "params"
    (params / "areas").mkdir(parents=True)
    ons = demo_dir / "ons"
    (params / "defaults.yaml").write_text(
        f"sources:\n  police_uk: {demo_dir / 'police_uk'}\n  lsoa_ward_lookup: {ons / 'lsoa21_to_ward_lookup.csv'}\n"
        f"  population: {ons / 'census2021_ts001_lsoa.csv'}\n")
    (params / "2023-24.yaml").write_text("period: 2023-24\n")
    return params


def _count(path: Path, lad_col: str, lsoa_col: str, ward_col: str | None, codes: set[str]) -> tuple[int | None, int]:
    """Distinct wards and small areas of ``codes`` in a lookup, read with csv (and gzip): the independent count."""
    opener = gzip.open if path.suffix == ".gz" else open
    wards, lsoas = set(), set()
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row[lad_col] in codes:
                lsoas.add(row[lsoa_col])
                if ward_col:
                    wards.add(row[ward_col])
    return (len(wards) if ward_col else None), len(lsoas)


def test_coventry_from_the_demo_lookup(project, demo_dir):
    wards, lsoas = _count(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv", "LAD22CD", "LSOA21CD", "WD22CD", {"E08000026"})
    assert (wards, lsoas) == (18, 193)  # the demo's 18 real wards (docs/data.md); 193 synthetic small areas
    path, resolved = add_area(["E08000026"], name="Coventry", force="west-midlands", params_dir=project,
                              city_centre_ward="E05001228")
    assert path == project / "areas" / "coventry.yaml"
    assert (resolved.wards, resolved.small_areas) == (wards, lsoas)
    text = path.read_text()
    assert f"E08000026 Coventry: {wards} wards, {lsoas} small areas" in text
    assert "lsoa21_to_ward_lookup.csv" in text and "LSOA21CD" in text and "WD22CD" in text
    assert yaml.safe_load(text) == {"name": "Coventry", "slug": "coventry", "la_codes": ["E08000026"],
                                    "force": "west-midlands", "city_centre_ward": "E05001228"}
    p = load_params(project / "2023-24.yaml", area="coventry")
    assert p.area.la_codes == ("E08000026",) and p.area.force == "west-midlands" and p.area.city_centre_ward == "E05001228"


def test_several_districts(tiny, tmp_path):
    params = tmp_path / "params"
    path, resolved = add_area(["E07000234", "e07000235"], name="North & South", force="test-force",
                              params_dir=params, lookup=tiny)
    assert path == params / "areas" / "north-south.yaml"
    # by hand from TINY: North 2 wards, 3 small areas; South 1 ward, 1 small area; together 3 and 4
    assert [(d.code, d.name, d.wards, d.small_areas) for d in resolved.districts] == [
        ("E07000234", "North", 2, 3), ("E07000235", "South", 1, 1)]
    assert (resolved.wards, resolved.small_areas) == (3, 4)
    text = path.read_text()
    assert "E07000234 North: 2 wards, 3 small areas" in text and "the area: 3 wards, 4 small areas" in text
    assert yaml.safe_load(text)["la_codes"] == ["E07000234", "E07000235"]


def test_a_lookup_without_wards_counts_small_areas(tmp_path):
    # the layout of lsoa11_lsoa21_lad22_lookup_EW: two LSOA vintages (the latest is used), no ward; an LSOA21
    # made of two LSOA11s appears twice but is one small area
    lookup = _write(tmp_path / "l.csv", ["ObjectId", "LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "LAD22CD", "LAD22NM", "LAD22NMW"],
                    [["1", "E01000001", "N 1A", "E01000001", "N 1A", "E07000234", "North", ""],
                     ["2", "E01000002", "N 1B", "E01099999", "N 1E", "E07000234", "North", ""],
                     ["3", "E01000003", "N 1C", "E01099999", "N 1E", "E07000234", "North", ""]])
    path, resolved = add_area(["E07000234"], name="North", force="f", params_dir=tmp_path / "params", lookup=lookup)
    assert resolved.wards is None and resolved.small_areas == 2
    assert "no wards in this lookup, 2 small areas" in path.read_text() and "LSOA21CD" in path.read_text()
    with pytest.raises(AreaError, match="no ward column, so the ward cannot be checked"):
        add_area(["E07000234"], name="North", force="f", params_dir=tmp_path / "params", lookup=lookup,
                 overwrite=True, city_centre_ward="E05000001")


@pytest.mark.parametrize("code", ["E05001228", "E01009526", "E10000001", "W07000001", "coventry", "E0800002", "E080000261"])
def test_a_code_not_of_the_district_pattern(tiny, tmp_path, code):
    with pytest.raises(AreaError, match=f"'{code}' is not a local authority district code: expected E06, E07, E08, E09 or W06"):
        add_area([code], name="X", force="f", params_dir=tmp_path / "params", lookup=tiny)
    assert not (tmp_path / "params").exists()  # nothing written


def test_a_code_absent_from_the_lookup_names_the_lookup_and_a_similar_code(tiny, tmp_path):
    with pytest.raises(AreaError) as err:
        add_area(["E07000243"], name="X", force="f", params_dir=tmp_path / "params", lookup=tiny)
    text = str(err.value)
    assert "district E07000243 is not in the lookup" in text and str(tiny) in text and "LAD19CD" in text
    assert "did you mean E07000234 (North)?" in text  # two neighbouring digits swapped
    with pytest.raises(AreaError) as err:
        add_area(["E09000033"], name="X", force="f", params_dir=tmp_path / "params", lookup=tiny)
    assert "not in the lookup" in str(err.value) and "did you mean" not in str(err.value)


def test_a_missing_lookup(project, tmp_path, monkeypatch):
    with pytest.raises(AreaError, match=r"--lookup: .*nowhere.csv does not exist"):
        add_area(["E08000026"], name="X", force="f", params_dir=project, lookup=tmp_path / "nowhere.csv")
    (project / "defaults.yaml").write_text("sources:\n  lsoa_ward_lookup: data/absent.csv\n")
    with pytest.raises(AreaError, match=r"the default lookup \(sources.lsoa_ward_lookup of .*defaults.yaml\): .*absent.csv does not exist"):
        add_area(["E08000026"], name="X", force="f", params_dir=project)


def test_a_file_that_is_not_an_ons_lookup_names_the_missing_columns(tmp_path):
    no_lad = _write(tmp_path / "derived.csv", ["LSOA21CD", "LSOA21NM", "WD_CD", "WD_NM"],
                    [["E01000001", "N 1A", "E05000001", "Alpha"]])
    with pytest.raises(DataError, match=r"derived.csv, line 1: is not an ONS lookup .*no column LADyyCD \(e.g. LAD22CD\).*found columns: LSOA21CD, LSOA21NM, WD_CD, WD_NM"):
        add_area(["E07000234"], name="X", force="f", params_dir=tmp_path / "params", lookup=no_lad)
    population = _write(tmp_path / "pop.csv", ["total", "mnemonic"], [["5", "E01000001"]])
    with pytest.raises(DataError, match=r"no column LSOAyyCD \(e.g. LSOA21CD\) and no column LADyyCD"):
        add_area(["E07000234"], name="X", force="f", params_dir=tmp_path / "params", lookup=population)
    bad = _write(tmp_path / "bad.csv", LOOKUP_HEADER, [*TINY, ["6", "E01000006", "N", "E05000001", "Alpha", "Northshire", "N"]])
    with pytest.raises(DataError, match=r"bad.csv, line 7, column 'LAD19CD'"):
        add_area(["E07000234"], name="X", force="f", params_dir=tmp_path / "params", lookup=bad)


def test_an_existing_file_needs_overwrite(tiny, tmp_path):
    params = tmp_path / "params"
    first, _ = add_area(["E07000234"], name="North", force="f", params_dir=params, lookup=tiny)
    with pytest.raises(AreaError, match=r"north.yaml already exists; choose another --slug, or add --overwrite"):
        add_area(["E07000235"], name="North", force="f", params_dir=params, lookup=tiny)
    assert yaml.safe_load(first.read_text())["la_codes"] == ["E07000234"]  # kept
    add_area(["E07000235"], name="North", force="f", params_dir=params, lookup=tiny, overwrite=True)
    assert yaml.safe_load(first.read_text())["la_codes"] == ["E07000235"]


def test_a_city_centre_ward_outside_the_area(tiny, tmp_path):
    with pytest.raises(AreaError, match=r"--city-centre-ward E05000004 is not a ward of E07000234, E07000235"):
        add_area(["E07000234", "E07000235"], name="X", force="f", params_dir=tmp_path / "params", lookup=tiny,
                 city_centre_ward="E05000004")  # Delta is East's ward
    _, resolved = add_area(["E07000234", "E07000235"], name="X", force="f", params_dir=tmp_path / "params",
                           lookup=tiny, city_centre_ward="E05000003")
    assert resolved.area.city_centre_ward == "E05000003"


def test_slugs_and_other_arguments(tiny, tmp_path):
    assert slugify("Brighton & Hove") == "brighton-hove" and slugify("  Coventry ") == "coventry"
    with pytest.raises(AreaError, match="--slug"):
        add_area(["E07000234"], name="X", force="f", slug="../up", params_dir=tmp_path / "params", lookup=tiny)
    with pytest.raises(AreaError, match="give one with --slug"):
        add_area(["E07000234"], name="???", force="f", params_dir=tmp_path / "params", lookup=tiny)
    with pytest.raises(AreaError, match="--force 'West Midlands'"):
        add_area(["E07000234"], name="X", force="West Midlands", params_dir=tmp_path / "params", lookup=tiny)
    with pytest.raises(AreaError, match="E07000234 is given twice"):
        add_area(["E07000234", "E07000234"], name="X", force="f", params_dir=tmp_path / "params", lookup=tiny)


# --- the real national lookups (../shared/data/lookups) ----------------------------------------------------

@pytest.fixture(scope="module")
def lookups() -> Path:
    for base in (SHARED_DATA, Path(os.environ.get("CCSP_SHARED_DATA", "/nonexistent"))):
        if (base / "lookups").is_dir():
            return base / "lookups"
    pytest.skip(f"real ONS lookups not present at {SHARED_DATA / 'lookups'} (or $CCSP_SHARED_DATA/lookups)")


@pytest.mark.shared_data
@pytest.mark.parametrize(("file", "lad", "lsoa", "ward"), [
    ("lsoa11_to_ward2019_lad2019_bestfit_EW.csv.gz", "LAD19CD", "LSOA11CD", "WD19CD"),
    ("lsoa11_lsoa21_lad22_lookup_EW.csv.gz", "LAD22CD", "LSOA21CD", None),
])
def test_birmingham_from_the_national_lookup(lookups, tmp_path, file, lad, lsoa, ward):
    path = lookups / file
    if not path.is_file():
        pytest.skip(f"{path} not present")
    wards, lsoas = _count(path, lad, lsoa, ward, {"E08000025"})
    assert lsoas > 600 and (ward is None or wards > 60)  # Birmingham is England's largest district
    target, resolved = add_area(["E08000025"], name="Birmingham", force="west-midlands",
                                params_dir=tmp_path / "params", lookup=path)
    assert (resolved.wards, resolved.small_areas) == (wards, lsoas)
    assert resolved.districts[0].name == "Birmingham"
    text = target.read_text()
    assert file in text and f"E08000025 Birmingham: {f'{wards} wards' if ward else 'no wards in this lookup'}, {lsoas} small areas" in text


@pytest.mark.shared_data
def test_a_typo_against_the_national_lookup_suggests_the_code(lookups, tmp_path):
    path = lookups / "lsoa11_to_ward2019_lad2019_bestfit_EW.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} not present")
    with pytest.raises(AreaError, match=r"did you mean E08000025 \(Birmingham\)"):
        add_area(["E08000052"], name="B", force="west-midlands", params_dir=tmp_path / "params", lookup=path)


# --- the command ------------------------------------------------------------------------------------------

def test_the_command(tiny, tmp_path, root):
    params = tmp_path / "params"
    proc = ccsp("area", "add", "E07000234", "E07000235", "--name", "North and South", "--force", "test-force",
                "--lookup", str(tiny), "--params-dir", str(params), "--city-centre-ward", "E05000002", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "North and South: 2 district(s), 3 wards, 4 small areas" in proc.stdout
    target = params / "areas" / "north-and-south.yaml"
    assert proc.stdout.strip().endswith(str(target)) and target.is_file()
    again = ccsp("area", "add", "E07000234", "--name", "North and South", "--force", "test-force",
                 "--lookup", str(tiny), "--params-dir", str(params), cwd=root)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    bad = ccsp("area", "add", "E05000001", "--name", "X", "--force", "f", "--lookup", str(tiny),
               "--params-dir", str(params), cwd=root)
    assert bad.returncode == 2 and bad.stderr.startswith("error: 'E05000001' is not a local authority district code")
    missing = ccsp("area", "add", "E07000234", "--name", "X", "--force", "f", "--lookup", str(tmp_path / "no.csv"),
                   "--params-dir", str(params), cwd=root)
    assert missing.returncode == 2 and "no.csv does not exist" in missing.stderr and "Traceback" not in missing.stderr
