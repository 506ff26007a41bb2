"""Deterministic synthetic demonstration data in the real source formats (``ccsp data demo``).

``writer`` writes every file; ``calibration`` holds the cell counts that reproduce the published
figures; ``crimes``, ``geography`` and ``survey`` expand them into rows.
"""

from ccsp_analysis.demo.writer import DEMO_VERSION, FORCE, SEED, generate

__all__ = ["DEMO_VERSION", "FORCE", "SEED", "generate"]
