"""Outlier flags for review: a value far from its area's own history, or from the other areas
in the same period. Flags are shown to the reviewer, never used to drop or change a value.

- z-score against the area's other periods: (x − mean) / standard deviation, flagged above 3;
- modified z-score (Iglewicz and Hoaglin): 0.6745 (x − median) / MAD, flagged above 3.5, robust
  to the outliers already in the history; when the MAD is 0 the mean absolute deviation × 1.2533
  stands in for it, and when that is 0 too (a constant history) any other value is flagged;
- the same modified z-score against the other areas' values of the period (peers).

At least four other figures are needed before a value is judged: fewer say nothing.

`outlier_flags` computes them for the review page in one SQL statement (the whole page's values
at once, against a million stored ones); `z_score` and `modified_z_score` are the definitions in
Python, which the tests hold the statement to.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from django.db import connection

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


def _element(array: str, index: str, removed: str) -> str:
    """The element at 1-based `index` of a sorted array once the element at `removed` (NULL:
    none) is taken out."""
    return (
        f"{array}[{index} + CASE WHEN {removed} IS NOT NULL AND {index} >= {removed} "
        f"THEN 1 ELSE 0 END]"
    )


def _median(array: str, removed: str, count: str) -> str:
    """statistics.median of a sorted array without one element: the middle one, or the mean of
    the two middle ones written (a + b) / 2 as Python does, so the figures are the same."""
    return (
        f"CASE WHEN {count} %% 2 = 1 THEN {_element(array, f'({count} + 1) / 2', removed)} "
        f"ELSE ({_element(array, f'{count} / 2', removed)} "
        f"+ {_element(array, f'{count} / 2 + 1', removed)}) / 2 END"
    )


# Every figure of every reviewed value in one statement. A value is compared with its group
# without itself: the area's history without its own period, or the period's areas without its
# own area; in both the left-out figure is the stored value of the value's own row.
#
# The robust scores need the median of the others, then the median of their distances to it.
# Both are read by position from the group's values sorted once (`sorted`), skipping the own
# value's position, instead of sorting every value's "others" apart: the period's 3,321 peers
# are then sorted once for the 500 values on the review page, not 500 times. Leaving one value
# out moves the median to one of at most three figures, so the sorted distances are computed
# once per group and median (`spread`) and the own value's distance skipped in them too.
# The z-score needs the mean and standard deviation of the others: from the history's numeric
# sums without the own figure (exact, like statistics.stdev), so the history is read once.
_FLAGS = f"""
WITH reviewed AS (
    SELECT reviewed.*, own.value::float8 AS own, own.value AS own_exact
    FROM unnest(%(ids)s::bigint[], %(indicator_ids)s::bigint[], %(area_ids)s::bigint[],
                %(periods)s::text[], %(period_starts)s::date[], %(figures)s::float8[])
         AS reviewed(id, indicator_id, area_id, period, period_start, figure)
    LEFT JOIN indicators_indicatorvalue own
      ON own.indicator_id = reviewed.indicator_id AND own.area_id = reviewed.area_id
     AND own.period = reviewed.period AND own.value IS NOT NULL
),
histories AS (
    SELECT pair.indicator_id, pair.area_id,
           array_agg(value.value::float8 ORDER BY value.value::float8) AS sorted,
           count(*) AS figures, sum(value.value) AS total, sum(value.value * value.value) AS squares
    FROM (SELECT DISTINCT indicator_id, area_id FROM reviewed) pair
    JOIN indicators_indicatorvalue value
      ON value.indicator_id = pair.indicator_id AND value.area_id = pair.area_id
     AND value.value IS NOT NULL
    GROUP BY pair.indicator_id, pair.area_id
),
peers AS (
    SELECT period.indicator_id, period.period,
           array_agg(value.value::float8 ORDER BY value.value::float8) AS sorted
    FROM (SELECT DISTINCT indicator_id, period, period_start FROM reviewed) period
    JOIN indicators_indicatorvalue value
      ON value.indicator_id = period.indicator_id
     AND value.period_start = period.period_start AND value.period = period.period
     AND value.value IS NOT NULL
    GROUP BY period.indicator_id, period.period
),
placed AS (
    SELECT reviewed.id, reviewed.figure, reviewed.own, 'modified_z' AS method,
           'h' || reviewed.indicator_id || ':' || reviewed.area_id AS group_key,
           histories.sorted
    FROM reviewed JOIN histories USING (indicator_id, area_id)
    UNION ALL
    SELECT reviewed.id, reviewed.figure, reviewed.own, 'peers',
           'p' || reviewed.indicator_id || ':' || reviewed.period, peers.sorted
    FROM reviewed JOIN peers USING (indicator_id, period)
),
counted AS (
    SELECT placed.*, array_position(sorted, own) AS removed,
           cardinality(sorted) - CASE WHEN own IS NULL THEN 0 ELSE 1 END AS compared_with
    FROM placed
),
centred AS (
    SELECT counted.*, {_median("sorted", "removed", "compared_with")} AS median
    FROM counted
    WHERE compared_with >= %(minimum)s
),
spread AS (
    SELECT centre.group_key, centre.median,
           array_agg(abs(element - centre.median) ORDER BY abs(element - centre.median))
               AS distances
    FROM (SELECT DISTINCT ON (group_key, median) group_key, median, sorted FROM centred) centre,
         unnest(centre.sorted) AS element
    GROUP BY centre.group_key, centre.median
),
robust AS (
    SELECT centred.*, spread.distances,
           array_position(spread.distances, abs(centred.own - centred.median))
               AS distance_removed
    FROM centred JOIN spread USING (group_key, median)
),
moments AS (
    -- The history's count, sum and sum of squares without the own figure, in numeric (exact):
    -- variance = (n·Σx² − (Σx)²) / (n(n − 1)), divided once.
    SELECT id, figure, compared_with,
           (total / compared_with)::float8 AS mean,
           sqrt((compared_with * squares - total * total)
                / (compared_with * (compared_with - 1)))::float8 AS deviation
    FROM (
        SELECT reviewed.id, reviewed.figure,
               histories.figures - CASE WHEN own_exact IS NULL THEN 0 ELSE 1 END
                   AS compared_with,
               histories.total - coalesce(own_exact, 0) AS total,
               histories.squares - coalesce(own_exact * own_exact, 0) AS squares
        FROM reviewed JOIN histories USING (indicator_id, area_id)
    ) history
    WHERE compared_with >= %(minimum)s
)
SELECT id, 'z', compared_with,
       CASE WHEN deviation > 0 THEN (figure - mean) / deviation
            WHEN figure = mean THEN 0
            ELSE sign(figure - mean) * 'Infinity'::float8 END
