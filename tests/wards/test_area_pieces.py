"""The pieces of the areas' boundaries (AreaPiece) that routing looks points up in.

Two made-up communes share a jagged border of 2,000 vertices, so that their boundaries are cut
into many pieces: a point beside that border, on it, or on a cut between two pieces must be
routed exactly as the whole boundaries route it.
"""

from __future__ import annotations

import datetime
import importlib
from pathlib import Path
from typing import Any

import geopandas
import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import F
from shapely.geometry import MultiPolygon, Polygon, box

from wards import services
from wards.boundary_import import areas_import
from wards.geometry import ellipsoidal_area_km2
from wards.models import AREA_PIECE_MAX_VERTICES, AgencyKind, Area, AreaLevel, AreaPiece, AreaType
from wards.selectors import PointOutsideTerritory, areas_containing_point, route_point

REFORM_DAY = datetime.date(2025, 7, 1)
ON = datetime.date(2026, 3, 2)
BORDER_VERTICES = 2_000
SOUTH, NORTH = 15.0, 15.2
# The border zigzags 0.002° (about 200 m) either side of 108.8°E, a vertex every 0.0001°.
BORDER = [
    (108.8 + (0.002 if index % 2 else -0.002), SOUTH + (NORTH - SOUTH) * index / BORDER_VERTICES)
    for index in range(BORDER_VERTICES + 1)
]
WEST = Polygon([(108.7, SOUTH), *BORDER, (108.7, NORTH)])
EAST = Polygon([(108.9, SOUTH), (108.9, NORTH), *reversed(BORDER)])


def commune(code: str, name: str, boundary: Polygon, parent: Area) -> Area:
    area = services.area_create(
        code=code, name=name, area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=boundary, valid_from=REFORM_DAY, parent=parent,
    )  # fmt: skip
    services.agency_create(
        code=f"ubnd-{code}", name=f"Ủy ban nhân dân {name}",
        kind=AgencyKind.PEOPLES_COMMITTEE, jurisdiction=[area],
    )  # fmt: skip
    return area


@pytest.fixture
def province(db: None) -> Area:
    return services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(108.0, 14.5, 109.5, 15.5), valid_from=REFORM_DAY,
    )  # fmt: skip


@pytest.fixture
def jagged_communes(province: Area) -> tuple[Area, Area]:
    return (
        commune("21025", "Phường Cẩm Thành", WEST, province),
        commune("21034", "Xã An Phú", EAST, province),
    )


