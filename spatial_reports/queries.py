"""A report builder query: what the page's form sends, checked and put in a typed shape.

A query is a URL: every choice is a GET parameter (`tu`, `den`, `linh_vuc`, `trang_thai`, `ma_xa`,
`vung`, `nhom`), so a planner shares or saves the address and gets the same table. Parsing writes
nothing; every refusal is an InvalidInput in the user's language, with a code the tests and the
page can tell apart.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.contrib.gis.geos import (
    GEOSException,
    GEOSGeometry,
    LineString,
    MultiPolygon,
    Point,
    Polygon,
)
from django.db import connection
from django.utils.translation import gettext as _

from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import InvalidInput, NotFound
from incidents.models import Category, IncidentStatus
from indicators.selectors.catalogue import indicator_get
from procedures.selectors import dossier_fields
from wards.models import Area, AreaLevel

# The layers a query reads (`lop`): citizen reports one by one; dossiers as counts per commune
# (procedures' tally: no dossier, no applicant); indicator values per commune and period.
LAYERS: Final = ("reports", "dossiers", "indicators")
GROUPINGS: Final = ("commune", "unit", "month", "none")
# The groupings each layer offers: dossiers by field (lĩnh vực) instead of unit; an indicator's
# values are per commune and period.
LAYER_GROUPINGS: Final = {
    "reports": GROUPINGS,
    "dossiers": ("commune", "field", "month", "none"),
    "indicators": ("commune",),
}
# An indicator's table has one row per commune and period: more periods than this is a query
# over the wrong period type (twenty years of months).
INDICATOR_MAX_PERIODS: Final = 60
# A drawn or pasted polygon: more vertices than a hand-drawn area needs is a pasted boundary
# file, which the area codes serve better; the text cap keeps parsing cheap.
POLYGON_MAX_VERTICES: Final = 5_000
POLYGON_MAX_CHARACTERS: Final = 500_000
# A buffer around a drawn point or line: wider than the province is a typing mistake (a
# thousand kilometres).
BUFFER_MAX_METRES: Final = 50_000
# A period longer than this is a typing mistake (a year 20205).
PERIOD_MAX_DAYS: Final = 366 * 20


@dataclass(frozen=True)
class ReportQuery:
    """The checked query. Dates are Vietnam calendar days, both included."""

    date_from: datetime.date
    date_to: datetime.date
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    area_codes: tuple[str, ...] = ()
    polygon: MultiPolygon | None = field(default=None, compare=False)
    polygon_text: str = ""
    buffer_metres: int | None = None
    grouping: str = "commune"
    layer: str = "reports"
    procedure_fields: tuple[str, ...] = ()
    indicator: str = ""

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def previous_period(self) -> tuple[datetime.date, datetime.date]:
        """The period of the same length just before this one (for the change column)."""
        return (
            self.date_from - datetime.timedelta(days=self.days),
            self.date_from - datetime.timedelta(days=1),
        )

    def parameters(self) -> dict[str, str | list[str]]:
        """The query as the page's GET parameters: the shareable URL, and what an export row stores."""
        parameters: dict[str, str | list[str]] = {
            "tu": self.date_from.isoformat(),
            "den": self.date_to.isoformat(),
            "nhom": self.grouping,
        }
        if self.categories:
            parameters["linh_vuc"] = list(self.categories)
        if self.statuses:
            parameters["trang_thai"] = list(self.statuses)
        if self.area_codes:
            parameters["ma_xa"] = ",".join(self.area_codes)
        if self.polygon_text:
            parameters["vung"] = self.polygon_text
        if self.buffer_metres is not None:
            parameters["ban_kinh"] = str(self.buffer_metres)
        if self.layer != "reports":
            parameters["lop"] = self.layer
        if self.procedure_fields:
            parameters["linh_vuc_tthc"] = list(self.procedure_fields)
        if self.indicator:
            parameters["chi_tieu"] = self.indicator
        return parameters


