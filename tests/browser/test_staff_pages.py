"""The officials' pages in a real browser: an officer of the responsible unit signs in with the real
login form, finds the newest report at the top of the queue, acknowledges, answers and resolves it
with an evidence photo; an officer of another unit cannot open it; the English switch works on
every page visited; the queue works at 360 pixels and from the keyboard; the unit's map draws its
area and pins.

The reports are filed through the core service (the citizens' filing is tested with the citizens'
pages). The `territory` fixture's Cẩm Thành is lon 108.7–108.9, lat 15.0–15.1 after the reform; An
Phú is the band north of it.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django import Settings

from incidents import services
from incidents.category_catalogue import CATEGORIES
from incidents.models import Incident, IncidentChannel, IncidentStatus, PhotoKind
from tests.browser.conftest import GuardedPages, bounding_box_of
from tests.conftest import Territory
from wards.models import Agency, AgencyMembership, AgencyRole

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-trình-duyệt"
CAM_THANH = Point(108.80, 15.05, srid=4326)
AN_PHU = Point(108.80, 15.15, srid=4326)

expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def offline_map_and_private_media(settings: Settings, tmp_path: Path) -> None:
    """No background tiles (nothing may leave the app); photos in a folder of the test's own."""
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def categories(territory: Territory) -> None:
    services.categories_load_catalogue(catalogue=CATEGORIES)


def officer(username: str, agency: Agency, full_name: tuple[str, str] = ("", "")) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=full_name[0], last_name=full_name[1]
    )
    AgencyMembership.objects.create(user=user, agency=agency, role=AgencyRole.OFFICER)
    return user


@pytest.fixture
def officer_a(territory: Territory) -> User:
    return officer("can-bo-cam-thanh", territory.committee_cam_thanh, ("Nguyễn Thị", "Lan"))


@pytest.fixture
def officer_b(territory: Territory) -> User:
    return officer("can-bo-an-phu", territory.committee_an_phu)


def file_report(**overrides: Any) -> Incident:
    arguments: dict[str, Any] = {
        "category_code": "giao-thong",
        "description": "Ổ gà sâu giữa đường Hùng Vương, xe máy dễ ngã",
        "point": CAM_THANH,
        "channel": IncidentChannel.WEB,
        "attributes": {"loai-hu-hong": "o-ga"},
        "address": "Đường Hùng Vương, Phường Cẩm Thành",
        "reporter_name": "Trần Thị Bình",
        "reporter_phone": "0905 123 456",
        "reporter_email": "binh@example.vn",
        "reporter_may_be_contacted": True,
    }
    arguments.update(overrides)
    return services.incident_create(**arguments).incident


