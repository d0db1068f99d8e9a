"""The communes' outlines kept ready for the low-zoom tiles (migration opendata 0007): the tiles
read from them hold exactly what the same tiles built from the public view hold, and the
triggers on `wards_area` keep them so through every kind of write."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import mapbox_vector_tile
import pytest
from django.db import connection
from shapely.geometry import box

from geoapp.sql import array_literal
from indicators.selectors.choropleth import AreaClasses
from opendata import tile_selectors
from tests.conftest import Territory
from tests.opendata.test_tiles import tile_of
from wards import services
from wards.demo_territory import demo_territory_load
from wards.models import Area, AreaLevel, AreaType

pytestmark = pytest.mark.django_db

DAY_AFTER_REFORM = datetime.date(2025, 7, 1)
DAY_BEFORE_REFORM = datetime.date(2025, 6, 30)
LOW_ZOOMS = range(tile_selectors.TILE_OUTLINES_UNTIL_ZOOM + 1)


def decoded(tile: bytes, layer: str) -> list[tuple[tuple[tuple[str, Any], ...], str]]:
    """The tile's features as sorted (properties, geometry's text) pairs: ST_AsMVT's order is
    the scan's."""
    layers = mapbox_vector_tile.decode(tile)
    features = layers[layer]["features"] if layer in layers else []
    return sorted((tuple(sorted(f["properties"].items())), repr(f["geometry"])) for f in features)


def tiles_covering(
    west: float, south: float, east: float, north: float
) -> list[tuple[int, int, int]]:
    """Every tile of every low zoom that the box reaches."""
    tiles = []
    for zoom in LOW_ZOOMS:
        _, west_x, north_y = tile_of(west, north, zoom)
        _, east_x, south_y = tile_of(east, south, zoom)
        tiles += [
            (zoom, x, y) for x in range(west_x, east_x + 1) for y in range(north_y, south_y + 1)
        ]
    return tiles


def both_ways(z: int, x: int, y: int, day: datetime.date, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """The commune and choropleth tiles as read from the outlines kept ready, and as built from
    the public view (with no zoom reading the outlines kept ready)."""
    areas = _every_commune_classed()

    def tiles() -> tuple[list, list]:
        return (
            decoded(tile_selectors.commune_tile(z=z, x=x, y=y, day=day), "xa-phuong"),
            decoded(
                tile_selectors.indicator_tile(z=z, x=x, y=y, day=day, classes=areas),
                "chi-tieu",
            ),
        )

    kept = tiles()
    with monkeypatch.context() as patched:
        patched.setattr(tile_selectors, "TILE_OUTLINES_UNTIL_ZOOM", -1)
        built = tiles()
    return kept, built


def _every_commune_classed() -> AreaClasses:
    """A value, a class and a colour for every code of a commune (once each)."""
    codes = sorted(set(Area.objects.filter(level=AreaLevel.COMMUNE).values_list("code", flat=True)))
    return AreaClasses(
        codes=array_literal(codes),
        values=array_literal(float(index) / 2 for index in range(len(codes))),
        classes=array_literal(index % 5 for index in range(len(codes))),
        colours=array_literal(f"#00000{index % 10}" for index in range(len(codes))),
    )


def kept_rows(area: Area) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT zoom, tile_x, tile_y, code, name, area_type, valid_from, valid_to, "
            "ST_AsEWKB(geometry), xmin::text FROM opendata_commune_tile_outline "
            "WHERE area_id = %s ORDER BY zoom, tile_x, tile_y",
            [area.pk],
        )
        return cursor.fetchall()


def test_the_real_communes_tiles_are_the_same_read_ready_or_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo_territory_load()
    # The province's communes and Lý Sơn island offshore.
    tiles = tiles_covering(107.3, 13.9, 109.2, 15.5)
    codes_at_zoom_7: set[str] = set()
    for z, x, y in tiles:
        for day in (DAY_BEFORE_REFORM, DAY_AFTER_REFORM):
            kept, built = both_ways(z, x, y, day, monkeypatch)
            assert kept == built, (z, x, y, day)
            if z == 7 and day == DAY_AFTER_REFORM:
                codes_at_zoom_7 |= {dict(properties)["code"] for properties, _ in kept[0]}
    communes = Area.objects.on(DAY_AFTER_REFORM).filter(level=AreaLevel.COMMUNE)
    assert codes_at_zoom_7 == set(communes.values_list("code", flat=True))
    assert len(codes_at_zoom_7) == 96


