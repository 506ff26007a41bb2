"""Calibration of the synthetic demo data: the cell counts that reproduce the published figures.

Every number here is chosen by hand so that the 2023-24 run reproduces the figures the Coventry
documents publish (``shared/reference/published_figures.yaml``) and 2022-23 gives the published
changes. The arithmetic behind each choice is in the comments; ``tests/unit/test_demo.py``
checks the generated files against the published figures independently.
"""

from __future__ import annotations

# Coventry's 18 electoral wards (METHODS.md): code, name, latitude, longitude, relative size of
# crime volume outside the pinned wards, number of synthetic small areas.
WARDS: tuple[tuple[str, str, float, float, float, int], ...] = (
    ("E05001218", "Bablake", 52.437, -1.566, 0.80, 10),
    ("E05001219", "Binley and Willenhall", 52.393, -1.455, 1.20, 11),
    ("E05001220", "Cheylesmore", 52.384, -1.493, 0.90, 11),
    ("E05001221", "Earlsdon", 52.394, -1.526, 0.85, 10),
    ("E05001222", "Foleshill", 52.429, -1.496, 0.0, 12),
    ("E05001223", "Henley", 52.436, -1.455, 1.25, 13),
    ("E05001224", "Holbrook", 52.444, -1.519, 1.00, 11),
    ("E05001225", "Longford", 52.447, -1.478, 1.15, 11),
    ("E05001226", "Lower Stoke", 52.408, -1.471, 1.05, 12),
    ("E05001227", "Radford", 52.426, -1.518, 1.05, 11),
    ("E05001228", "St Michael's", 52.410, -1.502, 0.0, 12),
    ("E05001229", "Sherbourne", 52.417, -1.538, 0.85, 10),
    ("E05001230", "Upper Stoke", 52.423, -1.474, 1.00, 11),
    ("E05001231", "Wainbody", 52.377, -1.539, 0.55, 8),
    ("E05001232", "Westwood", 52.397, -1.583, 0.80, 10),
    ("E05001233", "Whoberley", 52.410, -1.549, 0.75, 10),
    ("E05001234", "Woodlands", 52.414, -1.587, 0.80, 10),
    ("E05001235", "Wyken", 52.413, -1.451, 0.95, 10),
)
ST_MICHAELS = "E05001228"
FOLESHILL = "E05001222"
# Census 2021 usual residents of Coventry (TS001 over its 203 LSOAs); the demo's population sums to it.
POPULATION_2021 = 345_312
# Ward share of population (St Michael's is the city centre, many students).
WARD_POP_WEIGHT = {ST_MICHAELS: 1.45, FOLESHILL: 1.35}

# Total recorded crime per financial year. 2023-24 and 2022-23 are published (38,508; a 10.1% fall:
# 38508/42834 - 1 = -10.0995%). 2014-15 -> 2015-16 is the published -201 (-0.9%: -201/21676).
# The other years are unpinned and chosen by hand, irregular as real series are (no constant steps).
TRC_BY_YEAR: dict[int, int] = {
    2013: 20_873, 2014: 21_676, 2015: 21_475, 2016: 24_586, 2017: 28_817, 2018: 32_519,
    2019: 34_692, 2020: 31_148, 2021: 37_906, 2022: 42_834, 2023: 38_508,
}
# Ward pins for 2023-24: St Michael's 8,209 and Foleshill 3,496 (3496/38508 = 9.08% -> 9.1%).
WARD_TRC_2023 = {ST_MICHAELS: 8_209, FOLESHILL: 3_496}
# Other years: share of TRC in the two pinned wards (about the 2023-24 shares, 21.3% and 9.1%), varied from
# year to year (``crimes._ward_quotas``: a stream of its own per year) so the shares are not a constant series.
WARD_SHARE_OTHER_YEARS = {ST_MICHAELS: 0.205, FOLESHILL: 0.093}