def jpeg_file(directory: Path, name: str, colour: str) -> Path:
    """A real JPEG, made for the test (Pillow), as a phone would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG", quality=85)
    path = directory / name
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page: Page, username: str, *, then: str) -> None:
    """Open a staff page, get sent to the login page, and sign in with the real form."""
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập dành cho cán bộ")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    # The address changes before the stylesheets have loaded; measurements need them.
    page.wait_for_load_state("load")


def wait_for_the_map_to_settle(page: Page) -> None:
    page.wait_for_function(
        """() => new Promise((resolve) => {
            const pane = document.querySelector(".leaflet-map-pane");
            const before = pane && pane.style.transform;
            setTimeout(() => resolve(pane && pane.style.transform === before), 300);
        })"""
    )


def test_an_officer_signs_in_finds_the_newest_report_on_top_and_acknowledges_answers_and_resolves_it(
    browser_page: Page,
    categories: None,
    officer_a: User,
    tmp_path: Path,
) -> None:
    yesterday = timezone.now() - timedelta(days=1)
    for description in ("Đèn đường hỏng trước chợ", "Cống thoát nước bị tắc"):
        older = file_report(description=description, reported_at=yesterday)
        services.incident_acknowledge(actor=officer_a, incident=older)
    file_report(point=AN_PHU, description="Ở An Phú, đơn vị khác")
    newest = file_report(photos=[jpeg_file(tmp_path, "o-ga.jpg", "#8b5a2b").open("rb")])
    code = newest.tracking_code
    page = browser_page

    sign_in(page, "can-bo-cam-thanh", then="/can-bo/phan-anh/")

    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-tracking-code", code)
    expect(rows.first).to_have_class(re.compile(r"\bis-due-soon\b"))
    expect(page.locator('.status-count-number[data-status="new"]')).to_have_text("1")
    rows.first.get_by_role("link", name=code).click()

    expect(page).to_have_url(re.compile(rf"/can-bo/phan-anh/{code}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Phản ánh {code}")
    expect(page.locator("#reporter-contact")).to_contain_text("Trần Thị Bình")
    expect(page.locator("path.report-area")).to_have_count(1)
    expect(page.locator("path.report-pin")).to_have_count(1)

    # Acknowledge from the keyboard: the action's button opens its form, Enter confirms.
    page.locator("#action-acknowledge > summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Xác nhận: Tiếp nhận").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".staff-message-success")).to_have_text(f"Đã tiếp nhận phản ánh {code}.")
    expect(page.locator("#report-status")).to_have_text("Đã tiếp nhận")

    page.locator("#action-answer > summary").click()
    page.get_by_label("Nội dung trả lời").fill("Đội duy tu sẽ vá ổ gà trong tuần này.")
    page.get_by_role("button", name="Xác nhận: Trả lời").click()
    expect(page.locator("#report-status")).to_have_text("Đã trả lời")

    page.locator("#action-resolve > summary").click()
    expect(page.get_by_label("Kết quả xử lý")).to_have_value(
        "Đội duy tu sẽ vá ổ gà trong tuần này."
    )
    page.get_by_label("Kết quả xử lý").fill("Đã vá xong ổ gà, mặt đường đã phẳng.")
    page.get_by_label("Ảnh kết quả (không bắt buộc)").set_input_files(
        jpeg_file(tmp_path, "da-va.jpg", "#4b5563")
    )
    page.get_by_role("button", name="Xác nhận: Giải quyết xong").click()

    expect(page.locator(".staff-message-success")).to_have_text(
        f"Phản ánh {code} đã được ghi nhận là giải quyết xong."
    )
    expect(page.locator("#report-status")).to_have_text("Đã giải quyết")
    expect(page.locator(".photo-item")).to_have_count(2)
    expect(page.locator(".photo-item figcaption").nth(1)).to_contain_text("Ảnh kết quả xử lý")
    expect(page.locator(".timeline-event strong")).to_have_text(
        ["Gửi phản ánh", "Tiếp nhận", "Trả lời", "Giải quyết xong"]
    )
    newest.refresh_from_db()
    assert newest.status == IncidentStatus.RESOLVED
    assert newest.public_answer == "Đã vá xong ổ gà, mặt đường đã phẳng."
    assert list(newest.photos.values_list("kind", flat=True).order_by("id")) == [
        PhotoKind.REPORT,
        PhotoKind.EVIDENCE,
    ]

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/can-bo/phan-anh/{code}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report {code}")
    expect(page.get_by_role("heading", name="Handling history")).to_be_visible()
    expect(page.locator("#action-close > summary")).to_have_text("Close the report")
    expect(page.get_by_role("link", name="My unit's reports").first).to_be_visible()
    page.get_by_role("link", name="My unit's reports").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My unit's reports")
    expect(page.get_by_role("button", name="Acknowledge the selected reports")).to_be_visible()


def test_an_officer_of_another_unit_cannot_open_the_report(
    open_browser_page: GuardedPages, browser_page: Page, categories: None, officer_b: User
) -> None:
    report = file_report()
    address = f"/can-bo/phan-anh/{report.tracking_code}/"
    page = browser_page
    open_browser_page.allow_error_response(page, re.escape(address))
    sign_in(page, "can-bo-an-phu", then="/can-bo/phan-anh/")
    expect(page.locator("tr.queue-row")).to_have_count(0)

    response = page.goto(address)

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy")
    expect(page.locator("main")).not_to_contain_text("Trần Thị Bình")
    expect(page.locator("main")).not_to_contain_text("Ổ gà sâu")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert Incident.objects.get(pk=report.pk).status == IncidentStatus.NEW


def test_the_login_page_switches_to_english_and_signs_in_in_english(
    browser_page: Page, officer_a: User
) -> None:
    page = browser_page
    page.goto("/can-bo/phan-anh/")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in for officials")
    page.get_by_label("Username").fill("can-bo-cam-thanh")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-error")).to_have_text(
        "Wrong username or password. Note that the password is case-sensitive."
    )
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/can-bo/phan-anh/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My unit's reports")
    expect(page.locator(".staff-user")).to_have_text("Officer: Nguyễn Thị Lan")


@pytest.fixture
def busy_queue(categories: None, officer_a: User, territory: Territory) -> dict[str, Incident]:
    """A unit's queue as on a working day: overdue, due soon, on time, finished, and another
    unit's report that must never show."""
    now = timezone.now()
    reports = {
        "overdue": file_report(description="Cây xanh gãy đổ chắn ngang vỉa hè", category_code="cay-xanh",
                               attributes={}, reported_at=now - timedelta(days=9),
                               point=Point(108.74, 15.03, srid=4326)),
        "late_acknowledge": file_report(description="Rác thải tồn đọng ở góc chợ",
                                        category_code="ve-sinh-moi-truong", attributes={},
                                        reported_at=now - timedelta(days=3),
                                        point=Point(108.86, 15.07, srid=4326)),
        "due_soon": file_report(description="Đèn đường không sáng cả dãy phố", category_code="chieu-sang",
                                attributes={}, point=Point(108.80, 15.05, srid=4326)),
        "on_time": file_report(description="Nắp hố ga bị vỡ", category_code="cap-thoat-nuoc",
                               attributes={"van-de": "mat-nap-ho-ga"}, reported_at=now - timedelta(hours=5),
                               point=Point(108.76, 15.08, srid=4326)),
        "finished": file_report(description="Lấn chiếm vỉa hè bán hàng", category_code="trat-tu-do-thi",
                                attributes={}, reported_at=now - timedelta(days=2),
                                point=Point(108.84, 15.02, srid=4326)),
        "other_unit": file_report(point=AN_PHU, description="Ở An Phú"),
    }  # fmt: skip
    services.incident_acknowledge(actor=officer_a, incident=reports["overdue"])
    services.incident_start(actor=officer_a, incident=reports["overdue"])
    services.incident_acknowledge(actor=officer_a, incident=reports["on_time"])
    services.incident_assign(actor=officer_a, incident=reports["on_time"], assignee=officer_a)
    services.incident_acknowledge(actor=officer_a, incident=reports["finished"])
    services.incident_resolve(actor=officer_a, incident=reports["finished"], answer="Đã xử lý.")
    # The deadlines the queue judges, set outright so the queue is the same on any day.
    Incident.objects.filter(pk=reports["overdue"].pk).update(resolve_by=now - timedelta(days=2))
    Incident.objects.filter(pk=reports["late_acknowledge"].pk).update(
        acknowledge_by=now - timedelta(hours=20)
    )
    Incident.objects.filter(pk=reports["due_soon"].pk).update(
        acknowledge_by=now + timedelta(hours=3)
    )
    Incident.objects.filter(pk=reports["on_time"].pk).update(resolve_by=now + timedelta(days=6))
    return reports


