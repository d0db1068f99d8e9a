"""The weekly report: produced for last week by the beat task (Mondays 07:00, Vietnam time) and
on demand, with the week's exact figures, kept, listed and downloadable by leaders only."""

from __future__ import annotations

import datetime
from io import BytesIO

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from geoapp.clock import vietnam_today
from incidents.models import Incident
from ioc.models import WeeklyReport
from ioc.services import week_before, weekly_report_produce
from ioc.tasks import produce_weekly_report
from tests.ioc.conftest import Reports


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def filed_last_week() -> datetime.date:
    Incident.objects.update(reported_at=F("reported_at") - datetime.timedelta(days=7))
    return week_before(vietnam_today())


def test_the_beat_produces_it_on_mondays_at_seven_in_vietnam() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["ioc_produce_weekly_report"]

    assert entry["task"] == "ioc.produce_weekly_report"
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {0}
    assert entry["schedule"].day_of_week == {1}
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


def test_last_week_starts_on_the_monday_before_this_weeks() -> None:
    assert week_before(datetime.date(2026, 12, 7)) == datetime.date(2026, 11, 30)  # a Monday
    assert week_before(datetime.date(2026, 12, 6)) == datetime.date(2026, 11, 23)  # a Sunday


def test_the_workbook_holds_the_weeks_figures(reports: Reports) -> None:
    week = filed_last_week()

    week_start = produce_weekly_report()

    assert week_start == week.isoformat()
    report = WeeklyReport.objects.get()
    sheet = load_workbook(BytesIO(bytes(report.workbook)))["Tổng hợp"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Phản ánh mới"][0] == 10
    assert rows["Phản ánh đang mở"][0] == 6
    assert rows["Phản ánh quá hạn"][0] == 2
    assert rows["Tỷ lệ giải quyết đúng hạn"] == (0.75, 3, 4)
    assert rows["Tỷ lệ hài lòng"] == (2 / 3, 2, 3)
    overdue = load_workbook(BytesIO(bytes(report.workbook)))["Quá hạn"]
    codes = [row[0] for row in overdue.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted(r.tracking_code for r in reports.cam_thanh[3:5])
    assert "Trần Thị Bình" not in report.printable_html
    assert "Điểm nóng phản ánh" in report.printable_html
    assert "<svg" in report.printable_html


def test_producing_a_week_again_replaces_its_report(reports: Reports) -> None:
    week = filed_last_week()
    first = weekly_report_produce(week_start=week, now=timezone.now())

    again = weekly_report_produce(week_start=week, now=timezone.now())

    assert WeeklyReport.objects.count() == 1
    assert again.pk == first.pk
    assert again.produced_at > first.produced_at


def test_a_leader_produces_lists_and_downloads_it(reports: Reports, leader: User) -> None:
    week = filed_last_week()
    client = signed_in(leader)

    produced = client.post("/dieu-hanh/bao-cao-tuan/lap/")

    assert produced.status_code == 302
    listed = client.get("/dieu-hanh/").content.decode()
    assert f'href="/dieu-hanh/bao-cao-tuan/{week.isoformat()}.xlsx"' in listed
    download = client.get(f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(BytesIO(download.content))["Tổng hợp"]["B4"].value == 10
    page = client.get(f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}/")
    assert page.status_code == 200
    assert "Báo cáo tuần" in page.content.decode()
    assert client.get("/dieu-hanh/bao-cao-tuan/2001-01-01.xlsx").status_code == 404


def test_an_officer_may_neither_produce_nor_download_it(reports: Reports, officer_a: User) -> None:
    week = weekly_report_produce(week_start=filed_last_week(), now=timezone.now()).week_start
    client = signed_in(officer_a)

    assert client.post("/dieu-hanh/bao-cao-tuan/lap/").status_code == 403
    assert client.get(f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.xlsx").status_code == 403
    assert client.get(f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}/").status_code == 403
    assert WeeklyReport.objects.count() == 1
