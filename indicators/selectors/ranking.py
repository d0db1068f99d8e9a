"""The ranking of areas for an indicator and period: best first by the indicator's direction,
with achievement against the target and a red/amber/green status.

Achievement is value / target × 100 when higher is better, target / value × 100 when lower is
better (a poverty rate of 4 % against a target of 5 % achieves 125 %; a value of 0 meets any
target of 0 or more: 100 %). Green from 100 %, amber
from 90 %, red below; no status without a value or a target.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Direction, Indicator
from indicators.periods import Period
from indicators.selectors.aggregation import AggregateRow, indicator_aggregates

GREEN_FROM = Decimal(100)
AMBER_FROM = Decimal(90)


@dataclass(frozen=True)
class RankedRow:
    rank: int | None  # None for areas without a value, listed last
    row: AggregateRow
    achievement: Decimal | None  # in %
    status: str  # "green", "amber", "red" or "" (no value or no target)


def achievement(
    *, indicator: Indicator, value: Decimal | None, target: Decimal | None
) -> Decimal | None:
    if value is None or target is None:
        return None
    if indicator.direction == Direction.LOWER_IS_BETTER:
        if value == 0:  # none at all (no accidents): the target is met, whatever it was
            return Decimal(100) if target >= 0 else None
        return (target / value * 100).quantize(Decimal("0.1"))
    if target == 0:
        return None
    return (value / target * 100).quantize(Decimal("0.1"))


def status_of(achieved: Decimal | None) -> str:
    if achieved is None:
        return ""
    if achieved >= GREEN_FROM:
        return "green"
    return "amber" if achieved >= AMBER_FROM else "red"


def indicator_ranking(
    *, indicator: Indicator, period: Period, level: str, boundaries: datetime.date
) -> list[RankedRow]:
    rows = indicator_aggregates(
        indicator=indicator, period=period, level=level, boundaries=boundaries
    )
    with_value = [row for row in rows if row.value is not None]
    without = [row for row in rows if row.value is None]
    higher = indicator.direction == Direction.HIGHER_IS_BETTER
    with_value.sort(key=lambda row: (-row.value if higher else row.value, row.area_code))  # type: ignore[operator]
    ranked: list[RankedRow] = []
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(with_value, start=1):
        if row.value != previous:  # equal values share a rank (1, 2, 2, 4)
            rank, previous = position, row.value
        achieved = achievement(indicator=indicator, value=row.value, target=row.target)
        ranked.append(
            RankedRow(rank=rank, row=row, achievement=achieved, status=status_of(achieved))
        )
    ranked += [RankedRow(rank=None, row=row, achievement=None, status="") for row in without]
    return ranked
