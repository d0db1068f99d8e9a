"""The README's screenshots, taken on the demo that `make run` loads: the real 2025 boundaries of
Quảng Ngãi (96 communes), the feedback categories, and the 300 demo reports with their staff
accounts.

One test walks every page, because the live server's database is transactional (see conftest):
what a test loads is flushed when it ends, and loading the demo takes half a minute. Each page is
checked against the database before its picture is taken, so a picture of a broken page fails the
test instead of reaching the README. Citizens' pages are seen as an anonymous visitor, staff pages
as the demo officer of the People's Committee of Phường Cẩm Thành.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import re
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import Page, expect
from pytest_django import Settings

from incidents.demo_data import DEMO_PASSWORD
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus
from incidents.permissions import member_agency_ids
from tests.browser.conftest import GuardedPages, save_screenshot
from wards.models import Area, AreaLevel

pytestmark = pytest.mark.browser

# The 96 commune-level units of the province from 1 July 2025 (fixtures/geo/units.csv).
COMMUNES_FROM_2025 = 96
# Phường Cẩm Thành's administrative centre, longitude and latitude (fixtures/geo/units.csv).
CAM_THANH_CENTRE = (108.812, 15.1135)
OFFICER = "can-bo-cam-thanh"
AREA_PATHS = "path.area-boundary"
OUTLINES = "path.area-outline"
PHONE = {"width": 360, "height": 740}
# The data migration that creates the staff groups "Lãnh đạo" and "Quản trị viên".
# The data migrations that create the staff groups the demo accounts join, each with its function.
GROUPS_MIGRATIONS = (
    (("incidents", "0002_leader_and_administrator_groups"), "create_groups"),
    (("spatial_reports", "0002_planners_group"), "create_group"),
)
DESCRIPTION = "Hàng quán lấn chiếm hết vỉa hè, người đi bộ phải xuống lòng đường."

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def offline_private_settings(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """No background tiles (nothing may leave the app), photos in a temporary folder, and the
    filing rate limit counted under this run's own cache prefix."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    prefix = (
        f"test-demo-screenshots-{os.environ.get('GEOAPP_TEST_DB_SUFFIX', 'main')}-{os.getpid()}"
    )
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The demo exactly as `make run` loads it (scripts/setup.sh), committed for the live server,
    on the database as migrated: the demo accounts join the staff groups that a data migration
    creates, which the flush after each earlier transactional test removed, so those migrations'
    own functions are run again first (they are idempotent)."""
    loader = MigrationLoader(connection)
    for (app, migration), create in GROUPS_MIGRATIONS:
        state = loader.project_state((app, migration))
        getattr(import_module(f"{app}.migrations.{migration}"), create)(state.apps, None)
    call_command("wards_load_demo", stdout=io.StringIO())
    call_command("incidents_load_categories", stdout=io.StringIO())
    call_command("incidents_load_demo", "--with-demo-accounts", stdout=io.StringIO())


def wait_for_the_map_to_settle(page: Page) -> None:
    """Until the map stops moving (fitting the province, a pan), so clicks land where aimed."""
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const pane = document.querySelector(".leaflet-map-pane");
            const before = pane && pane.style.transform;
            setTimeout(() => resolve(pane && pane.style.transform === before), 400);
        })"""
    )


def wait_for_images(page: Page) -> None:
    page.wait_for_function(
        "() => Array.from(document.images).every((image) => image.complete && image.naturalWidth)"
    )


