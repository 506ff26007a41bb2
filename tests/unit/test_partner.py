"""Tests for sources.partner: one reader per partner schema plus the partner-crime cross checks.

Fixtures are written per test; expected values are read off them by hand.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ccsp_analysis import taxonomy
from ccsp_analysis.errors import DataError
from ccsp_analysis.schemas import CRIME_FLAGS, PARTNER_SCHEMAS
from ccsp_analysis.sources import partner

# One hand-written valid row per schema (column -> value); blank optional columns left out.
VALID = {
    "partner_crimes": {
        "crime_ref": "C1", "date": "2023-04-01", "hour": "23", "ho_code": "8N",
        "ho_group": "Violence with injury", "lsoa_code": "X01000001",
        **dict.fromkeys(CRIME_FLAGS, "0"), "domestic_abuse": "1",
        "hate_strand": "", "victim_age": "34", "victim_sex": "F",
    },
    "council_asb": {"case_ref": "A1", "date": "2023-05-02", "asb_type": "nuisance", "category": "Noise", "lsoa_code": "E01009522"},
    "police_asb": {"incident_ref": "P1", "date": "2023-05-09", "asb_type": "personal", "lsoa_code": "X01000003"},
    "fly_tipping": {"incident_ref": "F1", "date": "2023-06-03", "lsoa_code": "E01009522", "waste_type": "Household", "size": "small_van"},
    "da_referrals": {
        "referral_ref": "R1", "date": "2023-07-04", "service": "IDVA", "referral_source": "Police",
        "victim_age": "29", "victim_sex": "F", "repeat_victim": "1", "children_present": "0",
    },
    "non_crime_incidents": {
        "incident_ref": "N1", "date": "2023-08-05", "incident_type": "hate", "recorded_by": "police", "hate_strand": "race",
        "lsoa_code": "X01000002", "repeat_victim": "0", "children_present": "0",
    },
    "survey": {"respondent_id": "S1", "survey_year": "2023", "ward_code": "E05001218", "weight": "1.25", "feel_safe_day": "agree"},
    "reoffending": {"period": "2022-23", "measure": "offenders", "value": "1450"},
    "nrm_referrals": {
        "referral_ref": "M1", "date": "2023-09-06", "first_responder": "council",
        "exploitation_type": "labour", "victim_age": "41", "victim_sex": "M",
    },
    "most_similar_group": {"period": "2015-16", "csp": "West Midlands - Coventry", "crimes_per_1000": "", "value_source": "published"},
    "funding": {"financial_year": "2023-24", "source": "PCC grant", "project": "Street pastors", "amount_gbp": "25000"},
}  # fmt: skip
READERS = {
    "partner_crimes": partner.read_partner_crimes,
    "council_asb": partner.read_council_asb,
    "police_asb": partner.read_police_asb,
    "fly_tipping": partner.read_fly_tipping,
    "da_referrals": partner.read_da_referrals,
    "non_crime_incidents": partner.read_non_crime_incidents,
    "survey": partner.read_survey,
    "reoffending": partner.read_reoffending,
    "funding": partner.read_funding,
    "nrm_referrals": partner.read_nrm_referrals,
    "most_similar_group": partner.read_most_similar_group,
}
DTYPES = {
    "str": "str",
    "int": "Int64",
    "float": "float64",
    "flag": "bool",
    "date": "datetime64[ns]",
}


def write_rows(tmp_path: Path, name: str, rows: list[dict]) -> Path:
    names = PARTNER_SCHEMAS[name].names
    lines = [",".join(names)] + [",".join(row.get(c, "") for c in names) for row in rows]
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def offences(monkeypatch):
    """A small stand-in taxonomy so these tests do not depend on the full offence list."""
    mapping = {
        "8N": SimpleNamespace(code="8N", description="Assault with injury", group="Violence with injury", police_category="Violence and sexual offences"),
        "46": SimpleNamespace(code="46", description="Shoplifting", group="Shoplifting", police_category="Shoplifting"),
    }  # fmt: skip
    monkeypatch.setattr(taxonomy, "HO_OFFENCES", mapping)
    return mapping


def test_every_partner_schema_has_a_reader_and_a_valid_fixture():
    assert set(READERS) == set(PARTNER_SCHEMAS) == set(VALID)


@pytest.mark.parametrize("name", sorted(PARTNER_SCHEMAS))
def test_each_reader_reads_a_valid_file_with_typed_columns(tmp_path, name, offences):
    row = VALID[name]
    first = PARTNER_SCHEMAS[name].columns[0].name
    second = {k: (v + "2" if k == first else v) for k, v in row.items()}
    if first in partner.FY_COLUMNS.get(name, ()):  # a financial-year label: another valid year
        second[first] = "2011-12"
    frame = READERS[name](write_rows(tmp_path, name, [row, second]))
    assert len(frame) == 2
    assert list(frame.columns) == list(PARTNER_SCHEMAS[name].names)
    for col in PARTNER_SCHEMAS[name].columns:
        assert str(frame[col.name].dtype) == DTYPES.get(col.kind, "datetime64[ns]"), col.name
    pd.testing.assert_frame_equal(
        frame, partner.read_partner(name, write_rows(tmp_path, name, [row, second]))
    )


def test_partner_crime_values(tmp_path, offences):
    frame = partner.read_partner_crimes(
        write_rows(tmp_path, "partner_crimes", [VALID["partner_crimes"]])
    )
    assert frame["date"][0] == pd.Timestamp("2023-04-01")
    assert frame["hour"][0] == 23 and frame["victim_age"][0] == 34
    assert bool(frame["domestic_abuse"][0]) and not bool(frame["knife"][0])
    assert pd.isna(frame["hate_strand"][0])


def crimes_error(tmp_path: Path, change: dict) -> DataError:
    # Row 1 (line 2) is valid; the change goes into row 2, i.e. line 3.
    bad = {**VALID["partner_crimes"], "crime_ref": "C2", **change}
    with pytest.raises(DataError) as info:
        partner.read_partner_crimes(
            write_rows(tmp_path, "partner_crimes", [VALID["partner_crimes"], bad])
        )
    assert info.value.line == 3 and "partner_crimes.csv" in str(info.value)
    return info.value


def test_unknown_offence_code(tmp_path, offences):
    err = crimes_error(tmp_path, {"ho_code": "999Z"})
    assert err.column == "ho_code" and "'999Z'" in str(err)
    assert "add it to taxonomy.HO_OFFENCES or correct the code" in str(err)


def test_offence_group_must_match_code(tmp_path, offences):
    err = crimes_error(tmp_path, {"ho_code": "46", "ho_group": "Violence with injury"})
    assert err.column == "ho_group"
    assert "whose group is 'Shoplifting'" in str(err)


@pytest.mark.parametrize(
    ("change", "column"),
    [({"victim_sex": ""}, "victim_sex"), ({"victim_age": ""}, "victim_age")],
)
def test_victim_age_and_sex_both_or_neither(tmp_path, offences, change, column):
    err = crimes_error(tmp_path, change)
    assert err.column == column and "leave both blank" in str(err)


def test_no_victim_is_allowed(tmp_path, offences):
    row = {**VALID["partner_crimes"], "victim_age": "", "victim_sex": ""}
    frame = partner.read_partner_crimes(write_rows(tmp_path, "partner_crimes", [row]))
    assert pd.isna(frame["victim_age"][0]) and pd.isna(frame["victim_sex"][0])


@pytest.mark.parametrize(
    ("change", "column", "expected"),
    [
        ({"hate_strand": "age"}, "hate_strand", "use one of: race, religion"),
        ({"hour": "24"}, "hour", "at most 23"),
        ({"knife": "2"}, "knife", "expected 0 or 1"),
        ({"lsoa_code": "Coventry 014A"}, "lsoa_code", "expected a value matching"),
        ({"date": "2023-04-31"}, "date", "expected YYYY-MM-DD, e.g. 2023-04-01"),
        ({"crime_ref": "C1"}, "crime_ref", "must be unique"),
    ],
)
def test_schema_checks_apply_to_partner_crimes(tmp_path, offences, change, column, expected):
    err = crimes_error(tmp_path, change)
    assert err.column == column and expected in str(err)


def test_real_taxonomy_codes_are_accepted(tmp_path):
    # Uses the lead's taxonomy: 105A is common assault, grouped as violence without injury.
    code = "105A"
    if code not in taxonomy.HO_OFFENCES:
        pytest.skip("taxonomy has no 105A")
    row = {**VALID["partner_crimes"], "ho_code": code, "ho_group": taxonomy.HO_OFFENCES[code].group}
    assert len(partner.read_partner_crimes(write_rows(tmp_path, "partner_crimes", [row]))) == 1


def test_unknown_partner_format(tmp_path):
    with pytest.raises(ValueError, match="unknown partner format 'crimes'"):
        partner.read_partner("crimes", tmp_path / "x.csv")


def test_missing_column_names_the_schema(tmp_path):
    path = tmp_path / "asb.csv"
    path.write_text("case_ref,date,asb_type,lsoa_code\nA1,2023-05-02,nuisance,E01009522\n")
    with pytest.raises(DataError) as info:
        partner.read_council_asb(path)
    assert "missing column(s) category" in str(info.value) and "asb.csv" in str(info.value)
    assert "case_ref, date, asb_type, category, lsoa_code" in str(info.value)


def test_docs_data_md_lists_every_partner_column_as_in_schemas():
    doc = (Path(__file__).parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    words = {
        "str": "text",
        "int": "whole number",
        "float": "number",
        "date": "date YYYY-MM-DD",
        "flag": "0 or 1",
    }
    for schema in PARTNER_SCHEMAS.values():
        assert f"### `{schema.name}`" in doc, schema.name
        section = doc.split(f"### `{schema.name}`", 1)[1].split("\n#", 1)[0]
        for col in schema.columns:
            row = next(
                line for line in section.splitlines() if line.startswith(f"| `{col.name}` |")
            )
            assert f"| {words[col.kind]} | {'yes' if col.required else 'no'} |" in row, row
            for value in col.allowed or ():
                assert f"`{value}`" in row, (col.name, value)
