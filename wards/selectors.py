"""Reads of administrative areas: point lookup, routing, hierarchy and GeoJSON collections."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection
from django.utils.translation import gettext as _

from geoapp.exceptions import NotFound
from wards.models import LEVEL_RANK, Agency, AgencyKind, Area, AreaLevel, RoutingRule

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

    Raises PointOutsideTerritory when no commune-level area covers the point: the point is
    outside the served territory on that date (or in a gap between imported boundaries).
    """
    areas = list(Area.objects.containing(point, on=on).only(*AREA_SUMMARY_FIELDS))
    if not areas or areas[0].level != AreaLevel.COMMUNE:
        raise PointOutsideTerritory(
            _(
                "Vị trí (%(lat).6f, %(lon).6f) nằm ngoài địa bàn phục vụ vào ngày %(date)s. "
                "Hãy chọn một điểm trong tỉnh Quảng Ngãi."
            )
            % {"lat": point.y, "lon": point.x, "date": on.strftime("%d/%m/%Y")}
        )
    return areas


def route_point(*, point: Point, category_code: str, on: datetime.date) -> Routing:
    """The chain of areas covering `point` on `on` and the agency responsible for `category_code`.

    The most specific routing rule wins (commune before district before province; a rule for the
    category before a rule for every category); with no rule, the commune's People's Committee.
    """
    areas = areas_containing_point(point=point, on=on)
    rank_of_area = {area.id: LEVEL_RANK[AreaLevel(area.level)] for area in areas}
    rules = RoutingRule.objects.filter(
        area_id__in=rank_of_area, category_code__in={category_code, ""}, agency__is_active=True
    ).select_related("agency")
    best_rule = min(
        rules,
        key=lambda rule: (rank_of_area[rule.area_id], rule.category_code == ""),
        default=None,
    )
    if best_rule is not None:
        return Routing(areas=areas, agency=best_rule.agency, rule=best_rule)

    commune = areas[0]
    peoples_committee = (
        Agency.objects.filter(
            kind=AgencyKind.PEOPLES_COMMITTEE, jurisdiction=commune, is_active=True
        )
        .order_by("id")
        .first()
    )
    if peoples_committee is None:
        raise NoResponsibleAgency(
            _("Chưa có đơn vị xử lý cho %(area)s; quản trị viên cần khai báo Ủy ban nhân dân.")
            % {"area": commune.name}
        )
    return Routing(areas=areas, agency=peoples_committee, rule=None)


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


def area_successions(*, area: Area) -> list:
    return list(area.successions.select_related("successor").order_by("successor__code"))


def area_predecessions(*, area: Area) -> list:
    return list(area.predecessions.select_related("predecessor").order_by("predecessor__code"))


def areas_feature_collection(
    *,
    on: datetime.date,
    level: str | None = None,
    parent_id: int | None = None,
    simplify_metres: float = 0.0,
) -> str:
    """The areas valid on `on` as a GeoJSON FeatureCollection string, assembled in PostgreSQL.

    Built with json_build_object/ST_AsGeoJSON rather than a serializer: at thousands of features
    a per-row Python serializer is tens of times slower. Simplification happens in VN-2000 /
    UTM 48N (EPSG:3405) so the tolerance is in metres.
    """
    conditions = ["valid_from <= %(on)s", "(valid_to IS NULL OR valid_to >= %(on)s)"]
    parameters: dict[str, object] = {"on": on, "tolerance": simplify_metres}
    if level:
        conditions.append("level = %(level)s")
        parameters["level"] = level
    if parent_id is not None:
        conditions.append("parent_id = %(parent_id)s")
        parameters["parent_id"] = parent_id
    # ST_Multi: simplifying a one-part MultiPolygon returns a Polygon, and clients expect one type.
    geometry = (
        "ST_Multi(ST_Transform(ST_SimplifyPreserveTopology("
        "ST_Transform(boundary, 3405), %(tolerance)s), 4326))"
        if simplify_metres > 0
        else "boundary"
    )
    # Raw SQL because the ORM cannot aggregate rows into one JSON document; every value is
    # passed as a parameter and the only interpolated text is chosen above, never user input.
    sql = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature',
                'id', id,
                'geometry', ST_AsGeoJSON({geometry}, 6)::json,
                'properties', json_build_object(
                    'code', code, 'name', name, 'type', area_type, 'level', level,
                    'parent_id', parent_id, 'valid_from', valid_from, 'valid_to', valid_to,
                    'area_km2', round(area_km2::numeric, 2), 'is_approximate', is_approximate
                )
            ) ORDER BY code), '[]'::json)
        )::text
        FROM wards_area
        WHERE {" AND ".join(conditions)}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]
