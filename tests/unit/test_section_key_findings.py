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


def _street_crimes():
    """The same crimes as police.uk street-level rows: categories only, no Home Office codes or markers."""
    df = _crimes()
    df["police_category"] = df["ho_code"].map({"105A": "Violence and sexual offences", "46": "Shoplifting"})
    df["ho_code"] = None
    df["ho_group"] = None
    df["source"] = "police_uk"
    return df


@pytest.mark.parametrize("street", [False, True])
def test_the_page_says_where_its_crimes_come_from_truly(chdir_root, street):
    """With the partner crime extract the page never says it is on street-level data alone, and without it it
    says so plainly (fails on the old notebook, which printed both cases in fixed words: "on police.uk
    street-level data alone (no partner crime extract)" whatever the run had, and a garbled caveat)."""
    import json
    from pathlib import Path

    from ccsp_analysis import narrative
    from ccsp_analysis.measures import street_level

    asb = pd.DataFrame({"fy": ["2023-24"] * 3 + ["2022-23"] * 2, "recorded_by": ["police"] * 5})
    data = Dataset({"crimes": _street_crimes() if street else _crimes(), "asb": asb}, key="t")
    result = key_findings(data, load_params("2023-24", check_files=False))
    # the notebook's test of the run (Home Office offences only from the extract) agrees with the data's source
    assert ("top_offences" not in result.tables) == street == street_level(data)
    notes = narrative.key_findings_notes(street=street)
    text = " ".join(notes.values())
    assert "is one sentence naming it" not in text and "data alone" not in text
    if street:
        assert "does not have" in notes["top_offences"] and "police.uk crime category" in notes["acquisitive_parts"]
        assert notes["sources"].startswith("Crimes: the data.police.uk street-level crimes, as no partner crime extract")
        assert "Home Office offence group" not in text
    else:
        assert "police.uk" not in notes["top_offences"] and "Home Office offence group" in notes["acquisitive_parts"]
        assert notes["sources"].startswith("Crimes: the force's victim-level extract")
        assert "no partner crime extract" not in text and "street-level crimes" not in text
    page = Path(__file__).resolve().parents[2] / "notebooks" / "01_key_findings.ipynb"
    source = "".join("".join(c["source"]) for c in json.loads(page.read_text(encoding="utf-8"))["cells"])
    assert 'key_findings_notes(street="top_offences" not in findings.tables)' in source
    assert "data alone" not in source and "is one sentence naming it" not in source
