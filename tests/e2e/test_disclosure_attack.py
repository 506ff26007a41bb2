"""An attacker's view of the published report: can a hidden count be pinned down from what is shown?

For each default run (2023-24, 2022-23 and the 2015-16 performance report), built once through the
real runner, every published table about people that adds up to something is attacked: each hidden
cell is minimised and maximised by linear programming (scipy.optimize.linprog) subject to every
equation a reader can write from the published tables -- rows and columns adding up to their
totals, parts adding up to a total another table prints, percentages times their printed base,
changes equal to the difference of their two counts -- with every cell >= 0, and a cell the
suppression log marks as below the threshold bounded by it (the log must mark none). The expected
behaviour is the threshold rule itself: no hidden cell may be narrowed to fewer than ``threshold``
possible values. Nothing here calls the code under test's disclosure functions.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

pytestmark = pytest.mark.slow

YEARS = ("2023-24", "2022-23", "2015-16")


@pytest.fixture(scope="module")
def report(default_report):
    """The report folder of a default year, built once per session (tests/conftest.py)."""
    return default_report


# --- reading what is published ---------------------------------------------------------------

class Published:
    """The tables of one report folder (``tables/*.csv``), read as a reader would."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.tables: dict[str, pd.DataFrame] = {}

    def names(self) -> list[str]:
        return sorted(p.stem for p in (self.folder / "tables").glob("*.csv"))

    def get(self, name: str) -> pd.DataFrame | None:
        if name not in self.tables:
            path = self.folder / "tables" / f"{name}.csv"
            self.tables[name] = pd.read_csv(path, keep_default_na=False, na_values=[""]) if path.exists() else None
        return self.tables[name]

    def figure(self, fid: str) -> float | None:
        with open(self.folder / "tables" / "figures.csv", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["id"] == fid:
                    return float(r["value"]) if r["value"] else None
        return None

    def log(self) -> pd.DataFrame:
        logs = [self.get(n) for n in self.names() if n.endswith("-suppression_log")]
        logs = [x for x in logs if x is not None and len(x)]
        return pd.concat(logs, ignore_index=True) if logs else pd.DataFrame(columns=["section", "table", "row", "column", "reason"])


Cell = tuple[str, int, str]  # (table, row position, column)


@dataclass
class System:
    """Linear equations over a report's cells: visible cells are numbers, hidden cells unknowns."""

    pub: Published
    equations: list[tuple[dict[Cell, float], float, str]] = field(default_factory=list)
    hidden: set[Cell] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)  # tables an equation was written about

    def value(self, cell: Cell) -> float | None:
        v = self.pub.get(cell[0]).iloc[cell[1]][cell[2]]
        return None if pd.isna(v) else float(v)

    def add(self, terms: list[tuple[float, Cell | float]], why: str) -> None:
        """sum(coef * term) == 0, a term a cell (hidden: an unknown) or a number."""
        coefs: dict[Cell, float] = {}
        constant = 0.0
        for coef, term in terms:
            if not isinstance(term, float | int):
                self.touched.add(term[0])
            v = term if isinstance(term, float | int) else self.value(term)
            if v is None:
                coefs[term] = coefs.get(term, 0.0) + coef
                self.hidden.add(term)
            else:
                constant += coef * v
        if not coefs:  # all visible: the equation must hold, or the attacker's model is wrong
            assert abs(constant) < 1e-6 * max(1.0, sum(abs(c) for c, _ in terms)), f"{why} does not hold: {terms}"
            return
        self.equations.append((coefs, -constant, why))

    def ranges(self, upper: dict[Cell, tuple[float, float]]) -> dict[Cell, tuple[float, float]]:
        """Least and greatest value of each hidden cell in an equation (cells >= 0, log bounds where given)."""
        cells = sorted({c for coefs, _, _ in self.equations for c in coefs})
        index = {c: i for i, c in enumerate(cells)}
        a = np.zeros((len(self.equations), len(cells)))
        b = np.zeros(len(self.equations))
        for r, (coefs, rhs, _) in enumerate(self.equations):
            for c, coef in coefs.items():
                a[r, index[c]] += coef
            b[r] = rhs
        bounds = [upper.get(c, (0.0, None)) for c in cells]
        out = {}
        for c, i in index.items():
            objective = np.zeros(len(cells))
            objective[i] = 1.0
            low = linprog(objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            high = linprog(-objective, A_eq=a, b_eq=b, bounds=bounds, method="highs")
            assert low.status != 2 and high.status != 2, f"the equations around {c} have no solution"
            out[c] = (low.fun if low.status == 0 else 0.0, -high.fun if high.status == 0 else math.inf)
        return out


def values_in(low: float, high: float) -> float:
    """How many whole numbers an attacker is left with for a cell in [low, high]."""
    return math.inf if math.isinf(high) else math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1


# --- the equations a reader can write ---------------------------------------------------------

def rows_of(table: pd.DataFrame, column: str) -> dict[str, int]:
    return {str(v): i for i, v in enumerate(table[column])}


def grid(s: System, name: str, label: str, total_col: str | None, total_row: str | None,
         derived: tuple[str, ...] = ()) -> None:
    """Each row adds up to its total column and each column to its total row."""
    t = s.pub.get(name)
    if t is None:
        return
    counts = [c for c in t.columns if c not in (label, total_col, *derived)]
    rows = rows_of(t, label)
    body = [i for lab, i in rows.items() if lab != total_row]
    if total_col is not None:
        for i in range(len(t)):
            s.add([(1.0, (name, i, c)) for c in counts] + [(-1.0, (name, i, total_col))], f"{name} row {i}")
    if total_row is not None and total_row in rows:
        for c in [*counts, *([total_col] if total_col else [])]:
            s.add([(1.0, (name, i, c)) for i in body] + [(-1.0, (name, rows[total_row], c))], f"{name} column {c}")


def column_total(s: System, name: str, column: str, total: float | Cell | None, parts: list[int] | None = None) -> None:
    """A count column adds up to a total printed elsewhere (a number, a cell, or None: unknown)."""
    t = s.pub.get(name)
    if t is None or total is None:
        return
    parts = range(len(t)) if parts is None else parts
    s.add([(1.0, (name, i, column)) for i in parts] + [(-1.0, total)], f"{name} {column} total")


def share_of(s: System, name: str, count: str, share: str, base: float | Cell | None, per: float = 100.0) -> None:
    """A visible share with its base gives its count: count = share x base / per."""
    t = s.pub.get(name)
    if t is None or base is None:
        return
    for i in range(len(t)):
        pct = t.iloc[i][share]
        if not pd.isna(pct):
            s.add([(1.0, (name, i, count)), (-float(pct) / per, base)], f"{name} {share} row {i}")


def row_share(s: System, name: str, count: str, share: str, base: str, per: float = 100.0) -> None:
    """Each row's share of its own base column: count = share x base / per."""
    t = s.pub.get(name)
    if t is None:
        return
    for i in range(len(t)):
        pct = t.iloc[i][share]
        if not pd.isna(pct):
            s.add([(1.0, (name, i, count)), (-float(pct) / per, (name, i, base))], f"{name} {share} row {i}")


def base_from_shares(s: System, name: str, count: str, share: str) -> float | None:
    """The total a share column is a share of, worked out from any row showing both count and share."""
    t = s.pub.get(name)
    if t is None:
        return None
    for _, r in t.iterrows():
        if not pd.isna(r[count]) and not pd.isna(r[share]) and float(r[share]) > 0:
            return round(float(r[count]) * 100.0 / float(r[share]))
    return None


def change_rows(s: System, name: str) -> None:
    """A change table: the change shown is the difference of the two counts."""
    t = s.pub.get(name)
    if t is None or "abs_change" not in t.columns:
        return
    for i in range(len(t)):
        if not pd.isna(t.iloc[i]["abs_change"]):
            s.add([(1.0, (name, i, "current")), (-1.0, (name, i, "previous")), (-float(t.iloc[i]["abs_change"]), 1.0)],
                  f"{name} change row {i}")


def cell(s: System, name: str, label: str, row: str, column: str) -> Cell | None:
    t = s.pub.get(name)
    if t is None or row not in rows_of(t, label):
        return None
    return (name, rows_of(t, label)[row], column)


def equations(pub: Published) -> System:
    """Every equation a reader can write about the report's tables of people."""
    s = System(pub)
    names = pub.names()
    for name in names:
        if name.endswith("_victims") or name.endswith("victims_by_age_sex"):
            grid(s, name, "age_band", "Total", "Total")
    grid(s, "05_priority_3-nrm_by_responder", "fy", "Total", None)
    grid(s, "05_priority_3-nrm_profile", "exploitation_type", "Total", "Total")
    grid(s, "07_survey-safety_by_ward", "ward_name", "total", None, derived=("disagree_pct",))
    row_share(s, "07_survey-safety_by_ward", "disagree", "disagree_pct", "total")
    for name in ("03_priority_1-da_referrals", "03_priority_1-first_time_entrants", "03_priority_1-changes",
                 "05_priority_3-changes", "01_key_findings-changes", "08_performance-plan_measures"):
        change_rows(s, name)
    refs = pub.get("03_priority_1-da_referrals")
    if refs is not None and "all" in rows_of(refs, "measure"):
        parts = [i for lab, i in rows_of(refs, "measure").items() if lab != "all"]
        for c in ("current", "previous"):
            column_total(s, "03_priority_1-da_referrals", c, cell(s, "03_priority_1-da_referrals", "measure", "all", c), parts)
    p1 = "03_priority_1-changes"
    for c in ("current", "previous"):  # rape and other sexual offences make up sexual offences (the page says so)
        cells = [cell(s, p1, "measure", m, c) for m in ("rape", "other_sexual", "sexual_offences")]
        if all(cells):
            s.add([(1.0, cells[0]), (1.0, cells[1]), (-1.0, cells[2])], f"sexual offences {c}")
    sv = pub.get("03_priority_1-serious_violence")
    if sv is not None:
        rows = rows_of(sv, "grouping")
        parts = [rows[g] for g in ("homicide", "violence_with_injury", "robbery", "weapons")]
        total = ("03_priority_1-serious_violence", rows["serious_violence"], "crimes")
        column_total(s, "03_priority_1-serious_violence", "crimes", total, parts)
        trc = pub.figure("trc")
        body = sv.drop(index=rows["serious_youth_violence"])  # SYV's share of serious violence counts SYV in it
        for i in body.index:
            if not pd.isna(sv.iloc[i]["share_serious_violence"]):
                s.add([(1.0, ("03_priority_1-serious_violence", i, "crimes")),
                       (-float(sv.iloc[i]["share_serious_violence"]) / 100, total)], f"serious violence share row {i}")
        share_of(s, "03_priority_1-serious_violence", "crimes", "share_trc", trc)
    for name, whole in (("05_priority_3-hate_strands", "hate_crime"), ("03_priority_1-vawg_offences", "vawg")):
        changes = "05_priority_3-changes" if name.startswith("05") else p1
        for c in ("current", "previous"):
            column_total(s, name, c, cell(s, changes, "measure", whole, c))
        share_of(s, name, "current", "share", cell(s, changes, "measure", whole, "current")
                 or base_from_shares(s, name, "current", "share"))
    hate = pub.get("08_performance-hate")
    if hate is not None and len(hate) and pub.get("08_performance-hate_by_strand") is not None:
        column_total(s, "08_performance-hate_by_strand", "hate_crimes", ("08_performance-hate", 0, "hate_crimes"))
    measures = pub.get("07_survey-measures")
    if measures is not None and len(measures):
        for i in range(len(measures)):  # those agreeing and the rest (not shown) make up those answering
            s.add([(1.0, ("07_survey-measures", i, "successes")), (-1.0, ("07_survey-measures", i, "n")),
                   (1.0, ("07_survey-measures-not-shown", i, "rest"))], f"survey measure {i}")
        row_share(s, "07_survey-measures", "successes", "pct", "n")
        base = cell(s, "07_survey-measures", "id", "did_not_report_nothing_would_happen", "n")
        column_total(s, "07_survey-reasons", "respondents", base)
        share_of(s, "07_survey-reasons", "respondents", "pct", base)
        first = base_from_shares(s, "07_survey-priorities", "first", "first_pct")
        column_total(s, "07_survey-priorities", "first", float(first) if first is not None else None)
        share_of(s, "07_survey-priorities", "first", "first_pct", float(first) if first is not None else None)
    row_share(s, "03_priority_1-reoffending", "reoffenders", "reoffending_rate", "offenders")
    return s


class _NotShown(Published):
    """Cells a reader cannot see at all (a survey measure's answers other than the one counted)."""

    def get(self, name: str) -> pd.DataFrame | None:
        if name == "07_survey-measures-not-shown":
            n = len(super().get("07_survey-measures"))
            return pd.DataFrame({"rest": [np.nan] * n})
        return super().get(name)


#: Published tables with a total that are not about people (or not registered: see the report), left out.
NOT_ATTACKED = {"02_city_profile-age_by_ward": "residents by age band and ward (census population, not a count of victims)",
                "08_performance-hate": "hate crimes and incidents by source; every count in the hundreds on the demo"}


def attack(folder: Path) -> tuple[int, list[str], dict]:
    """Attack a report folder. Returns the threshold, the findings (cells narrowed too far) and every range."""
    params = json.loads((Path(folder) / "params.json").read_text())
    threshold = int(params["disclosure_threshold"])
    pub = _NotShown(folder)
    s = equations(pub)
    log = pub.log()
    upper = {}
    for r in log.itertuples():
        if re.search(r"primary|below|fewer|threshold", str(r.reason), re.I):  # what such a log would tell the attacker
            name = f"{r.section}-{r.table}"
            t = pub.get(name)
            hits = [i for i in range(len(t)) if str(r.row) in {str(v) for v in t.iloc[i]}]
            if hits:
                upper[(name, hits[0], str(r.column))] = (1.0, threshold - 1.0)
    found = s.ranges(upper)
    found = {c: rng for c, rng in found.items() if c[0] != "07_survey-measures-not-shown"}  # unknowns, not cells
    problems = [f"{c[0]} row {c[1]} column {c[2]}: only {values_in(*rng)} possible values ({rng[0]:.2f} to {rng[1]:.2f})"
                for c, rng in found.items() if values_in(*rng) < threshold]
    return threshold, problems, found


# --- the tests --------------------------------------------------------------------------------

@pytest.mark.parametrize("year", YEARS)
def test_no_hidden_cell_can_be_narrowed_below_the_threshold(report, year):
    threshold, problems, found = attack(report(year))
    assert not problems, "\n".join(problems)
    if year != "2015-16":  # the assessments hide cells (victims of homicide, county lines, NRM, ...): they are attacked
        assert len(found) >= 20


@pytest.mark.parametrize("year", YEARS)
def test_the_log_never_says_which_cells_were_below_the_threshold(report, year):
    log = Published(report(year)).log()
    assert set(log["reason"]) <= {"hidden to protect small numbers"}
    assert not log["reason"].str.contains(r"primary|secondary|below|protects|\d", regex=True).any()


@pytest.mark.parametrize("year", YEARS)
def test_every_table_with_a_total_is_attacked(report, year):
    """A table with a total row or column is in :func:`equations` or named in :data:`NOT_ATTACKED`."""
    pub = Published(report(year))
    attacked = equations(_NotShown(report(year))).touched
    for name in pub.names():
        t = pub.get(name)
        has_total = any(str(c).lower() == "total" for c in t.columns) or (
            len(t.columns) > 0 and t.iloc[:, 0].astype(str).isin(["Total", "all"]).any())
        if has_total and len(t):
            assert name in attacked or name in NOT_ATTACKED, name


def _hidden(pub: Published, name: str, label: str, row: str, column: str) -> bool | None:
    t = pub.get(name)
    if t is None or row not in rows_of(t, label):
        return None
    return bool(pd.isna(t.iloc[rows_of(t, label)[row]][column]))


@pytest.mark.parametrize("year", ("2023-24", "2022-23"))
def test_a_count_hidden_anywhere_is_hidden_everywhere(report, year):
    """The same count in two tables (or a table and figures.csv) is shown in both or hidden in both."""
    pub = Published(report(year))
    fy = json.loads((report(year) / "params.json").read_text())["period"]
    same = [
        [("03_priority_1-serious_violence", "grouping", "homicide", "crimes"), ("03_priority_1-changes", "measure", "homicide", "current")],
        [("03_priority_1-serious_violence", "grouping", "serious_youth_violence", "crimes"),
         ("03_priority_1-changes", "measure", "serious_youth_violence", "current"),
         ("01_key_findings-changes", "measure", "serious_youth_violence", "current"),
         ("08_performance-plan_measures", "measure", "serious_youth_violence", "current")],
        *[[("05_priority_3-changes", "measure", m, c), ("01_key_findings-changes", "measure", m, c),
           ("08_performance-plan_measures", "measure", m, c)]
          for m in ("county_lines", "cse", "modern_slavery", "honour_based_abuse", "hate_crime") for c in ("current", "previous")],
        [("05_priority_3-nrm_by_responder", "fy", fy, "Total"), ("05_priority_3-nrm_profile", "exploitation_type", "Total", "Total")],
    ]
    checked = 0
    for group in same:
        states = {w: _hidden(pub, *w) for w in group}
        states = {w: h for w, h in states.items() if h is not None}
        assert len(set(states.values())) <= 1, states
        checked += len(states) > 1
    assert checked >= 8
    # figures.csv: a figure of a hidden count is blank
    pairs = [("homicides", ("03_priority_1-serious_violence", "grouping", "homicide", "crimes")),
             ("modern_slavery_council_cases", ("05_priority_3-nrm_by_responder", "fy", fy, "council")),
             ("county_lines_males_15_17_share", ("05_priority_3-county_lines_victims", "age_band", "15-17", "M"))]
    for fid, where in pairs:
        if _hidden(pub, *where):
            assert pub.figure(fid) is None, fid


def test_reconciliation_of_a_withheld_figure_says_withheld_and_nothing_more(report):
    folder = report("2023-24")
    with open(folder / "tables" / "figures.csv", newline="") as fh:
        blank = {r["id"] for r in csv.DictReader(fh) if r["value"] == ""}
    with open(folder / "tables" / "reconciliation.csv", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert {"homicides_youth_violence", "county_lines_males_15_17_share"} <= blank  # 1 youth homicide; 15-17 cell hidden
    for fid in blank & set(rows):
        row = rows[fid]
        assert row["status"] == "withheld" and row["reproduced"] == "" and row["difference"] == "", row
        assert "reproduced" not in row["note"] and "match" not in row["note"].replace("whether it matches", ""), row
    assert not any("not shown" in r["status"] for r in rows.values())
    page = (folder / "09_reconciliation.html").read_text(encoding="utf-8")
    assert "not shown)" not in page.replace("(not shown, nor whether they match)", "") and "withheld" in page


def test_stored_results_carry_no_register_of_counts(report):
    """The results the notebooks read hold no count about people beyond what the tables show."""
    from ccsp_analysis.sections import store

    folder = report("2023-24")
    for path in sorted((folder / "results").glob("[0-9]*.pkl")):
        result = store.load_result(folder, path.stem)
        assert result.people.empty and not result.people.hidden, path.stem
