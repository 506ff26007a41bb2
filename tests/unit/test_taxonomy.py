import pandas as pd
import pytest

from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import CRIME_FLAGS, PARTNER_SCHEMAS, POLICE_CRIME_TYPES
from ccsp_analysis.sources import partner
from ccsp_analysis.taxonomy import (
    AGGRAVATED_CODES,
    GROUPINGS,
    HO_OFFENCES,
    grouping_mask,
    grouping_table,
)


def _crimes(rows):
    cols = [
        "ho_code",
        "ho_group",
        "domestic_abuse",
        "honour_based_abuse",
        "hate_strand",
        "victim_sex",
        "victim_age",
        "county_lines",
    ]
    df = pd.DataFrame(rows, columns=cols)
    df["victim_age"] = df["victim_age"].astype("Int64")
    return df


def test_every_offence_maps_to_a_police_category():
    assert {o.police_category for o in HO_OFFENCES.values()} <= set(POLICE_CRIME_TYPES) - {
        "Anti-social behaviour"
    }


def test_vawg_needs_female_victim_and_a_vawg_offence():
    # Hand-built rows: only rows 0 (DA, F), 2 (stalking, F) and 4 (rape, F) are VAWG.
    df = _crimes(
        [
            ("105A", "Violence without injury", True, False, None, "F", 30, False),
            ("105A", "Violence without injury", True, False, None, "M", 30, False),
            ("8Q", "Stalking and harassment", False, False, None, "F", 30, False),
            ("46", "Shoplifting", False, False, None, "F", 30, False),
            ("19C", "Rape", False, False, None, "F", 30, False),
            ("19C", "Rape", False, False, None, None, None, False),
        ]
    )
    assert list(grouping_mask(df, "vawg")) == [True, False, True, False, True, False]
    assert list(grouping_mask(df, "trc")) == [True] * 6
    assert grouping_mask(df, "sexual_offences").sum() == 2


def test_county_lines_needs_child_victim():
    df = _crimes(
        [
            ("92A", "Drug offences", False, False, None, "M", 16, True),
            ("92A", "Drug offences", False, False, None, "M", 19, True),
            ("92A", "Drug offences", False, False, None, None, None, True),
        ]
    )
    assert list(grouping_mask(df, "county_lines")) == [True, False, False]


def test_hate_and_unknown_grouping():
    df = _crimes(
        [
            ("9B", "Public order offences", False, False, "race", None, None, False),
            ("9A", "Public order offences", False, False, None, None, None, False),
        ]
    )
    assert list(grouping_mask(df, "hate_crime")) == [True, False]
    with pytest.raises(KeyError, match="unknown grouping 'nope'"):
        grouping_mask(df, "nope")


def test_grouping_table_documents_every_grouping():
    t = grouping_table()
    assert set(t["grouping"]) == set(GROUPINGS) and t["rule"].str.len().gt(0).all()


# --- The Home Office offence codes, against the Home Office Counting Rules -------------------------
# Expected code -> (description, offence group) written out from the Home Office Counting Rules for
# Recorded Crime (HOCR) classification lists -- "Violence against the Person" (stalking and harassment:
# 8L harassment, 8M racially or religiously aggravated harassment, 8Q stalking, 8R malicious
# communications, 8U controlling or coercive behaviour; 3A conspiracy to murder, 3B threats to kill;
# 8N / 8P assault with injury and its racially or religiously aggravated form; 105A / 105B the same
# without injury), "Possession of Weapons" (10A possession of firearms with intent, 10B possession of
# firearms offences, 10C possession of other weapons, 10D possession of article with blade or point,
# 81 other firearms offences) and "Public Order Offences" (9A public fear, alarm or distress, 9B its
# racially or religiously aggravated form) -- and the ONS offence groups they are published under.
# Not read from taxonomy.py. 8A is no longer used (the HOCR list marks it "No longer used").
HOCR = {
    "3A": ("Conspiracy to murder", "Violence without injury"),
    "3B": ("Threats to kill", "Violence without injury"),
    "8L": ("Harassment", "Stalking and harassment"),
    "8M": ("Racially or religiously aggravated harassment", "Stalking and harassment"),
    "8Q": ("Stalking", "Stalking and harassment"),
    "8R": ("Malicious communications", "Stalking and harassment"),
    "8U": ("Controlling or coercive behaviour", "Stalking and harassment"),
    "8N": ("Assault with injury", "Violence with injury"),
    "8P": ("Racially or religiously aggravated assault with injury", "Violence with injury"),
    "105B": ("Racially or religiously aggravated assault without injury", "Violence without injury"),
    "10A": ("Possession of firearms with intent", "Possession of weapons offences"),
    "10B": ("Possession of firearms offences", "Possession of weapons offences"),
    "10C": ("Possession of other weapons", "Possession of weapons offences"),
    "10D": ("Possession of article with blade or point", "Possession of weapons offences"),
    "81": ("Other firearms offences", "Possession of weapons offences"),
    "9A": ("Public fear, alarm or distress", "Public order offences"),
    "9B": ("Racially or religiously aggravated public fear, alarm or distress", "Public order offences"),
}
# The racially or religiously aggravated offences among them (Crime and Disorder Act 1998 ss.29-32):
# hate crimes by definition under the HOCR hate crime annex.
HOCR_AGGRAVATED = {"8M", "8P", "105B", "9B"}


