"""The task map in a real browser: located tasks drawn as pins coloured by standing, the period's
figures beside them, and the page in English."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.gis.geos import Point
from playwright.sync_api import Page, expect

from directives import services
from directives.models import Task
from directives.services import TaskSpecification
from geoapp.clock import vietnam_today
from wards.models import AgencyKind
from wards.services import agency_create

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-bản-đồ"

expect.set_options(timeout=15_000)


@pytest.fixture
def located_tasks(db: None) -> None:
    agency_create(
        code="so-xay-dung", name="Sở Xây dựng tỉnh Quảng Ngãi", kind=AgencyKind.DEPARTMENT
    )
    leader = User.objects.create_user(username="lanh-dao", password=PASSWORD)
    leaders, _created = Group.objects.get_or_create(name="Lãnh đạo")
    leaders.permissions.add(Permission.objects.get(codename="view_all_tasks"))
    leader.groups.add(leaders)
    today = vietnam_today()
    directive = services.directive_create(
        number="30/TB-UBND", issued_on=today - datetime.timedelta(days=30), kind="conclusion_notice",
        signer_name="Chủ tịch UBND tỉnh", subject="Chống ngập",
        tasks=[
            TaskSpecification(lead_agency_code="so-xay-dung", content="Nạo vét kênh Bàu Giang",
                              deadline=today - datetime.timedelta(days=1)),
            TaskSpecification(lead_agency_code="so-xay-dung", content="Sửa cầu Trà Khúc",
                              deadline=today + datetime.timedelta(days=30)),
        ],
    )  # fmt: skip
    late, ahead = directive.tasks.order_by("deadline")
    Task.objects.filter(pk=late.pk).update(place=Point(108.80, 15.12, srid=4326))
    Task.objects.filter(pk=ahead.pk).update(place=Point(108.83, 15.13, srid=4326))


def test_the_leader_sees_the_tasks_as_coloured_pins_with_the_figures(
    browser_page: Page, located_tasks: None
) -> None:
    page = browser_page
    today = vietnam_today()
    # A period around today, so the test does not depend on the day of the year it runs.
    query = f"?period_start={today - datetime.timedelta(days=60)}&period_end={today + datetime.timedelta(days=60)}"
    page.goto("/nhiem-vu/ban-do/" + query)
    page.get_by_label("Tên đăng nhập").fill("lanh-dao")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/nhiem-vu/ban-do/\?period_start="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bản đồ nhiệm vụ")
    expect(page.locator("path.task-pin")).to_have_count(2)
    expect(page.locator("path.task-pin-overdue")).to_have_count(1)
    expect(page.locator("#task-count")).to_have_text("2 nhiệm vụ có vị trí.")
    expect(page.locator('[data-figure="overdue"]')).to_have_text("1")
    expect(page.locator("#task-list .standing-badge").first).to_have_text("Quá hạn")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Task map")
    expect(page.locator("#task-count")).to_have_text("2 tasks with a place.")
    expect(page.locator("#task-list .standing-badge").first).to_have_text("Overdue")
