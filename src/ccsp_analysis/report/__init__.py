"""Running a year's report: notebooks executed with papermill, rendered to self-contained HTML."""

from ccsp_analysis.report.run import RunResult, run_year

__all__ = ["RunResult", "run_year"]
