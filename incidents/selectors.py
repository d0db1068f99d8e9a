"""Reads of citizen feedback: categories, public and staff views of reports, duplicate suggestions.

What the public may see of a report: a report is public when `is_public` is set and it was not
rejected as spam. Public outputs carry no reporter contact, no reporter token, no internal event,
no hidden description or photo and no EXIF data; `PUBLIC_PROPERTIES` below is the whole list of
fields the public GeoJSON gives.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Model, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.abc import Buffer
from psycopg.adapt import Loader

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput, NotFound
from geoapp.sql import SqlParameters, model_columns, model_from_row, server_binding_cursor
from incidents import permissions
from incidents.models import (
    OPEN_STATUSES,
    Category,
    CategoryAttribute,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    IncidentQuerySet,
    public_incidents_sql,
)
from incidents.queue_keyset import SORT_NEWEST, SORT_OVERDUE, Cursor, keyset_slice
from incidents.tracking_codes import tracking_code_normalize

ModelType = TypeVar("ModelType", bound=Model)


DUPLICATE_SUGGESTIONS_LIMIT = 5
# Metres in one degree of latitude (at most, near the poles) and of longitude at the equator,
# used only to draw a search box that is certainly larger than the circle.
_MIN_METRES_PER_DEGREE_LATITUDE = 110_574.0
_METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111_320.0


# Categories


def category_list(*, include_inactive: bool = False) -> list[Category]:
    categories = Category.objects.prefetch_related(
        Prefetch("attributes", queryset=CategoryAttribute.objects.order_by("order", "code"))
    )
    if not include_inactive:
        categories = categories.filter(is_active=True)
    return list(categories.order_by("order", "code"))


def category_get(*, code: str) -> Category:
    category = (
        Category.objects.prefetch_related("attributes").filter(code=code, is_active=True).first()
    )
    if category is None:
        raise NotFound(_("Không tìm thấy lĩnh vực “%(code)s”.") % {"code": code})
    return category


@dataclass(frozen=True)
class CategoryWithQuestions:
    category: Category
    questions: list[CategoryAttribute]  # in the order the form asks them: `order`, then code


def category_with_questions(*, code: str) -> CategoryWithQuestions | None:
    """The category of `code`, active or not, with its extra questions; None when no category
    has that code. For filing a report, which needs both for every report."""
    with server_binding_cursor() as cursor:
        cursor.execute(_CATEGORY_WITH_QUESTIONS_SQL, {"code": code})
        rows = cursor.fetchall()
    return _category_from_rows(rows)


def _category_from_rows(rows: Sequence[Sequence[Any]]) -> CategoryWithQuestions | None:
    if not rows:
        return None
    category = model_from_row(Category, _CATEGORY_FIELDS, rows[0][: len(_CATEGORY_FIELDS)])
    questions = [
        model_from_row(CategoryAttribute, _QUESTION_FIELDS, row[len(_CATEGORY_FIELDS) :])
        for row in rows
        if row[len(_CATEGORY_FIELDS)] is not None  # a category without questions: one row, NULLs
    ]
    for question in questions:
        question.category = category  # what select_related would have cached
    return CategoryWithQuestions(category=category, questions=questions)


def category_get_active(*, code: str) -> CategoryWithQuestions:
    """The active category a report is filed in (or moved to), with its questions; refused with
    the user's message when no active category has that code."""
    found = category_with_questions(code=str(code or "").strip())
    return _active(found, code=code)


def _active(found: CategoryWithQuestions | None, *, code: str) -> CategoryWithQuestions:
    if found is None or not found.category.is_active:
        raise InvalidInput(
            _("Lĩnh vực “%(code)s” không tồn tại hoặc đã ngừng sử dụng.") % {"code": code},
            code="unknown_category",
        )
    return found


@dataclass(frozen=True)
class FilingCategory:
    """An active category with its questions, as of the catalogue's `revision`."""

    found: CategoryWithQuestions
    revision: int


