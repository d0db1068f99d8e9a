"""The map of areas in a real browser: boundaries drawn, hover, click lookups on either side of the
1 July 2025 reform, the English switch, the keyboard and a phone-sized screen.

The `territory` fixture's communes tile the square lon 108.7–108.9, lat 15.0–15.2: before the
reform Nguyễn Nghiêm is the western half and Nghĩa Dũng the eastern; after it Cẩm Thành is the
southern half and An Phú the northern. The map fits that square on both dates, so one pixel is
the same place on both.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from shapely.geometry import box

from tests.browser.conftest import bounding_box_of
from wards import services
from wards.models import AreaLevel, AreaType

pytestmark = pytest.mark.browser

WEST, EAST, SOUTH, NORTH = 108.7, 108.9, 15.0, 15.2
# In Cẩm Thành after the reform, in Nguyễn Nghiêm before it.
IN_CAM_THANH = (108.75, 15.05)
AREA_PATHS = "path.area-boundary"

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def no_background_tiles(settings) -> None:
    """The boundaries alone, as on a machine with no tile server: nothing may leave the app."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""


def area_map(query: str = "") -> str:
    """The page's address (it moved from / when the public map of reports took the home page)."""
    return reverse("area-map") + query


def open_map(page: Page, day: str) -> None:
    page.goto(area_map(f"?date={day}"))
    expect(page.locator(AREA_PATHS)).to_have_count(2)
    expect(page.locator("#map-status")).to_be_hidden()


def territory_box(page: Page) -> tuple[float, float, float, float]:
    """Screen left, top, right, bottom of the territory: the outer edges of the drawn communes."""
    boxes = [bounding_box_of(path) for path in page.locator(AREA_PATHS).all()]
    return (
        min(box["x"] for box in boxes),
        min(box["y"] for box in boxes),
        max(box["x"] + box["width"] for box in boxes),
        max(box["y"] + box["height"] for box in boxes),
    )


def screen_point(page: Page, longitude: float, latitude: float) -> tuple[float, float]:
    """The pixel of a coordinate inside the territory (linear: Mercator bends < 0.1 % over 0.2°)."""
    left, top, right, bottom = territory_box(page)
    return (
        left + (longitude - WEST) / (EAST - WEST) * (right - left),
        top + (NORTH - latitude) / (NORTH - SOUTH) * (bottom - top),
    )


def click_at(page: Page, longitude: float, latitude: float) -> None:
    # Screen positions are only right once the map has stopped fitting itself to the areas.
    wait_for_the_map_to_settle(page)
    page.mouse.click(*screen_point(page, longitude, latitude))