# Police-recorded ASB: 2022-23 10,000 -> 2023-24 12,260 (+22.6%). Type shares 2023-24:
# nuisance 8,214 (67.0%), environmental 2,207 (18.0%), personal 1,839 (15.0%); St Michael's
# 2,611 of 12,260 = 21.3%.
ASB_BY_YEAR: dict[int, int] = {
    2013: 8_246, 2014: 7_712, 2015: 7_000, 2016: 7_853, 2017: 8_641, 2018: 9_488,
    2019: 9_817, 2020: 14_437, 2021: 11_232, 2022: 10_000, 2023: 12_260,
}
ASB_TYPES_2023 = {"nuisance": 8_214, "environmental": 2_207, "personal": 1_839}
ASB_TYPE_SHARES = {"nuisance": 0.66, "environmental": 0.19, "personal": 0.15}  # other years: varied (crimes.asb_for_year)
ASB_ST_MICHAELS_2023 = 2_611
# Council-recorded ASB per year (2015-16 pinned below); irregular, with the 2020-21 lockdown rise.
COUNCIL_ASB_BY_YEAR: dict[int, int] = {
    2013: 4_236, 2014: 4_371, 2015: 4_408, 2016: 4_157, 2017: 4_489, 2018: 4_622,
    2019: 4_540, 2020: 5_318, 2021: 4_873, 2022: 4_761, 2023: 4_988,
}
# Fly-tipping: 8,000 -> 6,920 (-13.5%); Foleshill 1,661 of 6,920 = 24.0%.
FLY_TIPPING_BY_YEAR: dict[int, int] = {
    2013: 5_382, 2014: 5_716, 2015: 5_847, 2016: 6_342, 2017: 6_608, 2018: 7_187,
    2019: 7_241, 2020: 8_716, 2021: 8_243, 2022: 8_000, 2023: 6_920,
}
FLY_TIPPING_FOLESHILL_2023 = 1_661
# Foleshill's share of fly-tipping in the other years (about 2023-24's 24.0%, varying year to year).
FLY_TIPPING_FOLESHILL_SHARE = {2013: 0.221, 2014: 0.236, 2015: 0.229, 2016: 0.244, 2017: 0.232, 2018: 0.218,
                               2019: 0.239, 2020: 0.247, 2021: 0.226, 2022: 0.233}
# Relative rate per resident of fly-tipping, council-recorded ASB and non-crime incidents in each ward:
# higher in the dense, more deprived inner-city wards (terraced streets, back alleys, houses in multiple
# occupation), lower in the suburban south and west. Chosen by hand as an index of deprivation;
# ``writer._ward_counts`` draws each ward's count around rate x residents (negative binomial), so wards
# differ and change differently from year to year (Foleshill's fly-tipping is pinned in 2023-24).
WARD_DEPRIVATION = {
    "E05001218": 0.55, "E05001219": 1.25, "E05001220": 0.70, "E05001221": 0.45, "E05001222": 1.55,
    "E05001223": 1.35, "E05001224": 1.05, "E05001225": 1.15, "E05001226": 1.10, "E05001227": 1.30,
    "E05001228": 1.60, "E05001229": 0.95, "E05001230": 1.20, "E05001231": 0.30, "E05001232": 0.60,
    "E05001233": 0.80, "E05001234": 0.65, "E05001235": 0.90,
}
# Domestic-abuse service referrals: "referrals to DA support services increased" (2022-23 -> 2023-24).
DA_REFERRALS_BY_YEAR: dict[int, int] = {
    2013: 2_286, 2014: 2_431, 2015: 2_517, 2016: 2_702, 2017: 2_759, 2018: 2_941,
    2019: 3_118, 2020: 3_407, 2021: 3_362, 2022: 3_455, 2023: 3_612,
}

