"""Every write to administrative areas, agencies and routing rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from shapely.geometry.base import BaseGeometry

from wards.geometry import ellipsoidal_area_km2, label_point_of, to_multipolygon
from wards.models import (
    AREA_PIECE_MAX_VERTICES,
    Agency,
    AgencyKind,
    Area,
    AreaLevel,
    AreaSuccession,
    AreaType,
    RoutingRule,
)


@transaction.atomic
def area_create(
    *,
    code: str,
    name: str,
    area_type: AreaType | str,
    level: AreaLevel | str,
    boundary: BaseGeometry,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    parent: Area | None = None,
    is_approximate: bool = False,
    source: str = "",
) -> Area:
    """Store an area; its area in km² and label point are derived from the boundary."""
    area = Area(
        code=code,
        name=name,
        area_type=area_type,
        level=level,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        boundary=to_multipolygon(boundary),
        area_km2=ellipsoidal_area_km2(boundary),
        label_point=label_point_of(boundary),
        is_approximate=is_approximate,
        source=source,
    )
    area.full_clean(exclude=["boundary", "label_point"])
    area.save()
    _area_pieces_replace(area)
    return area


@transaction.atomic
def area_replace_boundary(
    *, area: Area, name: str, boundary: BaseGeometry, source: str, is_approximate: bool = False
) -> Area:
    """Give an existing area (same code and period, same id) a new name and boundary."""
    area.name = name
    area.boundary = to_multipolygon(boundary)
    area.area_km2 = ellipsoidal_area_km2(boundary)
    area.label_point = label_point_of(boundary)
    area.source = source
    area.is_approximate = is_approximate
    area.save()
    _area_pieces_replace(area)
    return area


def _area_pieces_replace(area: Area) -> None:
    """Cut the area's stored boundary into the pieces routing looks points up in (AreaPiece).

    Raw SQL because the cutting is PostGIS's (ST_Subdivide), done where the boundary already is
    rather than shipped to Python and back; ST_Dump makes every piece a Polygon. In the caller's
    transaction: the boundary and its pieces change together or not at all.
    """
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM wards_areapiece WHERE area_id = %s", [area.pk])
        cursor.execute(
            """
            INSERT INTO wards_areapiece (area_id, piece)
            SELECT id, (ST_Dump(ST_Subdivide(boundary, %(max_vertices)s))).geom
            FROM wards_area
            WHERE id = %(area_id)s
            """,
            {"area_id": area.pk, "max_vertices": AREA_PIECE_MAX_VERTICES},
        )


def area_succession_create(
    *, predecessor: Area, successor: Area, effective_on: datetime.date, share: Decimal = Decimal(1)
) -> AreaSuccession:
    succession = AreaSuccession(
        predecessor=predecessor, successor=successor, effective_on=effective_on, share=share
    )
    succession.full_clean()
    succession.save()
    return succession


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: str,
    kind: AgencyKind | str,
    name_en: str = "",
    parent: Agency | None = None,
    jurisdiction: list[Area] | tuple[Area, ...] = (),
    email: str = "",
    phone: str = "",
    address: str = "",
) -> Agency:
    agency = Agency(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        parent=parent,
        email=email,
        phone=phone,
        address=address,
    )
    agency.full_clean()
    agency.save()
    agency.jurisdiction.set(jurisdiction)
    return agency


def routing_rule_create(
    *, area: Area, agency: Agency, category_code: str = "", note: str = ""
) -> RoutingRule:
    rule = RoutingRule(area=area, agency=agency, category_code=category_code, note=note)
    rule.full_clean()
    rule.save()
    return rule
