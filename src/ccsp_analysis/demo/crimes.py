"""Synthetic victim-level crimes and ASB for the demo, expanded from the calibration cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ccsp_analysis.demo import calibration as cal
from ccsp_analysis.demo.geography import _round_to_total
from ccsp_analysis.schemas import CRIME_FLAGS
from ccsp_analysis.taxonomy import AGGRAVATED_CODES, HO_OFFENCES, NTE_HOURS

#: Relative volume of crime by calendar month (Jan..Dec): a summer peak, a February dip.
SEASON = np.array([0.95, 0.86, 0.97, 0.98, 1.04, 1.05, 1.09, 1.06, 1.02, 1.03, 0.99, 0.96])
#: Relative volume by hour of day (0..23).
HOUR_PROFILE = np.array([5, 4, 3.5, 2.5, 1.8, 1.5, 1.8, 2.8, 3.8, 4.2, 4.5, 4.8, 5.2, 5.2, 5.4, 5.8, 6.2, 6.4, 6.3, 6.0, 5.8, 5.6, 5.4, 5.2])
DAY_HOURS = tuple(h for h in range(24) if h not in NTE_HOURS)


def cells_for_year(start_year: int) -> pd.DataFrame:
    """The calibration cells with their counts for one financial year (other years scale 2022-23)."""
    cells = pd.DataFrame(list(cal.CELLS), columns=["ho_code", "n2023", "n2022", "flags", "hate", "sex", "age", "hours", "ward"])
    if start_year == 2023:
        cells["n"] = cells["n2023"]
    elif start_year == 2022:
        cells["n"] = cells["n2022"]
    else:
        # other years: 2022-23's mix with year-to-year variation, scaled to the year's total
        vary = np.random.default_rng(start_year).lognormal(0.0, 0.12, len(cells))
        n = _round_to_total(cells["n2022"].to_numpy() * vary, cal.TRC_BY_YEAR[start_year])
        slack = int(np.flatnonzero((cells["ho_code"] == "9A") & (cells["flags"] == "") & (cells["hate"] == "") & (cells["sex"] == ""))[0])
        # hate crime as taxonomy counts it: a strand, or a racially or religiously aggravated offence
        hate = (cells["hate"] != "") | cells["ho_code"].isin(AGGRAVATED_CODES)
        for pins, mask in ((cal.DA_CRIMES_PIN, cells["flags"].str.contains("domestic_abuse")), (cal.HATE_CRIMES_PIN, hate)):
            if start_year in pins:
                m = mask.to_numpy()
                before = int(n[m].sum())
                n[m] = _round_to_total(n[m], pins[start_year])
                n[slack] -= pins[start_year] - before  # keep total recorded crime as calibrated
        cells["n"] = n
    return cells[cells["n"] > 0].reset_index(drop=True)


def _quota_choice(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    """``n`` indices into ``weights`` with exact (largest-remainder) counts, in random order."""
    counts = _round_to_total(weights, n)
    return rng.permutation(np.repeat(np.arange(len(weights)), counts))


def _ages(rng: np.random.Generator, sex: np.ndarray, spec: list) -> np.ndarray:
    ages = np.full(len(sex), np.nan)
    lo = np.array([s[0] if s is not None else -1 for s in spec])
    hi = np.array([s[1] if s is not None else -1 for s in spec])
    fixed = lo >= 0
    ages[fixed] = rng.integers(lo[fixed], hi[fixed] + 1)
    for code, profile in (("F", cal.AGE_PROFILE_F), ("M", cal.AGE_PROFILE_M)):
        free = ~fixed & (sex == code)
        band = _quota_choice(rng, int(free.sum()), np.asarray(profile, dtype=float))
        ages[free] = band * 5 + rng.integers(0, 5, len(band))
    ages[sex == ""] = np.nan
    return ages


def _sexes(rng: np.random.Generator, sex: np.ndarray, start_year: int) -> np.ndarray:
    out = sex.copy()
    star = np.flatnonzero(sex == "*")
    if start_year == 2023:
        n_female = cal.FEMALE_VICTIMS_2023 - int((sex == "F").sum())
    else:
        n_female = int(round(0.48 * len(star)))
    labels = np.array(["F"] * n_female + ["M"] * (len(star) - n_female))
    out[star] = rng.permutation(labels)
    return out


def _ward_weights(rng: np.random.Generator, ward_codes: list[str]) -> np.ndarray:
    """Each ward's relative volume this year: its base volume varied from year to year."""
    vol = {c: v for c, _n, _la, _lo, v, _k in cal.WARDS}
    return np.array([vol[w] for w in ward_codes]) * rng.lognormal(0.0, 0.10, len(ward_codes))


