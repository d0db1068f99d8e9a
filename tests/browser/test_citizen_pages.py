"""The citizens' pages in a real browser: filing a report by clicking the map and moving the pin to
where a photo was taken, the confirmation and the tracking page, the public map of reports with its
groups, pins and filters, rating an answered report, the English switch, the keyboard, and a
360-pixel phone.

The `territory` fixture's communes tile the square lon 108.7–108.9, lat 15.0–15.2 (after the
reform Cẩm Thành is the southern half, An Phú the northern). The maps fit that square, so one pixel
is one place on every page.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational
from playwright.sync_api import Page, expect
from pytest_django import Settings

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel
from tests.browser.conftest import GuardedPages, bounding_box_of
from tests.conftest import Territory
from wards.models import AgencyMembership, AgencyRole

pytestmark = pytest.mark.browser

WEST, EAST, SOUTH, NORTH = 108.7, 108.9, 15.0, 15.2
IN_CAM_THANH = (108.80, 15.05)
# Where the test photo says it was taken: 15° 9' N, 108° 51' E, in An Phú.
PHOTO_POSITION = (108.85, 15.15)
OUTLINES = "path.area-outline"

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def offline_private_settings(settings: Settings, tmp_path: Path) -> Iterator[None]:
    """No background tiles (nothing may leave the app), photos in a temporary folder, and rate
    limits counted under this run's own cache prefix, far above what a test does."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.INCIDENT_CREATE_RATE = "1000/hour"
    prefix = f"test-citizen-browser-{os.environ.get('GEOAPP_TEST_DB_SUFFIX', 'main')}-{os.getpid()}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def categories(territory: Territory) -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)


@pytest.fixture
def officer(territory: Territory) -> User:
    user = User.objects.create_user(username="can-bo-cam-thanh", password="mật-khẩu-thử")
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_cam_thanh, role=AgencyRole.OFFICER
    )
    return user


def photo_with_gps(path: Path) -> Path:
    """A JPEG as a phone writes it: GPS position in An Phú, time, camera model."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model 12 Pro"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2025:10:10 08:30:15"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (IFDRational(15), IFDRational(9), IFDRational(0))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (IFDRational(108), IFDRational(51), IFDRational(0))
    buffer = io.BytesIO()
    image = Image.new("RGB", (640, 480), (200, 60, 40))
    # A darker band, so the thumbnail shows something like a hole in a road.
    image.paste((60, 60, 60), (160, 180, 480, 300))
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def wait_for_the_map_to_settle(page: Page) -> None:
    """Until the map stops moving (fitting the territory, a pan), so clicks land where aimed."""
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const pane = document.querySelector(".leaflet-map-pane");
            const before = pane && pane.style.transform;
            setTimeout(() => resolve(pane && pane.style.transform === before), 400);
        })"""
    )


def after_the_map_reloads(page: Page, action: Callable[[], object]) -> None:
    """Do `action` (a click that moves the map), then wait for the markers it asks for.

    Waiting for the response rather than for the map to stand still: under load a zoom animation
    can outlast any fixed pause, and the markers of the previous view would be counted.
    """
    with page.expect_response(lambda response: "/api/v1/incident-map/" in response.url):
        action()
    wait_for_markers(page)


def wait_for_markers(page: Page) -> None:
    """Until the map has stopped moving and drawn the markers of what it shows."""
    wait_for_the_map_to_settle(page)
    expect(page.locator("#incident-map")).to_have_attribute("data-state", "ready")


def territory_box(page: Page) -> tuple[float, float, float, float]:
    boxes = [bounding_box_of(path) for path in page.locator(OUTLINES).all()]
    return (
        min(box["x"] for box in boxes),
        min(box["y"] for box in boxes),
        max(box["x"] + box["width"] for box in boxes),
        max(box["y"] + box["height"] for box in boxes),
    )


def screen_point(page: Page, longitude: float, latitude: float) -> tuple[float, float]:
    left, top, right, bottom = territory_box(page)
    return (
        left + (longitude - WEST) / (EAST - WEST) * (right - left),
        top + (NORTH - latitude) / (NORTH - SOUTH) * (bottom - top),
    )


def open_report_page(page: Page) -> None:
    page.goto("/gui-phan-anh/")
    expect(page.locator(OUTLINES)).to_have_count(2)
    wait_for_the_map_to_settle(page)