def mercator_y(latitude: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


def screen_point(
    page: Page, selector: str, longitude: float, latitude: float
) -> tuple[float, float]:
    """The pixel of a coordinate, from where the province's communes (`selector`) are drawn: the
    drawn outlines span the province's extent, and Leaflet's map is linear in Web Mercator."""
    boxes: list[list[float]] = page.eval_on_selector_all(
        selector,
        """paths => paths.map((path) => {
            const box = path.getBoundingClientRect();
            return [box.left, box.top, box.right, box.bottom];
        })""",
    )
    left = min(box[0] for box in boxes)
    top = min(box[1] for box in boxes)
    right = max(box[2] for box in boxes)
    bottom = max(box[3] for box in boxes)
    west, south, east, north = province_2025().boundary.extent
    return (
        left + (longitude - west) / (east - west) * (right - left),
        top
        + (mercator_y(north) - mercator_y(latitude))
        / (mercator_y(north) - mercator_y(south))
        * (bottom - top),
    )


def province_2025() -> Area:
    return Area.objects.get(code="51", level=AreaLevel.PROVINCE, valid_to__isnull=True)


def test_the_readme_screenshots_show_the_real_province_and_the_demo_reports(
    open_browser_page: GuardedPages, demo: None
) -> None:
    assert (
        Area.objects.on(datetime.date(2026, 1, 1)).filter(level=AreaLevel.COMMUNE).count()
        == COMMUNES_FROM_2025
    )

    area_map_in_vietnamese_and_english(open_browser_page())
    area_map_on_a_phone(open_browser_page(viewport=PHONE, has_touch=True))
    public_map(open_browser_page(), "citizen-home")
    public_map(open_browser_page(viewport=PHONE, has_touch=True), "citizen-home-phone")
    filed = file_a_report(open_browser_page())
    report_form_on_a_phone(open_browser_page(viewport=PHONE, has_touch=True))
    tracking_page_of_a_demo_report(open_browser_page())
    staff_pages(open_browser_page(), filed)


def open_area_map(page: Page) -> None:
    with page.expect_response(re.compile(r"/api/v1/areas/\?")) as areas:
        page.goto("/ban-do-hanh-chinh/?date=2026-01-01")
    assert len(areas.value.json()["features"]) == COMMUNES_FROM_2025
    expect(page.locator(AREA_PATHS)).to_have_count(COMMUNES_FROM_2025)
    expect(page.locator(f"{AREA_PATHS}.is-approximate")).to_have_count(0)
    expect(page.locator("#map-status")).to_be_hidden()
    wait_for_the_map_to_settle(page)


def look_up_cam_thanh(page: Page) -> None:
    page.mouse.click(*screen_point(page, AREA_PATHS, *CAM_THANH_CENTRE))
    panel = page.locator("#lookup-result")
    expect(panel.locator(".area-name")).to_have_text(["Phường Cẩm Thành", "Tỉnh Quảng Ngãi"])
    wait_for_the_map_to_settle(page)


def area_map_in_vietnamese_and_english(page: Page) -> None:
    open_area_map(page)
    expect(page.locator("#area-count")).to_have_text("96 đơn vị cấp xã trên bản đồ.")

    look_up_cam_thanh(page)

    panel = page.locator("#lookup-result")
    expect(panel.locator(".area-meta")).to_have_text(["Phường · mã 21025", "Tỉnh · mã 51"])
    expect(panel.locator(".agency-name")).to_have_text("Ủy ban nhân dân Phường Cẩm Thành")
    expect(panel.locator(".point-caption")).to_contain_text("ngày 01/01/2026")
    expect(page.locator(".leaflet-popup .lookup-popup")).to_contain_text("Phường Cẩm Thành")
    save_screenshot(page, "area-map-vi")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Map of administrative areas")
    expect(page.locator(AREA_PATHS)).to_have_count(COMMUNES_FROM_2025)
    expect(page.locator("#area-count")).to_have_text("96 commune-level units on the map.")
    wait_for_the_map_to_settle(page)
    look_up_cam_thanh(page)
    expect(panel.locator(".area-meta")).to_have_text(["Ward · code 21025", "Province · code 51"])
    expect(panel.locator(".level-badge")).to_have_text(["Commune level", "Province level"])
    expect(panel.get_by_role("heading", name="Responsible agency")).to_be_visible()
    save_screenshot(page, "area-map-en")


def area_map_on_a_phone(phone: Page) -> None:
    open_area_map(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") == PHONE["width"]

    look_up_cam_thanh(phone)

    expect(phone.locator("#lookup-result .agency-name")).to_have_text(
        "Ủy ban nhân dân Phường Cẩm Thành"
    )
    # The popup would hide a third of the province on so narrow a map; the chosen point and the
    # panel below the map stay. Closed without moving the pointer, which would show a tooltip.
    phone.locator(".leaflet-popup-close-button").dispatch_event("click")
    expect(phone.locator(".leaflet-popup")).to_have_count(0)
    save_screenshot(phone, "area-map-phone", full_page=True)


def public_map(page: Page, name: str) -> None:
    """The home page's map shows every public demo report: the whole province is in view."""
    public_reports = Incident.objects.public().count()
    assert public_reports > 250  # 300 demo reports, of which spam and hidden ones are not public

    page.goto("/")

    expect(page.locator(OUTLINES)).to_have_count(COMMUNES_FROM_2025)
    expect(page.locator("#incident-map")).to_have_attribute("data-state", "ready")
    expect(page.locator("#map-count")).to_have_text(
        f"{public_reports} phản ánh trong vùng đang xem."
    )
    counts = page.locator(".cluster-count").all_inner_texts()
    assert sum(int(count) for count in counts) + page.locator(".incident-pin").count() == (
        public_reports
    )
    viewport = page.viewport_size
    assert viewport is not None
    assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]
    wait_for_the_map_to_settle(page)
    save_screenshot(page, name)


def pin_cam_thanh_and_describe(page: Page) -> None:
    """On the report form: a pin at Cẩm Thành's centre, a category the ward handles, a text."""
    page.goto("/gui-phan-anh/")
    expect(page.locator(OUTLINES)).to_have_count(COMMUNES_FROM_2025)
    wait_for_the_map_to_settle(page)

    page.mouse.click(*screen_point(page, OUTLINES, *CAM_THANH_CENTRE))

    routing = page.locator("#routing-result")
    expect(routing).to_contain_text("Phường Cẩm Thành")
    expect(routing).to_contain_text("Ủy ban nhân dân Phường Cẩm Thành")
    assert abs(float(page.get_by_label("Kinh độ").input_value()) - CAM_THANH_CENTRE[0]) < 0.01
    assert abs(float(page.get_by_label("Vĩ độ").input_value()) - CAM_THANH_CENTRE[1]) < 0.01
    page.get_by_label("Lĩnh vực").select_option("trat-tu-do-thi")
    page.locator('.attribute-group[data-category="trat-tu-do-thi"]').get_by_label(
        "Hành vi"
    ).select_option("lan-chiem-via-he")
    page.get_by_label("Nội dung phản ánh").fill(DESCRIPTION)
    expect(routing).to_contain_text("Ủy ban nhân dân Phường Cẩm Thành")


def file_a_report(page: Page) -> Incident:
    """A citizen files a report at Cẩm Thành through the form; it reaches the ward's committee."""
    pin_cam_thanh_and_describe(page)
    page.get_by_label("Địa chỉ hoặc mô tả vị trí").fill("Đường Quang Trung, gần chợ")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Thư điện tử").fill("an@nguoidan.example")
    # Closer, on the pin: the wheel zooms about the pointer, which is on the pin.
    scale = page.locator(".leaflet-control-scale-line")
    before = scale.inner_text()
    page.mouse.move(*screen_point(page, OUTLINES, *CAM_THANH_CENTRE))
    page.mouse.wheel(0, -300)
    expect(scale).not_to_have_text(before)
    wait_for_the_map_to_settle(page)
    page.locator("#routing-result").evaluate("node => node.scrollIntoView({block: 'start'})")
    save_screenshot(page, "citizen-report")

    page.get_by_role("button", name="Gửi phản ánh", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    incident = Incident.objects.select_related("area", "agency").get(description=DESCRIPTION)
    assert (incident.area.code, incident.area.valid_to, incident.agency.code) == (
        "21025",
        None,
        "ubnd-21025-2025",
    )
    assert incident.status == IncidentStatus.NEW
    expect(page.locator("#tracking-code")).to_have_text(incident.tracking_code)
    expect(page.locator(".confirmation-details")).to_contain_text("Phường Cẩm Thành")
    save_screenshot(page, "citizen-confirmation", full_page=True)
    return incident


def report_form_on_a_phone(phone: Page) -> None:
    pin_cam_thanh_and_describe(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    phone.evaluate("window.scrollTo(0, 0)")
    save_screenshot(phone, "citizen-report-phone")


def tracking_page_of_a_demo_report(page: Page) -> None:
    """The newest resolved demo report of Cẩm Thành filed with a name, with its public answer
    and timeline."""
    report = (
        Incident.objects.public()
        .filter(status=IncidentStatus.RESOLVED, area__code="21025", area__valid_to__isnull=True)
        .exclude(public_answer="")
        # One with a name, so that the page can be shown not to reveal it (the demo's dates,
        # and so which report is newest, follow the day of the load).
        .exclude(reporter_name="")
        .latest("reported_at")
    )
    public_steps = report.events.filter(is_public=True).count()

    page.goto(f"/phan-anh/{report.tracking_code}/")

    expect(page.locator("#tracking-title")).to_have_text(report.tracking_code)
    expect(page.locator(".tracking-header .status-badge")).to_have_text("Đã giải quyết")
    expect(page.locator(".answer-card")).to_contain_text(report.public_answer)
    expect(page.locator(".timeline-action").first).to_have_text("Gửi phản ánh")
    assert page.locator(".timeline-action").count() >= public_steps > 0
    assert report.reporter_name not in page.content()
    expect(page.locator("#tracking-map")).to_have_attribute("data-loaded", "true")
    wait_for_images(page)
    save_screenshot(page, "citizen-tracking", full_page=True)


def sign_in(page: Page, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill(OFFICER)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    page.wait_for_load_state("load")


def staff_pages(page: Page, filed: Incident) -> None:
    """The Cẩm Thành officer's queue holds exactly his units' open reports, the one just filed
    among them; the most urgent opens with its code; his map shows his ward and its open reports."""
    officer = User.objects.get(username=OFFICER)
    open_reports = Incident.objects.filter(
        agency_id__in=member_agency_ids(officer), status__in=OPEN_STATUSES
    )
    open_codes = set(open_reports.values_list("tracking_code", flat=True))
    assert filed.tracking_code in open_codes
    assert len(open_codes) <= 50  # one page of the queue

    sign_in(page, "/can-bo/phan-anh/")

    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(len(open_codes))
    assert {row.get_attribute("data-tracking-code") for row in rows.all()} == open_codes
    expect(page.locator(".status-count-number").first).to_have_text(str(len(open_codes)))
    page.wait_for_function("document.fonts.status === 'loaded'")
    save_screenshot(page, "staff-queue", full_page=True)

    most_urgent = rows.first.get_attribute("data-tracking-code")
    assert most_urgent in open_codes
    rows.first.get_by_role("link", name=most_urgent).click()

    expect(page).to_have_url(re.compile(rf"/can-bo/phan-anh/{most_urgent}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {most_urgent}")
    expect(page.locator("path.report-area")).to_have_count(1)
    expect(page.locator("path.report-pin")).to_have_count(1)
    events = Incident.objects.get(tracking_code=most_urgent).events.count()
    expect(page.locator(".timeline-event")).to_have_count(events)
    wait_for_images(page)
    wait_for_the_map_to_settle(page)
    save_screenshot(page, "staff-report", full_page=True)

    page.goto("/can-bo/ban-do/")

    # His unit answers today for Phường Cẩm Thành alone (the former wards' committees ended).
    expect(page.locator("path.unit-area")).to_have_count(1)
    expect(page.locator("#map-status")).to_be_hidden()
    expect(page.locator("path.report-pin")).to_have_count(len(open_codes))
    expect(page.locator("#report-count")).to_have_text(
        f"{len(open_codes)} phản ánh đang mở trong vùng đang xem."
    )
    wait_for_the_map_to_settle(page)
    page.locator("path.report-pin").first.click()
    expect(page.locator(".leaflet-popup .map-report-popup")).to_contain_text(re.compile(r"PA-"))
    wait_for_the_map_to_settle(page)
    save_screenshot(page, "staff-map")