def _ward_quotas(rng: np.random.Generator, start_year: int, n_total: int, pinned: pd.Series, ward_codes: list[str]) -> np.ndarray:
    """Crimes to place in each ward (after pinned ones) so ward totals match the calibration."""
    if start_year == 2023:
        fixed = dict(cal.WARD_TRC_2023)
    else:
        # the pinned wards' shares vary from year to year (a stream of the year's own, as cells_for_year)
        vary = np.random.default_rng([start_year, 1]).lognormal(0.0, 0.05, len(cal.WARD_SHARE_OTHER_YEARS))
        fixed = {w: round(s * v * n_total) for (w, s), v in zip(cal.WARD_SHARE_OTHER_YEARS.items(), vary, strict=True)}
    remaining = n_total - sum(fixed.values())
    weights = _ward_weights(rng, ward_codes)
    free_w = np.array([0.0 if w in fixed else wt for w, wt in zip(ward_codes, weights, strict=True)])
    quotas = _round_to_total(free_w, remaining)
    for i, w in enumerate(ward_codes):
        if w in fixed:
            quotas[i] = fixed[w]
        quotas[i] -= int((pinned == w).sum())
    if (quotas < 0).any():
        raise ValueError("calibration error: pinned cells exceed a ward's total")
    return quotas


def _place(rng: np.random.Generator, geo: pd.DataFrame, ward: np.ndarray) -> np.ndarray:
    """A small area for each crime, weighted within its ward."""
    lsoa = np.empty(len(ward), dtype=object)
    for w, grp in geo[geo["in_area"]].groupby("ward_code"):
        idx = np.flatnonzero(ward == w)
        p = grp["crime_weight"].to_numpy() / grp["crime_weight"].sum()
        lsoa[idx] = rng.choice(grp["lsoa_code"].to_numpy(), size=len(idx), p=p)
    return lsoa


def _dates(rng: np.random.Generator, start_year: int, n: int, q4: int | None = None) -> pd.DatetimeIndex:
    """Random dates in the financial year with a seasonal profile; ``q4``: exactly that many in January-March."""
    months = pd.date_range(f"{start_year}-04-01", periods=12, freq="MS")
    w = SEASON[months.month - 1]
    if q4 is None:
        m = rng.choice(12, size=n, p=w / w.sum())
    else:
        m = np.concatenate([rng.choice(9, size=n - q4, p=w[:9] / w[:9].sum()), 9 + rng.choice(3, size=q4, p=w[9:] / w[9:].sum())])
    days = months.days_in_month.to_numpy()[m]
    offset = np.floor(rng.random(n) * days).astype(int)
    return pd.DatetimeIndex(months.to_numpy()[m] + offset.astype("timedelta64[D]"))


