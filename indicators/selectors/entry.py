"""What the data-entry and review pages show: the form of one commune and period, the values
waiting for a reviewer, and the communes of a template."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from indicators.models import Indicator, IndicatorKind, IndicatorValue, ValueStatus
from indicators.periods import Period
from indicators.selectors.outliers import OutlierFlag, outlier_flags
from indicators.selectors.permissions import user_can_review_for
from wards.models import Area, AreaLevel


@dataclass(frozen=True)
class EntryRow:
    indicator: Indicator
    value: IndicatorValue | None

    @property
    def editable(self) -> bool:
        return self.value is None or self.value.status == ValueStatus.DRAFT


def entry_rows(*, area: Area, period: Period) -> list[EntryRow]:
    """One row per hand-entered indicator reported for periods of this type, with the stored
    value of the area and period when there is one."""
    indicators = list(
        Indicator.objects.filter(period_type=period.period_type, computed_from="")
        .exclude(kind=IndicatorKind.FORMULA)
        .order_by("code")
    )
    stored = {
        value.indicator_id: value
        for value in IndicatorValue.objects.filter(
            area=area, period=period.text, indicator__in=indicators
        )
    }
    return [EntryRow(indicator=i, value=stored.get(i.pk)) for i in indicators]


@dataclass(frozen=True)
class ReviewRow:
    value: IndicatorValue
    flags: list[OutlierFlag]


def values_for_review(
    *, user: AbstractBaseUser | AnonymousUser, limit: int = 500
) -> list[ReviewRow]:
    """The submitted values this user may approve, oldest change first, with outlier flags."""
    submitted = list(
        IndicatorValue.objects.filter(status=ValueStatus.SUBMITTED)
        .select_related("indicator", "area", "updated_by")
        .order_by("updated_at", "id")[:limit]
    )
    allowed: dict[int, bool] = {}
    mine = []
    for value in submitted:
        if value.area_id not in allowed:
            allowed[value.area_id] = user_can_review_for(user=user, area=value.area)
        if allowed[value.area_id]:
            mine.append(value)
    flags = outlier_flags(values=mine)
    return [ReviewRow(value=value, flags=flags.get(value.pk, [])) for value in mine]


@dataclass(frozen=True)
class ReviewGroup:
    """The submitted values of one commune and period, approved together."""

    area: Area
    period: str
    value_ids: list[int]


def review_groups(rows: list[ReviewRow]) -> list[ReviewGroup]:
    """The rows of the review page by commune and period, in the order first met."""
    groups: dict[tuple[int, str], ReviewGroup] = {}
    for row in rows:
        key = (row.value.area_id, row.value.period)
        if key not in groups:
            groups[key] = ReviewGroup(area=row.value.area, period=row.value.period, value_ids=[])
        groups[key].value_ids.append(row.value.pk)
    return list(groups.values())


def submitted_value_ids(*, area_id: int, period: str) -> list[int]:
    """Every submitted value of a commune and period (the "approve all" of the review page)."""
    return list(
        IndicatorValue.objects.filter(
            area_id=area_id, period=period, status=ValueStatus.SUBMITTED
        ).values_list("pk", flat=True)
    )


def communes_of_period(*, period: Period) -> list[Area]:
    """The commune-level areas valid on the period's last day, then those valid only on its
    first day (the rule by which an import reads an area code)."""
    end, start = period.end, period.start
    valid_on_end = Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gte=end))
    valid_on_start = Q(valid_from__lte=start) & (Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    chosen: dict[str, Area] = {}
    areas = Area.objects.filter(level=AreaLevel.COMMUNE).filter(valid_on_end | valid_on_start)
    # A code valid on both days names two areas (21034 in 2025: Nghĩa Dũng, then Xã An Phú);
    # the one valid on the last day is the one an import will read.
    for area in sorted(areas, key=lambda area: area.valid_from):
        chosen[area.code] = area
    return sorted(chosen.values(), key=lambda area: area.code)


def template_rows(
    *, indicator: Indicator, period: Period
) -> tuple[list[Area], dict[int, IndicatorValue]]:
    """The communes of an entry template and the values already stored for them, by area id."""
    stored = {
        value.area_id: value
        for value in IndicatorValue.objects.filter(indicator=indicator, period=period.text)
    }
    return communes_of_period(period=period), stored