# Crime cells: (ho_code, n 2023-24, n 2022-23, flags, hate strand, victim sex, victim age range, hours, ward)
#   flags: space-separated markers; sex: "F"/"M", "*" = assigned by the year's female quota, "" = no victim;
#   age: (lo, hi) uniform, or None = drawn from the age profile; hours: "nte" = 20:00-05:59,
#   "day" = 06:00-19:59, "" = any; ward: a pinned ward code or "".
Cell = tuple[str, int, int, str, str, str, "tuple[int, int] | None", str, str]
DA = "domestic_abuse"
SYV = "serious_youth_violence"
CELLS: tuple[Cell, ...] = (
    # Homicide: 8, one of them youth violence (published: 8 homicides, 1 youth violence).
    ("1", 1, 1, SYV, "", "M", (17, 19), "", ""),
    ("1", 5, 6, "", "", "*", (26, 70), "", ""),
    ("4.1", 2, 2, "", "", "*", (26, 70), "", ""),
    # Violence with injury, 2,911 = 52.2% of serious violence (5,576). Victims: male 1,814
    # (62.3%), of whom aged 10-15: 727 (40.1%). SYV knife 241 = 239 with a victim (male 206 = 86.2%;
    # aged 15-19: 90 = 37.7%) + 2 possession offences without a victim.
    ("5D", 80, 84, f"knife {SYV}", "", "M", (16, 19), "", ""),
    ("5D", 10, 10, f"knife {SYV}", "", "F", (16, 19), "", ""),
    ("5D", 126, 132, f"knife {SYV}", "", "M", (20, 25), "", ""),
    ("5D", 23, 24, f"knife {SYV}", "", "F", (20, 25), "", ""),
    ("5D", 10, 12, f"firearm {SYV}", "", "M", (20, 25), "", ""),
    ("8N", 727, 770, SYV, "", "M", (10, 15), "", ""),
    ("8N", 74, 86, SYV, "", "M", (16, 25), "", ""),
    ("8N", 150, 160, SYV, "", "F", (10, 25), "", ""),
    ("8N", 560, 610, DA, "", "F", (26, 60), "", ""),
    ("8N", 140, 150, DA, "", "M", (26, 60), "", ""),
    ("8N", 200, 215, "alcohol", "", "M", (26, 50), "nte", ""),
    ("8N", 50, 55, "alcohol", "", "F", (26, 50), "nte", ""),
    ("8N", 100, 105, "alcohol", "", "M", (26, 50), "day", ""),
    ("8N", 50, 52, "alcohol", "", "F", (26, 50), "day", ""),
    ("5D", 357, 380, "", "", "M", (26, 80), "", ""),
    ("5D", 254, 270, "", "", "F", (26, 80), "", ""),
    # Violence without injury. Assault and battery (105A): 4,345 (2022-23: 4,728, -8.1%); drugs or
    # alcohol 895 (20.6%) = 700 alcohol + 195 drugs.
    ("105A", 1400, 1520, DA, "", "F", None, "", ""),
    ("105A", 400, 440, DA, "", "M", None, "", ""),
    ("105A", 240, 260, "alcohol", "", "M", None, "nte", ""),
    ("105A", 60, 65, "alcohol", "", "F", None, "nte", ""),
    ("105A", 300, 325, "alcohol", "", "M", None, "day", ""),
    ("105A", 100, 110, "alcohol", "", "F", None, "day", ""),
    ("105A", 195, 212, "drugs", "", "M", None, "", ""),
    ("105A", 150, 157, "", "race", "*", None, "", ""),
    ("105A", 40, 42, "", "religion", "*", None, "", ""),
    ("105A", 40, 41, "", "sexual_orientation", "M", None, "", ""),
    ("105A", 545, 632, "child_abuse", "", "*", (1, 15), "", ""),
    ("105A", 579, 604, "", "", "*", None, "", ""),
    ("105A", 296, 320, DA, "", "M", None, "", ""),
    ("104", 420, 500, "", "", "*", (20, 60), "", ""),
    # Threats to kill (HOCR 3B).
    ("3B", 100, 110, DA, "", "F", None, "", ""),
    ("3B", 150, 180, "", "", "M", None, "", ""),
    ("3B", 200, 220, DA, "", "M", None, "", ""),
    ("11A", 300, 335, "child_abuse", "", "*", (0, 15), "", ""),
    # Stalking and harassment: 3,625 with a female victim = 48.5% of VAWG (7,474; 2022-23: 8,124, -8.0%).
    # Domestic abuse 5,738 = 14.9% of TRC (2022-23: 6,221, a decrease). HOCR codes: 8U controlling or
    # coercive behaviour, 8L harassment, 8Q stalking, 8R malicious communications, 8M racially or
    # religiously aggravated harassment (a hate crime by definition: every 8M row carries its strand).
    ("8U", 400, 430, DA, "", "F", None, "", ""),
    ("8U", 60, 60, DA, "", "M", None, "", ""),
    ("8L", 500, 560, DA, "", "F", None, "", ""),
    ("8L", 22, 31, f"{DA} honour_based_abuse", "", "F", (16, 40), "", ""),
    ("8L", 1500, 1792, "", "", "F", None, "", ""),
    ("8L", 400, 420, "", "", "M", None, "", ""),
    ("8L", 15, 15, "", "disability", "M", None, "", ""),
    ("8Q", 300, 320, DA, "", "F", None, "", ""),
    ("8Q", 150, 170, "", "", "F", None, "", ""),
    ("8Q", 50, 55, "", "", "M", None, "", ""),
    ("8R", 753, 800, "", "", "F", None, "", ""),
    ("8R", 250, 260, "", "", "M", None, "", ""),
    ("8M", 82, 80, "", "race", "M", None, "", ""),
    # Sexual offences 1,100 (2022-23: 1,030, +6.8%): rape 460 (41.8%), other 640 (58.2%).
    ("19C", 120, 110, DA, "", "F", (18, 60), "", ""),
    ("19C", 260, 245, "", "", "F", (16, 70), "", ""),
    ("19D", 55, 50, "child_abuse", "", "F", (10, 15), "", ""),
    ("19F", 15, 15, "", "", "M", (16, 60), "", ""),
    ("19G", 10, 10, "child_abuse", "", "M", (5, 15), "", ""),
    ("20A", 420, 370, "", "", "F", (13, 80), "", ""),
    ("17A", 60, 57, "", "", "M", (13, 80), "", ""),
    ("22B", 70, 65, "child_abuse", "", "F", (10, 15), "", ""),
    ("22B", 20, 18, "child_abuse", "", "M", (10, 15), "", ""),
    # Child sexual exploitation 41 (2022-23: 64, -35.9%).
    ("71", 35, 55, "cse", "", "F", (12, 17), "", ""),
    ("71", 6, 9, "cse", "", "M", (12, 17), "", ""),
    ("88A", 29, 26, "", "", "F", (11, 15), "", ""),
    # Robbery 1,350; serious youth violence robbery 398 = 24.6% of SYV 1,617: male 353 (88.7%),
    # aged 16-20: 151 (37.9%), aged 10-15: 124 (31.2%).
    ("34B", 124, 130, SYV, "", "M", (10, 15), "", ""),
    ("34B", 151, 160, SYV, "", "M", (16, 20), "", ""),
    ("34B", 78, 84, SYV, "", "M", (21, 25), "", ""),
    ("34B", 45, 46, SYV, "", "F", (21, 25), "", ""),
    ("34B", 832, 860, "", "", "*", (26, 80), "", ""),
    ("34A", 120, 120, "", "", "", None, "", ""),
    # Burglary 2,500.
    ("28E", 1800, 2300, "", "", "*", (26, 90), "", ""),
    ("30C", 700, 900, "", "", "", None, "", ""),
    # Vehicle offences 3,300 (2022-23: 3,687, -10.5%), second of the acquisitive groups.
    ("45", 1900, 2120, "", "", "*", (20, 80), "", ""),
    ("48", 1000, 1150, "", "", "*", (20, 80), "", ""),
    ("37.2", 100, 110, "", "", "*", (20, 80), "", ""),
    ("126", 300, 307, "", "", "*", (20, 80), "", ""),
    # Theft. Shoplifting 2,580 = 6.7% of TRC (2022-23: 1,785, +44.5%), second highest offence.
    # Acquisitive 13,380 (2022-23: 14,481, -7.6%).
    ("39", 700, 760, "", "", "*", None, "", ""),
    ("44", 480, 520, "", "", "*", (16, 60), "", ""),
    ("46", 2580, 1785, "", "", "", None, "", ""),
    ("49", 2270, 2909, "", "", "*", None, "", ""),
    ("49", 200, 220, DA, "", "M", None, "", ""),
    # Criminal damage and arson; alcohol-related 100 in the day (alcohol total 1,500, 720 = 48.0% in
    # night-time-economy hours).
    ("58A", 800, 860, DA, "", "F", None, "", ""),
    ("58A", 240, 260, DA, "", "M", None, "", ""),
    ("58A", 762, 900, "", "", "*", (20, 90), "", ""),
    ("58B", 500, 560, "", "", "", None, "", ""),
    ("58C", 1346, 1422, "", "", "*", (20, 80), "", ""),
    ("58D", 100, 110, "alcohol", "", "*", None, "day", ""),
    ("58D", 900, 1000, "", "", "*", None, "", ""),
    ("56B", 200, 230, "", "", "", None, "", ""),
    # Drug offences 1,292 (2022-23: 1,516, -14.8%). St Michael's 530 (41.0%): possession 340 (64.2%),
    # supply 189 (35.7%), other 1. County lines: 32 victims under 18 (2022-23: 27, +18.5%), males
    # aged 15-17: 22 (68.8%).
    ("92D", 200, 220, "", "", "", None, "", ST_MICHAELS),
    ("92E", 140, 160, "", "", "", None, "", ST_MICHAELS),
    ("92A", 189, 218, "", "", "", None, "", ST_MICHAELS),
    ("92C", 1, 2, "", "", "", None, "", ST_MICHAELS),
    ("92A", 22, 18, "county_lines", "", "M", (15, 17), "", ""),
    ("92A", 6, 5, "county_lines", "", "F", (15, 17), "", ""),
    ("92A", 4, 4, "county_lines", "", "M", (14, 14), "", ""),
    ("92A", 118, 153, "", "", "", None, "", ""),
    ("92D", 200, 230, "", "", "", None, "", ""),
    ("92E", 411, 504, "", "", "", None, "", ""),
    ("92C", 1, 2, "", "", "", None, "", ""),
    # Possession of weapons 1,307 (serious violence 5,576 = 8 + 2,911 + 1,350 + 1,307); SYV: 2 knife,
    # 16 firearm without a victim (gun SYV 26 = 10 + 16, 1.6% of SYV). HOCR codes: 10D possession of an
    # article with a blade or point, 81 other firearms offences, 10A possession of firearms with intent,
    # 10C possession of other weapons.
    ("10D", 2, 2, f"knife {SYV}", "", "", None, "", ""),
    ("10D", 948, 998, "knife", "", "", None, "", ""),
    ("81", 16, 16, f"firearm {SYV}", "", "", None, "", ""),
    ("81", 44, 49, "firearm", "", "", None, "", ""),
    ("10A", 30, 35, "firearm", "", "", None, "", ""),
    ("10C", 267, 280, "", "", "", None, "", ""),
    # Public order. Hate crime 990 (2022-23: 1,000, -1.0%), race 792 (80.0%). Hate crime is every row with
    # a strand plus the aggravated offences (taxonomy.AGGRAVATED_CODES: 8P, 105B, 8M, 9B); the demo's
    # aggravated rows (8M, 9B) all carry a strand, so the strand rows alone make the published counts.
    ("9B", 560, 565, "", "race", "*", None, "", ""),
    ("9A", 20, 20, "", "religion", "*", None, "", ""),
    ("9A", 30, 28, "", "sexual_orientation", "*", None, "", ""),
    ("9A", 25, 25, "", "disability", "*", None, "", ""),
    ("9A", 28, 27, "", "transgender", "*", None, "", ""),
    ("9A", 170, 180, "alcohol", "", "", None, "nte", ""),
    ("9A", 130, 140, "alcohol", "", "", None, "day", ""),
    ("9A", 515, 600, "", "", "", None, "", ""),
    ("9A", 1500, 1650, "", "", "*", None, "", ""),
    ("66", 100, 994, "", "", "", None, "", ""),
    # Miscellaneous. Modern slavery 37 (2022-23: 76, -51.3%).
    ("106", 37, 76, "modern_slavery", "", "*", (18, 60), "", ""),
    ("95", 300, 320, "", "", "", None, "", ""),
    ("802", 250, 270, "", "", "", None, "", ""),
)
# Slack cells that absorb the remainder so each year's total equals TRC_BY_YEAR (index into CELLS).
SLACK_CELL = ("9A", "", "", "")  # the victimless 9A cell: (ho_code, flags, hate, sex)

