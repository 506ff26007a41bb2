"""The registry of sections: each name (the notebook's file stem) with its page title and function, and computing them once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ccsp_analysis import coverage
from ccsp_analysis.params import SECTION_TITLES
from ccsp_analysis.result import SectionResult, merge_figures
from ccsp_analysis.sections import (
    areas,
    city_profile,
    data_audit,
    key_findings,
    performance,
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
}


def compute_sections(data, params, names: list[str],
                     on_result: Callable[[str, SectionResult], None] | None = None,
                     missing: str | None = None) -> tuple[dict, dict[str, str]]:
    """Each section's tables and figures, computed once (the reconciliation last, over the others' figures).

    A section whose function raises (e.g. an input it needs is missing) is left out and its
    error returned, so the other sections still run. ``on_result(name, result)`` is called as
    each section is done (the runner stores it and starts its notebook while the rest compute).
    ``missing``: the months the data miss (a run with ``--allow-partial``); while it is set no
    change is computed as a rise or fall (:mod:`ccsp_analysis.coverage`).
    """
    results, errors = {}, {}
    order = [n for n in names if n != "09_reconciliation"] + [n for n in names if n == "09_reconciliation"]
    for n in order:
        try:
            with coverage.incomplete_periods(missing):
                result = _compute_one(n, data, params, results)
        except Exception as exc:  # noqa: BLE001 -- reported as the section's failure, the run goes on
            log.exception("section %s failed", n)
            errors[n] = f"{type(exc).__name__}: {exc}"
            continue
        results[n] = result
        if on_result is not None:
            on_result(n, results[n])
    return results, errors


def _compute_one(n: str, data, params, results: dict) -> SectionResult:
    if n == "09_reconciliation":
        return REGISTRY[n][1](data, params, figures=merge_figures(results))
    return REGISTRY[n][1](data, params)

