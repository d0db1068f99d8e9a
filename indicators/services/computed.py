"""Computed operational indicators: per commune and month, from citizen feedback and
administrative dossiers, read through those apps' selectors (incidents.kpi_selectors,
procedures.selectors), written as approved values that nobody edits by hand.

Every computed indicator is a ratio (numerator, denominator, factor), so it aggregates up the
hierarchy and across the reform as a ratio of sums, never as a mean of percentages:

| computed_from | numerator | denominator | factor |
|---|---|---|---|
| feedback_per_10000 | reports filed (not rejected) | population (`dan-so`, the year's or the latest before) | 10,000 |
| feedback_on_time | reports resolved by their deadline | reports resolved in the month | 100 |
| feedback_handling_days | days from filing to resolution, summed | reports resolved | 1 |
| feedback_satisfaction | ratings of 4 or 5 | ratings given in the month | 100 |
| dossier_on_time | dossiers finished early or on time | dossiers finished | 100 |
| dossier_online | dossiers received online | dossiers received | 100 |

A commune with a zero denominator gets no value for that month (no rate, never 0 % or 100 %).
A refresh is idempotent: a value that did not change is not written and gets no audit event.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from incidents.kpi_selectors import feedback_monthly_figures
from indicators.models import (
    ComputedSource,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    ValueAction,
    ValueStatus,
)
from indicators.periods import Period, PeriodType, period_of
from indicators.services.values import value_event, value_snapshot
from procedures.selectors import dossier_statistics
from wards.models import Area, AreaLevel

POPULATION_CODE = "dan-so"
_PLACES = Decimal("0.000001")


@dataclass
class RefreshReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def render(self) -> str:
        return _(
            "Chỉ tiêu tự động: %(created)d mới, %(updated)d cập nhật, %(unchanged)d không đổi."
        ) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


Fraction = tuple[Decimal, Decimal]  # numerator, denominator


def _feedback_fractions(
    period: Period, population: dict[int, Decimal]
) -> dict[str, dict[int, Fraction]]:
    fractions: dict[str, dict[int, Fraction]] = {source: {} for source in ComputedSource.values}
    for row in feedback_monthly_figures(first_day=period.start, last_day=period.end):
        if row.area_id in population:
            fractions[ComputedSource.FEEDBACK_PER_10000][row.area_id] = (
                Decimal(row.reported), population[row.area_id],
            )  # fmt: skip
        fractions[ComputedSource.FEEDBACK_ON_TIME][row.area_id] = (
            Decimal(row.handled_on_time), Decimal(row.handled),
        )  # fmt: skip
        fractions[ComputedSource.FEEDBACK_HANDLING_DAYS][row.area_id] = (
            Decimal(str(round(row.handling_days, 6))), Decimal(row.handled),
        )  # fmt: skip
        fractions[ComputedSource.FEEDBACK_SATISFACTION][row.area_id] = (
            Decimal(row.satisfied), Decimal(row.rated),
        )  # fmt: skip
    return fractions


def _dossier_fractions(period: Period, fractions: dict[str, dict[int, Fraction]]) -> None:
    rows = dossier_statistics(date_from=period.start, date_to=period.end, group_by="area")
    keys = {row["key"] for row in rows if "@" in row["key"]}
    areas = {
        f"{area.code}@{area.valid_from.isoformat()}": area.pk
        for area in Area.objects.filter(
            level=AreaLevel.COMMUNE, code__in={key.split("@")[0] for key in keys}
        )
    }
    for row in rows:
        area_id = areas.get(row["key"])
        if area_id is None:
            continue  # a dossier of a province or district unit: not a commune's figure
        on_time, online = row["on_time_rate"], row["online_rate"]
        fractions[ComputedSource.DOSSIER_ON_TIME][area_id] = (
            Decimal(on_time["numerator"]), Decimal(on_time["denominator"]),
        )  # fmt: skip
        fractions[ComputedSource.DOSSIER_ONLINE][area_id] = (
            Decimal(online["numerator"]), Decimal(online["denominator"]),
        )  # fmt: skip


def _population(year: int) -> dict[int, Decimal]:
    """Each commune's population for `year`, or the latest year before it."""
    found: dict[int, Decimal] = {}
    for area_id, value in (
        IndicatorValue.objects.filter(
            indicator__code=POPULATION_CODE, period_start__year__lte=year, value__gt=0
        )
        .order_by("area_id", "-period_start")
        .values_list("area_id", "value")
    ):
        if value is not None:
            found.setdefault(area_id, value)
    return found


@transaction.atomic
def computed_indicators_refresh(*, month: Period) -> RefreshReport:
    """Compute every indicator with `computed_from` for the communes and `month`."""
    assert month.period_type == PeriodType.MONTH
    indicators = list(Indicator.objects.exclude(computed_from="").filter(period_type="month"))
    report = RefreshReport()
    if not indicators:
        return report
    fractions = _feedback_fractions(month, _population(month.start.year))
    _dossier_fractions(month, fractions)
    stored = {
        (value.indicator_id, value.area_id): value
        for value in IndicatorValue.objects.select_for_update().filter(
            indicator__in=indicators, period=month.text
        )
    }
    for indicator in indicators:
        factor = indicator.factor if indicator.kind == IndicatorKind.RATIO else Decimal(1)
        for area_id, (numerator, denominator) in fractions[indicator.computed_from].items():
            if denominator <= 0:
                continue
            value = (numerator / denominator * factor).quantize(_PLACES)
            existing = stored.get((indicator.pk, area_id))
            if existing is None:
                record = IndicatorValue.objects.create(
                    indicator=indicator, area_id=area_id, period=month.text,
                    period_start=month.start, period_end=month.end, value=value,
                    numerator=numerator, denominator=denominator, status=ValueStatus.APPROVED,
                )  # fmt: skip
                value_event(value=record, action=ValueAction.COMPUTED, actor=None, before=None)
                report.created += 1
            elif (existing.value, existing.numerator, existing.denominator) == (
                value, numerator, denominator,
            ):  # fmt: skip
                report.unchanged += 1
            else:
                before = value_snapshot(existing)
                existing.value, existing.numerator, existing.denominator = (
                    value, numerator, denominator,
                )  # fmt: skip
                existing.status = ValueStatus.APPROVED
                existing.save()
                value_event(
                    value=existing, action=ValueAction.COMPUTED, actor=None, before=before,
                    from_status=str(before["status"]),
                )  # fmt: skip
                report.updated += 1
    return report


def months_to_refresh(today: datetime.date) -> list[Period]:
    """The month before today's and today's: late resolutions and ratings still change the
    previous month's figures in its first days."""
    current = period_of(PeriodType.MONTH, today)
    previous = period_of(PeriodType.MONTH, current.start - datetime.timedelta(days=1))
    return [previous, current]