# Victims 2023-24: 30,376 offences with a victim (published), 16,160 of them female (53.2%).
VICTIMS_2023 = 30_376
FEMALE_VICTIMS_2023 = 16_160
# Victim age profile: weights of 5-year bands from 0-4 (index 7 = 35-39, index 6 = 30-34), peaking
AGE_PROFILE_F = (1, 1, 2, 4, 8, 10, 11, 16, 12, 11, 9, 7, 5, 3, 2, 1, 1, 0.5)
AGE_PROFILE_M = (1, 1, 2, 4, 9, 11, 16, 12, 11, 10, 8, 6, 4, 3, 2, 1, 1, 0.5)

# --- Performance report 2015-16, quarter 4 (published_figures.yaml: performance_report_2015_16_q4) ---
# Domestic abuse crimes: 2,133 -> 2,165 (+32, +1.5%: 32/2133 = 1.50%).
DA_CRIMES_PIN = {2014: 2_133, 2015: 2_165}
# Hate crimes: 375 -> 379; with non-crime hate incidents 85 -> 88, police-recorded hate 460 -> 467 (+7, +1.5%).
HATE_CRIMES_PIN = {2014: 375, 2015: 379}
# Non-crime domestic abuse incidents: 4,000 -> 3,836 (-164, -4.1%); repeat victims 420 (10.5%) ->
# 357 (9.3%: 357/3836 = 9.31%); children present 742 -> 1,832.
# The other years are unpinned, chosen by hand (irregular); so are the repeat and children-present
# shares of the unpinned years (no constant rate).
NON_CRIME_DA = {2013: 3_874, 2014: 4_000, 2015: 3_836, 2016: 3_957, 2017: 4_118, 2018: 4_063,
                2019: 4_245, 2020: 4_612, 2021: 4_391, 2022: 4_476, 2023: 4_329}
