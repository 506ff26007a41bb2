"""dataset.build / load on a tiny hand-made project: every count below is counted by hand from the rows written here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ccsp_analysis import dataset
from ccsp_analysis.errors import DataError
from ccsp_analysis.params import load_params
from ccsp_analysis.schemas import CRIME_FLAGS, PARTNER_CRIMES, POLICE_STREET_HEADER


def _write(path: Path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _street(crime_id, lsoa, name, ctype):
    return [crime_id, "2023-04", "Test Police", "Test Police", "-1.5", "52.4", "On or near X", lsoa, name, ctype, "", ""]


def _crime(ref, lsoa, code, group):
    row = {c: "" for c in PARTNER_CRIMES.names}
    row.update({"crime_ref": ref, "date": "2023-04-10", "hour": "21", "ho_code": code, "ho_group": group, "lsoa_code": lsoa})
    row.update({f: "0" for f in CRIME_FLAGS})
    return [row[c] for c in PARTNER_CRIMES.names]


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "params" / "areas").mkdir(parents=True)
    (tmp_path / "params" / "areas" / "town.yaml").write_text(
        "name: Town\nslug: town\nla_code: E08000026\nlsoa_name_prefix: 'Town '\nforce: test-police\n")
    (tmp_path / "params" / "2023-24.yaml").write_text(
        "area: town\nperiod: 2023-24\nsources:\n  police_uk: data/police\n  partner_crimes: data/crimes.csv\n"
        "  lsoa_ward_lookup: data/lookup.csv\n  population: data/pop.csv\n")
    d = tmp_path / "data"
    _write(d / "lookup.csv", ["LSOA21CD", "LSOA21NM", "WD22CD", "WD22NM", "LAD22CD", "LAD22NM"],
           [["X01000001", "Town 001A", "E05000001", "Alpha", "E08000026", "Town"],
            ["X01000002", "Town 001B", "E05000001", "Alpha", "E08000026", "Town"],
            ["X01000003", "Town 002A", "E05000002", "Beta", "E08000026", "Town"]])
    _write(d / "pop.csv", ["total", "2021 super output area - lower layer", "mnemonic"],
           [[1500, "Town 001A", "X01000001"], [1600, "Town 001B", "X01000002"], [1700, "Town 002A", "X01000003"]])
    _write(d / "police" / "2023-04" / "2023-04-test-police-street.csv", POLICE_STREET_HEADER, [
        _street("a" * 64, "X01000001", "Town 001A", "Shoplifting"),
        _street("b" * 64, "X01000001", "Town 001A", "Burglary"),
        _street("", "X01000003", "Town 002A", "Anti-social behaviour"),
        _street("c" * 64, "X01900001", "Elsewhere 001A", "Burglary"),   # outside the area
        _street("d" * 64, "", "", "Public order"),                       # no location
    ])
    _write(d / "crimes.csv", PARTNER_CRIMES.names, [
        _crime("1", "X01000001", "46", "Shoplifting"), _crime("2", "X01000001", "28E", "Burglary"),
        _crime("3", "X01900001", "28E", "Burglary")])                   # outside the area
    return tmp_path


def test_build_counts(project):
    data = dataset.build(load_params(project / "params" / "2023-24.yaml"))
    assert len(data.crimes) == 2  # partner rows 1 and 2; row 3 is outside the area
    assert set(data.crimes["ward_name"]) == {"Alpha"} and set(data.crimes["fy"]) == {"2023-24"}
    assert len(data.asb) == 1 and data.asb["ward_name"].item() == "Beta"
    assert int(data.population["population"].sum()) == 4800
    dropped = data.audit[data.audit["rows_dropped"] > 0].groupby("source")["rows_dropped"].sum().to_dict()
    assert dropped == {"partner_crimes": 1, "police_uk": 2}  # 1 outside the area + 1 with no location


def test_load_caches_and_rebuilds_on_change(project, monkeypatch):
    monkeypatch.setenv("CCSP_CACHE_DIR", str(project / "cache"))
    params = load_params(project / "params" / "2023-24.yaml")
    first = dataset.load(params)
    monkeypatch.setattr(dataset, "build", lambda *a, **k: pytest.fail("built again although nothing changed"))
    again = dataset.load(params)
    assert again.key == first.key and len(again.crimes) == 2
    monkeypatch.undo()
    monkeypatch.setenv("CCSP_CACHE_DIR", str(project / "cache"))
    with open(project / "data" / "crimes.csv", "a", newline="") as fh:
        csv.writer(fh).writerow(_crime("4", "X01000002", "46", "Shoplifting"))
    changed = dataset.load(params)
    assert changed.key != first.key and len(changed.crimes) == 3


def test_lookup_without_the_area_is_an_error(project):
    text = (project / "params" / "areas" / "town.yaml").read_text().replace("E08000026", "E08000099")
    (project / "params" / "areas" / "town.yaml").write_text(text)
    with pytest.raises(DataError, match="lookup"):
        dataset.build(load_params(project / "params" / "2023-24.yaml"))


def test_synthetic_inputs(project):
    from ccsp_analysis.demo.manifest import write_manifest

    params = load_params(project / "params" / "2023-24.yaml")
    # no manifest: only the lookup is synthetic, by its X01 codes (written in the fixture above)
    assert dataset.synthetic_inputs(params) == ["lsoa_ward_lookup"]
    # a manifest in data/ marks every input it lists; the lookup is named once
    write_manifest(project / "data", {"generator": "test"})
    assert dataset.synthetic_inputs(params) == ["police_uk", "partner_crimes", "lsoa_ward_lookup", "population"]


def test_a_damaged_cache_is_detected_and_rebuilt_with_a_warning(project, monkeypatch, caplog):
    monkeypatch.setenv("CCSP_CACHE_DIR", str(project / "cache"))
    params = load_params(project / "params" / "2023-24.yaml")
    first = dataset.load(params)
    table = project / "cache" / first.key / "crimes.parquet"
    table.write_bytes(table.read_bytes()[:-40] + b"\0" * 40)  # a damaged file, same size
    with caplog.at_level("WARNING", logger="ccsp_analysis.dataset"):
        again = dataset.load(params)
    assert len(again.crimes) == 2 and "crimes.parquet does not match its checksum" in caplog.text
    # rebuilt in place: the next load reads the cache again without a warning
    caplog.clear()
    monkeypatch.setattr(dataset, "build", lambda *a, **k: pytest.fail("built again although the cache is whole"))
    assert len(dataset.load(params).crimes) == 2 and "cannot be used" not in caplog.text
    assert not list((project / "cache").glob(".build-*")) and not list((project / "cache").glob(".old-*"))


def test_hash_store_is_written_whole_with_no_temporary_file_left(project, monkeypatch):
    monkeypatch.setenv("CCSP_CACHE_DIR", str(project / "cache"))
    dataset.identify(load_params(project / "params" / "2023-24.yaml"))
    store = project / "cache" / "input-hashes.json"
    assert store.is_file() and json.loads(store.read_text())
    assert [p.name for p in (project / "cache").iterdir() if p.name.endswith(".tmp")] == []
