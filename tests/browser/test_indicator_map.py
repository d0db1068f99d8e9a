"""The choropleth of indicators in a real browser, with nothing loaded from outside the app."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import GuardedPages, save_screenshot
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.conftest import Chain
from tests.indicators.test_aggregation import population

pytestmark = pytest.mark.browser

# The territory with a chain of successions of the indicators tests, for this module too.
chain = indicator_fixtures.chain

expect.set_options(timeout=20_000)


@pytest.fixture(autouse=True)
def no_background_tiles() -> Iterator[None]:
    """The boundaries alone, as on a machine with no tile server: nothing may leave the app."""
    with override_settings(MAP_TILE_URL="", MAP_TILE_ATTRIBUTION=""):
        yield


def drawn_classes(page: Page) -> dict[str, int | None]:
    classes: dict[str, int | None] = json.loads(
        page.locator("#indicator-map").get_attribute("data-area-classes") or "{}"
    )
    return classes


def click_area(page: Page, code: str) -> None:
    """A real click inside the area, where the page says it is drawn."""
    point = page.evaluate(f"document.getElementById('indicator-map').indicatorMapPoint('{code}')")
    page.locator("#indicator-map").click(position={"x": point["x"], "y": point["y"]})


def test_the_map_colours_the_2026_communes_by_their_re_aggregated_2024_values(
    browser_page: Page, chain: Chain
) -> None:
    population(chain)
    browser_page.goto(
        "/chi-tieu/ban-do/?indicator=population&period=2024&boundaries=2026-01-01"
        "&classification=equal_interval&classes=2"
    )
    expect(browser_page.locator("#indicator-map[data-ready=true]")).to_have_count(1)
    # Drawn on a canvas: the page says which class it gave each area.
    assert drawn_classes(browser_page) == {"21025": 1, "21034": 0}
    # Lower values red, higher green: population is "higher is better".
    colours = browser_page.evaluate(
        "[...document.querySelectorAll('#indicator-legend .legend-swatch')]"
        ".map(s => getComputedStyle(s).backgroundColor)"
    )
    assert colours == ["rgb(215, 48, 39)", "rgb(26, 152, 80)", "rgb(209, 213, 219)"]
    expect(browser_page.locator("#indicator-legend li")).to_have_text(
        ["[8.000 – 10.000) người (1)", "[10.000 – 12.000] người (1)", "Không có số liệu (0)"]
    )
    click_area(browser_page, "21034")
    expect(browser_page.locator("#area-detail dd")).to_have_text(
        ["Xã An Phú (21034)", "8.000 người", "Không có số liệu", "3 / 3",
         "Tổng hợp lại từ các đơn vị trước sắp xếp"]
    )  # fmt: skip


def test_the_readme_screenshot_shows_the_demo_indicators_on_the_province(
    open_browser_page: GuardedPages, transactional_db: None
) -> None:
    call_command("wards_load_demo", stdout=io.StringIO())
    call_command("indicators_load_demo", stdout=io.StringIO())
    page = open_browser_page(viewport={"width": 1280, "height": 800})
    page.goto(
        "/chi-tieu/ban-do/?indicator=ty-le-ho-ngheo&period=2025&boundaries=2026-01-01"
        "&classification=natural_breaks&classes=5"
    )
    expect(page.locator("#indicator-map[data-ready=true]")).to_have_count(1)
    assert len(drawn_classes(page)) == 96
    expect(page.locator("#indicator-legend li")).to_have_count(6)
    if os.environ.get("GEOAPP_KEEP_SCREENSHOTS", "1") == "1":
        save_screenshot(page, "indicator-map")
