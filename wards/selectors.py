"""Reads of administrative areas: point lookup, routing, hierarchy and GeoJSON collections."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection
from django.utils.translation import gettext as _

from geoapp.exceptions import NotFound
from geoapp.sql import (
    SqlParameters,
    feature,
    feature_collection,
    model_columns,
    server_binding_cursor,
    valid_on,
)
from wards.models import (
    LEVEL_RANK,
    Agency,
    AgencyKind,
    Area,
    AreaLevel,
    AreaSuccession,
    RoutingRule,
)

# Columns a lookup needs; the boundary is large and never needed to answer "which area".
AREA_SUMMARY_FIELDS = (
    "id",
    "code",
    "name",
    "area_type",
    "level",
    "valid_from",
    "valid_to",
    "parent_id",
)


class PointOutsideTerritory(NotFound):
    code = "outside_territory"


class NoResponsibleAgency(NotFound):
    code = "no_responsible_agency"


@dataclass(frozen=True)
class Routing:
    """Where a point falls on a date and who answers for it."""

    areas: list[Area]  # lowest level first: commune, then district (before 2025), province
    agency: Agency
    rule: RoutingRule | None  # None when the commune's People's Committee is the default

    @property
    def commune(self) -> Area:
        return self.areas[0]


def areas_containing_point(*, point: Point, on: datetime.date) -> list[Area]:
    """The areas covering `point` on `on`, lowest level first, without their boundaries.

    The same answer as `Area.objects.containing(point, on=on)`, in one hand-written statement:
    building that queryset costs more than PostgreSQL needs to answer it (docs/benchmarks.md).

    Raises PointOutsideTerritory when no commune-level area covers the point: the point is
    outside the served territory on that date (or in a gap between imported boundaries).
    """
    with server_binding_cursor() as cursor:
        cursor.execute(_AREAS_CONTAINING_POINT_SQL, _point_parameters(point, on))
        rows = cursor.fetchall()
    areas = [_area_summary(row) for row in rows]
    _require_commune(areas, point=point, on=on)
    return areas


def route_point(*, point: Point, category_code: str, on: datetime.date) -> Routing:
    """The chain of areas covering `point` on `on` and the agency responsible for `category_code`.

    The most specific routing rule wins (commune before district before province; a rule for the
    category before a rule for every category); with no rule, the commune's People's Committee.
    """
    with server_binding_cursor() as cursor:
        cursor.execute(
            _ROUTE_POINT_SQL,
            {
                **_point_parameters(point, on),
                "category_code": category_code,
                "committee_kind": AgencyKind.PEOPLES_COMMITTEE.value,
            },
        )
        rows = cursor.fetchall()
    areas = [_area_summary(row) for row in rows]
    _require_commune(areas, point=point, on=on)

    first = rows[0]
    rule_values = first[len(_AREA_SUMMARY_COLUMNS) : _AGENCY_OFFSET]
    agency_values = first[_AGENCY_OFFSET:]
    if agency_values[0] is None:
        raise NoResponsibleAgency(
            _("Chưa có đơn vị xử lý cho %(area)s; quản trị viên cần khai báo Ủy ban nhân dân.")
            % {"area": areas[0].name}
        )
    agency = Agency.from_db(connection.alias, _AGENCY_FIELD_NAMES, agency_values)
    if rule_values[0] is None:
        return Routing(areas=areas, agency=agency, rule=None)
    rule = RoutingRule.from_db(connection.alias, _RULE_FIELD_NAMES, rule_values)
    rule.agency = agency  # what select_related would have cached: no query on rule.agency
    return Routing(areas=areas, agency=agency, rule=rule)


# --- the statements behind areas_containing_point and route_point -------------------------
#
# Hand-written SQL because these two reads run for every report and every map click: the ORM
# spent about 1 ms compiling each of the three querysets routing used to run, several times
# what PostgreSQL needed to answer them (docs/benchmarks.md, "Platform foundation"). Every
# value is a parameter; the only text built here comes from the models' own field and enum
# names, never from input.

_AREA_SUMMARY_COLUMNS = [
    field for field in Area._meta.concrete_fields if field.attname in AREA_SUMMARY_FIELDS
]
_AREA_FIELD_NAMES = [field.attname for field in _AREA_SUMMARY_COLUMNS]
_AGENCY_FIELD_NAMES = [field.attname for field in Agency._meta.concrete_fields]
_RULE_FIELD_NAMES = [field.attname for field in RoutingRule._meta.concrete_fields]
_AGENCY_OFFSET = len(_AREA_SUMMARY_COLUMNS) + len(_RULE_FIELD_NAMES)


_LEVEL_RANK_SQL = "CASE level {} END".format(
    " ".join(f"WHEN '{level.value}' THEN {rank}" for level, rank in LEVEL_RANK.items())
)

# The areas covering the point on the day, found through the pieces of their boundaries
# (AreaPiece): the GiST index on the pieces picks the one or two small pieces that can hold the
# point, and the exact test reads and tests a few hundred vertices instead of whole boundaries of
# up to 35,386 (the province): a quarter of the database's work (docs/benchmarks.md, "Filing in
# one process (issue 9)"). ST_Covers so a point on a boundary still finds its areas; an area whose
# pieces hold the point twice (on the cut between two of them) is one area (IN, a semi-join).
_AREAS_CTE = f"""
    area AS (
        SELECT {model_columns(Area, _AREA_FIELD_NAMES, table="wards_area")}, {_LEVEL_RANK_SQL} AS level_rank
        FROM wards_area
        WHERE id IN (
            SELECT area_id FROM wards_areapiece
            WHERE ST_Covers(piece, ST_GeomFromEWKB(%(point)s))
        )
          AND {valid_on("day")}
    )
