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


# data.police.uk's crime categories of the Home Office offence groups (police.uk "About": how crimes are
# categorised), written out here rather than taken from the taxonomy.
POLICE_CATEGORY_OF_GROUP = {
    "Homicide": "Violence and sexual offences", "Violence with injury": "Violence and sexual offences",
    "Violence without injury": "Violence and sexual offences", "Stalking and harassment": "Violence and sexual offences",
    "Rape": "Violence and sexual offences", "Other sexual offences": "Violence and sexual offences",
    "Robbery": "Robbery", "Burglary": "Burglary", "Vehicle offences": "Vehicle crime",
    "Theft from the person": "Theft from the person", "Bicycle theft": "Bicycle theft", "Shoplifting": "Shoplifting",
    "All other theft offences": "Other theft", "Criminal damage and arson": "Criminal damage and arson",
    "Drug offences": "Drugs", "Possession of weapons offences": "Possession of weapons",
    "Public order offences": "Public order", "Miscellaneous crimes against society": "Other crime",
}


def coventry_street(demo_dir, months):
    """Coventry's crime rows (not ASB) of the force files in ``months``, by police.uk category, and the
    force's rows with no location (csv module; Coventry's small areas are named "Coventry ...")."""
    by_cat, no_location = Counter(), 0
    for m in months:
        with open(street_path(demo_dir, m), newline="") as fh:
            for r in csv.DictReader(fh):
                if r["Crime type"] == "Anti-social behaviour":
                    continue
                if r["LSOA code"] == "":
                    no_location += 1
                elif r["LSOA name"].startswith("Coventry "):
                    by_cat[r["Crime type"]] += 1
    return by_cat, no_location


def test_police_uk_differs_from_the_extract_as_the_real_files_do(demo_dir, crimes):
    # police.uk leaves out crimes with no location and those recorded after a month's file was published,
    # and keeps a crime's first category: each police.uk category with 500 or more crimes in the extract holds
    # between 0.5% and 10% fewer (never exactly the extract), and the year between 1% and 5% fewer in all.
    months = [f"{y}-{m:02d}" for y, m in [(2023, m) for m in range(4, 13)] + [(2024, m) for m in range(1, 4)]]
    street, no_location = coventry_street(demo_dir, months)
    extract = Counter(POLICE_CATEGORY_OF_GROUP[r["ho_group"]] for r in crimes if r["fy"] == "2023-24")
    assert sum(extract.values()) == 38508
    major = [c for c, k in extract.items() if k >= 500]
    assert len(major) >= 10
    for cat in major:
        short = (extract[cat] - street[cat]) / extract[cat]
        assert 0.005 <= short <= 0.10, (cat, extract[cat], street[cat])
    total = (sum(extract.values()) - sum(street.values())) / sum(extract.values())
    assert 0.01 <= total <= 0.05, total
    assert set(street) <= set(extract)  # no category police.uk has that the extract lacks
    assert no_location > 0.01 * sum(street.values())  # Coventry's no-location rows are among the force's


# --- Demo data a reader would believe: no straight lines, wards that differ ---------------------------------
# Counted from the written files with the csv module; what "believable" means is written out here.


