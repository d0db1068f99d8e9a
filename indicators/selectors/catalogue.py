"""Reads of the indicator catalogue."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from geoapp.clock import vietnam_today
from geoapp.exceptions import NotFound
from indicators.models import Indicator
from indicators.periods import PeriodType, period_of
from wards.models import Area, AreaLevel


def indicator_current_period(indicator: Indicator) -> str:
    """The period of the indicator's kind that holds today (Vietnam's calendar): what a map, an
    API answer or a tile shows when no period is asked for."""
    return period_of(PeriodType(indicator.period_type), vietnam_today()).text


def indicator_list() -> list[Indicator]:
    return list(Indicator.objects.select_related("weight_indicator").order_by("code"))


def indicator_get(*, code: str) -> Indicator:
    try:
        return Indicator.objects.get(code=code)
    except Indicator.DoesNotExist:
        raise NotFound(_("Không có chỉ tiêu mã “%(code)s”.") % {"code": code}) from None


def areas_to_choose(*, day: datetime.date) -> list[Area]:
    """The areas a trend page offers on the boundaries of `day`: provinces, then districts
    (before 1 July 2025), then communes, each by name."""
    order = {AreaLevel.PROVINCE: 0, AreaLevel.DISTRICT: 1, AreaLevel.COMMUNE: 2}
    areas = Area.objects.on(day).only("id", "code", "name", "level", "valid_from", "valid_to")
    return sorted(areas, key=lambda area: (order.get(AreaLevel(area.level), 3), area.name))