def wait_for_the_map_to_settle(page: Page) -> None:
    """Until the map stops moving (fitting the areas, a popup's pan): clicks land where aimed."""
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const pane = document.querySelector(".leaflet-map-pane");
            const before = pane.style.transform;
            setTimeout(() => resolve(pane.style.transform === before), 300);
        })"""
    )


def test_the_communes_of_the_date_are_drawn_and_hovering_one_names_it_with_its_code(
    browser_page: Page, territory
):
    open_map(browser_page, "2026-01-01")

    browser_page.mouse.move(*screen_point(browser_page, 108.8, 15.05))

    tooltip = browser_page.locator(".leaflet-tooltip.area-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Phường Cẩm Thành")
    expect(tooltip).to_contain_text("Phường · mã 21025")
    expect(browser_page.locator("#area-count")).to_have_text("2 đơn vị cấp xã trên bản đồ.")
    expect(browser_page.locator("#area-list button")).to_have_text(
        ["Phường Cẩm Thành (21025)", "Xã An Phú (21034)"]
    )


def test_an_approximate_boundary_is_drawn_dashed_and_named_approximate(
    browser_page: Page, territory
):
    services.area_create(
        code="21211", name="Xã Tịnh Khê", area_type=AreaType.COMMUNE, level=AreaLevel.COMMUNE,
        boundary=box(108.9, 15.0, 109.0, 15.2), valid_from=datetime.date(2014, 4, 1),
        valid_to=datetime.date(2025, 6, 30), parent=territory.district, is_approximate=True,
    )  # fmt: skip
    browser_page.goto(area_map("?date=2024-06-01"))
    expect(browser_page.locator(AREA_PATHS)).to_have_count(3)

    approximate = browser_page.locator(f"{AREA_PATHS}.is-approximate")
    approximate.hover()

    expect(approximate).to_have_count(1)
    expect(approximate).to_have_attribute("stroke-dasharray", "6 4")
    tooltip = browser_page.locator(".leaflet-tooltip.area-tooltip")
    expect(tooltip).to_contain_text("Xã Tịnh Khê")
    expect(tooltip).to_contain_text("Ranh giới gần đúng")
    expect(browser_page.locator("#area-count")).to_have_text(
        "3 đơn vị cấp xã trên bản đồ. 1 đơn vị có ranh giới gần đúng."
    )
    expect(browser_page.locator(".legend")).to_contain_text(
        "Ranh giới gần đúng (do hệ thống tạo ra, không phải ranh giới chính thức)"
    )


def test_a_click_in_cam_thanh_in_2026_shows_the_ward_the_province_and_its_peoples_committee(
    browser_page: Page, territory
):
    open_map(browser_page, "2026-01-01")

    click_at(browser_page, *IN_CAM_THANH)

    panel = browser_page.locator("#lookup-result")
    expect(panel.locator(".area-name")).to_have_text(["Phường Cẩm Thành", "Tỉnh Quảng Ngãi"])
    expect(panel.locator(".level-badge")).to_have_text(["Cấp xã", "Cấp tỉnh"])
    expect(panel.locator(".area-meta")).to_have_text(["Phường · mã 21025", "Tỉnh · mã 51"])
    expect(panel.locator(".agency-name")).to_have_text("Ủy ban nhân dân Phường Cẩm Thành")
    expect(panel.locator(".point-caption")).to_contain_text("ngày 01/01/2026")
    expect(browser_page.locator(".leaflet-popup .lookup-popup")).to_contain_text(
        "Ủy ban nhân dân Phường Cẩm Thành"
    )


def test_the_same_spot_in_2024_is_nguyen_nghiem_in_the_city_of_quang_ngai(
    browser_page: Page, territory
):
    open_map(browser_page, "2024-06-01")

    click_at(browser_page, *IN_CAM_THANH)

    panel = browser_page.locator("#lookup-result")
    expect(panel.locator(".area-name")).to_have_text(
        ["Phường Nguyễn Nghiêm", "Thành phố Quảng Ngãi", "Tỉnh Quảng Ngãi"]
    )
    expect(panel.locator(".level-badge")).to_have_text(["Cấp xã", "Cấp huyện", "Cấp tỉnh"])
    expect(panel.locator(".area-meta")).to_have_text(
        ["Phường · mã 21025", "Thành phố · mã 522", "Tỉnh · mã 51"]
    )
    expect(panel.locator(".agency-name")).to_have_text("Ủy ban nhân dân Phường Nguyễn Nghiêm")
    expect(browser_page.locator(".map-subtitle time")).to_have_text("01/06/2024")


def test_a_click_beside_the_communes_says_the_point_is_outside_the_served_territory(
    open_browser_page, browser_page: Page, territory
):
    open_browser_page.allow_error_response(browser_page, r"/api/v1/routing/\?")
    open_map(browser_page, "2026-01-01")
    left, top, right, bottom = territory_box(browser_page)
    map_box = bounding_box_of(browser_page.locator("#area-map"))
    map_right = map_box["x"] + map_box["width"]
    assert map_right - right > 40, "the map leaves no room beside the territory to click"

    with browser_page.expect_response(re.compile(r"/api/v1/routing/\?")) as routing:
        browser_page.mouse.click((right + map_right) / 2, (top + bottom) / 2)

    assert routing.value.status == 404
    assert routing.value.json()["code"] == "outside_territory"

    notice = browser_page.locator("#lookup-result .notice-outside")
    expect(notice).to_contain_text(
        "nằm ngoài địa bàn phục vụ vào ngày 01/01/2026. Hãy chọn một điểm trong tỉnh Quảng Ngãi."
    )
    expect(browser_page.locator("#lookup-result .area-chain")).to_have_count(0)
    expect(browser_page.locator(".leaflet-popup")).to_contain_text("Ngoài địa bàn phục vụ")


def test_the_english_switch_translates_the_page_and_the_lookup_and_keeps_the_date(
    browser_page: Page, territory
):
    open_map(browser_page, "2026-01-01")

    browser_page.get_by_role("button", name="English").click()

    expect(browser_page).to_have_url(re.compile(re.escape(area_map("?date=2026-01-01")) + "$"))
    expect(browser_page.locator("html")).to_have_attribute("lang", "en")
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("Map of administrative areas")
    expect(browser_page.get_by_label("Effective date")).to_have_value("2026-01-01")
    expect(browser_page.get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(browser_page.locator(AREA_PATHS)).to_have_count(2)
    expect(browser_page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
    click_at(browser_page, *IN_CAM_THANH)
    panel = browser_page.locator("#lookup-result")
    expect(panel.locator(".level-badge")).to_have_text(["Commune level", "Province level"])
    expect(panel.locator(".area-meta")).to_have_text(["Ward · code 21025", "Province · code 51"])
    expect(panel.locator(".area-name")).to_have_text(["Phường Cẩm Thành", "Tỉnh Quảng Ngãi"])
    expect(panel.get_by_role("heading", name="Responsible agency")).to_be_visible()
    expect(panel.locator(".agency-card")).to_contain_text("People's Committee")
    expect(browser_page.locator("#area-count")).to_have_text("2 commune-level units on the map.")


def test_on_a_360_pixel_phone_the_panel_stacks_below_the_map_and_lookups_work(
    open_browser_page, territory
):
    phone = open_browser_page(viewport={"width": 360, "height": 740}, has_touch=True)
    open_map(phone, "2026-01-01")

    map_box = phone.locator(".map-frame").bounding_box()
    panel_box = phone.locator(".side-panel").bounding_box()
    assert panel_box["y"] >= map_box["y"] + map_box["height"]
    assert (map_box["width"], panel_box["width"]) == (360, 360)
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    click_at(phone, *IN_CAM_THANH)
    expect(phone.locator("#lookup-result .area-name")).to_have_text(
        ["Phường Cẩm Thành", "Tỉnh Quảng Ngãi"]
    )
    expect(phone.locator("#lookup-result .agency-name")).to_have_text(
        "Ủy ban nhân dân Phường Cẩm Thành"
    )


def centre_of_map(page: Page) -> tuple[float, float]:
    text = page.locator("#map-centre").inner_text()
    match = re.search(r"(\d+\.\d+), [^\d]*(\d+\.\d+)", text)
    assert match is not None, f"no coordinates in {text!r}"
    latitude, longitude = match.groups()
    return float(latitude), float(longitude)


def test_with_the_keyboard_alone_one_can_pan_the_map_and_look_up_its_centre(
    browser_page: Page, territory
):
    open_map(browser_page, "2026-01-01")
    centre = browser_page.locator("#map-centre")
    # The map opens on the middle of the territory: the edge between the two communes.
    opening_latitude, opening_longitude = centre_of_map(browser_page)
    assert abs(opening_latitude - 15.1) < 0.001
    assert abs(opening_longitude - 108.8) < 0.001

    browser_page.locator("#area-map").focus()
    browser_page.keyboard.press("ArrowDown")
    expect(centre).not_to_contain_text(f"{opening_latitude:.5f}")
    browser_page.get_by_role("button", name="Tra cứu tại tâm bản đồ").focus()
    browser_page.keyboard.press("Enter")

    latitude, longitude = centre_of_map(browser_page)
    assert 15.0 < latitude < opening_latitude - 0.01
    assert longitude == opening_longitude
    expect(browser_page.locator("#lookup-result .area-name")).to_have_text(
        ["Phường Cẩm Thành", "Tỉnh Quảng Ngãi"]
    )


def test_the_list_of_units_lets_a_keyboard_user_pick_an_area_and_read_its_details(
    browser_page: Page, territory
):
    open_map(browser_page, "2026-01-01")

    browser_page.get_by_text("Danh sách đơn vị trên bản đồ").focus()
    browser_page.keyboard.press("Enter")
    browser_page.get_by_role("button", name="Xã An Phú (21034)").focus()
    browser_page.keyboard.press("Enter")

    panel = browser_page.locator("#lookup-result")
    expect(panel.locator(".result-title")).to_have_text("Xã An Phú")
    expect(panel.locator(".details dt")).to_have_text(
        ["Loại", "Mã", "Hiệu lực", "Diện tích", "Ranh giới"]
    )
    expect(panel.locator(".details dd")).to_have_text(
        ["Xã", "21034", "từ 01/07/2025", f"{territory.an_phu.area_km2:.2f} km²", "Chính thức"]
    )
