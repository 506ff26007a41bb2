"""Running a year's report: sections computed once, notebooks executed in pre-started kernels, rendered to self-contained HTML.

Modules: ``run`` (the runner), ``execute`` (the kernel pool), ``pages``, ``html`` and ``appendix``
(rendering), ``exports`` (CSV tables), ``pdf`` (printing). Nothing here computes a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccsp_analysis.report.run import RunResult, run_year

__all__ = ["RunResult", "run_year"]


def __getattr__(name: str):
    # imported on first use, so `import ccsp_analysis.report.html` does not pull in the runner
    if name in __all__:
        from ccsp_analysis.report import run

        return getattr(run, name)
    raise AttributeError(name)