def pieces_of(area: Area) -> dict[str, Any]:
    """How the area's pieces cover its boundary: their count, their largest vertex count, and
    the area (in square degrees) where the pieces' union and the boundary differ."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), max(ST_NPoints(piece.piece)),
                   ST_Area(ST_SymDifference(ST_Union(piece.piece), area.boundary))
            FROM wards_areapiece piece JOIN wards_area area ON area.id = piece.area_id
            WHERE area.id = %s
            GROUP BY area.boundary
            """,
            [area.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return {"count": 0}
    count, largest, difference = row
    return {"count": count, "largest": largest, "difference": difference}


def whole_boundary_answer(point: Point) -> list[int]:
    """The ids of the areas whose whole boundary covers `point` on ON, lowest level first: the
    answer routing gave before the pieces."""
    return [
        area.pk
        for area in Area.objects.on(ON)
        .filter(boundary__covers=point)
        # The communes (with a parent), then the province.
        .order_by(F("parent_id").asc(nulls_last=True), "code")
    ]


def routed(point: Point) -> list[int]:
    return [area.pk for area in route_point(point=point, category_code="", on=ON).areas]


def test_a_long_boundary_is_cut_into_small_pieces_that_cover_it_exactly(jagged_communes, province):
    west, east = jagged_communes

    for area in (west, east):
        pieces = pieces_of(area)
        assert pieces["count"] >= BORDER_VERTICES // AREA_PIECE_MAX_VERTICES
        assert pieces["largest"] <= AREA_PIECE_MAX_VERTICES
        assert pieces["difference"] < 1e-12
    assert pieces_of(province) == {"count": 1, "largest": 5, "difference": 0.0}


def test_points_beside_on_and_across_the_cuts_are_routed_as_the_whole_boundaries_route_them(
    jagged_communes, province
):
    west, east = jagged_communes
    points = []
    # Beside the border (1e-7°, about a centimetre, either side of every 10th vertex) and on it.
    for longitude, latitude in BORDER[1:-1:10]:
        for offset in (-1e-7, 0.0, 1e-7):
            points.append(Point(longitude + offset, latitude, srid=4326))
    # On the cuts inside each commune: the middle of every edge of a piece that is not on the
    # commune's boundary, which two pieces of the same commune share.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_X(middle), ST_Y(middle)
            FROM (
                SELECT ST_LineInterpolatePoint((ST_DumpSegments(piece.piece)).geom, 0.5) AS middle,
                       area.boundary
                FROM wards_areapiece piece JOIN wards_area area ON area.id = piece.area_id
                WHERE area.id IN (%s, %s)
            ) edge
            WHERE ST_Distance(middle, ST_Boundary(boundary)) > 1e-6
            """,
            [west.pk, east.pk],
        )
        cuts = cursor.fetchall()
    assert len(cuts) >= 20
    points += [Point(longitude, latitude, srid=4326) for longitude, latitude in cuts]

    answers = {(point.x, point.y): routed(point) for point in points}

    assert answers == {(point.x, point.y): whole_boundary_answer(point) for point in points}
    on_the_border = [answers[(x, y)] for x, y in BORDER[1:-1:10]]
    assert on_the_border == [[west.pk, east.pk, province.pk]] * len(on_the_border)
    beside = {tuple(answers[(x - 1e-7, y)]) for x, y in BORDER[1:-1:10]} | {
        tuple(answers[(x + 1e-7, y)]) for x, y in BORDER[1:-1:10]
    }
    assert beside == {(west.pk, province.pk), (east.pk, province.pk)}


def test_replacing_a_boundary_replaces_its_pieces(jagged_communes):
    west, _east = jagged_communes
    old_pieces = set(AreaPiece.objects.filter(area=west).values_list("id", flat=True))
    near_the_old_western_edge = Point(108.71, 15.1, srid=4326)
    assert routed(near_the_old_western_edge)[0] == west.pk

    services.area_replace_boundary(
        area=west, name=west.name, boundary=Polygon([(108.72, SOUTH), *BORDER, (108.72, NORTH)]),
        source="test",
    )  # fmt: skip

    assert not AreaPiece.objects.filter(id__in=old_pieces).exists()
    assert pieces_of(west)["difference"] < 1e-12
    with pytest.raises(PointOutsideTerritory):
        route_point(point=near_the_old_western_edge, category_code="", on=ON)


def test_an_import_cuts_the_boundaries_it_stores_and_a_dry_run_leaves_the_pieces(
    province, tmp_path: Path
):
    def import_west(boundary: Polygon, *, commit: bool) -> None:
        path = tmp_path / f"west-{boundary.bounds[0]}.geojson"
        geopandas.GeoDataFrame(
            {"code": ["21025"], "fullName": ["Phường Cẩm Thành"]},
            geometry=[boundary],
            crs="EPSG:4326",
        ).to_file(path, engine="pyogrio")
        areas_import(
            path=path, level=AreaLevel.COMMUNE, valid_from=REFORM_DAY, name_field="fullName",
            parent_code="51", commit=commit,
        )  # fmt: skip

    import_west(WEST, commit=True)
    west = Area.objects.get(code="21025")
    first_pieces = sorted(AreaPiece.objects.filter(area=west).values_list("id", flat=True))
    assert pieces_of(west)["count"] == len(first_pieces) > 1
    assert pieces_of(west)["difference"] < 1e-12

    moved = Polygon([(108.72, SOUTH), *BORDER, (108.72, NORTH)])
    import_west(moved, commit=False)
    assert sorted(AreaPiece.objects.filter(area=west).values_list("id", flat=True)) == first_pieces

    import_west(moved, commit=True)
    assert not AreaPiece.objects.filter(id__in=first_pieces).exists()
    west.refresh_from_db()
    assert pieces_of(west)["difference"] < 1e-12
    assert areas_containing_point(point=Point(108.73, 15.1, srid=4326), on=ON)[0] == west
    with pytest.raises(PointOutsideTerritory):
        areas_containing_point(point=Point(108.71, 15.1, srid=4326), on=ON)


def test_the_migration_cuts_the_boundaries_already_stored_and_its_reverse_removes_the_pieces(
    jagged_communes, province
):
    fill = importlib.import_module("wards.migrations.0004_area_pieces_fill")

    def pieces() -> list[tuple[int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT area_id, ST_AsEWKT(piece) FROM wards_areapiece ORDER BY area_id, 2"
            )
            return cursor.fetchall()

    written_by_the_services = pieces()
    with connection.cursor() as cursor:
        cursor.execute(fill.AREA_PIECES_EMPTY_SQL)
        assert pieces() == []
        cursor.execute(fill.AREA_PIECES_FILL_SQL)

    assert pieces() == written_by_the_services


def test_a_boundary_edited_in_the_admin_is_cut_again(admin_client, jagged_communes):
    west, _east = jagged_communes
    old_pieces = set(AreaPiece.objects.filter(area=west).values_list("id", flat=True))
    moved = Polygon([(108.72, SOUTH), *BORDER, (108.72, NORTH)])

    response = admin_client.post(
        f"/admin/wards/area/{west.pk}/change/",
        {
            "code": west.code, "name": west.name, "area_type": west.area_type,
            "level": west.level, "parent": west.parent_id, "valid_from": "2025-07-01",
            "valid_to": "", "boundary": f"SRID=4326;{MultiPolygon([moved]).wkt}", "source": "drawn",
        },
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    west.refresh_from_db()
    assert not AreaPiece.objects.filter(id__in=old_pieces).exists()
    assert pieces_of(west)["difference"] < 1e-12
    assert round(west.area_km2, 1) == round(ellipsoidal_area_km2(moved), 1)
    with pytest.raises(PointOutsideTerritory):
        areas_containing_point(point=Point(108.71, 15.1, srid=4326), on=ON)