FROM moments
UNION ALL
SELECT id, method, compared_with,
       CASE WHEN mad > 0 THEN 0.6745::float8 * (figure - median) / mad
            WHEN mean_distance > 0 THEN (figure - median) / (1.253314::float8 * mean_distance)
            WHEN figure = median THEN 0
            ELSE sign(figure - median) * 'Infinity'::float8 END
FROM (
    SELECT robust.*, {_median("distances", "distance_removed", "compared_with")} AS mad,
           -- statistics.fmean of the distances, needed only when the MAD is 0
           CASE WHEN {_median("distances", "distance_removed", "compared_with")} = 0 THEN (
               SELECT sum(distance) FROM unnest(distances) WITH ORDINALITY AS d(distance, at)
               WHERE at IS DISTINCT FROM distance_removed
           ) / compared_with END AS mean_distance
    FROM robust
) scored
"""

_METHOD_ORDER = {"z": 0, "modified_z": 1, "peers": 2}
_THRESHOLDS = {"z": Z_THRESHOLD, "modified_z": MODIFIED_Z_THRESHOLD, "peers": MODIFIED_Z_THRESHOLD}


def outlier_flags(*, values: list[IndicatorValue]) -> dict[int, list[OutlierFlag]]:
    """The flags of each value (by id) among `values`; values without flags are absent. One
    statement (above); z_score and modified_z_score are the same figures for one value, in
    Python, and the tests hold the two to each other."""
    judged = [(value, float(value.value)) for value in values if value.value is not None]
    if not judged:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _FLAGS,
            {
                "ids": [value.pk for value, _ in judged],
                "indicator_ids": [value.indicator_id for value, _ in judged],
                "area_ids": [value.area_id for value, _ in judged],
                "periods": [value.period for value, _ in judged],
                "period_starts": [value.period_start for value, _ in judged],
                "figures": [figure for _, figure in judged],
                "minimum": MINIMUM_FIGURES,
            },
        )
        scores = cursor.fetchall()
    flags: dict[int, list[OutlierFlag]] = {}
    for value_id, method, compared_with, score in sorted(
        scores, key=lambda row: (row[0], _METHOD_ORDER[row[1]])
    ):
        if abs(score) > _THRESHOLDS[method]:
            flags.setdefault(value_id, []).append(
                OutlierFlag(method=method, score=score, compared_with=compared_with)
            )
    return flags
