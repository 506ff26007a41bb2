"""Statistics for the assessment, numbers only (no sentences): counts, proportions, groups, neighbours, SPC, concentration, projection."""

from ccsp_analysis.errors import StatsError
from ccsp_analysis.stats.concentration import Concentration, concentration, gini, lorenz
from ccsp_analysis.stats.counts import CountComparison, Direction, compare_counts, rate_per_1000
from ccsp_analysis.stats.groups import GroupComparison, compare_with_group
from ccsp_analysis.stats.multiple import benjamini_hochberg, bh_adjusted
from ccsp_analysis.stats.neighbours import (
    Neighbours,
    equal_characteristic_weights,
    nearest_neighbours,
    standardise,
)
from ccsp_analysis.stats.projection import (
    Backtest,
    ProjectionAssessment,
    assess_projection,
    backtest_projection,
    project,
)
from ccsp_analysis.stats.proportions import (
    COMPARISON_RESULTS,
    compare_proportions,
    effective_sample_size,
    wilson_interval,
)
from ccsp_analysis.stats.spc import RULES, Signal, control_chart, signals

__all__ = [
    "COMPARISON_RESULTS",
    "RULES",
    "Backtest",
    "Concentration",
    "CountComparison",
    "Direction",
    "ProjectionAssessment",
    "GroupComparison",
    "Neighbours",
    "Signal",
    "StatsError",
    "assess_projection",
    "backtest_projection",
    "benjamini_hochberg",
    "bh_adjusted",
    "compare_counts",
    "compare_proportions",
    "compare_with_group",
    "concentration",
    "control_chart",
    "effective_sample_size",
    "equal_characteristic_weights",
    "gini",
    "lorenz",
    "nearest_neighbours",
    "project",
    "rate_per_1000",
    "signals",
    "standardise",
    "wilson_interval",
]
