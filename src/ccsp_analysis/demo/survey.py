"""Synthetic resident survey responses (2022 and 2024 waves) calibrated to the published 2024 results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsp_analysis.demo.calibration import WARDS

# 2024 wave, 1,200 respondents. Published percentages are of those giving a substantive answer
# (blank and "don't know" excluded):
#   feel safe in the day: 660 / 1,100 = 60.0%; unsafe at night: 692 / 1,095 = 63.2%;
#   ASB increased: 672 / 1,050 = 64.0%; avoid city centre by day 561 / 1,089 = 51.52%, by night
#   904 / 1,089 = 83.0%; victim or know a victim 491 / 1,120 = 43.8%; of the 469 of those who
#   answered, 129 did not report (27.5%), 76 of them because nothing would happen (58.9%).
N_2024 = 1_200
ANSWERS_2024: dict[str, dict[str, int]] = {
    "feel_safe_day": {"agree": 660, "neither": 200, "disagree": 240, "dont_know": 40},
    "feel_safe_night": {"disagree": 692, "agree": 250, "neither": 153, "dont_know": 50},
    "asb_change": {"increased": 672, "same": 300, "decreased": 78, "dont_know": 100},
    "avoid_city_centre_day": {"yes": 561, "no": 528},
    "avoid_city_centre_night": {"yes": 904, "no": 185},
    "victim_or_know_victim": {"yes": 491, "no": 629},
}
REPORTED_2024 = {"no": 129, "yes": 340}  # of the 491 victims, 469 answered
REASONS_2024 = {"nothing_would_happen": 76, "too_trivial": 25, "fear_of_reprisal": 12, "dealt_with_myself": 9, "other": 7}
# First priority named (top three published: Environmental ASB, ASB, Motor vehicle / theft).
PRIORITIES_2024 = {"Environmental ASB": 300, "ASB": 250, "Motor vehicle / theft": 200, "Drugs": 150,
                   "Burglary": 120, "Violent crime": 100, "Knife crime": 80}
# The 2022 wave (not published): chosen by hand, each answer its own change on 2024 (no common ratio).
REPORTED_2022 = {"no": 97, "yes": 281}
REASONS_2022 = {"nothing_would_happen": 52, "too_trivial": 27, "fear_of_reprisal": 9, "other": 9}
PRIORITIES_2022 = {"Environmental ASB": 251, "ASB": 232, "Motor vehicle / theft": 178, "Drugs": 139,
                   "Burglary": 117, "Violent crime": 83, "Knife crime": 64}
AGE_BANDS = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+")


def _column(rng: np.random.Generator, counts: dict[str, int], n: int) -> np.ndarray:
    if sum(counts.values()) > n:
        raise ValueError(f"calibration error: {sum(counts.values())} answers for {n} respondents")
    values = [v for v, k in counts.items() for _ in range(k)]
    values += [""] * (n - len(values))
    return rng.permutation(np.array(values, dtype=object))


def _wave(rng: np.random.Generator, year: int, n: int, answers: dict, reported: dict, reasons: dict, priorities: dict) -> pd.DataFrame:
    ward_codes = [w[0] for w in WARDS]
    df = pd.DataFrame({
        "respondent_id": [f"S{year}-{i:05d}" for i in range(1, n + 1)],
        "survey_year": year,
        "ward_code": rng.choice(ward_codes, n),
        "age_band": rng.choice(AGE_BANDS, n, p=[0.12, 0.17, 0.18, 0.18, 0.17, 0.18]),
        "sex": rng.choice(["F", "M"], n, p=[0.54, 0.46]),
        "weight": np.round(rng.uniform(0.6, 1.6, n), 4),
    })
    for q, counts in answers.items():
        df[q] = _column(rng, counts, n)
    victims = np.flatnonzero(df["victim_or_know_victim"].to_numpy() == "yes")
    rep = np.full(n, "", dtype=object)
    rep[victims] = _column(rng, reported, len(victims))
    df["reported"] = rep
    reason = np.full(n, "", dtype=object)
    not_rep = np.flatnonzero(rep == "no")
    reason[not_rep] = _column(rng, reasons, len(not_rep))
    df["reason_not_reported"] = reason
    df["priority_1"] = _column(rng, priorities, n)
    others = list(priorities)
    df["priority_2"] = rng.choice(others, n)
    df["priority_3"] = ""
    return df


def survey_responses(rng: np.random.Generator, geo: pd.DataFrame) -> pd.DataFrame:
    """Both survey waves in the survey schema (2022: a comparison wave, not calibrated)."""
    n22 = 1_100
    # the 2022 wave: fewer respondents, answers that differ from 2024 by a few points either way
    vary = np.random.default_rng(2022)
    a22 = {q: {k: int(v * 0.86 * vary.uniform(0.82, 1.05)) for k, v in c.items()} for q, c in ANSWERS_2024.items()}
    w22 = _wave(rng, 2022, n22, a22, REPORTED_2022, REASONS_2022, PRIORITIES_2022)
    w24 = _wave(rng, 2024, N_2024, ANSWERS_2024, REPORTED_2024, REASONS_2024, PRIORITIES_2024)
    return pd.concat([w22, w24], ignore_index=True)