def read_rows(demo_dir, name):
    with open(demo_dir / "partner" / f"{name}.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def by_year(rows, key=lambda r: True, date="date"):
    """Rows per financial year (sorted by year) satisfying ``key``."""
    counts = Counter(fy_of(r[date]) for r in rows if key(r))
    return [counts[y] for y in sorted(counts)]


def assert_not_straight(name, values):
    """Not a straight line: the first differences are not all equal, and no two consecutive differences are
    equal (no three years in a row on a line: 5,400, 5,650, 5,900 would fail); a constant series fails too."""
    diffs = [round(b - a, 9) for a, b in zip(values, values[1:], strict=False)]
    assert len(diffs) >= 2, name
    assert len(set(diffs)) > 1, (name, values)
    assert all(a != b for a, b in zip(diffs, diffs[1:], strict=False)), (name, values)


def ratio(parts, wholes):
    return [a / b for a, b in zip(parts, wholes, strict=True)]


def test_partner_series_are_not_straight_lines(demo_dir, crimes):
    series = {"recorded crime": by_year(crimes)}
    for name in ("police_asb", "council_asb", "fly_tipping", "da_referrals"):
        series[name] = by_year(read_rows(demo_dir, name))
    nci = read_rows(demo_dir, "non_crime_incidents")
    da = [r for r in nci if r["incident_type"] == "domestic_abuse"]
    series["non-crime domestic abuse"] = by_year(da)
    series["non-crime hate (police)"] = by_year(nci, lambda r: r["incident_type"] == "hate" and r["recorded_by"] == "police")
    series["hate reporting centres"] = by_year(nci, lambda r: r["recorded_by"] == "reporting_centre")
    for flag in ("repeat_victim", "children_present"):
        flagged = by_year(da, lambda r, f=flag: r[f] == "1")
        series[f"non-crime domestic abuse, {flag} share"] = ratio(flagged, series["non-crime domestic abuse"])
    nrm = read_rows(demo_dir, "nrm_referrals")
    for who in ("council", "police", "other"):
        series[f"NRM referrals by {who}"] = by_year(nrm, lambda r, w=who: r["first_responder"] == w)
    asb = read_rows(demo_dir, "police_asb")
    for kind in ("nuisance", "environmental", "personal"):
        series[f"police ASB {kind} share"] = ratio(by_year(asb, lambda r, k=kind: r["asb_type"] == k), series["police_asb"])
    with open(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv", newline="") as fh:
        ward = {r["LSOA21CD"]: r["WD22NM"] for r in csv.DictReader(fh)}
    for name in ("St Michael's", "Foleshill"):
        series[f"{name} share of crime"] = ratio(by_year(crimes, lambda r, w=name: ward[r["lsoa_code"]] == w),
                                                   series["recorded crime"])
    reoff = {}
    for r in read_rows(demo_dir, "reoffending"):
        reoff.setdefault(r["measure"], {})[r["period"]] = int(r["value"])
    for measure, values in reoff.items():
        series[f"reoffending: {measure}"] = [values[p] for p in sorted(values)]
    series["reoffending rate"] = ratio(series["reoffending: reoffenders"], series["reoffending: offenders"])
    series["reoffences per reoffender"] = ratio(series["reoffending: reoffences"], series["reoffending: reoffenders"])
    assert len(series) == 24 and all(len(v) == 11 for v in series.values())  # eleven financial years each
    for name, values in series.items():
        assert_not_straight(name, values)


def test_survey_funding_and_most_similar_group_are_not_made_by_one_rule(demo_dir):
    # the 2022 survey wave is not the 2024 wave times one ratio (priorities named first)
    survey = read_rows(demo_dir, "survey")
    first = {y: Counter(r["priority_1"] for r in survey if r["survey_year"] == y and r["priority_1"]) for y in ("2022", "2024")}
    ratios = {round(first["2022"][k] / first["2024"][k], 3) for k in first["2024"]}
    assert len(ratios) >= len(first["2024"]) - 1
    # funding lines: the published totals (409,728 PCC grant, 82,750 carry over), lines not round thousands
    funding = read_rows(demo_dir, "funding")
    totals = Counter()
    for r in funding:
        totals[r["source"]] += int(r["amount_gbp"])
    assert totals == {"PCC grant": 409_728, "Carry over": 82_750}
    assert sum(int(r["amount_gbp"]) % 1000 == 0 for r in funding) <= 1
    # the most similar group's synthetic rows: three decimals like the published ones (not 72.100) and the
    # group average still the published 83.482
    msg = read_rows(demo_dir, "most_similar_group")
    synthetic = [float(r["crimes_per_1000"]) for r in msg if r["value_source"] == "synthetic"]
    assert len(synthetic) == 4 and all(round(v * 100) != v * 100 for v in synthetic)
    assert round(sum(float(r["crimes_per_1000"]) for r in msg) / len(msg), 3) == 83.482


def ward_counts(demo_dir, name, fy):
    with open(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv", newline="") as fh:
        ward = {r["LSOA21CD"]: r["WD22NM"] for r in csv.DictReader(fh) if r["LAD22CD"] == "E08000026"}
    return Counter(ward[r["lsoa_code"]] for r in read_rows(demo_dir, name) if fy_of(r["date"]) == fy)


def test_wards_differ_in_fly_tipping_and_its_change(demo_dir, figures):
    cur, prev = ward_counts(demo_dir, "fly_tipping", "2023-24"), ward_counts(demo_dir, "fly_tipping", "2022-23")
    assert len(cur) == len(prev) == 18
    # the published figures stay: 8,000 -> 6,920 (-13.5%), Foleshill 1,661 (24.0%)
    assert pct(sum(cur.values()) - sum(prev.values()), sum(prev.values())) == figures["fly_tipping_change"]
    assert pct(cur["Foleshill"], sum(cur.values())) == figures["fly_tipping_foleshill_share"]
    # no more than two wards share the same count and change (before: 17 wards with 309 and -29)
    pairs = Counter((cur[w], cur[w] - prev[w]) for w in cur)
    assert max(pairs.values()) <= 2, pairs.most_common(3)
    assert len(set(cur.values())) >= 16
    # wards differ in size (the busiest outside Foleshill at least three times the quietest) and in change
    others = [cur[w] for w in cur if w != "Foleshill"]
    assert max(others) >= 3 * min(others)
    changes = [100 * (cur[w] - prev[w]) / prev[w] for w in cur]
    assert max(changes) - min(changes) >= 10


def test_wards_differ_in_council_asb_and_non_crime_incidents(demo_dir):
    for name in ("council_asb", "non_crime_incidents"):
        counts = ward_counts(demo_dir, name, "2023-24")
        assert len(counts) == 18 and len(set(counts.values())) >= 16, (name, counts)
        assert max(counts.values()) >= 2 * min(counts.values()), (name, counts)


def test_wards_differ_in_the_age_of_their_residents(demo_dir):
    # Census 2021 residents by age band: each small area's bands add up to its TS001 total, and wards differ
    # (the city centre's students: St Michael's has the largest share aged 16 to 24, at least 10 points above
    # the city's; before, every small area had the same mix to rounding).
    with open(demo_dir / "ons" / "census2021_ts001_lsoa.csv", newline="") as fh:
        total = {r["mnemonic"]: int(r["total"]) for r in csv.DictReader(fh)}
    with open(demo_dir / "ons" / "lsoa21_to_ward_lookup.csv", newline="") as fh:
        ward = {r["LSOA21CD"]: r["WD22NM"] for r in csv.DictReader(fh) if r["LAD22CD"] == "E08000026"}
    by_area, young, people = Counter(), Counter(), Counter()
    with open(demo_dir / "ons" / "census2021_age6_lsoa.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            by_area[r["lsoa21_code"]] += int(r["usual_residents"])
            if r["lsoa21_code"] in ward:
                people[ward[r["lsoa21_code"]]] += int(r["usual_residents"])
                young[ward[r["lsoa21_code"]]] += int(r["usual_residents"]) * (r["age_group"] == "Aged 16 to 24 years")
    assert by_area == total
    share = {w: 100 * young[w] / people[w] for w in people}
    city = 100 * sum(young.values()) / sum(people.values())
    assert max(share, key=share.get) == "St Michael's" and share["St Michael's"] >= city + 10
    assert len({round(v, 1) for v in share.values()}) >= 10  # before: every ward 15.5% to rounding


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


# Coventry's street rows, counted by the reader below (rows whose LSOA code is in the lookup, by financial year
# and ASB or not; SHA-256 of the sorted lines "Crime ID|Month|LSOA code|Crime type"): a regression snapshot,
# taken over the demo written when Coventry's rows began to differ from the extract as police.uk does (no
# location, recorded late, reclassified; from a stream of their own), so a change to the other districts or
# to the partner files never changes them. Independently of the snapshot: the ASB rows are the extract's
# ASB, year by year, and the crimes 1% to 5% fewer than the extract's every year.
COVENTRY_BEFORE = {
    "2013-14": (20218, 8246), "2014-15": (20997, 7712), "2015-16": (20840, 7000), "2016-17": (23836, 7853),
    "2017-18": (27929, 8641), "2018-19": (31356, 9488), "2019-20": (33606, 9817), "2020-21": (30169, 14437),
    "2021-22": (36781, 11232), "2022-23": (41391, 10000), "2023-24": (37303, 12260),
}
COVENTRY_BEFORE_SHA256 = "0858b952ab33521b54503676f8322df98a5f9a5ede33392353d1f253b84f5555"


def test_coventry_reads_exactly_as_before(demo_dir, lookup_lad, crimes):
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
    asb = Counter(fy_of(r["date"]) for r in read_rows(demo_dir, "police_asb"))
    extract = Counter(r["fy"] for r in crimes)
    for y, (street_crimes, street_asb) in COVENTRY_BEFORE.items():
        assert street_asb == asb[y] and 0.95 * extract[y] <= street_crimes <= 0.99 * extract[y], y
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