def file_through_services(territory: Territory, **overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "category_code": "giao-thong",
        "description": "Ổ gà sâu giữa đường Hùng Vương",
        "point": Point(*IN_CAM_THANH, srid=4326),
        "channel": IncidentChannel.WEB,
        "attributes": {"loai-hu-hong": "o-ga"},
        "reporter_name": "Trần Thị Bình",
        "reporter_email": "binh@example.vn",
    }
    arguments.update(overrides)
    return services.incident_create(**arguments)


def test_a_citizen_files_a_report_by_clicking_the_map_and_moves_the_pin_to_the_photo(
    browser_page: Page,
    territory: Territory,
    categories: None,
    tmp_path: Path,
) -> None:
    page = browser_page
    open_report_page(page)

    page.mouse.click(*screen_point(page, *IN_CAM_THANH))

    expect(page.locator(".report-pin")).to_have_count(1)
    routing = page.locator("#routing-result")
    expect(routing).to_contain_text("Phản ánh sẽ được chuyển đến")
    expect(routing).to_contain_text("Phường Cẩm Thành")
    expect(routing).to_contain_text("Ủy ban nhân dân Phường Cẩm Thành")
    assert abs(float(page.get_by_label("Vĩ độ").input_value()) - 15.05) < 0.003
    assert abs(float(page.get_by_label("Kinh độ").input_value()) - 108.80) < 0.003

    page.get_by_label("Lĩnh vực").select_option("giao-thong")
    questions = page.locator('.attribute-group[data-category="giao-thong"]')
    expect(questions).to_be_visible()
    expect(page.locator('.attribute-group[data-category="chieu-sang"]')).to_be_hidden()
    questions.get_by_label("Loại hư hỏng").select_option("o-ga")
    page.get_by_label("Nội dung phản ánh").fill("Ổ gà sâu khoảng 20 cm, xe máy dễ ngã.")
    page.get_by_label("Địa chỉ hoặc mô tả vị trí").fill("Trước số 12 Hùng Vương")

    page.locator('input[name="photos"]').set_input_files(str(photo_with_gps(tmp_path / "o-ga.jpg")))

    offer = page.locator("#photo-offer")
    expect(offer).to_contain_text("được chụp tại vĩ độ 15.15000, kinh độ 108.85000")
    expect(page.locator(".photo-caption")).to_have_text("Có vị trí chụp")
    offer.get_by_role("button", name="Chuyển ghim đến vị trí chụp").click()
    expect(offer).to_contain_text("Đã chuyển ghim đến vị trí chụp ảnh.")
    expect(page.get_by_label("Vĩ độ")).to_have_value("15.150000")
    expect(page.get_by_label("Kinh độ")).to_have_value("108.850000")
    expect(routing).to_contain_text("Xã An Phú")
    expect(routing).to_contain_text("Ủy ban nhân dân Xã An Phú")

    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Thư điện tử").fill("binh@example.vn")
    page.get_by_label("Tôi đồng ý để cơ quan xử lý liên hệ với tôi về phản ánh này").check()
    # Two steps back: the scale bar says when each step (and the zoom onto the photo's position
    # before them) is done.
    scale = page.locator(".leaflet-control-scale-line")
    expect(scale).to_have_text("300 m")
    page.get_by_title("Thu nhỏ").click()
    expect(scale).to_have_text("500 m")
    page.get_by_title("Thu nhỏ").click()
    expect(scale).to_have_text("1 km")
    wait_for_the_map_to_settle(page)

    page.get_by_role("button", name="Gửi phản ánh", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    incident = Incident.objects.get()
    code = incident.tracking_code
    expect(page.locator("#tracking-code")).to_have_text(code)
    expect(page.locator(".confirmation-details")).to_contain_text("Xã An Phú")
    expect(page.locator("#private-link")).to_have_value(
        re.compile(rf"/phan-anh/{code}/\?khoa=\w+$")
    )
    assert (incident.area_id, incident.agency_id) == (
        territory.an_phu.id,
        territory.committee_an_phu.id,
    )
    assert incident.location.coords == pytest.approx(PHOTO_POSITION)
    assert (incident.attributes, incident.address, incident.channel) == (
        {"loai-hu-hong": "o-ga"},
        "Trước số 12 Hùng Vương",
        "web",
    )
    assert incident.photos.count() == 1

    page.get_by_role("link", name="Xem trang theo dõi").click()

    expect(page.locator("#tracking-title")).to_have_text(code)
    expect(page.locator(".tracking-header .status-badge")).to_have_text("Mới")
    expect(page.locator(".reporter-tag")).to_have_text("Bạn là người gửi")
    expect(page.locator(".timeline-action")).to_have_text(["Gửi phản ánh"])
    expect(page.locator(".photo-gallery img")).to_have_count(1)
    page.wait_for_function(
        "() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)"
    )
    expect(page.locator("#tracking-map")).to_have_attribute("data-loaded", "true")
    assert "Trần Thị Bình" not in page.content()
    assert "binh@example.vn" not in page.content()

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".tracking-header .status-badge")).to_have_text("New")
    expect(page.get_by_role("heading", name="Handling history")).to_be_visible()
    expect(page.locator(".reporter-tag")).to_have_text("You sent this report")


