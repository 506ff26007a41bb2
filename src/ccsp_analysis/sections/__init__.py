"""One module per report section: pure functions from the dataset to tidy tables and figures."""

from __future__ import annotations

import logging
from collections.abc import Callable

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
    "00_data_audit": ("Data audit", data_audit.data_audit),
    "01_key_findings": ("Key findings", key_findings.key_findings),
    "02_city_profile": ("City profile", city_profile.city_profile),
    "03_priority_1": ("Priority 1: offending, reoffending and serious violence", priority_1.priority_1),
    "04_priority_2": ("Priority 2: public place safety and reassurance", priority_2.priority_2),
    "05_priority_3": ("Priority 3: exploitation and protecting victims", priority_3.priority_3),
    "06_areas": ("Areas", areas.areas),
    "07_survey": ("Resident survey", survey.survey),
    "08_performance": ("Performance and plan monitoring", performance.performance),
    "09_reconciliation": ("Reconciliation with the published figures", reconciliation.reconciliation),
}



def compute_sections(data, params, names: list[str]) -> tuple[dict, dict[str, str]]:
    """Each section's tables and figures (the reconciliation last, over the others' figures).

    A section whose function raises (e.g. an input it needs is missing) is left out and its
    error returned, so the other sections still run.
    """
    results, errors = {}, {}
    for n in names:
        try:
            if n == "09_reconciliation":
                results[n] = REGISTRY[n][1](data, params, figures=merge_figures(results))
            else:
                results[n] = REGISTRY[n][1](data, params)
        except Exception as exc:  # noqa: BLE001 -- reported as the section's failure, the run goes on
            log.exception("section %s failed", n)
            errors[n] = f"{type(exc).__name__}: {exc}"
    return results, errors


__all__ = ["REGISTRY", "SectionResult", "compute_sections"]