NON_CRIME_DA_REPEAT = {2014: 420, 2015: 357}
NON_CRIME_DA_CHILDREN = {2014: 742, 2015: 1_832}
NON_CRIME_DA_REPEAT_SHARE = {2013: 0.108, 2016: 0.096, 2017: 0.101, 2018: 0.093, 2019: 0.098, 2020: 0.112,
                             2021: 0.104, 2022: 0.099, 2023: 0.095}
NON_CRIME_DA_CHILDREN_SHARE = {2013: 0.176, 2016: 0.431, 2017: 0.402, 2018: 0.418, 2019: 0.386, 2020: 0.447,
                               2021: 0.409, 2022: 0.395, 2023: 0.412}
NON_CRIME_HATE = {2013: 79, 2014: 85, 2015: 88, 2016: 97, 2017: 91, 2018: 104, 2019: 99, 2020: 112, 2021: 118,
                  2022: 109, 2023: 121}
# Hate incidents reported through third-party reporting centres: 58 -> 60 (total 2015-16: 379 + 88 + 60 = 527).
HATE_REPORTING_CENTRES = {2013: 52, 2014: 58, 2015: 60, 2016: 57, 2017: 63, 2018: 61, 2019: 66, 2020: 49,
                          2021: 58, 2022: 64, 2023: 62}
