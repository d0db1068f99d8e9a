"""The query parameters of OGC API – Features, read and checked before anything is queried.

Each refusal is an InvalidInput with a sentence in the user's language; the views answer it as
OGC's JSON exception (400, code InvalidParameterValue). Unknown parameters are refused too, as
Part 1 requires (/req/core/query-param-unknown), except `f`, which clients send to ask for JSON.
"""

from __future__ import annotations

import datetime
import math
import re

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput
from opendata.selectors import (
    CRS84,
    EPSG_3406,
    EPSG_4326,
    SUPPORTED_CRS,
    Box,
    Collection,
    Interval,
    ItemsQuery,
)

ITEMS_PARAMETERS = frozenset({"bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "f"})
ITEM_PARAMETERS = frozenset({"crs", "f"})
JSON_FORMATS = frozenset({"json", "geojson", "application/json", "application/geo+json"})
# The largest offset served: beyond it a client should narrow the query (bbox, datetime).
MAX_OFFSET = 10_000_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def items_query(parameters: QueryDict, collection: Collection) -> ItemsQuery:
    unknown = sorted(set(parameters) - ITEMS_PARAMETERS - set(collection.filters))
    if unknown:
        raise InvalidInput(
            _("Tham số không được hỗ trợ: %(names)s.") % {"names": ", ".join(unknown)},
            code="InvalidParameterValue",
        )
    _format_check(parameters)
    crs = _crs(parameters.get("crs"), name="crs")
    box_crs = _crs(parameters.get("bbox-crs"), name="bbox-crs")
    box_text = parameters.get("bbox")
    if box_text is None and "bbox-crs" in parameters:
        raise _invalid(_("bbox-crs chỉ dùng cùng với bbox."))
    filters = {}
    for name in collection.filters:
        value = parameters.get(name)
        if value is None:
            continue
        if collection.filters[name][1] == "integer" and not value.isdigit():
            raise _invalid(_("%(name)s phải là số nguyên.") % {"name": name})
        if len(value) > 200:
            raise _invalid(_("%(name)s quá dài.") % {"name": name})
        filters[name] = value
    return ItemsQuery(
        limit=_integer(
            parameters.get("limit"),
            name="limit",
            default=settings.OGC_ITEMS_DEFAULT_LIMIT,
            minimum=1,
            maximum=settings.OGC_ITEMS_MAX_LIMIT,
        ),
        offset=_integer(
            parameters.get("offset"), name="offset", default=0, minimum=0, maximum=MAX_OFFSET
        ),
        box=None if box_text is None else _box(box_text, box_crs),
        interval=_interval(parameters.get("datetime")),
        filters=filters,
        crs=crs,
    )


def item_crs(parameters: QueryDict) -> str:
    unknown = sorted(set(parameters) - ITEM_PARAMETERS)
    if unknown:
        raise _invalid(_("Tham số không được hỗ trợ: %(names)s.") % {"names": ", ".join(unknown)})
    _format_check(parameters)
    return _crs(parameters.get("crs"), name="crs")


def _format_check(parameters: QueryDict) -> None:
    requested = parameters.get("f")
    if requested is not None and requested.lower() not in JSON_FORMATS:
        raise _invalid(
            _("Định dạng không được hỗ trợ: %(format)s (chỉ có json).") % {"format": requested}
        )


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, code="InvalidParameterValue")


def _crs(value: str | None, *, name: str) -> str:
    if value is None:
        return CRS84
    # Clients write a CRS URI bare or in brackets (the Content-Crs header's form).
    uri = value.strip().removeprefix("<").removesuffix(">")
    if uri not in SUPPORTED_CRS:
        raise _invalid(
            _("%(name)s không được hỗ trợ: %(value)s. Hỗ trợ: %(supported)s.")
            % {"name": name, "value": value, "supported": ", ".join(SUPPORTED_CRS)}
        )
    return uri


def _integer(text: str | None, *, name: str, default: int, minimum: int, maximum: int) -> int:
    if text is None:
        return default
    if not text.isdigit() or len(text) > 12 or not minimum <= int(text) <= maximum:
        raise _invalid(
            _("%(name)s phải là số nguyên từ %(minimum)d đến %(maximum)d.")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return int(text)


def _box(text: str, crs: str) -> Box:
    parts = text.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(value) for value in values):
        raise _invalid(_("bbox phải gồm 4 số: nhỏ nhất rồi lớn nhất của từng trục."))
    first, second, third, fourth = values
    if first > third or second > fourth:
        raise _invalid(_("bbox không hợp lệ: giá trị nhỏ nhất lớn hơn giá trị lớn nhất."))
    if crs in (CRS84, EPSG_4326):
        longitudes, latitudes = ((first, third), (second, fourth))
        if crs == EPSG_4326:
            longitudes, latitudes = latitudes, longitudes
        if not (
            all(-180 <= value <= 180 for value in longitudes)
            and all(-90 <= value <= 90 for value in latitudes)
        ):
            raise _invalid(_("bbox nằm ngoài phạm vi kinh độ, vĩ độ."))
    elif crs == EPSG_3406 and not all(abs(value) <= 20_000_000 for value in values):
        raise _invalid(_("bbox nằm ngoài phạm vi của hệ VN-2000 / UTM múi 49N."))
    return Box(values=(first, second, third, fourth), crs=crs)


def _interval(text: str | None) -> Interval | None:
    if text is None:
        return None
    if "/" in text:
        start_text, _slash, end_text = text.partition("/")
        start = _moment(start_text, end_of_day=False)
        end = _moment(end_text, end_of_day=True)
        if start is None and end is None:
            raise _invalid(_("datetime không được để mở cả hai đầu."))
        if start is not None and end is not None and start > end:
            raise _invalid(_("datetime không hợp lệ: thời điểm bắt đầu sau thời điểm kết thúc."))
        return Interval(start=start, end=end)
    start = _moment(text, end_of_day=False)
    if start is None:
        raise _invalid(_("datetime không hợp lệ."))
    # A date alone is the whole day in Vietnam; a moment is itself.
    end = _moment(text, end_of_day=True)
    return Interval(start=start, end=end)


def _moment(text: str, *, end_of_day: bool) -> datetime.datetime | None:
    """A moment of RFC 3339 (with its offset), or a date (its first or last moment in
    Vietnam); None for an open end ("" or "..")."""
    if text in ("", ".."):
        return None
    if _DATE.match(text):
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise _invalid(_("datetime không hợp lệ: %(value)s.") % {"value": text}) from None
        moment = datetime.datetime.combine(
            day, datetime.time.max if end_of_day else datetime.time.min, tzinfo=VIETNAM_TIME_ZONE
        )
        return moment
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in text.upper():
        raise _invalid(
            _(
                "datetime không hợp lệ: %(value)s (theo RFC 3339, có múi giờ, ví dụ "
                "2025-07-01T08:00:00+07:00)."
            )
            % {"value": text}
        )
    return moment