"""

_AREAS_CONTAINING_POINT_SQL = f"""
    WITH {_AREAS_CTE}
    SELECT {model_columns(Area, _AREA_FIELD_NAMES, table="area")} FROM area ORDER BY level_rank, code
"""

# One round trip for the whole decision: the areas, the most specific rule on any of them
# (lowest level first, then a rule for the category before a rule for every category), and
# the first area's People's Committee, which answers only when no rule does. Every row carries
# the same rule and agency columns beside its area. The committee is found from the units with
# jurisdiction over the commune (the index on the jurisdictions' area, materialized first):
# prepared, the statement's generic plan otherwise scanned every agency and probed its
# jurisdictions, 0.09 ms of a filing's 0.16 ms of routing with 129 agencies, and growing with
# the agencies of a national deployment.
_ROUTE_POINT_SQL = f"""
    WITH {_AREAS_CTE},
    best_rule AS (
        SELECT {model_columns(RoutingRule, _RULE_FIELD_NAMES, table="routing_rule")}
        FROM wards_routingrule routing_rule
        JOIN area ON area.id = routing_rule.area_id
        JOIN wards_agency agency ON agency.id = routing_rule.agency_id
        WHERE routing_rule.category_code IN (%(category_code)s, '') AND agency.is_active
        ORDER BY area.level_rank, routing_rule.category_code = '', area.code
        LIMIT 1
    ),
    commune_units AS MATERIALIZED (
        SELECT agency_id
        FROM wards_agency_jurisdiction
        WHERE area_id = (SELECT id FROM area ORDER BY level_rank, code LIMIT 1)
    ),
    committee AS (
        SELECT agency.id
        FROM commune_units
        JOIN wards_agency agency ON agency.id = commune_units.agency_id
        WHERE agency.kind = %(committee_kind)s AND agency.is_active
        ORDER BY agency.id
        LIMIT 1
    )
    SELECT {model_columns(Area, _AREA_FIELD_NAMES, table="area")},
           {model_columns(RoutingRule, _RULE_FIELD_NAMES, table="best_rule")},
           {model_columns(Agency, _AGENCY_FIELD_NAMES, table="agency")}
    FROM area
    LEFT JOIN best_rule ON true
    LEFT JOIN wards_agency agency
        ON agency.id = COALESCE(best_rule.agency_id, (SELECT id FROM committee))
    ORDER BY area.level_rank, area.code