# Service referrals 2015-16: CDVASS 1,083; SARC clients 446 (2014-15: 383).
SERVICE_PINS = {2015: {"CDVASS": 1_083, "SARC": 446}, 2014: {"SARC": 383}}
# ASB 2015-16, police 7,000 (ASB_BY_YEAR) + council 4,408 = 11,408; quarter 4 (Jan-Mar 2016): police 1,497 + council 1,166 = 2,663.
COUNCIL_ASB_BY_YEAR[2015] = 4_408
ASB_Q4_PIN = {2015: (1_497, 1_166)}
# Population (mid-year estimates, ONS MYE format) for rates: 2015 chosen so that TRC 2015-16 per
# 1,000 is the published 62.176 (21,475 / 345,390 x 1,000 = 62.1761). Census 2011: 316,915;
# Census 2021: 345,312 (the demo's small areas sum to it); median age 35.
MYE_TOTAL = {2011: 316_960, 2012: 320_500, 2013: 325_900, 2014: 337_400, 2015: 345_390, 2016: 352_900,
             2017: 360_100, 2018: 366_800, 2019: 371_500, 2020: 379_400, 2021: 345_300, 2022: 355_600, 2023: 360_700}
CENSUS_2011 = 316_915
# Most similar group table 2015-16: the published values; the four rows blank in the published text
# are given synthetic values within their sorted places so that the mean of all 15 rows is the
# published group average 83.482 (15 x 83.482 = 1,252.23; published values sum to 939.088; the four
# synthetic values sum to 313.142: 71.864 + 75.917 + 78.952 + 86.409, three decimals like the published
# rows, each between its published neighbours: 70.729 < 71.864 < 75.917 < 78.952 < 79.599, 85.079 < 86.409 < 93.376).
MSG_2015 = (
    ("West Midlands - Coventry", 62.176, "published"), ("Greater Manchester - Salford", 68.604, "published"),
    ("Devon & Cornwall - Plymouth", 70.729, "published"), ("Hertfordshire - Stevenage", 71.864, "synthetic"),
    ("Bedfordshire - Luton", 75.917, "synthetic"), ("Greater Manchester - Bolton", 78.952, "synthetic"),
    ("Thames Valley - Slough", 79.599, "published"), ("Essex - Harlow", 83.120, "published"),
    ("Leicestershire - Leicester", 83.239, "published"), ("West Yorkshire - Bradford", 85.079, "published"),
    ("Staffordshire - Stoke on Trent", 86.409, "synthetic"), ("Lincolnshire - Lincoln", 93.376, "published"),
    ("Avon & Somerset - Bristol", 100.711, "published"), ("Hampshire - Portsmouth", 103.039, "published"),
    ("Lancashire - Blackpool", 109.416, "published"),
)
# Modern slavery: National Referral Mechanism referrals; council-recorded cases 2023-24: 124 (published).
# First responders by year (council 2022-23 and 2023-24 pinned; the rest chosen by hand, irregular).
NRM_COUNCIL = {2013: 57, 2014: 68, 2015: 64, 2016: 79, 2017: 83, 2018: 91, 2019: 87, 2020: 72, 2021: 94,
               2022: 98, 2023: 124}
