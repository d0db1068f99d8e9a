"""Vector tiles: decoded with mapbox-vector-tile, they hold the expected features."""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from opendata.services import report_grid_refresh
from tests.conftest import Territory
from tests.opendata.conftest import Reports, _file, vietnam

pytestmark = pytest.mark.django_db


def tile_of(longitude: float, latitude: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((longitude + 180) / 360 * n)
    radians = math.radians(latitude)
    y = int((1 - math.log(math.tan(radians) + 1 / math.cos(radians)) / math.pi) / 2 * n)
    return z, x, y


def features(layer: str, z: int, x: int, y: int, query: str = "") -> list[dict[str, Any]]:
    response = Client().get(f"/tiles/{layer}/{z}/{x}/{y}.mvt{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    return list(decoded[layer]["features"]) if layer in decoded else []


def test_a_street_tile_holds_the_public_reports_with_public_properties(reports: Reports) -> None:
    z, x, y = tile_of(108.80, 15.05, 16)
    found = features("phan-anh", z, x, y)
    first = reports.public[-1]
    assert [feature["properties"]["tracking_code"] for feature in found] == [first.tracking_code]
    assert found[0]["properties"] == {
        "tracking_code": first.tracking_code,
        "category": "giao-thong",
        "status": "new",
        "reported_at": "2025-08-01T09:00:00+07:00",
        "supporters_count": 0,
    }
    # The report that is not public, 0.01° north, and the spam next to it are in no tile.
    private_tile = tile_of(108.80, 15.06, 16)
    codes = {f["properties"]["tracking_code"] for f in features("phan-anh", *private_tile)}
    assert codes.isdisjoint({incident.tracking_code for incident in reports.private})


def test_low_zoom_tiles_count_the_reports_on_the_grid_and_follow_its_refresh(
    reports: Reports,
) -> None:
    z, x, y = tile_of(108.80, 15.10, 8)
    city = tile_of(108.80, 15.09, 11)
    report_grid_refresh()
    assert sum(f["properties"]["report_count"] for f in features("phan-anh", z, x, y)) == 4
    city_before = sum(f["properties"]["report_count"] for f in features("phan-anh", *city))
    _file(Point(108.79, 15.09, srid=4326), vietnam(2025, 12, 1, 9))
    # Served from the cache of the current grid until the grid is counted again.
    assert sum(f["properties"]["report_count"] for f in features("phan-anh", z, x, y)) == 4
    report_grid_refresh()
    assert sum(f["properties"]["report_count"] for f in features("phan-anh", z, x, y)) == 5
    city_after = sum(f["properties"]["report_count"] for f in features("phan-anh", *city))
    assert city_after == city_before + 1
    street = tile_of(108.79, 15.09, 14)
    assert sum(f["properties"]["report_count"] for f in features("phan-anh", *street)) == 1


def test_a_refresh_leaves_the_planner_the_grids_new_statistics(reports: Reports) -> None:
    # ANALYZE sets pg_class.reltuples at once, in this transaction; a refresh alone leaves the
    # statistics of the grid as it was (here: never counted, -1).
    from django.db import connection

    report_grid_refresh()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, (SELECT count(*) FROM opendata_report_grid) FROM pg_class "
            "WHERE relname = 'opendata_report_grid'"
        )
        estimated, counted = cursor.fetchone()
    # Four public reports in four distinct cells at the three finest sizes, two at 0.25°.
    assert (estimated, counted) == (14, 14)


@pytest.mark.parametrize(("z", "index"), [(5, "0_25"), (8, "0_05"), (10, "0_005"), (14, "0_0005")])
def test_a_tile_reads_its_cell_size_through_that_sizes_own_index(z: int, index: str) -> None:
    # Each cell size has its own partial GiST index (migration 0005), which the planner may use
    # only when it can prove the index's condition from the statement. Sequential scans are put
    # aside, as the planner puts them aside on the cells of a million reports.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opendata.tile_selectors import report_tile

    with CaptureQueriesContext(connection) as captured:
        _, x, y = tile_of(108.80, 15.05, z)
        report_tile(z=z, x=x, y=y)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        (statement,) = (q["sql"] for q in captured.captured_queries if "ST_AsMVT" in q["sql"])
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"opendata_report_grid_location_{index} on opendata_report_grid" in plan, plan


def test_the_country_wide_zooms_read_the_quarter_degree_cells(reports: Reports) -> None:
    # The four public reports lie in the same tile at zooms 6 and 7. Snapped to 0.25° (zooms up
    # to 6, migration 0004) three of them share the cell at 108.75°E 15.00°N and the one at
    # 15.15°N rounds to the next row; at 0.05° (zooms 7–9) each has a cell of its own.
    points = [(108.80, 15.05), (108.75, 15.02), (108.85, 15.15), (108.72, 15.08)]
    report_grid_refresh()
    for z, expected in ((6, [1, 3]), (5, [1, 3]), (7, [1, 1, 1, 1])):
        assert {tile_of(*point, z) for point in points} == {tile_of(108.80, 15.05, z)}
        counts = [
            f["properties"]["report_count"]
            for f in features("phan-anh", *tile_of(108.80, 15.05, z))
        ]
        assert sorted(counts) == expected, z


def test_commune_tiles_follow_the_boundaries_of_the_day(territory: Territory) -> None:
    z, x, y = tile_of(108.80, 15.10, 10)
    before = features("xa-phuong", z, x, y, "?ngay=2025-06-30")
    assert sorted(f["properties"]["name"] for f in before) == [
        "Phường Nguyễn Nghiêm",
        "Xã Nghĩa Dũng",
    ]
    after = features("xa-phuong", z, x, y, "?ngay=2025-07-01")
    assert sorted(f["properties"]["name"] for f in after) == ["Phường Cẩm Thành", "Xã An Phú"]


def test_an_unchanged_tile_is_not_sent_again(reports: Reports) -> None:
    path = "/tiles/phan-anh/{}/{}/{}.mvt".format(*tile_of(108.80, 15.05, 14))
    first = Client().get(path)
    assert first["Cache-Control"] == "public, max-age=60"
    again = Client().get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/tiles/phan-anh/21/0/0.mvt", 400, "Ô bản đồ 21/0/0 nằm ngoài phạm vi (mức phóng 0–20)."),
        ("/tiles/phan-anh/3/8/0.mvt", 400, "Ô bản đồ 3/8/0 nằm ngoài phạm vi (mức phóng 0–20)."),
        ("/tiles/ho-so/3/0/0.mvt", 404, "Không có lớp bản đồ “ho-so”."),
        ("/tiles/xa-phuong/3/0/0.mvt?ngay=2025-02-30", 400, "Ngày không hợp lệ: 2025-02-30 (YYYY-MM-DD)."),
    ],
)  # fmt: skip
def test_bad_tiles_are_refused_with_a_clear_message(
    territory: Territory, path: str, status: int, message: str
) -> None:
    response = Client().get(path)
    assert response.status_code == status
    assert response.json()["description"] == message


def test_tilejson_describes_each_layer() -> None:
    document = Client().get("/tiles/phan-anh.json").json()
    assert document["tiles"] == ["http://testserver/tiles/phan-anh/{z}/{x}/{y}.mvt"]
    assert document["vector_layers"][0]["id"] == "phan-anh"
    assert (document["minzoom"], document["maxzoom"]) == (0, 20)
