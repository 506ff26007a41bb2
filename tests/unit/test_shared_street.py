"""Reading a force's street files once for several partnerships gives each the rows and drop log of its own read.

The reference is the reader itself called for one area alone (``read_street_with_log``), an
independent path through the files: the shared read must give the same frame and drop log.
"""

from pathlib import Path

import pandas as pd
import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.sources.police_uk import (
    MALFORMED_LSOA,
    NO_LSOA,
    OUTSIDE_AREA,
    read_street_with_log,
    street_for_area,
)
from tests.unit.test_police_uk import write_month

A = [("E01009522", "Coventry 014A", "Burglary"), ("E01009523", "Coventry 010A", "Anti-social behaviour")]
B = [("E01033620", "Birmingham 138A", "Drugs"), ("E01033621", "Birmingham 138B", "Robbery")]
ELSEWHERE = [("E01031000", "Rugby 001A", "Robbery")]
ODD = [("", "", "Burglary"), ("NOTACODE1", "Nowhere", "Drugs"), ("   ", "", "Robbery")]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "police"
    write_month(root, "2023-04", "west-midlands", [A[0], B[0], *ODD, A[1], *ELSEWHERE, B[1], A[0]])
    write_month(root, "2023-05", "west-midlands", [B[0], B[1], A[1]])  # A's only row here is ASB
    write_month(root, "2023-06", "west-midlands", [B[0], *ODD])  # nothing of A: every row dropped
    write_month(root, "2023-05", "warwickshire", [A[0]])  # another force: never read
    return root


def _same(tree: Path, codes: list[str], union: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    shared = read_street_with_log(tree, lsoa_codes=union, forces=["west-midlands"])
    got = street_for_area(*shared, codes, source=tree)
    want = read_street_with_log(tree, lsoa_codes=codes, forces=["west-midlands"])
    pd.testing.assert_frame_equal(got[0], want[0])
    pd.testing.assert_frame_equal(got[1], want[1])
    return got


def test_each_area_gets_its_own_reads_rows_and_drop_log(tree):
    a, b = [c for c, _, _ in A], [c for c, _, _ in B]
    frame, drops = _same(tree, a, a + b)
    assert len(frame) == 4  # 2023-04: three rows of A; 2023-05: one
    # by hand, 2023-04 (9 rows): A 3 kept; "" and "   " have no code; NOTACODE1 malformed; B 2 + Rugby 1 outside
    april = drops[drops["source_file"] == "2023-04-west-midlands-street.csv"]
    assert list(zip(april["reason"], april["rows"], strict=True)) == [(NO_LSOA, 2), (MALFORMED_LSOA, 1), (OUTSIDE_AREA, 3)]
    _same(tree, b, a + b)
    _same(tree, a, a + b + [c for c, _, _ in ELSEWHERE])  # a third area of the batch


def test_an_area_with_no_rows_fails_as_its_own_read_does(tree):
    shared = read_street_with_log(tree, lsoa_codes=["E01009522", "E01033620"], forces=["west-midlands"])
    # 9 + 3 + 4 rows in the force's three files, none of them in the area
    with pytest.raises(DataError, match="none of the 16 rows is in the requested area"):
        street_for_area(*shared, ["E01099999"], source=tree)
    with pytest.raises(DataError, match="none of the 16 rows is in the requested area"):
        read_street_with_log(tree, lsoa_codes=["E01099999"], forces=["west-midlands"])


def test_the_demo_force_files_split_between_two_areas(demo_dir, tmp_path):
    """Two years of the demo's force files (all seven districts' rows and their quirks); the shared read for
    two of its partnerships (Coventry and Solihull) is split between them."""
    lookup = pd.read_csv(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv")
    areas = {lad: sorted(lookup.loc[lookup["LAD22NM"] == lad, "LSOA21CD"].unique()) for lad in ("Coventry", "Solihull")}
    assert all(len(codes) > 100 for codes in areas.values())
    source = tmp_path / "police_uk"
    source.mkdir()
    months = sorted(p.name for p in (demo_dir / "police_uk").iterdir())[-24:]
    for month in months:
        (source / month).mkdir()
        for path in (demo_dir / "police_uk" / month).glob("*-street.csv"):
            (source / month / path.name).symlink_to(path)
    shared = read_street_with_log(source, lsoa_codes=sorted(c for cs in areas.values() for c in cs),
                                  forces=["west-midlands"])
    for part in areas.values():
        got = street_for_area(*shared, part, source=source)
        want = read_street_with_log(source, lsoa_codes=part, forces=["west-midlands"])
        assert len(want[0]) > 20_000  # each has tens of thousands of rows in two years
        pd.testing.assert_frame_equal(got[0], want[0])
        pd.testing.assert_frame_equal(got[1], want[1])


@pytest.mark.slow  # four builds of the demo dataset (about 45 s)
def test_a_batchs_datasets_built_from_one_read_equal_their_own_builds(root, demo_dir, tmp_path, monkeypatch):
    """Two partnerships of the demo force (the second a copy of Coventry under another slug): the shared
    read is made once and each dataset built from it equals the dataset built from the files."""
    import shutil

    from ccsp_analysis import dataset
    from ccsp_analysis.params import load_params

    proj = tmp_path / "proj"
    shutil.copytree(root / "params", proj / "params")
    shutil.copytree(root / "reference", proj / "reference")
    (proj / "params" / "areas" / "twin.yaml").write_text(
        (proj / "params" / "areas" / "coventry.yaml").read_text().replace("slug: coventry", "slug: twin"))
    (proj / "data").symlink_to(demo_dir.parent)
    monkeypatch.setenv("CCSP_CACHE_DIR", str(tmp_path / "cache"))
    areas = [load_params(proj / "params" / "2023-24.yaml", area=a) for a in ("coventry", "twin")]
    shared = dataset.shared_street(areas)
    assert set(shared) == {"coventry", "twin"} and shared["coventry"] == shared["twin"]
    assert shared["coventry"].parent == tmp_path / "cache" / dataset.STREET_DIR
    for params in areas:
        own, from_shared = dataset.build(params), dataset.build(params, street=shared[params.area.slug])
        assert own.tables.keys() == from_shared.tables.keys()
        for name in own.tables:
            pd.testing.assert_frame_equal(own.tables[name], from_shared.tables[name], obj=name)
    # once a partnership's dataset is cached it needs no read: a batch of it and one other shares nothing
    dataset.load(areas[0])
    assert dataset.shared_street(areas) == {}


def test_the_shared_read_kept_in_arrow_gives_each_area_its_own_read(tree, tmp_path):
    """The batch's shared read as written to the cache (sorted by small area, small row groups) and read back
    for one area at a time: the same rows in the same order and the same drop log as the area's own read."""
    from ccsp_analysis import dataset
    from ccsp_analysis.sources.police_uk import read_street_table_with_log

    a, b = [c for c, _, _ in A], [c for c, _, _ in B]
    table, drops = read_street_table_with_log(tree, lsoa_codes=a + b, forces=["west-midlands"])
    dataset._write_shared(table, drops, tmp_path)
    for codes in (a, b):
        got = dataset._read_shared(tmp_path, codes, tree)
        want = read_street_with_log(tree, lsoa_codes=codes, forces=["west-midlands"])
        pd.testing.assert_frame_equal(got[0], want[0])
        pd.testing.assert_frame_equal(got[1], want[1])
    with pytest.raises(DataError, match="none of the 16 rows is in the requested area"):
        dataset._read_shared(tmp_path, ["E01099999"], tree)