# The categories this process has filed reports in, by code: reading one cost a third of a
# filing's CPU (docs/benchmarks.md, issue 10). Each is kept with the catalogue's revision it was
# read at, and the filing statement writes the report only while the revision is still that one
# (CATALOGUE_REVISION_SQL): against a catalogue changed since, it writes nothing and the report is
# filed again on the category read anew, so a kept category never decides a report the database
# would decide otherwise. Only active categories are kept: an unknown or closed code is read
# every time, so a category opened elsewhere is found at once. A dict, whose reads and writes are
# atomic for the threads of a process.
_filing_categories: dict[str, FilingCategory] = {}

# The catalogue's revision (incidents.0020): changes with every write to the categories or their
# questions, never to a value it had before.
CATALOGUE_REVISION_SQL = "(SELECT revision FROM incidents_catalogue_revision)"


def category_for_filing(*, code: str) -> FilingCategory:
    """The active category of `code` for a new report, with its questions and the catalogue's
    revision it was read at: the one this process keeps, else read (and kept). Refused with the
    user's message when no active category has that code."""
    code = str(code or "").strip()
    if (category := _filing_categories.get(code)) is not None:
        return category
    with server_binding_cursor() as cursor:
        cursor.execute(_CATEGORY_WITH_QUESTIONS_AND_REVISION_SQL, {"code": code})
        rows = cursor.fetchall()
    category = FilingCategory(
        found=_active(_category_from_rows([row[1:] for row in rows]), code=code),
        revision=rows[0][0],
    )
    _filing_categories[code] = category
    return category


def filing_categories_forget() -> None:
    """Forget every kept category (the catalogue changed: each is read anew when next filed in)."""
    _filing_categories.clear()


_CATEGORY_FIELDS = list(Category._meta.concrete_fields)
_QUESTION_FIELDS = list(CategoryAttribute._meta.concrete_fields)
# Hand-written because it runs for every filed report: the two querysets it replaces (the
# category, then its questions) cost two round trips and more to compile than to answer. The
# column lists come from the models; the code is a parameter.
_CATEGORY_WITH_QUESTIONS_SQL = f"""
    SELECT {model_columns(Category, [field.name for field in _CATEGORY_FIELDS], table="category")},
           {model_columns(CategoryAttribute, [field.name for field in _QUESTION_FIELDS], table="question")}
    FROM incidents_category category
    LEFT JOIN incidents_categoryattribute question ON question.category_id = category.id
    WHERE category.code = %(code)s
    ORDER BY question."order", question.code
"""
# The same rows, each led by the catalogue's revision (a category without questions: one row;
# no category: none, and no revision needed).
_CATEGORY_WITH_QUESTIONS_AND_REVISION_SQL = _CATEGORY_WITH_QUESTIONS_SQL.replace(
    "SELECT", f"SELECT {CATALOGUE_REVISION_SQL},", 1
)


# One report


def _incident_by_code(queryset: QuerySet[Incident], tracking_code: str) -> Incident:
    code = tracking_code_normalize(tracking_code)
    incident = queryset.filter(tracking_code=code).first() if code else None
    if incident is None:
        raise NotFound(
            _("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": tracking_code},
            code="incident_not_found",
        )
    return incident


def incident_get_public(*, tracking_code: str) -> Incident:
    """A public report with its public photos and public timeline (`public_photos`,
    `public_events`)."""
    queryset = (
        Incident.objects.public()
        .select_related("category", "area", "agency", "duplicate_of")
        .prefetch_related(
            Prefetch(
                "photos",
                queryset=IncidentPhoto.objects.filter(is_hidden=False).order_by("created_at", "id"),
                to_attr="public_photos",
            ),
            Prefetch(
                "events",
                queryset=IncidentEvent.objects.filter(is_public=True).order_by("created_at", "id"),
                to_attr="public_events",
            ),
        )
    )
    return _incident_by_code(queryset, tracking_code)


def incident_get_by_code(*, tracking_code: str) -> Incident:
    """Any report by its code, whatever its visibility: for the reporter's own actions."""
    return _incident_by_code(Incident.objects.select_related("category", "agency"), tracking_code)


def incident_get_public_by_code(*, tracking_code: str) -> Incident:
    """A public report without its timeline: for citizens' actions such as support."""
    return _incident_by_code(
        Incident.objects.public().select_related("category", "agency"),
        tracking_code,
    )


