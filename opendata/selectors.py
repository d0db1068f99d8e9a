"""Reads of the public layers for OGC API – Features (docs/open_data.md).

The collections read the views of migration 0001_public_views only, which hold public columns
alone. Pages of features are assembled by PostgreSQL (json_build_object and ST_AsGeoJSON; see
geoapp/sql.py for why); every value is a parameter, and the only interpolated text is the
collection definitions below and conditions chosen by this module, never user input.

Coordinates: the views store SRID 4326 in longitude/latitude order (OGC's CRS84). A client
asks for another output CRS (Part 2): EPSG:4326 in its own axis order (latitude first) or
VN-2000 / UTM zone 49N (EPSG:3406, easting and northing in metres).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from geoapp.clock import VIETNAM_TIME_ZONE, vietnam_today
from geoapp.exceptions import NotFound
from geoapp.sql import SqlParameters

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"
EPSG_3406 = "http://www.opengis.net/def/crs/EPSG/0/3406"
SUPPORTED_CRS = (CRS84, EPSG_4326, EPSG_3406)

FilterType = Literal["text", "integer"]
TemporalKind = Literal["instant", "validity"]


@dataclass(frozen=True)
class Collection:
    """A public layer: which view, which columns become which properties, how it is filtered."""

    identifier: str
    title: Promise
    description: Promise
    view: str
    id_column: str
    id_type: FilterType
    geometry_column: str
    geometry_type: str
    # (property name, SQL expression over the view's columns)
    properties: tuple[tuple[str, str], ...]
    # Property filters a client may pass as query parameters: name → (column, type).
    filters: dict[str, tuple[str, FilterType]]
    temporal: TemporalKind
    order_by: str
    current_only: bool = False
    extra_conditions: tuple[str, ...] = field(default=())


_REPORT_PROPERTIES = (
    ("tracking_code", "tracking_code"),
    ("category", "category"),
    ("status", "status"),
    ("reported_at", "reported_at"),
    ("summary", "summary"),
    ("supporters_count", "supporters_count"),
    ("commune_code", "commune_code"),
)
_COMMUNE_PROPERTIES = (
    ("code", "code"),
    ("name", "name"),
    ("area_type", "area_type"),
    ("valid_from", "valid_from"),
    ("valid_to", "valid_to"),
    ("area_km2", "round(area_km2::numeric, 3)"),
    ("is_approximate", "is_approximate"),
)
_COMMUNE_FILTERS: dict[str, tuple[str, FilterType]] = {
    "code": ("code", "text"),
    "area_type": ("area_type", "text"),
}

COLLECTIONS: dict[str, Collection] = {
    collection.identifier: collection
    for collection in (
        Collection(
            identifier="phan-anh",
            title=_("Phản ánh công khai"),
            description=_(
                "Phản ánh, kiến nghị công khai của người dân: lĩnh vực, trạng thái, thời điểm, "
                "tóm tắt và vị trí; không có thông tin cá nhân."
            ),
            view="opendata_public_report",
            id_column="tracking_code",
            id_type="text",
            geometry_column="location",
            geometry_type="Point",
            properties=_REPORT_PROPERTIES,
            filters={
                "category": ("category", "text"),
                "status": ("status", "text"),
                "commune_code": ("commune_code", "text"),
            },
            temporal="instant",
            # The index incident_newest_first reads a page in this order without sorting.
            order_by="reported_at DESC, id DESC",
        ),
        Collection(
            identifier="xa-phuong",
            title=_("Xã, phường (mọi thời kỳ)"),
            description=_(
                "Ranh giới đơn vị hành chính cấp xã với thời gian hiệu lực; tham số datetime "
                "chọn các đơn vị có hiệu lực vào ngày hoặc khoảng thời gian đó."
            ),
            view="opendata_commune",
            id_column="id",
            id_type="integer",
            geometry_column="boundary",
            geometry_type="MultiPolygon",
            properties=_COMMUNE_PROPERTIES,
            filters=_COMMUNE_FILTERS,
            temporal="validity",
            order_by="code, valid_from, id",
        ),
        Collection(
            identifier="xa-phuong-hien-hanh",
            title=_("Xã, phường hiện hành"),
            description=_("Ranh giới đơn vị hành chính cấp xã đang có hiệu lực hôm nay."),
            view="opendata_commune",
            id_column="id",
            id_type="integer",
            geometry_column="boundary",
            geometry_type="MultiPolygon",
            properties=_COMMUNE_PROPERTIES,
            filters=_COMMUNE_FILTERS,
            temporal="validity",
            order_by="code, valid_from, id",
            current_only=True,
        ),
        Collection(
            identifier="ho-so-theo-thang",
            title=_("Hồ sơ thủ tục hành chính theo xã và tháng"),
            description=_(
                "Số hồ sơ tiếp nhận, đã giải quyết, đúng hạn và trễ hạn của mỗi xã, phường trong "
                "mỗi tháng, trên ranh giới xã mà hồ sơ được chuyển đến; chỉ có số đếm."
            ),
            view="opendata_dossier_month",
            id_column="id",
            id_type="text",
            geometry_column="boundary",
            geometry_type="MultiPolygon",
            properties=(
                ("commune_code", "commune_code"),
                ("commune_name", "commune_name"),
                ("month", "month"),
                ("received", "received"),
                ("finished", "finished"),
                ("on_time", "on_time"),
                ("late", "late"),
            ),
            filters={"commune_code": ("commune_code", "text"), "month": ("month", "text")},
            temporal="validity",
            order_by="month, commune_code, id",
        ),
        Collection(
            identifier="chi-tieu",
            title=_("Giá trị chỉ tiêu theo xã và kỳ"),
            description=_(
                "Giá trị chỉ tiêu kinh tế - xã hội đã duyệt của mỗi xã, phường trong mỗi kỳ báo "
                "cáo, trên ranh giới xã mà giá trị được nhập."
            ),
            view="opendata_indicator_value",
            id_column="id",
            id_type="integer",
            geometry_column="boundary",
            geometry_type="MultiPolygon",
            properties=(
                ("indicator", "indicator"),
                ("unit", "unit"),
                ("period", "period"),
                ("commune_code", "commune_code"),
                ("commune_name", "commune_name"),
                ("value", "value"),
                ("numerator", "numerator"),
                ("denominator", "denominator"),
            ),
            filters={
                "indicator": ("indicator", "text"),
                "period": ("period", "text"),
                "commune_code": ("commune_code", "text"),
            },
            temporal="validity",
            order_by="indicator, period, commune_code, id",
        ),
    )
}


def collection_get(identifier: str) -> Collection:
    collection = COLLECTIONS.get(identifier)
    if collection is None:
        raise NotFound(_("Không có lớp dữ liệu “%(name)s”.") % {"name": identifier})
    return collection


@dataclass(frozen=True)
class Interval:
    """A closed interval of moments; None is an open end."""

    start: datetime.datetime | None
    end: datetime.datetime | None


@dataclass(frozen=True)
class Box:
    """A bounding box in the CRS `crs`, as numbers in that CRS's own axis order."""

    values: tuple[float, float, float, float]
    crs: str


