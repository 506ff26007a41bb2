"""Column-level schemas of every input format the project reads (the contract in docs/data.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The exact header of a data.police.uk street-level crime CSV.
POLICE_STREET_HEADER: tuple[str, ...] = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)
#: The exact header of a data.police.uk outcomes CSV.
POLICE_OUTCOMES_HEADER: tuple[str, ...] = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
)
#: The 14 categories a data.police.uk street file uses.
POLICE_CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)

#: Real ONS LSOA codes (England E01, Wales W01) and the demo's synthetic ones (X01, never issued by ONS).
LSOA_CODE_PATTERN = r"^(E01|W01|X01)\d{6}$"
WARD_CODE_PATTERN = r"^(E05|W05)\d{6}$"
HATE_STRANDS: tuple[str, ...] = ("race", "religion", "sexual_orientation", "disability", "transgender")
CRIME_FLAGS: tuple[str, ...] = (
    "domestic_abuse", "alcohol", "drugs", "knife", "firearm", "serious_youth_violence",
    "county_lines", "cse", "modern_slavery", "honour_based_abuse", "child_abuse",
)


@dataclass(frozen=True)
class Column:
    """One column of a tabular input: name, kind and the checks applied to every value.

    kind: "str" | "int" | "float" | "date" (YYYY-MM-DD) | "month" (YYYY-MM) | "flag" (0/1).
    """

    name: str
    kind: str = "str"
    required: bool = True  # a blank value is an error when True
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    unique: bool = False
    description: str = ""


@dataclass(frozen=True)
class Schema:
    """A named tabular format: its columns (in order) and a one-line description."""

    name: str
    description: str
    columns: tuple[Column, ...]
    extra_columns_allowed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_flags = tuple(Column(f, "flag", description=f"1 when the crime carries the {f.replace('_', ' ')} marker") for f in CRIME_FLAGS)

PARTNER_CRIMES = Schema(
    "partner_crimes",
    "Victim-level recorded crime extract from the force (one row per crime, first victim)",
    (
        Column("crime_ref", unique=True, description="force crime reference"),
        Column("date", "date", description="date the crime was committed (YYYY-MM-DD)"),
        Column("hour", "int", min=0, max=23, description="hour of day committed, 0-23"),
        Column("ho_code", description="Home Office offence code, e.g. 105A (see taxonomy.py)"),
        Column("ho_group", description="Home Office offence group; must match the code"),
        Column("lsoa_code", pattern=LSOA_CODE_PATTERN),
        *_flags,
        Column("hate_strand", required=False, allowed=HATE_STRANDS, description="blank when not a hate crime"),
        Column("victim_age", "int", required=False, min=0, max=120, description="blank when no victim recorded"),
        Column("victim_sex", required=False, allowed=("F", "M"), description="F, M or blank"),
    ),
)

COUNCIL_ASB = Schema(
    "council_asb",
    "Council-recorded anti-social behaviour cases",
    (
        Column("case_ref", unique=True),
        Column("date", "date"),
        Column("asb_type", allowed=("personal", "nuisance", "environmental")),
        Column("category", description="council category, e.g. Noise, Neighbour dispute"),
        Column("lsoa_code", pattern=LSOA_CODE_PATTERN),
    ),
)

FLY_TIPPING = Schema(
    "fly_tipping",
    "Council fly-tipping incidents",
    (
        Column("incident_ref", unique=True),
        Column("date", "date"),
        Column("lsoa_code", pattern=LSOA_CODE_PATTERN),
        Column("waste_type", description="e.g. Household, Commercial, Green, White goods"),
        Column("size", allowed=("single_item", "small_van", "transit_van", "tipper_lorry", "significant")),
    ),
)

DA_REFERRALS = Schema(
    "da_referrals",
    "Referrals to domestic-abuse and sexual-violence support services",
    (
        Column("referral_ref", unique=True),
        Column("date", "date"),
        Column("service", description="service name, e.g. CDVASS, SARC, Refuge, IDVA"),
        Column("referral_source", description="e.g. Police, Self, Health, Children's services"),
        Column("victim_age", "int", required=False, min=0, max=120),
        Column("victim_sex", required=False, allowed=("F", "M")),
        Column("repeat_victim", "flag"),
        Column("children_present", "flag"),
    ),
)

NON_CRIME_INCIDENTS = Schema(
    "non_crime_incidents",
    "Police-recorded non-crime incidents (domestic abuse and hate)",
    (
        Column("incident_ref", unique=True),
        Column("date", "date"),
        Column("incident_type", allowed=("domestic_abuse", "hate")),
        Column("recorded_by", allowed=("police", "reporting_centre"), description="police, or a third-party hate reporting centre"),
        Column("hate_strand", required=False, allowed=HATE_STRANDS),
        Column("lsoa_code", pattern=LSOA_CODE_PATTERN),
        Column("repeat_victim", "flag"),
        Column("children_present", "flag"),
    ),
)

SURVEY = Schema(
    "survey",
    "Resident survey responses (one row per respondent)",
    (
        Column("respondent_id", unique=True),
        Column("survey_year", "int", min=2000, max=2100),
        Column("ward_code", required=False, pattern=WARD_CODE_PATTERN),
        Column("age_band", required=False, allowed=("16-24", "25-34", "35-44", "45-54", "55-64", "65+")),
        Column("sex", required=False, allowed=("F", "M")),
        Column("weight", "float", min=0.0),
        Column("feel_safe_day", required=False, allowed=("agree", "neither", "disagree", "dont_know")),
        Column("feel_safe_night", required=False, allowed=("agree", "neither", "disagree", "dont_know")),
        Column("asb_change", required=False, allowed=("increased", "same", "decreased", "dont_know")),
        Column("avoid_city_centre_day", required=False, allowed=("yes", "no")),
        Column("avoid_city_centre_night", required=False, allowed=("yes", "no")),
        Column("victim_or_know_victim", required=False, allowed=("yes", "no")),
        Column("reported", required=False, allowed=("yes", "no")),
        Column("reason_not_reported", required=False, description="code, e.g. nothing_would_happen"),
        Column("priority_1", required=False),
        Column("priority_2", required=False),
        Column("priority_3", required=False),
    ),
)

REOFFENDING = Schema(
    "reoffending",
    "Proven reoffending and first-time entrants, tidy (one row per period and measure)",
    (
        Column("period", description="financial year label, e.g. 2023-24"),
        Column("measure", allowed=("offenders", "reoffenders", "reoffences", "first_time_entrants")),
        Column("value", "int", min=0),
    ),
)

FUNDING = Schema(
    "funding",
    "Funding allocations (one row per funded line)",
    (
        Column("financial_year", description="e.g. 2016-17"),
        Column("source", description="e.g. PCC grant, Carry over"),
        Column("project", description="funded project or line"),
        Column("amount_gbp", "int", min=0),
    ),
)

PARTNER_SCHEMAS: dict[str, Schema] = {
    s.name: s for s in (PARTNER_CRIMES, COUNCIL_ASB, FLY_TIPPING, DA_REFERRALS, NON_CRIME_INCIDENTS, SURVEY, REOFFENDING, FUNDING)
}

POLICE_ASB = Schema(
    "police_asb",
    "Police-recorded anti-social behaviour incidents with their type (the force's incident extract)",
    (
        Column("incident_ref", unique=True),
        Column("date", "date"),
        Column("asb_type", allowed=("personal", "nuisance", "environmental")),
        Column("lsoa_code", pattern=LSOA_CODE_PATTERN),
    ),
)
PARTNER_SCHEMAS[POLICE_ASB.name] = POLICE_ASB

NRM_REFERRALS = Schema(
    "nrm_referrals",
    "Modern slavery referrals to the National Referral Mechanism, by first responder",
    (
        Column("referral_ref", unique=True),
        Column("date", "date"),
        Column("first_responder", allowed=("police", "council", "other")),
        Column("exploitation_type", allowed=("labour", "sexual", "criminal", "domestic_servitude", "unknown")),
        Column("victim_age", "int", required=False, min=0, max=120),
        Column("victim_sex", required=False, allowed=("F", "M")),
    ),
)
MOST_SIMILAR_GROUP = Schema(
    "most_similar_group",
    "Most Similar Group of partnerships: recorded crimes per 1,000 residents (the group is user data)",
    (
        Column("period", description="financial year label, e.g. 2015-16"),
        Column("csp", description="partnership, e.g. 'West Midlands - Coventry'"),
        Column("crimes_per_1000", "float", required=False, min=0, description="blank where not published"),
        Column("value_source", required=False, allowed=("published", "synthetic"), description="demo only: where the value comes from"),
    ),
)
PARTNER_SCHEMAS[NRM_REFERRALS.name] = NRM_REFERRALS
PARTNER_SCHEMAS[MOST_SIMILAR_GROUP.name] = MOST_SIMILAR_GROUP