@pytest.mark.parametrize("code", sorted(HOCR))
def test_codes_carry_their_hocr_meaning(code):
    o = HO_OFFENCES[code]
    assert (o.description, o.group) == HOCR[code]
    assert o.police_category == (
        "Possession of weapons" if HOCR[code][1] == "Possession of weapons offences"
        else "Public order" if HOCR[code][1] == "Public order offences"
        else "Violence and sexual offences"
    )


def test_withdrawn_codes_are_not_listed():
    assert "8A" not in HO_OFFENCES  # HOCR: "8A No longer used"


def test_the_aggravated_codes_are_the_racially_or_religiously_aggravated_offences():
    assert set(AGGRAVATED_CODES) == HOCR_AGGRAVATED
    # and no other listed offence is an aggravated one
    assert {c for c, o in HO_OFFENCES.items() if "aggravated" in o.description.lower()
            and o.description != "Aggravated vehicle taking"} == HOCR_AGGRAVATED


def test_hate_crime_includes_aggravated_offences_without_a_strand():
    # Hand-built rows. Hate crime: rows 0-3 (aggravated offences, no strand), 4 (harassment with a
    # strand) and 5 (9B with its strand, counted once). Not 6 (8R malicious communications), 7 (8L
    # harassment), 8 (9A public fear): neither aggravated nor with a strand.
    df = _crimes(
        [
            ("8M", "Stalking and harassment", False, False, None, "F", 33, False),
            ("8P", "Violence with injury", False, False, None, "M", 40, False),
            ("105B", "Violence without injury", False, False, None, "M", 22, False),
            ("9B", "Public order offences", False, False, None, None, None, False),
            ("8L", "Stalking and harassment", False, False, "sexual_orientation", "M", 24, False),
            ("9B", "Public order offences", False, False, "race", "M", 42, False),
            ("8R", "Stalking and harassment", True, False, None, "F", 29, False),
            ("8L", "Stalking and harassment", False, False, None, "F", 27, False),
            ("9A", "Public order offences", False, False, None, "M", 30, False),
        ]
    )
    assert list(grouping_mask(df, "hate_crime")) == [True] * 6 + [False] * 3
    # the HOCR stalking and harassment group is rows 0 (8M), 4 and 7 (8L) and 6 (8R), hate or not
    assert list(grouping_mask(df, "stalking_harassment")) == [True, False, False, False, True, False, True, True, False]


def test_grouping_table_names_the_aggravated_codes():
    t = grouping_table().set_index("grouping")
    assert t.loc["hate_crime", "rule"] == "HO codes: 8P, 105B, 8M, 9B or any hate strand"


@pytest.mark.parametrize(("code", "group"), [("3B", "Violence without injury"), ("10D", "Possession of weapons offences"),
                                             ("8U", "Stalking and harassment"), ("8M", "Stalking and harassment")])
def test_the_partner_reader_accepts_current_hocr_codes(tmp_path, code, group):
    assert len(partner.read_partner_crimes(_extract(tmp_path, code, group))) == 1


def test_the_partner_reader_rejects_a_withdrawn_code(tmp_path):
    with pytest.raises(DataError, match="unknown Home Office offence code '8A'"):
        partner.read_partner_crimes(_extract(tmp_path, "8A", "Possession of weapons offences"))


def _extract(tmp_path, code: str, group: str):
    """A one-row partner crimes extract (written out here, not from the taxonomy) with the given code."""
    row = {"crime_ref": "C1", "date": "2023-04-01", "hour": "23", "ho_code": code, "ho_group": group,
           "lsoa_code": "X01000001", **dict.fromkeys(CRIME_FLAGS, "0"), "hate_strand": "",
           "victim_age": "34", "victim_sex": "F"}
    names = PARTNER_SCHEMAS["partner_crimes"].names
    path = tmp_path / "crimes.csv"
    path.write_text(",".join(names) + "\n" + ",".join(row[c] for c in names) + "\n", encoding="utf-8")
    return path


def test_docs_data_md_lists_every_offence_code():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    section = doc.split("#### Home Office offence codes", 1)[1].split("\n#", 1)[0]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in section.splitlines() if line.startswith("| ")}
    for code, o in HO_OFFENCES.items():
        assert f"`{code}` {o.description}" in rows[o.group], code
