"""Section 08 on small hand-built data: every expected value is counted by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import load_params
from ccsp_analysis.result import SectionResult
from ccsp_analysis.schemas import CRIME_FLAGS
from ccsp_analysis.sections.performance import (
    monthly_series,
    most_similar_group,
    performance_report,
)


@pytest.fixture()
def params(chdir_root):
    return load_params("2015-16", check_files=False)


def _crimes(rows):
    # rows: (month, domestic_abuse, hate_strand)
    df = pd.DataFrame(rows, columns=["month", "domestic_abuse", "hate_strand"])
    df["month"] = pd.to_datetime(df["month"])
    df["fy"] = df["month"].map(lambda m: f"{m.year - (m.month < 4)}-{(m.year - (m.month < 4) + 1) % 100:02d}")
    for col in ("ho_code", "ho_group", "victim_sex", "police_category"):
        df[col] = None
    df["victim_age"] = pd.array([None] * len(df), dtype="Int64")
    return df


def _dataset():
    # 2015-16: 5 crimes (2 DA, 1 hate); 2014-15: 4 crimes (1 DA, 2 hate)
    crimes = _crimes([("2015-04-01", True, None), ("2015-06-01", True, "race"), ("2015-09-01", False, None),
                      ("2016-01-01", False, None), ("2016-03-01", False, None),
                      ("2014-05-01", True, "race"), ("2014-07-01", False, "religion"), ("2015-01-01", False, None),
                      ("2015-02-01", False, None)])
    inc = pd.DataFrame({
        "month": pd.to_datetime(["2015-05-01", "2015-07-01", "2015-08-01", "2014-06-01", "2015-10-01", "2015-11-01"]),
        "incident_type": ["domestic_abuse"] * 4 + ["hate"] * 2,
        "recorded_by": ["police"] * 5 + ["reporting_centre"],
        "repeat_victim": [True, False, False, True, False, False],
        "children_present": [True, True, False, False, False, False]})
    services = pd.DataFrame({"month": pd.to_datetime(["2015-05-01", "2015-06-01", "2014-06-01"]),
                             "fy": ["2015-16", "2015-16", "2014-15"], "service": ["CDVASS", "SARC", "SARC"]})
    asb = pd.DataFrame({"month": pd.to_datetime(["2015-05-01", "2015-06-01", "2016-02-01", "2014-06-01"]),
                        "fy": ["2015-16"] * 3 + ["2014-15"], "recorded_by": ["police", "council", "police", "police"]})
    funding = pd.DataFrame({"financial_year": ["2016-17"] * 3 + ["2015-16"], "source": ["PCC grant", "PCC grant", "Carry over", "PCC grant"],
                            "project": ["a", "b", "c", "d"], "amount_gbp": [100, 50, 25, 999]})
    msg = pd.DataFrame({"period": ["2015-16"] * 4, "csp": ["West Midlands - Coventry", "A", "B", "C"],
                        "crimes_per_1000": [99.0, 10.0, 20.0, None], "value_source": ["published"] * 4})
    mid = pd.DataFrame({"year": [2015, 2015, 2014], "sex": ["M", "F", "M"], "age": [0, 0, 0], "population": [60, 40, 7]})
    return Dataset({"crimes": crimes, "incidents": inc, "services": services, "asb": asb, "funding": funding,
                    "most_similar_group": msg, "mid_year": mid}, key="t")


def test_performance_report(params):
    out = SectionResult()
    performance_report(_dataset(), params, out)
    f = dict(zip(out.figures_frame()["id"], out.figures_frame()["value"], strict=True))
    assert f["trc_change_abs"] == 1 and f["trc_change"] == 25.0  # 5 against 4: +1, +25.0%
    assert f["dva_change_abs"] == 1 and f["dva_change"] == 100.0  # 2 against 1
    assert f["dva_non_crime_change"] == 200.0  # 3 police DA incidents against 1
    assert f["dva_repeat_victim_rate"] == 33.3  # 1 repeat of 3 = 33.33%
    assert f["dva_children_present"] == 2
    assert f["cdvass_referrals"] == 1 and f["sarc_clients"] == 1
    # hate: 1 crime + 1 police non-crime = 2 police-recorded, + 1 reporting centre = 3
    assert (f["hate_police_recorded"], f["hate_reporting_centres"], f["hate_incidents_total"]) == (2, 1, 3)
    assert f["asb_total"] == 3  # police 2 + council 1 in 2015-16
    assert (f["pcc_grant"], f["carry_over"], f["allocations_total"]) == (150, 25, 175)  # next year's allocations only


def test_most_similar_group_uses_own_rate(params):
    table, result, rate = most_similar_group(_dataset(), params)
    assert rate == pytest.approx(50.0)  # 5 crimes / 100 residents (2015 estimate) x 1,000
    assert table.loc[table["csp"].str.contains("Coventry"), "crimes_per_1000"].item() == pytest.approx(50.0)
    # group of 3 with values: 50 (area), 10, 20 -> mean 26.667; the blank row is not counted
    assert result.mean_all == pytest.approx(80 / 3) and result.n == 3
    assert result.rank == 3  # highest rate of the three (1 = lowest)


def test_monthly_series_keeps_only_the_unbroken_run_of_covered_months(params):
    # crime months present: 2014-05, 2014-07, 2015-01, 2015-02, 2015-04, 2015-06, 2015-09, 2016-01, 2016-03;
    # the source has no rows in February 2016, so the run that ends in March 2016 is March 2016 alone
    s = monthly_series(_dataset(), params, "trc")
    assert s.index.tolist() == [pd.Timestamp("2016-03-01")] and s.tolist() == [1]
    # with every month from April 2012 covered (one extra row a month), the series is the 48 months to March 2016
    data = _dataset()
    filler = _crimes([(m, False, None) for m in pd.date_range("2012-04-01", "2016-03-01", freq="MS").strftime("%Y-%m-%d")])
    data.tables["crimes"] = pd.concat([data.crimes, filler], ignore_index=True)
    s = monthly_series(data, params, "trc")
    assert len(s) == 48 and s.index[0] == pd.Timestamp("2012-04-01") and s.index[-1] == pd.Timestamp("2016-03-01")
    # 48 filler rows + the 9 original crimes, of which all 9 fall in the 48 months
    assert s.sum() == 48 + 9 and s[pd.Timestamp("2015-12-01")] == 1


def test_most_similar_group_matches_the_area_exactly(params):
    data = _dataset()
    data.tables["most_similar_group"] = pd.DataFrame({
        "period": ["2015-16"] * 3, "csp": ["Bedfordshire - Bedford", "Bedfordshire - Luton", "Kent - Dover"],
        "crimes_per_1000": [99.0, 10.0, 20.0], "value_source": ["published"] * 3})
    bedford = params.model_copy(update={"area": params.area.model_copy(update={"name": "Bedford"})})
    table, result, rate = most_similar_group(data, bedford)
    # "Bedford" is in "Bedfordshire - Luton" as text but is not that partnership: Luton stays in the group
    assert table.set_index("csp").loc["Bedfordshire - Luton", "crimes_per_1000"] == 10.0
    assert result.n == 3 and result.mean_all == pytest.approx((50.0 + 10.0 + 20.0) / 3)


def test_quarter_two_compares_the_same_months(params):
    q2 = params.model_copy(update={"quarter": 2})
    from ccsp_analysis.sections.performance import plan_measures

    # April-September: 2015-16 has 3 crimes (Apr, Jun, Sep); 2014-15 has 2 (May, Jul)
    table = plan_measures(_dataset(), q2).set_index("measure")
    assert (table.loc["trc", "current"], table.loc["trc", "previous"]) == (3, 2)
    _table, _result, rate = most_similar_group(_dataset(), q2)
    assert rate == pytest.approx(3 / 100 * 1000 * 12 / 6)  # 3 crimes in 6 months, 100 residents, annualised


def test_hate_crimes_count_aggravated_offences_without_a_strand(params):
    # one more 2015-16 crime: HOCR 8M, racially or religiously aggravated harassment, a hate crime by
    # definition even with the strand left blank -> 2 hate crimes + 1 police non-crime = 3 police-recorded
    data = _dataset()
    extra = _crimes([("2015-10-01", False, None)])
    extra["ho_code"] = "8M"
    data.tables["crimes"] = pd.concat([data.crimes, extra], ignore_index=True)
    out = SectionResult()
    performance_report(data, params, out)
    f = dict(zip(out.figures_frame()["id"], out.figures_frame()["value"], strict=True))
    assert (f["hate_police_recorded"], f["hate_incidents_total"]) == (3, 4)


def test_performance_report_tables_about_people_are_under_disclosure_control(params):
    """Every count of the tiny data is below 5 (counted by hand in _dataset), so the performance report's
    tables about people show none of them, their figures are withheld, and the log lists each hidden cell."""
    out = SectionResult()
    performance_report(_dataset(), params, out)
    da = out.tables["domestic_abuse_incidents"]
    # 2015-16: 3 police DA incidents, 1 repeat, 2 children present; 2014-15: 1, 1, 0 -- all below 5
    assert da[["incidents", "repeat_victims", "repeat_rate"]].isna().all().all()
    referrals = out.tables["service_referrals"]  # CDVASS 1 and SARC 1 in 2015-16, SARC 1 in 2014-15
    assert referrals[["2014-15", "2015-16"]].isna().any(axis=None)
    assert not (referrals[["2014-15", "2015-16"]].fillna(0) > 0).any(axis=None)  # no small count shows
    hate = out.tables["hate"]  # 1 + 1 = 2 police-recorded, + 1 centre = 3; 2014-15: 2 + 0 = 2, + 0 = 2
    assert hate.loc[0, ["hate_crimes", "non_crime_incidents", "police_recorded", "reporting_centres", "total"]].isna().all()
    withheld = {f["id"] for f in out.figures if f.get("withheld")}
    assert {"dva_repeat_victim_rate", "dva_children_present", "dva_non_crime_change", "cdvass_referrals",
            "sarc_clients", "hate_incidents_total", "hate_police_recorded", "hate_reporting_centres"} <= withheld
    assert "Domestic abuse non-crime incidents: withheld to protect small numbers." in out.sentences
    log = out.tables["suppression_log"]
    assert {"domestic_abuse_incidents", "service_referrals", "hate"} <= set(log["table"])
    assert not log.astype(str).apply(lambda col: col.str.contains("below")).any(axis=None)  # never says which were small


def test_performance_report_publishes_counts_at_or_above_the_threshold(params):
    """With threshold 1 nothing of the tiny data is small (zeros are not counts of people to hide), so the
    tables show the hand counts."""
    out = SectionResult()
    performance_report(_dataset(), params.model_copy(update={"disclosure_threshold": 1}), out)
    da = out.tables["domestic_abuse_incidents"]
    assert list(da["incidents"]) == [3, 1] and list(da["children_present"]) == [2, 0]
    assert out.tables["hate"].loc[0, "total"] == 3


def _peers(crimes_rows):
    # one feature, population size: T 2, A 1, B 3, C 4, D 0, E 5 -> mean 2.5, sd sqrt(17.5 / 6) = 1.7078;
    # distances from T: A and B 1 / 1.7078 = 0.5855, C and D 2 / 1.7078 = 1.1711, E 3 / 1.7078 = 1.7566
    # (ties by code). Every district: 1,000 residents in 10 small areas.
    codes = ["E08000026", "E06000001", "E06000002", "E06000003", "E06000004", "E06000005"]
    features = pd.DataFrame({"lad_code": codes, "lad_name": ["Coventry", "A", "B", "C", "D", "E"],
                             "population": [1000] * 6, "small_areas": [10] * 6,
                             "f_log_population": [2.0, 1.0, 3.0, 4.0, 0.0, 5.0]})
    crimes = pd.DataFrame(crimes_rows, columns=["lad_code", "crimes", "small_areas_with_crimes"])
    data = _dataset()
    data.tables["most_similar_group"] = pd.DataFrame()
    data.tables["district_features"], data.tables["district_crimes"] = features, crimes
    return data


def _no_msg(params):
    return params.model_copy(update={"sources": params.sources.model_copy(update={"most_similar_group": None})})


# Coventry 100 crimes in all 10 small areas; A 50 (10), B 80 in 9 of 10 (90%: covered), C 120 (10);
# D 3 rows in 2 small areas (20%: only its edge, not covered); E none
PEER_CRIMES = [("E08000026", 100, 10), ("E06000001", 50, 10), ("E06000002", 80, 9), ("E06000003", 120, 10),
               ("E06000004", 3, 2)]


def test_computed_group_by_hand(params):
    from ccsp_analysis.sections.performance import computed_group

    table, sentences, result = computed_group(_peers(PEER_CRIMES), _no_msg(params))
    assert table["district"].tolist() == ["Coventry", "A", "B", "C", "D", "E"]
    assert table["distance"].tolist() == [0.0, 0.586, 0.586, 1.171, 1.171, 1.757]  # to 3 decimals
    assert pd.isna(table["rank"].iloc[0]) and table["rank"].iloc[1:].tolist() == [1, 2, 3, 4, 5]  # the area: no rank
    assert table["crime_data"].tolist() == ["yes", "yes", "yes", "yes", "no", "no"]
    # per 1,000 residents over the full year (2015-16, 12 months): 100, 50, 80, 120; none where no data
    assert table["crimes_per_1000"].iloc[:4].tolist() == pytest.approx([100.0, 50.0, 80.0, 120.0])
    assert table["crimes_per_1000"].iloc[4:].isna().all()
    # 100 against 50, 80, 120: two lower, so rank 3 of 4; mean of all (100 + 250) / 4 = 87.5;
    # rest mean 83.33, sd 35.12, t(0.975, 2) = 4.303 -> half-width 4.303 x 35.12 x sqrt(4/3) = 174.5: within
    assert (result.rank, result.n, result.position) == (3, 4, "WITHIN")
    assert result.mean_all == pytest.approx(87.5)
    text = " ".join(sentences)
    assert "computed one from public data" in text and "not the Home Office's most similar group" in text
    assert "the 5 other local authority districts in the files supplied (15 are wanted)" in text
    assert "population size" in text and "3 of the 5 have police.uk street-level crime" in text
    assert "the 3rd lowest of the 4 districts compared" in text and "within the range expected" in text


def test_computed_group_too_few_with_crime_data(params):
    from ccsp_analysis.sections.performance import computed_group

    # C's rows now cover 7 of 10 small areas (70% < 80%): only A and B have data, fewer than 3
    rows = [r if r[0] != "E06000003" else ("E06000003", 120, 7) for r in PEER_CRIMES]
    table, sentences, result = computed_group(_peers(rows), _no_msg(params))
    assert result is None and len(table) == 6
    assert sentences[-1] == ("Coventry's rate is not compared with the group: only 2 of its districts have police.uk "
                             "crime data in the files supplied, and at least 3 are needed; add their forces' street "
                             "files (or the national archive) to compare.")


def test_performance_without_a_group_says_so_and_shows_no_empty_table(params):
    from ccsp_analysis.sections.performance import performance

    p = _no_msg(params)
    # one district only in the ONS files (as in the demo data): no group, one sentence, no group table
    data = _peers(PEER_CRIMES)
    data.tables["district_features"] = data.tables["district_features"].head(1)
    out = _performance_sections(performance, data, p)
    assert out.tables["most_similar_group_sentences"]["sentence"].tolist() == [
        "No most similar group was supplied, and none can be computed for Coventry from the files supplied: the ONS "
        "files supplied give the characteristics of 1 district; national files (population, population by age, IMD "
        "and a lookup of every district) are needed."]
    assert "computed_group" not in out.tables
    # with the six districts: the group table and its summary
    out = _performance_sections(performance, _peers(PEER_CRIMES), p)
    assert len(out.tables["computed_group"]) == 6 and out.tables["computed_group_summary"]["rank"].item() == 3
    assert "not the Home Office's" in out.tables["most_similar_group_sentences"]["sentence"].iloc[0]


def _performance_sections(performance, data, params):
    """performance() with the parts that need a full dataset (control charts, projections) stubbed out."""
    from unittest import mock

    from ccsp_analysis.sections import performance as module

    empty = pd.DataFrame()
    spc = mock.Mock(summary=empty, signals=empty, points=empty)
    spc.chart.return_value = empty
    with mock.patch.object(module.monitoring, "monitor", return_value=spc), \
            mock.patch.object(module, "projections", return_value=(empty, empty, {})), \
            mock.patch.object(module, "plan_measures", return_value=empty), \
            mock.patch.object(module, "monthly_series", return_value=pd.Series(dtype="int64")):
        return performance(data, params)


def test_computed_group_for_a_partnership_of_two_districts_says_why_there_is_none(params):
    from ccsp_analysis.sections.performance import computed_group

    p = _no_msg(params)
    two = p.model_copy(update={"area": p.area.model_copy(update={"la_codes": ("E08000026", "E06000001")})})
    table, sentences, result = computed_group(_peers(PEER_CRIMES), two)
    assert table.empty and result is None
    assert sentences == ["No most similar group was supplied, and none can be computed for Coventry from the files "
                         "supplied: it covers 2 districts (E08000026, E06000001) and statistical neighbours are "
                         "computed for one district; supply a most similar group table (sources.most_similar_group)."]


def _report(params, threshold: int):
    out = SectionResult()
    performance_report(_dataset(), params.model_copy(update={"disclosure_threshold": threshold}), out)
    return out


def test_report_measures_sit_under_the_years_own_boards_with_the_published_labels(params):
    out = _report(params, 1)  # threshold 1: nothing hidden, every hand count visible
    t = out.tables["report_measures"].set_index("measure")
    # params/2015-16.yaml: the Board owns TRC, the victims' sub-group the DA, SARC and hate rows, City Tasking ASB
    assert t.loc["trc", "board"] == "Coventry Police, Crime and Community Safety Partnership Board"
    assert t.loc["asb", "board"] == "City Wide Tasking and Co-ordination Group"
    assert {t.loc[m, "board"] for m in ("dva", "dva_children_present", "cdvass", "sarc", "hate")} == \
        {"Victim Support and Harm Reduction Partnership"}
    assert not t["board"].str.startswith("Priority").any()  # not the 2025-28 priorities
    # the labels the 2016 report printed, as printed; none for measures it gave none
    assert (t.loc["trc", "published_direction"], t.loc["asb", "published_direction"]) == ("DOWNWARD", "Downward")
    assert t.loc["dva_non_crime", "published_direction"] is None
    # hand counts (see _dataset): TRC 5 against 4; ASB police+council 3 against 1 (June 2014, police);
    # children present 2 against 0; SARC 1 against 1; hate 1 crime + 1 police + 1 centre = 3 against 2 crimes
    assert (t.loc["trc", "current"], t.loc["trc", "previous"]) == (5, 4)
    assert (t.loc["asb", "current"], t.loc["asb", "previous"]) == (3, 1)
    assert (t.loc["dva_children_present", "current"], t.loc["dva_children_present", "previous"]) == (2, 0)
    assert (t.loc["sarc", "current"], t.loc["sarc", "previous"]) == (1, 1)
    assert (t.loc["hate", "current"], t.loc["hate", "previous"]) == (3, 2)
    # repeat victims: 1 of 3 police DA incidents in 2015-16 = 33.3%; 1 of 1 in 2014-15 = 100.0%
    assert (t.loc["dva_repeat_rate", "current"], t.loc["dva_repeat_rate", "previous"]) == (33.3, 100.0)
    assert t.loc["sarc", "polarity"] == "higher_better" and t.loc["trc", "polarity"] == "higher_worse"
    boards = out.tables["boards"].set_index("board")
    assert boards.loc["Coventry Offender Management Group", "measures"] == "no measure of the quarterly report"
    text = " ".join(out.sentences)
    assert "33.3%, from 100.0% in 2014/15" in text and "£150" in text and "£25" in text and "£175" in text


def test_report_measures_about_people_are_hidden_with_their_counts(params):
    out = _report(params, 5)  # every DA, referral and hate count here is below 5
    t = out.tables["report_measures"].set_index("measure")
    for m in ("dva_non_crime", "dva_repeat_rate", "dva_children_present", "cdvass", "sarc", "hate"):
        assert t.loc[m, "current"] is pd.NA and t.loc[m, "previous"] is pd.NA, m
    assert t.loc["trc", "current"] == 5  # crimes and ASB incidents are not counts about people here
    assert not any("33.3%" in s or "children present: 2" in s for s in out.sentences)


def test_most_similar_group_never_shows_a_synthetic_value(params):
    data = _dataset()
    data.tables["most_similar_group"] = pd.DataFrame({
        "period": ["2015-16"] * 3, "csp": ["West Midlands - Coventry", "A - A", "B - B"],
        "crimes_per_1000": [62.176, 10.0, 20.5], "value_source": ["published", "published", "synthetic"]})
    from ccsp_analysis.sections.performance import msg_notes

    table, result, _rate = most_similar_group(data, params)
    row = table.set_index("csp").loc["B - B"]
    assert row["crimes_per_1000"] != row["crimes_per_1000"] and row["source"] == "left blank in the published table"
    assert result.n == 3 and result.mean_all == pytest.approx((50.0 + 10.0 + 20.5) / 3)  # it still counts
    notes = " ".join(msg_notes(data, params))
    assert "B - B 20.500" in notes and "not published" in notes


def _public_dataset():
    """Public data only: police.uk street crimes (no offence codes, no markers), police.uk ASB, no partner extract.
    2015-16: 3 crimes (April, October, March) and 2 ASB; 2014-15: 2 crimes and 1 ASB."""
    months = pd.to_datetime(["2015-04-01", "2015-10-01", "2016-03-01", "2014-05-01", "2014-11-01"])
    crimes = pd.DataFrame({"month": months, "fy": ["2015-16"] * 3 + ["2014-15"] * 2,
                           "police_category": ["Burglary", "Shoplifting", "Drugs", "Burglary", "Robbery"],
                           "source": "police_uk"})
    for col in ("ho_code", "ho_group", "hate_strand", "victim_sex"):
        crimes[col] = pd.Series(pd.NA, index=crimes.index, dtype="string")
    for flag in CRIME_FLAGS:
        crimes[flag] = pd.NA
    crimes["victim_age"] = pd.array([pd.NA] * len(crimes), dtype="Int64")
    asb = pd.DataFrame({"month": pd.to_datetime(["2015-05-01", "2016-01-01", "2014-06-01"]),
                        "fy": ["2015-16", "2015-16", "2014-15"], "recorded_by": "police"})
    return Dataset({"crimes": crimes, "incidents": pd.DataFrame(), "services": pd.DataFrame(), "asb": asb,
                    "funding": pd.DataFrame(), "most_similar_group": pd.DataFrame(), "mid_year": pd.DataFrame()}, key="p")


def test_public_data_only_quarterly_report_names_the_extract_each_missing_measure_needs(params):
    """Every partner source null (a public-data-only quarterly run): the measures police.uk data give are counted,
    each of the others is one sentence naming its extract (under the measures by board), and no table is empty."""
    out = SectionResult()
    # the plan's own sentences already name the domestic abuse extract: it must not be said twice
    da = ("Domestic abuse needs the partner crime extract (sources.partner_crimes, docs/data.md) with its "
          "domestic-abuse flag; it is not in police.uk data.")
    out.tables["plan_sentences"] = pd.DataFrame({"sentence": [da]})
    performance_report(_public_dataset(), params.model_copy(update={"disclosure_threshold": 1}), out)
    t = out.tables["report_measures"].set_index("measure")
    assert list(t.index) == ["trc", "asb"]  # only what police.uk data give, under params/2015-16.yaml's boards
    # hand counts: Q4 is the whole year; crimes 3 against 2, ASB (police only) 2 against 1
    assert (t.loc["trc", "current"], t.loc["trc", "previous"]) == (3, 2)
    assert (t.loc["asb", "current"], t.loc["asb", "previous"]) == (2, 1)
    assert t.loc["asb", "label"] == "Anti-social behaviour incidents (police)"  # no council extract: not "and council"
    for name in ("domestic_abuse_incidents", "service_referrals", "hate", "hate_by_strand", "funding", "funding_totals"):
        assert name not in out.tables, name
    assert list(out.tables["headlines"]["measure"]) == ["trc"]
    assert not [n for n, frame in out.tables.items() if frame.empty and n != "suppression_log"]
    sentences = list(out.tables["plan_sentences"]["sentence"])
    expected = [  # written out by hand from taxonomy.NEEDS / EXTRACTS
        da,
        "Hate crime needs the partner crime extract (sources.partner_crimes, docs/data.md) with its hate strand and "
        "its Home Office offence codes; it is not in police.uk data.",
        "The count of non-crime incidents (domestic abuse and hate) needs the non-crime incidents extract "
        "(sources.non_crime_incidents, docs/data.md); it is not in police.uk data.",
        "The count of referrals to domestic abuse services needs the domestic abuse service referrals extract "
        "(sources.da_referrals, docs/data.md); it is not in police.uk data.",
        "Council-recorded ASB needs the council ASB extract (sources.council_asb, docs/data.md); it is not in police.uk data.",
        "The table of funding allocations needs the funding allocations extract (sources.funding, docs/data.md); "
        "it is not in police.uk data.",
    ]
    assert sentences == expected  # each once, the plan's sentence not repeated
    assert "Anti-social behaviour incidents recorded by the police: 2, from 1 in 2014/15 (+100.0%)." in out.sentences
    f = set(out.figures_frame()["id"])
    assert {"trc_change", "asb_total"} <= f and not f & {"dva_change", "dva_non_crime_change", "hate_incidents_total"}
    boards = out.tables["boards"].set_index("board")
    assert boards.loc["Victim Support and Harm Reduction Partnership", "measures"] == \
        "none in this run (the inputs its measures need were not supplied)"


def test_plan_measures_carry_the_polarity_the_plan_gives_them(chdir_root, demo_dir):
    """The 2025-28 plan (params/plans/coventry-2025-28.yaml) asks for more hate crime and modern slavery reporting
    (`better: higher`): a fall there is concerning, so their rows read with higher_better; crime rows as usual."""
    from ccsp_analysis import dataset
    from ccsp_analysis.presentation.tables import MEANING
    from ccsp_analysis.sections.performance import plan_measures

    p = load_params("2023-24")
    table = plan_measures(dataset.load(p), p).set_index("measure")
    assert table.loc["hate_crime", "polarity"] == "higher_better"
    assert table.loc["modern_slavery", "polarity"] == "higher_better"
    assert table.loc["trc", "polarity"] == "higher_worse"
    assert MEANING[("DOWN", table.loc["modern_slavery", "polarity"])] == "concerning"


def test_the_synthetic_stand_ins_note_says_they_feed_the_average_rank_and_interval(params):
    """Fails on the old code, whose note said the stand-ins "appear in no table" while the group average, the
    rank and the prediction interval above the table are computed with them."""
    from ccsp_analysis.sections.performance import msg_notes

    data = _dataset()
    data.tables["most_similar_group"] = pd.DataFrame({
        "period": ["2015-16"] * 3, "csp": ["West Midlands - Coventry", "A - A", "B - B"],
        "crimes_per_1000": [62.176, 10.0, 20.5], "value_source": ["published", "published", "synthetic"]})
    note = " ".join(msg_notes(data, params))
    assert "appear in no table" not in note
    assert "not shown in the table" in note
    assert "group average, the area's rank among the partnerships and the prediction interval" in note


def test_a_group_file_without_the_period_names_the_periods_it_has(params):
    """Fails on the old code, which said "No most similar group data for this period." without naming the file
    or the periods it holds (the 2023-24 demo run, whose file has 2015-16 rows only)."""
    from ccsp_analysis.sections.performance import msg_absent_sentence, performance

    data = _dataset()
    data.tables["most_similar_group"] = data.most_similar_group.assign(period="2015-16")
    p = params.model_copy(update={"period": "2023-24"})
    assert msg_absent_sentence(data, p) == (
        "The most similar group file supplied (sources.most_similar_group) has no rows for 2023/24: it has rows for "
        "2015/16 only, so there is no comparison with the group for this period.")
    out = _performance_sections(performance, data, params.model_copy(update={"period": "2023-24", "mode": "assessment",
                                                                             "quarter": None}))
    assert out.tables["most_similar_group_sentences"]["sentence"].tolist() == [msg_absent_sentence(data, p)]


def test_an_annual_run_says_why_it_has_no_quarterly_report(params):
    """Fails on the old code, which left the Quarterly performance report heading with nothing under it."""
    from ccsp_analysis.sections.performance import QUARTERLY_ABSENT, performance

    annual = params.model_copy(update={"mode": "assessment", "quarter": None})
    out = _performance_sections(performance, _dataset(), annual)
    assert out.tables["quarterly_sentences"]["sentence"].tolist() == [QUARTERLY_ABSENT]
    assert "annual assessment" in QUARTERLY_ABSENT and "no quarterly performance report" in QUARTERLY_ABSENT
    assert "quarterly_sentences" not in _performance_sections(performance, _dataset(), params).tables