def incident_get_for_staff(*, user: User, tracking_code: str) -> Incident:
    """A report the user may see, with every photo and event; NotFound for the others, so that
    staff of one unit cannot learn which codes exist in another."""
    incident = _incident_by_code(
        incidents_visible_to(user=user)
        .select_related("category", "area", "agency", "assigned_to", "duplicate_of")
        .prefetch_related(
            Prefetch("photos", queryset=IncidentPhoto.objects.order_by("created_at", "id")),
            Prefetch(
                "events",
                queryset=IncidentEvent.objects.select_related("actor").order_by("created_at", "id"),
            ),
            "category__attributes",
        ),
        tracking_code,
    )
    return incident


def duplicate_original_get_for_staff(*, user: User, tracking_code: str) -> Incident:
    """The report a duplicate would point to, named by its code: one the user may see (their
    units', or any for leaders and administrators) or a public one; NotFound otherwise, worded
    as for a code that does not exist, so that no one learns which private codes exist."""
    visible = incidents_visible_to(user=user) | Incident.objects.public()
    return _incident_by_code(visible.select_related("category", "agency"), tracking_code)


def photo_get_for_staff(*, user: User, photo_id: int) -> IncidentPhoto:
    photo = (
        IncidentPhoto.objects.select_related("incident")
        .filter(pk=photo_id, incident__in=incidents_visible_to(user=user))
        .first()
    )
    if photo is None:
        raise NotFound(_("Không tìm thấy ảnh số %(id)s.") % {"id": photo_id})
    return photo


# Staff lists


def incidents_visible_to(*, user: User) -> IncidentQuerySet:
    """Leaders and administrators see every report; officers those of their units."""
    if permissions.is_leader(user) or permissions.is_administrator(user):
        return Incident.objects.all()
    return Incident.objects.filter(agency_id__in=permissions.member_agency_ids(user))


@dataclass(frozen=True)
class StaffIncidentFilters:
    status: str | None = None  # a status, or "open" for every open one (issue 10)
    category: str | None = None
    agency: str | None = None
    assigned_to_me: bool = False
    overdue: bool = False
    sort: str = SORT_NEWEST  # the interface's order before issue 10


@dataclass(frozen=True)
class StaffIncidentPage:
    rows: list[Incident]
    total: int
    next_cursor: str | None
    previous_cursor: str | None


def incidents_for_staff(
    *,
    user: User,
    filters: StaffIncidentFilters,
    limit: int,
    offset: int = 0,
    cursor: Cursor | None = None,
) -> StaffIncidentPage:
    """One page of the reports the user may see in the order of `filters.sort`, the number of
    matches, and the cursors of the pages beside it: the keys along the sort's index first,
    then those rows with their joins (incidents/queue_keyset.py)."""
    now = timezone.now()
    queryset = incidents_visible_to(user=user)
    with_deadline: bool | None = None
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
        with_deadline = True
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
        with_deadline = filters.status in OPEN_STATUSES
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.agency:
        queryset = queryset.filter(agency__code=filters.agency)
    if filters.assigned_to_me:
        queryset = queryset.filter(assigned_to=user)
    if filters.overdue or filters.sort == SORT_OVERDUE:
        queryset = queryset.overdue(at=now)
        with_deadline = True
    total = queryset.count()
    keys = keyset_slice(
        queryset, sort=filters.sort, cursor=cursor, size=limit, with_deadline=with_deadline,
        skip=offset if cursor is None else 0,
    )  # fmt: skip
    ids = [key.id for key in keys.keys]
    by_id = Incident.objects.select_related("category", "area", "agency", "assigned_to").in_bulk(
        ids
    )
    return StaffIncidentPage(
        rows=[by_id[pk] for pk in ids if pk in by_id],
        total=total,
        next_cursor=keys.next_cursor,
        previous_cursor=keys.previous_cursor,
    )


# The public map


@dataclass(frozen=True)
class PublicIncidentFilters:
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    category: str | None = None
    status: str | None = None
    area_code: str | None = None
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """ "minlon,minlat,maxlon,maxlat" (the order of GeoJSON and OGC API bbox)."""
    if not text:
        return None
    parts = str(text).split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(value) for value in values):
        raise InvalidInput(
            _(
                "bbox phải gồm 4 số: kinh độ nhỏ nhất, vĩ độ nhỏ nhất, kinh độ lớn nhất, vĩ độ lớn nhất."
            ),
            code="invalid_bbox",
        )
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput(
            _(
                "bbox “%(bbox)s” không hợp lệ: cần kinh độ trong −180..180, vĩ độ trong −90..90 và "
                "giá trị nhỏ nhất trước (thứ tự: minlon,minlat,maxlon,maxlat)."
            )
            % {"bbox": text},
            code="invalid_bbox",
        )
    return min_lon, min_lat, max_lon, max_lat


