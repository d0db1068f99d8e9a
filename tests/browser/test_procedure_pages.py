"""The procedures' officer pages in a real browser, in Vietnamese then English: an officer of
Phường Cẩm Thành signs in, sees an overdue dossier in red at the top of the unit's queue (the
colour comes from a stylesheet: the CSP refuses <style> elements), receives a dossier at the desk,
and takes it through process, supplement request, resume, result ready and return on its page;
the same pages then answer in English. The README's screenshots of these pages come from here."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect
from pytest_django import Settings

from geoapp.clock import vietnam_now
from procedures import services
from procedures.catalogue import catalogue_rows
from procedures.models import Dossier, DossierStatus
from tests.browser.conftest import save_screenshot
from tests.conftest import Territory
from tests.procedures.conftest import vietnam
from wards.models import AgencyMembership, AgencyRole

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-trình-duyệt"
OVERDUE_RED = "rgb(185, 28, 28)"  # --colour-overdue of static/css/staff.css

expect.set_options(timeout=15_000)


@pytest.fixture
def desk_officer(territory: Territory) -> User:
    for row in catalogue_rows():
        services.procedure_create(**row)
    user = User.objects.create_user(username="can-bo-mot-cua", password=PASSWORD)
    AgencyMembership.objects.create(
        user=user, agency=territory.committee_cam_thanh, role=AgencyRole.OFFICER
    )
    return user


def sign_in(page: Page, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill("can-bo-mot-cua")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    page.wait_for_load_state("load")


def act(page: Page, button: str, status: str) -> None:
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".notice-success")).to_have_text(
        re.compile("Đã cập nhật hồ sơ.|Dossier updated.")
    )
    expect(page.locator("dd[data-status]")).to_have_text(status)


def test_desk_queue_and_dossier_actions_in_vietnamese_and_english(
    browser_page: Page, territory: Territory, desk_officer: User
) -> None:
    late = services.dossier_receive(
        procedure_code="1.001193", unit_code=territory.committee_cam_thanh.code,
        received_at=vietnam_now() - timedelta(days=30), channel="counter",
        applicant={"name": "Trần Thị Bình"},
    )  # fmt: skip
    page = browser_page
    sign_in(page, "/can-bo/ho-so/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận hồ sơ")
    overdue = page.locator(f'tr.dossier-row[data-code="{late.code}"]')
    expect(overdue).to_have_class(re.compile(r"\boverdue\b"))
    expect(overdue.locator("td").first).to_have_css("color", OVERDUE_RED)
    save_screenshot(page, "procedures-desk-queue", full_page=True)

    page.get_by_label("Thủ tục").select_option("1.001612")
    page.get_by_label("Người nộp").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh").fill("051090001234")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()

    expect(page).to_have_url(re.compile(r"/can-bo/ho-so/ubnd-21025-2025-\d{6}-0001/$"))
    dossier = Dossier.objects.get(applicant_name="Nguyễn Văn An")
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier.code)
    expect(page.locator(".notice-success")).to_have_text(
        re.compile(rf"Đã tiếp nhận hồ sơ {dossier.code}, hẹn trả \d\d/\d\d/\d{{4}} \d\d:\d\d\.")
    )
    expect(page.locator("dd[data-status]")).to_have_text("Đã tiếp nhận")

    act(page, "Xử lý", "Đang xử lý")
    act(page, "Yêu cầu bổ sung", "Yêu cầu bổ sung")
    expect(page.locator("form.action-form")).to_have_count(3)  # resume, withdraw, stop
    act(page, "Tiếp tục xử lý", "Đang xử lý")
    act(page, "Ghi nhận kết quả", "Có kết quả")
    save_screenshot(page, "procedures-dossier", full_page=True)
    act(page, "Trả kết quả", "Đã trả kết quả")
    expect(page.locator("form.action-form")).to_have_count(0)
    expect(page.locator("li.dossier-event")).to_have_count(6)
    expect(page.locator("li.dossier-event").first).to_contain_text("Tiếp nhận (Đã tiếp nhận)")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RESULT_RETURNED
    assert list(dossier.events.values_list("action", flat=True)) == [
        "receive", "process", "request_supplement", "resume", "result_ready", "return_result",
    ]  # fmt: skip

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier.code)
    expect(page.locator("dd[data-status]")).to_have_text("Result returned")
    expect(page.get_by_role("heading", name="History")).to_be_visible()

    page.goto(f"/can-bo/ho-so/{late.code}/")
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    page.get_by_role("button", name="Process", exact=True).click()
    expect(page.locator(".notice-success")).to_have_text("Dossier updated.")
    expect(page.locator("dd[data-status]")).to_have_text("In progress")

    page.goto("/can-bo/ho-so/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Receive a dossier")
    overdue = page.locator(f'tr.dossier-row[data-code="{late.code}"]')
    expect(overdue.locator("td").nth(2)).to_have_text("In progress")
    expect(overdue.locator("td").first).to_have_css("color", OVERDUE_RED)
    save_screenshot(page, "procedures-queue-en", full_page=True)


def test_the_map_colours_areas_by_share_late_and_leads_to_an_areas_dossiers(
    browser_page: Page, territory: Territory, desk_officer: User, settings: Settings
) -> None:
    settings.MAP_TILE_URL = ""  # nothing may leave the app
    unit = territory.committee_cam_thanh.code
    for moment, procedure in (
        (vietnam(2026, 3, 3, 8), "2.000815"),
        (vietnam(2026, 3, 4, 8), "1.001612"),
    ):
        services.dossier_receive(
            procedure_code=procedure, unit_code=unit, received_at=moment, channel="counter",
            applicant={"name": "Phạm Văn Cường"},
        )  # fmt: skip
    page = browser_page
    sign_in(page, "/can-bo/ho-so/ban-do/")
    page.get_by_label("Ngày").fill("2026-03-05")
    page.get_by_role("button", name="Xem bản đồ").click()
    expect(page.locator("#dossier-map")).to_have_attribute("data-ready", "true")
    # Cẩm Thành: 1 of 2 open dossiers overdue = 50 %; An Phú has none.
    expect(page.locator("#dossier-legend li")).to_have_text(
        ["0 % (0)", "(0 – 10 %] (0)", "(10 – 25 %] (0)", "(25 – 50 %] (1)", "(50 – 100 %] (0)",
         "Không có hồ sơ (1)"]
    )  # fmt: skip
    areas = page.locator("path.dossier-area")
    expect(areas).to_have_count(2)
    expect(areas.first).to_have_attribute("fill", "#fc8d59")
    expect(areas.nth(1)).to_have_attribute("fill", "#d1d5db")
    save_screenshot(page, "procedures-map")
    areas.first.click()
    detail = page.locator("#area-detail")
    expect(detail.get_by_role("heading")).to_have_text(f"{territory.cam_thanh.name} (21025)")
    expect(detail).to_contain_text(re.compile(r"50\s?% \(1 / 2\)"))
    expect(detail).not_to_contain_text("Phạm Văn Cường")
    detail.get_by_role("link", name="Xem hồ sơ của địa bàn").click()
    expect(page).to_have_url(re.compile(rf"/can-bo/ho-so/\?khu-vuc={territory.cam_thanh.id}$"))
    expect(page.locator("tr.dossier-row")).to_have_count(2)
    expect(page.locator("tr.dossier-row.overdue")).to_have_count(2)  # both past today's date
