"""Reads of the operations centre's area pages (`/dieu-hanh/khu-vuc/{code}/`): one commune's
figures on its date, built from the same cards as the dashboard (`ioc.selectors`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from geoapp.exceptions import InvalidInput
from incidents import operations_selectors as incident_figures
from indicators.periods import PeriodType, period_of
from indicators.selectors.aggregation import indicator_series
from indicators.selectors.catalogue import indicator_list
from ioc.selectors import (
    OVERDUE_LIST_LIMIT,
    DossierCard,
    FeedbackCard,
    Filters,
    dossier_card,
    feedback_card,
    months_before,
)
from wards.models import Agency, Area


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    name_en: str
    unit: str
    period: str
    value: Decimal | None
    target: Decimal | None


@dataclass(frozen=True)
class AreaPage:
    area: Area
    filters: Filters
    feedback: FeedbackCard
    dossiers: DossierCard
    units: list[Agency]
    overdue: list[incident_figures.OverdueReport]
    recent: list[incident_figures.RecentReport]
    predecessors: list[Area]
    successors: list[Area]
    history: list[incident_figures.PeriodCount]
    indicators: list[IndicatorLine]


def area_page(*, filters: Filters, now: datetime.datetime) -> AreaPage:
    """One commune's figures on the period's last day, its units, open and overdue reports, its
    indicators against their targets, and the reports filed in its predecessors (the history
    that came from them across the reform)."""
    area = filters.area
    if area is None:
        raise ValueError("an area page needs an area")
    predecessors = list(
        Area.objects.filter(successions__successor=area).distinct().order_by("code")
    )
    successors = list(
        Area.objects.filter(predecessions__predecessor=area).distinct().order_by("code")
    )
    lineage = (area.pk, *(predecessor.pk for predecessor in predecessors))
    history_scope = incident_figures.Scope(
        date_from=months_before(filters.date_to, 24), date_to=filters.date_to, area_ids=lineage
    )
    return AreaPage(
        area=area,
        filters=filters,
        feedback=feedback_card(
            filters=filters,
            now=now,
            pending=incident_figures.not_yet_due(scope=filters.scope(), now=now),
        ),
        dossiers=dossier_card(filters=filters),
        units=list(Agency.objects.filter(jurisdiction=area).order_by("name")),
        overdue=incident_figures.overdue_reports(
            scope=filters.scope(), now=now, limit=OVERDUE_LIST_LIMIT
        ),
        recent=incident_figures.reports_of_areas(area_ids=[area.pk], limit=20),
        predecessors=predecessors,
        successors=successors,
        history=incident_figures.feedback_per_period(scope=history_scope, unit="month"),
        indicators=area_indicators(area=area, on=filters.date_to),
    )


def area_indicators(*, area: Area, on: datetime.date) -> list[IndicatorLine]:
    """Each indicator's latest value for the area within the last two years, with its target."""
    lines = []
    for indicator in indicator_list():
        end = period_of(PeriodType(indicator.period_type), on)
        start = period_of(PeriodType(indicator.period_type), on - datetime.timedelta(days=730))
        try:
            series = indicator_series(
                indicator=indicator, area_id=area.pk, level=area.level, boundaries=on,
                start=start, end=end,
            )  # fmt: skip
        except InvalidInput:
            # An indicator this area's level cannot aggregate is not shown here.
            continue
        latest = next((point for point in reversed(series) if point.value is not None), None)
        if latest is None:
            continue
        lines.append(
            IndicatorLine(
                code=indicator.code, name=indicator.name_vi, name_en=indicator.name_en,
                unit=indicator.unit,
                period=latest.period, value=latest.value, target=latest.target,
            )
        )  # fmt: skip
    return lines