PUBLIC_PROPERTIES = (
    "tracking_code",
    "category",
    "status",
    "reported_at",
    "summary",
    "supporters_count",
)
# `summary`: the start of the description (models.PUBLIC_SUMMARY_LENGTH characters), or null
# when it is hidden; the whole text is in the report's detail.


def public_incident_conditions(
    *,
    filters: PublicIncidentFilters,
    box: tuple[float, float, float, float] | None,
    parameters: SqlParameters,
) -> list[str]:
    """SQL conditions on `incidents_incident AS i` for the public rule and `filters` (with `box`
    instead of `filters.bbox`, which callers may widen), adding their values to `parameters`.

    Shared by every hand-written public list (the GeoJSON list, the clustered map), so that a
    filter means the same everywhere. Only fixed text is returned; every value is a parameter.
    """
    conditions = [public_incidents_sql("i")]
    if box is not None:
        # For points, the && operator alone decides (a point's box is the point) and lets the
        # GiST index on location pick the rows of the box.
        conditions.append(
            "i.location && ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s, 4326)"
        )
        parameters.update(dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), box, strict=True)))
    if filters.category:
        conditions.append(
            "i.category_id = (SELECT id FROM incidents_category WHERE code = %(category)s)"
        )
        parameters["category"] = filters.category
    if filters.status:
        conditions.append("i.status = %(status)s")
        parameters["status"] = filters.status
    if filters.area_code:
        # By code across validity periods: "21025" finds the reports of Phường Nguyễn Nghiêm
        # (before the reform) and of Phường Cẩm Thành (after), as each report keeps its area.
        conditions.append("i.area_id IN (SELECT id FROM wards_area WHERE code = %(area_code)s)")
        parameters["area_code"] = filters.area_code
    if filters.reported_from is not None:
        conditions.append("i.reported_at >= %(reported_from)s")
        parameters["reported_from"] = datetime.datetime.combine(
            filters.reported_from, datetime.time.min, tzinfo=VIETNAM_TIME_ZONE
        )
    if filters.reported_to is not None:
        conditions.append("i.reported_at < %(reported_to)s")
        parameters["reported_to"] = datetime.datetime.combine(
            filters.reported_to + datetime.timedelta(days=1),
            datetime.time.min,
            tzinfo=VIETNAM_TIME_ZONE,
        )
    return conditions


def incidents_public_feature_collection(
    *, filters: PublicIncidentFilters, limit: int, offset: int = 0
) -> bytes:
    """Public reports as a GeoJSON FeatureCollection (UTF-8), newest first, built in PostgreSQL.

    Each feature carries `PUBLIC_PROPERTIES` only. `numberReturned` counts this page;
    `next_offset` is the offset of the next page when this one is full, else null.
    """
    parameters: SqlParameters = {"limit": limit, "offset": offset}
    conditions = public_incident_conditions(
        filters=filters, box=filters.bbox, parameters=parameters
    )
    # Raw SQL because the ORM cannot aggregate rows into one document. Every value is a
    # parameter; the only interpolated text is the fixed condition list above, never user input.
    #
    # Speed (10,000 points in a few tens of milliseconds; docs/benchmarks.md): each report's
    # feature is already text, in the two columns PostgreSQL generates from the report's own
    # columns (Incident.map_feature_head and map_feature_tail: escaped, formatted, always in step
    # with the row); only its category's code comes from another table, escaped once per
    # category. Formatting 10,000 features here instead (to_json of the summary, to_char of the
    # moment, ST_AsGeoJSON) took about 12 ms more than joining the stored parts. string_agg
    # keeps the order of the ordered subquery it reads (nothing between them reorders rows).
    sql = f"""
        SELECT '{{"type":"FeatureCollection","numberReturned":' || count(*)
            || ',"next_offset":' || CASE WHEN count(*) = %(limit)s AND %(limit)s > 0
                                         THEN (%(offset)s + %(limit)s)::text ELSE 'null' END
            || ',"features":['
            || COALESCE(string_agg(map_feature_head || category_json || map_feature_tail, ','), '')
            || ']}}'
        FROM (
            SELECT i.map_feature_head, c.category_json, i.map_feature_tail
            FROM incidents_incident i
            JOIN (SELECT id, code, to_json(code)::text AS category_json
                  FROM incidents_category) AS c ON c.id = i.category_id
            WHERE {" AND ".join(conditions)}
            ORDER BY i.reported_at DESC, i.id DESC
            LIMIT %(limit)s OFFSET %(offset)s
        ) AS page
    """
    with server_binding_cursor() as cursor:
        # The document as PostgreSQL sent it, UTF-8 bytes: decoding 4 MB into a str here for
        # the response to encode it back would cost several milliseconds for nothing.
        cursor.adapters.register_loader("text", _Utf8BytesLoader)
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    # An aggregate over the page: PostgreSQL always answers with exactly one row.
    assert row is not None
    document: bytes = row[0]
    return document


