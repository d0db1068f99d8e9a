"""The public map switches to the vector tiles when the public reports are many: below zoom 16
and with no filter it draws the report grid's tiles (decoded in the page, no library from
outside), and a filter takes it back to the groups of the map's own endpoint."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
import redis
from django.contrib.gis.geos import Point
from playwright.sync_api import Page, expect
from pytest_django import Settings

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import IncidentChannel
from opendata.services import report_grid_refresh
from tests.conftest import Territory

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

SPOTS = ((108.75, 15.05), (108.751, 15.051), (108.83, 15.07), (108.78, 15.16), (108.86, 15.13))
TILE_SUM = (
    "() => Array.from(document.querySelectorAll('.report-tiles canvas[data-reports]'))"
    ".reduce((sum, tile) => sum + Number(tile.dataset.reports), 0)"
)


@pytest.fixture(autouse=True)
def offline_private_settings(settings: Settings) -> Iterator[None]:
    """No background tiles, the tiles' cache under this run's own prefix, and the switch at
    three public reports."""
    settings.MAP_TILE_URL = ""
    settings.PUBLIC_MAP_TILES_ABOVE = 3
    prefix = f"test-map-tiles-{os.environ.get('GEOAPP_TEST_DB_SUFFIX', 'main')}-{os.getpid()}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def file_reports(count: int) -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)
    for longitude, latitude in SPOTS[:count]:
        services.incident_create(
            category_code="giao-thong", description="Ổ gà", point=Point(longitude, latitude, srid=4326),
            channel=IncidentChannel.WEB, attributes={"loai-hu-hong": "o-ga"},
            reporter_name="Trần Thị Bình", reporter_phone="0905123456",
            reported_at=datetime(2025, 9, 1, 9, tzinfo=VIETNAM_TIME_ZONE),
        )  # fmt: skip
    report_grid_refresh()


def tile_sum_settles_at(page: Page, expected: int) -> bool:
    """Whether the drawn tiles' report counts add up to `expected` within 15 s (polled from
    here: the page's content security policy forbids wait_for_function's evaluated text)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if page.evaluate(TILE_SUM) == expected:
            return True
        time.sleep(0.2)
    return False


def test_above_the_threshold_the_map_draws_the_tiles_and_a_filter_returns_to_groups(
    browser_page: Page, territory: Territory
) -> None:
    file_reports(5)
    page = browser_page
    tile_requests: list[str] = []
    page.on(
        "request",
        lambda request: tile_requests.append(request.url) if "/tiles/" in request.url else None,
    )

    page.goto("/")

    container = page.locator("#incident-map")
    expect(container).to_have_attribute("data-mode", "tiles")
    expect(container).to_have_attribute("data-state", "ready")
    assert tile_sum_settles_at(page, 5)
    assert tile_requests and all(".mvt" in url for url in tile_requests)
    expect(page.locator(".cluster-ring")).to_have_count(0)
    expect(page.locator("#map-count")).to_contain_text("Nhiều phản ánh")

    page.get_by_label("Lĩnh vực").select_option("giao-thong")

    expect(container).to_have_attribute("data-mode", "groups")
    expect(page.locator("#map-count")).to_have_text("5 phản ánh trong vùng đang xem.")
    expect(page.locator(".report-tiles")).to_have_count(0)


def test_below_the_threshold_the_map_asks_for_groups_and_loads_no_tile(
    browser_page: Page, territory: Territory
) -> None:
    file_reports(3)
    page = browser_page
    tile_requests: list[str] = []
    page.on(
        "request",
        lambda request: tile_requests.append(request.url) if "/tiles/" in request.url else None,
    )

    page.goto("/")

    expect(page.locator("#incident-map")).to_have_attribute("data-mode", "groups")
    expect(page.locator("#map-count")).to_have_text("3 phản ánh trong vùng đang xem.")
    assert tile_requests == []