"""


def _point_parameters(point: Point, on: datetime.date) -> SqlParameters:
    geometry: GEOSGeometry = point
    if point.srid not in (None, 4326):
        geometry = point.transform(4326, clone=True)
    elif point.srid is None:
        geometry = Point(point.x, point.y, srid=4326)  # as the ORM does: the field's SRID
    return {"point": bytes(geometry.ewkb), "day": on}


def _area_summary(row: tuple[Any, ...]) -> Area:
    return Area.from_db(connection.alias, _AREA_FIELD_NAMES, row[: len(_AREA_FIELD_NAMES)])


def _require_commune(areas: list[Area], *, point: Point, on: datetime.date) -> None:
    if not areas or areas[0].level != AreaLevel.COMMUNE:
        raise PointOutsideTerritory(
            _(
                "Vị trí (%(lat).6f, %(lon).6f) nằm ngoài địa bàn phục vụ vào ngày %(date)s. "
                "Hãy chọn một điểm trong tỉnh Quảng Ngãi."
            )
            % {"lat": point.y, "lon": point.x, "date": on.strftime("%d/%m/%Y")}
        )


def area_get(*, area_id: int) -> Area:
    try:
        return Area.objects.select_related("parent").get(pk=area_id)
    except Area.DoesNotExist:
        raise NotFound(_("Không tìm thấy đơn vị hành chính số %(id)s.") % {"id": area_id}) from None


def area_children(*, area: Area) -> list[Area]:
    return list(area.children.only(*AREA_SUMMARY_FIELDS).order_by("code"))


def area_neighbours(*, area: Area) -> list[Area]:
    """Areas of the same level whose validity overlaps `area`'s and whose boundaries touch it."""
    overlapping = Area.objects.filter(level=area.level).exclude(pk=area.pk)
    if area.valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=area.valid_to)
    overlapping = overlapping.exclude(valid_to__lt=area.valid_from)
    return list(
        overlapping.filter(boundary__intersects=area.boundary)
        .only(*AREA_SUMMARY_FIELDS)
        .order_by("code")
    )


def area_successions(*, area: Area) -> list[AreaSuccession]:
    return list(area.successions.select_related("successor").order_by("successor__code"))


def area_predecessions(*, area: Area) -> list[AreaSuccession]:
    return list(area.predecessions.select_related("predecessor").order_by("predecessor__code"))