def crimes_for_year(rng: np.random.Generator, geo: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """One row per synthetic recorded crime in the financial year, in the partner-extract columns."""
    cells = cells_for_year(start_year)
    rep = cells.loc[cells.index.repeat(cells["n"])].reset_index(drop=True)
    n = len(rep)
    sex = _sexes(rng, rep["sex"].to_numpy(dtype=object), start_year)
    ages = _ages(rng, sex, list(rep["age"]))
    hours = rng.choice(24, size=n, p=HOUR_PROFILE / HOUR_PROFILE.sum())
    nte, day = rep["hours"].eq("nte").to_numpy(), rep["hours"].eq("day").to_numpy()
    hours[nte] = rng.choice(NTE_HOURS, size=int(nte.sum()))
    hours[day] = rng.choice(DAY_HOURS, size=int(day.sum()))
    ward_codes = [w[0] for w in cal.WARDS]
    pinned = rep["ward"]
    ward = pinned.to_numpy(dtype=object).copy()
    free = np.flatnonzero(ward == "")
    quotas = _ward_quotas(rng, start_year, n, pinned, ward_codes)
    labels = rng.permutation(np.repeat(np.array(ward_codes, dtype=object), quotas))
    # Drug offences outside the pinned city-centre cells go to other wards, so the city centre holds
    # exactly its calibrated drug offences; every ward still gets exactly its quota.
    drugs = rep["ho_code"].map(lambda c: HO_OFFENCES[c].group == "Drug offences").to_numpy()[free]
    centre = labels == cal.ST_MICHAELS
    others = labels[~centre]
    k = int(drugs.sum())
    rest = rng.permutation(np.concatenate([others[k:], labels[centre]]))
    ward[free[drugs]] = others[:k]
    ward[free[~drugs]] = rest
    dates = _dates(rng, start_year, n)
    out = pd.DataFrame({
        "crime_ref": [f"20/{start_year % 100:02d}{i:06d}" for i in range(1, n + 1)],
        "date": dates.strftime("%Y-%m-%d"),
        "hour": hours,
        "ho_code": rep["ho_code"],
        "ho_group": rep["ho_code"].map(lambda c: HO_OFFENCES[c].group),
        "lsoa_code": _place(rng, geo, ward),
    })
    flag_sets = rep["flags"].str.split()
    for flag in CRIME_FLAGS:
        out[flag] = flag_sets.map(lambda s, f=flag: int(f in s))
    out["hate_strand"] = rep["hate"]
    out["victim_age"] = pd.array(ages, dtype="Int64")
    out["victim_sex"] = sex
    order = np.argsort(out["date"].to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def asb_for_year(rng: np.random.Generator, geo: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Police-recorded ASB incidents with type and small area for one financial year."""
    n = cal.ASB_BY_YEAR[start_year]
    # other years: the type shares and the city centre's share vary from year to year (a stream of the year's own)
    vary = np.random.default_rng([start_year, 2]).lognormal(0.0, 0.06, len(cal.ASB_TYPE_SHARES) + 1)
    types = cal.ASB_TYPES_2023 if start_year == 2023 else {t: s * v * n for (t, s), v in zip(cal.ASB_TYPE_SHARES.items(), vary, strict=False)}
    names = list(types)
    asb_type = np.array(names, dtype=object)[_quota_choice(rng, n, np.array([types[t] for t in names], dtype=float))]
    ward_codes = [w[0] for w in cal.WARDS]
    stm = cal.ASB_ST_MICHAELS_2023 if start_year == 2023 else round(0.20 * vary[-1] * n)
    vol = np.where(np.array(ward_codes) == cal.ST_MICHAELS, 0.0, _ward_weights(rng, ward_codes))
    quotas = _round_to_total(vol, n - stm)
    quotas[ward_codes.index(cal.ST_MICHAELS)] = stm
    ward = rng.permutation(np.repeat(np.array(ward_codes, dtype=object), quotas))
    return pd.DataFrame({
        "incident_ref": [f"ASB/{start_year % 100:02d}{i:06d}" for i in range(1, n + 1)],
        "date": _dates(rng, start_year, n, cal.ASB_Q4_PIN.get(start_year, (None,))[0]).strftime("%Y-%m-%d"),
        "asb_type": asb_type,
        "lsoa_code": _place(rng, geo, ward),
    }).sort_values("date", kind="stable").reset_index(drop=True)
