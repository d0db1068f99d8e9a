"""The operations centre in a real browser: a leader signs in, reads the dashboard (figures,
the hotspot map, a choropleth, trends, rankings), drills down to a commune's page, downloads the
weekly report (XLSX and PDF) and switches to English; no request leaves the app and no console
error appears.
The README's screenshots of the dashboard and the weekly report are taken on the demo instead
(docs/ioc.md says how).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Page, expect

from geoapp.clock import vietnam_today
from incidents.models import Incident
from ioc.services import week_before, weekly_report_produce
from tests.ioc.conftest import (  # noqa: F401 - fixtures
    Reports,
    _private_media_and_cache,
    _vietnamese_first,
    categories,
    file_report,
    reports,
)

pytestmark = pytest.mark.browser

PASSWORD = "mật-khẩu-thử-điều-hành"


@pytest.fixture
def ioc_leader(db: None) -> User:
    leader = User.objects.create_user(username="lanh-dao-ioc", password=PASSWORD)
    # The live server's database is flushed between tests, groups included: made again here.
    leaders, _created = Group.objects.get_or_create(name="Lãnh đạo điều hành")
    leaders.permissions.add(Permission.objects.get(codename="view_operations_centre"))
    leader.groups.add(leaders)
    return leader


def sign_in(page: Page, username: str, *, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))
    page.wait_for_load_state("load")


def test_a_leader_reads_the_dashboard_drills_down_and_downloads_the_weekly_report(
    browser_page: Page,
    reports: Reports,  # noqa: F811 - the imported fixture
    ioc_leader: User,
) -> None:
    # Half the reports last week, for the weekly report; the rest this week, for the dashboard.
    Incident.objects.filter(pk__in=[r.pk for r in reports.all[::2]]).update(
        reported_at=F("reported_at") - datetime.timedelta(days=7)
    )
    week = weekly_report_produce(week_start=week_before(vietnam_today()), now=timezone.now())
    page = browser_page
    sign_in(page, "lanh-dao-ioc", then="/dieu-hanh/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Trung tâm điều hành")
    expect(page.locator('[data-figure="filed"] dd a')).to_have_text("5")
    expect(page.locator('[data-figure="open"] dd a')).to_have_text("6")
    expect(page.locator('[data-figure="overdue"] dd a')).to_have_text("2")
    expect(page.locator("svg.ioc-area-map path.commune")).to_have_count(2)
    expect(page.locator("svg.ioc-area-map polygon.hexagon").first).to_be_attached()
    expect(page.locator("svg.chart")).to_have_count(2)
    expect(page.get_by_role("link", name="Điều hành")).to_be_visible()

    page.get_by_role("link", name="Tỷ lệ giải quyết đúng hạn").click()
    expect(page).to_have_url(re.compile(r"layer=on_time"))
    expect(page.locator(".ioc-legend li").first).to_be_visible()

    page.locator("svg.ioc-area-map a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(21025)")
    expect(page.get_by_role("heading", name="Chỉ tiêu so với kế hoạch")).to_be_visible()

    page.goto("/dieu-hanh/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    assert download_info.value.suggested_filename == (
        f"bao-cao-tuan-{week.week_start.isoformat()}.xlsx"
    )
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="PDF").click()
    assert pdf_info.value.suggested_filename == f"bao-cao-tuan-{week.week_start.isoformat()}.pdf"
    assert Path(pdf_info.value.path()).read_bytes() == bytes(week.pdf)
    assert bytes(week.pdf).startswith(b"%PDF-")
    page.get_by_role("link", name="Bản in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo tuần")

    page.goto("/dieu-hanh/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operations centre")
    expect(page.get_by_role("heading", name="Ranking of communes and wards")).to_be_visible()
    page.goto("/dieu-hanh/khu-vuc/21034/")
    expect(page.get_by_role("heading", name="Indicators against targets")).to_be_visible()
