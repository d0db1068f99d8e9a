"""The operations centre's hotspot map both ways in a real browser: below
settings.IOC_HOTSPOT_TILES_ABOVE the page draws every hexagon itself (SVG, no script); above it
the map draws the hotspot tiles (decoded in the page), and shows the same hexagons and counts.
No request leaves the app and no console error appears (the browser_page fixture checks)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django import Settings

from tests.browser.test_ioc_pages import ioc_leader, sign_in  # noqa: F401 - fixture
from tests.ioc.conftest import (  # noqa: F401 - fixtures
    Reports,
    _private_media_and_cache,
    _vietnamese_first,
    categories,
    file_report,
    reports,
)

pytestmark = pytest.mark.browser


def test_the_hotspot_map_switches_to_tiles_above_the_threshold(
    browser_page: Page,
    reports: Reports,  # noqa: F811 - the imported fixture
    ioc_leader: User,  # noqa: F811 - the imported fixture
    settings: Settings,
) -> None:
    settings.MAP_TILE_URL = ""
    settings.IOC_HOTSPOT_TILES_ABOVE = 10  # ten reports this week: not above
    page = browser_page
    tile_requests: list[str] = []
    page.on(
        "request",
        lambda request: tile_requests.append(request.url) if "/tiles/" in request.url else None,
    )
    sign_in(page, "lanh-dao-ioc", then="/dieu-hanh/")

    expect(page.locator("svg.ioc-area-map polygon.hexagon")).to_have_count(7)
    expect(page.locator("#ioc-hotspot-map")).to_have_count(0)
    assert tile_requests == []

    settings.IOC_HOTSPOT_TILES_ABOVE = 9
    page.goto("/dieu-hanh/")

    expect(page.locator("svg.ioc-area-map")).to_have_count(0)
    expect(page.locator("#ioc-hotspot-map")).to_have_attribute("data-mode", "tiles")
    # Six reports 2 km apart and four on one point: seven hexagons, ten reports, each counted
    # once however many tiles show it.
    expect(page.locator("#ioc-hotspot-status")).to_have_text(
        "Đang hiển thị 7 ô lục giác, 10 phản ánh.", timeout=15_000
    )
    assert tile_requests and all("/tiles/hotspots/" in url for url in tile_requests)
    assert all("from=" in url for url in tile_requests)
    time.sleep(0.5)  # any late tile error would reach the console