@dataclass(frozen=True)
class ItemsQuery:
    limit: int
    offset: int = 0
    box: Box | None = None
    interval: Interval | None = None
    filters: dict[str, str] = field(default_factory=dict)
    crs: str = CRS84


@dataclass(frozen=True)
class ItemsPage:
    features: bytes  # the features, comma-separated, as PostgreSQL wrote them (UTF-8)
    number_returned: int
    # Only when the matching rows are at most OGC_EXACT_COUNT_LIMIT: above it the count would
    # cost more than the page, and OGC API – Features lets numberMatched be left out.
    number_matched: int | None


def _geometry_sql(column: str, crs: str) -> str:
    if crs == EPSG_4326:
        # EPSG:4326's axis order is latitude, longitude (Part 2, /req/crs/crs-uri).
        return f"ST_AsGeoJSON(ST_FlipCoordinates({column}), 6, 0)"
    if crs == EPSG_3406:
        # Metres: centimetres are the precision of the stored degrees' sixth decimal.
        return f"ST_AsGeoJSON(ST_Transform({column}, 3406), 2, 0)"
    return f"ST_AsGeoJSON({column}, 6, 0)"


def _box_polygon_sql(box: Box, parameters: SqlParameters) -> str:
    """The box as a polygon in SRID 4326, its numbers passed as parameters."""
    first, second, third, fourth = box.values
    if box.crs == EPSG_4326:  # latitude first
        values = (second, first, fourth, third)
        srid = 4326
    elif box.crs == EPSG_3406:
        values = (first, second, third, fourth)
        srid = 3406
    else:
        values = (first, second, third, fourth)
        srid = 4326
    parameters.update(dict(zip(("box_x1", "box_y1", "box_x2", "box_y2"), values, strict=True)))
    envelope = f"ST_MakeEnvelope(%(box_x1)s, %(box_y1)s, %(box_x2)s, %(box_y2)s, {srid})"
    if srid == 4326:
        return envelope
    # A projected box is a curved quadrilateral in degrees: densified before the transform so
    # its sides stay where the client drew them.
    return f"ST_Transform(ST_Segmentize({envelope}, 100), 4326)"


def _conditions(collection: Collection, query: ItemsQuery, parameters: SqlParameters) -> list[str]:
    conditions = ["TRUE", *collection.extra_conditions]
    if collection.current_only:
        parameters["today"] = vietnam_today()
        conditions.append("valid_from <= %(today)s AND (valid_to IS NULL OR valid_to >= %(today)s)")
    if query.box is not None:
        # ST_Intersects checks the bounding boxes first with the GiST index of the column.
        conditions.append(
            f"ST_Intersects({collection.geometry_column}, {_box_polygon_sql(query.box, parameters)})"
        )
    if query.interval is not None:
        conditions.extend(_interval_conditions(collection, query.interval, parameters))
    for number, (name, value) in enumerate(sorted(query.filters.items())):
        column, filter_type = collection.filters[name]
        key = f"filter_{number}"
        parameters[key] = int(value) if filter_type == "integer" else value
        conditions.append(f"{column} = %({key})s")
    return conditions


