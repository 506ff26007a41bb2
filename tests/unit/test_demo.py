"""The demo data reproduce the published figures.

Independent of the pipeline: counts here are made with the csv module and simple rules written
out in this file (not the taxonomy, readers or sections), and compared with the published
figures in ../shared/reference/published_figures.yaml (the independent reference).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest


def pct(part: int, whole: int, places: int = 1) -> float:
    return float(
        Decimal(repr(100 * part / whole)).quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
        )
    )


def fy_of(date: str) -> str:
    y, m = int(date[:4]), int(date[5:7])
    start = y if m >= 4 else y - 1
    return f"{start}-{(start + 1) % 100:02d}"


@pytest.fixture(scope="module")
def crimes(demo_dir):
    with open(demo_dir / "partner" / "crimes.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["fy"] = fy_of(r["date"])
    return rows


@pytest.fixture(scope="module")
def figures(published):
    sa = published["strategic_assessment_2023_24"]
    return {f["id"]: f["value"] for block in sa.values() if isinstance(block, list) for f in block}


def n(rows, fy, pred=lambda r: True):
    return sum(1 for r in rows if r["fy"] == fy and pred(r))


def test_counts_and_changes_match_published(crimes, figures):
    cur, prev = "2023-24", "2022-23"
    assert n(crimes, cur) == figures["trc"] == 38508
    assert pct(n(crimes, cur) - n(crimes, prev), n(crimes, prev)) == figures["trc_change"]
    ab = lambda r: r["ho_code"] == "105A"  # noqa: E731  common assault and battery
    assert n(crimes, cur, ab) == figures["assault_battery"]
    assert (
        pct(n(crimes, cur, ab) - n(crimes, prev, ab), n(crimes, prev, ab))
        == figures["assault_battery_change"]
    )
    ab_dal = n(crimes, cur, lambda r: ab(r) and (r["alcohol"] == "1" or r["drugs"] == "1"))
    assert pct(ab_dal, n(crimes, cur, ab)) == figures["assault_battery_drug_alcohol_share"]
    shop = lambda r: r["ho_code"] == "46"  # noqa: E731
    assert (
        pct(n(crimes, cur, shop) - n(crimes, prev, shop), n(crimes, prev, shop))
        == figures["shoplifting_change"]
    )
    assert pct(n(crimes, cur, shop), n(crimes, cur)) == figures["shoplifting_share"]
    syv = lambda r: r["serious_youth_violence"] == "1"  # noqa: E731
    assert (
        pct(n(crimes, cur, syv) - n(crimes, prev, syv), n(crimes, prev, syv))
        == figures["syv_change"]
    )
    assert pct(n(crimes, cur, syv), n(crimes, cur)) == figures["syv_share_trc"]
    da = lambda r: r["domestic_abuse"] == "1"  # noqa: E731
    assert pct(n(crimes, cur, da), n(crimes, cur)) == figures["domestic_abuse_share"]
    assert n(crimes, cur, da) < n(crimes, prev, da)  # "decreased from last year"


def test_top_offences_order(crimes, figures):
    by_code = Counter(r["ho_code"] for r in crimes if r["fy"] == "2023-24")
    (first, _), (second, _) = by_code.most_common(2)
    assert (first, second) == ("105A", "46")  # assault and battery top, shoplifting second


# Hate crime as the Home Office Counting Rules define it (hate crime annex): any crime with a hate
# strand, and the racially or religiously aggravated offences, which are hate crimes by definition --
# HOCR 8P (assault with injury), 105B (assault without injury), 8M (harassment) and 9B (public fear,
# alarm or distress). HOCR 8R is malicious communications, not an aggravated offence.
AGGRAVATED = {"8P", "105B", "8M", "9B"}


def hate(r) -> bool:
    return r["hate_strand"] != "" or r["ho_code"] in AGGRAVATED


def test_hate_crime_matches_published(demo_dir, crimes, figures, published):
    cur, prev = n(crimes, "2023-24", hate), n(crimes, "2022-23", hate)
    assert pct(cur - prev, prev) == figures["hate_crime_change"]  # 990 against 1,000: -1.0%
    race = n(crimes, "2023-24", lambda r: hate(r) and r["hate_strand"] == "race")
    assert pct(race, cur) == figures["racial_hate_share"]  # 792 of 990: 80.0%
    # 2015-16 performance report: police-recorded hate 467 = 379 hate crimes + 88 non-crime incidents
    perf = {f["id"]: f["value"] for f in published["performance_report_2015_16_q4"]["figures"]}
    with open(demo_dir / "partner" / "non_crime_incidents.csv", newline="") as fh:
        nci = [r for r in csv.DictReader(fh) if fy_of(r["date"]) == "2015-16"]
    police_nci = sum(r["incident_type"] == "hate" and r["recorded_by"] == "police" for r in nci)
    assert n(crimes, "2015-16", hate) + police_nci == perf["hate_police_recorded"] == 467


def test_aggravated_offences_carry_a_strand_and_codes_are_current(crimes):
    # Every aggravated offence in the demo names its strand (race or religion, as the aggravation is
    # racial or religious), so counting hate crime by strand alone gives the same figures.
    strands = Counter(r["hate_strand"] for r in crimes if r["ho_code"] in AGGRAVATED)
    assert strands and set(strands) <= {"race", "religion"}
    codes = Counter(r["ho_code"] for r in crimes)
    assert "8A" not in codes  # HOCR: no longer used
    # the recoded offences: threats to kill 3B, blade or point 10D, firearms with intent 10A,
    # malicious communications 8R, controlling or coercive behaviour 8U; no conspiracy to murder (3A)
    assert {"3B", "10D", "10A", "8R", "8U", "8M"} <= set(codes) and "3A" not in codes


def test_victims(crimes, figures):
    victims = [r for r in crimes if r["fy"] == "2023-24" and r["victim_sex"]]
    assert len(victims) == figures["offences_with_victim"]
    assert (
        pct(sum(r["victim_sex"] == "F" for r in victims), len(victims))
        == figures["victims_female_share"]
    )
    for sex, band in (("F", 35), ("M", 30)):  # published peak ages: female 35-39, male 30-34
        bands = Counter(int(r["victim_age"]) // 5 * 5 for r in victims if r["victim_sex"] == sex)
        assert bands.most_common(1)[0][0] == band


def test_wards(demo_dir, crimes, figures):
    with open(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv", newline="") as fh:
        ward = {r["LSOA21CD"]: r["WD22NM"] for r in csv.DictReader(fh)}
    counts = Counter(ward[r["lsoa_code"]] for r in crimes if r["fy"] == "2023-24")
    assert counts["St Michael's"] == figures["ward_st_michaels_trc"]
    assert counts["Foleshill"] == figures["ward_foleshill_trc"]
    assert pct(counts["Foleshill"], sum(counts.values())) == figures["ward_foleshill_share"]
    assert len(counts) == 18


def test_police_uk_files_match_partner_extract(demo_dir, crimes):
    # The street-level files hold the same crimes (non-ASB, Coventry rows) as the partner extract.
    months = {"2023-04", "2023-05"}
    street = 0
    for m in months:
        with open(demo_dir / "police_uk" / m / f"{m}-west-midlands-street.csv", newline="") as fh:
            street += sum(
                1
                for r in csv.DictReader(fh)
                if r["LSOA name"].startswith("Coventry ")
                and r["Crime type"] != "Anti-social behaviour"
            )
    assert street == sum(1 for r in crimes if r["date"][:7] in months)


def test_asb_and_synthetic_codes(demo_dir):
    with open(demo_dir / "partner" / "police_asb.csv", newline="") as fh:
        asb = list(csv.DictReader(fh))
    cur = [r for r in asb if fy_of(r["date"]) == "2023-24"]
    prev = [r for r in asb if fy_of(r["date"]) == "2022-23"]
    assert pct(len(cur) - len(prev), len(prev)) == 22.6
    assert all(r["lsoa_code"].startswith("X01") for r in asb)  # never a real ONS code
    meta = json.loads((demo_dir / "DEMO.json").read_text())
    assert meta["synthetic"] is True


def test_deterministic(tmp_path):
    import numpy as np

    from ccsp_analysis.demo.crimes import crimes_for_year
    from ccsp_analysis.demo.geography import synthetic_geography

    def one():
        rng = np.random.default_rng(7)
        geo = synthetic_geography(rng)
        return crimes_for_year(rng, geo, 2023)

    a, b = one(), one()
    assert a.equals(b)


def test_manifest_marks_every_file_it_wrote(demo_dir):
    """DEMO.json says the data are synthetic and lists every file of the demo folder with its size and
    SHA-256 (checked here with hashlib on every file), and where each source's file is."""
    import hashlib

    meta = json.loads((demo_dir / "DEMO.json").read_text())
    assert meta["synthetic"] is True and meta["generator"] == "ccsp data demo"
    on_disk = sorted(p.relative_to(demo_dir).as_posix() for p in demo_dir.rglob("*") if p.is_file())
    listed = [e["path"] for e in meta["files"]]
    assert listed == [p for p in on_disk if p != "DEMO.json"]  # everything but itself, sorted
    for e in meta["files"]:
        data = (demo_dir / e["path"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (e["bytes"], e["sha256"]), e["path"]
    assert meta["sources"]["partner_crimes"] == "partner/crimes.csv" and meta["sources"]["police_uk"] == "police_uk"
    assert all((demo_dir / rel).exists() for rel in meta["sources"].values())


def test_manifest_is_deterministic(tmp_path):
    from ccsp_analysis.demo.manifest import write_manifest

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("x\n")
    (tmp_path / "b.csv").write_text("b\n")
    first = write_manifest(tmp_path, {"seed": 1}).read_bytes()
    assert write_manifest(tmp_path, {"seed": 1}).read_bytes() == first  # no dates; itself never listed
    assert [e["path"] for e in json.loads(first)["files"]] == ["a/x.csv", "b.csv"]


# --- The force-wide files: all seven West Midlands partnerships, with the real files' quirks ---------
# Counted with the csv module and the rules written here, not the project's readers.

FORCE_DISTRICTS = {
    "E08000025": "Birmingham", "E08000026": "Coventry", "E08000027": "Dudley", "E08000028": "Sandwell",
    "E08000029": "Solihull", "E08000030": "Walsall", "E08000031": "Wolverhampton",
}
QUIRK_MONTHS = ("2023-06", "2024-01")


def street_path(demo_dir, month):
    return demo_dir / "police_uk" / month / f"{month}-west-midlands-street.csv"


@pytest.fixture(scope="module")
def lookup_lad(demo_dir):
    with open(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv", newline="") as fh:
        return {r["LSOA21CD"]: r["LAD22CD"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def quirk_rows(demo_dir):
    rows = []
    for m in QUIRK_MONTHS:
        with open(street_path(demo_dir, m), newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def test_force_has_seven_districts_in_lookup_population_and_street_files(demo_dir, lookup_lad, quirk_rows):
    assert set(lookup_lad.values()) == set(FORCE_DISTRICTS)
    with open(demo_dir / "ons" / "census2021_ts001_lsoa.csv", newline="") as fh:
        pop = {r["mnemonic"]: int(r["total"]) for r in csv.DictReader(fh)}
    assert set(pop) == set(lookup_lad)
    by_lad = Counter()
    for code, people in pop.items():
        by_lad[lookup_lad[code]] += people
    # roughly the 2021 Census usual residents (Coventry exactly the calibrated 345,312)
    census = {"E08000025": 1_144_900, "E08000026": 345_312, "E08000027": 323_500, "E08000028": 341_800,
              "E08000029": 216_200, "E08000030": 284_100, "E08000031": 263_700}
    assert by_lad == census
    with open(demo_dir / "ons" / "census2021_age6_lsoa.csv", newline="") as fh:
        assert {r["lsoa21_code"] for r in csv.DictReader(fh)} == set(lookup_lad)
    with open(demo_dir / "ons" / "mye_single_year_of_age.csv", newline="") as fh:
        assert {r["ladcode"] for r in csv.DictReader(fh)} == set(FORCE_DISTRICTS)
    in_rows = Counter(lookup_lad[r["LSOA code"]] for r in quirk_rows if r["LSOA code"] in lookup_lad)
    assert set(in_rows) == set(FORCE_DISTRICTS) and min(in_rows.values()) > 1_000
    for r in quirk_rows:  # each district's rows are named after it
        if r["LSOA code"] in lookup_lad:
            assert r["LSOA name"].startswith(FORCE_DISTRICTS[lookup_lad[r["LSOA code"]]] + " ")


def test_force_rows_per_month_like_the_real_files(demo_dir):
    # data.police.uk's West Midlands street files hold about 27,000 rows a month (2023-24); earlier
    # years fewer. Lines counted as bytes (no value in these files is quoted, so one row is one line).
    rows = {}
    for folder in sorted((demo_dir / "police_uk").iterdir()):
        with open(street_path(demo_dir, folder.name), "rb") as fh:
            rows[folder.name] = sum(1 for _ in fh) - 1
    assert len(rows) == 132  # April 2013 .. March 2024
    assert all(15_000 <= n <= 33_000 for n in rows.values()), min(rows.values())
    year = [n for m, n in rows.items() if "2023-04" <= m <= "2024-03"]
    assert 0.95 * 27_000 <= sum(year) / 12 <= 1.05 * 27_000
    assert all(0.8 * 27_000 <= n <= 1.2 * 27_000 for n in year)


def test_force_files_have_the_real_files_quirks(quirk_rows, lookup_lad):
    rows = quirk_rows
    # rows with no location: no LSOA, no coordinates, "No Location"
    no_loc = [r for r in rows if r["LSOA code"] == ""]
    assert len(no_loc) > 0.005 * len(rows)
    assert all(r["LSOA name"] == r["Longitude"] == r["Latitude"] == "" and r["Location"] == "No Location" for r in no_loc)
    # a Crime ID on two different rows
    by_id = {}
    for r in rows:
        if r["Crime ID"]:
            by_id.setdefault(r["Crime ID"], set()).add(tuple(r.values()))
    assert sum(1 for v in by_id.values() if len(v) > 1) > 0
    # a crime row published twice, identical in every column
    same = Counter(tuple(r.values()) for r in rows if r["Crime ID"])
    assert sum(1 for n in same.values() if n > 1) > 0
    # rows in small areas of neighbouring forces' districts (not one of the seven)
    outside = [r for r in rows if r["LSOA code"] and r["LSOA code"] not in lookup_lad]
    assert len(outside) > 0
    assert not any(r["LSOA name"].startswith(tuple(FORCE_DISTRICTS.values())) for r in outside)
    assert {r["LSOA name"].rsplit(" ", 2)[0] for r in outside} >= {"Nuneaton and Bedworth", "South Staffordshire"}
    # ASB rows have no Crime ID and no outcome; every other row has both
    for r in rows:
        asb = r["Crime type"] == "Anti-social behaviour"
        assert (r["Crime ID"] == "") == asb and (r["Last outcome category"] == "") == asb
    # the quirks are in the other districts' rows: Coventry's have no repeated ID and no identical row
    cov = Counter(r["Crime ID"] for r in rows if r["Crime ID"] and lookup_lad.get(r["LSOA code"]) == "E08000026")
    assert cov and max(cov.values()) == 1


# Coventry's street rows before the force-wide demo, counted with the csv module (script: rows whose
# LSOA code is in the lookup, by financial year and ASB or not; SHA-256 of the sorted lines
# "Crime ID|Month|LSOA code|Crime type") over the demo written by the code before this change.
COVENTRY_BEFORE = {
    "2013-14": (20950, 8300), "2014-15": (21676, 7650), "2015-16": (21475, 7000), "2016-17": (24610, 7900),
    "2017-18": (28930, 8700), "2018-19": (32440, 9400), "2019-20": (34870, 9900), "2020-21": (30950, 14600),
    "2021-22": (37820, 11100), "2022-23": (42834, 10000), "2023-24": (38508, 12260),
}
COVENTRY_BEFORE_SHA256 = "214c1b2fdbf3b4d80e37a22f22902c7069f0ff14f2c11280dd29c570f6de2c5b"


def test_coventry_reads_exactly_as_before(demo_dir, lookup_lad):
    import hashlib

    from ccsp_analysis.sources import police_uk

    codes = [c for c, lad in lookup_lad.items() if lad == "E08000026"]
    assert len(codes) == 193
    frame = police_uk.read_street(demo_dir / "police_uk", lsoa_codes=codes, forces=["west-midlands"])
    year, mon = frame["month"].dt.year, frame["month"].dt.month
    month = year.astype(str) + "-" + mon.astype(str).str.zfill(2)
    start = year - (mon < 4)  # financial years start in April
    fy = start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)
    counts = Counter(zip(fy, frame["is_asb"], strict=True))
    assert {y: (counts[(y, False)], counts[(y, True)]) for y in sorted(set(fy))} == COVENTRY_BEFORE
    lines = (frame["crime_id"].fillna("").astype(str) + "|" + month + "|" + frame["lsoa_code"].astype(str) + "|"
             + frame["crime_type"].astype(str))
    text = "\n".join(lines.sort_values().tolist())
    assert hashlib.sha256(text.encode()).hexdigest() == COVENTRY_BEFORE_SHA256


@pytest.mark.shared_data
def test_real_geography_gives_real_small_areas_for_all_seven(shared_data, tmp_path):
    import numpy as np

    from ccsp_analysis.demo import force
    from ccsp_analysis.demo.geography import write_ons_files
    from ccsp_analysis.demo.writer import SEED, demo_geography

    lookup = shared_data / "lookups" / "lsoa11_lsoa21_lad22_lookup_EW.csv.gz"
    if not lookup.is_file():
        pytest.skip(f"{lookup} not present")
    folder, geo, fgeo = demo_geography(np.random.default_rng(SEED), SEED, lookup)  # the file, as --geography
    assert folder == shared_data
    write_ons_files(geo, tmp_path, fgeo[fgeo["in_force"]].drop(columns=["in_force"]))
    with open(tmp_path / "lsoa21_to_ward_lookup.csv", newline="") as fh:
        written = list(csv.DictReader(fh))
    # the national lookup read here with gzip + csv: the LSOA 2021 codes of each district
    import gzip

    with gzip.open(lookup, "rt", encoding="utf-8-sig", newline="") as fh:
        national = {}
        for r in csv.DictReader(fh):
            national.setdefault(r["LAD22CD"], {})[r["LSOA21CD"]] = r["LSOA21NM"]
    for lad, name in FORCE_DISTRICTS.items():
        mine = {r["LSOA21CD"]: r["LSOA21NM"] for r in written if r["LAD22CD"] == lad}
        assert mine and all(c.startswith("E01") for c in mine), name
        if lad != "E08000026":  # Coventry's come from the ward lookup of its own (as before)
            assert mine == national[lad], name
    # Coventry's old neighbouring areas (synthetic Solihull codes) become real Solihull areas
    legacy = force.legacy_codes(geo, fgeo)
    assert all(code in national["E08000029"] and national["E08000029"][code] == nm for code, nm in legacy.values())
    outside = fgeo[~fgeo["in_force"]]
    assert all(c.startswith("E01") and c not in {r["LSOA21CD"] for r in written} for c in outside["lsoa_code"])