def test_a_click_outside_the_territory_says_so_and_the_report_is_not_filed(
    open_browser_page: GuardedPages, browser_page: Page, territory: Territory, categories: None
) -> None:
    page = browser_page
    open_browser_page.allow_error_response(page, r"/api/v1/routing/\?")
    # The form comes back with its errors as a 400 answer.
    open_browser_page.allow_error_response(page, r"/gui-phan-anh/$")
    open_report_page(page)
    left, top, right, bottom = territory_box(page)
    map_box = bounding_box_of(page.locator("#report-map"))
    map_right = map_box["x"] + map_box["width"]
    assert map_right - right > 40, "no room beside the territory to click"

    page.mouse.click((right + map_right) / 2, (top + bottom) / 2)

    expect(page.locator("#routing-result .notice-outside")).to_have_text(
        "Vị trí này nằm ngoài địa bàn phục vụ. Hãy chọn một điểm trong tỉnh Quảng Ngãi."
    )
    page.get_by_label("Lĩnh vực").select_option("chieu-sang")
    page.get_by_label("Nội dung phản ánh").fill("Đèn đường tắt cả tuần")
    page.get_by_role("button", name="Gửi phản ánh", exact=True).click()

    expect(page.locator("#error-summary")).to_contain_text("Phản ánh chưa được gửi.")
    expect(page.locator("#location-error")).to_contain_text("nằm ngoài địa bàn phục vụ")
    expect(page.get_by_label("Nội dung phản ánh")).to_have_value("Đèn đường tắt cả tuần")
    assert Incident.objects.count() == 0


def test_with_the_keyboard_alone_one_drops_the_pin_at_the_centre_and_files_the_report(
    browser_page: Page, territory: Territory, categories: None
) -> None:
    page = browser_page
    open_report_page(page)

    page.locator("#report-map").focus()
    page.keyboard.press("ArrowDown")
    wait_for_the_map_to_settle(page)
    page.get_by_role("button", name="Đặt ghim tại tâm bản đồ").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#routing-result")).to_contain_text("Phường Cẩm Thành")
    page.get_by_label("Lĩnh vực").focus()
    page.get_by_label("Lĩnh vực").select_option("ve-sinh-moi-truong")
    page.get_by_label("Nội dung phản ánh").focus()
    page.keyboard.type("Rác thải đổ bừa bãi ven đường")
    page.get_by_label("Gửi ẩn danh (không để lại thông tin liên hệ)").focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("Họ và tên")).to_be_hidden()
    page.get_by_role("button", name="Gửi phản ánh", exact=True).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    incident = Incident.objects.get()
    assert (incident.category.code, incident.area_id, incident.reporter_name) == (
        "ve-sinh-moi-truong",
        territory.cam_thanh.id,
        "",
    )


def test_a_similar_report_nearby_is_offered_and_supporting_it_files_nothing_new(
    browser_page: Page, territory: Territory, categories: None
) -> None:
    existing = file_through_services(territory).incident
    page = browser_page
    open_report_page(page)

    page.mouse.click(*screen_point(page, *IN_CAM_THANH))
    page.get_by_label("Lĩnh vực").select_option("giao-thong")

    nearby = page.locator("#section-nearby")
    expect(nearby).to_be_visible()
    expect(nearby.locator(".tracking-link")).to_have_text([existing.tracking_code])
    assert "Trần Thị Bình" not in nearby.inner_text()
    nearby.get_by_role("button", name="Ủng hộ phản ánh này").click()

    expect(page.locator("#tracking-title")).to_have_text(existing.tracking_code)
    expect(page.locator(".flash-messages")).to_contain_text(
        f"Cảm ơn bạn đã ủng hộ phản ánh {existing.tracking_code}"
    )
    expect(page.locator("#supporters-count")).to_have_text("1")
    assert Incident.objects.count() == 1


