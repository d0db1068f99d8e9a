"""The leaders' hotspot map on vector tiles (issue 14): /tiles/hotspots/{z}/{x}/{y}.pbf holds
the hotspot summary's hexagons and counts for the dashboard's filters, for leaders only, and a
new report makes the cached tiles unreachable; the dashboard switches to the tiles above
settings.IOC_HOTSPOT_TILES_ABOVE."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from pytest_django import Settings

from geoapp.clock import vietnam_today
from incidents import services
from incidents.models import IncidentHotspotCell, IncidentMapChange
from incidents.operations_selectors import hotspot_hexagons
from incidents.summaries import summaries_fold_map_changes
from ioc.hotspot_tiles import HotspotQuery, hotspot_overview
from tests.incidents.conftest import AN_PHU_POINT, FileReport
from tests.ioc.conftest import Reports

pytestmark = pytest.mark.django_db


def tile_of(longitude: float, latitude: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    radians = math.radians(latitude)
    x = int((longitude + 180) / 360 * n)
    y = int((1 - math.log(math.tan(radians) + 1 / math.cos(radians)) / math.pi) / 2 * n)
    return z, x, y


CITY_TILE = tile_of(108.80, 15.05, 9)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hexagons_in(client: Client, z: int, x: int, y: int, query: str = "") -> dict[tuple, int]:
    response = client.get(f"/tiles/hotspots/{z}/{x}/{y}.pbf{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Cache-Control"].startswith("private")
    decoded = mapbox_vector_tile.decode(response.content)
    found = decoded["hotspots"]["features"] if "hotspots" in decoded else []
    for feature in found:
        assert feature["geometry"]["type"] == "Polygon"
        assert len(feature["geometry"]["coordinates"][0]) == 7  # six corners, closed
    return {(f["properties"]["column"], f["properties"]["row"]): f["properties"]["reports"]
            for f in found}  # fmt: skip


def test_a_tile_holds_every_hexagon_of_the_period_with_its_count(
    reports: Reports, leader: User
) -> None:
    today = vietnam_today()
    found = hexagons_in(signed_in(leader), *CITY_TILE)

    expected = hotspot_hexagons(date_from=today, date_to=today)
    assert found == {(h.column, h.row): h.reports for h in expected}
    # Six reports 2 km apart in Cẩm Thành, four on one point in An Phú.
    assert sorted(found.values()) == [1, 1, 1, 1, 1, 1, 4]


def test_the_filters_narrow_the_tile_to_a_commune_and_a_period(
    reports: Reports, leader: User
) -> None:
    client = signed_in(leader)

    assert list(hexagons_in(client, *CITY_TILE, "?area=21034").values()) == [4]
    yesterday = vietnam_today().toordinal() - 1
    day = vietnam_today().fromordinal(yesterday).isoformat()
    assert hexagons_in(client, *CITY_TILE, f"?from={day}&to={day}") == {}
    # A tile far from the reports is empty.
    assert hexagons_in(client, *tile_of(105.0, 21.0, 9)) == {}


def test_a_new_report_makes_the_cached_tile_unreachable(
    reports: Reports, leader: User, file_report: FileReport
) -> None:
    client = signed_in(leader)
    before = hexagons_in(client, *CITY_TILE, "?area=21034")
    assert list(before.values()) == [4]
    assert hexagons_in(client, *CITY_TILE, "?area=21034") == before  # from the cache

    file_report(point=AN_PHU_POINT)

    assert list(hexagons_in(client, *CITY_TILE, "?area=21034").values()) == [5]


def sequence_value() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM ioc_hotspot_tiles_version")
        return int(cursor.fetchone()[0])


def test_the_tiles_are_exact_before_the_fold_and_the_same_after_it(
    reports: Reports, leader: User, file_report: FileReport
) -> None:
    client = signed_in(leader)
    today = vietnam_today()
    query = HotspotQuery(date_from=today, date_to=today, category_id=None, area_ids=None)
    # The fixture's ten reports are all pending: the summary has no row yet.
    assert IncidentHotspotCell.objects.count() == 0
    pending_tile = client.get(f"/tiles/hotspots/{'/'.join(map(str, CITY_TILE))}.pbf").content
    pending_overview = hotspot_overview(query=query)
    assert sorted(hexagons_in(client, *CITY_TILE).values()) == [1, 1, 1, 1, 1, 1, 4]
    assert pending_overview.hexagons == 7

    # (the fixture's filings, and its updates as the reports were and are)
    pending = IncidentMapChange.objects.count()
    assert summaries_fold_map_changes() == pending
    assert not IncidentMapChange.objects.exists()
    assert IncidentHotspotCell.objects.count() == 7

    folded_tile = client.get(f"/tiles/hotspots/{'/'.join(map(str, CITY_TILE))}.pbf").content
    assert folded_tile == pending_tile
    assert hotspot_overview(query=query) == pending_overview


def test_the_tiles_version_moves_with_the_hotspot_rows_not_with_each_filing(
    reports: Reports, leader: User, file_report: FileReport, administrator: User
) -> None:
    summaries_fold_map_changes()
    version = sequence_value()

    filed = file_report(point=AN_PHU_POINT).incident
    # A filing writes no hotspot row: the sequence stays, the tiles' key moves with the
    # pending change and the tile counts it.
    assert sequence_value() == version
    assert list(hexagons_in(signed_in(leader), *CITY_TILE, "?area=21034").values()) == [5]

    # The fold writes the hexagon's row: the sequence moves.
    assert summaries_fold_map_changes() == 1
    assert sequence_value() > version
    version = sequence_value()

    # A step that changes nothing the hotspots count (the status) is pending for the grids;
    # its fold, and a fold of nothing, leave the hexagons and the sequence as they were.
    rows = sorted(IncidentHotspotCell.objects.values_list("id", "reports"))
    services.incident_acknowledge(actor=administrator, incident=filed)
    assert IncidentMapChange.objects.count() == 2
    assert summaries_fold_map_changes() == 2
    assert summaries_fold_map_changes() == 0
    assert sorted(IncidentHotspotCell.objects.values_list("id", "reports")) == rows
    assert sequence_value() == version


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("?layer=hotspots", 400, "InvalidParameterValue"),
        ("?from=2999-01-01", 400, "InvalidParameterValue"),
        ("?from=hom-qua", 400, "InvalidParameterValue"),
        ("?category=khong-co", 404, "NotFound"),
        ("?area=99999", 404, "NotFound"),
    ],
)
def test_bad_filters_are_refused_with_their_reason(
    reports: Reports, leader: User, query: str, status: int, code: str
) -> None:
    response = signed_in(leader).get(f"/tiles/hotspots/{'/'.join(map(str, CITY_TILE))}.pbf{query}")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["description"]


@pytest.mark.parametrize("path", ["4/12/7.pbf", "9/512/0.pbf", "19/0/0.pbf"])
def test_tiles_outside_the_range_are_refused(reports: Reports, leader: User, path: str) -> None:
    response = signed_in(leader).get(f"/tiles/hotspots/{path}")

    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"


def test_only_those_who_see_the_dashboard_get_the_tiles(
    reports: Reports, officer_a: User, leader: User
) -> None:
    path = f"/tiles/hotspots/{'/'.join(map(str, CITY_TILE))}.pbf"
    cells = IncidentHotspotCell.objects.count()

    for client in (Client(), signed_in(officer_a)):
        for url in (path, "/tiles/hotspots.json"):
            response = client.get(url)
            assert response.status_code == 403
            assert response.json()["code"] == "Forbidden"
            assert b"hotspots\x12" not in response.content
    assert IncidentHotspotCell.objects.count() == cells
    assert signed_in(leader).get(path).status_code == 200


def test_the_tilejson_names_the_layer_and_carries_the_filters(
    reports: Reports, leader: User
) -> None:
    document = signed_in(leader).get("/tiles/hotspots.json?area=21034").json()

    assert document["tiles"] == ["http://testserver/tiles/hotspots/{z}/{x}/{y}.pbf?area=21034"]
    assert document["vector_layers"] == [
        {"id": "hotspots", "fields": {"column": "Number", "row": "Number", "reports": "Number"}}
    ]
    assert (document["minzoom"], document["maxzoom"]) == (5, 18)


def test_the_dashboard_switches_to_the_tiles_above_the_threshold(
    reports: Reports, leader: User, settings: Settings
) -> None:
    client = signed_in(leader)

    settings.IOC_HOTSPOT_TILES_ABOVE = 10  # ten reports today: not above
    below = client.get("/dieu-hanh/").content.decode()
    assert below.count('class="hexagon"') == 7
    assert "ioc-hotspot-map" not in below and "ioc_hotspot_map.js" not in below

    settings.IOC_HOTSPOT_TILES_ABOVE = 9
    response = client.get("/dieu-hanh/")
    above = response.content.decode()
    assert 'class="hexagon"' not in above
    assert response.context["dashboard"].hexagons == []
    overview = response.context["dashboard"].hotspot_tiles
    assert overview.hexagons == 7
    assert overview.bounds == (1, 1, 1, 1)
    today = vietnam_today().isoformat()
    assert f'data-hotspot-tiles-url="/tiles/hotspots/{{z}}/{{x}}/{{y}}.pbf?from={today}' in above
    assert "js/ioc_hotspot_map.js" in above
