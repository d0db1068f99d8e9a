"""The planners' report builder in a real browser: a planner signs in, reads the summary per
commune with its map, narrows it to a pasted polygon, draws one on the map, downloads the CSV,
and reads the page and an error in English."""

from __future__ import annotations

import csv
import io
import json
import re

import pyogrio
import pytest
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import Page, expect

from tests.browser.conftest import GuardedPages
from tests.conftest import Territory
from tests.spatial_reports.conftest import Reports, dossiers, reports_create

pytestmark = pytest.mark.browser
# The spatial reports' fixture of dossiers, used here too.
__all__ = ["dossiers"]
expect.set_options(timeout=15_000)

PASSWORD = "mật-khẩu-thử-quy-hoạch"
QUERY = "/bao-cao-khong-gian/?tu=2025-07-01&den=2025-12-31"
SOUTH_WEST = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[108.7, 15.0], [108.82, 15.0], [108.82, 15.06], [108.7, 15.06], [108.7, 15.0]]
        ],
    }
)


@pytest.fixture
def reports(territory: Territory) -> Reports:
    return reports_create()


@pytest.fixture
def planner_account(db: None) -> User:
    # The live server's database is flushed between tests, groups included: made again here.
    planners, _created = Group.objects.get_or_create(name="Chuyên viên quy hoạch")
    planners.permissions.add(Permission.objects.get(codename="use_spatial_reports"))
    user = User.objects.create_user(username="quy-hoach", password=PASSWORD)
    user.groups.add(planners)
    return user


def sign_in(page: Page, *, then: str) -> None:
    page.goto(then)
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/\?next="))
    page.get_by_label("Tên đăng nhập").fill("quy-hoach")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(re.escape(then) + "$"))


def test_a_planner_builds_a_report_downloads_it_and_reads_it_in_english(
    open_browser_page: GuardedPages,
    reports: Reports,
    planner_account: User,
) -> None:
    page = open_browser_page()
    sign_in(page, then=QUERY)

    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo không gian")
    rows = page.locator("#summary-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Phường Cẩm Thành")
    expect(rows.nth(1).locator("td").first).to_have_text("3")
    expect(page.locator("#summary-total")).to_contain_text("4 phản ánh")
    expect(page.locator("path.report-point")).to_have_count(4)

    # A pasted polygon narrows the table and the map; the query stays in the URL.
    page.get_by_label("Vùng (GeoJSON)").fill(SOUTH_WEST)
    page.get_by_role("button", name="Xem báo cáo").click()
    expect(page).to_have_url(re.compile(r"vung="))
    expect(rows).to_have_count(2)
    expect(page.locator("path.report-point")).to_have_count(2)
    expect(page.locator("path.report-polygon")).to_have_count(1)

    # The CSV of the two reports, with no personal data.
    page.get_by_label("Định dạng").select_option("csv")
    with page.expect_download() as waiting:
        page.locator("#report-download").get_by_role("button", name="Tải về").click()
    text = waiting.value.path().read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[0] for line in lines[1:]] == [r.tracking_code for r in reports.cam_thanh_2025[:2]]
    assert "Bình" not in text and "0905" not in text

    # A polygon drawn with four clicks, the last on the first vertex.
    page.get_by_role("button", name="Xoá vùng").click()
    page.get_by_role("button", name="Vẽ vùng trên bản đồ").click()
    box = page.locator("#report-map").bounding_box()
    assert box is not None
    corners = [(0.3, 0.3), (0.7, 0.3), (0.5, 0.7), (0.3, 0.3)]
    for x, y in corners:
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    drawn = json.loads(page.get_by_label("Vùng (GeoJSON)").input_value())
    assert drawn["type"] == "Polygon"
    ring = drawn["coordinates"][0]
    assert len(ring) == 4 and ring[0] == ring[-1]

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spatial reports")
    expect(page.locator("#summary-table thead")).to_contain_text("Reports")

    open_browser_page.allow_error_response(page, r"/bao-cao-khong-gian/\?")
    page.get_by_label("Area (GeoJSON)").fill('{"type": "Polygon", "coordinates": [[[108.7, 15.0]')
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The area is not valid GeoJSON; paste a GeoJSON Polygon or MultiPolygon."
    )


def test_a_planner_switches_to_the_dossier_layer_and_downloads_its_geopackage(
    open_browser_page: GuardedPages,
    dossiers: None,
    planner_account: User,
) -> None:
    page = open_browser_page()
    sign_in(page, then="/bao-cao-khong-gian/?tu=2026-03-01&den=2026-03-31")

    page.get_by_label("Lớp dữ liệu").select_option("dossiers")
    page.get_by_role("button", name="Xem báo cáo").click()

    expect(page).to_have_url(re.compile(r"lop=dossiers"))
    rows = page.locator("#summary-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Phường Cẩm Thành")
    expect(rows.nth(0).locator("td").first).to_have_text("3")
    expect(page.locator("#summary-total")).to_contain_text("4 hồ sơ tiếp nhận")
    # The map: the two communes' outlines with their receipts.
    expect(page.locator("path.report-area")).to_have_count(2)

    page.get_by_label("Định dạng").select_option("gpkg")
    with page.expect_download() as waiting:
        page.locator("#report-download").get_by_role("button", name="Tải về").click()
    frame = pyogrio.read_dataframe(str(waiting.value.path()))
    assert frame["commune"].tolist() == ["21025", "21025", "21025", "21034"]
    assert frame["received"].sum() == 4