def test_the_public_map_groups_reports_shows_pins_up_close_and_filters_them(
    browser_page: Page,
    territory: Territory,
    categories: None,
    officer: User,
) -> None:
    spots = [
        (108.7505, 15.0505), (108.7510, 15.0502), (108.7508, 15.0510), (108.7512, 15.0507),
        (108.83, 15.07), (108.8305, 15.0704), (108.78, 15.16), (108.86, 15.13), (108.72, 15.18),
    ]  # fmt: skip
    filed = [
        file_through_services(territory, point=Point(*spot, srid=4326), description=f"Ổ gà số {n}")
        for n, spot in enumerate(spots)
    ]
    lamp = file_through_services(
        territory,
        point=Point(108.84, 15.03, srid=4326),
        category_code="chieu-sang",
        attributes={},
        description="Đèn đường tắt",
    ).incident
    services.incident_acknowledge(actor=officer, incident=filed[0].incident)
    services.incident_acknowledge(actor=officer, incident=filed[4].incident)
    services.incident_resolve(actor=officer, incident=filed[4].incident, answer="Đã vá xong ổ gà.")
    Incident.objects.filter(pk=filed[1].incident.pk).update(resolve_by="2025-01-01T00:00:00+07:00")
    page = browser_page

    page.goto("/")
    expect(page.locator(OUTLINES)).to_have_count(2)
    expect(page.locator("#map-count")).to_have_text("10 phản ánh trong vùng đang xem.")
    clusters = page.locator(".cluster-ring")
    expect(clusters.first).to_be_visible()
    counts = sorted(int(text) for text in clusters.locator(".cluster-count").all_inner_texts())
    pins = page.locator(".incident-pin")
    assert sum(counts) + pins.count() == 10
    expect(page.locator(".cluster-ring.has-overdue")).to_have_count(1)
    expect(page.locator(".answer-list")).to_contain_text("Đã vá xong ổ gà.")
    wait_for_the_map_to_settle(page)

    biggest = page.locator(".cluster-icon", has=page.locator(".cluster-count", has_text="4"))
    after_the_map_reloads(page, biggest.click)
    # A group zooms the map in two steps on itself; two more and every report has its pin.
    after_the_map_reloads(page, page.get_by_title("Phóng to").click)
    after_the_map_reloads(page, page.get_by_title("Phóng to").click)
    expect(page.locator(".cluster-ring")).to_have_count(0)
    expect(page.locator(".incident-pin")).to_have_count(4)
    expect(page.locator(".incident-pin.is-overdue")).to_have_count(1)
    page.locator(".incident-pin-icon").first.click()
    popup = page.locator(".leaflet-popup .incident-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".tracking-link")).to_have_text(re.compile(r"^PA-"))
    expect(popup).to_contain_text("Giao thông")

    page.goto("/")
    expect(page.locator("#map-count")).to_have_text("10 phản ánh trong vùng đang xem.")
    page.get_by_label("Lĩnh vực").select_option("chieu-sang")

    expect(page.locator("#map-count")).to_have_text("1 phản ánh trong vùng đang xem.")
    expect(page.locator(".incident-pin")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/\?category=chieu-sang$"))
    page.locator(".incident-pin-icon").click()
    expect(page.locator(".leaflet-popup .tracking-link")).to_have_text(lamp.tracking_code)
    today = lamp.reported_at.astimezone(VIETNAM_TIME_ZONE).date()
    page.get_by_label("Đến ngày").fill((today - timedelta(days=1)).strftime("%d/%m/%Y"))
    page.get_by_label("Đến ngày").press("Enter")
    expect(page.locator("#map-count")).to_have_text("0 phản ánh trong vùng đang xem.")
    page.get_by_label("Đến ngày").fill("")
    page.get_by_label("Từ ngày").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Từ ngày").press("Enter")
    expect(page.locator("#map-count")).to_have_text("1 phản ánh trong vùng đang xem.")
    expect(page).to_have_url(re.compile(rf"/\?category=chieu-sang&from={today.isoformat()}$"))

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/\?category=chieu-sang&from={today.isoformat()}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Citizens’ reports")
    expect(page.locator("#map-count")).to_have_text("1 report in the area shown.")
    expect(page.get_by_label("Category")).to_have_value("chieu-sang")
    expect(page.get_by_label("From")).to_have_value(today.strftime("%d/%m/%Y"))


def test_the_reporter_sees_the_answer_on_the_tracking_page_and_rates_it(
    browser_page: Page, territory: Territory, categories: None, officer: User
) -> None:
    creation = file_through_services(territory)
    incident = creation.incident
    services.incident_acknowledge(actor=officer, incident=incident)
    services.incident_resolve(
        actor=officer, incident=incident, answer="Đã vá ổ gà bằng bê tông nhựa ngày 10/10."
    )
    page = browser_page

    page.goto(f"/phan-anh/{incident.tracking_code}/?khoa={creation.reporter_token}")

    expect(page).to_have_url(re.compile(rf"/phan-anh/{incident.tracking_code}/$"))
    expect(page.locator(".answer-card")).to_contain_text("Đã vá ổ gà bằng bê tông nhựa ngày 10/10.")
    expect(page.locator(".tracking-header .status-badge")).to_have_text("Đã giải quyết")
    page.get_by_label("4 — Hài lòng").check()
    page.get_by_label("Nhận xét (không bắt buộc)").fill("Xử lý nhanh")
    page.get_by_role("button", name="Gửi đánh giá").click()

    expect(page.locator(".flash-messages")).to_contain_text("Cảm ơn bạn đã đánh giá kết quả xử lý.")
    expect(page.locator(".stars")).to_have_text("★★★★☆")
    expect(page.get_by_role("heading", name="Đánh giá kết quả xử lý")).to_have_count(0)
    incident.refresh_from_db()
    assert (incident.rating, incident.rating_comment) == (4, "Xử lý nhanh")

    page.get_by_role("button", name="English").click()

    expect(page.locator(".tracking-header .status-badge")).to_have_text("Resolved")
    expect(page.get_by_role("heading", name="Answer of the handling unit")).to_be_visible()


def test_the_lookup_form_finds_a_report_by_a_loosely_typed_code(
    browser_page: Page, territory: Territory, categories: None
) -> None:
    code = file_through_services(territory).incident.tracking_code
    page = browser_page
    page.goto("/")

    page.get_by_label("Mã tra cứu").fill(code.lower().replace("-", " "))
    page.get_by_label("Mã tra cứu").press("Enter")

    expect(page.locator("#tracking-title")).to_have_text(code)


def test_on_a_360_pixel_phone_a_citizen_files_a_report_and_every_page_fits_the_screen(
    open_browser_page: GuardedPages,
    territory: Territory,
    categories: None,
) -> None:
    phone = open_browser_page(viewport={"width": 360, "height": 740}, has_touch=True)
    file_through_services(territory, point=Point(108.75, 15.15, srid=4326))

    phone.goto("/")
    expect(phone.locator("#map-count")).to_have_text("1 phản ánh trong vùng đang xem.")
    assert phone.evaluate("document.documentElement.scrollWidth") == 360

    open_report_page(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    phone.mouse.click(*screen_point(phone, *IN_CAM_THANH))
    expect(phone.locator("#routing-result")).to_contain_text("Phường Cẩm Thành")
    phone.get_by_label("Lĩnh vực").select_option("chieu-sang")
    phone.get_by_label("Nội dung phản ánh").fill("Ba cột đèn không sáng")
    phone.locator('.attribute-group[data-category="chieu-sang"]').get_by_label("Số cột đèn").fill(
        "3"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    phone.get_by_role("button", name="Gửi phản ánh", exact=True).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Đã gửi phản ánh")
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    incident = Incident.objects.get(category__code="chieu-sang")
    assert incident.attributes == {"so-cot-den": 3}
    phone.get_by_role("link", name="Xem trang theo dõi").click()
    expect(phone.locator("#tracking-title")).to_have_text(incident.tracking_code)
    assert phone.evaluate("document.documentElement.scrollWidth") == 360

    phone.get_by_role("button", name="English").click()

    expect(phone.locator(".tracking-header .status-badge")).to_have_text("New")
    assert phone.evaluate("document.documentElement.scrollWidth") == 360


def test_use_my_location_asks_the_browser_and_drops_the_pin_where_the_citizen_stands(
    open_browser_page: GuardedPages, territory: Territory, categories: None
) -> None:
    page = open_browser_page(
        geolocation={"latitude": 15.16, "longitude": 108.74}, permissions=["geolocation"]
    )
    open_report_page(page)

    page.get_by_role("button", name="Dùng vị trí của tôi").click()

    expect(page.get_by_label("Vĩ độ")).to_have_value("15.160000")
    expect(page.get_by_label("Kinh độ")).to_have_value("108.740000")
    expect(page.locator(".report-pin")).to_have_count(1)
    expect(page.locator("#routing-result")).to_contain_text("Ủy ban nhân dân Xã An Phú")