class _Utf8BytesLoader(Loader):
    """Loads text as the bytes PostgreSQL sent (the connection's encoding is UTF-8)."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


# Duplicate suggestions


@dataclass(frozen=True)
class DuplicateCandidate:
    incident: Incident
    distance_metres: float


def duplicate_candidates(
    *,
    point: Point,
    category_code: str,
    now: datetime.datetime | None = None,
    exclude_incident_id: int | None = None,
    public_only: bool = True,
) -> list[DuplicateCandidate]:
    """Open reports of the same category within the category's radius and recent window,
    nearest first, at most five, with their distance in metres on the WGS 84 ellipsoid."""
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise InvalidInput(
            _("Lĩnh vực “%(code)s” không tồn tại.") % {"code": category_code},
            code="unknown_category",
        )
    radius = float(category.duplicate_radius_metres)
    since = (now or timezone.now()) - datetime.timedelta(days=category.duplicate_window_days)
    # A box certainly larger than the circle, in degrees, lets the GiST index on the geometry
    # pick the few candidates; the exact test and the distance are then computed on geography
    # (metres on the ellipsoid), which a geometry index cannot serve directly.
    latitude_margin = radius / _MIN_METRES_PER_DEGREE_LATITUDE * 1.01
    cosine = max(math.cos(math.radians(min(abs(point.y) + latitude_margin, 89.9))), 1e-6)
    longitude_margin = radius / (_METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR * cosine) * 1.01
    conditions = [
        "category_id = %(category_id)s",
        "status = ANY(%(statuses)s)",
        "reported_at >= %(since)s",
        "location && ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s, 4326)",
        "ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography, %(radius)s)",
    ]
    if public_only:
        conditions.append("is_public")
    if exclude_incident_id is not None:
        conditions.append("id <> %(exclude_id)s")
    sql = f"""
        SELECT id, ST_Distance(
            location::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography
        ) AS metres
        FROM incidents_incident
        WHERE {" AND ".join(conditions)}
        ORDER BY metres, id
        LIMIT %(limit)s
    """
    parameters: SqlParameters = {
        "category_id": category.id,
        "statuses": sorted(status.value for status in OPEN_STATUSES),
        "since": since,
        "lon": point.x,
        "lat": point.y,
        "radius": radius,
        "min_lon": point.x - longitude_margin,
        "max_lon": point.x + longitude_margin,
        "min_lat": point.y - latitude_margin,
        "max_lat": point.y + latitude_margin,
        "exclude_id": exclude_incident_id,
        "limit": DUPLICATE_SUGGESTIONS_LIMIT,
    }
    # Raw SQL for the geography cast in ST_DWithin and ST_Distance; the condition list is fixed
    # text chosen above, every value a parameter.
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        distances = dict(cursor.fetchall())
    incidents = Incident.objects.select_related("category").in_bulk(list(distances))
    return sorted(
        (
            DuplicateCandidate(incident=incidents[pk], distance_metres=metres)
            for pk, metres in distances.items()
        ),
        key=lambda candidate: (candidate.distance_metres, candidate.incident.pk),
    )