def _interval_conditions(
    collection: Collection, interval: Interval, parameters: SqlParameters
) -> list[str]:
    conditions = []
    if collection.temporal == "instant":
        if interval.start is not None:
            parameters["start"] = interval.start
            conditions.append("reported_at >= %(start)s")
        if interval.end is not None:
            parameters["end"] = interval.end
            conditions.append("reported_at <= %(end)s")
        return conditions
    # A unit's validity is whole days in Vietnam: it intersects the interval when it began on
    # or before the interval's last day and had not ended before its first.
    if interval.end is not None:
        parameters["end_day"] = _vietnam_day(interval.end)
        conditions.append("valid_from <= %(end_day)s")
    if interval.start is not None:
        parameters["start_day"] = _vietnam_day(interval.start)
        conditions.append("(valid_to IS NULL OR valid_to >= %(start_day)s)")
    return conditions


def _vietnam_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(VIETNAM_TIME_ZONE).date()


def _feature_sql(collection: Collection, crs: str) -> str:
    properties = ", ".join(f"'{name}', {expression}" for name, expression in collection.properties)
    return (
        "json_build_object('type', 'Feature', "
        f"'id', {collection.id_column}, "
        f"'geometry', {_geometry_sql(collection.geometry_column, crs)}::json, "
        f"'properties', json_build_object({properties}))"
    )


def items_page(*, collection: Collection, query: ItemsQuery) -> ItemsPage:
    """One page of a collection's features, in the collection's order, with the count of all
    matching features when it is small enough to count exactly (see ItemsPage)."""
    parameters: SqlParameters = {"limit": query.limit, "offset": query.offset}
    where = " AND ".join(_conditions(collection, query, parameters))
    page_sql = f"""
        SELECT count(*), COALESCE(string_agg(({_feature_sql(collection, query.crs)})::text, ','), '')
        FROM (
            SELECT *
            FROM {collection.view}
            WHERE {where}
            ORDER BY {collection.order_by}
            LIMIT %(limit)s OFFSET %(offset)s
        ) AS page
    """
    # The features are built from the page's rows only: in the ordered subquery, PostgreSQL
    # would build one for every row it sorts or skips (the offset), not only the page's.
    # string_agg keeps the order of the ordered subquery it reads.
    count_limit = settings.OGC_EXACT_COUNT_LIMIT
    parameters["count_limit"] = count_limit + 1
    # Counted up to one past the limit: bounded work whatever the size of the table.
    count_sql = f"""
        SELECT count(*) FROM (
            SELECT 1 FROM {collection.view} WHERE {where} LIMIT %(count_limit)s
        ) AS matching
    """
    with connection.cursor() as cursor:
        cursor.execute(page_sql, parameters)
        returned, features = cursor.fetchone() or (0, "")
        cursor.execute(count_sql, parameters)
        row = cursor.fetchone()
    counted = int(row[0]) if row else 0
    return ItemsPage(
        features=features.encode(),
        number_returned=int(returned),
        number_matched=counted if counted <= count_limit else None,
    )


def item_get(*, collection: Collection, identifier: str, crs: str) -> bytes:
    """One feature as GeoJSON (UTF-8); NotFound when the collection has no such feature."""
    parameters: SqlParameters = {}
    conditions = _conditions(collection, ItemsQuery(limit=1), parameters)
    if collection.id_type == "integer":
        if not identifier.isdigit() or len(identifier) > 18:
            raise NotFound(_("Không có đối tượng “%(id)s”.") % {"id": identifier})
        parameters["identifier"] = int(identifier)
    else:
        parameters["identifier"] = identifier
    conditions.append(f"{collection.id_column} = %(identifier)s")
    sql = (
        f"SELECT {_feature_sql(collection, crs)}::text FROM {collection.view} "
        f"WHERE {' AND '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("Không có đối tượng “%(id)s”.") % {"id": identifier})
    document: str = row[0]
    return document.encode()


@dataclass(frozen=True)
class Extent:
    box: tuple[float, float, float, float] | None
    start: str | None


def collection_extent(collection: Collection) -> Extent:
    """The spatial extent (of the current communes: every public report lies in one, and their
    few hundred boxes are read at once where a million points would not be) and the start of
    the temporal extent."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(boundary) AS e FROM opendata_commune) AS extent"
        )
        row = cursor.fetchone()
        box = None
        if row is not None and row[0] is not None:
            box = (
                round(float(row[0]), 6),
                round(float(row[1]), 6),
                round(float(row[2]), 6),
                round(float(row[3]), 6),
            )
        if collection.temporal == "instant":
            # The newest-first index read from its end.
            cursor.execute(
                "SELECT to_char(min(reported_at) AT TIME ZONE 'UTC', "
                '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\') FROM opendata_public_report'
            )
        else:
            # The view's name comes from the fixed definitions above, never from input.
            cursor.execute(f"SELECT min(valid_from)::text FROM {collection.view}")
        start_row = cursor.fetchone()
    return Extent(box=box, start=start_row[0] if start_row else None)
