"""The offence classification as data: Home Office offence codes, police.uk categories and the assessment's groupings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Offence:
    """A Home Office offence code with its offence group and data.police.uk category."""

    code: str
    description: str
    group: str
    police_category: str


_VSO = "Violence and sexual offences"
# Codes and descriptions are the Home Office Counting Rules for Recorded Crime (HOCR) classifications;
# the groups are the HOCR / ONS offence groups. Codes the HOCR no longer uses (e.g. 8A, withdrawn when
# assault with injury became 8N) are not listed, so an extract carrying one is rejected by the reader.
_OFFENCE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("1", "Murder", "Homicide", _VSO),
    ("4.1", "Manslaughter", "Homicide", _VSO),
    ("5D", "Assault with intent to cause serious harm", "Violence with injury", _VSO),
    ("8N", "Assault with injury", "Violence with injury", _VSO),
    ("8P", "Racially or religiously aggravated assault with injury", "Violence with injury", _VSO),
    ("105A", "Assault without injury (common assault and battery)", "Violence without injury", _VSO),
    ("105B", "Racially or religiously aggravated assault without injury", "Violence without injury", _VSO),
    ("104", "Assault without injury on a constable", "Violence without injury", _VSO),
    ("3A", "Conspiracy to murder", "Violence without injury", _VSO),
    ("3B", "Threats to kill", "Violence without injury", _VSO),
    ("11A", "Cruelty to children/young persons", "Violence without injury", _VSO),
    ("8L", "Harassment", "Stalking and harassment", _VSO),
    ("8M", "Racially or religiously aggravated harassment", "Stalking and harassment", _VSO),
    ("8Q", "Stalking", "Stalking and harassment", _VSO),
    ("8R", "Malicious communications", "Stalking and harassment", _VSO),
    ("8U", "Controlling or coercive behaviour", "Stalking and harassment", _VSO),
    ("19C", "Rape of a female aged 16 and over", "Rape", _VSO),
    ("19D", "Rape of a female child under 16", "Rape", _VSO),
    ("19F", "Rape of a male aged 16 and over", "Rape", _VSO),
    ("19G", "Rape of a male child under 16", "Rape", _VSO),
    ("20A", "Sexual assault on a female aged 13 and over", "Other sexual offences", _VSO),
    ("17A", "Sexual assault on a male aged 13 and over", "Other sexual offences", _VSO),
    ("22B", "Sexual activity involving a child under 16", "Other sexual offences", _VSO),
    ("71", "Abuse of children through sexual exploitation", "Other sexual offences", _VSO),
    ("88A", "Sexual grooming", "Other sexual offences", _VSO),
    ("34A", "Robbery of business property", "Robbery", "Robbery"),
    ("34B", "Robbery of personal property", "Robbery", "Robbery"),
    ("28E", "Burglary - residential", "Burglary", "Burglary"),
    ("30C", "Burglary - business and community", "Burglary", "Burglary"),
    ("45", "Theft from a vehicle", "Vehicle offences", "Vehicle crime"),
    ("48", "Theft or unauthorised taking of a motor vehicle", "Vehicle offences", "Vehicle crime"),
    ("37.2", "Aggravated vehicle taking", "Vehicle offences", "Vehicle crime"),
    ("126", "Interfering with a motor vehicle", "Vehicle offences", "Vehicle crime"),
    ("39", "Theft from the person", "Theft from the person", "Theft from the person"),
    ("44", "Bicycle theft", "Bicycle theft", "Bicycle theft"),
    ("46", "Shoplifting", "Shoplifting", "Shoplifting"),
    ("49", "Other theft", "All other theft offences", "Other theft"),
    ("56B", "Arson not endangering life", "Criminal damage and arson", "Criminal damage and arson"),
    ("58A", "Criminal damage to a dwelling", "Criminal damage and arson", "Criminal damage and arson"),
    ("58B", "Criminal damage to a building other than a dwelling", "Criminal damage and arson", "Criminal damage and arson"),
    ("58C", "Criminal damage to a vehicle", "Criminal damage and arson", "Criminal damage and arson"),
    ("58D", "Other criminal damage", "Criminal damage and arson", "Criminal damage and arson"),
    ("92A", "Trafficking in controlled drugs", "Drug offences", "Drugs"),
    ("92D", "Possession of controlled drugs (excluding cannabis)", "Drug offences", "Drugs"),
    ("92E", "Possession of controlled drugs (cannabis)", "Drug offences", "Drugs"),
    ("92C", "Other drug offences", "Drug offences", "Drugs"),
    ("10A", "Possession of firearms with intent", "Possession of weapons offences", "Possession of weapons"),
    ("10B", "Possession of firearms offences", "Possession of weapons offences", "Possession of weapons"),
    ("10C", "Possession of other weapons", "Possession of weapons offences", "Possession of weapons"),
    ("10D", "Possession of article with blade or point", "Possession of weapons offences", "Possession of weapons"),
    ("81", "Other firearms offences", "Possession of weapons offences", "Possession of weapons"),
    ("9A", "Public fear, alarm or distress", "Public order offences", "Public order"),
    ("9B", "Racially or religiously aggravated public fear, alarm or distress", "Public order offences", "Public order"),
    ("66", "Other offences against the State or public order", "Public order offences", "Public order"),
    ("106", "Modern slavery", "Miscellaneous crimes against society", "Other crime"),
    ("95", "Disclosure, obstruction, false or misleading statements", "Miscellaneous crimes against society", "Other crime"),
    ("802", "Dangerous driving", "Miscellaneous crimes against society", "Other crime"),
)

#: Home Office offence code -> Offence.
HO_OFFENCES: dict[str, Offence] = {row[0]: Offence(*row) for row in _OFFENCE_ROWS}

#: Sub-groupings used when naming possession against supply of drugs.
DRUG_POSSESSION_CODES = ("92D", "92E")
DRUG_SUPPLY_CODES = ("92A",)

#: The racially or religiously aggravated offences (Crime and Disorder Act 1998 ss.29-32) among the
#: codes above: hate crimes by definition (HOCR), whether or not the extract fills ``hate_strand``.
AGGRAVATED_CODES = ("8P", "105B", "8M", "9B")

#: Night-time-economy hours (20:00 to 05:59), used for alcohol-related crime.
NTE_HOURS: tuple[int, ...] = (20, 21, 22, 23, 0, 1, 2, 3, 4, 5)

#: The Home Office groups police.uk publish as "Violence and sexual offences".
VIOLENCE_SEXUAL_GROUPS = ("Homicide", "Violence with injury", "Violence without injury", "Stalking and harassment",
                          "Rape", "Other sexual offences")

ACQUISITIVE_GROUPS = (
    "Robbery", "Burglary", "Vehicle offences", "Theft from the person", "Bicycle theft",
    "Shoplifting", "All other theft offences",
)
#: police.uk categories that make up acquisitive crime when only street-level data exist.
ACQUISITIVE_CATEGORIES = (
    "Robbery", "Burglary", "Vehicle crime", "Theft from the person", "Bicycle theft",
    "Shoplifting", "Other theft",
)


@dataclass(frozen=True)
class Grouping:
    """An assessment grouping: which crimes belong to it.

    A crime belongs when it matches ANY of the offence conditions given (HO groups, HO codes,
    flags, hate crime) -- or every crime when none is given -- AND every victim condition.
    ``police_categories`` is the equivalent on data.police.uk street data (None: not
    derivable from street data, e.g. anything that needs a flag or a victim).
    """

    label: str
    ho_groups: tuple[str, ...] = ()
    ho_codes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    hate: bool = False
    victim_sex: str | None = None
    victim_age_below: int | None = None
    police_categories: tuple[str, ...] | None = None
    definition: str = ""


GROUPINGS: dict[str, Grouping] = {
    "trc": Grouping("Total recorded crime", police_categories=(), definition="every recorded crime (police.uk: every row except anti-social behaviour)"),
    "acquisitive": Grouping("Acquisitive crime", ho_groups=ACQUISITIVE_GROUPS, police_categories=ACQUISITIVE_CATEGORIES, definition="robbery, burglary, vehicle offences and theft"),
    "vehicle": Grouping("Vehicle crime", ho_groups=("Vehicle offences",), police_categories=("Vehicle crime",)),
    "shoplifting": Grouping("Shoplifting", ho_groups=("Shoplifting",), police_categories=("Shoplifting",)),
    "burglary": Grouping("Burglary", ho_groups=("Burglary",), police_categories=("Burglary",)),
    "robbery": Grouping("Robbery", ho_groups=("Robbery",), police_categories=("Robbery",)),
    "assault_battery": Grouping("Assault and battery", ho_codes=("105A",), definition="common assault and battery, HO code 105A"),
    "homicide": Grouping("Homicide", ho_groups=("Homicide",)),
    "violence_with_injury": Grouping("Violence with injury", ho_groups=("Violence with injury",)),
    "serious_violence": Grouping("Serious violence", ho_groups=("Homicide", "Violence with injury", "Robbery", "Possession of weapons offences"), definition="homicide, violence with injury, robbery and possession of weapons"),
    "serious_youth_violence": Grouping("Serious youth violence", flags=("serious_youth_violence",), definition="crimes carrying the serious youth violence marker (serious violence against victims aged 25 and under)"),
    "knife": Grouping("Knife crime", flags=("knife",)),
    "firearm": Grouping("Gun crime", flags=("firearm",)),
    "domestic_abuse": Grouping("Domestic abuse", flags=("domestic_abuse",)),
    "sexual_offences": Grouping("Sexual offences", ho_groups=("Rape", "Other sexual offences")),
    "rape": Grouping("Rape", ho_groups=("Rape",)),
    "other_sexual": Grouping("Other sexual offences", ho_groups=("Other sexual offences",)),
    "stalking_harassment": Grouping("Stalking and harassment", ho_groups=("Stalking and harassment",)),
    "vawg": Grouping("Violence against women and girls", ho_groups=("Rape", "Other sexual offences", "Stalking and harassment"), flags=("domestic_abuse", "honour_based_abuse"), victim_sex="F", definition="crimes against female victims that are domestic abuse, honour-based abuse, sexual offences, or stalking and harassment"),
    "hate_crime": Grouping("Hate crime", ho_codes=AGGRAVATED_CODES, hate=True, definition="crimes with a hate strand, and the racially or religiously aggravated offences (hate crimes by definition, strand given or not)"),
    "drugs": Grouping("Drug offences", ho_groups=("Drug offences",), police_categories=("Drugs",)),
    "drug_possession": Grouping("Drug possession", ho_codes=DRUG_POSSESSION_CODES),
    "drug_supply": Grouping("Drug supply (trafficking)", ho_codes=DRUG_SUPPLY_CODES),
    "alcohol_related": Grouping("Alcohol-related crime", flags=("alcohol",)),
    "drug_alcohol_related": Grouping("Crime influenced by drugs or alcohol", flags=("alcohol", "drugs")),
    "county_lines": Grouping("Child exploitation (county lines)", flags=("county_lines",), victim_age_below=18, definition="crimes carrying the county lines marker with a victim aged under 18"),
    "cse": Grouping("Child sexual exploitation", flags=("cse",)),
    "child_abuse": Grouping("Child abuse", flags=("child_abuse",)),
    "modern_slavery": Grouping("Modern slavery (police-recorded)", flags=("modern_slavery",)),
    "honour_based_abuse": Grouping("Honour-based abuse", flags=("honour_based_abuse",)),
    "weapons": Grouping("Possession of weapons", ho_groups=("Possession of weapons offences",), police_categories=("Possession of weapons",)),
    "public_order": Grouping("Public order", ho_groups=("Public order offences",), police_categories=("Public order",)),
    "criminal_damage": Grouping("Criminal damage and arson", ho_groups=("Criminal damage and arson",), police_categories=("Criminal damage and arson",)),
    "violence_sexual": Grouping("Violence and sexual offences", ho_groups=VIOLENCE_SEXUAL_GROUPS, police_categories=(_VSO,),
                                definition="the police.uk category: homicide, violence with and without injury, stalking and harassment, and sexual offences"),
    "theft": Grouping("Theft", ho_groups=("Theft from the person", "Bicycle theft", "All other theft offences"),
                      police_categories=("Theft from the person", "Bicycle theft", "Other theft"),
                      definition="theft from the person, bicycle theft and other theft (shoplifting and vehicle crime are counted apart)"),
    "other_crime": Grouping("Other crime", ho_groups=("Miscellaneous crimes against society",), police_categories=("Other crime",)),
}

#: The groupings police.uk street-level data give (every category but anti-social behaviour feeds one), in page order.
STREET_GROUPINGS = ("trc", "violence_sexual", "robbery", "weapons", "burglary", "vehicle", "shoplifting", "theft",
                    "acquisitive", "criminal_damage", "drugs", "public_order", "other_crime")


@dataclass(frozen=True)
class Extract:
    """An input beyond the police.uk street files, ONS lookup and Census 2021 population: what it is, and
    the reason a run without it gives (``key`` is its name under ``sources:`` in the parameters)."""

    key: str
    what: str
    absent: str = "it is not in police.uk data"


#: Every optional input a sub-section can need (docs/data.md describes each format).
EXTRACTS: dict[str, Extract] = {e.key: e for e in (
    Extract("partner_crimes", "the partner crime extract"),
    Extract("police_asb", "the police ASB extract"),
    Extract("council_asb", "the council ASB extract"),
    Extract("fly_tipping", "the council fly-tipping extract"),
    Extract("da_referrals", "the domestic abuse service referrals extract"),
    Extract("non_crime_incidents", "the non-crime incidents extract"),
    Extract("survey", "the resident survey extract"),
    Extract("reoffending", "the proven reoffending extract"),
    Extract("funding", "the funding allocations extract"),
    Extract("nrm_referrals", "the National Referral Mechanism referrals extract"),
    Extract("most_similar_group", "the most similar group rates"),
    Extract("published_figures", "the figures the partnership's documents publish", "none was supplied"),
    Extract("mid_year_estimates", "the ONS mid-year population estimates by single year of age", "none was supplied"),
    Extract("census_2011", "the ONS Census 2011 usual residents table", "none was supplied"),
    Extract("imd", "the English Indices of Deprivation 2019 file", "none was supplied"),
    Extract("ward_boundaries", "the ONS ward boundaries", "none was supplied"),
)}


@dataclass(frozen=True)
class Need:
    """A sub-section that only an optional input can give: its label, the input and what of it is needed."""

    label: str
    source: str
    detail: str = ""


#: What needs which input, for sub-sections that are not groupings (a grouping's need follows from its
#: definition: :func:`grouping_need`). Sentences are made from these (``narrative.needs_sentence``).
NEEDS: dict[str, Need] = {
    "victims": Need("A profile of victims by age and sex", "partner_crimes", "with each crime's first victim"),
    "alcohol_hours": Need("Alcohol-related crime by hour", "partner_crimes", "with its alcohol marker and hour"),
    "city_centre_drugs": Need("Drug possession and supply in the city centre", "partner_crimes", "with its Home Office offence codes"),
    "top_offences": Need("The Home Office offences recorded most often", "partner_crimes", "with its Home Office offence codes"),
    "police_vs_partner": Need("The check of police.uk against recorded crime", "partner_crimes"),
    "asb_types": Need("Police-recorded ASB by type", "police_asb", "with each incident's type (personal, nuisance, environmental)"),
    "council_asb": Need("Council-recorded ASB", "council_asb"),
    "fly_tipping": Need("Fly-tipping", "fly_tipping"),
    "da_referrals": Need("The count of referrals to domestic abuse services", "da_referrals"),
    "non_crime_incidents": Need("The count of non-crime incidents (domestic abuse and hate)", "non_crime_incidents"),
    "reoffending": Need("The proven reoffending rate, with first-time entrants,", "reoffending"),
    "nrm": Need("The count of referrals to the National Referral Mechanism", "nrm_referrals"),
    "survey": Need("The resident survey", "survey"),
    "funding": Need("The table of funding allocations", "funding"),
    "most_similar_group": Need("The comparison with the most similar group of partnerships", "most_similar_group"),
    "reconciliation": Need("The reconciliation with the published figures", "published_figures"),
    "age_sex": Need("The profile of residents by age and sex, with the median age,", "mid_year_estimates"),
    "growth": Need("Population growth since 2011", "census_2011"),
    "deprivation": Need("Deprivation", "imd"),
    "ward_map": Need("A map of ward rates", "ward_boundaries"),
}

#: What each marker is called in a sentence (``domestic_abuse`` -> "domestic-abuse flag").
_FLAG_WORDS = {"serious_youth_violence": "serious youth violence", "county_lines": "county lines", "cse": "child sexual exploitation",
               "modern_slavery": "modern slavery", "honour_based_abuse": "honour-based abuse", "child_abuse": "child abuse",
               "domestic_abuse": "domestic-abuse", "knife": "knife", "firearm": "firearm", "alcohol": "alcohol", "drugs": "drugs"}


def street_countable(name: str) -> bool:
    """Whether grouping ``name`` can be counted on police.uk street data (its categories say which rows)."""
    g = GROUPINGS[name]
    return g.police_categories is not None and not (g.flags or g.hate or g.victim_sex or g.ho_codes) \
        and g.victim_age_below is None


def grouping_need(name: str) -> Need:
    """What grouping ``name`` needs beyond police.uk street data: the partner crime extract, with the part of
    it the grouping's definition reads (its markers, hate strand, victims or Home Office codes and groups)."""
    g = GROUPINGS[name]
    parts = []
    if g.flags:
        words = [_FLAG_WORDS.get(f, f.replace("_", " ")) for f in g.flags]
        parts.append("its " + " and ".join(words) + (" flags" if len(words) > 1 else " flag"))
    if g.hate:
        parts.append("its hate strand")
    if g.victim_sex or g.victim_age_below is not None:
        parts.append("each crime's victim")
    if g.ho_codes or g.ho_groups:
        parts.append("its Home Office offence " + ("codes" if g.ho_codes else "groups"))
    detail = "with " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else ""
    return Need(g.label, "partner_crimes", detail)


