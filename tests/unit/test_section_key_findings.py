"""Key findings on hand-built data: expected values counted by hand from the rows below."""

import pandas as pd
import pytest

from ccsp_analysis.dataset import Dataset
from ccsp_analysis.params import load_params
from ccsp_analysis.schemas import CRIME_FLAGS
from ccsp_analysis.sections.key_findings import key_findings, top_offences


def _crimes():
    rows = ([("2023-24", "105A", "Violence without injury", "E05000001", "Alpha", True)] * 4
            + [("2023-24", "46", "Shoplifting", "E05000002", "Beta", False)] * 6
            + [("2022-23", "105A", "Violence without injury", "E05000001", "Alpha", False)] * 8
            + [("2022-23", "46", "Shoplifting", "E05000002", "Beta", False)] * 2)
    df = pd.DataFrame(rows, columns=["fy", "ho_code", "ho_group", "ward_code", "ward_name", "alcohol"])
    for flag in CRIME_FLAGS:
        if flag != "alcohol":
            df[flag] = False
    df["hate_strand"] = None
    df["victim_sex"] = None
    df["victim_age"] = pd.array([None] * len(df), dtype="Int64")
    df["police_category"] = None
    return df


@pytest.fixture()
def result(chdir_root):
    asb = pd.DataFrame({"fy": ["2023-24"] * 3 + ["2022-23"] * 2, "recorded_by": ["police"] * 5})
    return key_findings(Dataset({"crimes": _crimes(), "asb": asb}, key="t"), load_params("2023-24", check_files=False))


def test_figures(result):
    f = dict(zip(result.figures_frame()["id"], result.figures_frame()["value"], strict=True))
    assert f["trc"] == 10 and f["trc_change"] == 0.0  # 10 against 10
    assert f["asb_change"] == 50.0  # 3 against 2
    assert f["assault_battery"] == 4 and f["assault_battery_change"] == -50.0  # 4 against 8
    assert f["assault_battery_share"] == 40.0  # 4 of 10
    assert f["assault_battery_drug_alcohol_share"] == 100.0  # all 4 carry the alcohol marker
    assert f["shoplifting_change"] == 200.0 and f["shoplifting_share"] == 60.0  # 6 against 2; 6 of 10
    assert f["ward_beta_trc"] == 6 and f["ward_alpha_share"] == 40.0


def test_sentences_use_the_test(result):
    # 10 against 10: no change and not significant
    assert result.sentences[0].startswith("Total recorded crime") and "no statistically significant change" in result.sentences[0]


def test_top_offences_order_and_names():
    t = top_offences(_crimes(), "2023-24", "2022-23", n=2)
    assert list(t["ho_code"]) == ["46", "105A"] and t.loc[0, "offence"] == "Shoplifting"


def test_ward_table_corrects_for_every_ward(chdir_root):
    # Alpha 4 against 8 (p = 0.3877), Beta 6 against 2 (p = 0.2891) and a third ward, Gamma, with no crime at all
    # (p = 1): all three are in the table and the correction (m = 3); nothing is significant.
    geography = pd.DataFrame({"lsoa_code": ["a", "b", "c"], "lsoa_name": list("abc"),
                              "ward_code": ["E05000001", "E05000002", "E05000003"], "ward_name": ["Alpha", "Beta", "Gamma"]})
    asb = pd.DataFrame({"fy": ["2023-24", "2022-23"], "recorded_by": ["police"] * 2})
    data = Dataset({"crimes": _crimes(), "asb": asb, "geography": geography}, key="t")
    result = key_findings(data, load_params("2023-24", check_files=False))
    wards = result.tables["wards"].set_index("ward_name")
    assert wards.index.tolist() == ["Beta", "Alpha", "Gamma"]
    assert wards.loc["Gamma", ["current", "previous", "p_value"]].tolist() == [0, 0, 1.0]
    # BH adjusted: sorted 0.2891 x 3 / 1 = 0.8672, 0.3877 x 3 / 2 = 0.5815, 1 x 3 / 3 = 1 -> running minimum
    # from the largest: 1, 0.5815, min(0.8672, 0.5815) = 0.5815
    assert wards["q_value"].tolist() == pytest.approx([0.5815, 0.5815, 1.0], abs=1e-4)
    assert not wards["significant_bh"].any()
    assert {f["id"]: f["value"] for f in result.figures}["ward_gamma_trc"] == 0


def test_acquisitive_crime_by_kind_by_hand(chdir_root):
    # 2023-24: vehicle offences 3, shoplifting 6 (from _crimes), burglary 1 -> 10 acquisitive crimes;
    # vehicle offences are 3 of 10 = 30.0%, shoplifting 60.0%, burglary 10.0%. Violence is not acquisitive.
    extra = _crimes().iloc[:4].copy()
    extra["ho_code"], extra["ho_group"], extra["alcohol"] = ["45", "45", "45", "28E"], ["Vehicle offences"] * 3 + ["Burglary"], False
    crimes = pd.concat([_crimes(), extra], ignore_index=True)
    asb = pd.DataFrame({"fy": ["2023-24"], "recorded_by": ["police"]})
    out = key_findings(Dataset({"crimes": crimes, "asb": asb}, key="t"), load_params("2023-24", check_files=False))
    parts = out.tables["acquisitive_parts"]
    assert list(parts["kind"]) == ["Shoplifting", "Vehicle offences", "Burglary"]
    assert list(parts["current"]) == [6, 3, 1] and list(parts["share"].round(6)) == [60.0, 30.0, 10.0]
    assert ("The largest parts of acquisitive crime (10) were shoplifting with 60.0% (6), vehicle offences with "
            "30.0% (3) and burglary with 10.0% (1).") in out.sentences


def test_no_acquisitive_crime_no_table(result):
    # _crimes() alone: shoplifting is acquisitive, so the table is there; without it there is none
    assert "acquisitive_parts" in result.tables
    crimes = _crimes()
    crimes = crimes[crimes["ho_code"] != "46"]
    asb = pd.DataFrame({"fy": ["2023-24"], "recorded_by": ["police"]})
    out = key_findings(Dataset({"crimes": crimes, "asb": asb}, key="t"), load_params("2023-24", check_files=False))
    assert "acquisitive_parts" not in out.tables and not any("acquisitive crime (" in s for s in out.sentences)
