"""Reads of the indicator catalogue."""

from __future__ import annotations

from django.utils.translation import gettext as _

from geoapp.exceptions import NotFound
from indicators.models import Indicator


def indicator_list() -> list[Indicator]:
    return list(Indicator.objects.order_by("code"))


def indicator_get(*, code: str) -> Indicator:
    try:
        return Indicator.objects.get(code=code)
    except Indicator.DoesNotExist:
        raise NotFound(_("Không có chỉ tiêu mã “%(code)s”.") % {"code": code}) from None
