"""One module per report section: pure functions from the dataset to tidy tables and figures.

``registry`` names every section and computes them once per run; ``store`` keeps each result
beside the run and gives a notebook its result (:func:`section_result`). No section imports
another. Names here are imported on first use, so reading a stored result stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccsp_analysis.result import SectionResult
    from ccsp_analysis.sections.registry import REGISTRY, compute_sections
    from ccsp_analysis.sections.store import section_result

__all__ = ["REGISTRY", "SectionResult", "compute_sections", "section_result"]


def __getattr__(name: str):
    if name in ("REGISTRY", "compute_sections"):
        from ccsp_analysis.sections import registry

        return getattr(registry, name)
    if name == "section_result":
        from ccsp_analysis.sections.store import section_result

        return section_result
    if name == "SectionResult":
        from ccsp_analysis.result import SectionResult

        return SectionResult
    raise AttributeError(name)
