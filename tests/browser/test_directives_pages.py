"""The directives pages in a real browser, on the demo directives (`directives_load_demo`): the
leader signs in, reads the board (figures per agency, calendar, tasks overdue first), filters it,
opens a directive and a task, and switches to English; an officer of the Department of
Construction accepts a task and reports progress with the page's forms; an officer of another
agency cannot open that task. The board's screenshot goes to the README.

The demo's agencies are created here by code and name (the boundaries that `wards_load_demo` adds
are not needed by the boards), so the test does not spend half a minute loading the territory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from directives.demo import directives_demo_load
from directives.models import Task
from geoapp.clock import vietnam_today
from tests.browser.conftest import GuardedPages, save_screenshot
from wards.models import Agency, AgencyKind, AgencyMembership
from wards.services import agency_create

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-nhiệm-vụ"
AGENCY_NAMES = {
    "so-xay-dung": "Sở Xây dựng tỉnh Quảng Ngãi",
    "so-nong-nghiep-va-moi-truong": "Sở Nông nghiệp và Môi trường tỉnh Quảng Ngãi",
    "cong-an-tinh-quang-ngai": "Công an tỉnh Quảng Ngãi",
    "cong-ty-moi-truong-do-thi-quang-ngai": "Công ty Cổ phần Môi trường đô thị Quảng Ngãi",
    "cong-ty-cap-thoat-nuoc-quang-ngai": "Công ty Cổ phần Cấp thoát nước Quảng Ngãi",
    "cong-ty-dien-luc-quang-ngai": "Công ty Điện lực Quảng Ngãi",
    "trung-tam-phuc-vu-hanh-chinh-cong": "Trung tâm Phục vụ hành chính công tỉnh Quảng Ngãi",
    "ubnd-522-2014": "Ủy ban nhân dân Thành phố Quảng Ngãi",
    "ubnd-21025-2025": "Ủy ban nhân dân phường Cẩm Thành",
    "ubnd-21028-2025": "Ủy ban nhân dân phường Nghĩa Lộ",
    "ubnd-21172-2025": "Ủy ban nhân dân phường Trương Quang Trọng",
    "ubnd-21034-2025": "Ủy ban nhân dân xã An Phú",
    "ubnd-21211-2025": "Ủy ban nhân dân xã Tịnh Khê",
    "ubnd-21109-2025": "Ủy ban nhân dân xã Đông Sơn",
}

expect.set_options(timeout=15_000)


@pytest.fixture
def demo(db: None) -> None:
    for code, name in AGENCY_NAMES.items():
        agency_create(code=code, name=name, kind=AgencyKind.DEPARTMENT)
    leader = User.objects.create_user(
        username="lanh-dao", password=PASSWORD, first_name="Văn Thành", last_name="Nguyễn"
    )
    # The live server's database is flushed between tests, groups included: made again here.
    leaders, _created = Group.objects.get_or_create(name="Lãnh đạo")
    leaders.permissions.add(Permission.objects.get(codename="view_all_tasks"))
    leader.groups.add(leaders)
    for username, code in (
        ("can-bo-so-xay-dung", "so-xay-dung"),
        ("can-bo-cong-an", "cong-an-tinh-quang-ngai"),
    ):
        user = User.objects.create_user(username=username, password=PASSWORD)
        AgencyMembership.objects.create(user=user, agency=Agency.objects.get(code=code))
    # 60 tasks, and the occurrences of the three periodic reports due so far (9 in December 2026).
    assert directives_demo_load() == Task.objects.count()
    assert Task.objects.filter(series__isnull=True).count() == 60


def sign_in(page: Page, username: str, *, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    page.wait_for_load_state("load")


def test_the_leader_reads_the_board_filters_it_and_opens_a_directive_and_a_task(
    browser_page: Page, demo: None
) -> None:
    page = browser_page
    sign_in(page, "lanh-dao", then="/nhiem-vu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Theo dõi nhiệm vụ lãnh đạo giao")
    overdue = Task.objects.filter(
        status__in=["assigned", "accepted", "in_progress"], deadline__lt=vietnam_today()
    ).count()
    assert overdue > 0
    rows = page.locator(".tasks-table tbody tr")
    expect(rows).to_have_count(Task.objects.count())
    # Overdue first: the first `overdue` rows, and only they, say so.
    for index in range(overdue):
        expect(rows.nth(index).locator(".standing-badge")).to_have_text("Quá hạn")
    expect(rows.nth(overdue).locator(".standing-badge")).not_to_have_text("Quá hạn")
    figures = page.locator(".figures-table tbody tr")
    expect(figures).to_have_count(Task.objects.values("lead_agency").distinct().count())
    expect(page.locator(".calendar-grid")).to_be_visible()
    expect(page.get_by_role("link", name="Bản đồ nhiệm vụ")).to_be_visible()
    save_screenshot(page, "directives-board")

    page.locator("summary", has_text="Bộ lọc").click()
    page.get_by_label("Tình trạng").select_option("overdue")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page.locator(".tasks-table tbody tr")).to_have_count(overdue)

    first = page.locator(".tasks-table tbody tr").first
    number = first.locator("td").nth(4).inner_text()
    first.locator("td").nth(4).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    page.locator(".tasks-table tbody tr").first.locator("td").nth(2).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Diễn biến")).to_be_visible()
    expect(page.locator(".timeline-event").first).to_contain_text("Giao nhiệm vụ")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.goto("/nhiem-vu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tracking the tasks leaders assign")


def test_an_officer_accepts_a_task_and_reports_progress_and_another_agency_cannot_see_it(
    open_browser_page: GuardedPages, demo: None
) -> None:
    task = Task.objects.filter(lead_agency__code="so-xay-dung", status="assigned").first()
    if task is None:
        task = Task.objects.create(
            directive=Task.objects.first().directive,  # type: ignore[union-attr]
            lead_agency=Agency.objects.get(code="so-xay-dung"),
            content="Kiểm tra cầu Trà Khúc", deadline="2099-12-31",
            original_deadline="2099-12-31",
        )  # fmt: skip
    page = open_browser_page()
    sign_in(page, "can-bo-so-xay-dung", then=f"/nhiem-vu/{task.pk}/")
    page.locator('form[data-action="accept"]').get_by_role("button", name="Nhận").click()
    expect(page.locator(".staff-message-success")).to_have_text("Đã ghi nhận.")
    progress = page.locator('form[data-action="report_progress"]')
    progress.get_by_label("Nội dung báo cáo").fill("Đã khảo sát hiện trường.")
    progress.get_by_label("Tiến độ (%)").fill("40")
    progress.get_by_role("button", name="Báo cáo tiến độ").click()
    expect(page.locator(".staff-message-success")).to_have_text("Đã ghi nhận.")
    task.refresh_from_db()
    assert (task.status, task.progress_percent) == ("in_progress", 40)
    expect(page.locator(".timeline-event").last).to_contain_text("Báo cáo tiến độ")

    other = open_browser_page()
    open_browser_page.allow_error_response(other, rf"/nhiem-vu/{task.pk}/$")
    sign_in(other, "can-bo-cong-an", then="/nhiem-vu/")
    response = other.goto(f"/nhiem-vu/{task.pk}/")
    assert response is not None and response.status == 404
    task.refresh_from_db()
    assert (task.status, task.progress_percent) == ("in_progress", 40)


def test_an_agency_reads_its_own_queue_and_downloads_it_as_xlsx(
    open_browser_page: GuardedPages, demo: None, tmp_path: Path
) -> None:
    page = open_browser_page()
    open_browser_page.allow_error_response(page, r"/nhiem-vu/don-vi/cong-an-tinh-quang-ngai/$")
    sign_in(page, "can-bo-so-xay-dung", then="/nhiem-vu/don-vi/so-xay-dung/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhiệm vụ của đơn vị")
    expect(page.locator(".staff-subtitle")).to_have_text("Sở Xây dựng tỉnh Quảng Ngãi")
    led = Task.objects.filter(lead_agency__code="so-xay-dung")
    expect(page.locator(".tasks-table tbody tr")).to_have_count(led.count())
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải XLSX").click()
    path = tmp_path / "queue.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path).active
    assert sheet is not None
    # A header row, then one row per task the agency leads.
    assert sheet.max_row == 1 + led.count()
    # Another agency's queue is not found for this officer.
    open_response = page.goto("/nhiem-vu/don-vi/cong-an-tinh-quang-ngai/")
    assert open_response is not None and open_response.status == 404