NRM_POLICE = {2013: 38, 2014: 45, 2015: 43, 2016: 51, 2017: 48, 2018: 57, 2019: 62, 2020: 46, 2021: 59,
              2022: 66, 2023: 61}
NRM_OTHER = {2013: 17, 2014: 22, 2015: 19, 2016: 25, 2017: 21, 2018: 26, 2019: 24, 2020: 18, 2021: 27,
             2022: 25, 2023: 29}
# Reoffending (proven reoffending cohorts) and first-time entrants by financial year: not published,
# chosen by hand: a slow fall with year-to-year noise and the 2020-21 dip in cohorts and entrants.
# (offenders, reoffending rate %, reoffences per reoffender, first-time entrants)
REOFFENDING: dict[int, tuple[int, float, float, int]] = {
    2013: (1_163, 27.4, 3.71, 247), 2014: (1_121, 26.9, 3.86, 229), 2015: (1_098, 27.8, 3.79, 221),
    2016: (1_104, 26.3, 3.94, 204), 2017: (1_052, 25.9, 3.88, 196), 2018: (1_017, 26.6, 4.02, 181),
    2019: (1_031, 25.2, 3.97, 172), 2020: (884, 23.8, 3.64, 139), 2021: (962, 25.7, 3.91, 151),
    2022: (941, 24.9, 3.83, 143), 2023: (918, 25.3, 3.96, 136),
}
