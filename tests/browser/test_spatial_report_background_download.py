"""A download too large to write during the request, in a real browser: a planner asks for it, the
page polls while a real Celery worker writes it, the progress bar fills and the link appears, and
the file downloaded holds the reports asked for and no personal data."""

from __future__ import annotations

import re
from pathlib import Path

import pyogrio
import pytest
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import expect
from pytest_django import Settings

from spatial_reports.models import ExportStatus, SpatialReportExport
from tests.browser.conftest import GuardedPages
from tests.browser.test_spatial_reports_page import QUERY, planner_account, reports, sign_in
from tests.celery_worker import running_worker
from tests.spatial_reports.conftest import Reports

pytestmark = pytest.mark.browser
# Fixtures shared with the report builder's browser test.
__all__ = ["planner_account", "reports"]
expect.set_options(timeout=60_000)


def test_a_large_download_fills_its_progress_bar_and_is_downloaded(
    open_browser_page: GuardedPages,
    reports: Reports,
    planner_account: User,
    settings: Settings,
    private_queue: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four reports are above this limit: the download goes to the worker.
    settings.SPATIAL_REPORTS_SYNC_MAX_ROWS = 3
    settings.MEDIA_ROOT = str(tmp_path)
    # The worker writes where the live server reads.
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(tmp_path))
    page = open_browser_page()
    sign_in(page, then=QUERY)

    with running_worker(queue=private_queue, database_name=connection.settings_dict["NAME"]):
        page.get_by_label("Định dạng").select_option("gpkg")
        page.locator("#report-download").get_by_role("button", name="Tải về").click()
        export = SpatialReportExport.objects.get()
        expect(page).to_have_url(re.compile(rf"/bao-cao-khong-gian/tai-ve/{export.id}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Tệp báo cáo không gian")
        expect(page.locator("#export-status")).to_have_text("Tệp đã sẵn sàng. 4")

    progress = page.locator("#export-progress")
    expect(progress).to_have_js_property("value", 1)
    expect(progress).to_have_js_property("max", 1)
    link = page.get_by_role("link", name="Tải tệp")
    expect(link).to_be_visible()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.row_count == 4

    with page.expect_download() as waiting:
        link.click()
    frame = pyogrio.read_dataframe(str(waiting.value.path()))
    assert sorted(frame["code"].tolist()) == sorted(
        report.tracking_code for report in [*reports.cam_thanh_2025, *reports.an_phu_2025]
    )
    columns = set(frame.columns)
    assert not columns & {"reporter_name", "reporter_phone", "reporter_email", "contact"}
