"""Statistical neighbours: the districts nearest an area in standardised characteristics.

The distance approach of CIPFA's Nearest Neighbours Model: every characteristic is standardised
across all the districts compared (mean 0, standard deviation 1) and the districts are ranked by
the (weighted) Euclidean distance between their standardised values. Numbers only: the features
themselves are built from ONS files by :mod:`ccsp_analysis.sources.districts`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccsp_analysis.errors import StatsError

#: Neighbours returned by default: the size of CIPFA's published nearest-neighbour lists (and
#: about the size of the Home Office's most similar groups of partnerships).
DEFAULT_K = 15


@dataclass(frozen=True)
class Neighbours:
    """Result of :func:`nearest_neighbours`.

    ``table``: one row per neighbour, nearest first, with columns ``code`` (the index label of
    the district), ``distance`` and ``rank`` (1 = nearest). ``k`` is the number of neighbours
    returned: ``k_asked``, or every other district when fewer are available. ``candidates``
    counts the districts compared with the target (the target excluded). ``constant`` names the
    features that do not vary across the districts (they cannot tell districts apart and add
    nothing to any distance). ``weights`` are the weights used, by feature.
    """

    target: str
    table: pd.DataFrame
    k: int
    k_asked: int
    candidates: int
    features: tuple[str, ...]
    weights: dict[str, float]
    constant: tuple[str, ...]


def standardise(features: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """z-scores of every column across the rows: (x - mean) / sd, sd the population standard
    deviation (divisor n). A column that does not vary has z = 0 in every row; its name is
    returned in the second value."""
    values = _numbers(features)
    mean = values.mean(axis=0)
    sd = values.std(axis=0, ddof=0)
    constant = tuple(c for c in values.columns if not sd[c] > 0)
    z = (values - mean) / sd.where(sd > 0, 1.0)
    z[list(constant)] = 0.0
    return z, constant


def equal_characteristic_weights(groups: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Weights that give every characteristic the same total weight, 1, shared equally by its
    features: ``{"age structure": [six age shares], "deprivation": ["most_deprived"]}`` gives
    each age share 1/6 and the deprivation feature 1 (so six correlated shares do not outweigh
    one measure of deprivation)."""
    weights = {}
    for name, columns in groups.items():
        if not columns:
            raise StatsError(f"characteristic {name!r} has no features")
        for column in columns:
            if column in weights:
                raise StatsError(f"feature {column!r} belongs to more than one characteristic")
            weights[column] = 1.0 / len(columns)
    return weights


def nearest_neighbours(
    features: pd.DataFrame,
    target: str,
    k: int = DEFAULT_K,
    weights: Mapping[str, float] | None = None,
) -> Neighbours:
    """The ``k`` districts nearest ``target`` in standardised features.

    Parameters
    ----------
    features
        One row per district (index: district code, unique), one numeric column per feature,
        no missing values. Every row takes part in the standardisation, so the z-scores and the
        distances depend on the whole set of districts supplied.
    target
        The index label of the area's district.
    k
        Neighbours wanted; when fewer other districts are supplied, all of them are returned
        (``Neighbours.k`` says how many).
    weights
        Weight of each feature (non-negative; every column must have one). Default: 1 each.

    The distance between districts a and b is ``sqrt(sum_f w_f (z_af - z_bf)^2)``. Districts at
    the same distance are ordered by code, so the result does not depend on the row order.
    """
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise StatsError(f"k must be a whole number of at least 1, got {k!r}")
    if not features.index.is_unique:
        repeated = features.index[features.index.duplicated()][0]
        raise StatsError(f"district {repeated!r} appears more than once in the features")
    if target not in features.index:
        raise StatsError(f"the area's district {target!r} is not among the {len(features)} districts with features")
    if len(features) < 2:
        raise StatsError("at least two districts are needed to find neighbours")
    if features.shape[1] == 0:
        raise StatsError("no features to compare districts on")
    w = _weights(features.columns, weights)
    z, constant = standardise(features)
    diff = z - z.loc[target]
    distance = np.sqrt((diff.pow(2) * pd.Series(w)).sum(axis=1))
    others = distance.drop(index=target)
    order = pd.DataFrame({"code": others.index.astype(str), "distance": others.to_numpy()})
    order = order.sort_values(["distance", "code"], kind="stable").reset_index(drop=True)
    n = min(int(k), len(order))
    table = order.head(n).copy()
    table["rank"] = np.arange(1, n + 1)
    return Neighbours(target=str(target), table=table, k=n, k_asked=int(k), candidates=len(order),
                      features=tuple(str(c) for c in features.columns), weights=w, constant=constant)


def _numbers(features: pd.DataFrame) -> pd.DataFrame:
    try:
        values = features.astype(float)
    except (TypeError, ValueError) as exc:
        raise StatsError(f"features must be numbers ({exc})") from exc
    bad = ~np.isfinite(values.to_numpy())
    if bad.any():
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise StatsError(f"feature {values.columns[col]!r} of district {values.index[row]!r} is missing or "
                         "infinite; leave out the district or the feature")
    return values


def _weights(columns: pd.Index, weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return {str(c): 1.0 for c in columns}
    missing = [c for c in columns if c not in weights]
    extra = [c for c in weights if c not in columns]
    if missing or extra:
        raise StatsError(f"weights must name every feature once: missing {missing}, unknown {extra}")
    out = {}
    for c in columns:
        value = weights[c]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise StatsError(f"the weight of {c!r} must be a non-negative number, got {value!r}")
        out[str(c)] = float(value)
    if not any(out.values()):
        raise StatsError("at least one weight must be above 0")
    return out
