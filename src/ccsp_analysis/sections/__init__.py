"""One module per report section: pure functions from the dataset to tidy tables and figures."""

from __future__ import annotations

from collections.abc import Callable

from ccsp_analysis.sections.data_audit import data_audit
from ccsp_analysis.sections.key_findings import key_findings
from ccsp_analysis.sections.performance import performance
from ccsp_analysis.sections.reconciliation import reconciliation
from ccsp_analysis.sections.result import SectionResult

#: Section name (the notebook's file stem) -> (page title, function computing its tables and figures).
REGISTRY: dict[str, tuple[str, Callable]] = {
    "00_data_audit": ("Data audit", data_audit),
    "01_key_findings": ("Key findings", key_findings),
    "08_performance": ("Performance and plan monitoring", performance),
    "09_reconciliation": ("Reconciliation with the published figures", reconciliation),
}

__all__ = ["REGISTRY", "SectionResult", "data_audit", "key_findings", "performance", "reconciliation"]
