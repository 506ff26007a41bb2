"""Deterministic synthetic demonstration data in the real source formats (``ccsp data demo``).

``writer`` writes every file; ``calibration`` holds the cell counts that reproduce the published
figures; ``crimes``, ``geography`` and ``survey`` expand them into rows; ``manifest`` marks the
output as synthetic (DEMO.json) and finds those marks on a run's inputs. The writer's names are
imported on first use, so importing ``ccsp_analysis.demo.manifest`` (as parameter validation
does) does not import numpy or pandas.
"""

from __future__ import annotations

__all__ = ["DEMO_VERSION", "FORCE", "SEED", "generate"]


def __getattr__(name: str):
    if name in __all__:
        from ccsp_analysis.demo import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
