"""Outlier flags for review: a value far from its area's own history, or from the other areas
in the same period. Flags are shown to the reviewer, never used to drop or change a value.

- z-score against the area's other periods: (x − mean) / standard deviation, flagged above 3;
- modified z-score (Iglewicz and Hoaglin): 0.6745 (x − median) / MAD, flagged above 3.5, robust
  to the outliers already in the history; when the MAD is 0 the mean absolute deviation × 1.2533
  stands in for it, and when that is 0 too (a constant history) any other value is flagged;
- the same modified z-score against the other areas' values of the period (peers).

At least four other figures are needed before a value is judged: fewer say nothing.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import IndicatorValue

Z_THRESHOLD = 3.0
MODIFIED_Z_THRESHOLD = 3.5
MINIMUM_FIGURES = 4


@dataclass(frozen=True)
class OutlierFlag:
    method: str  # "z", "modified_z" (history) or "peers" (modified z among the period's areas)
    score: float  # signed; infinite when the others are all equal and this value is not
    compared_with: int  # how many other figures


def z_score(value: float, others: list[float]) -> float | None:
    if len(others) < MINIMUM_FIGURES:
        return None
    deviation = statistics.stdev(others)
    mean = statistics.fmean(others)
    if deviation == 0:
        return 0.0 if value == mean else math.copysign(math.inf, value - mean)
    return (value - mean) / deviation


def modified_z_score(value: float, others: list[float]) -> float | None:
    if len(others) < MINIMUM_FIGURES:
        return None
    median = statistics.median(others)
    mad = statistics.median(abs(x - median) for x in others)
    if mad > 0:
        return 0.6745 * (value - median) / mad
    mean_ad = statistics.fmean(abs(x - median) for x in others)
    if mean_ad > 0:
        return (value - median) / (1.253314 * mean_ad)
    return 0.0 if value == median else math.copysign(math.inf, value - median)


def outlier_flags(*, values: list[IndicatorValue]) -> dict[int, list[OutlierFlag]]:
    """The flags of each value (by id) among `values`; values without flags are absent. Two
    queries: the histories of the (indicator, area) pairs and the peers of the periods."""
    pairs = {(v.indicator_id, v.area_id) for v in values}
    periods = {(v.indicator_id, v.period) for v in values}
    if not values:
        return {}
    history: dict[tuple[int, int], list[tuple[str, float]]] = defaultdict(list)
    for indicator_id, area_id, period, number in IndicatorValue.objects.filter(
        indicator_id__in={p[0] for p in pairs}, area_id__in={p[1] for p in pairs}
    ).values_list("indicator_id", "area_id", "period", "value"):
        if (indicator_id, area_id) in pairs and number is not None:
            history[(indicator_id, area_id)].append((period, float(number)))
    peers: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
    for indicator_id, area_id, period, number in IndicatorValue.objects.filter(
        indicator_id__in={p[0] for p in periods}, period__in={p[1] for p in periods}
    ).values_list("indicator_id", "area_id", "period", "value"):
        if (indicator_id, period) in periods and number is not None:
            peers[(indicator_id, period)].append((area_id, float(number)))

    flags: dict[int, list[OutlierFlag]] = {}
    for value in values:
        if value.value is None:
            continue
        x = float(Decimal(value.value))
        own = [n for p, n in history[(value.indicator_id, value.area_id)] if p != value.period]
        others = [n for a, n in peers[(value.indicator_id, value.period)] if a != value.area_id]
        found = []
        for method, score, count, threshold in (
            ("z", z_score(x, own), len(own), Z_THRESHOLD),
            ("modified_z", modified_z_score(x, own), len(own), MODIFIED_Z_THRESHOLD),
            ("peers", modified_z_score(x, others), len(others), MODIFIED_Z_THRESHOLD),
        ):
            if score is not None and abs(score) > threshold:
                found.append(OutlierFlag(method=method, score=score, compared_with=count))
        if found:
            flags[value.pk] = found
    return flags