def test_the_queue_marks_urgency_counts_statuses_and_acknowledges_the_ticked_reports(
    browser_page: Page, busy_queue: dict[str, Incident]
) -> None:
    page = browser_page
    sign_in(page, "can-bo-cam-thanh", then="/can-bo/phan-anh/")

    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(4)
    order = ["overdue", "late_acknowledge", "due_soon", "on_time"]
    assert [row.get_attribute("data-tracking-code") for row in rows.all()] == [
        busy_queue[name].tracking_code for name in order
    ]
    assert [row.get_attribute("data-urgency") for row in rows.all()] == [
        "overdue",
        "overdue",
        "due_soon",
        "",
    ]
    overdue_background = (
        rows.nth(0).locator("td").nth(1).evaluate("cell => getComputedStyle(cell).backgroundColor")
    )
    due_soon_background = (
        rows.nth(2).locator("td").nth(1).evaluate("cell => getComputedStyle(cell).backgroundColor")
    )
    assert overdue_background == "rgb(254, 242, 242)"  # red surface
    assert due_soon_background == "rgb(255, 251, 235)"  # amber surface
    expect(page.locator(".status-count-number")).to_have_text(
        ["4", "2", "1", "1", "0", "0", "1", "0", "0", "5"]
    )
    expect(page.locator(".urgency-summary")).to_contain_text("2 quá hạn")

    # Only new reports can be ticked; "select all" ticks both, then one is unticked.
    page.get_by_label("Chọn tất cả phản ánh mới trên trang").check()
    expect(page.locator('input[name="codes"]:checked')).to_have_count(2)
    page.get_by_label(f"Chọn {busy_queue['late_acknowledge'].tracking_code}").uncheck()
    expect(page.locator("#selection-count")).to_have_text("Đã chọn 1 phản ánh")
    page.get_by_role("button", name="Tiếp nhận các phản ánh đã chọn").click()

    expect(page.locator(".staff-message-success")).to_have_text(
        f"Đã tiếp nhận 1 phản ánh: {busy_queue['due_soon'].tracking_code}."
    )
    expect(page.locator('.status-count-number[data-status="new"]')).to_have_text("1")
    statuses = dict(
        Incident.objects.filter(pk__in=[report.pk for report in busy_queue.values()]).values_list(
            "description", "status"
        )
    )
    assert statuses["Đèn đường không sáng cả dãy phố"] == IncidentStatus.ACKNOWLEDGED
    assert statuses["Rác thải tồn đọng ở góc chợ"] == IncidentStatus.NEW

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My unit's reports")
    expect(page.locator(".urgency-summary")).to_contain_text("2 overdue")
    expect(page.locator("th").nth(1)).to_have_text("Tracking code")


