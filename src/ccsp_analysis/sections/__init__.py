"""One module per report section: pure functions from the dataset to tidy tables and figures."""

from __future__ import annotations

from collections.abc import Callable

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
from ccsp_analysis.sections.result import SectionResult

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

__all__ = ["REGISTRY", "SectionResult"]
