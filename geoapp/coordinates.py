"""Parsing coordinates and dates from user input, with errors a citizen can act on."""

import datetime
import math

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput


def _parse_number(text: object, *, label: str) -> float:
    if text is None or (isinstance(text, str) and not text.strip()):
        raise InvalidInput(_("Thiếu %(label)s.") % {"label": label}, code="missing_coordinate")
    try:
        value = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(
            _("%(label)s phải là một số, nhận được “%(value)s”.") % {"label": label, "value": text},
            code="invalid_coordinate",
        ) from None
    if not math.isfinite(value):
        raise InvalidInput(
            _("%(label)s phải là một số hữu hạn.") % {"label": label}, code="invalid_coordinate"
        )
    return value


def parse_point(latitude: object, longitude: object) -> Point:
    """A WGS 84 point from latitude and longitude given as text or numbers.

    Swapped coordinates are the commonest mistake (GeoJSON orders longitude first); for Vietnam
    they show up as a latitude beyond ±90°, so that case gets its own message.
    """
    lat = _parse_number(latitude, label=_("Vĩ độ (lat)"))
    lon = _parse_number(longitude, label=_("Kinh độ (lon)"))
    if abs(lat) > 90 and abs(lon) <= 90:
        raise InvalidInput(
            _(
                "Vĩ độ %(lat)s nằm ngoài khoảng −90 đến 90: có thể vĩ độ và kinh độ đã bị đảo "
                "ngược (lat là vĩ độ, khoảng 15 ở Quảng Ngãi; lon là kinh độ, khoảng 108)."
            )
            % {"lat": lat},
            code="swapped_coordinates",
        )
    if abs(lat) > 90:
        raise InvalidInput(
            _("Vĩ độ %(lat)s nằm ngoài khoảng −90 đến 90.") % {"lat": lat},
            code="coordinate_out_of_range",
        )
    if abs(lon) > 180:
        raise InvalidInput(
            _("Kinh độ %(lon)s nằm ngoài khoảng −180 đến 180.") % {"lon": lon},
            code="coordinate_out_of_range",
        )
    return Point(lon, lat, srid=4326)


def parse_date(text: object, *, default: datetime.date) -> datetime.date:
    """An ISO date (YYYY-MM-DD); `default` when none is given."""
    if text is None or text == "":
        return default
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        raise InvalidInput(
            _("Ngày “%(value)s” không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2025-07-01.")
            % {"value": text},
            code="invalid_date",
        ) from None