def test_the_queue_filters_from_the_keyboard_and_fits_a_360_pixel_phone(
    open_browser_page: GuardedPages, busy_queue: dict[str, Incident]
) -> None:
    phone = open_browser_page(viewport={"width": 360, "height": 740}, has_touch=True)
    sign_in(phone, "can-bo-cam-thanh", then="/can-bo/phan-anh/")

    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    phone.get_by_text("Bộ lọc").focus()
    phone.keyboard.press("Enter")
    phone.get_by_label("Chỉ phản ánh quá hạn").focus()
    phone.keyboard.press("Space")
    phone.get_by_role("button", name="Lọc", exact=True).focus()
    phone.keyboard.press("Enter")

    expect(phone).to_have_url(re.compile(r"overdue=on"))
    phone.wait_for_load_state("load")
    expect(phone.locator("tr.queue-row")).to_have_count(2)
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    first = phone.locator("tr.queue-row").first.bounding_box()
    assert first is not None and first["width"] <= 340

    phone.locator("tr.queue-row").first.get_by_role("link").click()
    expect(phone.locator("#report-map")).to_be_visible()
    phone.wait_for_load_state("load")
    assert phone.evaluate("document.documentElement.scrollWidth") == 360
    # One column, with the actions before the map and the timeline, not at the very end.
    actions = phone.locator(".report-card-actions").bounding_box()
    timeline = phone.locator(".report-card-timeline").bounding_box()
    assert actions is not None and timeline is not None
    assert actions["width"] == timeline["width"] == 336
    assert actions["y"] < bounding_box_of(phone.locator(".report-card-map"))["y"] < timeline["y"]


def test_the_unit_map_draws_its_area_and_its_open_reports_coloured_by_urgency(
    browser_page: Page, busy_queue: dict[str, Incident]
) -> None:
    page = browser_page
    sign_in(page, "can-bo-cam-thanh", then="/can-bo/ban-do/")

    expect(page.locator("path.unit-area")).to_have_count(1)
    expect(page.locator("path.report-pin")).to_have_count(4)
    expect(page.locator("path.report-pin.pin-overdue")).to_have_count(2)
    expect(page.locator("path.report-pin.pin-due_soon")).to_have_count(1)
    expect(page.locator("#report-list li")).to_have_count(4)
    expect(page.locator("#report-count")).to_have_text("4 phản ánh đang mở trong vùng đang xem.")
    expect(page.locator("#map-status")).to_be_hidden()
    page.locator("path.report-pin.pin-due_soon").click()
    popup = page.locator(".leaflet-popup .map-report-popup")
    expect(popup).to_contain_text(busy_queue["due_soon"].tracking_code)
    expect(popup).to_contain_text("Sắp đến hạn")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My unit's map of reports")
    expect(page.locator("#report-count")).to_have_text("4 open reports in the visible area.")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
