"""A boundary file is outside data: an area name holding HTML is shown as text on every map
(issue 8, finding 10), and nothing in it runs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import IncidentChannel
from tests.browser.test_staff_pages import CAM_THANH, officer, sign_in
from tests.conftest import Territory

pytestmark = pytest.mark.browser

HOSTILE_NAME = 'Phường <img src="/x" onerror="window.__pwned = true">Cẩm Thành'


@pytest.fixture
def hostile_area(territory: Territory) -> User:
    area = territory.cam_thanh
    area.name = HOSTILE_NAME
    area.save(update_fields=["name"])
    return officer("can-bo-cam-thanh", territory.committee_cam_thanh)


def test_the_unit_map_shows_a_hostile_area_name_as_text(
    browser_page: Page, hostile_area: User, territory: Territory
) -> None:
    page = browser_page
    sign_in(page, hostile_area.get_username(), then="/can-bo/ban-do/")
    expect(page.locator("path.unit-area")).to_have_count(1)

    page.locator("path.unit-area").hover()

    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text(f"{HOSTILE_NAME} ({territory.cam_thanh.code})")
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("window.__pwned === undefined")


def test_the_report_page_shows_a_hostile_area_name_as_text(
    browser_page: Page, hostile_area: User, territory: Territory
) -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)
    report = services.incident_create(
        category_code="giao-thong",
        description="Ổ gà sâu giữa đường Hùng Vương",
        point=CAM_THANH,
        channel=IncidentChannel.WEB,
        attributes={"loai-hu-hong": "o-ga"},
    ).incident
    page = browser_page
    sign_in(page, hostile_area.get_username(), then=f"/can-bo/phan-anh/{report.tracking_code}/")

    page.locator("path.report-pin").hover()

    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(HOSTILE_NAME)
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("window.__pwned === undefined")