class _Parameters:
    """Reads single and repeated values alike from a QueryDict or a stored plain dict."""

    def __init__(self, source: Mapping[str, Any]) -> None:
        self.source = source

    def one(self, name: str) -> str:
        value = self.source.get(name)
        if isinstance(value, list):
            value = value[-1] if value else ""
        return str(value or "").strip()

    def many(self, name: str) -> list[str]:
        getlist = getattr(self.source, "getlist", None)
        values = getlist(name) if getlist else self.source.get(name, [])
        if isinstance(values, str):
            values = [values]
        return [str(value).strip() for value in values if str(value).strip()]


def report_query_parse(source: Mapping[str, Any]) -> ReportQuery:
    """Check the page's parameters; the default is the current year, per commune."""
    parameters = _Parameters(source)
    today = vietnam_today()
    date_from = parse_date(parameters.one("tu"), default=datetime.date(today.year, 1, 1))
    date_to = parse_date(parameters.one("den"), default=datetime.date(today.year, 12, 31))
    if date_to < date_from:
        raise InvalidInput(
            _("Ngày kết thúc (%(to)s) trước ngày bắt đầu (%(from)s).")
            % {"to": date_to.isoformat(), "from": date_from.isoformat()},
            code="invalid_period",
        )
    if (date_to - date_from).days >= PERIOD_MAX_DAYS:
        raise InvalidInput(_("Khoảng thời gian dài quá 20 năm."), code="invalid_period")
    layer = parameters.one("lop") or "reports"
    if layer not in LAYERS:
        raise InvalidInput(
            _("Lớp dữ liệu “%(value)s” không có; chọn phản ánh, hồ sơ hoặc chỉ tiêu.")
            % {"value": layer},
            code="unknown_layer",
        )
    grouping = parameters.one("nhom") or "commune"
    if grouping not in LAYER_GROUPINGS[layer] and layer != "reports":
        raise InvalidInput(
            _("Lớp dữ liệu này không nhóm được theo “%(value)s”.") % {"value": grouping},
            code="invalid_grouping",
        )
    if grouping not in LAYER_GROUPINGS[layer]:
        raise InvalidInput(
            _(
                "Cách nhóm “%(value)s” không có; chọn theo xã, theo đơn vị, theo tháng hoặc không nhóm."
            )
            % {"value": grouping},
            code="invalid_grouping",
        )
    polygon_text = parameters.one("vung")
    buffer_metres = _buffer_metres(parameters.one("ban_kinh"))
    return ReportQuery(
        date_from=date_from,
        date_to=date_to,
        categories=_categories(parameters.many("linh_vuc")),
        statuses=_statuses(parameters.many("trang_thai")),
        area_codes=_area_codes(parameters.one("ma_xa"), date_from=date_from, date_to=date_to),
        polygon=polygon_parse(polygon_text, buffer_metres=buffer_metres) if polygon_text else None,
        polygon_text=polygon_text,
        buffer_metres=buffer_metres,
        grouping=grouping,
        layer=layer,
        procedure_fields=_procedure_fields(parameters.many("linh_vuc_tthc")),
        indicator=_indicator(parameters.one("chi_tieu"), layer=layer),
    )


def _procedure_fields(values: Sequence[str]) -> tuple[str, ...]:
    wanted = sorted(set(values))
    known = set(dossier_fields())
    unknown = [value for value in wanted if value not in known]
    if unknown:
        raise InvalidInput(
            _("Không có lĩnh vực thủ tục %(values)s.") % {"values": ", ".join(unknown)},
            code="unknown_procedure_field",
        )
    return tuple(wanted)


def _indicator(code: str, *, layer: str) -> str:
    """The indicator of the indicators' layer: required there, and must exist."""
    if layer != "indicators":
        return code
    if not code:
        raise InvalidInput(_("Hãy chọn một chỉ tiêu."), code="indicator_required")
    try:
        indicator_get(code=code)
    except NotFound as missing:
        raise InvalidInput(missing.message, code="unknown_indicator") from None
    return code