def test_the_outlines_follow_inserts_updates_and_deletes(
    territory: Territory, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept_before = kept_rows(territory.an_phu)
    assert tile_of(108.80, 15.15, 7) in [row[:3] for row in kept_before]

    # A write that changes nothing a tile shows leaves the rows as they were (not even rewritten).
    Area.objects.filter(pk=territory.an_phu.pk).update(area_km2=123.0, source="kiểm tra")
    assert kept_rows(territory.an_phu) == kept_before

    Area.objects.filter(pk=territory.an_phu.pk).update(name="Xã An Phú Mới")
    assert {row[4] for row in kept_rows(territory.an_phu)} == {"Xã An Phú Mới"}
    services.area_replace_boundary(
        area=territory.an_phu, name="Xã An Phú", boundary=box(108.72, 15.1, 108.9, 15.3),
        source="kiểm tra",
    )  # fmt: skip
    assert [row[8] for row in kept_rows(territory.an_phu)] != [row[8] for row in kept_before]
    added = services.area_create(
        code="21040", name="Xã Mới", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.9, 15.0, 109.0, 15.2), valid_from=DAY_AFTER_REFORM,
        parent=territory.province_after,
    )  # fmt: skip
    Area.objects.filter(pk=territory.cam_thanh.pk).update(valid_to=datetime.date(2026, 1, 1))
    for z, x, y in tiles_covering(108.69, 14.99, 109.01, 15.31):
        for day in (DAY_BEFORE_REFORM, DAY_AFTER_REFORM, datetime.date(2026, 1, 2)):
            kept, built = both_ways(z, x, y, day, monkeypatch)
            assert kept == built, (z, x, y, day)
    assert tile_of(108.95, 15.1, 7) in [row[:3] for row in kept_rows(added)]

    Area.objects.filter(pk=added.pk).update(level=AreaLevel.DISTRICT)
    assert kept_rows(added) == []
    Area.objects.filter(pk=territory.nghia_dung.pk).delete()
    assert kept_rows(territory.nghia_dung) == []
    z, x, y = tile_of(108.80, 15.10, 7)
    kept, built = both_ways(z, x, y, DAY_BEFORE_REFORM, monkeypatch)
    assert kept == built
    names = {
        feature["properties"]["name"]
        for feature in mapbox_vector_tile.decode(
            tile_selectors.commune_tile(z=z, x=x, y=y, day=DAY_BEFORE_REFORM)
        )["xa-phuong"]["features"]
    }
    assert names == {"Phường Nguyễn Nghiêm"}


def test_a_truncation_of_the_areas_empties_the_outlines(territory: Territory) -> None:
    with connection.cursor() as cursor:
        # The deferred foreign keys' checks of the fixture's writes first: TRUNCATE refuses a
        # table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE wards_area CASCADE")
        cursor.execute("SELECT count(*) FROM opendata_commune_tile_outline")
        assert cursor.fetchone() == (0,)


def test_the_migration_fills_the_outlines_of_the_communes_stored_and_its_reverse_removes_them(
    territory: Territory,
) -> None:
    migration = importlib.import_module("opendata.migrations.0007_commune_tile_outlines")
    communes = [
        territory.nguyen_nghiem,
        territory.nghia_dung,
        territory.cam_thanh,
        territory.an_phu,
    ]
    written_by_the_triggers = [[row[:-1] for row in kept_rows(area)] for area in communes]
    assert all(written_by_the_triggers)
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKWARD)
        cursor.execute("SELECT to_regclass('opendata_commune_tile_outline')")
        assert cursor.fetchone() == (None,)
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s", ["opendata_commune_tile%"]
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(migration.FORWARD)
    assert [[row[:-1] for row in kept_rows(area)] for area in communes] == written_by_the_triggers