def grouping_mask(crimes: pd.DataFrame, name: str) -> pd.Series:
    """Boolean mask of the rows of a canonical ``crimes`` table that belong to grouping ``name``.

    Raises KeyError naming the grouping when it is unknown, and ValueError when the table
    lacks the columns the grouping needs (e.g. a flag on police.uk-only data).
    """
    try:
        g = GROUPINGS[name]
    except KeyError:
        raise KeyError(f"unknown grouping '{name}'; known: {', '.join(sorted(GROUPINGS))}") from None
    n = len(crimes)
    offence_conditions: list[np.ndarray] = []
    if g.ho_groups:
        offence_conditions.append(crimes["ho_group"].isin(g.ho_groups).to_numpy(dtype=bool))
    if g.ho_codes:
        offence_conditions.append(crimes["ho_code"].isin(g.ho_codes).to_numpy(dtype=bool))
    for flag in g.flags:
        if flag not in crimes.columns:
            raise ValueError(f"grouping '{name}' needs the '{flag}' column (victim-level partner data)")
        offence_conditions.append(crimes[flag].fillna(False).to_numpy(dtype=bool))
    if g.hate:
        offence_conditions.append(crimes["hate_strand"].notna().to_numpy(dtype=bool))
    mask = np.logical_or.reduce(offence_conditions) if offence_conditions else np.ones(n, dtype=bool)
    if g.victim_sex is not None:
        mask &= (crimes["victim_sex"] == g.victim_sex).fillna(False).to_numpy(dtype=bool)
    if g.victim_age_below is not None:
        mask &= (crimes["victim_age"] < g.victim_age_below).fillna(False).to_numpy(dtype=bool)
    return pd.Series(mask, index=crimes.index, name=name)


def grouping_table() -> pd.DataFrame:
    """The assessment groupings and how each is defined, as a tidy table."""
    rows = []
    for key, g in GROUPINGS.items():
        parts = []
        if g.ho_groups:
            parts.append("HO groups: " + ", ".join(g.ho_groups))
        if g.ho_codes:
            parts.append("HO codes: " + ", ".join(g.ho_codes))
        if g.flags:
            parts.append("markers: " + ", ".join(g.flags))
        if g.hate:
            parts.append("any hate strand")
        cond = " or ".join(parts) if parts else "all crimes"
        if g.victim_sex:
            cond += f"; victim sex {g.victim_sex}"
        if g.victim_age_below is not None:
            cond += f"; victim aged under {g.victim_age_below}"
        rows.append({"grouping": key, "label": g.label, "rule": cond, "note": g.definition})
    return pd.DataFrame(rows)
