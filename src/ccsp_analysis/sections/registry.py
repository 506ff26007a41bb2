"""The registry of sections: each name (the notebook's file stem) with its page title and function, and computing them once."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd

from ccsp_analysis import coverage, monitoring, people, so_what
from ccsp_analysis.params import SECTION_TITLES
from ccsp_analysis.result import SectionResult, merge_figures
from ccsp_analysis.sections import (
    areas,
    city_profile,
    data_audit,
    key_findings,
    performance,
    priorities,
    priority_1,
    priority_2,
    priority_3,
    reconciliation,
    survey,
)

log = logging.getLogger(__name__)

#: Section name (the notebook's file stem) -> (page title, function computing its tables and figures).
REGISTRY: dict[str, tuple[str, Callable]] = {
    "00_data_audit": (SECTION_TITLES["00_data_audit"], data_audit.data_audit),
    "01_key_findings": (SECTION_TITLES["01_key_findings"], key_findings.key_findings),
    "02_city_profile": (SECTION_TITLES["02_city_profile"], city_profile.city_profile),
    "03_priority_1": (SECTION_TITLES["03_priority_1"], priority_1.priority_1),
    "04_priority_2": (SECTION_TITLES["04_priority_2"], priority_2.priority_2),
    "05_priority_3": (SECTION_TITLES["05_priority_3"], priority_3.priority_3),
    "06_areas": (SECTION_TITLES["06_areas"], areas.areas),
    "07_survey": (SECTION_TITLES["07_survey"], survey.survey),
    "08_performance": (SECTION_TITLES["08_performance"], performance.performance),
    "09_reconciliation": (SECTION_TITLES["09_reconciliation"], reconciliation.reconciliation),
    "11_priorities": (SECTION_TITLES["11_priorities"], priorities.priorities),
}
#: Sections computed after the run's disclosure control, from the other sections' results, in this order.
AFTER = ("11_priorities", "09_reconciliation")


#: Change tables of sections that register no counts about people but repeat some (the counts of crimes
#: of a grouping in the two years): (section, table) -> figure ids of their rows. A row is hidden
#: there when disclosure control hides the same count on a priority page.
FOLLOWERS = {("01_key_findings", "changes"): key_findings.CHANGE_IDS, ("08_performance", "plan_measures"): {}}


def followers(params) -> dict:
    """The :data:`FOLLOWERS` whose rows count the same months as the priority pages (whole years)."""
    if params.quarter in (None, 4):
        return dict(FOLLOWERS)
    return {k: v for k, v in FOLLOWERS.items() if k[0] != "08_performance"}  # a year to date: other counts


def compute_sections(data, params, names: list[str],
                     on_result: Callable[[str, SectionResult], None] | None = None,
                     missing: str | None = None) -> tuple[dict, dict[str, str]]:
    """Each section's tables and figures, computed once (the priorities, then the reconciliation, last).

    A section whose function raises (e.g. an input it needs is missing) is left out and its
    error returned, so the other sections still run. After every section but the reconciliation
    has computed, disclosure control runs across the whole run (:func:`ccsp_analysis.people.protect_run`):
    a count about people hidden in one section is hidden in every table, figure and sentence of
    every section, and the sections of :data:`AFTER` read the results after that: the priorities the
    other sections' tables, the reconciliation every section's figures (the priorities' included). Every change
    table (rows of ``measure`` with a ``direction``) is then given the measure's ``polarity`` from the plan
    (:func:`ccsp_analysis.monitoring.with_polarity`), so every page reads a direction the same way. Each section's
    findings and what they mean for the plan (:mod:`ccsp_analysis.so_what`) are picked last, from the results as
    published. ``on_result(name, result)``
    is then called for each section in turn (the runner stores it and starts its notebook), so no
    section is published before the run's disclosure control has been applied.
    ``missing``: the months the data miss (a run with ``--allow-partial``); while it is set no
    change is computed as a rise or fall (:mod:`ccsp_analysis.coverage`).
    """
    results, errors = {}, {}
    order = [n for n in names if n not in AFTER]
    for n in order:
        try:
            with coverage.incomplete_periods(missing):
                results[n] = _compute_one(n, data, params, results)
        except Exception as exc:  # noqa: BLE001 -- reported as the section's failure, the run goes on
            log.exception("section %s failed", n)
            errors[n] = f"{type(exc).__name__}: {exc}"
    try:
        people.protect_run(results, params, followers(params))
    except Exception as exc:  # noqa: BLE001 -- nothing about people is published without the run's control
        log.exception("disclosure control across the run failed")
        for n in [n for n, r in results.items() if not r.people.empty]:
            errors[n] = f"disclosure control across the run failed: {type(exc).__name__}: {exc}"
            del results[n]
    for n in [n for n in AFTER if n in names]:
        try:
            with coverage.incomplete_periods(missing):
                results[n] = _compute_one(n, data, params, results)
        except Exception as exc:  # noqa: BLE001
            log.exception("section %s failed", n)
            errors[n] = f"{type(exc).__name__}: {exc}"
    # one polarity for every page: each change table's arrows are read with the plan's polarity (a fall in
    # modern slavery reported is concerning when the plan asks for a rise), as on the performance page
    polarity = monitoring.plan_polarities(params)
    for result in results.values():
        for name, table in list(result.tables.items()):
            if isinstance(table, pd.DataFrame) and {"measure", "direction"} <= set(table.columns):
                result.tables[name] = monitoring.with_polarity(table, polarity)
    # each page's findings and what they mean for the plan, read from the results as published
    for n, result in results.items():
        try:
            with coverage.incomplete_periods(missing):
                result.tables[so_what.TABLE] = so_what.build(n, result, so_what.plan_of(params))
        except Exception:  # noqa: BLE001 -- the page still renders, without its findings
            log.exception("the findings of section %s could not be picked", n)
    if on_result is not None:
        for n, result in results.items():
            on_result(n, result)
    return results, errors


def _compute_one(n: str, data, params, results: dict) -> SectionResult:
    if n == "09_reconciliation":
        return REGISTRY[n][1](data, params, figures=merge_figures(results))
    if n == "11_priorities":
        return REGISTRY[n][1](data, params, results=results)
    return REGISTRY[n][1](data, params)