def areas_feature_collection(
    *,
    on: datetime.date,
    level: str | None = None,
    parent_id: int | None = None,
    jurisdiction_of: Sequence[int] | None = None,
    simplify_metres: float = 0.0,
) -> str:
    """The areas valid on `on` as a GeoJSON FeatureCollection string, assembled in PostgreSQL;
    only those of `level`, under `parent_id`, or in the jurisdiction of the agencies
    `jurisdiction_of`, when given.

    Built with json_build_object/ST_AsGeoJSON rather than a serializer: at thousands of features
    a per-row Python serializer is tens of times slower. Simplification happens in VN-2000 /
    UTM 48N (EPSG:3405) so the tolerance is in metres.
    """
    conditions = [valid_on("on")]
    parameters: SqlParameters = {"on": on, "tolerance": simplify_metres}
    if level:
        conditions.append("level = %(level)s")
        parameters["level"] = level
    if parent_id is not None:
        conditions.append("parent_id = %(parent_id)s")
        parameters["parent_id"] = parent_id
    if jurisdiction_of is not None:
        conditions.append(
            "id IN (SELECT area_id FROM wards_agency_jurisdiction "
            "WHERE agency_id = ANY(%(agency_ids)s))"
        )
        parameters["agency_ids"] = sorted(jurisdiction_of)
    # ST_Multi: simplifying a one-part MultiPolygon returns a Polygon, and clients expect one type.
    geometry = (
        "ST_Multi(ST_Transform(ST_SimplifyPreserveTopology("
        "ST_Transform(boundary, 3405), %(tolerance)s), 4326))"
        if simplify_metres > 0
        else "boundary"
    )
    area_feature = feature(
        feature_id="id",
        geometry=geometry,
        properties=(
            "'code', code, 'name', name, 'type', area_type, 'level', level, "
            "'parent_id', parent_id, 'valid_from', valid_from, 'valid_to', valid_to, "
            "'area_km2', round(area_km2::numeric, 2), 'is_approximate', is_approximate"
        ),
    )
    # Raw SQL because the ORM cannot aggregate rows into one JSON document; every value is
    # passed as a parameter and the only interpolated text is chosen above, never user input.
    sql = f"""
        SELECT {feature_collection(area_feature, order_by="code")}::text
        FROM wards_area
        WHERE {" AND ".join(conditions)}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        document: str = cursor.fetchone()[0]
    return document


def agencies_by_code(*, codes: Sequence[str]) -> dict[str, Agency]:
    """The active agencies among `codes`, by code; unknown or inactive codes are absent, for the
    caller to name in its own error (an import names the row)."""
    return {
        agency.code: agency for agency in Agency.objects.filter(code__in=set(codes), is_active=True)
    }


def area_commune_on(*, code: str, on: datetime.date) -> Area | None:
    """The commune-level area with `code` valid on `on` (the same code names another area on
    the other side of the 2025 reform), or None."""
    return Area.objects.on(on).filter(code=code, level=AreaLevel.COMMUNE).first()


def agencies_list(*, on: datetime.date | None = None) -> list[dict[str, Any]]:
    """Active agencies with the code of the area they serve (their first area valid on `on`,
    today when omitted) and that area's validity: what other apps show and route to."""
    from geoapp.clock import vietnam_today

    day = on or vietnam_today()
    with connection.cursor() as cursor:
        # One statement: the agency list is read by every desk page and the public API.
        cursor.execute(
            """
            SELECT agency.code, agency.name, agency.kind, area.code, area.valid_from, area.valid_to
            FROM wards_agency agency
            LEFT JOIN LATERAL (
                SELECT a.code, a.valid_from, a.valid_to
                FROM wards_agency_jurisdiction j JOIN wards_area a ON a.id = j.area_id
                WHERE j.agency_id = agency.id AND a.valid_from <= %s
                  AND (a.valid_to IS NULL OR a.valid_to >= %s)
                ORDER BY a.code LIMIT 1
            ) area ON true
            WHERE agency.is_active
            ORDER BY agency.code
            """,
            [day, day],
        )
        rows = cursor.fetchall()
    return [
        {
            "code": code,
            "name": name,
            "kind": kind,
            "area_code": area_code,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        for code, name, kind, area_code, valid_from, valid_to in rows
    ]


def agency_get_by_code(*, code: str) -> Agency | None:
    return Agency.objects.filter(code=code, is_active=True).first()


def agency_area_on(*, agency_id: int, on: datetime.date) -> Area | None:
    """The first area an agency serves on a date (its commune, for a People's Committee)."""
    return Area.objects.on(on).filter(agencies__id=agency_id).only("id", "code", "name").first()


# agency_area_on as a scalar subquery, for a statement that routes in the same round trip as it
# reads other rows (a dossier's receipt): `{agency}` is the SQL of the agency's id, `%(on)s` the
# date. The same rule: areas valid on the date, the first by Area's ordering (code, valid_from);
# tests/procedures check both give the same area on either side of the 2025 reform.
AGENCY_AREA_ON_SQL: Final = """(
    SELECT a.id FROM wards_agency_jurisdiction j JOIN wards_area a ON a.id = j.area_id
    WHERE j.agency_id = {agency} AND a.valid_from <= %(on)s
      AND (a.valid_to IS NULL OR a.valid_to >= %(on)s)
    ORDER BY a.code, a.valid_from LIMIT 1
)"""


def areas_with_codes(*, codes: Sequence[str]) -> dict[str, list[Area]]:
    """Every area (of any period) bearing one of `codes`, without boundaries, by code, oldest
    first: the periods decide which one a dated record means."""
    found: dict[str, list[Area]] = {}
    for area in (
        Area.objects.filter(code__in=sorted(set(codes)))
        .only(*AREA_SUMMARY_FIELDS)
        .order_by("code", "valid_from")
    ):
        found.setdefault(area.code, []).append(area)
    return found
