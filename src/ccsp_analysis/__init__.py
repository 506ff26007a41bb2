"""ccsp-analysis: reproducible Community Safety Partnership Strategic Assessments from data."""

from ccsp_analysis.errors import CcspError, DataError, ParamsError, RunError

__all__ = ["CcspError", "DataError", "ParamsError", "RunError", "__version__"]
__version__ = "0.1.0"