def _categories(codes: Sequence[str]) -> tuple[str, ...]:
    wanted = sorted(set(codes))
    known = set(Category.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise InvalidInput(
            _("Không có lĩnh vực mã %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_category",
        )
    return tuple(wanted)


def _statuses(values: Sequence[str]) -> tuple[str, ...]:
    wanted = sorted(set(values))
    unknown = [value for value in wanted if value not in IncidentStatus.values]
    if unknown:
        raise InvalidInput(
            _("Không có trạng thái %(values)s.") % {"values": ", ".join(unknown)},
            code="unknown_status",
        )
    return tuple(wanted)


def _area_codes(text: str, *, date_from: datetime.date, date_to: datetime.date) -> tuple[str, ...]:
    """Commune codes, separated by commas or spaces. A code names different areas on either
    side of a reform, so a code is known when a commune with it was valid during the period."""
    codes = sorted({code for code in text.replace(",", " ").split() if code})
    if not codes:
        return ()
    malformed = [code for code in codes if not (code.isdigit() and len(code) == 5)]
    if malformed:
        raise InvalidInput(
            _("Mã xã “%(code)s” không hợp lệ; mã xã gồm 5 chữ số, ví dụ 21025.")
            % {"code": malformed[0]},
            code="invalid_area_code",
        )
    known = set(
        Area.objects.filter(code__in=codes, level=AreaLevel.COMMUNE, valid_from__lte=date_to)
        .exclude(valid_to__lt=date_from)
        .values_list("code", flat=True)
    )
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidInput(
            _("Không có xã, phường mã %(codes)s trong khoảng thời gian đã chọn.")
            % {"codes": ", ".join(unknown)},
            code="unknown_area_code",
        )
    return tuple(codes)


def _buffer_metres(text: str) -> int | None:
    if not text:
        return None
    try:
        metres = int(text)
    except ValueError:
        metres = -1
    if not 1 <= metres <= BUFFER_MAX_METRES:
        raise InvalidInput(
            _("Bán kính vùng đệm phải là số mét nguyên từ 1 đến %(limit)d.")
            % {"limit": BUFFER_MAX_METRES},
            code="invalid_buffer",
        )
    return metres


def polygon_parse(text: str, *, buffer_metres: int | None = None) -> MultiPolygon:
    """A polygon drawn on the map or pasted as GeoJSON (a geometry, a Feature, or a
    FeatureCollection of polygons), in longitude, latitude order (RFC 7946), closed, not
    crossing itself, and over the territory; or a point or line with a buffer in metres
    around it. With a buffer, the area is the geometry widened by that many metres."""
    if len(text) > POLYGON_MAX_CHARACTERS:
        raise InvalidInput(_("Vùng vẽ quá lớn để đọc."), code="polygon_too_large")
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidInput(
            _("Vùng không phải GeoJSON hợp lệ; dán một Polygon hoặc MultiPolygon dạng GeoJSON."),
            code="invalid_geojson",
        ) from None
    line_or_point = _line_or_point(document)
    if line_or_point is not None:
        return _buffered(_line_or_point_parse(line_or_point), buffer_metres)
    rings = _polygon_rings(_geometries(document))
    _require_in_range(rings)
    vertices = sum(len(ring) for polygon in rings for ring in polygon)
    if vertices > POLYGON_MAX_VERTICES:
        raise InvalidInput(
            _("Vùng có %(count)d đỉnh, nhiều hơn mức tối đa %(limit)d.")
            % {"count": vertices, "limit": POLYGON_MAX_VERTICES},
            code="polygon_too_large",
        )
    try:
        polygons = [Polygon(*polygon, srid=4326) for polygon in rings]
        multipolygon = MultiPolygon(*polygons, srid=4326)
    except (GEOSException, TypeError, ValueError):
        raise InvalidInput(
            _("Vùng không đọc được thành đa giác."), code="invalid_geojson"
        ) from None
    if not multipolygon.valid:
        raise InvalidInput(
            _("Vùng tự cắt nhau hoặc các cạnh chồng lên nhau (%(reason)s); hãy vẽ lại.")
            % {"reason": multipolygon.valid_reason},
            code="self_intersecting_polygon",
        )
    if not _over_territory(multipolygon):
        swapped = _swapped(multipolygon)
        if swapped is not None and _over_territory(swapped):
            raise _swapped_error()
        raise InvalidInput(
            _("Vùng nằm ngoài địa bàn tỉnh Quảng Ngãi."), code="polygon_outside_territory"
        )
    return _buffered(multipolygon, buffer_metres) if buffer_metres else multipolygon


def _line_or_point(document: object) -> dict[str, Any] | None:
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = document.get("geometry")
    if isinstance(document, dict) and document.get("type") in ("Point", "LineString"):
        return document
    return None


def _line_or_point_parse(geometry: dict[str, Any]) -> GEOSGeometry:
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Point":
        positions = _positions([coordinates])
        parsed: GEOSGeometry = Point(*positions[0], srid=4326)
    else:
        positions = _positions(_list(coordinates))
        if len(positions) < 2:
            raise InvalidInput(_("Đường cần ít nhất 2 điểm."), code="invalid_geojson")
        parsed = LineString(positions, srid=4326)
    _require_in_range([[positions]])
    if not _over_territory(parsed):
        raise InvalidInput(
            _("Vùng nằm ngoài địa bàn tỉnh Quảng Ngãi."), code="polygon_outside_territory"
        )
    return parsed


def _buffered(geometry: GEOSGeometry, buffer_metres: int | None) -> MultiPolygon:
    if not buffer_metres:
        raise InvalidInput(
            _("Một điểm hoặc một đường cần bán kính vùng đệm (mét) để thành vùng."),
            code="buffer_required",
        )
    with connection.cursor() as cursor:
        # In metres on the spheroid (a geography buffer), whatever the latitude.
        cursor.execute(
            "SELECT ST_AsEWKB(ST_Multi(ST_Buffer(ST_GeomFromEWKB(%s)::geography, %s)::geometry))",
            [bytes(geometry.ewkb), buffer_metres],
        )
        row = cursor.fetchone()
    assert row is not None
    buffered = GEOSGeometry(memoryview(bytes(row[0])))
    buffered.srid = 4326
    assert isinstance(buffered, MultiPolygon)
    return buffered


def _geometries(document: object) -> list[dict[str, Any]]:
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidInput(
                _("Tập đối tượng GeoJSON không có đối tượng nào."), code="invalid_geojson"
            )
        return [geometry for item in features for geometry in _geometries(item)]
    if isinstance(document, dict) and document.get("type") == "Feature":
        return _geometries(document.get("geometry"))
    if isinstance(document, dict) and document.get("type") in ("Polygon", "MultiPolygon"):
        return [document]
    raise InvalidInput(
        _("Vùng phải là Polygon hoặc MultiPolygon dạng GeoJSON."), code="invalid_geojson"
    )


def _polygon_rings(geometries: list[dict[str, Any]]) -> list[list[list[tuple[float, float]]]]:
    polygons: list[Any] = []
    for geometry in geometries:
        coordinates = geometry.get("coordinates")
        if not isinstance(coordinates, list):
            raise InvalidInput(_("Vùng không có toạ độ."), code="invalid_geojson")
        polygons.extend(coordinates if geometry["type"] == "MultiPolygon" else [coordinates])
    return [[_ring(ring) for ring in _list(polygon)] for polygon in polygons]


def _list(value: object) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise InvalidInput(_("Vùng không có toạ độ."), code="invalid_geojson")
    return value


def _positions(values: list[Any]) -> list[tuple[float, float]]:
    positions: list[tuple[float, float]] = []
    for position in values:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(
                isinstance(number, int | float) and not isinstance(number, bool)
                for number in position[:2]
            )
            or not all(math.isfinite(number) for number in position[:2])
        ):
            raise InvalidInput(
                _("Toạ độ %(position)s không phải cặp số [kinh độ, vĩ độ].")
                % {"position": json.dumps(position)[:60]},
                code="invalid_geojson",
            )
        positions.append((float(position[0]), float(position[1])))
    return positions


def _ring(ring: object) -> list[tuple[float, float]]:
    positions = _positions(_list(ring))
    if len(positions) < 4 or positions[0] != positions[-1]:
        raise InvalidInput(
            _("Vùng chưa khép kín: mỗi vòng cần ít nhất 4 điểm và điểm cuối trùng điểm đầu."),
            code="polygon_not_closed",
        )
    return positions


def _in_range(longitude: float, latitude: float) -> bool:
    return -180 <= longitude <= 180 and -90 <= latitude <= 90


def _require_in_range(rings: list[list[list[tuple[float, float]]]]) -> None:
    """Longitudes and latitudes within their limits. Quảng Ngãi written latitude first puts
    latitude 108: when the pairs read the other way round are in range and over the territory,
    the error says so."""
    positions = [position for polygon in rings for ring in polygon for position in ring]
    outside = next((p for p in positions if not _in_range(*p)), None)
    if outside is None:
        return
    if all(_in_range(latitude, longitude) for longitude, latitude in positions):
        swapped = _multipolygon_or_none(
            [[[(y, x) for x, y in ring] for ring in polygon] for polygon in rings]
        )
        if swapped is not None and swapped.valid and _over_territory(swapped):
            raise _swapped_error()
    raise InvalidInput(
        _("Toạ độ [%(lon)s, %(lat)s] ngoài giới hạn kinh độ, vĩ độ.")
        % {"lon": outside[0], "lat": outside[1]},
        code="invalid_coordinates",
    )


def _swapped_error() -> InvalidInput:
    return InvalidInput(
        _(
            "Vùng nằm ngoài địa bàn, nhưng sẽ nằm trong địa bàn nếu đổi chỗ kinh độ và vĩ "
            "độ: GeoJSON ghi kinh độ trước, vĩ độ sau (ví dụ [108.8, 15.1])."
        ),
        code="swapped_coordinates",
    )


def _swapped(multipolygon: MultiPolygon) -> MultiPolygon | None:
    """The polygon with each pair read the other way round (None when that is no polygon)."""
    polygons: Any = multipolygon.coords
    return _multipolygon_or_none(
        [[[(y, x) for x, y in ring] for ring in polygon] for polygon in polygons]
    )


def _multipolygon_or_none(rings: list[list[list[tuple[float, float]]]]) -> MultiPolygon | None:
    try:
        return MultiPolygon(*(Polygon(*polygon) for polygon in rings), srid=4326)
    except (GEOSException, TypeError, ValueError):
        return None


def _over_territory(multipolygon: GEOSGeometry) -> bool:
    """Whether the polygon meets the territory: the province's boundaries of any date (a query
    may look at the years before the reform)."""
    with connection.cursor() as cursor:
        # The province's pieces (wards.AreaPiece) carry a GiST index; the boundary itself is
        # one polygon of 35,000 vertices.
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM wards_areapiece p JOIN wards_area a ON a.id = p.area_id "
            "WHERE a.code = %s AND a.level = %s AND ST_Intersects(p.piece, ST_GeomFromEWKB(%s)))",
            [settings.TERRITORY_ROOT_CODE, AreaLevel.PROVINCE.value, bytes(multipolygon.ewkb)],
        )
        row = cursor.fetchone()
    return bool(row and row[0])
