"""Reporting periods written as text: a year `2024`, a quarter `2024-Q3`, a month `2024-07`.

A period is a closed range of days; a coarser period (a year) contains finer ones (its quarters
and months), which is how values are aggregated over time.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.exceptions import InvalidInput


class PeriodType(models.TextChoices):
    MONTH = "month", gettext_lazy("Tháng")
    QUARTER = "quarter", gettext_lazy("Quý")
    YEAR = "year", gettext_lazy("Năm")


# Finest first: a period can be aggregated from periods of its own type or of a finer one.
PERIOD_TYPE_RANK = {PeriodType.MONTH: 0, PeriodType.QUARTER: 1, PeriodType.YEAR: 2}
# The step between consecutive periods of a type, as PostgreSQL's interval text.
PERIOD_TYPE_INTERVAL = {
    PeriodType.MONTH: "1 month",
    PeriodType.QUARTER: "3 months",
    PeriodType.YEAR: "1 year",
}

_PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


@dataclass(frozen=True)
class Period:
    text: str
    period_type: PeriodType
    start: datetime.date
    end: datetime.date

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def period_parse(text: object) -> Period:
    """The period written `text` (`2024`, `2024-Q3`, `2024-07`), or InvalidInput naming it."""
    cleaned = str(text if text is not None else "").strip()
    match = _PERIOD_PATTERN.match(cleaned)
    month = int(match.group(3)) if match and match.group(3) else None
    if not match or (month is not None and not 1 <= month <= 12) or int(match.group(1)) < 1900:
        raise InvalidInput(
            _(
                "Kỳ báo cáo “%(value)s” không hợp lệ; dùng dạng 2024 (năm), 2024-Q3 (quý) hoặc 2024-07 (tháng)."
            )
            % {"value": cleaned},
            code="invalid_period",
        )
    year = int(match.group(1))
    if match.group(2):
        quarter = int(match.group(2))
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        return Period(
            text=cleaned,
            period_type=PeriodType.QUARTER,
            start=datetime.date(year, first_month, 1),
            end=datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
        )
    if month is not None:
        return Period(
            text=cleaned,
            period_type=PeriodType.MONTH,
            start=datetime.date(year, month, 1),
            end=datetime.date(year, month, calendar.monthrange(year, month)[1]),
        )
    return Period(
        text=cleaned,
        period_type=PeriodType.YEAR,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
    )


def period_of(period_type: PeriodType | str, day: datetime.date) -> Period:
    """The period of `period_type` that contains `day`."""
    if period_type == PeriodType.MONTH:
        return period_parse(f"{day.year}-{day.month:02d}")
    if period_type == PeriodType.QUARTER:
        return period_parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return period_parse(str(day.year))


def periods_between(
    period_type: PeriodType | str, start: datetime.date, end: datetime.date
) -> list[Period]:
    """The periods of `period_type` from the one containing `start` to the one containing `end`."""
    periods = []
    current = period_of(period_type, start)
    while current.start <= end:
        periods.append(current)
        current = period_of(period_type, current.end + datetime.timedelta(days=1))
    return periods


def period_before(period: Period) -> Period:
    """The period of the same type just before `period` (2024-Q1 → 2023-Q4)."""
    return period_of(period.period_type, period.start - datetime.timedelta(days=1))
