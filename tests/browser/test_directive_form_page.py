"""The create-directive page in a real browser, in Vietnamese and in English: a clerk of the
leaders' office enters a conclusion notice with two tasks, is refused a deadline before the
directive (nothing written), corrects it and lands on the directive's page; in English, a
directive without tasks is refused in English."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import Page, expect

from directives.models import Directive, Task
from tests.browser.conftest import GuardedPages
from wards.models import AgencyKind
from wards.services import agency_create

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-văn-bản"

expect.set_options(timeout=15_000)


@pytest.fixture
def office(db: None) -> User:
    agency_create(
        code="so-xay-dung", name="Sở Xây dựng tỉnh Quảng Ngãi", kind=AgencyKind.DEPARTMENT
    )
    agency_create(
        code="ubnd-21025-2025", name="Ủy ban nhân dân phường Cẩm Thành",
        kind=AgencyKind.PEOPLES_COMMITTEE,
    )  # fmt: skip
    chairman = User.objects.create_user(
        username="chu-tich", password=PASSWORD, first_name="Văn Thành", last_name="Nguyễn"
    )
    # The live server's database is flushed between tests, groups included: made again here.
    leaders, _created = Group.objects.get_or_create(name="Lãnh đạo")
    leaders.permissions.add(Permission.objects.get(codename="view_all_tasks"))
    chairman.groups.add(leaders)
    clerk = User.objects.create_user(username="van-phong-ubnd", password=PASSWORD)
    clerk.user_permissions.add(
        Permission.objects.get(codename="add_directive"),
        Permission.objects.get(codename="view_all_tasks"),
    )
    return clerk


def sign_in(page: Page, username: str, *, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_the_office_enters_a_directive_is_refused_a_bad_deadline_then_saves_it(
    open_browser_page: GuardedPages, office: User
) -> None:
    page = open_browser_page()
    # The refused form answers 400 on purpose (bad input, nothing written).
    open_browser_page.allow_error_response(page, r"/nhiem-vu/van-ban/moi/$")
    sign_in(page, "van-phong-ubnd", then="/nhiem-vu/")
    page.get_by_role("link", name="Nhập văn bản chỉ đạo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập văn bản chỉ đạo")
    page.get_by_label("Số hiệu").fill("15/TB-UBND")
    page.get_by_label("Ngày ban hành").fill("2026-02-12")
    page.get_by_label("Loại văn bản").select_option("conclusion_notice")
    page.get_by_label("Lãnh đạo ký (tài khoản)").select_option(label="Văn Thành Nguyễn")
    page.get_by_label("Người ký (họ tên, chức vụ)").fill("Chủ tịch UBND tỉnh")
    page.get_by_label("Trích yếu").fill("Kết luận về chống ngập đô thị")
    first = page.locator('fieldset[data-task="1"]')
    first.get_by_label("Đơn vị chủ trì").select_option("so-xay-dung")
    first.get_by_label("Đơn vị phối hợp").select_option(["ubnd-21025-2025"])
    first.get_by_label("Nội dung nhiệm vụ").fill("Khơi thông cống thoát nước đường Hùng Vương")
    first.get_by_label("Hạn hoàn thành (ngày)").fill("2026-02-11")
    second = page.locator('fieldset[data-task="2"]')
    second.get_by_label("Đơn vị chủ trì").select_option("ubnd-21025-2025")
    second.get_by_label("Nội dung nhiệm vụ").fill("Báo cáo tình hình ngập hằng tháng")
    second.get_by_label("hoặc số ngày làm việc kể từ ngày văn bản").fill("5")
    second.get_by_label("Định kỳ", exact=True).select_option("monthly")
    page.get_by_role("button", name="Lưu văn bản và giao nhiệm vụ").click()

    expect(page.locator(".form-error")).to_have_text(
        "Hạn hoàn thành 11/02/2026 trước ngày ban hành văn bản 12/02/2026."
    )
    assert (Directive.objects.count(), Task.objects.count()) == (0, 0)
    # What was typed is kept: only the wrong date needs correcting.
    expect(second.get_by_label("Nội dung nhiệm vụ")).to_have_value(
        "Báo cáo tình hình ngập hằng tháng"
    )
    page.locator('fieldset[data-task="1"]').get_by_label("Hạn hoàn thành (ngày)").fill("2026-03-31")
    page.get_by_role("button", name="Lưu văn bản và giao nhiệm vụ").click()

    directive = Directive.objects.get()
    expect(page).to_have_url(re.compile(rf"/nhiem-vu/van-ban/{directive.pk}/$"))
    expect(page.locator(".staff-message-success")).to_have_text(
        "Đã lưu văn bản chỉ đạo và các nhiệm vụ."
    )
    expect(page.locator(".tasks-table tbody tr")).to_have_count(2)
    deadlines = sorted(str(task.deadline) for task in Task.objects.all())
    # 5 working days from Thursday 12 February 2026, across Tết Bính Ngọ: 26 February.
    assert deadlines == ["2026-02-26", "2026-03-31"]


def test_in_english_a_directive_without_tasks_is_refused_in_english(
    open_browser_page: GuardedPages, office: User
) -> None:
    page = open_browser_page()
    # The refused form answers 400 on purpose (bad input, nothing written).
    open_browser_page.allow_error_response(page, r"/nhiem-vu/van-ban/moi/$")
    sign_in(page, "van-phong-ubnd", then="/nhiem-vu/van-ban/moi/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a directive")
    page.get_by_label("Number").fill("16/TB-UBND")
    page.get_by_label("Date issued").fill("2026-02-12")
    page.get_by_label("Signer (name, position)").fill(
        "Chairman of the Provincial People's Committee"
    )
    page.get_by_label("Subject").fill("Flood drainage")
    page.get_by_role("button", name="Save the directive and assign the tasks").click()
    expect(page.locator(".form-error")).to_have_text("A directive must assign at least one task.")
    expect(page.get_by_label("Number")).to_have_value("16/TB-UBND")
    assert Directive.objects.count() == 0
